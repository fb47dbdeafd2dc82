package main

import (
	"os"
	"runtime"
	"sync"
	"time"
)

// The bench dump: n goroutines spread over k distinct stacks (a blocking
// kind times a call depth of 0 to 2), with argument values that differ
// per goroutine, the way a service's dump looks when it has piled up.

const benchKinds = 12

// Nothing is ever sent on benchIn nor received from benchOut, so no two
// goroutines of the dump can pair up and leave.
var (
	benchIn, benchOut = make(chan int), make(chan int)
	benchMu           sync.Mutex
	benchRW           sync.RWMutex
	benchWG           sync.WaitGroup
	benchCond         = sync.NewCond(&sync.Mutex{})
)

func benchRecv(id int, ch chan int) { <-ch }
func benchSend(id int, ch chan int) { ch <- id }
func benchSelect(id int, a, b chan int) {
	select {
	case <-a:
	case b <- id:
	}
}
func benchSelect3(id int, a, b chan int, d time.Duration) {
	select {
	case <-a:
	case b <- id:
	case <-time.After(d):
	}
}
func benchSleep(id int, d time.Duration)   { time.Sleep(d) }
func benchLock(id int, mu *sync.Mutex)     { mu.Lock() }
func benchRLock(id int, rw *sync.RWMutex)  { rw.RLock() }
func benchWait(id int, wg *sync.WaitGroup) { wg.Wait() }
func benchCondWait(id int, c *sync.Cond) {
	c.L.Lock()
	c.Wait()
}
func benchNilRecv(id int) {
	var ch chan int
	<-ch
}
func benchNilSend(id int) {
	var ch chan int
	ch <- id
}
func benchForever(id int) { select {} }

// benchDepth puts depth frames of its own under the blocking call.
func benchDepth(depth, kind, id int, started *sync.WaitGroup) {
	if depth > 0 {
		benchDepth(depth-1, kind, id, started)
		return
	}
	started.Done()
	switch kind {
	case 0:
		benchRecv(id, benchIn)
	case 1:
		benchSend(id, benchOut)
	case 2:
		benchSelect(id, benchIn, benchOut)
	case 3:
		benchSelect3(id, benchIn, benchOut, time.Hour)
	case 4:
		benchSleep(id, time.Hour)
	case 5:
		benchLock(id, &benchMu)
	case 6:
		benchRLock(id, &benchRW)
	case 7:
		benchWait(id, &benchWG)
	case 8:
		benchCondWait(id, benchCond)
	case 9:
		benchNilRecv(id)
	case 10:
		benchNilSend(id)
	default:
		benchForever(id)
	}
}

func writeBench(n, stacks int, out string) error {
	var started sync.WaitGroup
	benchMu.Lock()
	benchRW.Lock()
	benchWG.Add(1)
	started.Add(n)
	for i := 0; i < n; i++ {
		s := i % stacks
		go benchDepth(s/benchKinds, s%benchKinds, i, &started)
	}
	started.Wait()
	time.Sleep(100 * time.Millisecond) // the last ones reach their blocking call
	size := 64 << 20
	for {
		buf := make([]byte, size)
		w := runtime.Stack(buf, true)
		if w < len(buf) {
			return os.WriteFile(out, buf[:w], 0o644)
		}
		size *= 2
	}
}
