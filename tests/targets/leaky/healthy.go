package main

import (
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The healthy mode is what a busy, correct service looks like from the
// outside: request goroutines, a worker pool that grows from -pool-min to
// -pool-max when work queues up and shrinks back when it is idle, and
// bursts of short-lived fan-out goroutines. Every count rises and falls;
// nothing only grows. preflight must not call any of it a leak.

type pool struct {
	jobs     chan func()
	mu       sync.Mutex
	n        int
	min, max int
	idle     time.Duration
}

var (
	poolOnce    sync.Once
	healthyPool atomic.Pointer[pool] // nil until the healthy mode first runs
)

func (p *pool) size() int {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

func newPool(min, max int, idle time.Duration) *pool {
	p := &pool{jobs: make(chan func()), min: min, max: max, idle: idle}
	p.mu.Lock()
	for ; p.n < min; p.n++ {
		go p.worker(nil)
	}
	p.mu.Unlock()
	return p
}

// submit hands f to an idle worker, starts a new one while under max, and
// otherwise waits for a worker to come free.
func (p *pool) submit(f func()) {
	select {
	case p.jobs <- f:
		return
	default:
	}
	p.mu.Lock()
	if p.n < p.max {
		p.n++
		p.mu.Unlock()
		go p.worker(f)
		return
	}
	p.mu.Unlock()
	p.jobs <- f
}

// worker runs jobs until it has been idle for p.idle while the pool is
// above its minimum.
func (p *pool) worker(first func()) {
	if first != nil {
		first()
	}
	t := time.NewTimer(p.idle)
	defer t.Stop()
	for {
		select {
		case f := <-p.jobs:
			f()
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
			t.Reset(p.idle)
		case <-t.C:
			p.mu.Lock()
			if p.n > p.min {
				p.n--
				p.mu.Unlock()
				return
			}
			p.mu.Unlock()
			t.Reset(p.idle)
		}
	}
}

func thePool() *pool {
	poolOnce.Do(func() {
		healthyPool.Store(newPool(cfg.poolMin, cfg.poolMax, 50*time.Millisecond))
	})
	return healthyPool.Load()
}

// job is simulated I/O (a few ms of waiting) and a little CPU.
func job(ms int) {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	var sum uint64
	for i := 0; i < 2000; i++ {
		sum += uint64(i) * uint64(ms)
	}
	sink.Store(int64(sum))
}

// GET /work?jobs=J&burst=B: J jobs through the pool and B fan-out goroutines
// of its own, answered once all are done.
func serveWork(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	jobs, err1 := strconv.Atoi(q.Get("jobs"))
	burst, err2 := strconv.Atoi(q.Get("burst"))
	if err1 != nil || err2 != nil || jobs < 0 || burst < 0 || jobs > 1000 || burst > 1000 {
		http.Error(w, "want jobs and burst in 0..1000", http.StatusBadRequest)
		return
	}
	p := thePool()
	var wg sync.WaitGroup
	wg.Add(jobs + burst)
	for i := 0; i < burst; i++ {
		go func(ms int) {
			defer wg.Done()
			job(ms)
		}(1 + i%5)
	}
	for i := 0; i < jobs; i++ {
		ms := 1 + i%10
		p.submit(func() {
			defer wg.Done()
			job(ms)
		})
	}
	wg.Wait()
	fmt.Fprintf(w, "done %d %d\n", jobs, burst)
}

// healthyLoad runs n clients (0: -load-clients) against /work for d. Each
// alternates busy and quiet phases of a few hundred milliseconds, so the
// pool grows towards its maximum and shrinks back to its minimum several
// times a second, whatever instant a sample is taken at.
func healthyLoad(n int, d time.Duration, stop <-chan struct{}) {
	if n <= 0 {
		n = cfg.loadClients
	}
	thePool()
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: n},
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			loadClient(client, rand.New(rand.NewSource(seed)), deadline, stop)
		}(time.Now().UnixNano() + int64(i))
	}
	wg.Wait()
	client.CloseIdleConnections()
}

func loadClient(c *http.Client, rnd *rand.Rand, deadline time.Time, stop <-chan struct{}) {
	for !expired(deadline, stop) {
		busy := time.Now().UnixNano()/int64(300*time.Millisecond)%2 == 0
		jobs, burst, pause := rnd.Intn(5), rnd.Intn(3), 20+rnd.Intn(30)
		if busy {
			jobs, burst, pause = 10+rnd.Intn(40), rnd.Intn(20), rnd.Intn(5)
		}
		url := fmt.Sprintf("%s/work?jobs=%d&burst=%d", serviceURL, jobs, burst)
		resp, err := c.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		time.Sleep(time.Duration(pause) * time.Millisecond)
	}
}
