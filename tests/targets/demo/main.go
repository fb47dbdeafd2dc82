// demo is a small HTTP service whose launch risks are switched on by flags,
// so preflight has something real to find. Standard library only.
//
// Every listener is up (and every risk in place) before the pid is written
// to -ready-file, so scripts wait on that event instead of sleeping. The
// process never outlives -max-lifetime.
package main

import (
	"crypto/tls"
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
	addr, debugAddr, hangAddr, readyFile string
	debugCert, debugKey                  string
	metrics                              bool
	openFDs, closeWait, gomaxprocs       int
	exitAfter, maxLifetime               time.Duration
}

func parseFlags() config {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:8080", "service listener")
	flag.StringVar(&c.debugAddr, "debug-addr", "127.0.0.1:6060", "pprof and expvar listener (0.0.0.0:PORT exposes them; empty disables)")
	flag.StringVar(&c.debugCert, "debug-tls-cert", "", "serve the debug listener over TLS with this PEM certificate (needs -debug-tls-key)")
	flag.StringVar(&c.debugKey, "debug-tls-key", "", "the PEM private key of -debug-tls-cert")
	flag.BoolVar(&c.metrics, "metrics", false, "serve Prometheus text /metrics on the service listener")
	flag.IntVar(&c.openFDs, "open-fds", 0, "hold N extra file descriptors open (/dev/null)")
	flag.IntVar(&c.closeWait, "close-wait", 0, "hold N sockets in CLOSE_WAIT (the peer closed, the service did not)")
	flag.IntVar(&c.gomaxprocs, "gomaxprocs", 0, "call runtime.GOMAXPROCS(N) at start (0 = leave the runtime's default)")
	flag.StringVar(&c.hangAddr, "hang-addr", "", "a listener that accepts and never answers")
	flag.DurationVar(&c.exitAfter, "exit-after", 0, "exit after this long (0 = run until signalled or -max-lifetime)")
	flag.DurationVar(&c.maxLifetime, "max-lifetime", 10*time.Minute, "hard cap on the process lifetime")
	flag.StringVar(&c.readyFile, "ready-file", "", "write the pid here once every listener is up (a FIFO is written in place)")
	flag.Parse()
	if flag.NArg() > 0 {
		log.Fatalf("unexpected argument %q", flag.Arg(0))
	}
	if c.openFDs < 0 || c.closeWait < 0 || c.gomaxprocs < 0 {
		log.Fatal("-open-fds, -close-wait and -gomaxprocs take counts >= 0")
	}
	if (c.debugCert == "") != (c.debugKey == "") {
		log.Fatal("-debug-tls-cert and -debug-tls-key go together")
	}
	if c.maxLifetime <= 0 {
		log.Fatal("-max-lifetime must be positive")
	}
	return c
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("demo: ")
	c := parseFlags()

	// Armed first, so that no failure below can leave the process running.
	time.AfterFunc(c.maxLifetime, func() {
		log.Printf("-max-lifetime %v reached, exiting", c.maxLifetime)
		os.Exit(0)
	})
	if c.exitAfter > 0 {
		time.AfterFunc(c.exitAfter, func() { os.Exit(0) })
	}
	if c.gomaxprocs > 0 {
		runtime.GOMAXPROCS(c.gomaxprocs)
	}

	addrs := []string{}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		log.Fatalf("-addr: %v", err)
	}
	addrs = append(addrs, "service="+ln.Addr().String())
	go serve(ln, serviceMux(c.metrics))

	if c.debugAddr != "" {
		dln, err := net.Listen("tcp", c.debugAddr)
		if err != nil {
			log.Fatalf("-debug-addr: %v", err)
		}
		if c.debugCert != "" {
			cert, err := tls.LoadX509KeyPair(c.debugCert, c.debugKey)
			if err != nil {
				log.Fatalf("-debug-tls-cert: %v", err)
			}
			dln = tls.NewListener(dln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
			addrs = append(addrs, "debug-tls=yes")
		}
		addrs = append(addrs, "debug="+dln.Addr().String())
		go serve(dln, debugMux())
	}
	if c.hangAddr != "" {
		hln, err := listenHanging(c.hangAddr)
		if err != nil {
			log.Fatalf("-hang-addr: %v", err)
		}
		addrs = append(addrs, "hang="+hln.String())
	}
	if err := holdOpenFiles(c.openFDs); err != nil {
		log.Fatalf("-open-fds: %v", err)
	}
	if err := holdCloseWait(c.closeWait); err != nil {
		log.Fatalf("-close-wait: %v", err)
	}

	log.Printf("pid=%d gomaxprocs=%d %s", os.Getpid(), runtime.GOMAXPROCS(0), strings.Join(addrs, " "))
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

func serviceMux(metrics bool) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	if metrics {
		mux.HandleFunc("/metrics", serveMetrics)
		mux.HandleFunc("/observe", serveObserve)
		mux.HandleFunc("/metric-reads", serveMetricReads)
	}
	return mux
}

// writeReady writes "PID\n". A FIFO is written in place (the waiting
// script holds it open) and the fd is kept open for the life of the
// process: closing it after the reader has the line would change the fd
// count under a test that counts fds right after it. A regular file is
// replaced by rename, so a reader never sees it half written.
func writeReady(path string) error {
	line := []byte(fmt.Sprintf("%d\n", os.Getpid()))
	if st, err := os.Stat(path); err == nil && st.Mode()&fs.ModeNamedPipe != 0 {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		hold(f)
		_, err = f.Write(line)
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, line, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
