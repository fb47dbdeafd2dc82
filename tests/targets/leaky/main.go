// leaky is an HTTP service whose goroutine leaks, lock contention and heap
// and GC pressure are switched on by flag or by an admin call, one at a
// time, so preflight's runtime analysis has something real to find; and
// whose healthy mode runs worker pools that rise and fall under load, which
// preflight must not flag. Standard library only; see docs/leaky.md.
//
// Every listener is on loopback (other addresses are refused), every leak
// is bounded in count and every load in time, and the process never
// outlives -max-lifetime. The ready file is written once every listener is
// up and every flag's mode has started.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"
)

type config struct {
	addr, debugAddr, readyFile string
	maxLifetime                time.Duration

	leak      string
	leakN     int
	leakEvery time.Duration
	leakFor   time.Duration
	maxLeaked int64

	mutexFraction, blockRate int
	tickerPeriod             time.Duration
	heapGOGC, gcGOGC         int
	heapChurnMiB, maxHeapMiB int
	gcLiveMiB                int

	poolMin, poolMax, loadClients int
}

func parseFlags() config {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:0", "service listener (loopback only): / and /admin/")
	flag.StringVar(&c.debugAddr, "debug-addr", "127.0.0.1:0", "pprof and expvar listener (loopback only)")
	flag.StringVar(&c.readyFile, "ready-file", "", "write the pid and the chosen addresses here once ready (a FIFO is written in place)")
	flag.DurationVar(&c.maxLifetime, "max-lifetime", 10*time.Minute, "hard cap on the process lifetime")

	flag.StringVar(&c.leak, "leak", "", "start one mode at start: "+strings.Join(kindNames(), ", "))
	flag.IntVar(&c.leakN, "leak-n", -1, "n for -leak: goroutines (MiB for heap) per round, or the load's n (-1: the kind's default)")
	flag.DurationVar(&c.leakEvery, "leak-every", 200*time.Millisecond, "a round of -leak every this long (0: one round)")
	flag.DurationVar(&c.leakFor, "leak-for", time.Minute, "keep adding rounds (or run a load) this long")
	flag.Int64Var(&c.maxLeaked, "max-leaked", 20000, "cap on leaks in all, whatever is asked (a goroutine; for httpclient and conn a request)")

	flag.IntVar(&c.mutexFraction, "mutex-fraction", 0, "runtime.SetMutexProfileFraction at start (0: mutex profile off)")
	flag.IntVar(&c.blockRate, "block-rate", 0, "runtime.SetBlockProfileRate in ns at start (0: block profile off)")
	flag.DurationVar(&c.tickerPeriod, "ticker-period", 100*time.Millisecond, "period of each leaked ticker")
	flag.IntVar(&c.heapGOGC, "heap-gogc", 10, "GOGC set by the heap mode (the goal is live*(1+GOGC/100))")
	flag.IntVar(&c.heapChurnMiB, "heap-churn", 8, "MiB/s of short-lived garbage the heap mode allocates beside what it keeps")
	flag.IntVar(&c.maxHeapMiB, "max-heap", 512, "cap on MiB the heap mode keeps in all")
	flag.IntVar(&c.gcGOGC, "gc-gogc", 5, "GOGC set by the gc mode")
	flag.IntVar(&c.gcLiveMiB, "gc-live", 16, "MiB of pointer-rich live data the gc mode keeps, so each cycle has marking to do")

	flag.IntVar(&c.poolMin, "pool-min", 10, "healthy mode: workers the pool keeps when idle")
	flag.IntVar(&c.poolMax, "pool-max", 200, "healthy mode: workers the pool may grow to")
	flag.IntVar(&c.loadClients, "load-clients", 8, "healthy mode: concurrent clients of the load loop")
	flag.Parse()

	if flag.NArg() > 0 {
		log.Fatalf("unexpected argument %q", flag.Arg(0))
	}
	if c.maxLifetime <= 0 {
		log.Fatal("-max-lifetime must be positive")
	}
	if c.leak != "" && kinds[c.leak] == nil {
		log.Fatalf("-leak %q: want one of %s", c.leak, strings.Join(kindNames(), ", "))
	}
	if c.leakN < -1 || c.leakEvery < 0 || c.leakFor < 0 || c.maxLeaked < 0 {
		log.Fatal("-leak-every, -leak-for and -max-leaked take values >= 0, -leak-n >= -1")
	}
	if c.mutexFraction < 0 || c.blockRate < 0 || c.tickerPeriod <= 0 || c.heapChurnMiB < 0 ||
		c.maxHeapMiB < 0 || c.gcLiveMiB < 0 || c.heapGOGC <= 0 || c.gcGOGC <= 0 {
		log.Fatal("-mutex-fraction, -block-rate, -heap-churn, -max-heap, -gc-live take values >= 0; -ticker-period, -heap-gogc, -gc-gogc > 0")
	}
	if c.poolMin < 0 || c.poolMax < 1 || c.poolMin > c.poolMax || c.loadClients < 1 {
		log.Fatal("want 0 <= -pool-min <= -pool-max, -pool-max >= 1 and -load-clients >= 1")
	}
	return c
}

var cfg config

func main() {
	log.SetFlags(0)
	log.SetPrefix("leaky: ")
	cfg = parseFlags()

	// Armed first, so that no failure below can leave the process running.
	time.AfterFunc(cfg.maxLifetime, func() {
		log.Printf("-max-lifetime %v reached, exiting", cfg.maxLifetime)
		os.Exit(0)
	})
	runtime.SetMutexProfileFraction(cfg.mutexFraction)
	runtime.SetBlockProfileRate(cfg.blockRate)

	ln, err := listenLoopback(cfg.addr)
	if err != nil {
		log.Fatalf("-addr: %v", err)
	}
	dln, err := listenLoopback(cfg.debugAddr)
	if err != nil {
		log.Fatalf("-debug-addr: %v", err)
	}
	serviceURL = "http://" + ln.Addr().String()
	go serve(ln, serviceMux())
	go serve(dln, debugMux())

	if cfg.leak != "" {
		if _, err := start(cfg.leak, cfg.leakN, cfg.leakEvery, cfg.leakFor); err != nil {
			log.Fatalf("-leak %s: %v", cfg.leak, err)
		}
	}

	addrs := fmt.Sprintf("service=%s debug=%s", ln.Addr(), dln.Addr())
	log.Printf("pid=%d gomaxprocs=%d %s go=%s leak=%s", os.Getpid(), runtime.GOMAXPROCS(0), addrs,
		runtime.Version(), orNone(cfg.leak))
	if cfg.readyFile != "" {
		if err := writeReady(cfg.readyFile, ln.Addr(), dln.Addr()); err != nil {
			log.Fatalf("-ready-file: %v", err)
		}
	}
	select {}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// listenLoopback refuses anything but a loopback IP literal (or
// "localhost"): the target carries pprof and leak switches, and none of its
// traffic may leave the machine.
func listenLoopback(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host == "localhost" {
		addr = net.JoinHostPort("127.0.0.1", port)
	} else if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%q is not a loopback address (127.0.0.0/8 or ::1)", addr)
	}
	return net.Listen("tcp", addr)
}

func serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.Serve(ln); err != nil {
		log.Fatalf("serve %s: %v", ln.Addr(), err)
	}
}

// writeReady writes "PID\nservice=ADDR\ndebug=ADDR\n" in one write. The pid
// comes first, alone on its line, so a script that reads one line gets the
// pid (tests/integration/lib.sh does). A FIFO is written in place and kept
// open for the life of the process; a regular file is replaced by rename,
// so a reader never sees it half written.
func writeReady(path string, service, debug net.Addr) error {
	text := []byte(fmt.Sprintf("%d\nservice=%s\ndebug=%s\n", os.Getpid(), service, debug))
	if st, err := os.Stat(path); err == nil && st.Mode()&fs.ModeNamedPipe != 0 {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		keep(f)
		_, err = f.Write(text)
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, text, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
