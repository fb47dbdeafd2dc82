/* preflight check: collect facts once, run the checklist's checks over
 * them, and hand the results to one reporter. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "collect/check_items.h"
#include "collect/collect.h"
#include "collect/procfs.h"
#include "config/checklist.h"
#include "collect/sampler.h"
#include "report/output.h"
#include "report/progress.h"
#include "report/report.h"
#include "report/term.h"

struct check_args {
	pid_t pid;
	const char *process;
	const char *format;
	const char *output;
	const char *checklist;
	const char *root;
	const char *fail_on;
	const char *color;
	double window_s;
	double timeout_s;
	uint64_t max_debug2;
	const char *cacert;
	bool insecure;
	const char *metrics_url;
};

static const char *const fail_on_choices[] = { "warn", "fail", NULL };

#define A(field) offsetof(struct check_args, field)
static const struct opt check_opts[] = {
	{ .type = OPT_PID, .short_name = 'p', .long_name = "pid", .arg_name = "PID", .help = "check this process",
	  .off = A(pid) },
	{ .type = OPT_STRING, .long_name = "process", .arg_name = "NAME",
	  .help = "check the process whose comm or executable name is NAME", .off = A(process) },
	OPT_FORMAT_ENTRY(struct check_args, format, report_formats, "tty (default), json, junit, markdown or prom"),
	OPT_OUTPUT_ENTRY(struct check_args, output),
	{ .type = OPT_CHOICE, .long_name = "fail-on", .arg_name = "LEVEL",
	  .help = "exit 1 on findings at or above warn or fail (default fail)", .off = A(fail_on),
	  .choices = fail_on_choices },
	{ .type = OPT_DURATION, .short_name = 'w', .long_name = "window", .arg_name = "D",
	  .help = "sampling window for counters that must be watched: 2s, 500ms, 1m (default 2s; 0 = off)",
	  .off = A(window_s), .dhi = 3600 },
	{ .type = OPT_FILE, .short_name = 'c', .long_name = "checklist", .arg_name = "FILE",
	  .help = "YAML checklist selecting checks and overriding parameters ('-' = standard input)",
	  .off = A(checklist) },
	OPT_TIMEOUT_ENTRY(struct check_args, timeout_s, "timeout of each HTTP probe of the target's listeners "
							 "(default 2s)"),
	OPT_CACERT_ENTRY(struct check_args, cacert),
	OPT_INSECURE_ENTRY(struct check_args, insecure),
	{ .type = OPT_COUNT, .long_name = "max-debug2", .arg_name = "N",
	  .help = "take a goroutine debug=2 dump (wait times) only below N goroutines (default 20000; 0 = never; "
		  "the dump stops the target while it is written)",
	  .off = A(max_debug2), .hi = UINT64_MAX },
	{ .type = OPT_STRING, .long_name = "metrics-url", .arg_name = "URL",
	  .help = "read the target's Prometheus metrics (the metric.* checks) from URL, such as "
		  "http://127.0.0.1:2381/metrics (default: the listener whose /metrics answered)",
	  .off = A(metrics_url) },
	{ .type = OPT_DIR, .long_name = "root", .arg_name = "DIR",
	  .help = "read /proc and /sys under DIR (captured trees, tests)", .off = A(root) },
	OPT_COLOR_ENTRY(struct check_args, color),
	OPT_END_ENTRY,
};
#undef A

const struct command_spec cmd_check_spec = {
	.name = "check",
	.summary = "judge the host and a Go service's process against the risk map",
	.synopsis = "[--pid PID | --process NAME] [options]",
	.description = "Judges the host, and with a target its process and Go runtime, against the risk map "
		       "(code, runtime, infra, business). With a target that serves net/http/pprof, expvar or "
		       "Prometheus metrics, its Go runtime is sampled over the window: heap pressure, GC CPU and "
		       "pauses, goroutine leaks, mutex and block contention.",
	.exit_status = "Exit status: 0 passed, 1 findings at or above --fail-on or any check in error (it could not "
		       "read what it needed), 2 usage or input error (including "
		       "a target that does not exist or exits during the check), 3 internal error. "
		       "'preflight list-checks' lists every check and its parameters.",
	.see_also = "docs/checks.md, docs/report-formats.md",
	.opts = check_opts,
	.operand_kind = "none",
};

/* The progress line during the window (stderr, terminals only). */
struct check_progress {
	struct progress line;
	double start, window_s;
};

static bool progress_tick(void *ctx, const struct sampler *s)
{
	struct check_progress *cp = ctx;
	double left = cp->window_s - (sampler_mono() - cp->start);

	progress_show(&cp->line, "preflight check: sampling the target, %llu samples, %.1f s left",
		      (unsigned long long)s->ticks, left > 0 ? left : 0);
	return false;
}

static void progress_step(void *ctx, const struct sampler *s, const char *what)
{
	struct check_progress *cp = ctx;

	(void)s;
	progress_show(&cp->line, "preflight check: waiting for %s", what);
}

static int exit_code(const struct report *rep)
{
	for (size_t i = 0; i < rep->n_results; i++)
		if (report_is_finding(rep->results[i].status, rep->fail_on))
			return EXIT_FINDINGS;
	return EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = { .format = "tty", .fail_on = "fail", .color = "auto", .window_s = 2, .timeout_s = 2,
				.root = "", .max_debug2 = 20000 };
	struct checklist cl = { 0 };
	struct facts f = { 0 };
	struct report rep = { 0 };
	struct check_result *results = NULL;
	size_t n_results = 0;
	const char **listeners = NULL;
	struct err e = { "" };
	char host[256] = "";
	struct output out = { 0 };
	struct timespec run_start, run_end;
	int r, ret = EXIT_INTERNAL;

	int first;

	r = opts_parse(&cmd_check_spec, argc, argv, &a, &first);
	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	r = cmd_http_trust("check", a.cacert, a.insecure);
	if (r)
		return r;
	if (a.pid && a.process)
		return cmd_usage_error("check", "give --pid or --process, not both");
	if (a.metrics_url && ((strncmp(a.metrics_url, "http://", 7) && strncmp(a.metrics_url, "https://", 8)) ||
			      strlen(a.metrics_url) >= 200))
		return cmd_usage_error("check", "--metrics-url '%s' is not an http:// or https:// URL (of at most 199 "
				       "characters)", a.metrics_url);
	if (a.root[0]) {
		struct stat st;

		if (stat(a.root, &st) < 0 || !S_ISDIR(st.st_mode))
			return cmd_usage_error("check", "--root '%s' is not a directory", a.root);
	}

	rep.started_at = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &run_start);
	r = a.checklist ? checklist_load_file(a.checklist, &cl, &e) : checklist_default(&cl);
	if (r < 0) {
		cmd_error("check", 0, "%s", a.checklist ? e.msg : "cannot build the default checklist");
		ret = a.checklist ? EXIT_USAGE : EXIT_INTERNAL;
		goto out;
	}
	if (a.process) {
		r = proc_find_by_name(a.root, a.process, &a.pid, &e);
		if (r < 0) {
			cmd_error("check", 0, "%s", e.msg);
			ret = EXIT_USAGE;
			goto out;
		}
	}

	{
		struct check_progress cp = { .window_s = a.window_s };
		struct sampler_hooks hooks = { .ctx = &cp, .tick = progress_tick, .step = progress_step };
		struct collect_opts o = { a.root, a.pid, a.window_s, (long)(a.timeout_s * 1000), a.max_debug2, &hooks,
					  a.metrics_url, false };

		progress_init(&cp.line);
		cp.start = sampler_mono();
		if (a.window_s > 0)
			progress_show(&cp.line, "preflight check: sampling the %s over %.1f s", a.pid ? "target" : "host",
				      a.window_s);

		r = check_items_collect(&f, &o, cl.items, NULL, cl.n_items, &e);
		progress_clear(&cp.line);
		if (r < 0) {
			cmd_error("check", 0, "%s", e.msg);
			ret = r == -ESRCH || r == -EACCES || r == -EPERM ? EXIT_USAGE : EXIT_INTERNAL;
			goto out;
		}
	}

	results = calloc(cl.n_items ? cl.n_items : 1, sizeof(*results));
	listeners = calloc(f.proc.n_listeners ? f.proc.n_listeners : 1, sizeof(*listeners));
	if (!results || !listeners) {
		fprintf(stderr, "preflight check: out of memory\n");
		goto out;
	}
	/* Items with `verify:` (exec, http, promql, manual) belong to
	 * `preflight run`; check runs the built-in checks only. */
	for (size_t i = 0; i < cl.n_items; i++) {
		if (cl.items[i].verify != VERIFY_CHECK || !cl.items[i].def)
			continue;
		check_item_judge(&cl.items[i], &f, &results[n_results]);
		n_results++;
	}
	for (size_t i = 0; i < f.proc.n_listeners; i++)
		listeners[i] = f.proc.listeners[i].addr;

	gethostname(host, sizeof(host) - 1);
	rep.preflight_version = PREFLIGHT_VERSION;
	rep.hostname = host;
	rep.checklist_source = cl.source;
	rep.checklist_name = cl.name;
	rep.pid = a.pid;
	rep.exe = f.proc.exe;
	rep.comm = f.proc.comm;
	rep.listeners = listeners;
	rep.listeners_unknown = f.proc.sockets_err.code ? f.proc.sockets_err.msg : NULL;
	rep.n_listeners = f.proc.n_listeners;
	rep.netns = f.netns.desc[0] ? f.netns.desc : NULL;
	rep.netns_other = f.netns.whose != NETNS_OWN;
	rep.results = results;
	rep.n_results = n_results;
	rep.fail_on = !strcmp(a.fail_on, "warn") ? STATUS_WARN : STATUS_FAIL;
	if (output_open(&out, a.output, &e) < 0) {
		cmd_error("check", 0, "%s", e.msg);
		ret = EXIT_USAGE;
		goto out;
	}
	{
		struct term t;

		term_detect(out.f, term_color_mode_of(a.color), &t);
		rep.color = t.color && !strcmp(a.format, "tty");
		rep.width = t.width;
	}
	clock_gettime(CLOCK_MONOTONIC, &run_end);
	rep.duration_s = (double)(run_end.tv_sec - run_start.tv_sec) + (double)(run_end.tv_nsec - run_start.tv_nsec) / 1e9;
	r = report_find(a.format)(&rep, out.f);
	if (r < 0) {
		output_abort(&out);
		fprintf(stderr, "preflight check: cannot write the report: %s\n", err_str(r));
		goto out;
	}
	if (output_commit(&out, &e) < 0) {
		cmd_error("check", 0, "%s", e.msg);
		goto out;
	}
	ret = exit_code(&rep);
	/* No check that reads the target over HTTP could judge: the run is
	 * broken, not clean (docs/architecture.md, exit codes). */
	if (f.proc.http_err) {
		cmd_error("check", 0, "%s; the checks that read the target over HTTP report error",
			f.proc.http_errmsg);
		ret = EXIT_INTERNAL;
	}
	if (f.proc.exited.code) {
		cmd_error("check", 0, "%s; its checks report error", f.proc.exited.msg);
		ret = EXIT_USAGE;
	}
out:
	for (size_t i = 0; results && i < n_results; i++)
		result_release(&results[i]);
	free(results);
	free(listeners);
	facts_release(&f);
	checklist_release(&cl);
	return ret;
}
