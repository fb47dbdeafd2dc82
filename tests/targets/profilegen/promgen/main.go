// promgen writes what client_golang's Go collector serves on /metrics, from
// a runtime that has done some garbage collection: the default collector
// (-runtime-metrics=false) or the one with every runtime/metrics metric
// opted in. Used only to capture fixtures (see ../README.md); it needs the
// client_golang module, so the integration tests never build it.
package main

import (
	"flag"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var sink []byte

func main() {
	all := flag.Bool("runtime-metrics", false, "opt in every runtime/metrics metric")
	flag.Parse()
	for i := 0; i < 20000; i++ {
		sink = make([]byte, 32<<10)
	}
	runtime.GC()

	reg := prometheus.NewRegistry()
	if *all {
		reg.MustRegister(collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsAll)))
	} else {
		reg.MustRegister(collectors.NewGoCollector())
	}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		log.Fatalf("HTTP %d", rec.Code)
	}
	if _, err := io.Copy(os.Stdout, rec.Body); err != nil {
		log.Fatal(err)
	}
}
