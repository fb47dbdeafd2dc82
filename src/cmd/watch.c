/* preflight watch: Holmes from the outside. Samples a Go service's
 * memstats (/debug/vars) and goroutine count (the /debug/pprof/ index)
 * every interval, and when heap pressure, GC CPU or the goroutines cross a
 * threshold, saves a heap profile, a goroutine dump and the memstats to a
 * directory, one line per event on stdout (docs/watch.md).
 *
 * SIGINT and SIGTERM stay blocked for the whole run and are taken with
 * sigtimedwait() as the wait between ticks, and looked for with
 * sigpending() between the fetches of an event: a signal is never lost
 * between a check and a sleep, no handler runs inside libcurl, and a stop
 * costs at most the fetch under way (bounded by its timeout). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/parse.h"
#include "cmd/cmd.h"
#include "io/fetch.h"
#include "goruntime/pprof_index.h"
#include "goruntime/profiles.h"
#include "io/watch_store.h"
#include "collect/procfs.h"
#include "check/watch_trigger.h"
#include "collect/endpoints.h"

/* Every /debug/vars request runs runtime.ReadMemStats, a stop-the-world:
 * sampling faster than this is a cost on the target we refuse to impose. */
#define MIN_INTERVAL_S 0.05
/* At most one line about failing samples per this many seconds. */
#define ERROR_REPORT_EVERY_S 10.0
/* /debug/vars with the memstats and whatever else the service publishes. */
#define VARS_MAX FETCH_SMALL_MAX

struct watch_args {
	const char *url;
	const char *dir;
	double interval_s, timeout_s, capture_timeout_s, duration_s;
	uint64_t count, max_debug2;
	unsigned keep;
	pid_t pid;
	struct watch_params p;
};

struct error_limit {
	uint64_t total, unreported;
	double last_print;            /* monotonic; 0 = never printed */
	bool outage;                  /* an error line was printed, no success since */
};

struct watcher {
	const struct watch_args *a;
	char vars_url[512];
	bool vars_on, index_on;
	struct buf vars;              /* the latest /debug/vars body */
	bool vars_fresh;              /* ... and it is from the latest sample */
	struct watch_store store;
	struct watch_state state;
	struct error_limit errs;
	sigset_t stopset;
	int stop_signal;
	uint64_t samples, events;
};

static void watch_usage(FILE *out)
{
	fprintf(out,
		"usage: preflight watch [options] URL\n"
		"\n"
		"Watches a Go service through its debug listener (URL, e.g. http://127.0.0.1:6060,\n"
		"serving expvar and net/http/pprof). When heap pressure, GC CPU or the goroutine\n"
		"count crosses its threshold, saves a heap profile, a goroutine dump and the\n"
		"memstats to DIR and prints one line. Runs until SIGINT or SIGTERM.\n"
		"\n"
		"  -i, --interval D         sample every D (default 200ms; at least 50ms)\n"
		"  -d, --dir DIR            save events here (default ./preflight-watch)\n"
		"      --heap-pressure R    HeapAlloc/NextGC at or above R (default 0.85; 0 = off)\n"
		"      --gc-cpu F           GC share of the CPU at or above F (default 0.25; 0 = off)\n"
		"      --goroutines N       goroutine count at or above N (default 10000; 0 = off)\n"
		"      --goroutine-growth N goroutines per second over a full --window (default 0 = off)\n"
		"      --window D           span of the growth rate and of the recent GC CPU (default 10s)\n"
		"  -p, --pid PID            the service's pid: judge the GC CPU of the last window\n"
		"                           (weighted by uptime) instead of the cumulative fraction\n"
		"      --max-debug2 N       add a debug=2 goroutine dump only below N goroutines\n"
		"                           (default 20000; 0 = never)\n"
		"      --cooldown D         no second event for one reason within D (default 60s)\n"
		"      --keep N             keep the files of the last N events (default 20; 0 = all)\n"
		"  -t, --timeout D          timeout of each sample's requests (default 2s)\n"
		"      --capture-timeout D  timeout of each profile saved (default 30s)\n"
		"      --count N            stop after N samples\n"
		"      --duration D         stop after D\n"
		"\n"
		"Durations take ms, s, m or h (a bare number is seconds). Exit status: 0 when\n"
		"stopped (by a signal, --count or --duration), 2 on a usage error or when the\n"
		"target never answered, 3 on an internal error.\n");
}

#define fail_usage(...) cmd_usage_error("watch", __VA_ARGS__)

static int parse_ratio(const char *s, double *ret)
{
	double v;

	if (parse_double(s, &v) < 0 || !(v >= 0 && v <= 1e9))
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct watch_args *a)
{
	enum {
		OPT_HEAP = 256, OPT_GC_CPU, OPT_GOROUTINES, OPT_GROWTH, OPT_WINDOW, OPT_MAX_DEBUG2,
		OPT_COOLDOWN, OPT_KEEP, OPT_CAPTURE_TIMEOUT, OPTW_COUNT, OPTW_DURATION,
	};
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "dir", required_argument, NULL, 'd' },
		{ "heap-pressure", required_argument, NULL, OPT_HEAP },
		{ "gc-cpu", required_argument, NULL, OPT_GC_CPU },
		{ "goroutines", required_argument, NULL, OPT_GOROUTINES },
		{ "goroutine-growth", required_argument, NULL, OPT_GROWTH },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "pid", required_argument, NULL, 'p' },
		{ "max-debug2", required_argument, NULL, OPT_MAX_DEBUG2 },
		{ "cooldown", required_argument, NULL, OPT_COOLDOWN },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "timeout", required_argument, NULL, 't' },
		{ "capture-timeout", required_argument, NULL, OPT_CAPTURE_TIMEOUT },
		{ "count", required_argument, NULL, OPTW_COUNT },
		{ "duration", required_argument, NULL, OPTW_DURATION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "i:d:p:t:h", opts, NULL)) != -1) {
		uint64_t u;
		double d;

		switch (c) {
		case 'i':
			if (parse_duration(optarg, &a->interval_s) < 0 || a->interval_s > 3600)
				return fail_usage("--interval takes a duration up to 1h, not '%s'", optarg);
			if (a->interval_s < MIN_INTERVAL_S)
				return fail_usage("--interval %s is below 50ms: every sample stops the target's "
						  "world (ReadMemStats)", optarg);
			break;
		case 'd':
			if (!optarg[0])
				return fail_usage("%s", "--dir takes a directory");
			a->dir = optarg;
			break;
		case OPT_HEAP:
			if (parse_ratio(optarg, &a->p.heap_pressure) < 0)
				return fail_usage("--heap-pressure takes a ratio (0.85), not '%s'", optarg);
			break;
		case OPT_GC_CPU:
			if (parse_ratio(optarg, &a->p.gc_cpu) < 0 || a->p.gc_cpu > 1)
				return fail_usage("--gc-cpu takes a fraction from 0 to 1, not '%s'", optarg);
			break;
		case OPT_GOROUTINES:
			if (parse_u64(optarg, &a->p.goroutines) < 0)
				return fail_usage("--goroutines takes a count, not '%s'", optarg);
			break;
		case OPT_GROWTH:
			if (parse_ratio(optarg, &a->p.growth_per_s) < 0)
				return fail_usage("--goroutine-growth takes goroutines per second, not '%s'", optarg);
			break;
		case OPT_WINDOW:
			if (parse_duration(optarg, &a->p.window_s) < 0 || a->p.window_s > 86400)
				return fail_usage("--window takes a duration up to 24h, not '%s'", optarg);
			break;
		case 'p':
			if (parse_u64(optarg, &u) < 0 || u == 0 || u > INT32_MAX)
				return fail_usage("'%s' is not a process id", optarg);
			a->pid = (pid_t)u;
			break;
		case OPT_MAX_DEBUG2:
			if (parse_u64(optarg, &a->max_debug2) < 0)
				return fail_usage("--max-debug2 takes a count, not '%s'", optarg);
			break;
		case OPT_COOLDOWN:
			if (parse_duration(optarg, &a->p.cooldown_s) < 0)
				return fail_usage("--cooldown takes a duration, not '%s'", optarg);
			break;
		case OPT_KEEP:
			if (parse_u64(optarg, &u) < 0 || u > 1000000)
				return fail_usage("--keep takes a count up to 1000000, not '%s'", optarg);
			a->keep = (unsigned)u;
			break;
		case 't':
		case OPT_CAPTURE_TIMEOUT:
			if (parse_duration(optarg, &d) < 0 || d < 0.001 || d > 3600)
				return fail_usage("--%s takes a duration from 1ms to 1h, not '%s'",
						  c == 't' ? "timeout" : "capture-timeout", optarg);
			*(c == 't' ? &a->timeout_s : &a->capture_timeout_s) = d;
			break;
		case OPTW_COUNT:
			if (parse_u64(optarg, &a->count) < 0 || a->count == 0)
				return fail_usage("--count takes a count of samples above 0, not '%s'", optarg);
			break;
		case OPTW_DURATION:
			if (parse_duration(optarg, &a->duration_s) < 0 || a->duration_s == 0)
				return fail_usage("--duration takes a duration above 0, not '%s'", optarg);
			break;
		case 'h':
			watch_usage(stdout);
			return -1;
		default:
			watch_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return fail_usage("%s", "which service? give the URL of its debug listener (http://127.0.0.1:6060)");
	if (optind + 1 < argc)
		return fail_usage("unexpected argument '%s'", argv[optind + 1]);
	a->url = argv[optind];
	if (strncmp(a->url, "http://", 7) && strncmp(a->url, "https://", 8))
		return fail_usage("'%s' is not an http:// or https:// URL", a->url);
	if (a->p.window_s < a->interval_s)
		return fail_usage("--window must be at least one --interval");
	return 0;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

/* Sleeps until the monotonic time `until`, or until a stop signal.
 * Returns true when a signal ended the wait. */
static bool wait_until(struct watcher *w, double until)
{
	for (;;) {
		double left = until - mono_now();
		struct timespec ts;
		int s;

		if (left <= 0)
			return false;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		s = sigtimedwait(&w->stopset, NULL, &ts);
		if (s > 0) {
			w->stop_signal = s;
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
		fprintf(stderr, "preflight watch: %s (and %" PRIu64 " more failed requests since the last report)\n",
			msg, l->unreported);
	else
		fprintf(stderr, "preflight watch: %s\n", msg);
	l->unreported = 0;
	l->last_print = now;
	l->outage = true;
}

static void note_success(struct watcher *w)
{
	if (!w->errs.outage)
		return;
	w->errs.outage = false;
	fprintf(stderr, "preflight watch: '%s' answers again (%" PRIu64 " failed requests so far)\n", w->a->url,
		w->errs.total);
}

/* One sample: the memstats and the goroutine count. *ret_vars and
 * *ret_index get each surface's result, ev and ei their messages. */
static void take_sample(struct watcher *w, struct watch_sample *x, int *ret_vars, int *ret_index, struct err *ev,
			struct err *ei)
{
	struct fetch_opts o = { .timeout_ms = (long)(w->a->timeout_s * 1000), .max_bytes = VARS_MAX };
	int rv = 0, ri = 0;

	memset(x, 0, sizeof(*x));
	x->t = mono_now();
	x->wall = wall_now();
	w->vars_fresh = false;
	if (w->vars_on) {
		struct go_memstats ms;

		memset(&ms, 0, sizeof(ms));
		rv = go_fetch(w->vars_url, &o, &w->vars, ev);
		if (rv == 0) {
			struct err pe = { "" };

			rv = memstats_from_expvar(buf_str(&w->vars), w->vars.len, &ms, &pe);
			if (rv < 0)
				err_set(ev, rv, "'%s': %s", w->vars_url, pe.msg);
		}
		if (rv == 0) {
			w->vars_fresh = true;
			x->has_mem = true;
			x->heap_alloc = ms.heap_alloc;
			x->next_gc = ms.next_gc;
			x->num_gc = ms.num_gc;
			x->last_gc_ns = ms.last_gc_ns;
			x->gc_cpu_fraction = ms.has_gc_cpu_fraction ? ms.gc_cpu_fraction : 0;
		}
	}
	if (w->index_on) {
		struct pprof_index idx;

		ri = pprof_index_fetch(w->a->url, (long)(w->a->timeout_s * 1000), &idx, ei);
		if (ri == 0) {
			x->has_goroutines = true;
			x->goroutines = idx.goroutine.n;
		}
	}
	*ret_vars = rv;
	*ret_index = ri;
}

/* RFC 3339 UTC to the second: "2026-11-26T10:00:00Z". */
static void format_utc(double wall, char *out, size_t n)
{
	time_t secs = (time_t)floor(wall);
	struct tm tm;

	if (!gmtime_r(&secs, &tm) || !strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, n, "%.0f", wall);
}

static void format_crossing(const struct watch_crossing *c, struct buf *line)
{
	const char *name = watch_reason_name(c->reason);

	switch (c->reason) {
	case WATCH_GOROUTINES:
		buf_printf(line, "%s %.0f >= %.0f", name, c->value, c->threshold);
		break;
	case WATCH_GOROUTINE_GROWTH:
		buf_printf(line, "%s %.0f/s >= %g/s", name, c->value, c->threshold);
		break;
	default:
		buf_printf(line, "%s %.2f >= %g", name, c->value, c->threshold);
		break;
	}
}

/* Fetches one profile into the event under construction. Returns 0 when
 * saved, 1 when skipped (fetch failed, reported), <0 on a store error. */
static int save_profile(struct watcher *w, const char *path, const char *kind, const char *suffix,
			struct buf *body)
{
	struct fetch_opts o = { .timeout_ms = (long)(w->a->capture_timeout_s * 1000), .max_bytes = FETCH_PROFILE_MAX };
	char url[600];
	struct err e = { "" };
	int r;

	if (go_url(url, sizeof(url), w->a->url, path) < 0) {
		fprintf(stderr, "preflight watch: '%s%s': URL too long\n", w->a->url, path);
		return 1;
	}
	r = go_fetch(url, &o, body, &e);
	if (r < 0) {
		fprintf(stderr, "preflight watch: event %s: %s\n", w->store.stem, e.msg);
		return 1;
	}
	/* The runtime gzips debug=0 profiles itself; should something on the
	 * way have undone that, the file says so by its name. */
	if (suffix && !strcmp(suffix, ".pb.gz") && !(body->len >= 2 && (unsigned char)body->data[0] == 0x1f &&
						       (unsigned char)body->data[1] == 0x8b))
		suffix = ".pb";
	r = watch_store_put(&w->store, kind, suffix, body->data ? body->data : "", body->len, &e);
	if (r < 0)
		fprintf(stderr, "preflight watch: %s\n", e.msg);
	return r;
}

/* Saves one event for the crossings of sample x. Returns 0 (saved, or
 * abandoned for a stop signal) or a negative errno on a store error. */
static int capture(struct watcher *w, const struct watch_sample *x, const struct watch_crossing *c, size_t n)
{
	struct buf body = BUF_INIT(FETCH_PROFILE_MAX), line = BUF_INIT(1u << 16);
	struct err e = { "" };
	char stamp[32];
	int r;

	r = watch_store_begin(&w->store, x->wall, watch_reason_name(c[0].reason), &e);
	if (r < 0) {
		fprintf(stderr, "preflight watch: %s\n", e.msg);
		goto out;
	}
	if (w->index_on) {
		r = save_profile(w, "/debug/pprof/heap", "heap", ".pb.gz", &body);
		if (r < 0 || stop_pending(w))
			goto abandon;
		r = save_profile(w, "/debug/pprof/goroutine?debug=1", "goroutine", ".txt", &body);
		if (r < 0 || stop_pending(w))
			goto abandon;
		/* debug=2 stops the target's world for as long as it takes to
		 * print every stack: only when the cheap count says it is small. */
		if (x->has_goroutines && x->goroutines < w->a->max_debug2) {
			r = save_profile(w, "/debug/pprof/goroutine?debug=2", "goroutine", ".debug2.txt", &body);
			if (r < 0 || stop_pending(w))
				goto abandon;
		} else if (w->a->max_debug2 && x->has_goroutines) {
			fprintf(stderr, "preflight watch: event %s: no debug=2 dump: %" PRIu64 " goroutines >= --max-debug2 %" PRIu64 "\n",
				w->store.stem, x->goroutines, w->a->max_debug2);
		} else if (w->a->max_debug2) {
			fprintf(stderr, "preflight watch: event %s: no debug=2 dump: the goroutine count is unknown\n",
				w->store.stem);
		}
	}
	if (w->vars_fresh) {
		r = watch_store_put(&w->store, "memstats", ".json", buf_str(&w->vars), w->vars.len, &e);
		if (r < 0) {
			fprintf(stderr, "preflight watch: %s\n", e.msg);
			goto abandon;
		}
	}

	format_utc(x->wall, stamp, sizeof(stamp));
	buf_printf(&line, "%s ", stamp);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(&line, ", ");
		format_crossing(&c[i], &line);
	}
	buf_puts(&line, ": saved");
	if (!w->store.n_names)
		buf_puts(&line, " nothing");
	for (size_t i = 0; i < w->store.n_names; i++)
		buf_printf(&line, " %s", w->store.names[i]);
	r = watch_store_commit(&w->store, &e);
	if (r < 0) {
		fprintf(stderr, "preflight watch: %s\n", e.msg);
		goto out;
	}
	printf("%s\n", buf_str(&line));
	fflush(stdout);
	w->events++;
	{
		size_t removed = 0;

		if (watch_store_prune(&w->store, &removed, &e) < 0)
			fprintf(stderr, "preflight watch: %s\n", e.msg);
		else if (removed)
			fprintf(stderr, "preflight watch: removed the files of %zu old event%s (--keep %u)\n", removed,
				removed == 1 ? "" : "s", w->a->keep);
	}
	r = 0;
	goto out;
abandon:
	if (r >= 0 && w->stop_signal)
		fprintf(stderr, "preflight watch: event %s abandoned: stopping\n", w->store.stem);
	watch_store_abort(&w->store);
	if (r > 0)
		r = 0;
out:
	buf_release(&body);
	buf_release(&line);
	return r;
}

/* The first sample decides what can be watched: a surface that does not
 * answer now (no expvar, no pprof) is not asked again. Returns 0, or
 * EXIT_USAGE when neither answers. */
static int first_sample(struct watcher *w, struct watch_sample *x)
{
	struct err ev = { "" }, ei = { "" };
	int rv, ri;

	take_sample(w, x, &rv, &ri, &ev, &ei);
	if (rv < 0 && ri < 0) {
		fprintf(stderr, "preflight watch: %s\n", ev.msg);
		return EXIT_USAGE;
	}
	if (rv < 0) {
		fprintf(stderr, "preflight watch: %s; heap-pressure and gc-cpu are not watched\n", ev.msg);
		w->vars_on = false;
	}
	if (ri < 0) {
		fprintf(stderr, "preflight watch: %s; goroutines are not watched and no profiles are saved\n", ei.msg);
		w->index_on = false;
	}
	return 0;
}

static void describe_start(const struct watcher *w)
{
	const struct watch_params *p = &w->a->p;

	fprintf(stderr, "preflight watch: watching '%s' every %gms into '%s':", w->a->url, w->a->interval_s * 1000,
		w->a->dir);
	if (w->vars_on && p->heap_pressure > 0)
		fprintf(stderr, " heap-pressure >= %g", p->heap_pressure);
	if (w->vars_on && p->gc_cpu > 0)
		fprintf(stderr, " gc-cpu >= %g (%s)", p->gc_cpu,
			w->state.p.start_unix > 0 ? "over the last window" : "cumulative; --pid gives the last window");
	if (w->index_on && p->goroutines > 0)
		fprintf(stderr, " goroutines >= %" PRIu64, p->goroutines);
	if (w->index_on && p->growth_per_s > 0)
		fprintf(stderr, " goroutine-growth >= %g/s", p->growth_per_s);
	fprintf(stderr, "\n");
}

static void observe(struct watcher *w, const struct watch_sample *x)
{
	struct watch_crossing c[WATCH_N_REASONS];
	bool was_recent = w->state.p.start_unix > 0;
	size_t n = watch_observe(&w->state, x, c);

	if (w->state.restarted)
		fprintf(stderr, "preflight watch: '%s' restarted (its GC count went back)%s\n", w->a->url,
			was_recent ? "; gc-cpu is now the cumulative fraction" : "");
	/* A store that cannot be written is reported by capture() and the
	 * watch goes on: the next event may find the disk freed. */
	if (n)
		capture(w, x, c, n);
}

int cmd_watch(int argc, char **argv)
{
	struct watch_args a = {
		.dir = "./preflight-watch",
		.interval_s = 0.2,
		.timeout_s = 2,
		.capture_timeout_s = 30,
		.max_debug2 = 20000,
		.keep = 20,
		.p = { .heap_pressure = 0.85, .gc_cpu = 0.25, .goroutines = 10000, .window_s = 10, .cooldown_s = 60 },
	};
	struct watcher w = { .a = &a, .vars_on = true, .index_on = true, .vars = BUF_INIT(VARS_MAX) };
	struct watch_sample x;
	struct err e = { "" };
	double t0, deadline;
	bool store_open = false, state_ok = false;
	int r, ret = EXIT_INTERNAL;

	r = parse_args(argc, argv, &a);
	if (r)
		return r < 0 ? EXIT_OK : r;
	a.p.interval_s = a.interval_s;

	sigemptyset(&w.stopset);
	sigaddset(&w.stopset, SIGINT);
	sigaddset(&w.stopset, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &w.stopset, NULL) < 0) {
		fprintf(stderr, "preflight watch: cannot block SIGINT and SIGTERM: %s\n", strerror(errno));
		goto out;
	}

	if (a.pid) {
		r = proc_start_unix("", a.pid, &a.p.start_unix, &e);
		if (r < 0) {
			fprintf(stderr, "preflight watch: --pid %d: %s\n", (int)a.pid, e.msg);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (go_url(w.vars_url, sizeof(w.vars_url), a.url, "/debug/vars") < 0) {
		ret = fail_usage("'%.64s...': URL too long", a.url);
		goto out;
	}
	r = watch_store_open(&w.store, a.dir, a.keep, &e);
	if (r < 0) {
		fprintf(stderr, "preflight watch: %s\n", e.msg);
		ret = EXIT_USAGE;
		goto out;
	}
	store_open = true;
	r = watch_state_init(&w.state, &a.p, &e);
	if (r < 0) {
		fprintf(stderr, "preflight watch: %s\n", e.msg);
		ret = r == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
		goto out;
	}
	state_ok = true;

	t0 = mono_now();
	deadline = a.duration_s > 0 ? t0 + a.duration_s : INFINITY;
	r = first_sample(&w, &x);
	if (r) {
		ret = r;
		goto out;
	}
	describe_start(&w);
	w.samples = 1;
	observe(&w, &x);

	for (;;) {
		double now = mono_now(), next;
		struct err ev = { "" }, ei = { "" };
		int rv, ri;

		if (stop_pending(&w) || (a.count && w.samples >= a.count) || now >= deadline)
			break;
		/* Ticks stay on the grid from t0; a sample that overran skips
		 * the ticks it covered rather than bunching them. */
		next = t0 + (floor((now - t0) / a.interval_s) + 1) * a.interval_s;
		if (wait_until(&w, next < deadline ? next : deadline))
			break;
		if (mono_now() >= deadline)
			break;
		take_sample(&w, &x, &rv, &ri, &ev, &ei);
		w.samples++;
		if (rv < 0)
			note_error(&w, x.t, ev.msg);
		if (ri < 0)
			note_error(&w, x.t, ei.msg);
		if (rv == 0 && ri == 0)
			note_success(&w);
		observe(&w, &x);
	}
	fprintf(stderr, "preflight watch: %s after %" PRIu64 " samples: %" PRIu64 " event%s, %" PRIu64
			" failed requests\n",
		w.stop_signal == SIGINT	   ? "stopped by SIGINT"
		: w.stop_signal == SIGTERM ? "stopped by SIGTERM"
		: a.count && w.samples >= a.count ? "done (--count)"
						  : "done (--duration)",
		w.samples, w.events, w.events == 1 ? "" : "s", w.errs.total);
	ret = fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
out:
	if (state_ok)
		watch_state_release(&w.state);
	if (store_open)
		watch_store_close(&w.store);
	buf_release(&w.vars);
	return ret;
}

/* Placeholder until this command's options move into its table. */
static const struct opt watch_opts_pending[] = { OPT_END_ENTRY };
const struct command_spec cmd_watch_spec = {
	.name = "watch",
	.summary = "watch",
	.synopsis = "[options]",
	.description = "",
	.exit_status = "",
	.opts = watch_opts_pending,
};
