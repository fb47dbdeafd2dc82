/* pprof and expvar: reachable for diagnosis, but never beyond loopback.
 * Over TLS as over plain HTTP: TLS encrypts, it does not choose who may
 * read, and the probe sees a TLS listener's pages without trusting its
 * certificate (collect/endpoints.c). */
#include <stdio.h>

#include "base/buf.h"
#include "check/checks.h"

CHECK_FN(check_sec_pprof_exposure)
{
	const struct process_facts *pr = &f->proc;
	struct buf exposed = BUF_INIT(4096);
	json_t *arr = json_array();
	bool any_pprof = false, any_vars = false, any_tls = false;

	/* Without HTTP, "no pprof found" would be a guess. */
	if (pr->http_err) {
		json_decref(arr);
		buf_release(&exposed);
		result_set(r, STATUS_ERROR, "cannot probe the listeners of pid %d: %s", (int)pr->pid, pr->http_errmsg);
		return;
	}
	/* Without the listeners, "no pprof found" would be a guess too. */
	if (fact_err_failed(&pr->sockets_err)) {
		json_decref(arr);
		buf_release(&exposed);
		result_set(r, STATUS_ERROR, "listeners unknown, so pprof exposure cannot be probed: %s",
			   pr->sockets_err.msg);
		return;
	}
	for (size_t i = 0; i < pr->n_endpoints; i++) {
		const struct endpoint_facts *e = &pr->endpoints[i];
		json_t *o = json_object();

		json_object_set_new(o, "addr", json_string(e->addr));
		json_object_set_new(o, "loopback_only", json_boolean(e->loopback_only));
		json_object_set_new(o, "http", json_boolean(e->http));
		json_object_set_new(o, "pprof", json_boolean(e->pprof));
		json_object_set_new(o, "expvar", json_boolean(e->expvar));
		json_object_set_new(o, "metrics", json_boolean(e->metrics));
		if (e->probe_err.msg[0])
			json_object_set_new(o, "probe_error", json_string(e->probe_err.msg));
		json_object_set_new(o, "tls", json_boolean(e->tls));
		if (e->tls) {
			json_object_set_new(o, "tls_verified", json_boolean(e->tls_verified));
			if (e->tls_err.msg[0])
				json_object_set_new(o, "tls_error", json_string(e->tls_err.msg));
		}
		json_array_append_new(arr, o);
		any_pprof |= e->pprof;
		any_vars |= e->expvar;
		if (!e->loopback_only && (e->pprof || e->expvar)) {
			buf_printf(&exposed, "%s%s serves %s%s%s%s", exposed.len ? "; " : "", e->addr,
				   e->pprof ? "/debug/pprof/" : "", e->pprof && e->expvar ? " and " : "",
				   e->expvar ? "/debug/vars" : "", e->tls ? " (over TLS)" : "");
			any_tls |= e->tls;
		}
	}
	ev_json(r, "endpoints", arr);
	ev_bool(r, "pprof", any_pprof);
	ev_bool(r, "expvar", any_vars);
	if (exposed.len) {
		result_set(r, STATUS_FAIL, "%s beyond loopback", buf_str(&exposed));
		result_remedy(r, "anyone who reaches these ports can read heap contents, goroutine stacks and "
				 "(expvar) the command line with its secrets, and can start CPU profiles: serve "
				 "net/http/pprof and expvar on a separate http.Server bound to 127.0.0.1 (or behind "
				 "authentication), never on the public mux%s",
			      any_tls ? "; TLS does not help: it encrypts the pages for whoever asks (a server that "
					"requires client certificates would have refused this probe)"
				      : "");
	} else if (skip_not_go(f, r)) {
		/* Nothing exposed, and a program that is not Go has no pprof to
		 * miss: no Go advice for it (an exposed page fails above whatever
		 * the binary is, since a packed Go binary reads as "not Go"). */
	} else if (!pr->n_endpoints) {
		result_set(r, STATUS_WARN, "pid %d has no TCP listeners to probe; no pprof found", (int)pr->pid);
		result_remedy(r, "turn on the service's own debug listener if it has one (a flag or setting such "
				 "as etcd's --enable-pprof, or a debug/admin listen address), bound to 127.0.0.1; "
				 "otherwise, in the code, import net/http/pprof on a loopback-only listener so the "
				 "service can be diagnosed in production");
	} else if (!any_pprof) {
		result_set(r, STATUS_WARN, "no listener of pid %d serves /debug/pprof/: no way to diagnose it "
					   "in production", (int)pr->pid);
		result_remedy(r, "turn on the service's own pprof if it has a switch for it (a flag or setting "
				 "such as etcd's --enable-pprof; over TLS pass --cacert or --insecure), on a loopback "
				 "listener; otherwise, in the code, import _ \"net/http/pprof\" and serve "
				 "http.DefaultServeMux on 127.0.0.1:6060 (a separate listener from the service's)");
	} else {
		result_set(r, STATUS_PASS, "pprof%s served on loopback only", any_vars ? " and expvar" : "");
	}
	buf_release(&exposed);
}
