package main

import (
	"fmt"
	"net/http"
	"runtime"
)

// serveMetrics writes the two Go runtime gauges preflight reads, in the
// Prometheus text format (0.0.4) and with client_golang's names, so the
// service itself reports its effective GOMAXPROCS.
func serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintf(w, "# HELP go_goroutines Number of goroutines that currently exist.\n")
	fmt.Fprintf(w, "# TYPE go_goroutines gauge\n")
	fmt.Fprintf(w, "go_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# HELP go_sched_gomaxprocs_threads The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously.\n")
	fmt.Fprintf(w, "# TYPE go_sched_gomaxprocs_threads gauge\n")
	fmt.Fprintf(w, "go_sched_gomaxprocs_threads %d\n", runtime.GOMAXPROCS(0))
	writeHistogram(w)
}
