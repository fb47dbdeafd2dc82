/* preflight goroutines: goroutine dumps grouped by stack, snapshots
 * compared, leak suspects named with their pattern and fix
 * (docs/goroutines.md). Offline on saved dumps, or live against a
 * service's net/http/pprof listener through the sampler. */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/leak.h"
#include "cmd/cmd.h"
#include "collect/conn_count.h"
#include "collect/dump_file.h"
#include "collect/goruntime_collect.h"
#include "collect/sampler.h"
#include "collect/source_lines.h"
#include "goruntime/goroutine.h"
#include "report/escape.h"
#include "report/goroutines.h"
#include "report/output.h"
#include "report/progress.h"
#include "report/term.h"
#include "base/parse.h"

#define SAMPLES_DEFAULT 3
#define MAX_DEBUG2_DEFAULT 20000
#define FRAMES_DEFAULT 3
#define TOP_DEFAULT 20
#define TIMEOUT_DEFAULT_S 5
/* A debug=2 dump stops the target's world while it is written: give it
 * longer than the cheap requests, but not for ever. */
#define DEBUG2_TIMEOUT_MIN_MS 30000
#define MAX_INPUTS 64

struct gr_args {
	const char *format, *output, *color;
	uint64_t samples, min_growth, wait_minutes, wait_min_count, max_debug2, frames, top;
	double interval_s, timeout_s;
	const char *source_root, *match;
	pid_t pid;
	bool no_source;
	const char *cacert;
	bool insecure;
};

#define A(field) offsetof(struct gr_args, field)
static const struct opt goroutines_opts[] = {
	OPT_FORMAT_ENTRY(struct gr_args, format, gr_formats,
			 "tty (default), json, or html: one self-contained page with every group and frame "
			 "(docs/goroutines.md)"),
	OPT_OUTPUT_ENTRY(struct gr_args, output),
	{ .type = OPT_COUNT, .short_name = 'n', .long_name = "samples", .arg_name = "N",
	  .help = "snapshots to take from a URL (default 3)", .off = A(samples), .lo = 1, .hi = 1000 },
	{ .type = OPT_DURATION, .short_name = 'i', .long_name = "interval", .arg_name = "D",
	  .help = "time between them: 500ms, 2s, 1m (default 2s)", .off = A(interval_s), .flags = OPT_NONZERO,
	  .dhi = 3600 },
	OPT_TIMEOUT_ENTRY(struct gr_args, timeout_s,
			  "timeout of each round of requests: 2s, 500ms; a bare number is seconds (default 5s; a "
			  "debug=2 dump gets at least 30s)"),
	OPT_CACERT_ENTRY(struct gr_args, cacert),
	OPT_INSECURE_ENTRY(struct gr_args, insecure),
	{ .type = OPT_COUNT, .long_name = "min-growth", .arg_name = "N",
	  .help = "a suspect grows by at least N goroutines (default 10 from a URL, as preflight check; 3 across "
		  "saved dumps)",
	  .off = A(min_growth), .lo = 1, .hi = UINT32_MAX },
	{ .type = OPT_COUNT, .long_name = "wait-minutes", .arg_name = "N",
	  .help = "a goroutine blocked this long is a suspect (default 5)", .off = A(wait_minutes), .lo = 1,
	  .hi = 1000000 },
	{ .type = OPT_COUNT, .long_name = "wait-min-count", .arg_name = "N",
	  .help = "a stack blocked that long is a suspect only if it grew or has at least N goroutines (default 10)",
	  .off = A(wait_min_count), .lo = 1, .hi = UINT32_MAX },
	{ .type = OPT_STRING, .short_name = 'm', .long_name = "match", .arg_name = "REGEX",
	  .help = "show only the groups whose site (function or file:line), state or creator (function or "
		  "file:line) matches REGEX (POSIX extended, case-sensitive, as grep -E); the exit status counts "
		  "the suspects shown",
	  .off = A(match) },
	{ .type = OPT_PID, .short_name = 'p', .long_name = "pid", .arg_name = "PID",
	  .help = "with a URL: the process whose connections to count at each snapshot (default: the owner of "
		  "the URL's port, when it is on this host)",
	  .off = A(pid) },
	{ .type = OPT_COUNT, .long_name = "max-debug2", .arg_name = "N",
	  .help = "fetch debug=2 dumps (states, wait times) only below N goroutines (default 20000; 0 = never; "
		  "the dump stops the service while it is written)",
	  .off = A(max_debug2), .hi = UINT64_MAX },
	{ .type = OPT_COUNT, .long_name = "frames", .arg_name = "N", .help = "frames shown per group (tty; default 3)",
	  .off = A(frames), .hi = 1000 },
	{ .type = OPT_COUNT, .long_name = "top", .arg_name = "N", .help = "groups shown (tty; default 20; 0 = all)",
	  .off = A(top), .hi = 1000000 },
	{ .type = OPT_DIR, .long_name = "source-root", .arg_name = "DIR",
	  .help = "read the program's .go files under DIR to tell a ticker loop from a plain receive (default: at "
		  "the paths the dump names)",
	  .off = A(source_root) },
	{ .type = OPT_FLAG, .long_name = "no-source", .help = "never read source files", .off = A(no_source) },
	OPT_COLOR_ENTRY(struct gr_args, color),
	OPT_END_ENTRY,
};
#undef A

const struct command_spec cmd_goroutines_spec = {
	.name = "goroutines",
	.summary = "group goroutine dumps by stack, compare snapshots, name leak suspects",
	.synopsis = "[options] URL|FILE...",
	.description = "Groups goroutine dumps by stack, biggest first. With several snapshots (a URL sampled "
		       "--samples times, or two or more saved dumps, oldest first) it shows each stack's count in "
		       "each and names the leak suspects: stacks whose count only grows, and goroutines blocked "
		       "for longer than --wait-minutes, each with its leak pattern and the fix.",
	.operands = "URL: a listener serving net/http/pprof (http://127.0.0.1:6060), its index or its goroutine "
		    "profile URL. FILE: a debug=1 or debug=2 dump, or a crash log; '-' is standard input.",
	.exit_status = "Exit status: 0 no suspect, 1 suspects found, 2 usage or input error (unreadable file, not "
		       "a goroutine dump, HTML, 404, timeout), 3 internal error.",
	.see_also = "docs/goroutines.md",
	.opts = goroutines_opts,
	.min_operands = 1,
	.operand_kind = "file",
};

/* One diagnostic line on stderr. msg may carry text from a dump or a
 * target (a file name, a URL): escaped when it would drive the terminal,
 * so the line stays one line. */
__attribute__((format(printf, 1, 2))) static void diag(const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	fputs("preflight goroutines: ", stderr);
	if (n < 0) {
		fputs("out of memory\n", stderr);
		return;
	}
	if (term_needs_escape(msg, strlen(msg)))
		term_puts(stderr, msg);
	else
		fputs(msg, stderr);
	fputc('\n', stderr);
	free(msg);
}

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* ---- inputs -------------------------------------------------------------- */

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

/* The port of a listener base on this host ("http://127.0.0.1:6060",
 * "http://localhost:6060", "http://[::1]:6060"); 0 for a remote one,
 * whose process we cannot count connections of. */
static uint16_t local_port(const char *base)
{
	static const char *const local[] = { "127.", "localhost:", "[::1]:", "0.0.0.0:", "[::]:" };
	const char *host = strstr(base, "://"), *colon;
	bool is_local = false;
	uint64_t port;

	if (!host)
		return 0;
	host += 3;
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		is_local = is_local || !strncmp(host, local[i], strlen(local[i]));
	/* 127.0.0.1, not a name that starts so (127.example.com) */
	if (!strncmp(host, "127.", 4) && host[strspn(host, "0123456789.")] != ':')
		is_local = false;
	colon = strrchr(host, ':');
	if (!is_local || !colon || colon[1] == '/' || colon[1] == '\0')
		return 0;
	if (parse_u64_n(colon + 1, strcspn(colon + 1, "/"), &port) < 0 || port == 0 || port > 65535)
		return 0;
	return (uint16_t)port;
}

/* The progress line while a URL is sampled (stderr, terminals only). */
struct live {
	struct progress prog;
	size_t total;
};

static bool live_wait(void *ctx, const struct sampler *s, double until)
{
	struct live *l = ctx;

	/* A countdown, redrawn each second or so. */
	for (;;) {
		double left = until - sampler_mono(), step = left > 1 ? 1 : left;
		char text[128];
		struct timespec ts;

		if (left <= 0)
			return false;
		gr_progress_text(text, sizeof(text), s->out->n_snaps, l->total, left);
		progress_show(&l->prog, "preflight goroutines: %s", text);
		ts.tv_sec = (time_t)step;
		ts.tv_nsec = (long)((step - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

static bool live_tick(void *ctx, const struct sampler *s)
{
	(void)ctx;
	/* A series with a hole in it is no series: stop at the first failure. */
	return s->tick.snap_asked && s->tick.snap_err;
}

static void live_step(void *ctx, const struct sampler *s, const char *what)
{
	struct live *l = ctx;

	(void)s;
	progress_show(&l->prog, "preflight goroutines: waiting for %s", what);
}

/* Samples the listener through the sampler: debug=1 snapshots every
 * --interval, and when the service is small enough a debug=2 dump before
 * the first interval (to confirm growth: gr_leak_params.detail_first) and
 * one after the last (states and waits). Returns 0 or an exit code. */
static int sample_url(const struct gr_args *a, const char *input, struct goruntime_facts *g, pid_t *conns_pid)
{
	char base[2048];
	long timeout_ms = (long)ceil(a->timeout_s * 1000);
	struct live l = { .total = a->samples };
	struct sampler_hooks h = { &l, live_wait, live_tick, live_step };
	struct sampler_opts so = {
		.what = SAMPLE_SNAPSHOTS | SAMPLE_DEBUG2 | SAMPLE_METRICS_COUNT | SAMPLE_EVERY_TICK |
			(a->samples > 1 ? SAMPLE_LAST_SNAPSHOT : 0),
		.timeout_ms = timeout_ms,
		.debug2_timeout_ms = timeout_ms > DEBUG2_TIMEOUT_MIN_MS ? timeout_ms : DEBUG2_TIMEOUT_MIN_MS,
		.max_debug2 = a->max_debug2,
		.tick_s = a->interval_s,
		.snapshot_s = a->interval_s,
		.window_s = (double)(a->samples - 1) * a->interval_s,
	};
	struct sampler s;
	struct err e = { "" };
	int r, ret = 0;

	if (url_base(input, base, sizeof(base)) < 0) {
		diag("'%.64s...': URL too long", input);
		return EXIT_USAGE;
	}
	so.pprof = so.metrics = base;
	/* Whose connections to count at each snapshot: connection goroutines
	 * are judged against them (check/leak.h). Without a pid we may read,
	 * the analysis falls back on the goroutines that exist once per
	 * connection. */
	so.conns_pid = a->pid;
	if (!so.conns_pid && local_port(base)) {
		struct err oe = { "" };
		pid_t owner;

		r = conn_listener_owner("", local_port(base), &owner, &oe);
		if (r == 0)
			so.conns_pid = owner;
		else if (r == -EACCES)
			diag("connections not counted (connection goroutines are judged against the goroutines that "
			     "exist once per connection): %s; or give --pid",
			     oe.msg);
	}
	*conns_pid = so.conns_pid;
	progress_init(&l.prog);
	sampler_init(&s, &so, &h, g);
	if (l.prog.on) {
		char *shown = term_escape_dup(base);

		progress_show(&l.prog, "preflight goroutines: asking %s", shown ? shown : "the listener");
		free(shown);
	}
	r = sampler_begin(&s, &e);
	if (r == 0 && s.tick.snap_err)
		e = s.tick.snap_e, r = s.tick.snap_err;
	if (r == 0 && a->samples > 1)
		sampler_run(&s, s.o.start + so.window_s);
	if (r == 0 && s.tick.snap_err)
		e = s.tick.snap_e, r = s.tick.snap_err;
	if (r == 0) {
		sampler_end(&s);
		if (s.tick.snap_err)
			e = s.tick.snap_e, r = s.tick.snap_err;
	}
	progress_clear(&l.prog);
	if (r < 0) {
		diag("%s", e.msg[0] ? e.msg : err_str(r));
		/* out of memory, or libcurl missing: nothing the user typed */
		ret = r == -ENOMEM || r == -ELIBACC ? EXIT_INTERNAL : EXIT_USAGE;
		goto out;
	}
	if (fact_err_failed(&g->conns_err))
		diag("connections not counted (connection goroutines are judged against the goroutines that exist "
		     "once per connection): %s",
		     g->conns_err.msg);
	switch (s.debug2) {
	case SAMPLER_D2_TOO_MANY:
		diag("%llu goroutines (from %s): no debug=2 dump above --max-debug2 %llu, so no states or wait times",
		     (unsigned long long)s.count, s.count_from ? s.count_from : "the debug=1 profiles",
		     (unsigned long long)a->max_debug2);
		break;
	case SAMPLER_D2_UNKNOWN:
		diag("no debug=2 dump: the goroutine count is unknown, so no states or wait times");
		break;
	case SAMPLER_D2_FAILED:
		diag("no debug=2 dump, so no states or wait times: %s", s.debug2_e.msg[0] ? s.debug2_e.msg : "failed");
		break;
	default:
		break;
	}
out:
	sampler_release(&s);
	return ret;
}

static void say_truncated(const struct gr_snapshot *s)
{
	if (s->record_dropped)
		diag("'%s' is cut in the middle of a record: its last record was dropped (the dump is truncated: "
		     "its counts are a lower bound)",
		     s->source);
	else if (s->truncated)
		diag("'%s' is truncated (%s): its counts are a lower bound", s->source,
		     s->debug == 2 ? "the runtime caps a debug=2 dump at 64 MiB, or the file was cut" : "the file was cut");
}

/* ---- the command --------------------------------------------------------- */

int cmd_goroutines(int argc, char **argv)
{
	struct gr_args a = {
		.format = "tty",
		.color = "auto",
		.samples = SAMPLES_DEFAULT,
		.interval_s = 2,
		.timeout_s = TIMEOUT_DEFAULT_S,
		.max_debug2 = MAX_DEBUG2_DEFAULT,
		.frames = FRAMES_DEFAULT,
		.top = TOP_DEFAULT,
		.source_root = "",
	};
	struct goruntime_facts g;
	struct gr_snapshot *files = NULL, *snaps, *detail = NULL;
	size_t n_snaps = 0, n_inputs;
	struct gr_analysis an;
	struct gr_leak_params lp;
	struct source_lines source = { NULL, 0 };
	struct output out = { 0 };
	struct err e = { "" };
	char **inputs;
	bool url, have_re = false;
	regex_t re;
	pid_t conns_pid = 0;
	int first, ret = EXIT_INTERNAL, r;

	memset(&g, 0, sizeof(g));
	memset(&an, 0, sizeof(an));
	r = opts_parse(&cmd_goroutines_spec, argc, argv, &a, &first);
	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	r = cmd_http_trust("goroutines", a.cacert, a.insecure);
	if (r)
		return r;
	inputs = argv + first;
	n_inputs = (size_t)(argc - first);
	if (n_inputs > MAX_INPUTS)
		return cmd_usage_error("goroutines", "at most %d dump files", MAX_INPUTS);
	url = is_url(inputs[0]);
	for (size_t i = 1; i < n_inputs; i++)
		if (is_url(inputs[i]) != url || url)
			return cmd_usage_error("goroutines", "give one URL, or dump files only");
	if (a.pid && !url)
		return cmd_usage_error("goroutines", "--pid goes with a URL: saved dumps have no live connections");
	if (a.match) {
		r = regcomp(&re, a.match, REG_EXTENDED | REG_NOSUB);
		if (r) {
			char why[256], *shown = term_escape_dup(a.match);

			regerror(r, &re, why, sizeof(why));
			r = cmd_usage_error("goroutines", "--match '%s': %s", shown ? shown : "REGEX", why);
			free(shown);
			return r;
		}
		have_re = true;
	}

	if (url) {
		r = sample_url(&a, inputs[0], &g, &conns_pid);
		if (r) {
			ret = r;
			goto out;
		}
		snaps = g.snaps;
		n_snaps = g.n_snaps;
		detail = g.has_dump2 ? &g.dump2 : NULL;
	} else {
		files = calloc(n_inputs, sizeof(*files));
		if (!files) {
			diag("out of memory");
			goto out;
		}
		for (size_t i = 0; i < n_inputs; i++) {
			r = dump_file_read(inputs[i], &files[i], &e);
			if (r < 0) {
				diag("%s", e.msg[0] ? e.msg : err_str(r));
				ret = r == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
				goto out;
			}
			n_snaps++;
		}
		snaps = files;
	}
	for (size_t i = 0; i < n_snaps; i++)
		say_truncated(&snaps[i]);
	if (detail)
		say_truncated(detail);
	if (!a.no_source && source_lines_collect(a.source_root, detail ? detail : snaps, detail ? 1 : n_snaps,
						 &source) < 0) {
		diag("out of memory reading the program's source");
		goto out;
	}
	lp = (struct gr_leak_params){
		/* A live window lasts seconds; saved dumps may be minutes apart. */
		.min_growth = a.min_growth ? a.min_growth : url ? GR_LIVE_MIN_GROWTH : GR_DEFAULT_MIN_GROWTH,
		.wait_minutes = a.wait_minutes,
		.wait_min_count = a.wait_min_count,
		.detail = detail,
		.detail_first = detail && g.has_dump2_first ? &g.dump2_first : NULL,
		.source = &source,
	};
	/* a series with a hole in it is no series */
	if (url && g.n_conns == n_snaps && !fact_err_failed(&g.conns_err)) {
		lp.conns = g.conns;
		lp.n_conns = g.n_conns;
	}
	r = gr_analyze(snaps, n_snaps, &lp, &an, &e);
	if (r < 0) {
		diag("%s", e.msg[0] ? e.msg : err_str(r));
		goto out;
	}
	if (have_re)
		gr_analysis_match(&an, &re);
	if (output_open(&out, a.output, &e) < 0) {
		diag("%s", e.msg);
		ret = EXIT_USAGE;
		goto out;
	}
	{
		struct term t;
		struct gr_view v = {
			.snaps = snaps,
			.n_snaps = n_snaps,
			.detail = detail,
			.an = &an,
			.frames = a.frames,
			.top = a.top,
			.match = a.match,
			.conns = lp.conns,
			.conns_pid = lp.conns ? conns_pid : 0,
		};

		term_detect(out.f, term_color_mode_of(a.color), &t);
		v.color = t.color;
		v.width = t.width;
		r = gr_render(&v, a.format, out.f);
	}
	if (r < 0) {
		output_abort(&out);
		diag("cannot write the output: %s", err_str(r));
		goto out;
	}
	if (output_commit(&out, &e) < 0) {
		diag("%s", e.msg);
		goto out;
	}
	ret = an.n_suspects ? EXIT_FINDINGS : EXIT_OK;
out:
	if (have_re)
		regfree(&re);
	gr_analysis_release(&an);
	source_lines_release(&source);
	for (size_t i = 0; files && i < n_snaps; i++)
		gr_snapshot_release(&files[i]);
	free(files);
	goruntime_facts_release(&g);
	return ret;
}
