#include "collect/collect.h"
#include "collect/gobuild.h"
#include "collect/sockdiag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/array.h"
#include "base/fileio.h"
#include "collect/cgroup.h"
#include "collect/clock.h"
#include "collect/endpoints.h"
#include "collect/goruntime_collect.h"
#include "collect/netns.h"
#include "collect/netstat.h"
#include "collect/numa.h"
#include "collect/procfs.h"
#include "collect/psi.h"
#include "collect/sysctl.h"
#include "collect/tw_owner.h"

/* One outbound flow key: local address -> remote address:port. Ephemeral
 * ports are allocated per such key, so its socket count is what runs out. */
struct flow {
	uint8_t family;
	uint8_t src[16], dst[16];
	uint16_t dport;
};

struct census_ctx {
	struct facts *f;
	struct flow *flows;
	size_t n_flows, cap_flows;
	size_t cap_listeners;
	struct tw_census tw;              /* TIME_WAIT owners (collect/tw_owner.h), with a target only */
	int oom;
};

static bool inode_is_target(const struct process_facts *p, uint64_t ino)
{
	size_t lo = 0, hi = p->n_socket_inodes;

	if (!ino)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->socket_inodes[mid] == ino)
			return true;
		if (p->socket_inodes[mid] < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int add_listener(struct census_ctx *c, const struct sock_entry *s)
{
	struct process_facts *p = &c->f->proc;

	if (array_reserve(&p->listeners, &c->cap_listeners, p->n_listeners, sizeof(*p->listeners), 8) < 0)
		return -ENOMEM;
	p->listeners[p->n_listeners].sock = *s;
	sock_format_addr(s, 0, p->listeners[p->n_listeners].addr, sizeof(p->listeners[0].addr));
	p->n_listeners++;
	return 0;
}

static int add_flow(struct census_ctx *c, const struct sock_entry *s)
{
	struct flow *fl;

	if (array_reserve(&c->flows, &c->cap_flows, c->n_flows, sizeof(*c->flows), 1024) < 0)
		return -ENOMEM;
	fl = &c->flows[c->n_flows++];
	memset(fl, 0, sizeof(*fl));
	fl->family = s->family;
	memcpy(fl->src, s->src, 16);
	memcpy(fl->dst, s->dst, 16);
	fl->dport = s->dport;
	return 0;
}

static int visit(const struct sock_entry *s, void *arg)
{
	struct census_ctx *c = arg;
	struct facts *f = c->f;
	const struct sysctl_facts *sc = &f->sysctl;
	int state = s->state == TCPS_NEW_SYN_RECV ? TCPS_SYN_RECV : s->state;

	if (state <= 0 || state >= TCP_STATE_MAX)
		return 0;
	f->tcp.states[state]++;
	if (f->proc.present && inode_is_target(&f->proc, s->inode)) {
		f->proc.tcp_states[state]++;
		if (state == TCPS_LISTEN && add_listener(c, s) < 0)
			c->oom = 1;
		if (tw_census_note(&c->tw, s, true) < 0)
			c->oom = 1;
	} else if (f->proc.present && tw_census_note(&c->tw, s, false) < 0) {
		c->oom = 1;
	}
	if (state != TCPS_LISTEN && sc->port_lo.set && sc->port_hi.set && s->sport >= sc->port_lo.v &&
	    s->sport <= sc->port_hi.v && add_flow(c, s) < 0)
		c->oom = 1;
	return c->oom;
}

static int flow_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct flow));
}

static void busiest_flow(struct census_ctx *c)
{
	struct tcp_facts *t = &c->f->tcp;
	size_t best = 0, best_at = 0;

	if (!c->n_flows)
		return;
	qsort(c->flows, c->n_flows, sizeof(struct flow), flow_cmp);
	for (size_t i = 0; i < c->n_flows;) {
		size_t j = i + 1;

		while (j < c->n_flows && !flow_cmp(&c->flows[i], &c->flows[j]))
			j++;
		if (j - i > best) {
			best = j - i;
			best_at = i;
		}
		i = j;
	}
	{
		struct sock_entry s = { 0 };
		char src[64], dst[64];

		s.family = c->flows[best_at].family;
		memcpy(s.src, c->flows[best_at].src, 16);
		memcpy(s.dst, c->flows[best_at].dst, 16);
		s.dport = c->flows[best_at].dport;
		sock_format_addr(&s, 0, src, sizeof(src));
		sock_format_addr(&s, 1, dst, sizeof(dst));
		/* The local side prints with port 0; keep only its address. */
		if (strrchr(src, ':'))
			*strrchr(src, ':') = '\0';
		snprintf(t->busiest_dst, sizeof(t->busiest_dst), "%s -> %s", src, dst);
	}
	t->busiest_count = best;
}

/* The census of the namespace ns (the target's, or ours when NULL), and
 * with it the attribution of sockets to the target: its socket inodes
 * are only found in the dump of the namespace its sockets live in. */
static void tcp_collect(struct facts *f, const struct netns *ns)
{
	struct census_ctx c = { .f = f };
	struct sockdiag_source src = { .netns = ns };
	struct err e = { "" };
	int r;

	if (fact_err_failed(&f->netns.err)) {
		/* Another namespace we cannot enter: ours would be the wrong
		 * census, so there is none. */
		f->tcp.err = f->netns.err;
	} else if ((r = sockdiag_dump_from(&src, ~0u, visit, &c, &e)) < 0 || c.oom) {
		if (r < 0)
			fact_err_set(&f->tcp.err, r, &e);
		else
			fact_err_setf(&f->tcp.err, -ENOMEM, "out of memory");
	} else {
		busiest_flow(&c);
		/* Without the target's socket inodes nothing is its: no split. */
		if (f->proc.present && !fact_err_failed(&f->proc.fd_err))
			tw_census_split(&c.tw, &f->sysctl.port_lo, &f->sysctl.port_hi, &f->tcp.tw_split);
	}
	tw_census_release(&c.tw);
	free(c.flows);
	/* Without its socket inodes the census cannot attribute a socket to
	 * the target: its listeners are unknown, not none. */
	if (f->proc.present && fact_err_failed(&f->proc.fd_err))
		fact_err_setf(&f->proc.sockets_err, f->proc.fd_err.code,
			      "sockets of pid %d unknown (the census needs its socket inodes): %s",
			      (int)f->proc.pid, f->proc.fd_err.msg);
	else if (f->proc.present && fact_err_failed(&f->tcp.err))
		fact_err_setf(&f->proc.sockets_err, f->tcp.err.code, "sockets of pid %d unknown: %s",
			      (int)f->proc.pid, f->tcp.err.msg);
}

static void sleep_until(const struct timespec *deadline)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL) == EINTR)
		;
}

static struct timespec ts_add(struct timespec t, double s)
{
	t.tv_sec += (time_t)s;
	t.tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static void target_collect(struct facts *f, const struct collect_opts *o)
{
	struct process_facts *p = &f->proc;
	struct err e = { "" };
	char exe[64];
	int r;

	r = cgroup_collect(o->root, p->pid, &p->cgroup);
	if (r < 0 && !fact_err_failed(&p->cgroup.err))
		fact_err_setf(&p->cgroup.err, r, "%s", strerror(-r));
	proc_read_memshare(o->root, &p->cgroup, &p->memshare);
	/* Through /proc/PID/exe, so a replaced or deleted binary is still read. */
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)p->pid);
	{
		char path[4096];

		if (path_join(path, sizeof(path), o->root, exe) < 0) {
			fact_err_setf(&p->gobuild_err, -ENAMETOOLONG, "'%s%s' is too long a path", o->root, exe);
		} else {
			r = gobuild_read_file(path, &p->gobuild, &e);
			if (r == -PF_ENOTGO)
				fact_err_setf(&p->gobuild_err, r, "'%s' is not a Go executable", p->exe[0] ? p->exe : path);
			else if (r == -EACCES || r == -EPERM)
				fact_err_setf(&p->gobuild_err, r, "cannot read the executable '%s': %s %s", path,
					      strerror(-r), PROC_PRIVILEGE_HINT);
			else if (r < 0)
				fact_err_set(&p->gobuild_err, r, &e);
		}
	}
}

/* Where the TcpExt counters of the namespace read are: the kernel offers
 * the target's through /proc/PID/net, without entering it. */
static void netstat_of(const struct facts *f, const struct collect_opts *o, char *path, size_t n)
{
	if (f->netns.whose == NETNS_TARGET)
		snprintf(path, n, "/proc/%d/net/netstat", (int)o->pid);
	else
		snprintf(path, n, "/proc/net/netstat");
}

/* The net.* sysctls of the namespace read, and the host's fs.* ones. */
static void sysctls_collect(struct facts *f, const struct collect_opts *o, const struct netns *ns)
{
	struct sysctl_facts *s = &f->sysctl;

	if (!fact_err_failed(&f->netns.err)) {
		sysctl_collect_in(o->root, ns, s);
		return;
	}
	/* Ours are not the target's: the net.* ones unread, not absent. */
	sysctl_collect_host(o->root, s);
	s->net_err = f->netns.err;
}

int facts_collect(struct facts *f, const struct collect_opts *o, struct err *e)
{
	struct goruntime_opts go = { o->http_timeout_ms, o->max_debug2, 0, o->hooks, NULL, o->metrics_url, o->metrics_doc };
	struct sampler sampler;
	bool sampling = false;            /* the sampler was set up and must be ended */
	struct timespec start, deadline;
	struct netns tns = { -1, -1, "" };
	const struct netns *ns = NULL;    /* the target's namespace, when it is not ours */
	char netstat_path[64];
	int r;

	f->root = o->root;
	f->window_s = o->window_s;
	clock_gettime(CLOCK_MONOTONIC, &start);
	deadline = ts_add(start, o->window_s);
	/* The sampler's grid starts with the window, before the collectors. */
	go.start = (double)start.tv_sec + (double)start.tv_nsec / 1e9;

	if (o->pid) {
		r = proc_read(o->root, o->pid, &f->proc, e);
		if (r < 0)
			return r;
		target_collect(f, o);
		if (f->proc.cgroup.has_cpu_stat) {
			f->has_cpu_stat_before = true;
			f->nr_periods_before = f->proc.cgroup.nr_periods;
			f->nr_throttled_before = f->proc.cgroup.nr_throttled;
		}
	}
	/* The census, the listeners, the probes, TcpExt and the net.* sysctls
	 * are the target's namespace's (docs/collectors.md, "Containers"). */
	if (target_netns_open(o->root, o->pid, &tns, &f->netns) == 1)
		ns = &tns;
	go.netns = ns;
	netstat_of(f, o, netstat_path, sizeof(netstat_path));
	if (o->window_s > 0)
		netstat_collect_file(o->root, netstat_path, &f->netstat_before);
	psi_collect_start(o->root, f->proc.present ? o->pid : 0, &f->proc.cgroup, &f->psi);

	numa_collect(o->root, &f->numa);
	sysctls_collect(f, o, ns);
	clock_collect(o->root, &f->clock);
	tcp_collect(f, ns);
	/* A failed probe (libcurl.so.4 missing) is in f->proc.http_err, for the
	 * checks that read the target over HTTP to report; the Go runtime is
	 * then not sampled at all. */
	if (o->pid && endpoints_probe(&f->proc, o->http_timeout_ms, ns) == 0) {
		goruntime_begin(f, &go, &sampler);
		sampling = true;
		goruntime_window(f, &sampler, (double)deadline.tv_sec + (double)deadline.tv_nsec / 1e9);
	}

	if (o->window_s > 0) {
		sleep_until(&deadline);
		netstat_collect_file(o->root, netstat_path, &f->netstat_after);
		psi_collect_end(o->root, &f->psi);
		if (o->pid) {
			struct cgroup_facts after = { 0 };

			if (cgroup_collect(o->root, o->pid, &after) == 0 && after.has_cpu_stat) {
				f->proc.cgroup.nr_periods = after.nr_periods;
				f->proc.cgroup.nr_throttled = after.nr_throttled;
				f->proc.cgroup.throttled_usec = after.throttled_usec;
			}
		}
	}
	if (sampling)
		goruntime_end(f, &sampler);
	if (o->pid && !proc_alive(o->root, o->pid)) {
		fact_err_setf(&f->proc.exited, -ESRCH, "pid %d exited during the check", (int)o->pid);
	}
	netns_close(&tns);
	return 0;
}

void facts_release(struct facts *f)
{
	goruntime_facts_release(&f->go);
	process_facts_release(&f->proc);
}
