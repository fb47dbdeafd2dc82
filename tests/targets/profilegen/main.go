// profilegen makes the runtime profiles preflight parses, from a real Go
// runtime: mutex contention on a hot and a cold lock, goroutines blocked on
// a channel, retained and churned heap. It either captures the text
// profiles and /debug/vars into a directory (-capture) or serves them on
// loopback (-serve) for the integration tests. -answer html|404 turns the
// listener into one that answers every request with an HTML page or a 404,
// which preflight must refuse with a one-line error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

type config struct {
	capture     string
	captureFor  time.Duration
	serve       string
	readyFile   string
	answer      string
	disabled    bool
	maxLifetime time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.capture, "capture", "", "write mutex.txt, block.txt, heap.txt and vars.json into this directory and exit")
	flag.DurationVar(&c.captureFor, "capture-after", time.Second, "let the workload run this long before capturing")
	flag.StringVar(&c.serve, "serve", "", "serve /debug/pprof/ and /debug/vars on this address (127.0.0.1:0 picks a port)")
	flag.StringVar(&c.readyFile, "ready-file", "", "write \"addr=HOST:PORT\" here once serving and, with -answer pprof, once the hot lock has been contended (a FIFO is written in place)")
	flag.StringVar(&c.answer, "answer", "pprof", "what the listener answers: pprof, html (a login page) or 404")
	flag.BoolVar(&c.disabled, "disabled", false, "leave mutex and block profiling off and set MemProfileRate to 0")
	flag.DurationVar(&c.maxLifetime, "max-lifetime", 5*time.Minute, "hard cap on the process lifetime")
	flag.Parse()
	if (c.capture == "") == (c.serve == "") {
		log.Fatal("give exactly one of -capture DIR and -serve ADDR")
	}
	if c.maxLifetime <= 0 {
		log.Fatal("-max-lifetime must be positive")
	}
	time.AfterFunc(c.maxLifetime, func() {
		log.Printf("-max-lifetime %v reached, exiting", c.maxLifetime)
		os.Exit(0)
	})

	if c.disabled {
		runtime.MemProfileRate = 0
	} else {
		// Every event sampled: the profiles then hold the workload's
		// call sites after a second, whatever the machine's speed.
		runtime.SetMutexProfileFraction(1)
		runtime.SetBlockProfileRate(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if c.answer == "pprof" {
		startWorkload(ctx)
	}

	ln, err := net.Listen("tcp", addrOr(c.serve, "127.0.0.1:0"))
	if err != nil {
		log.Fatal(err)
	}
	handler, err := handlerFor(c.answer)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()

	if c.capture != "" {
		select {
		case <-time.After(c.captureFor):
		case <-ctx.Done():
			os.Exit(1)
		}
		if err := capture(ln.Addr().String(), c.capture); err != nil {
			log.Fatal(err)
		}
		return
	}
	if c.answer == "pprof" {
		select {
		case <-warm:
		case <-ctx.Done():
			return
		}
	}
	log.Printf("serving answer=%s addr=%s pid=%d", c.answer, ln.Addr(), os.Getpid())
	if c.readyFile != "" {
		if err := writeReady(c.readyFile, ln.Addr().String()); err != nil {
			log.Fatalf("-ready-file: %v", err)
		}
	}
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
}

func addrOr(a, def string) string {
	if a == "" {
		return def
	}
	return a
}

func handlerFor(answer string) (http.Handler, error) {
	switch answer {
	case "pprof":
		return debugMux(), nil
	case "html":
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>user <input name=u></form></body></html>\n")
		}), nil
	case "404":
		return http.NotFoundHandler(), nil
	}
	return nil, fmt.Errorf("-answer takes pprof, html or 404, not %q", answer)
}

// capture fetches the profiles over HTTP from our own listener, so the
// files hold exactly what net/http/pprof and expvar serve.
func capture(addr, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []struct{ name, path string }{
		{"mutex.txt", "/debug/pprof/mutex?debug=1"},
		{"block.txt", "/debug/pprof/block?debug=1"},
		{"heap.txt", "/debug/pprof/heap?debug=1"},
		{"vars.json", "/debug/vars"},
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, f := range files {
		resp, err := client.Get("http://" + addr + f.path)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: HTTP %d", f.path, resp.StatusCode)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), body, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeReady writes the address to path; a FIFO is opened for writing in
// place (the reader is already waiting on it).
func writeReady(path, addr string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, "addr="+strings.TrimSpace(addr)+"\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
