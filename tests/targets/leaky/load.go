package main

import (
	"crypto/sha256"
	"errors"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// expired reports whether a load should end: its time is up or it was
// stopped. Checked between units of work, never blocking.
func expired(deadline time.Time, stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
	}
	return !time.Now().Before(deadline)
}

// ---- heap: a heap that runs at its GC goal ---------------------------------

var (
	keptMu    sync.Mutex
	kept      [][]byte
	heapOnce  sync.Once
	garbage   []byte // the churn's latest allocation, so it is not optimised away
	errHeapAt = errors.New("the -max-heap cap is reached")
)

const chunk = 64 << 10

func keptMiB() int {
	keptMu.Lock()
	defer keptMu.Unlock()
	return len(kept) * chunk >> 20
}

// keepHeap keeps n MiB more, live for the rest of the process. With GOGC at
// -heap-gogc the goal is live*(1+GOGC/100), so HeapAlloc/NextGC never falls
// below 1/(1+GOGC/100) (0.91 at GOGC=10) and the churn keeps it cycling up
// to 1: the heap runs at its goal, as it does when the live heap nears
// GOMEMLIMIT.
func keepHeap(n int) (int, error) {
	heapOnce.Do(func() {
		debug.SetGCPercent(cfg.heapGOGC)
		go churnGarbage()
	})
	keptMu.Lock()
	defer keptMu.Unlock()
	left := cfg.maxHeapMiB - len(kept)*chunk>>20
	var err error
	if n >= left {
		n, err = left, errHeapAt
	}
	for i := 0; i < n*(1<<20)/chunk; i++ {
		b := make([]byte, chunk)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1 // resident, not just reserved
		}
		kept = append(kept, b)
	}
	return n, err
}

// churnGarbage allocates -heap-churn MiB/s that die at once, so GC cycles
// keep coming and HeapAlloc keeps climbing back to the goal.
func churnGarbage() {
	per := cfg.heapChurnMiB << 20 / 100
	if per == 0 {
		return
	}
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for range t.C {
		for got := 0; got < per; got += 8 << 10 {
			garbage = make([]byte, 8<<10)
		}
	}
}

// ---- gc: a GC that takes a large share of the CPU --------------------------

type node struct {
	next *node
	refs [6]*node
}

// gcSinks gives each allocator a slot its latest list escapes to.
var gcSinks [256]*node

// gcStorm keeps -gc-live MiB of pointer-rich data (a linked list the GC must
// walk) and runs n allocators of short-lived objects with GOGC at -gc-gogc:
// GC cycles run back to back and allocators are made to assist, so the GC
// CPU fraction climbs. GOGC is restored at the end.
func gcStorm(n int, d time.Duration, stop <-chan struct{}) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	if n > len(gcSinks) {
		n = len(gcSinks)
	}
	old := debug.SetGCPercent(cfg.gcGOGC)
	defer debug.SetGCPercent(old)
	var live *node
	for i := 0; i < cfg.gcLiveMiB<<20/64; i++ {
		live = &node{next: live}
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			allocateShortLived(id, deadline, stop)
		}(i)
	}
	wg.Wait()
	runtime.KeepAlive(live)
	for i := range gcSinks {
		gcSinks[i] = nil
	}
}

func allocateShortLived(id int, deadline time.Time, stop <-chan struct{}) {
	for !expired(deadline, stop) {
		var head *node
		for i := 0; i < 1000; i++ {
			head = &node{next: head}
			head.refs[0] = head.next
		}
		gcSinks[id] = head
	}
}

// ---- contention: one mutex every goroutine needs ---------------------------

var (
	hotMu      sync.Mutex
	hotDigest  [32]byte
	hotUpdates atomic.Int64
)

// contend runs n goroutines that all serialise on hotMu, each holding it
// for real work (64 rounds of SHA-256, some tens of microseconds). With
// -mutex-fraction and -block-rate set, the mutex and block profiles name
// updateSharedDigest.
func contend(n int, d time.Duration, stop <-chan struct{}) {
	if n <= 0 {
		n = 8
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !expired(deadline, stop) {
				updateSharedDigest()
			}
		}()
	}
	wg.Wait()
}

func updateSharedDigest() {
	hotMu.Lock()
	for i := 0; i < 64; i++ {
		hotDigest = sha256.Sum256(hotDigest[:])
	}
	hotMu.Unlock()
	hotUpdates.Add(1)
}
