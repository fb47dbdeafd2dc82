package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// Each function below blocks its goroutine in one state, under a name that
// says which, so a fixture reads as its own documentation.

func recvForever(ch chan int)        { <-ch }
func sendForever(ch chan int, v int) { ch <- v }
func selectForever(a, b chan int) {
	select {
	case <-a:
	case b <- 1:
	}
}
func selectNoCases()                   { select {} }
func lockForever(mu *sync.Mutex)       { mu.Lock() }
func rlockForever(rw *sync.RWMutex)    { rw.RLock() }
func wgWaitForever(wg *sync.WaitGroup) { wg.Wait() }
func condWaitForever(c *sync.Cond) {
	c.L.Lock()
	c.Wait()
}
func sleepLong(d time.Duration) { time.Sleep(d) }
func lockedToThread(ch chan int) {
	runtime.LockOSThread()
	<-ch
}
func nilRecv() {
	var ch chan int
	<-ch
}
func nilSend() {
	var ch chan int
	ch <- 1
}

// deepRecursion makes a stack deeper than the traceback prints, so the dump
// carries the runtime's frame-elision marker.
func deepRecursion(n int, ch chan int) int {
	if n == 0 {
		return <-ch
	}
	return deepRecursion(n-1, ch) + 1
}

func blockGeneric[T any](ch chan T) T { return <-ch }

type worker struct{ jobs chan int }

func (w *worker) run(quit, done chan struct{}) {
	defer close(done)
	for {
		select {
		case <-w.jobs:
		case <-quit:
			return
		}
	}
}

// tickerLoop is the classic leak: a ticker nobody stops, in a goroutine
// nobody stops.
func tickerLoop(d time.Duration) {
	t := time.NewTicker(d)
	for range t.C {
	}
}

func tickSelect(d time.Duration, done chan int) {
	tick := time.Tick(d)
	for {
		select {
		case <-tick:
		case <-done:
			return
		}
	}
}

func leakyHandler() {
	ch := make(chan int)
	go func() { ch <- compute() }() // the caller returned: nobody receives
}

func compute() int { return 42 }

type poolWorker struct{ quit, done chan struct{} }

type fixture struct {
	mu      sync.Mutex
	rw      sync.RWMutex
	wg      sync.WaitGroup
	cond    *sync.Cond
	never   chan int // only ever received from
	nobody  chan int // only ever sent to
	cleanup []func()
	pool    []poolWorker
	jobs    *worker
}

func (f *fixture) start(n int, fn func()) {
	for i := 0; i < n; i++ {
		go fn()
	}
}

func (f *fixture) startStates() error {
	f.never = make(chan int)
	f.nobody = make(chan int)
	f.cond = sync.NewCond(&sync.Mutex{})
	f.mu.Lock()
	f.rw.Lock()
	f.wg.Add(1)
	f.start(3, func() { recvForever(f.never) })
	f.start(2, func() { sendForever(f.nobody, 7) })
	f.start(2, func() { selectForever(f.never, f.nobody) })
	f.start(1, selectNoCases)
	f.start(2, func() { lockForever(&f.mu) })
	f.start(1, func() { rlockForever(&f.rw) })
	f.start(1, func() { wgWaitForever(&f.wg) })
	f.start(1, func() { condWaitForever(f.cond) })
	f.start(2, func() { sleepLong(time.Hour) })
	f.start(1, func() { lockedToThread(f.never) })
	f.start(1, nilRecv)
	f.start(1, nilSend)
	f.start(1, func() { deepRecursion(150, f.never) })
	f.start(1, func() { blockGeneric(make(chan string)) })
	f.start(2, func() {
		labels := pprof.Labels("handler", "orders", "tenant", `a "quoted" b`)
		pprof.Do(context.Background(), labels, func(context.Context) { recvForever(f.never) })
	})
	f.start(3, func() { tickerLoop(time.Second) })
	f.start(2, func() { tickSelect(time.Second, f.never) })

	// IO wait: a listener nobody connects to, and a connection nobody writes to.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	f.cleanup = append(f.cleanup, func() { ln.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
			var b [1]byte
			c.Read(b[:]) // IO wait: the peer never writes
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	f.cleanup = append(f.cleanup, func() { c.Close() })
	<-accepted
	go func() { ln.Accept() }() // IO wait on the listener

	// An HTTP client with no timeout, against a listener that accepts and
	// never answers.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	f.cleanup = append(f.cleanup, func() { hang.Close() })
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			f.cleanup = append(f.cleanup, func() { c.Close() })
		}
	}()
	go func() {
		resp, err := http.Get("http://" + hang.Addr().String() + "/")
		if err == nil {
			resp.Body.Close()
		}
	}()

	// Response bodies never closed: the transport keeps each connection's
	// readLoop and writeLoop goroutines.
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})}
	sl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(sl)
	f.cleanup = append(f.cleanup, func() { srv.Close() })
	for i := 0; i < 2; i++ {
		client := &http.Client{Transport: &http.Transport{}}
		resp, err := client.Get("http://" + sl.Addr().String() + "/")
		if err != nil {
			return err
		}
		_ = resp // the body is never read or closed
	}
	f.jobs = &worker{jobs: make(chan int)}
	return nil
}

// setPool grows or shrinks the worker pool to n and waits until the
// workers that were told to quit are gone.
func (f *fixture) setPool(n int) {
	for len(f.pool) < n {
		w := poolWorker{make(chan struct{}), make(chan struct{})}
		f.pool = append(f.pool, w)
		go f.jobs.run(w.quit, w.done)
	}
	for _, w := range f.pool[n:] {
		close(w.quit)
		<-w.done
	}
	f.pool = f.pool[:n]
}

// settle waits until no goroutine is runnable and the count held still
// across two looks, so both captures of a pair see the same stacks.
// Bounded: a ticker may be caught awake now and then.
func settle(min int) error {
	var buf bytes.Buffer
	last := -1
	for i := 0; i < 400; i++ {
		buf.Reset()
		if err := pprof.Lookup("goroutine").WriteTo(&buf, 2); err != nil {
			return err
		}
		n := runtime.NumGoroutine()
		if n >= min && n == last && !bytes.Contains(buf.Bytes(), []byte("[runnable")) {
			return nil
		}
		last = n
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("goroutines did not settle (%d running, want >= %d)", runtime.NumGoroutine(), min)
}

func writeProfile(path string, debug int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, debug); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func capturePair(dir, prefix string, debug2 bool, expect int) error {
	if err := settle(expect); err != nil {
		return err
	}
	if err := writeProfile(filepath.Join(dir, prefix+"debug1.txt"), 1); err != nil {
		return err
	}
	if !debug2 {
		return nil
	}
	return captureDeep(150, func() error {
		return writeProfile(filepath.Join(dir, prefix+"debug2.txt"), 2)
	})
}

// captureDeep runs fn 150 frames down. Go 1.19 prints its
// "...additional frames elided..." marker only when all 100 frames it
// walked were printed, which never happens for a parked goroutine (its
// runtime frames are walked but hidden): only the running goroutine, the
// one writing the dump, can show it.
func captureDeep(n int, fn func() error) error {
	if n == 0 {
		return fn()
	}
	err := captureDeep(n-1, fn)
	runtime.KeepAlive(n)
	return err
}

func writeFixtures(dir string) error {
	var f fixture
	defer func() {
		for _, c := range f.cleanup {
			c()
		}
	}()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := f.startStates(); err != nil {
		return err
	}
	if err := capturePair(dir, "", true, 0); err != nil {
		return err
	}
	base := runtime.NumGoroutine()
	if err := settle(0); err != nil {
		return err
	}

	// A leak series: leakyHandler's senders and tickers grow in every
	// snapshot, the worker pool rises and falls.
	pool := []int{4, 12, 3}
	for step := 1; step <= 3; step++ {
		for i := 0; i < 4; i++ {
			leakyHandler()
		}
		for i := 0; i < 2; i++ {
			go tickerLoop(time.Second)
		}
		f.setPool(pool[step-1])
		if err := capturePair(dir, fmt.Sprintf("series-%d.", step), step == 3, base+6*step+pool[step-1]); err != nil {
			return err
		}
	}
	return nil
}

func holdStates() error {
	var f fixture
	if err := f.startStates(); err != nil {
		return err
	}
	if err := settle(0); err != nil {
		return err
	}
	fmt.Println("ready")
	select {} // until a signal or the max lifetime
}
