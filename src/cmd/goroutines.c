/* preflight goroutines: goroutine dumps grouped by stack, snapshots
 * compared, leak suspects named with their pattern and fix
 * (docs/goroutines.md). Offline on saved dumps, or live against a
 * service's net/http/pprof listener. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fileio.h"
#include "check/leak.h"
#include "base/buf.h"
#include "base/json_text.h"
#include "base/parse.h"
#include "cmd/cmd.h"
#include "io/fetch.h"
#include "goruntime/goroutine.h"
#include "goruntime/profiles.h"
#include "goruntime/pprof_index.h"
#include "collect/endpoints.h"
#include "collect/source_lines.h"

#define SAMPLES_DEFAULT 3
#define INTERVAL_DEFAULT_MS 2000
#define MAX_DEBUG2_DEFAULT 20000
#define FRAMES_DEFAULT 3
#define TOP_DEFAULT 20
#define TIMEOUT_DEFAULT_MS 5000
/* A debug=2 dump stops the target's world while it is written: give it
 * longer than the cheap requests, but not for ever. */
#define DEBUG2_TIMEOUT_MIN_MS 30000
#define MAX_INPUTS 64

struct gr_args {
	bool json;
	unsigned samples;
	long interval_ms, timeout_ms;
	uint64_t max_debug2, min_growth, wait_minutes;
	size_t frames, top;
	char **inputs;
	size_t n_inputs;
	bool url;
	const char *source_root;  /* NULL: never read the program's source */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: preflight goroutines [options] URL|FILE...\n"
		"\n"
		"Groups goroutine dumps by stack, biggest first. With several snapshots (a URL\n"
		"sampled --samples times, or two or more saved dumps, oldest first) it shows each\n"
		"stack's count in each and names the leak suspects: stacks whose count only grows,\n"
		"and goroutines blocked for longer than --wait-minutes, each with its leak\n"
		"pattern and the fix.\n"
		"\n"
		"  -f, --format FORMAT    tty (default) or json (docs/goroutines.md)\n"
		"  -n, --samples N        snapshots to take from a URL (default %d)\n"
		"  -i, --interval D       time between them: 500ms, 2s, 1m (default 2s)\n"
		"      --min-growth N     a suspect grows by at least N goroutines (default %d from a\n"
		"                         URL, as preflight check; %d across saved dumps)\n"
		"      --wait-minutes N   a goroutine blocked this long is a suspect (default %d)\n"
		"      --max-debug2 N     fetch one debug=2 dump (states, wait times) only below N\n"
		"                         goroutines (default %d; 0 = never; the dump stops the service)\n"
		"      --frames N         frames shown per group (tty; default %d)\n"
		"      --top N            groups shown (tty; default %d; 0 = all)\n"
		"  -t, --timeout SECONDS  timeout of each request (default 5; debug=2 gets at least 30)\n"
		"      --source-root DIR  read the program's .go files under DIR to tell a ticker loop from\n"
		"                         a plain receive (default: at the paths the dump names)\n"
		"      --no-source        never read source files\n"
		"\n"
		"URL: a listener serving net/http/pprof (http://127.0.0.1:6060) or its goroutine\n"
		"profile URL. FILE: a debug=1 or debug=2 dump, or a crash log; '-' is stdin.\n"
		"Exit status: 0 no suspect, 1 suspects found, 2 usage or input error (unreadable\n"
		"file, not a goroutine dump, HTML, 404, timeout), 3 internal error.\n",
		SAMPLES_DEFAULT, GR_LIVE_MIN_GROWTH, GR_DEFAULT_MIN_GROWTH, GR_DEFAULT_WAIT_MINUTES, MAX_DEBUG2_DEFAULT, FRAMES_DEFAULT,
		TOP_DEFAULT);
}

#define fail(...) cmd_usage_error("goroutines", __VA_ARGS__)

static int parse_count(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *ret)
{
	if (parse_u64(s, ret) < 0 || *ret < lo || *ret > hi)
		return fail("--%s takes a count between %llu and %llu, not '%s'", opt, (unsigned long long)lo,
			    (unsigned long long)hi, s);
	return 0;
}

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* 0 to go on, -1 after --help, or an exit code. */
static int parse_args(int argc, char **argv, struct gr_args *a)
{
	enum { OPT_MIN_GROWTH = 256, OPT_WAIT, OPT_MAX_DEBUG2, OPT_FRAMES, OPT_TOP, OPT_SOURCE_ROOT, OPT_NO_SOURCE };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "samples", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "min-growth", required_argument, NULL, OPT_MIN_GROWTH },
		{ "wait-minutes", required_argument, NULL, OPT_WAIT },
		{ "max-debug2", required_argument, NULL, OPT_MAX_DEBUG2 },
		{ "frames", required_argument, NULL, OPT_FRAMES },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "source-root", required_argument, NULL, OPT_SOURCE_ROOT },
		{ "no-source", no_argument, NULL, OPT_NO_SOURCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t u;
	double d;
	int c;

	while ((c = getopt_long(argc, argv, "f:n:i:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				a->json = true;
			else if (!strcmp(optarg, "tty"))
				a->json = false;
			else
				return fail("unknown format '%s' (tty, json)", optarg);
			break;
		case 'n':
			if (parse_count("samples", optarg, 1, 1000, &u))
				return EXIT_USAGE;
			a->samples = (unsigned)u;
			break;
		case 'i':
			if (parse_duration(optarg, &d) < 0 || d > 3600)
				return fail("--interval takes a duration up to 1h (500ms, 2s, 1m), not '%s'", optarg);
			a->interval_ms = (long)llround(d * 1000);
			break;
		case 't':
			if (parse_double(optarg, &d) < 0 || !(d > 0 && d <= 600))
				return fail("--timeout takes seconds between 0 and 600, not '%s'", optarg);
			a->timeout_ms = (long)ceil(d * 1000);
			break;
		case OPT_MIN_GROWTH:
			if (parse_count("min-growth", optarg, 1, UINT32_MAX, &a->min_growth))
				return EXIT_USAGE;
			break;
		case OPT_WAIT:
			if (parse_count("wait-minutes", optarg, 1, 1000000, &a->wait_minutes))
				return EXIT_USAGE;
			break;
		case OPT_MAX_DEBUG2:
			if (parse_count("max-debug2", optarg, 0, UINT64_MAX, &a->max_debug2))
				return EXIT_USAGE;
			break;
		case OPT_FRAMES:
			if (parse_count("frames", optarg, 0, 1000, &u))
				return EXIT_USAGE;
			a->frames = (size_t)u;
			break;
		case OPT_TOP:
			if (parse_count("top", optarg, 0, 1000000, &u))
				return EXIT_USAGE;
			a->top = (size_t)u;
			break;
		case OPT_SOURCE_ROOT:
			a->source_root = optarg;
			break;
		case OPT_NO_SOURCE:
			a->source_root = NULL;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			fprintf(stderr, "see 'preflight goroutines --help'\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return fail("give a URL or one or more dump files; see 'preflight goroutines --help'");
	a->inputs = argv + optind;
	a->n_inputs = (size_t)(argc - optind);
	if (a->n_inputs > MAX_INPUTS)
		return fail("at most %d dump files", MAX_INPUTS);
	a->url = is_url(a->inputs[0]);
	for (size_t i = 1; i < a->n_inputs; i++)
		if (is_url(a->inputs[i]) != a->url || a->url)
			return fail("give one URL, or dump files only");
	return 0;
}

static double now_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- inputs -------------------------------------------------------------- */

static int read_dump_file(const char *path, struct gr_snapshot *s, struct err *e)
{
	FILE *f;
	int r;

	if (!strcmp(path, "-"))
		return gr_parse_stream(fileio_stream_read, stdin, "-", s, e);
	f = fopen(path, "re");
	if (!f)
		return err_errno(e, -errno, "cannot open '%s'", path);
	r = gr_parse_stream(fileio_stream_read, f, path, s, e);
	fclose(f);
	return r;
}

/* The base of a pprof listener from what the user gave: the listener
 * itself, its index page, or a goroutine profile URL. */
static int url_base(const char *in, char *base, size_t n)
{
	const char *pp = strstr(in, "/debug/pprof");
	size_t len = pp ? (size_t)(pp - in) : strcspn(in, "?#");

	if (len >= n)
		return -ENAMETOOLONG;
	memcpy(base, in, len);
	base[len] = '\0';
	return 0;
}

/* The goroutine count, asked where it costs the service nothing: the
 * pprof index page, else go_goroutines on /metrics. 0 when neither says. */
static uint64_t cheap_count(const char *base, long timeout_ms, const char **how)
{
	struct pprof_index ix;
	struct err e = { "" };
	struct fetch_opts o = { timeout_ms, 0, false };
	struct buf body = BUF_INIT(FETCH_SMALL_MAX);
	struct prom_doc d = { 0 };
	const struct prom_sample *g;
	char url[2048];
	uint64_t n = 0;

	if (pprof_index_fetch(base, timeout_ms, &ix, &e) == 0 && ix.goroutine.ok) {
		*how = "the pprof index page";
		return ix.goroutine.n;
	}
	if (go_url(url, sizeof(url), base, "/metrics") == 0 && go_fetch(url, &o, &body, &e) == 0 &&
	    prom_parse(body.data, body.len, &d, &e) == 0 && (g = prom_find(&d, "go_goroutines", NULL)) &&
	    g->value >= 0 && g->value < 1e15) {
		*how = "go_goroutines";
		n = (uint64_t)g->value;
	}
	prom_doc_release(&d);
	buf_release(&body);
	return n;
}

static int fetch_snapshot(const char *base, int debug, long timeout_ms, struct gr_snapshot *s, struct err *e)
{
	struct fetch_opts o = { timeout_ms, debug == 2 ? FETCH_PROFILE_MAX : FETCH_SMALL_MAX, false };
	struct buf body = BUF_INIT(o.max_bytes);
	char url[2048];
	int r;

	r = go_url(url, sizeof(url), base, debug == 2 ? "/debug/pprof/goroutine?debug=2" : "/debug/pprof/goroutine?debug=1");
	if (r < 0) {
		r = err_set(e, r, "'%.64s...': URL too long", base);
		goto out;
	}
	r = go_fetch(url, &o, &body, e);
	if (r < 0)
		goto out;
	r = gr_parse(body.data ? body.data : "", body.len, url, s, e);
	if (r == 0)
		s->taken_at = now_realtime();
out:
	buf_release(&body);
	return r;
}

static void sleep_until(const struct timespec *t)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) == EINTR)
		;
}

/* Samples the listener: counts from debug=1, and when the service is small
 * enough a debug=2 dump before the first sample (to confirm growth: see
 * gr_leak_params.detail_first) and one after the last (states and waits). */
static int sample_url(const struct gr_args *a, struct gr_snapshot *snaps, size_t *n_snaps, struct gr_snapshot *detail,
		      bool *has_detail, struct gr_snapshot *first, bool *has_first, struct err *e)
{
	char base[2048];
	const char *how = NULL;
	uint64_t count;
	struct timespec next;
	long d2_timeout = a->timeout_ms > DEBUG2_TIMEOUT_MIN_MS ? a->timeout_ms : DEBUG2_TIMEOUT_MIN_MS;
	int r;

	if (url_base(a->inputs[0], base, sizeof(base)) < 0)
		return err_set(e, -ENAMETOOLONG, "'%.64s...': URL too long", a->inputs[0]);
	count = cheap_count(base, a->timeout_ms, &how);
	if (count && count < a->max_debug2 && a->samples > 1) {
		struct err e2 = { "" };

		*has_first = fetch_snapshot(base, 2, d2_timeout, first, &e2) == 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned i = 0; i < a->samples; i++) {
		if (i) {
			next.tv_sec += a->interval_ms / 1000;
			next.tv_nsec += (a->interval_ms % 1000) * 1000000L;
			if (next.tv_nsec >= 1000000000L) {
				next.tv_sec++;
				next.tv_nsec -= 1000000000L;
			}
			sleep_until(&next);
		}
		r = fetch_snapshot(base, 1, a->timeout_ms, &snaps[i], e);
		if (r < 0)
			return r;
		(*n_snaps)++;
	}
	if (!how)
		how = "the first debug=1 profile";
	/* The latest word on the count decides: it may have climbed. */
	if (snaps[*n_snaps - 1].total > count)
		count = snaps[*n_snaps - 1].total;
	if (count >= a->max_debug2) {
		fprintf(stderr,
			"preflight goroutines: %llu goroutines (from %s): no debug=2 dump above --max-debug2 %llu, "
			"so no states or wait times\n",
			(unsigned long long)count, how, (unsigned long long)a->max_debug2);
		return 0;
	}
	{
		struct err e2 = { "" };

		r = fetch_snapshot(base, 2, d2_timeout, detail, &e2);
		if (r < 0) {
			fprintf(stderr, "preflight goroutines: no debug=2 dump, so no states or wait times: %s\n",
				e2.msg[0] ? e2.msg : err_str(r));
			return 0;
		}
	}
	*has_detail = true;
	return 0;
}

/* ---- output -------------------------------------------------------------- */

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void print_group_lines(const struct gr_group *g, const struct gr_group *d, size_t frames)
{
	const struct gr_group *info = d ? d : g;
	const struct gr_frame *site = gr_group_site(g);

	if (info->created_by[0])
		printf("      created by %s%s%s%s\n", info->created_by, info->created_at[0] ? " (" : "",
		       info->created_at, info->created_at[0] ? ")" : "");
	if (info->wait_minutes_max)
		printf("      waiting %llu to %llu minutes\n", (unsigned long long)info->wait_minutes_min,
		       (unsigned long long)info->wait_minutes_max);
	if (g->labels)
		printf("      labels %s\n", g->labels);
	for (size_t i = 0; i < g->n_frames && i < frames; i++)
		printf("      %s %s %s:%d%s\n", &g->frames[i] == site ? ">" : " ", g->frames[i].func,
		       g->frames[i].file, g->frames[i].line, i + 1 == frames && i + 1 < g->n_frames ? "  ..." : "");
	if (frames && g->elided)
		printf("        (the runtime elided frames of this stack)\n");
}

static void print_site(const struct gr_group *g)
{
	const struct gr_frame *f = gr_group_site(g);

	if (f)
		printf("%s (%s:%d)\n", f->func, basename_of(f->file), f->line);
	else
		printf("(no frames)\n");
}

static void print_tty(const struct gr_args *a, const struct gr_snapshot *snaps, size_t n,
		      const struct gr_snapshot *detail, const struct gr_analysis *an)
{
	size_t shown = a->top && a->top < an->n_rows ? a->top : an->n_rows;

	for (size_t i = 0; i < n; i++)
		printf("snapshot %zu: %s (debug=%d): %llu goroutines in %zu groups%s\n", i + 1, snaps[i].source,
		       snaps[i].debug, (unsigned long long)snaps[i].total, snaps[i].n_groups,
		       snaps[i].truncated ? ", TRUNCATED" : "");
	if (detail)
		printf("states from: %s (debug=2): %llu goroutines%s\n", detail->source,
		       (unsigned long long)detail->total, detail->truncated ? ", TRUNCATED" : "");
	printf("\n%s  %-22s %s\n", n > 1 ? "COUNTS (oldest first)" : "COUNT", "STATE", "SITE");
	for (size_t i = 0; i < shown; i++) {
		const struct gr_row *row = &an->rows[i];
		const struct gr_group *d = row->detail;
		char counts[256];
		size_t w = 0;

		counts[0] = '\0';
		for (size_t k = 0; k < n && w < sizeof(counts); k++) {
			int m = snprintf(counts + w, sizeof(counts) - w, "%s%llu", k ? " " : "",
					 (unsigned long long)row->counts[k]);

			if (m < 0)
				break;
			w += (size_t)m;
		}
		printf("%*s  %-22s ", n > 1 ? 21 : 5, counts, d ? d->state : row->group->state[0] ? row->group->state : "-");
		print_site(row->group);
		print_group_lines(row->group, d, a->frames);
	}
	if (shown < an->n_rows)
		printf("... %zu more groups (--top 0 shows all)\n", an->n_rows - shown);
	if (!an->n_suspects) {
		printf("\nno leak suspect\n");
		return;
	}
	printf("\n%zu leak suspect%s:\n", an->n_suspects, an->n_suspects == 1 ? "" : "s");
	for (size_t i = 0; i < an->n_suspects; i++) {
		const struct gr_suspect *s = &an->suspects[i];

		printf("  %zu. %s\n", i + 1, s->site);
		printf("     %llu goroutines, %+lld across the snapshots: %s\n", (unsigned long long)s->count,
		       (long long)s->growth, s->reason);
		if (s->created_by[0])
			printf("     created by %s\n", s->created_by);
		printf("     pattern: %s\n", s->pattern);
		printf("     fix: %s\n", s->remedy);
	}
}

static bool put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

static json_t *time_json(double t)
{
	char s[80];
	time_t sec = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&sec, &tm))
		return json_null();
	snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)((t - (double)sec) * 1000) % 1000);
	return json_string(s);
}

static json_t *snapshot_json(const struct gr_snapshot *s)
{
	json_t *o = json_object();

	if (o && put(o, "source", json_text(s->source)) && put(o, "taken_at", time_json(s->taken_at)) &&
	    put(o, "debug", json_integer(s->debug)) && put(o, "total", json_integer((json_int_t)s->total)) &&
	    put(o, "groups", json_integer((json_int_t)s->n_groups)) && put(o, "truncated", json_boolean(s->truncated)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t *counts_json(const uint64_t *c, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, json_integer((json_int_t)c[i])) < 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static json_t *group_json(const struct gr_row *row, size_t n)
{
	const struct gr_group *g = row->group, *info = row->detail ? row->detail : g;
	const struct gr_frame *site = gr_group_site(g);
	json_t *o = json_object(), *stack = json_array();
	char key[17];
	bool ok = o && stack;

	snprintf(key, sizeof(key), "%016llx", (unsigned long long)g->key);
	for (size_t i = 0; ok && i < g->n_frames; i++) {
		json_t *f = json_object();

		ok = f && put(f, "func", json_text(g->frames[i].func)) && put(f, "file", json_text(g->frames[i].file)) &&
		     put(f, "line", json_integer(g->frames[i].line)) && json_array_append_new(stack, f) == 0;
		if (!ok)
			json_decref(f);
	}
	ok = ok && put(o, "key", json_string(key)) && put(o, "stack", json_incref(stack)) &&
	     put(o, "state", json_text(info->state)) && put(o, "created_by", json_text(info->created_by)) &&
	     put(o, "created_at", json_text(info->created_at)) && put(o, "counts", counts_json(row->counts, n)) &&
	     put(o, "site", site ? json_text(site->func) : json_null()) &&
	     put(o, "wait_minutes", json_integer((json_int_t)info->wait_minutes_max)) &&
	     put(o, "labels", g->labels ? json_text(g->labels) : json_null()) &&
	     put(o, "elided", json_boolean(g->elided));
	json_decref(stack);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *suspect_json(const struct gr_suspect *s, size_t n)
{
	json_t *o = json_object();

	if (o && put(o, "site", json_text(s->site)) && put(o, "created_by", json_text(s->created_by)) &&
	    put(o, "count", json_integer((json_int_t)s->count)) && put(o, "growth", json_integer(s->growth)) &&
	    put(o, "counts", counts_json(s->counts, n)) &&
	    put(o, "wait_minutes", json_integer((json_int_t)s->wait_minutes)) &&
	    put(o, "state", json_text(s->group && s->group->state[0] ? s->group->state : "")) &&
	    put(o, "reason", json_text(s->reason)) && put(o, "pattern", json_text(s->pattern)) &&
	    put(o, "remedy", json_text(s->remedy)))
		return o;
	json_decref(o);
	return NULL;
}

static int print_json(const struct gr_snapshot *snaps, size_t n, const struct gr_snapshot *detail,
		      const struct gr_analysis *an)
{
	json_t *doc = json_object(), *ss = json_array(), *gs = json_array(), *sus = json_array();
	bool ok = doc && ss && gs && sus;
	int r = -ENOMEM;

	for (size_t i = 0; ok && i < n; i++) {
		json_t *o = snapshot_json(&snaps[i]);

		ok = o && json_array_append_new(ss, o) == 0;
	}
	for (size_t i = 0; ok && i < an->n_rows; i++) {
		json_t *o = group_json(&an->rows[i], n);

		ok = o && json_array_append_new(gs, o) == 0;
	}
	for (size_t i = 0; ok && i < an->n_suspects; i++) {
		json_t *o = suspect_json(&an->suspects[i], n);

		ok = o && json_array_append_new(sus, o) == 0;
	}
	ok = ok && put(doc, "snapshots", json_incref(ss)) &&
	     put(doc, "detail", detail ? snapshot_json(detail) : json_null()) && put(doc, "groups", json_incref(gs)) &&
	     put(doc, "suspects", json_incref(sus));
	if (ok && json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 && putchar('\n') != EOF)
		r = 0;
	json_decref(ss);
	json_decref(gs);
	json_decref(sus);
	json_decref(doc);
	return r;
}

/* ---- the command --------------------------------------------------------- */

int cmd_goroutines(int argc, char **argv)
{
	struct gr_args a = { false, SAMPLES_DEFAULT, INTERVAL_DEFAULT_MS, TIMEOUT_DEFAULT_MS, MAX_DEBUG2_DEFAULT,
			     0, 0, FRAMES_DEFAULT, TOP_DEFAULT, NULL, 0, false, "" };
	struct gr_snapshot *snaps = NULL, detail, first;
	struct gr_analysis an;
	struct gr_leak_params lp;
	struct source_lines source = { NULL, 0 };
	struct err e = { "" };
	bool has_detail = false, has_first = false;
	size_t n_snaps = 0;
	int ret, r;

	memset(&detail, 0, sizeof(detail));
	memset(&first, 0, sizeof(first));
	memset(&an, 0, sizeof(an));
	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	snaps = calloc(a.url ? a.samples : a.n_inputs, sizeof(*snaps));
	if (!snaps) {
		fprintf(stderr, "preflight goroutines: out of memory\n");
		return EXIT_INTERNAL;
	}
	if (a.url) {
		r = sample_url(&a, snaps, &n_snaps, &detail, &has_detail, &first, &has_first, &e);
	} else {
		r = 0;
		for (size_t i = 0; i < a.n_inputs && r == 0; i++) {
			r = read_dump_file(a.inputs[i], &snaps[i], &e);
			if (r == 0)
				n_snaps++;
		}
	}
	if (r < 0) {
		ret = r == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
		fprintf(stderr, "preflight goroutines: %s\n", e.msg[0] ? e.msg : err_str(r));
		goto out;
	}
	for (size_t i = 0; i < n_snaps; i++)
		if (snaps[i].truncated)
			fprintf(stderr, "preflight goroutines: '%s' is truncated (%s): its counts are a lower bound\n",
				snaps[i].source,
				snaps[i].debug == 2 ? "the runtime caps a debug=2 dump at 64 MiB, or the file was cut"
						    : "the file was cut");
	if (a.source_root && source_lines_collect(a.source_root, has_detail ? &detail : snaps,
						  has_detail ? 1 : n_snaps, &source) < 0) {
		fprintf(stderr, "preflight goroutines: out of memory reading the program's source\n");
		ret = EXIT_INTERNAL;
		goto out;
	}
	lp = (struct gr_leak_params){
		/* A live window lasts seconds; saved dumps may be minutes apart. */
		.min_growth = a.min_growth ? a.min_growth : a.url ? GR_LIVE_MIN_GROWTH : GR_DEFAULT_MIN_GROWTH,
		.wait_minutes = a.wait_minutes,
		.detail = has_detail ? &detail : NULL,
		.detail_first = has_first && has_detail ? &first : NULL,
		.source = &source,
	};
	r = gr_analyze(snaps, n_snaps, &lp, &an, &e);
	if (r < 0) {
		fprintf(stderr, "preflight goroutines: %s\n", e.msg[0] ? e.msg : err_str(r));
		ret = EXIT_INTERNAL;
		goto out;
	}
	if (a.json) {
		r = print_json(snaps, n_snaps, has_detail ? &detail : NULL, &an);
	} else {
		print_tty(&a, snaps, n_snaps, has_detail ? &detail : NULL, &an);
		r = 0;
	}
	if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "preflight goroutines: cannot write to standard output\n");
		ret = EXIT_INTERNAL;
		goto out;
	}
	ret = an.n_suspects ? EXIT_FINDINGS : EXIT_OK;
out:
	gr_analysis_release(&an);
	source_lines_release(&source);
	for (size_t i = 0; i < n_snaps; i++)
		gr_snapshot_release(&snaps[i]);
	free(snaps);
	gr_snapshot_release(&detail);
	gr_snapshot_release(&first);
	return ret;
}

/* Placeholder until this command's options move into its table. */
static const struct opt goroutines_opts_pending[] = { OPT_END_ENTRY };
const struct command_spec cmd_goroutines_spec = {
	.name = "goroutines",
	.summary = "goroutines",
	.synopsis = "[options]",
	.description = "",
	.exit_status = "",
	.opts = goroutines_opts_pending,
};
