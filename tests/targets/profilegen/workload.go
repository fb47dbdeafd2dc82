package main

import (
	"context"
	"sync"
	"time"
)

// The workload's call sites have names the tests look for. noinline keeps
// each one a frame of its own in every Go version's stacks.

var (
	hotLock  sync.Mutex
	coldLock sync.Mutex
	coldCount int
	retained [][]byte
	sink     []byte
	// warm is closed once the hot lock has been taken warmRounds times:
	// by then both profiles hold the workload's call sites.
	warm       = make(chan struct{})
	warmRounds = 200
	hotRounds  int
)

// hotCriticalSection holds a lock eight goroutines want for 200 µs each
// time: the mutex profile's biggest delay, recorded at its Unlock.
//
//go:noinline
func hotCriticalSection() {
	hotLock.Lock()
	time.Sleep(200 * time.Microsecond)
	hotRounds++
	if hotRounds == warmRounds {
		close(warm)
	}
	hotLock.Unlock()
}

// coldCriticalSection is contended too, by two goroutines holding it for
// 20 µs and pausing between: a smaller delay that must rank below the hot
// one.
//
//go:noinline
func coldCriticalSection() {
	coldLock.Lock()
	time.Sleep(20 * time.Microsecond)
	coldCount++
	coldLock.Unlock()
}

// consumeJobs waits on a channel fed slowly: the block profile's channel
// receive site.
//
//go:noinline
func consumeJobs(ctx context.Context, jobs <-chan int) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-jobs:
			_ = j
		}
	}
}

// allocateRetained keeps 4 MiB alive in 64 KiB pieces: a heap profile
// record whatever MemProfileRate's sampling picks.
//
//go:noinline
func allocateRetained() {
	for i := 0; i < 64; i++ {
		retained = append(retained, make([]byte, 64<<10))
	}
}

// churn allocates garbage so GC cycles run and PauseNs has entries.
//
//go:noinline
func churn() {
	for i := 0; i < 256; i++ {
		sink = make([]byte, 32<<10)
	}
}

func startWorkload(ctx context.Context) {
	allocateRetained()
	for i := 0; i < 8; i++ {
		go loop(ctx, hotCriticalSection, 0)
	}
	for i := 0; i < 2; i++ {
		go loop(ctx, coldCriticalSection, 50*time.Microsecond)
	}
	go loop(ctx, churn, 10*time.Millisecond)
	jobs := make(chan int)
	go consumeJobs(ctx, jobs)
	go func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
}

func loop(ctx context.Context, f func(), pause time.Duration) {
	for ctx.Err() == nil {
		f()
		if pause > 0 {
			time.Sleep(pause)
		}
	}
}
