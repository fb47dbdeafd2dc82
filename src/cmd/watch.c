/* preflight watch: Holmes from the outside. Samples a Go service's
 * memstats (/debug/vars) and goroutine count (the /debug/pprof/ index)
 * every interval through the sampler, and when heap pressure, GC CPU or
 * the goroutines cross a threshold (judged as the checks judge them,
 * check/watch_trigger.h), saves a heap profile, a goroutine profile, the
 * memstats and what was taken and why to a directory
 * (collect/watch_capture.h fetches, io/watch_store.h keeps), one line per
 * event on the output (docs/watch.md).
 *
 * SIGINT and SIGTERM stay blocked for the whole run and are taken with
 * sigtimedwait() as the wait between ticks, and looked for with
 * sigpending() between the fetches of an event: a signal is never lost
 * between a check and a sleep, no handler runs inside libcurl, and a stop
 * costs at most the fetch under way (bounded by its timeout). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "check/watch_trigger.h"
#include "cmd/cmd.h"
#include "collect/procfs.h"
#include "collect/sampler.h"
#include "collect/watch_capture.h"
#include "io/watch_store.h"
#include "report/escape.h"
#include "report/output.h"
#include "report/progress.h"
#include "report/term.h"
#include "report/watch.h"

/* Every /debug/vars request runs runtime.ReadMemStats, a stop-the-world:
 * sampling faster than this is a cost on the target we refuse to impose. */
#define MIN_INTERVAL_S 0.05
/* At most one line about failing samples per this many seconds. */
#define ERROR_REPORT_EVERY_S 10.0

struct watch_args {
	const char *format, *output, *dir;
	double interval_s, timeout_s, capture_timeout_s, duration_s, window_s, cooldown_s;
	double heap_pressure, gc_cpu, growth_per_s;
	uint64_t goroutines, samples, max_debug2, keep;
	bool full_stacks;
	pid_t pid;
	const char *cacert;
	bool insecure;
};

#define A(field) offsetof(struct watch_args, field)
static const struct opt watch_opts[] = {
	OPT_FORMAT_ENTRY(struct watch_args, format, watch_formats,
			 "tty (default: one line per event) or json (one JSON object per event and line)"),
	OPT_OUTPUT_ENTRY(struct watch_args, output),
	{ .type = OPT_DURATION, .short_name = 'i', .long_name = "interval", .arg_name = "D",
	  .help = "sample every D (default 200ms; at least 50ms)", .off = A(interval_s), .flags = OPT_NONZERO,
	  .dhi = 3600 },
	{ .type = OPT_DIR, .short_name = 'd', .long_name = "dir", .arg_name = "DIR",
	  .help = "save events here (default ./preflight-watch)", .off = A(dir) },
	{ .type = OPT_NUMBER, .long_name = "heap-pressure", .arg_name = "R",
	  .help = "HeapAlloc/NextGC right after a GC (the trough of a full --window in which a GC cycle ended) at or "
		  "above R (default 0.85, go.heap-pressure's fail; 0 = off)",
	  .off = A(heap_pressure), .dhi = 1e9 },
	{ .type = OPT_NUMBER, .long_name = "gc-cpu", .arg_name = "F",
	  .help = "GC share of the CPU at or above F (default 0.25, go.gc-cpu's fail; 0 = off)", .off = A(gc_cpu),
	  .dhi = 1 },
	{ .type = OPT_COUNT, .long_name = "goroutines", .arg_name = "N",
	  .help = "goroutine count at or above N (default 500000, go.goroutines' fail; 0 = off)", .off = A(goroutines),
	  .hi = UINT64_MAX },
	{ .type = OPT_NUMBER, .long_name = "goroutine-growth", .arg_name = "N",
	  .help = "goroutines per second over a full --window (default 0 = off)", .off = A(growth_per_s), .dhi = 1e9 },
	{ .type = OPT_DURATION, .short_name = 'w', .long_name = "window", .arg_name = "D",
	  .help = "span of the heap trough, the growth rate and the recent GC CPU (default 10s)", .off = A(window_s),
	  .flags = OPT_NONZERO, .dhi = 86400 },
	{ .type = OPT_PID, .short_name = 'p', .long_name = "pid", .arg_name = "PID",
	  .help = "the service's pid: judge the GC CPU of the last window (weighted by uptime) instead of the "
		  "cumulative fraction",
	  .off = A(pid) },
	{ .type = OPT_FLAG, .long_name = "full-stacks",
	  .help = "add a debug=2 goroutine dump (every stack, its state and wait time) to the debug=1 profile, "
		  "below --max-debug2 goroutines: it stops the target's world while it prints",
	  .off = A(full_stacks) },
	{ .type = OPT_COUNT, .long_name = "max-debug2", .arg_name = "N",
	  .help = "the goroutine guard: --full-stacks takes a debug=2 dump only below N goroutines (default 20000; "
		  "0 = never)",
	  .off = A(max_debug2), .hi = UINT64_MAX },
	{ .type = OPT_DURATION, .long_name = "cooldown", .arg_name = "D",
	  .help = "no second event for one reason within D; an incident ends after D without a crossing "
		  "(default 60s)",
	  .off = A(cooldown_s) },
	{ .type = OPT_COUNT, .long_name = "keep", .arg_name = "N",
	  .help = "keep at most N events, deleting an incident's first capture last (default 20; 0 = all)",
	  .off = A(keep), .hi = 1000000 },
	OPT_TIMEOUT_ENTRY(struct watch_args, timeout_s, "timeout of each sample's requests: 2s, 500ms; a bare "
							"number is seconds (default 2s)"),
	{ .type = OPT_DURATION, .long_name = "capture-timeout", .arg_name = "D",
	  .help = "timeout of each profile saved (default 30s)", .off = A(capture_timeout_s), .flags = OPT_NONZERO,
	  .dhi = 3600 },
	OPT_CACERT_ENTRY(struct watch_args, cacert),
	OPT_INSECURE_ENTRY(struct watch_args, insecure),
	{ .type = OPT_COUNT, .short_name = 'n', .long_name = "samples", .arg_name = "N", .help = "stop after N samples",
	  .off = A(samples), .lo = 1, .hi = UINT64_MAX },
	{ .type = OPT_COUNT, .long_name = "count", .arg_name = "N",
	  .help = "the same as --samples (kept for scripts)", .off = A(samples), .lo = 1, .hi = UINT64_MAX },
	{ .type = OPT_DURATION, .long_name = "duration", .arg_name = "D", .help = "stop after D",
	  .off = A(duration_s), .flags = OPT_NONZERO },
	OPT_END_ENTRY,
};
#undef A

const struct command_spec cmd_watch_spec = {
	.name = "watch",
	.summary = "watch a Go service and save its profiles when it runs into trouble",
	.synopsis = "[options] URL",
	.description = "Watches a Go service through its debug listener (URL, e.g. http://127.0.0.1:6060, "
		       "serving expvar and net/http/pprof). When heap pressure, GC CPU or the goroutine count "
		       "crosses its threshold, judged as the checks of the same name judge them, saves a heap "
		       "profile, a debug=1 goroutine profile, the memstats and a metadata file to DIR and writes "
		       "one line. Runs until SIGINT or SIGTERM, --samples or --duration.",
	.operands = "URL: the base of the debug listener (http://127.0.0.1:6060).",
	.exit_status = "Durations take ms, s, m or h (a bare number is seconds). Exit status: 0 when stopped (by a "
		       "signal, --samples or --duration), 2 on a usage error or when the target never answered, 3 "
		       "on an internal error.",
	.see_also = "docs/watch.md",
	.opts = watch_opts,
	.min_operands = 1,
	.max_operands = 1,
	.operand_kind = "url",
};

struct error_limit {
	uint64_t total, unreported;
	double last_print;            /* monotonic; 0 = never printed */
	bool outage;                  /* an error line was printed, no success since */
};

struct watcher {
	const struct watch_args *a;
	const char *url;
	struct sampler s;
	struct watch_sample x;        /* the latest sample, as the trigger sees it */
	struct watch_store store;
	struct watch_state state;
	struct error_limit errs;
	struct output out;
	struct progress prog;
	unsigned width;               /* of the output, when it is a terminal */
	sigset_t stopset;
	int stop_signal;
	uint64_t samples, events;
	int failed;                   /* an output error: stop */
};

/* One diagnostic line on stderr (after the progress line is cleared). msg
 * may carry what a target answered: escaped when it would drive the
 * terminal, so the line stays one line. */
__attribute__((format(printf, 2, 3))) static void diag(struct watcher *w, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	if (w)
		progress_clear(&w->prog);
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	fputs("preflight watch: ", stderr);
	if (n < 0)
		fputs("out of memory", stderr);
	else if (term_needs_escape(msg, strlen(msg)))
		term_puts(stderr, msg);
	else
		fputs(msg, stderr);
	fputc('\n', stderr);
	free(msg);
}

static bool stop_pending(struct watcher *w)
{
	sigset_t pending;

	if (w->stop_signal)
		return true;
	if (sigpending(&pending) < 0)
		return false;
	if (sigismember(&pending, SIGINT))
		w->stop_signal = SIGINT;
	else if (sigismember(&pending, SIGTERM))
		w->stop_signal = SIGTERM;
	return w->stop_signal != 0;
}

/* The sampler's wait: until the monotonic time `until`, or a stop signal.
 * Returns true when a signal ended it. */
static bool wait_until(void *ctx, const struct sampler *s, double until)
{
	struct watcher *w = ctx;

	(void)s;
	if (stop_pending(w))
		return true;
	for (;;) {
		double left = until - sampler_mono();
		struct timespec ts;
		int sig;

		if (left <= 0)
			return false;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		sig = sigtimedwait(&w->stopset, NULL, &ts);
		if (sig > 0) {
			w->stop_signal = sig;
			return true;
		}
		/* EAGAIN: the time is up (the loop checks); EINTR: another signal. */
	}
}

static void note_error(struct watcher *w, double now, const char *msg)
{
	struct error_limit *l = &w->errs;

	l->total++;
	if (l->last_print > 0 && now - l->last_print < ERROR_REPORT_EVERY_S) {
		l->unreported++;
		return;
	}
	if (l->unreported)
		diag(w, "%s (and %" PRIu64 " more failed requests since the last report)", msg, l->unreported);
	else
		diag(w, "%s", msg);
	l->unreported = 0;
	l->last_print = now;
	l->outage = true;
}

static void note_success(struct watcher *w)
{
	if (!w->errs.outage)
		return;
	w->errs.outage = false;
	diag(w, "'%s' answers again (%" PRIu64 " failed requests so far)", w->url, w->errs.total);
}

/* The sampler's latest tick as the trigger's sample. */
static void to_sample(const struct sampler *s, struct watch_sample *x)
{
	const struct sampler_tick *t = &s->tick;

	memset(x, 0, sizeof(*x));
	x->t = t->mono;
	x->wall = t->wall;
	if (t->mem_asked && !t->mem_err) {
		x->has_mem = true;
		x->heap_alloc = t->mem.heap_alloc;
		x->next_gc = t->mem.next_gc;
		x->num_gc = t->mem.num_gc;
		x->last_gc_ns = t->mem.last_gc_ns;
		x->gc_cpu_fraction = t->mem.has_gc_cpu_fraction ? t->mem.gc_cpu_fraction : 0;
	}
	if (t->index_asked && !t->index_err) {
		x->has_goroutines = true;
		x->goroutines = t->goroutines;
	}
}

/* Fetches one profile into the event under construction. Returns 0 when
 * saved, 1 when skipped (fetch failed, reported), <0 on a store error. */
static int save_profile(struct watcher *w, enum watch_profile p, struct buf *body, uint64_t *ret_total)
{
	const char *kind = NULL, *suffix = NULL;
	struct err e = { "" };
	int r;

	progress_show(&w->prog, "preflight watch: event %s: fetching %s", w->store.stem, watch_profile_path(p));
	r = watch_capture_profile(w->url, p, (long)(w->a->capture_timeout_s * 1000), body, &kind, &suffix, ret_total,
				  &e);
	if (r < 0) {
		diag(w, "event %s: %s", w->store.stem, e.msg);
		return 1;
	}
	r = watch_store_put(&w->store, kind, suffix, body->data ? body->data : "", body->len, &e);
	if (r < 0)
		diag(w, "%s", e.msg);
	return r;
}

/* Prunes beyond --keep and says what went. */
static void prune(struct watcher *w)
{
	struct watch_capture_info *gone = NULL;
	struct buf line = BUF_INIT(1u << 16);
	size_t n = 0;
	struct err e = { "" };

	if (watch_store_prune(&w->store, &gone, &n, &e) < 0)
		diag(w, "%s", e.msg);
	if (!n)
		goto out;
	buf_printf(&line, "--keep %" PRIu64 ": removed %zu event%s:", w->a->keep, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		buf_printf(&line, "%s %s (%s capture %u of incident %s)", i ? "," : "", gone[i].stem,
			   gone[i].first ? "first" : "a later", gone[i].capture, gone[i].incident);
	diag(w, "%s", buf_str(&line));
out:
	buf_release(&line);
	free(gone);
}

/* Saves one event for the crossings of the latest sample. Returns 0
 * (saved, or abandoned for a stop signal) or a negative errno on a store
 * error. */
static int capture(struct watcher *w, const struct watch_crossing *c, size_t n)
{
	const struct watch_sample *x = &w->x;
	bool index_on = w->s.o.what & SAMPLE_INDEX;
	struct buf body = BUF_INIT(WATCH_CAPTURE_MAX), meta = BUF_INIT(WATCH_META_MAX);
	char names[WATCH_EVENT_FILES][WATCH_NAME_MAX], stem[WATCH_STEM_MAX], why[160];
	const char *name_ptrs[WATCH_EVENT_FILES];
	struct watch_stacks stacks = { 0 };
	struct watch_event ev;
	size_t n_names;
	struct err e = { "" };
	int r;

	r = watch_store_begin(&w->store, x->wall, watch_reason_name(c[0].reason), &e);
	if (r < 0) {
		diag(w, "%s", e.msg);
		goto out;
	}
	if (index_on) {
		uint64_t total = 0;

		r = save_profile(w, WATCH_PROFILE_HEAP, &body, NULL);
		if (r < 0 || stop_pending(w))
			goto abandon;
		r = save_profile(w, WATCH_PROFILE_GOROUTINE1, &body, &total);
		if (r < 0 || stop_pending(w))
			goto abandon;
		stacks.debug1 = r == 0;
		/* The count may have climbed since the sample: the larger decides. */
		stacks.count = x->has_goroutines && x->goroutines > total ? x->goroutines : total;
		stacks.why = why;
		if (watch_debug2_decide(w->a->full_stacks, w->a->max_debug2, stacks.count, why, sizeof(why))) {
			r = save_profile(w, WATCH_PROFILE_GOROUTINE2, &body, NULL);
			if (r < 0 || stop_pending(w))
				goto abandon;
			stacks.debug2 = r == 0;
			if (r > 0)
				snprintf(why, sizeof(why), "debug=1 only: the debug=2 dump could not be fetched");
		} else if (w->a->full_stacks && w->a->max_debug2) {
			static const char prefix[] = "debug=1 only: ";
			const char *reason = strncmp(why, prefix, sizeof(prefix) - 1) ? why : why + sizeof(prefix) - 1;

			diag(w, "event %s: no debug=2 dump: %s", w->store.stem, reason);
		}
	}
	if (w->s.vars_fresh) {
		r = watch_store_put(&w->store, "memstats", ".json", buf_str(&w->s.vars), w->s.vars.len, &e);
		if (r < 0) {
			diag(w, "%s", e.msg);
			goto abandon;
		}
	}
	/* The event's names and stem, before the commit hands the store over
	 * to the next event. */
	n_names = w->store.n_names;
	for (size_t i = 0; i < n_names; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", w->store.names[i]);
		name_ptrs[i] = names[i];
	}
	snprintf(stem, sizeof(stem), "%s", w->store.stem);
	ev = (struct watch_event){ x->wall, c, n, w->a->dir, stem, name_ptrs, n_names, w->width, w->url,
				   index_on ? &stacks : NULL };
	r = watch_render_meta(&ev, &meta);
	if (r == 0)
		r = watch_store_put(&w->store, "meta", ".json", buf_str(&meta), meta.len, &e);
	else
		err_set(&e, r, "event %s: cannot make its metadata", stem);
	if (r < 0) {
		diag(w, "%s", e.msg);
		goto abandon;
	}
	snprintf(names[n_names], sizeof(names[n_names]), "%s", w->store.names[n_names]);
	name_ptrs[n_names] = names[n_names];
	ev.n_files = n_names + 1;
	r = watch_store_commit(&w->store, &e);
	if (r < 0) {
		diag(w, "%s", e.msg);
		goto out;
	}
	w->events++;
	progress_clear(&w->prog);
	if (watch_render_event(&ev, w->a->format, w->out.f) < 0) {
		diag(w, "cannot write the event: %s", strerror(errno ? errno : EIO));
		w->failed = 1;
	}
	prune(w);
	r = 0;
	goto out;
abandon:
	if (r >= 0 && w->stop_signal)
		diag(w, "event %s abandoned: stopping", w->store.stem);
	watch_store_abort(&w->store);
	if (r > 0)
		r = 0;
out:
	buf_release(&body);
	buf_release(&meta);
	return r;
}

static void show_progress(struct watcher *w)
{
	char text[256];

	if (!w->prog.on)
		return;
	watch_progress_text(text, sizeof(text), w->samples, w->events, &w->state, w->x.has_goroutines, w->x.goroutines);
	progress_show(&w->prog, "preflight watch: %s", text);
}

/* Judges the latest sample and saves an event when it crosses. */
static void observe(struct watcher *w)
{
	struct watch_crossing c[WATCH_N_REASONS];
	bool was_recent = w->state.p.start_unix > 0;
	size_t n;

	to_sample(&w->s, &w->x);
	n = watch_observe(&w->state, &w->x, c);
	if (w->state.restarted)
		diag(w, "'%s' restarted (its GC count went back)%s", w->url,
		     was_recent ? "; gc-cpu is now the cumulative fraction" : "");
	/* A store that cannot be written is reported by capture() and the
	 * watch goes on: the next event may find the disk freed. */
	if (n)
		capture(w, c, n);
	show_progress(w);
}

/* The sampler's hook after each tick but the first. */
static bool on_tick(void *ctx, const struct sampler *s)
{
	struct watcher *w = ctx;
	const struct sampler_tick *t = &s->tick;

	w->samples++;
	if (t->mem_asked && t->mem_err)
		note_error(w, t->mono, t->mem_e.msg);
	if (t->index_asked && t->index_err)
		note_error(w, t->mono, t->index_e.msg);
	if (!(t->mem_asked && t->mem_err) && !(t->index_asked && t->index_err))
		note_success(w);
	observe(w);
	return w->failed || stop_pending(w) || (w->a->samples && w->samples >= w->a->samples);
}

/* The first sample decides what can be watched: a surface that does not
 * answer now (no expvar, no pprof) is not asked again. Returns 0, or
 * EXIT_USAGE when neither answers (EXIT_INTERNAL when libcurl is missing). */
static int first_sample(struct watcher *w)
{
	const struct sampler_tick *t = &w->s.tick;
	struct err e = { "" };
	int r = sampler_begin(&w->s, &e);

	if (r < 0 || (t->mem_err && t->index_err)) {
		diag(w, "%s", r < 0 ? e.msg : t->mem_e.msg);
		/* libcurl missing is no fault of the URL given */
		return r == -ELIBACC || t->mem_err == -ELIBACC ? EXIT_INTERNAL : EXIT_USAGE;
	}
	if (t->mem_err) {
		diag(w, "%s; heap-pressure and gc-cpu are not watched", t->mem_e.msg);
		sampler_drop(&w->s, SAMPLE_MEMSTATS | SAMPLE_KEEP_VARS);
	}
	if (t->index_err) {
		diag(w, "%s; goroutines are not watched and no profiles are saved", t->index_e.msg);
		sampler_drop(&w->s, SAMPLE_INDEX);
	}
	return 0;
}

static void describe_start(struct watcher *w)
{
	const struct watch_params *p = &w->state.p;
	bool vars_on = w->s.o.what & SAMPLE_MEMSTATS, index_on = w->s.o.what & SAMPLE_INDEX;
	struct buf line = BUF_INIT(4096);

	buf_printf(&line, "watching '%s' every %gms into '%s':", w->url, w->a->interval_s * 1000, w->a->dir);
	if (vars_on && p->heap_pressure > 0)
		buf_printf(&line, " heap-pressure >= %g (post-GC trough)", p->heap_pressure);
	if (vars_on && p->gc_cpu > 0)
		buf_printf(&line, " gc-cpu >= %g (%s)", p->gc_cpu,
			   p->start_unix > 0 ? "over the last window" : "cumulative; --pid gives the last window");
	if (index_on && p->goroutines > 0)
		buf_printf(&line, " goroutines >= %" PRIu64, p->goroutines);
	if (index_on && p->growth_per_s > 0)
		buf_printf(&line, " goroutine-growth >= %g/s", p->growth_per_s);
	if (index_on)
		buf_printf(&line, "; goroutine profiles debug=1%s", !w->a->full_stacks ? ""
					  : w->a->max_debug2 ? ", debug=2 below --max-debug2" : " (--max-debug2 0)");
	diag(w, "%s", buf_str(&line));
	buf_release(&line);
}

static int check_args(struct watch_args *a, const char *url)
{
	if (a->interval_s < MIN_INTERVAL_S)
		return cmd_usage_error("watch",
				       "--interval %gms is below 50ms: every sample stops the target's world (ReadMemStats)",
				       a->interval_s * 1000);
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return cmd_usage_error("watch", "'%s' is not an http:// or https:// URL", url);
	if (a->window_s < a->interval_s)
		return cmd_usage_error("watch", "--window must be at least one --interval");
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	struct watch_args a = {
		.format = "tty",
		.dir = "./preflight-watch",
		.interval_s = 0.2,
		.timeout_s = 2,
		.capture_timeout_s = 30,
		.max_debug2 = SAMPLER_MAX_DEBUG2,
		.keep = 20,
		.window_s = 10,
		.cooldown_s = 60,
	};
	struct watcher w = { .a = &a };
	struct watch_params p;
	struct err e = { "" };
	double deadline;
	bool store_open = false, state_ok = false, out_open = false, sampler_ok = false;
	int first, r, ret = EXIT_INTERNAL;

	/* The thresholds of the checks each trigger mirrors (the option
	 * table's help says the same numbers; test_watch.c holds them). */
	watch_params_defaults(&p);
	a.heap_pressure = p.heap_pressure;
	a.gc_cpu = p.gc_cpu;
	a.goroutines = p.goroutines;

	r = opts_parse(&cmd_watch_spec, argc, argv, &a, &first);
	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	r = cmd_http_trust("watch", a.cacert, a.insecure);
	if (r)
		return r;
	w.url = argv[first];
	r = check_args(&a, w.url);
	if (r)
		return r;
	p = (struct watch_params){
		.heap_pressure = a.heap_pressure,
		.gc_cpu = a.gc_cpu,
		.goroutines = a.goroutines,
		.growth_per_s = a.growth_per_s,
		.window_s = a.window_s,
		.cooldown_s = a.cooldown_s,
		.interval_s = a.interval_s,
	};
	progress_init(&w.prog);

	sigemptyset(&w.stopset);
	sigaddset(&w.stopset, SIGINT);
	sigaddset(&w.stopset, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &w.stopset, NULL) < 0) {
		diag(&w, "cannot block SIGINT and SIGTERM: %s", strerror(errno));
		goto out;
	}
	if (a.pid) {
		r = proc_start_unix("", a.pid, &p.start_unix, &e);
		if (r < 0) {
			diag(&w, "--pid %d: %s", (int)a.pid, e.msg);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	r = watch_store_open(&w.store, a.dir, (unsigned)a.keep, &e);
	if (r < 0) {
		diag(&w, "%s", e.msg);
		ret = EXIT_USAGE;
		goto out;
	}
	store_open = true;
	r = watch_state_init(&w.state, &p, &e);
	if (r < 0) {
		diag(&w, "%s", e.msg);
		ret = r == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
		goto out;
	}
	state_ok = true;
	if (output_open(&w.out, a.output, &e) < 0) {
		diag(&w, "%s", e.msg);
		ret = EXIT_USAGE;
		goto out;
	}
	out_open = true;
	{
		struct term t;

		term_detect(w.out.f, TERM_COLOR_NEVER, &t);
		w.width = !strcmp(a.format, "tty") ? t.width : 0;
	}
	{
		struct sampler_opts so = {
			.pprof = w.url,
			.vars = w.url,
			.what = SAMPLE_MEMSTATS | SAMPLE_INDEX | SAMPLE_KEEP_VARS,
			.timeout_ms = (long)ceil(a.timeout_s * 1000),
			.tick_s = a.interval_s,
		};
		struct sampler_hooks h = { &w, wait_until, on_tick, NULL };

		sampler_init(&w.s, &so, &h, NULL);
		sampler_ok = true;
	}

	r = first_sample(&w);
	if (r) {
		ret = r;
		goto out;
	}
	describe_start(&w);
	w.samples = 1;
	observe(&w);
	deadline = a.duration_s > 0 ? w.s.o.start + a.duration_s : INFINITY;
	if (!w.failed && !stop_pending(&w) && !(a.samples && w.samples >= a.samples))
		sampler_run(&w.s, deadline);
	diag(&w, "%s after %" PRIu64 " samples: %" PRIu64 " event%s, %" PRIu64 " failed requests",
	     w.stop_signal == SIGINT		? "stopped by SIGINT"
	     : w.stop_signal == SIGTERM		? "stopped by SIGTERM"
	     : w.failed				? "stopped: the output cannot be written"
	     : a.samples && w.samples >= a.samples ? "done (--samples)"
						   : "done (--duration)",
	     w.samples, w.events, w.events == 1 ? "" : "s", w.errs.total);
	out_open = false;
	if (w.failed) {
		output_abort(&w.out);
		goto out;
	}
	if (output_commit(&w.out, &e) < 0) {
		diag(&w, "%s", e.msg);
		goto out;
	}
	ret = EXIT_OK;
out:
	progress_clear(&w.prog);
	if (out_open)
		output_abort(&w.out);
	if (sampler_ok)
		sampler_release(&w.s);
	if (state_ok)
		watch_state_release(&w.state);
	if (store_open)
		watch_store_close(&w.store);
	return ret;
}
