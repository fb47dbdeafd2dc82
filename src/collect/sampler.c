/* sampler: the schedule of what to fetch from a Go service when
 * (sampler.h), for check, goroutines and watch alike. */
#include "collect/sampler.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "goruntime/goroutine.h"
#include "goruntime/pprof_index.h"
#include "goruntime/profiles.h"
#include "io/fetch.h"
#include "base/array.h"
#include "collect/conn_count.h"

/* One step's requests, in the order their errors are reported: the
 * snapshot first (what goroutines is about), then memstats (watch). */
enum req_kind { R_SNAP, R_MEM, R_INDEX, R_METRICS_COUNT, R_MUTEX, R_BLOCK, R_DOC, R_N };

static const char *const req_path[R_N] = {
	[R_SNAP] = "/debug/pprof/goroutine?debug=1",
	[R_MEM] = NULL, /* /debug/vars or /metrics */
	[R_INDEX] = "/debug/pprof/",
	[R_METRICS_COUNT] = "/metrics",
	[R_MUTEX] = "/debug/pprof/mutex?debug=1",
	[R_BLOCK] = "/debug/pprof/block?debug=1",
	[R_DOC] = NULL, /* opts.metrics_doc */
};

struct step {
	struct fetch_req req[R_N];
	int idx[R_N];            /* into req; -1 = not asked */
	size_t n;
};

double sampler_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double sampler_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool set(const char *s)
{
	return s && s[0];
}

void sampler_init(struct sampler *s, const struct sampler_opts *o, const struct sampler_hooks *h,
		  struct goruntime_facts *out)
{
	memset(s, 0, sizeof(*s));
	s->o = *o;
	if (h)
		s->h = *h;
	s->out = out;
	buf_init(&s->vars, FETCH_SMALL_MAX);
	s->deadline = INFINITY;
}

void sampler_release(struct sampler *s)
{
	buf_release(&s->vars);
}

void sampler_drop(struct sampler *s, unsigned what)
{
	s->o.what &= ~what;
}

static void step_add(struct step *st, enum req_kind k, const char *base, const char *path)
{
	size_t max = k == R_INDEX ? PPROF_INDEX_MAX : FETCH_SMALL_MAX;

	st->idx[k] = (int)st->n;
	fetch_req_init(&st->req[st->n++], base, path, max, k == R_INDEX);
}

/* The whole /metrics page for the metric.* checks: opts.metrics_doc is a
 * full URL, split here into the base and path fetch_req_init joins. */
static void step_add_doc(struct step *st, const char *url)
{
	char base[256], path[256];
	const char *host = strstr(url, "://"), *slash;

	host = host ? host + 3 : url;
	slash = strchr(host, '/');
	snprintf(base, sizeof(base), "%.*s", slash ? (int)(slash - url) : (int)strlen(url), url);
	snprintf(path, sizeof(path), "%s", slash ? slash : "/metrics");
	st->idx[R_DOC] = (int)st->n;
	fetch_req_init(&st->req[st->n++], base, path, FETCH_SMALL_MAX, false);
}

static void read_doc(struct sampler *s, struct fetch_req *rq, int at)
{
	struct goruntime_facts *g = s->out;
	struct err pe = { "" };
	int r = rq->err;

	if (r < 0) {
		fact_err_set(&g->metrics_doc_err, r, &rq->e);
		return;
	}
	r = prom_parse(buf_str(&rq->http.body), rq->http.body.len, &g->metrics_doc[at], &pe);
	if (r < 0) {
		struct err e = { "" };

		prom_doc_release(&g->metrics_doc[at]);
		err_set(&e, r, "'%s': %s", rq->http.url, pe.msg);
		fact_err_set(&g->metrics_doc_err, r, &e);
		return;
	}
	g->has_metrics_doc[at] = true;
	g->metrics_doc_t[at] = sampler_mono();
}

static void step_init(struct step *st)
{
	memset(st, 0, sizeof(*st));
	for (int k = 0; k < R_N; k++)
		st->idx[k] = -1;
}

static void step_release(struct step *st)
{
	for (size_t i = 0; i < st->n; i++)
		fetch_req_release(&st->req[i]);
}

static struct fetch_req *step_req(struct step *st, enum req_kind k)
{
	return st->idx[k] < 0 ? NULL : &st->req[st->idx[k]];
}

/* The memstats surface: expvar when there is one (every MemStats field,
 * the pause ring), else /metrics. */
static void add_memstats(struct sampler *s, struct step *st)
{
	if (set(s->o.vars))
		step_add(st, R_MEM, s->o.vars, "/debug/vars");
	else if (set(s->o.metrics))
		step_add(st, R_MEM, s->o.metrics, "/metrics");
}

static void read_memstats(struct sampler *s, struct fetch_req *rq)
{
	struct sampler_tick *t = &s->tick;
	struct goruntime_facts *g = s->out;
	struct err pe = { "" };
	int r = rq->err;

	t->mem_asked = true;
	if (r < 0) {
		t->mem_e = rq->e;
		goto out;
	}
	if (set(s->o.vars)) {
		r = memstats_from_expvar(buf_str(&rq->http.body), rq->http.body.len, &t->mem, &pe);
	} else {
		struct prom_doc d = { 0 };

		r = prom_parse(buf_str(&rq->http.body), rq->http.body.len, &d, &pe);
		if (r == 0)
			r = memstats_from_prom(&d, &t->mem, &pe);
		prom_doc_release(&d);
	}
	if (r < 0) {
		err_set(&t->mem_e, r, "'%s': %s", rq->http.url, pe.msg);
		goto out;
	}
	if (s->o.what & SAMPLE_KEEP_VARS && set(s->o.vars)) {
		buf_reset(&s->vars);
		s->vars_fresh = buf_append(&s->vars, rq->http.body.data ? rq->http.body.data : "", rq->http.body.len) == 0;
	}
	if (s->o.what & SAMPLE_KEEP_MEMSTATS && g) {
		/* A sample that finds no room is dropped, the window goes on. */
		if (array_reserve(&g->samples, &g->cap_samples, g->n_samples, sizeof(*g->samples), 64) == 0 &&
		    array_reserve(&g->sample_times, &g->cap_sample_times, g->n_samples, sizeof(*g->sample_times), 64) ==
			    0) {
			g->samples[g->n_samples] = t->mem;
			g->sample_times[g->n_samples] = t->wall;
			g->n_samples++;
		}
	}
out:
	t->mem_err = r;
	if (r < 0 && g && t->mem_e.msg[0])
		fact_err_set(&g->memstats_err, r, &t->mem_e);
}

static void read_index(struct sampler *s, struct fetch_req *rq)
{
	struct sampler_tick *t = &s->tick;
	struct pprof_index ix;
	struct err pe = { "" };
	int r = rq->err;

	t->index_asked = true;
	if (r < 0) {
		t->index_e = rq->e;
	} else {
		r = pprof_index_counts(buf_str(&rq->http.body), rq->http.body.len, &ix, &pe);
		if (r < 0)
			err_set(&t->index_e, r, "'%s': %s", rq->http.url, pe.msg);
		else
			t->goroutines = ix.goroutine.n;
	}
	t->index_err = r;
}

/* The target's connections at the snapshot just taken. The first failure
 * ends the series (a count with a hole would show a false rise or fall). */
static void count_conns(struct sampler *s)
{
	struct goruntime_facts *g = s->out;
	struct err e = { "" };
	uint64_t n = 0;
	int r;

	if (fact_err_failed(&g->conns_err))
		return;
	if (array_reserve(&g->conns, &g->cap_conns, g->n_conns, sizeof(*g->conns), 16) < 0)
		r = err_set(&e, -ENOMEM, "out of memory");
	else
		r = conn_count_established(s->o.conns_root ? s->o.conns_root : "", s->o.conns_pid, s->o.netns, &n,
					   &e);
	if (r < 0) {
		fact_err_set(&g->conns_err, r, &e);
		return;
	}
	g->conns[g->n_conns++] = n;
}

static void read_snapshot(struct sampler *s, struct fetch_req *rq)
{
	struct sampler_tick *t = &s->tick;
	struct goruntime_facts *g = s->out;
	int r = rq->err;

	t->snap_asked = true;
	if (r < 0) {
		t->snap_e = rq->e;
		goto out;
	}
	if (array_reserve(&g->snaps, &g->cap_snaps, g->n_snaps, sizeof(*g->snaps), 16) < 0) {
		r = err_set(&t->snap_e, -ENOMEM, "out of memory");
		goto out;
	}
	memset(&g->snaps[g->n_snaps], 0, sizeof(*g->snaps));
	r = gr_parse(buf_str(&rq->http.body), rq->http.body.len, rq->http.url, &g->snaps[g->n_snaps], &t->snap_e);
	if (r == 0) {
		g->snaps[g->n_snaps].taken_at = sampler_wall();
		g->n_snaps++;
		if (s->o.conns_pid > 0)
			count_conns(s);
	}
out:
	t->snap_err = r;
	if (r < 0)
		fact_err_set(&g->goroutine_err, r, &t->snap_e);
}

static void read_contention(struct fetch_req *rq, struct contention_profile *prof, bool *has, struct fact_err *fe)
{
	struct err e = { "" };
	int r = rq->err;

	if (r == 0 && (r = contention_parse(buf_str(&rq->http.body), rq->http.body.len, prof, &e)) == 0) {
		*has = true;
		return;
	}
	fact_err_set(fe, r, rq->err ? &rq->e : &e);
}

/* go_goroutines on a /metrics page; false when it has none. */
static bool metrics_count(const struct fetch_req *rq, uint64_t *ret)
{
	struct prom_doc d = { 0 };
	const struct prom_sample *v;
	bool ok = false;

	if (rq->err == 0 && prom_parse(buf_str(&rq->http.body), rq->http.body.len, &d, NULL) == 0 &&
	    (v = prom_find(&d, "go_goroutines", NULL)) && v->value >= 0 && v->value < 1e15) {
		*ret = (uint64_t)v->value;
		ok = true;
	}
	prom_doc_release(&d);
	return ok;
}

static void tick_reset(struct sampler *s)
{
	memset(&s->tick, 0, sizeof(s->tick));
	s->tick.mono = sampler_mono();
	s->tick.wall = sampler_wall();
	s->vars_fresh = false;
}

/* Runs the requests of one step at once and reads their answers. at:
 * which end of the window contention profiles belong to. */
static void step_run(struct sampler *s, struct step *st, int at, long timeout_ms)
{
	struct goruntime_facts *g = s->out;
	struct fetch_req *rq;

	for (size_t i = 0; i < st->n; i++)
		st->req[i].http.netns = s->o.netns;
	go_fetch_all(st->req, st->n, timeout_ms);
	if ((rq = step_req(st, R_SNAP)))
		read_snapshot(s, rq);
	if ((rq = step_req(st, R_MEM)))
		read_memstats(s, rq);
	if ((rq = step_req(st, R_INDEX)))
		read_index(s, rq);
	if ((rq = step_req(st, R_MUTEX)))
		read_contention(rq, &g->mutex[at], &g->has_mutex[at], &g->mutex_err);
	if ((rq = step_req(st, R_BLOCK)))
		read_contention(rq, &g->block[at], &g->has_block[at], &g->block_err);
	if (step_req(st, R_MUTEX) || step_req(st, R_BLOCK))
		g->contention_t[at] = sampler_mono();
	if ((rq = step_req(st, R_DOC)))
		read_doc(s, rq, at);
}

/* "1s", "500ms", "1.5s": for messages. */
static void format_duration(long ms, char *out, size_t n)
{
	if (ms % 1000 == 0)
		snprintf(out, n, "%lds", ms / 1000);
	else if (ms < 1000)
		snprintf(out, n, "%ldms", ms);
	else
		snprintf(out, n, "%gs", (double)ms / 1000);
}

/* "'A'", "'A' and 'B'", "'A', 'B' and 'C'": the URLs of st but skip. */
static void list_urls(const struct step *st, const struct fetch_req *skip, struct buf *out)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < st->n; i++)
		total += &st->req[i] != skip;
	for (size_t i = 0; i < st->n; i++) {
		if (&st->req[i] == skip)
			continue;
		buf_printf(out, "%s'%s'", !k ? "" : k + 1 == total ? " and " : ", ", st->req[i].http.url);
		k++;
	}
}

/* When no request of the first step was answered at all (refused, timed
 * out): one message naming every URL asked and how long it waited.
 * Returns the first error, or 0 when the target answered something. */
static int nothing_answered(struct sampler *s, struct step *st, struct err *e)
{
	bool all_timed_out = true;
	const struct fetch_req *first = NULL;
	struct buf urls = BUF_INIT(4096);
	char waited[32];

	for (size_t i = 0; i < st->n; i++) {
		const struct fetch_req *rq = &st->req[i];

		/* Any status at all is an answer: a 404, an HTML page. */
		if (!rq->err || rq->http.status)
			return 0;
		if (!first)
			first = rq;
		all_timed_out = all_timed_out && rq->err == -ETIMEDOUT;
	}
	if (!first)
		return 0;
	format_duration(s->o.timeout_ms > 0 ? s->o.timeout_ms : FETCH_DEFAULT_TIMEOUT_MS, waited, sizeof(waited));
	if (all_timed_out) {
		list_urls(st, NULL, &urls);
		err_set(e, first->err, "timed out after %s waiting for %s (asked at once): the listener %s", waited,
			buf_str(&urls), st->n > 1 ? "accepts but does not answer" : "does not answer");
	} else if (st->n > 1) {
		bool same = true;

		for (size_t i = 0; i < st->n; i++)
			same = same && !strcmp(st->req[i].http.errmsg, first->http.errmsg);
		list_urls(st, NULL, &urls);
		if (same)
			err_set(e, first->err, "no answer from %s (asked at once): %s", buf_str(&urls),
				first->http.errmsg);
		else
			err_set(e, first->err, "no answer from %s (asked at once, within %s): %s", buf_str(&urls),
				waited, first->e.msg);
	} else {
		*e = first->e;
	}
	buf_release(&urls);
	return first->err;
}

/* A debug=2 dump into *dump; false when it failed (e filled). */
static bool take_debug2(struct sampler *s, struct gr_snapshot *dump, uint64_t count, struct err *e)
{
	struct fetch_req rq;
	char what[96];
	bool ok = false;

	snprintf(what, sizeof(what), "a debug=2 dump of %llu goroutines", (unsigned long long)count);
	if (s->h.step)
		s->h.step(s->h.ctx, s, what);
	fetch_req_init(&rq, s->o.pprof, "/debug/pprof/goroutine?debug=2", FETCH_PROFILE_MAX, false);
	rq.http.netns = s->o.netns;
	go_fetch_all(&rq, 1, s->o.debug2_timeout_ms > 0 ? s->o.debug2_timeout_ms : s->o.timeout_ms);
	if (rq.err)
		*e = rq.e;
	else
		ok = gr_parse(buf_str(&rq.http.body), rq.http.body.len, rq.http.url, dump, e) == 0;
	if (ok)
		dump->taken_at = sampler_wall();
	fetch_req_release(&rq);
	return ok;
}

int sampler_begin(struct sampler *s, struct err *e)
{
	struct goruntime_facts *g = s->out;
	struct step st;
	struct fetch_req *rq;
	unsigned w = s->o.what;
	bool pprof = set(s->o.pprof);
	uint64_t n;
	int r;

	tick_reset(s);
	if (s->o.start <= 0)
		s->o.start = s->tick.mono;
	s->next = s->o.start;
	s->next_snap = s->o.start + s->o.snapshot_s;
	step_init(&st);
	if (w & SAMPLE_SNAPSHOTS && pprof)
		step_add(&st, R_SNAP, s->o.pprof, req_path[R_SNAP]);
	if (w & SAMPLE_MEMSTATS)
		add_memstats(s, &st);
	/* The cheap count first: it decides whether a debug=2 dump is affordable. */
	if (pprof && w & (SAMPLE_INDEX | SAMPLE_DEBUG2))
		step_add(&st, R_INDEX, s->o.pprof, req_path[R_INDEX]);
	if (w & SAMPLE_METRICS_COUNT && set(s->o.metrics) && !(step_req(&st, R_MEM) && !set(s->o.vars)))
		step_add(&st, R_METRICS_COUNT, s->o.metrics, req_path[R_METRICS_COUNT]);
	if (w & SAMPLE_CONTENTION && pprof) {
		step_add(&st, R_MUTEX, s->o.pprof, req_path[R_MUTEX]);
		step_add(&st, R_BLOCK, s->o.pprof, req_path[R_BLOCK]);
	}
	if (w & SAMPLE_METRICS_DOC && set(s->o.metrics_doc))
		step_add_doc(&st, s->o.metrics_doc);
	if (!st.n || (!g && w & (SAMPLE_SNAPSHOTS | SAMPLE_DEBUG2 | SAMPLE_CONTENTION | SAMPLE_METRICS_DOC))) {
		step_release(&st);
		return err_set(e, -EINVAL, "nothing to sample, or nowhere to keep it");
	}
	step_run(s, &st, 0, s->o.timeout_ms);
	s->ticks++;

	if ((rq = step_req(&st, R_INDEX)) && s->tick.index_err == 0) {
		s->count = s->tick.goroutines;
		s->count_from = "the pprof index page";
		if (g)
			g->index_goroutines = s->tick.goroutines;
	} else if ((rq = step_req(&st, R_METRICS_COUNT)) && metrics_count(rq, &n)) {
		s->count = n;
		s->count_from = "go_goroutines";
	} else if (s->tick.mem_asked && !s->tick.mem_err && s->tick.mem.has_goroutines) {
		s->count = s->tick.mem.goroutines;
		s->count_from = "go_goroutines";
	} else if (s->tick.snap_asked && !s->tick.snap_err) {
		s->count = g->snaps[g->n_snaps - 1].total;
		s->count_from = "the first debug=1 profile";
	}
	r = nothing_answered(s, &st, e);
	step_release(&st);
	if (r < 0)
		return r;

	/* Only a window has growth to confirm: a dump now, one at the end. */
	if (w & SAMPLE_DEBUG2 && pprof && s->o.window_s > 0 && s->count && s->count < s->o.max_debug2) {
		struct err e2 = { "" };

		g->has_dump2_first = take_debug2(s, &g->dump2_first, s->count, &e2);
	}
	return 0;
}

static bool wait_until(struct sampler *s, double until)
{
	struct timespec ts;

	if (s->h.wait)
		return s->h.wait(s->h.ctx, s, until);
	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	return false;
}

bool sampler_run(struct sampler *s, double deadline)
{
	/* Grid times are computed from their index, not summed, so a watch of
	 * days does not drift; a hair of slack absorbs the rounding when a
	 * snapshot's time is compared with a tick's. */
	const double slack = 1e-6;
	double tick = s->o.tick_s;
	uint64_t k = 0;

	s->deadline = deadline;
	while (tick > 0) {
		double now = sampler_mono(), next;
		bool snap;
		struct step st;

		k++;
		if (!(s->o.what & SAMPLE_EVERY_TICK) && s->o.start + (double)k * tick < now)
			k = (uint64_t)floor((now - s->o.start) / tick) + 1;
		next = s->o.start + (double)k * tick;
		if (!(next < deadline))
			break;
		if (wait_until(s, next))
			return true;
		s->next = next;
		/* The last snapshot is sampler_end's, at the deadline. */
		snap = s->out && s->o.what & SAMPLE_SNAPSHOTS && set(s->o.pprof) && s->o.snapshot_s > 0 &&
		       next + slack >= s->next_snap && next + s->o.snapshot_s / 2 < deadline;
		tick_reset(s);
		step_init(&st);
		if (snap)
			step_add(&st, R_SNAP, s->o.pprof, req_path[R_SNAP]);
		if (s->o.what & SAMPLE_MEMSTATS)
			add_memstats(s, &st);
		if (s->o.what & SAMPLE_INDEX && set(s->o.pprof))
			step_add(&st, R_INDEX, s->o.pprof, req_path[R_INDEX]);
		if (!st.n)
			continue;
		step_run(s, &st, 0, s->o.timeout_ms);
		step_release(&st);
		if (snap)
			s->next_snap = next + s->o.snapshot_s;
		s->ticks++;
		if (s->h.tick && s->h.tick(s->h.ctx, s))
			return true;
	}
	if (isfinite(deadline) && wait_until(s, deadline))
		return true;
	return false;
}

void sampler_end(struct sampler *s)
{
	struct goruntime_facts *g = s->out;
	struct step st;
	unsigned w = s->o.what;
	bool pprof = set(s->o.pprof);
	struct err e = { "" };

	if (!g)
		return;
	tick_reset(s);
	step_init(&st);
	if (w & SAMPLE_SNAPSHOTS && w & SAMPLE_LAST_SNAPSHOT && pprof)
		step_add(&st, R_SNAP, s->o.pprof, req_path[R_SNAP]);
	/* A second profile only tells something when a window was sampled. */
	if (w & SAMPLE_CONTENTION && pprof && s->o.window_s > 0 && (g->has_mutex[0] || g->has_block[0])) {
		step_add(&st, R_MUTEX, s->o.pprof, req_path[R_MUTEX]);
		step_add(&st, R_BLOCK, s->o.pprof, req_path[R_BLOCK]);
	}
	/* The page's second read, which rates and quantiles are taken against. */
	if (w & SAMPLE_METRICS_DOC && set(s->o.metrics_doc) && s->o.window_s > 0)
		step_add_doc(&st, s->o.metrics_doc);
	if (st.n)
		step_run(s, &st, 1, s->o.timeout_ms);
	step_release(&st);
	if (!(w & SAMPLE_DEBUG2) || !pprof)
		return;
	/* The latest word on the count decides: it may have climbed. */
	if (g->n_snaps && g->snaps[g->n_snaps - 1].total > s->count) {
		s->count = g->snaps[g->n_snaps - 1].total;
		if (!s->count_from)
			s->count_from = "the last debug=1 profile";
	}
	if (!s->count) {
		s->debug2 = SAMPLER_D2_UNKNOWN;
		snprintf(g->dump2_note, sizeof(g->dump2_note), "goroutine count unknown; no debug=2 dump taken");
		return;
	}
	if (s->count >= s->o.max_debug2) {
		s->debug2 = SAMPLER_D2_TOO_MANY;
		snprintf(g->dump2_note, sizeof(g->dump2_note),
			 "%llu goroutines: a debug=2 dump (wait times) is only taken below %llu",
			 (unsigned long long)s->count, (unsigned long long)s->o.max_debug2);
		return;
	}
	if (take_debug2(s, &g->dump2, s->count, &e)) {
		g->has_dump2 = true;
		s->debug2 = SAMPLER_D2_TAKEN;
	} else {
		s->debug2 = SAMPLER_D2_FAILED;
		s->debug2_e = e;
		snprintf(g->dump2_note, sizeof(g->dump2_note), "%s", e.msg[0] ? e.msg : err_str(-EIO));
	}
}
