/* Listen backlog, accept queue and listen overflows of the target. */
#include <stdio.h>

#include "check/checks.h"

CHECK_FN(check_net_listen_queue)
{
	const struct process_facts *pr = &f->proc;
	double min_backlog = param_num(p, "min_backlog"), qwarn = param_num(p, "queue_warn");
	const struct opt_i64 *somax = &f->sysctl.somaxconn;
	json_t *arr = json_array();
	enum pf_status worst = STATUS_PASS;
	char worst_msg[256] = "";
	uint64_t overflows = 0, drops = 0;
	bool sampled = f->window_s > 0 && f->netstat_before.set && f->netstat_after.set;

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
			snprintf(worst_msg, sizeof(worst_msg), "%s listens with backlog %u (warn below %.0f)%s",
				 l->addr, backlog, min_backlog,
				 somax->set && backlog == (uint32_t)somax->v ? ", capped by net.core.somaxconn" : "");
		}
	}
	ev_json(r, "listeners", arr);
	if (somax->set)
		ev_int(r, "somaxconn", somax->v);
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
			      "the backlog is min(listen() argument, net.core.somaxconn): raise somaxconn "
			      "(Go passes somaxconn itself) and tcp_max_syn_backlog; a filling accept queue "
			      "means the service does not accept fast enough (look for a blocked accept loop or "
			      "CPU starvation). Overflows are host-wide counters: 'nstat -az TcpExtListenOverflows' "
			      "and 'ss -ltn' show which listener");
}
