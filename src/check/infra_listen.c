/* Listen backlog, accept queue and listen overflows of the target. */
#include <stdio.h>

#include "check/checks.h"

/* The kernel's backlog is min(listen() argument, somaxconn) as they were
 * at listen() time; Go passes somaxconn, read once at its first listen. */
static const char *backlog_why(const struct opt_i64 *somax, uint32_t backlog)
{
	if (!somax->set)
		return "";
	if (backlog == (uint32_t)somax->v)
		return ", capped by net.core.somaxconn";
	if (backlog < (uint32_t)somax->v)
		return ", below net.core.somaxconn: the service passed a smaller listen() backlog, or somaxconn "
		       "was raised after it started listening";
	return ", above today's net.core.somaxconn: it was higher when the service started listening";
}

/* What a small backlog means for the SYN queue, whose limit is the same
 * backlog (infra_sysctl.c has the kernel's rules). */
static const char *syn_queue_note(int cookies)
{
	if (cookies > 0)
		return "; with tcp_syncookies on, a full SYN queue answers with cookies, but a full accept "
		       "queue still drops";
	if (cookies == 0)
		return "; tcp_syncookies=0: a full SYN queue drops connection attempts too";
	return "";
}

CHECK_FN(check_net_listen_queue)
{
	const struct process_facts *pr = &f->proc;
	double min_backlog = param_num(p, "min_backlog"), qwarn = param_num(p, "queue_warn");
	const struct opt_i64 *somax = &f->sysctl.somaxconn;
	json_t *arr = json_array();
	enum pf_status worst = STATUS_PASS;
	char worst_msg[512] = "";
	uint64_t overflows = 0, drops = 0;
	bool sampled = f->window_s > 0 && f->netstat_before.set && f->netstat_after.set;
	int cookies = f->sysctl.tcp_syncookies.set ? (f->sysctl.tcp_syncookies.v != 0) : -1;

	/* No listeners seen is not "no listeners" when the census could not
	 * tell the target's sockets from the host's. */
	if (fact_err_failed(&pr->sockets_err)) {
		json_decref(arr);
		result_set(r, STATUS_ERROR, "listeners unknown: %s", pr->sockets_err.msg);
		return;
	}
	for (size_t i = 0; i < pr->n_listeners; i++) {
		const struct listener_facts *l = &pr->listeners[i];
		uint32_t backlog = l->sock.wqueue, queue = l->sock.rqueue;
		json_t *o = json_object();

		json_object_set_new(o, "addr", json_string(l->addr));
		json_object_set_new(o, "backlog", json_integer(backlog));
		json_object_set_new(o, "queue", json_integer(queue));
		json_array_append_new(arr, o);
		/* The kernel calls the queue full only when it exceeds the backlog. */
		if (queue > backlog) {
			worst = STATUS_FAIL;
			snprintf(worst_msg, sizeof(worst_msg), "%s accept queue is full (%u > backlog %u)",
				 l->addr, queue, backlog);
		} else if (backlog && (double)queue >= qwarn * backlog && worst < STATUS_WARN) {
			worst = STATUS_WARN;
			snprintf(worst_msg, sizeof(worst_msg), "%s accept queue at %u of backlog %u", l->addr,
				 queue, backlog);
		} else if ((double)backlog < min_backlog && worst < STATUS_WARN) {
			worst = STATUS_WARN;
			snprintf(worst_msg, sizeof(worst_msg), "%s listens with backlog %u (warn below %.0f)%s%s",
				 l->addr, backlog, min_backlog, backlog_why(somax, backlog), syn_queue_note(cookies));
		}
	}
	ev_json(r, "listeners", arr);
	if (somax->set)
		ev_int(r, "somaxconn", somax->v);
	if (f->sysctl.tcp_syncookies.set)
		ev_int(r, "tcp_syncookies", f->sysctl.tcp_syncookies.v);
	if (sampled) {
		overflows = f->netstat_after.listen_overflows - f->netstat_before.listen_overflows;
		drops = f->netstat_after.listen_drops - f->netstat_before.listen_drops;
		ev_int(r, "listen_overflows_delta", (long long)overflows);
		ev_int(r, "listen_drops_delta", (long long)drops);
		ev_real(r, "window_s", f->window_s);
	}
	if (sampled && (overflows || drops)) {
		result_set(r, STATUS_FAIL,
			   "the host dropped %llu connection attempts at full listen queues in %.1f s "
			   "(ListenOverflows +%llu, ListenDrops +%llu)%s%s",
			   (unsigned long long)drops, f->window_s, (unsigned long long)overflows,
			   (unsigned long long)drops, worst_msg[0] ? "; " : "", worst_msg);
	} else if (!pr->n_listeners) {
		result_set(r, STATUS_PASS, "pid %d has no TCP listeners", (int)pr->pid);
		return;
	} else if (worst != STATUS_PASS) {
		result_set(r, worst, "%s", worst_msg);
	} else {
		result_set(r, STATUS_PASS, "%zu listener%s, accept queues below %.0f%% of backlog%s",
			   pr->n_listeners, pr->n_listeners == 1 ? "" : "s", qwarn * 100,
			   sampled ? ", no listen overflows in the window" : "");
	}
	if (r->status != STATUS_PASS)
		result_remedy(r,
			      "the backlog is min(listen() argument, net.core.somaxconn) at the time of listen(): "
			      "raise net.core.somaxconn (sysctl) and restart the service — Go passes somaxconn "
			      "itself but reads it once, at its first listen; a service that passes its own "
			      "backlog may have a flag for it. Keep net.ipv4.tcp_syncookies=1 (the default), or "
			      "with 0 raise net.ipv4.tcp_max_syn_backlog. A filling accept queue means the "
			      "service does not accept fast enough (look for a blocked accept loop or CPU "
			      "starvation). Overflows are host-wide counters: 'nstat -az TcpExtListenOverflows' "
			      "and 'ss -ltn' show which listener");
}
