package main

import (
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"io"
	"net/http"
	"net/http/pprof"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"
)

// A kind is one mode. Leaks work in rounds (each adds n goroutines, or n
// MiB for heap), repeated every `every` for `for`; loads (gc, contention,
// healthy) run for `for` and then stop by themselves.
type kind struct {
	help  string
	round func(n int) (added int, err error)
	load  func(n int, d time.Duration, stop <-chan struct{})
}

var kinds = map[string]*kind{
	"ticker":     {help: "n goroutines each ranging over a time.NewTicker channel, never stopped", round: leakTickers},
	"recv":       {help: "n goroutines blocked receiving from a channel nobody sends to", round: leakReceivers},
	"send":       {help: "n goroutines blocked sending on an unbuffered channel nobody receives from", round: leakSenders},
	"httpclient": {help: "n requests by an http.Client without a timeout to a listener that never answers", round: leakHTTPClients},
	"conn":       {help: "n requests whose response bodies are never closed (connections never released)", round: leakConns},
	"lock":       {help: "n goroutines queued behind a sync.Mutex that is never unlocked", round: leakLockWaiters},
	"heap":       {help: "keep n MiB more and set GOGC to -heap-gogc, with -heap-churn MiB/s of garbage: the heap runs at its GC goal", round: keepHeap},
	"gc":         {help: "n goroutines (0: GOMAXPROCS) allocating short-lived objects with GOGC -gc-gogc, for `for`", load: gcStorm},
	"contention": {help: "n goroutines (0: 8) serialising on one mutex around real work, for `for`", load: contend},
	"healthy":    {help: "worker pools that rise and fall under a load of -load-clients clients (n: clients, 0: the flag), for `for`", load: healthyLoad},
}

func kindNames() []string {
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

var (
	modesMu sync.Mutex
	running = map[string]chan struct{}{} // kind -> closed to stop it
	rounds  = map[string]int{}           // kind -> rounds done
	added   = map[string]int{}           // kind -> goroutines (MiB) added
)

// start does the first round at once, so an admin call returns after its
// goroutines exist, and repeats it in the background when every > 0.
func start(name string, n int, every, d time.Duration) (int, error) {
	k := kinds[name]
	if k == nil {
		return 0, fmt.Errorf("unknown kind %q", name)
	}
	if n < 0 {
		n = 10
		if k.load != nil {
			n = 0
		}
	}
	modesMu.Lock()
	defer modesMu.Unlock()
	if k.load != nil {
		if _, busy := running[name]; busy {
			return 0, fmt.Errorf("%s is already running", name)
		}
		stop := make(chan struct{})
		running[name] = stop
		rounds[name]++
		go func() {
			k.load(n, d, stop)
			modesMu.Lock()
			if running[name] == stop {
				delete(running, name)
			}
			modesMu.Unlock()
		}()
		return 0, nil
	}
	got, err := k.round(n)
	rounds[name]++
	added[name] += got
	if err != nil || every <= 0 || d <= 0 {
		return got, err
	}
	if _, busy := running[name]; busy {
		return got, nil
	}
	stop := make(chan struct{})
	running[name] = stop
	go repeat(name, k, n, every, d, stop)
	return got, nil
}

func repeat(name string, k *kind, n int, every, d time.Duration, stop chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	end := time.NewTimer(d)
	defer end.Stop()
	for {
		select {
		case <-t.C:
		case <-end.C:
			stopped(name, stop)
			return
		case <-stop:
			return
		}
		modesMu.Lock()
		got, err := k.round(n)
		rounds[name]++
		added[name] += got
		modesMu.Unlock()
		if err != nil {
			// The cap was reached: the leak has done what it may.
			stopped(name, stop)
			return
		}
	}
}

func stopped(name string, stop chan struct{}) {
	modesMu.Lock()
	if running[name] == stop {
		delete(running, name)
	}
	modesMu.Unlock()
}

func stopMode(name string) bool {
	modesMu.Lock()
	defer modesMu.Unlock()
	stop, ok := running[name]
	if ok {
		close(stop)
		delete(running, name)
	}
	return ok
}

var serviceURL string

func serviceMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/work", serveWork)
	mux.HandleFunc("/admin/leak", adminLeak)
	mux.HandleFunc("/admin/stop", adminStop)
	mux.HandleFunc("/admin/status", adminStatus)
	return mux
}

func debugMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/debug/vars", expvar.Handler())
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

// POST /admin/leak?kind=K[&n=N][&every=D&for=D]
func adminLeak(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		fail(w, http.StatusMethodNotAllowed, errors.New("use POST"))
		return
	}
	q := r.URL.Query()
	name := q.Get("kind")
	if kinds[name] == nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("kind %q: want one of %v", name, kindNames()))
		return
	}
	n, every, d := -1, time.Duration(0), time.Minute
	var err error
	if s := q.Get("n"); s != "" {
		if n, err = strconv.Atoi(s); err != nil || n < 0 {
			fail(w, http.StatusBadRequest, fmt.Errorf("n %q: want a count >= 0", s))
			return
		}
	}
	for _, p := range []struct {
		key string
		v   *time.Duration
	}{{"every", &every}, {"for", &d}} {
		if s := q.Get(p.key); s != "" {
			if *p.v, err = time.ParseDuration(s); err != nil || *p.v < 0 {
				fail(w, http.StatusBadRequest, fmt.Errorf("%s %q: want a duration >= 0", p.key, s))
				return
			}
		}
	}
	got, err := start(name, n, every, d)
	if err != nil {
		fail(w, http.StatusConflict, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"kind": name, "added": got, "goroutines": runtime.NumGoroutine(),
	})
}

// POST /admin/stop?kind=K: stops the repeated rounds or the load of K.
// What has leaked stays leaked.
func adminStop(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		fail(w, http.StatusMethodNotAllowed, errors.New("use POST"))
		return
	}
	name := r.URL.Query().Get("kind")
	if kinds[name] == nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("kind %q: want one of %v", name, kindNames()))
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"kind": name, "stopped": stopMode(name)})
}

// GET /admin/status: what has been switched on, and the runtime's view.
func adminStatus(w http.ResponseWriter, r *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	modesMu.Lock()
	run := []string{}
	for k := range running {
		run = append(run, k)
	}
	sort.Strings(run)
	st := map[string]interface{}{
		"goroutines":      runtime.NumGoroutine(),
		"running":         run,
		"rounds":          copyMap(rounds),
		"added":           copyMap(added),
		"leaked":          leaked.Load(),
		"heap_kept_mib":   keptMiB(),
		"pool_workers":    healthyPool.Load().size(),
		"hot_updates":     hotUpdates.Load(),
		"heap_alloc":      ms.HeapAlloc,
		"next_gc":         ms.NextGC,
		"gc_cpu_fraction": ms.GCCPUFraction,
		"num_gc":          ms.NumGC,
	}
	modesMu.Unlock()
	writeJSON(w, http.StatusOK, st)
}

func copyMap(m map[string]int) map[string]int {
	c := make(map[string]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
