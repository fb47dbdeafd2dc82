package main

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"sync"
)

// A histogram, a counter and a gauge in the Prometheus text format, fed
// by the test through /observe, so a test knows exactly which
// observations fell between two reads of /metrics (the metric.* checks,
// and Prometheus's histogram_quantile on the same buckets).
var (
	histMu      sync.Mutex
	histBounds  = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}
	histCounts  = make([]uint64, 11) // per bucket, not cumulative; the last is +Inf
	histSum     float64
	reqTotal    = map[string]uint64{}
	queueDepth  float64
	metricReads uint64 // GETs of /metrics served, for a test to know a reader came
)

// /metric-reads: how many times /metrics was served (not counting this).
func serveMetricReads(w http.ResponseWriter, r *http.Request) {
	histMu.Lock()
	n := metricReads
	histMu.Unlock()
	fmt.Fprintln(w, n)
}

// /observe?v=0.003&n=100[&code=200][&queue=5]: n observations of v
// seconds, counted as n requests with that code.
func serveObserve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, err := strconv.ParseFloat(q.Get("v"), 64)
	if err != nil || math.IsNaN(v) || v < 0 {
		http.Error(w, "v: a number of seconds >= 0", http.StatusBadRequest)
		return
	}
	n, err := strconv.Atoi(q.Get("n"))
	if err != nil || n < 0 || n > 1e9 {
		http.Error(w, "n: a count", http.StatusBadRequest)
		return
	}
	code := q.Get("code")
	if code == "" {
		code = "200"
	}
	histMu.Lock()
	defer histMu.Unlock()
	i := sort.SearchFloat64s(histBounds, v) // first bound >= v: le is inclusive
	histCounts[i] += uint64(n)
	histSum += v * float64(n)
	reqTotal[code] += uint64(n)
	if s := q.Get("queue"); s != "" {
		if d, err := strconv.ParseFloat(s, 64); err == nil {
			queueDepth = d
		}
	}
	fmt.Fprintln(w, "ok")
}

func writeHistogram(w http.ResponseWriter) {
	histMu.Lock()
	defer histMu.Unlock()
	metricReads++
	fmt.Fprintf(w, "# HELP demo_request_duration_seconds Request latency.\n")
	fmt.Fprintf(w, "# TYPE demo_request_duration_seconds histogram\n")
	var cum uint64
	for i, b := range histBounds {
		cum += histCounts[i]
		fmt.Fprintf(w, "demo_request_duration_seconds_bucket{le=\"%s\"} %d\n", strconv.FormatFloat(b, 'g', -1, 64), cum)
	}
	cum += histCounts[len(histBounds)]
	fmt.Fprintf(w, "demo_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", cum)
	fmt.Fprintf(w, "demo_request_duration_seconds_sum %g\n", histSum)
	fmt.Fprintf(w, "demo_request_duration_seconds_count %d\n", cum)
	fmt.Fprintf(w, "# HELP demo_requests_total Requests served.\n")
	fmt.Fprintf(w, "# TYPE demo_requests_total counter\n")
	codes := make([]string, 0, len(reqTotal))
	for c := range reqTotal {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		fmt.Fprintf(w, "demo_requests_total{code=%q} %d\n", c, reqTotal[c])
	}
	fmt.Fprintf(w, "# HELP demo_queue_depth Requests waiting.\n")
	fmt.Fprintf(w, "# TYPE demo_queue_depth gauge\n")
	fmt.Fprintf(w, "demo_queue_depth %g\n", queueDepth)
}
