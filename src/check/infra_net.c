/* TCP state census and what it says about connection handling. */
#include <stdio.h>

#include "check/checks.h"

static json_t *census_json(const uint64_t states[TCP_STATE_MAX])
{
	json_t *o = json_object();

	for (int s = 1; s < TCP_STATE_MAX; s++) {
		const char *key = tcp_state_key(s);

		if (key)
			json_object_set_new(o, key, json_integer((json_int_t)states[s]));
	}
	return o;
}

CHECK_FN(check_net_tcp_states)
{
	const struct tcp_facts *t = &f->tcp;
	json_t *host;
	const char *k;
	json_t *v;

	if (t->err.code) {
		result_set(r, STATUS_ERROR, "could not take the TCP census: %s", t->err.msg);
		return;
	}
	host = census_json(t->states);
	json_object_foreach(host, k, v)
		ev_json(r, k, json_incref(v));
	json_decref(host);
	if (f->proc.present && !f->proc.exited.code && fact_err_failed(&f->proc.sockets_err)) {
		/* The host's census was read; the pid's share of it was not:
		 * unknown, never zeros. */
		ev_json(r, "target", json_null());
		ev_str(r, "target_error", f->proc.sockets_err.msg);
		result_set(r, STATUS_PASS, "host: %llu established, %llu time_wait, %llu close_wait, %llu listen; "
					   "pid %d: unknown (%s)",
			   (unsigned long long)t->states[TCPS_ESTABLISHED], (unsigned long long)t->states[TCPS_TIME_WAIT],
			   (unsigned long long)t->states[TCPS_CLOSE_WAIT], (unsigned long long)t->states[TCPS_LISTEN],
			   (int)f->proc.pid, f->proc.sockets_err.msg);
		return;
	}
	if (f->proc.present && !f->proc.exited.code)
		ev_json(r, "target", census_json(f->proc.tcp_states));
	if (f->proc.present && !f->proc.exited.code)
		result_set(r, STATUS_PASS,
			   "host: %llu established, %llu time_wait, %llu close_wait, %llu listen; "
			   "pid %d: %llu established, %llu close_wait, %llu listen",
			   (unsigned long long)t->states[TCPS_ESTABLISHED], (unsigned long long)t->states[TCPS_TIME_WAIT],
			   (unsigned long long)t->states[TCPS_CLOSE_WAIT], (unsigned long long)t->states[TCPS_LISTEN],
			   (int)f->proc.pid, (unsigned long long)f->proc.tcp_states[TCPS_ESTABLISHED],
			   (unsigned long long)f->proc.tcp_states[TCPS_CLOSE_WAIT],
			   (unsigned long long)f->proc.tcp_states[TCPS_LISTEN]);
	else
		result_set(r, STATUS_PASS, "host: %llu established, %llu time_wait, %llu close_wait, %llu listen",
			   (unsigned long long)t->states[TCPS_ESTABLISHED], (unsigned long long)t->states[TCPS_TIME_WAIT],
			   (unsigned long long)t->states[TCPS_CLOSE_WAIT], (unsigned long long)t->states[TCPS_LISTEN]);
}

/* The remedy for TIME_WAIT the service makes: the knobs an operator can
 * turn without a rebuild first, then the code change. */
static void timewait_remedy(struct check_result *r, uint64_t inbound, uint64_t outbound, bool service)
{
	if (service && inbound > outbound)
		result_remedy(r, "the service closes accepted connections first, so the TIME_WAIT lands on its "
				 "side: let clients reuse connections (keep-alive on in the clients and any proxy in "
				 "front, e.g. nginx 'keepalive' in the upstream block with proxy_http_version 1.1), "
				 "and do not make the service close idle ones early (its idle-timeout flag or "
				 "setting, if it has one). In Go code: keep http.Server.IdleTimeout well above the "
				 "clients' reuse interval and never call SetKeepAlivesEnabled(false) or answer with "
				 "'Connection: close'");
	else if (service)
		result_remedy(r, "the service opens and closes outbound connections per request: first, its "
				 "own connection-pool setting if it has one (idle connections per host), and "
				 "net.ipv4.tcp_tw_reuse=1 (sysctl; outbound only, needs TCP timestamps) so new "
				 "connections may reuse these sockets; then in Go code raise "
				 "http.Transport.MaxIdleConnsPerHost from its default of 2 and always drain and "
				 "close response bodies so connections go back to the pool");
	else
		result_remedy(r, "TIME_WAIT piles up where connections are opened and closed per request: reuse "
				 "them (HTTP keep-alive; in Go raise http.Transport.MaxIdleConnsPerHost from its "
				 "default of 2 and always drain and close response bodies), let the client side "
				 "close first, and for outbound connections to many peers consider "
				 "net.ipv4.tcp_tw_reuse=1. Give --pid to see which share is the service's");
}

/* TIME_WAIT sockets have no owner in /proc: the census attributes what
 * their addresses tell (collect/tw_owner.h). With a target, the service
 * is judged by its own share against its own ESTABLISHED connections;
 * without one, the host is judged as a whole. tcp_max_tw_buckets is a
 * host-wide limit and stays judged host-wide. */
CHECK_FN(check_net_timewait_ratio)
{
	const struct tcp_facts *t = &f->tcp;
	const struct tw_split *sp = &t->tw_split;
	double warn = param_num(p, "warn"), bfail = param_num(p, "buckets_fail"), min_tw = param_num(p, "min_time_wait");
	uint64_t tw = t->states[TCPS_TIME_WAIT], est = t->states[TCPS_ESTABLISHED];
	const struct opt_i64 *buckets = &f->sysctl.tcp_max_tw_buckets;
	bool target = f->proc.present && !f->proc.exited.code;
	uint64_t svc_tw = sp->service_inbound + sp->service_outbound;
	uint64_t judged_tw = tw, judged_est = est;
	const char *who = "host-wide";
	char split[256] = "";
	double ratio;

	if (t->err.code) {
		result_set(r, STATUS_ERROR, "could not take the TCP census: %s", t->err.msg);
		return;
	}
	ev_int(r, "time_wait", (long long)tw);
	ev_int(r, "established", (long long)est);
	if (est)
		ev_real(r, "ratio", (double)tw / (double)est);
	else
		ev_json(r, "ratio", json_null());
	if (buckets->set)
		ev_int(r, "tcp_max_tw_buckets", buckets->v);
	if (target && sp->set) {
		json_t *o = json_object();
		int n = snprintf(split, sizeof(split), "host's %llu TIME_WAIT by owner: ", (unsigned long long)tw);

		snprintf(split + n, sizeof(split) - (size_t)n,
			 "service: %llu, clients of the service on this host: %llu, other processes: %llu, "
			 "unattributed: %llu",
			 (unsigned long long)svc_tw, (unsigned long long)sp->clients_of_service,
			 (unsigned long long)sp->other_servers, (unsigned long long)sp->unattributed);
		ev_str(r, "time_wait_split", split + n);
		json_object_set_new(o, "service_inbound", json_integer((json_int_t)sp->service_inbound));
		json_object_set_new(o, "service_outbound", json_integer((json_int_t)sp->service_outbound));
		json_object_set_new(o, "clients_of_service", json_integer((json_int_t)sp->clients_of_service));
		json_object_set_new(o, "other_servers", json_integer((json_int_t)sp->other_servers));
		json_object_set_new(o, "unattributed", json_integer((json_int_t)sp->unattributed));
		ev_json(r, "time_wait_owners", o);
		judged_tw = svc_tw;
		judged_est = f->proc.tcp_states[TCPS_ESTABLISHED];
		who = "service";
		ev_int(r, "service_time_wait", (long long)judged_tw);
		ev_int(r, "service_established", (long long)judged_est);
		if (judged_est)
			ev_real(r, "service_ratio", (double)judged_tw / (double)judged_est);
		else
			ev_json(r, "service_ratio", json_null());
	}
	if (buckets->set && buckets->v > 0 && (double)tw > bfail * (double)buckets->v) {
		result_set(r, STATUS_FAIL,
			   "host-wide: %llu TIME_WAIT sockets are %.0f%% of tcp_max_tw_buckets=%lld (fail above %.0f%%): "
			   "at the limit, closing sockets skip TIME_WAIT (TcpExtTCPTimeWaitOverflow)%s%s",
			   (unsigned long long)tw, 100.0 * (double)tw / (double)buckets->v, (long long)buckets->v,
			   bfail * 100, split[0] ? "; " : "", split);
		if (target && sp->set && svc_tw * 2 > tw)
			timewait_remedy(r, sp->service_inbound, sp->service_outbound, true);
		else
			result_remedy(r, "the limit is host-wide: raise net.ipv4.tcp_max_tw_buckets, and find who "
					 "closes connections first (%s) — TIME_WAIT lands on the side that closes "
					 "first; reuse connections there (keep-alive, connection pools), and for "
					 "outbound connections consider net.ipv4.tcp_tw_reuse=1",
				      split[0] ? split : "give --pid to split it by owner");
		return;
	}
	if (target && !sp->set) {
		/* The host's census was read, the pid's share of it was not. */
		result_set(r, STATUS_ERROR, "TIME_WAIT of pid %d unknown: %s", (int)f->proc.pid,
			   fact_err_failed(&f->proc.sockets_err) ? f->proc.sockets_err.msg
								 : "its sockets could not be told apart from the host's");
		return;
	}
	ev_str(r, "judged", target ? "service" : "host");
	ratio = judged_est ? (double)judged_tw / (double)judged_est : 0;
	if ((double)judged_tw < min_tw)
		result_set(r, STATUS_PASS, "%s: %llu TIME_WAIT, %llu ESTABLISHED (fewer TIME_WAIT than "
					   "min_time_wait %.0f: no pressure)%s%s",
			   who, (unsigned long long)judged_tw, (unsigned long long)judged_est, min_tw,
			   split[0] ? "; " : "", split);
	else if (!judged_est)
		result_set(r, STATUS_WARN, "%s: %llu TIME_WAIT and no ESTABLISHED connections%s%s", who,
			   (unsigned long long)judged_tw, split[0] ? "; " : "", split);
	else if (ratio > warn)
		result_set(r, STATUS_WARN, "%s: TIME_WAIT/ESTABLISHED = %.2f (%llu/%llu; warn above %.2f)%s%s", who,
			   ratio, (unsigned long long)judged_tw, (unsigned long long)judged_est, warn,
			   split[0] ? "; " : "", split);
	else
		result_set(r, STATUS_PASS, "%s: TIME_WAIT/ESTABLISHED = %.2f (%llu/%llu)%s%s", who, ratio,
			   (unsigned long long)judged_tw, (unsigned long long)judged_est,
			   split[0] ? "; " : "", split);
	if (r->status != STATUS_PASS)
		timewait_remedy(r, sp->service_inbound, sp->service_outbound, target);
}

CHECK_FN(check_net_close_wait)
{
	double warn = param_num(p, "warn"), fail = param_num(p, "fail");
	uint64_t cw = f->proc.tcp_states[TCPS_CLOSE_WAIT];

	if (f->tcp.err.code) {
		result_set(r, STATUS_ERROR, "could not take the TCP census: %s", f->tcp.err.msg);
		return;
	}
	if (f->proc.fd_err.code) {
		result_set(r, STATUS_ERROR, "could not list the sockets of pid %d: %s", (int)f->proc.pid,
			   f->proc.fd_err.msg);
		return;
	}
	ev_int(r, "close_wait", (long long)cw);
	ev_int(r, "host_close_wait", (long long)f->tcp.states[TCPS_CLOSE_WAIT]);
	if ((double)cw > fail)
		result_set(r, STATUS_FAIL, "pid %d holds %llu CLOSE_WAIT sockets (fail above %.0f)",
			   (int)f->proc.pid, (unsigned long long)cw, fail);
	else if ((double)cw > warn)
		result_set(r, STATUS_WARN, "pid %d holds %llu CLOSE_WAIT socket%s (warn above %.0f)",
			   (int)f->proc.pid, (unsigned long long)cw, cw == 1 ? "" : "s", warn);
	else
		result_set(r, STATUS_PASS, "pid %d holds %llu CLOSE_WAIT sockets", (int)f->proc.pid,
			   (unsigned long long)cw);
	if (r->status != STATUS_PASS)
		result_remedy(r, "the peer closed these connections and the service never did: each one "
				 "leaks an fd until the process dies. In Go, close what you open: "
				 "resp.Body.Close() on every response, conn.Close() when Read returns io.EOF, "
				 "and set read deadlines so idle peers are noticed");
}

CHECK_FN(check_net_ephemeral_ports)
{
	const struct sysctl_facts *s = &f->sysctl;
	double warn = param_num(p, "warn"), fail = param_num(p, "fail"), ratio;
	long long width;

	if (f->tcp.err.code) {
		result_set(r, STATUS_ERROR, "could not take the TCP census: %s", f->tcp.err.msg);
		return;
	}
	if (!s->port_lo.set || !s->port_hi.set || s->port_hi.v < s->port_lo.v) {
		result_set(r, STATUS_SKIP, "net.ipv4.ip_local_port_range unreadable");
		return;
	}
	width = s->port_hi.v - s->port_lo.v + 1;
	ratio = (double)f->tcp.busiest_count / (double)width;
	ev_str(r, "busiest_destination", f->tcp.busiest_dst[0] ? f->tcp.busiest_dst : NULL);
	ev_int(r, "connections", (long long)f->tcp.busiest_count);
	ev_int(r, "range_width", width);
	ev_real(r, "ratio", ratio);
	if (!f->tcp.busiest_count) {
		result_set(r, STATUS_PASS, "no outbound connections from ephemeral ports; range %lld-%lld (%lld ports)",
			   (long long)s->port_lo.v, (long long)s->port_hi.v, width);
		return;
	}
	if (ratio > fail)
		result_set(r, STATUS_FAIL, "%llu connections to %s use %.0f%% of the %lld ephemeral ports (fail above %.0f%%)",
			   (unsigned long long)f->tcp.busiest_count, f->tcp.busiest_dst, ratio * 100, width, fail * 100);
	else if (ratio > warn)
		result_set(r, STATUS_WARN, "%llu connections to %s use %.0f%% of the %lld ephemeral ports (warn above %.0f%%)",
			   (unsigned long long)f->tcp.busiest_count, f->tcp.busiest_dst, ratio * 100, width, warn * 100);
	else
		result_set(r, STATUS_PASS, "busiest destination %s holds %llu of %lld ephemeral ports (%.1f%%)",
			   f->tcp.busiest_dst, (unsigned long long)f->tcp.busiest_count, width, ratio * 100);
	if (r->status != STATUS_PASS)
		result_remedy(r, "one local address can hold at most one connection per ephemeral port to a "
				 "given destination: pool and reuse connections, widen "
				 "net.ipv4.ip_local_port_range, or spread over more destination addresses");
}
