package main

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The admin calls, all GET on the debug listener, each answering one line
// of "key=value" state so a script can wait on it:
//
//	/admin/goroutines?n=N     park exactly N goroutines on a channel
//	/admin/gc?gogc=P&memlimit_mib=M   debug.SetGCPercent / SetMemoryLimit (M 0 = none)
//	/admin/fill?ratio=R       retain heap until HeapAlloc/NextGC >= R (needs a memory limit)
//	/admin/churn?n=N          N goroutines allocating garbage without pause
//	/admin/slow?ms=N          profiles (not the index page) answer N ms late
//	/admin/reset              all of the above back to idle
func adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/admin/goroutines", func(w http.ResponseWriter, r *http.Request) {
		n, err := intArg(r, "n", 0, 1<<22)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		setGoroutines(n)
		fmt.Fprintf(w, "parked=%d goroutines=%d\n", n, runtime.NumGoroutine())
	})
	mux.HandleFunc("/admin/gc", func(w http.ResponseWriter, r *http.Request) {
		gogc, err := intArg(r, "gogc", -1, 1<<20)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mib, err := intArg(r, "memlimit_mib", 0, 1<<20)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		setGC(gogc, mib)
		fmt.Fprintf(w, "gogc=%d memlimit_mib=%d\n", gogc, mib)
	})
	mux.HandleFunc("/admin/fill", func(w http.ResponseWriter, r *http.Request) {
		ratio, err := strconv.ParseFloat(r.URL.Query().Get("ratio"), 64)
		if err != nil || !(ratio > 0 && ratio < 1) {
			http.Error(w, "ratio takes a number in (0, 1)", http.StatusBadRequest)
			return
		}
		got, err := fillHeap(ratio)
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		fmt.Fprintf(w, "ratio=%.3f retained_mib=%d\n", got, retainedMiB())
	})
	mux.HandleFunc("/admin/churn", func(w http.ResponseWriter, r *http.Request) {
		n, err := intArg(r, "n", 0, 256)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		setChurn(n)
		fmt.Fprintf(w, "churn=%d\n", n)
	})
	mux.HandleFunc("/admin/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, err := intArg(r, "ms", 0, 60000)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		profileDelay.Store(int64(ms) * int64(time.Millisecond))
		fmt.Fprintf(w, "slow_ms=%d\n", ms)
	})
	mux.HandleFunc("/admin/reset", func(w http.ResponseWriter, r *http.Request) {
		profileDelay.Store(0)
		setChurn(0)
		setGoroutines(0)
		releaseHeap()
		setGC(100, 0)
		runtime.GC()
		fmt.Fprintf(w, "reset goroutines=%d\n", runtime.NumGoroutine())
	})
}

func intArg(r *http.Request, name string, min, max int) (int, error) {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%s takes an integer in [%d, %d]", name, min, max)
	}
	return n, nil
}

func setGC(gogc, memLimitMiB int) {
	debug.SetGCPercent(gogc)
	if memLimitMiB > 0 {
		debug.SetMemoryLimit(int64(memLimitMiB) << 20)
	} else {
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// ---- parked goroutines ----

var parked struct {
	sync.Mutex
	stops []chan struct{}
}

func setGoroutines(n int) {
	parked.Lock()
	defer parked.Unlock()
	for len(parked.stops) > n {
		last := len(parked.stops) - 1
		close(parked.stops[last])
		parked.stops = parked.stops[:last]
	}
	for len(parked.stops) < n {
		stop := make(chan struct{})
		parked.stops = append(parked.stops, stop)
		go parkedWorker(stop)
	}
}

// parkedWorker waits on a channel nobody sends to until released: the
// shape of a goroutine leak.
func parkedWorker(stop chan struct{}) {
	<-stop
}

// ---- the heap at its goal ----

var retained struct {
	sync.Mutex
	chunks [][]byte
}

const chunkSize = 256 << 10

// fillHeap retains 256 KiB chunks until HeapAlloc/NextGC >= ratio. With
// GOGC on, the goal moves up with the live heap and the ratio falls back
// after each GC; a memory limit (GOGC off) pins the goal, which is what a
// service near its GOMEMLIMIT lives with, so the ratio then stays put.
func fillHeap(ratio float64) (float64, error) {
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		return 0, errors.New("set a memory limit first (/admin/gc?memlimit_mib=M or -memlimit-mib)")
	}
	retained.Lock()
	defer retained.Unlock()
	var ms runtime.MemStats
	for i := 0; i < 1<<16; i++ {
		runtime.ReadMemStats(&ms)
		got := float64(ms.HeapAlloc) / float64(ms.NextGC)
		if got >= ratio {
			return got, nil
		}
		b := make([]byte, chunkSize)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1 // touch it: resident, like real data
		}
		retained.chunks = append(retained.chunks, b)
	}
	return 0, errors.New("the ratio was not reached")
}

func releaseHeap() {
	retained.Lock()
	retained.chunks = nil
	retained.Unlock()
}

func retainedMiB() int {
	retained.Lock()
	defer retained.Unlock()
	return len(retained.chunks) * chunkSize >> 20
}

// ---- garbage churn ----

var churn struct {
	sync.Mutex
	stops []chan struct{}
}

var churnSink atomic.Pointer[[]byte]

func setChurn(n int) {
	churn.Lock()
	defer churn.Unlock()
	for len(churn.stops) > n {
		last := len(churn.stops) - 1
		close(churn.stops[last])
		churn.stops = churn.stops[:last]
	}
	for len(churn.stops) < n {
		stop := make(chan struct{})
		churn.stops = append(churn.stops, stop)
		go churnWorker(stop)
	}
}

func churnWorker(stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		for i := 0; i < 64; i++ {
			b := make([]byte, 16<<10)
			churnSink.Store(&b)
		}
	}
}

// ---- slow profiles ----

// profileDelay holds back every profile but the index page, like a
// service whose debug=2 dump takes seconds: a watcher stopped in the
// middle of an event must finish or abandon that fetch, and leave no file.
var profileDelay atomic.Int64

func slowProfiles(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := time.Duration(profileDelay.Load()); d > 0 && r.URL.Path != "/debug/pprof/" {
			time.Sleep(d)
		}
		h.ServeHTTP(w, r)
	})
}
