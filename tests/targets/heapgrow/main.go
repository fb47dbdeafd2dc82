// heapgrow is a small Go service that can be driven, by flag at start or
// by an HTTP admin call later, to the three conditions `preflight watch`
// looks for: a heap running at its GC goal, a pile of goroutines, and a
// GC that eats the CPU. It serves expvar and net/http/pprof on a loopback
// debug listener, and a cheap /work endpoint on a loopback service
// listener for steady load. Standard library only.
//
// Every listener is up before the pid is written to -ready-file (scripts
// wait on that, not on a sleep), and the process never outlives
// -max-lifetime. Only loopback addresses are accepted.
package main

import (
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"strings"
	"time"
)

type config struct {
	addr, debugAddr, readyFile string
	goroutines, churn          int
	gogc, memLimitMiB          int
	fill                       float64
	maxLifetime                time.Duration
}

func parseFlags() config {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:0", "service listener (/work), loopback only")
	flag.StringVar(&c.debugAddr, "debug-addr", "127.0.0.1:0", "pprof, expvar and /admin listener, loopback only")
	flag.IntVar(&c.goroutines, "goroutines", 0, "park N goroutines on a channel at start")
	flag.IntVar(&c.churn, "churn", 0, "N goroutines allocating garbage without pause")
	flag.IntVar(&c.gogc, "gogc", 100, "debug.SetGCPercent at start (-1 = off)")
	flag.IntVar(&c.memLimitMiB, "memlimit-mib", 0, "debug.SetMemoryLimit in MiB at start (0 = none)")
	flag.Float64Var(&c.fill, "fill", 0, "at start, retain heap until HeapAlloc/NextGC reaches this (needs -memlimit-mib)")
	flag.DurationVar(&c.maxLifetime, "max-lifetime", 10*time.Minute, "hard cap on the process lifetime")
	flag.StringVar(&c.readyFile, "ready-file", "", "write the pid here once every listener is up (a FIFO is written in place)")
	flag.Parse()
	if flag.NArg() > 0 {
		log.Fatalf("unexpected argument %q", flag.Arg(0))
	}
	if c.maxLifetime <= 0 {
		log.Fatal("-max-lifetime must be positive")
	}
	return c
}

// listenLoopback refuses anything but a loopback address: the admin calls
// can exhaust the machine's memory.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%q is not a loopback address", addr)
	}
	return net.Listen("tcp", addr)
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("heapgrow: ")
	c := parseFlags()

	time.AfterFunc(c.maxLifetime, func() {
		log.Printf("-max-lifetime %v reached, exiting", c.maxLifetime)
		os.Exit(0)
	})

	setGC(c.gogc, c.memLimitMiB)
	setGoroutines(c.goroutines)
	setChurn(c.churn)
	if c.fill > 0 {
		if _, err := fillHeap(c.fill); err != nil {
			log.Fatalf("-fill: %v", err)
		}
	}

	ln, err := listenLoopback(c.addr)
	if err != nil {
		log.Fatalf("-addr: %v", err)
	}
	dln, err := listenLoopback(c.debugAddr)
	if err != nil {
		log.Fatalf("-debug-addr: %v", err)
	}
	go serve(ln, serviceMux())
	go serve(dln, debugMux())

	log.Printf("pid=%d gomaxprocs=%d service=%s debug=%s", os.Getpid(), runtime.GOMAXPROCS(0),
		ln.Addr(), dln.Addr())
	if c.readyFile != "" {
		if err := writeReady(c.readyFile); err != nil {
			log.Fatalf("-ready-file: %v", err)
		}
	}
	select {}
}

func serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.Serve(ln); err != nil {
		log.Fatalf("serve %s: %v", ln.Addr(), err)
	}
}

// serviceMux: /work is a typical small request, a few allocations and a
// JSON answer, so a load loop against it looks like a service at work.
func serviceMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		items := make([]string, 0, 16)
		for i := 0; i < 16; i++ {
			items = append(items, strings.Repeat("x", 32))
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "items": items})
	})
	return mux
}

func debugMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/debug/pprof/", slowProfiles(http.HandlerFunc(pprof.Index)))
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/debug/vars", expvar.Handler())
	adminRoutes(mux)
	return mux
}

// writeReady writes "PID\n". A FIFO is written in place and kept open
// (the waiting script holds it); a regular file is replaced by rename.
func writeReady(path string) error {
	line := []byte(fmt.Sprintf("%d\n", os.Getpid()))
	if st, err := os.Stat(path); err == nil && st.Mode()&fs.ModeNamedPipe != 0 {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		readyFIFO = f
		_, err = f.Write(line)
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, line, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// readyFIFO stays reachable so its finalizer never closes it.
var readyFIFO *os.File
