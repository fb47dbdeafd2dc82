package main

import (
	"expvar"
	"net/http"
	"net/http/pprof"
)

// debugMux serves what a production Go service usually exposes for
// diagnosis: /debug/pprof/ and /debug/vars. On a non-loopback address it is
// the sec.pprof-exposure risk (profiles, the command line, heap contents).
// Registered on a mux of its own so the service listener does not serve it.
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
