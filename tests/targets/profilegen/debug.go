package main

import (
	"expvar"
	"net/http"
	"net/http/pprof"
)

// debugMux serves what a production Go service exposes for diagnosis, on a
// mux of its own.
func debugMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.Handle("/debug/vars", expvar.Handler())
	return mux
}
