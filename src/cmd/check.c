/* preflight check: collect facts once, run the checklist's checks over
 * them, and hand the results to one reporter. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/parse.h"
#include "cmd/cmd.h"
#include "collect/collect.h"
#include "collect/procfs.h"
#include "config/checklist.h"
#include "report/report.h"

struct check_args {
	pid_t pid;
	const char *process;
	const char *format;
	const char *output;
	const char *checklist;
	const char *root;
	enum pf_status fail_on;
	double window_s;
	double timeout_s;
	uint64_t max_debug2;
};

static void check_usage(FILE *out)
{
	fprintf(out,
		"usage: preflight check [--pid PID | --process NAME] [options]\n"
		"\n"
		"Judges the host, and with a target its process and Go runtime, against the\n"
		"risk map (code, runtime, infra, business).\n"
		"\n"
		"  -p, --pid PID          check this process\n"
		"  -n, --process NAME     check the process whose comm or executable name is NAME\n"
		"  -f, --format FORMAT    tty (default), json, junit, markdown, prom\n"
		"  -o, --output FILE      write the report to FILE instead of stdout\n"
		"      --fail-on LEVEL    exit 1 on findings at or above warn|fail (default fail)\n"
		"  -w, --window D         sampling window for counters that must be watched: 2, 2s, 500ms\n"
		"                         (default 2s; 0 = off)\n"
		"  -c, --checklist FILE   YAML checklist selecting checks and overriding parameters\n"
		"  -t, --timeout SECONDS  timeout for each HTTP probe of the target's listeners (default 2)\n"
		"      --max-debug2 N     take a goroutine debug=2 dump (wait times) only below N\n"
		"                         goroutines (default 20000; the dump stops the target)\n"
		"      --root DIR         read /proc and /sys under DIR (captured trees, tests)\n"
		"\n"
		"Exit status: 0 passed, 1 findings at or above --fail-on, 2 usage or input error,\n"
		"3 internal error. 'preflight list-checks' lists every check and its parameters.\n");
}

#define fail_usage(...) cmd_usage_error("check", __VA_ARGS__)

static int parse_args(int argc, char **argv, struct check_args *a)
{
	enum { OPT_FAIL_ON = 256, OPT_ROOT, OPT_MAX_DEBUG2 };
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "process", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "window", required_argument, NULL, 'w' },
		{ "checklist", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "max-debug2", required_argument, NULL, OPT_MAX_DEBUG2 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "p:n:f:o:w:c:t:h", opts, NULL)) != -1) {
		uint64_t u;

		switch (c) {
		case 'p':
			if (parse_u64(optarg, &u) < 0 || u == 0 || u > INT32_MAX)
				return fail_usage("'%s' is not a process id", optarg);
			a->pid = (pid_t)u;
			break;
		case 'n':
			a->process = optarg;
			break;
		case 'f':
			if (!report_find(optarg))
				return fail_usage("unknown format '%s' (%s)", optarg, report_format_list());
			a->format = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case OPT_FAIL_ON:
			if (!strcmp(optarg, "warn"))
				a->fail_on = STATUS_WARN;
			else if (!strcmp(optarg, "fail"))
				a->fail_on = STATUS_FAIL;
			else
				return fail_usage("--fail-on takes warn or fail, not '%s'", optarg);
			break;
		case 'w':
			if (parse_duration(optarg, &a->window_s) < 0 || a->window_s > 3600)
				return fail_usage("--window takes a duration up to 1h (2, 2s, 500ms; 0 = off), not '%s'",
						  optarg);
			break;
		case 'c':
			a->checklist = optarg;
			break;
		case 't':
			if (parse_double(optarg, &a->timeout_s) < 0 || !(a->timeout_s > 0 && a->timeout_s <= 600))
				return fail_usage("--timeout takes seconds between 0 and 600, not '%s'", optarg);
			break;
		case OPT_ROOT:
			a->root = optarg;
			break;
		case OPT_MAX_DEBUG2:
			if (parse_u64(optarg, &a->max_debug2) < 0)
				return fail_usage("--max-debug2 takes a goroutine count, not '%s'", optarg);
			break;
		case 'h':
			check_usage(stdout);
			return -1;
		default:
			check_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return fail_usage("unexpected argument '%s'", argv[optind]);
	if (a->pid && a->process)
		return fail_usage("%s", "give --pid or --process, not both");
	return 0;
}

static bool use_color(const char *format, const char *output)
{
	const char *nc = getenv("NO_COLOR");

	if (strcmp(format, "tty") || output || (nc && nc[0]))
		return false;
	return isatty(STDOUT_FILENO);
}

static int exit_code(const struct report *rep)
{
	for (size_t i = 0; i < rep->n_results; i++)
		if (report_is_finding(rep->results[i].status, rep->fail_on))
			return EXIT_FINDINGS;
	return EXIT_OK;
}

static void fill_result_meta(struct check_result *r, const struct checklist_item *it)
{
	r->item_id = strdup(it->id);
	r->title = strdup(it->title ? it->title : it->def->title);
	r->meta.owner = it->owner;
	r->meta.due = it->due;
	r->meta.severity = it->severity;
	r->meta.rollback = it->rollback;
	r->meta.tags = it->tags;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = { .format = "tty", .fail_on = STATUS_FAIL, .window_s = 2, .timeout_s = 2, .root = "",
				.max_debug2 = 20000 };
	struct checklist cl = { 0 };
	struct facts f = { 0 };
	struct report rep = { 0 };
	struct check_result *results = NULL;
	const char **listeners = NULL;
	struct err e = { "" };
	char host[256] = "";
	FILE *out = stdout;
	int r, ret = EXIT_INTERNAL;

	r = parse_args(argc, argv, &a);
	if (r)
		return r < 0 ? EXIT_OK : r;

	rep.started_at = time(NULL);
	r = a.checklist ? checklist_load_file(a.checklist, &cl, &e) : checklist_default(&cl);
	if (r < 0) {
		fprintf(stderr, "preflight check: %s\n", a.checklist ? e.msg : "cannot build the default checklist");
		ret = a.checklist ? EXIT_USAGE : EXIT_INTERNAL;
		goto out;
	}
	if (a.process) {
		r = proc_find_by_name(a.root, a.process, &a.pid, &e);
		if (r < 0) {
			fprintf(stderr, "preflight check: %s\n", e.msg);
			ret = EXIT_USAGE;
			goto out;
		}
	}

	{
		struct collect_opts o = { a.root, a.pid, a.window_s, (long)(a.timeout_s * 1000), a.max_debug2 };

		r = facts_collect(&f, &o, &e);
		if (r < 0) {
			fprintf(stderr, "preflight check: %s\n", e.msg);
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
	for (size_t i = 0; i < cl.n_items; i++) {
		result_init(&results[i], cl.items[i].def);
		fill_result_meta(&results[i], &cl.items[i]);
		check_run(cl.items[i].def, &f, cl.items[i].params, &results[i]);
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
	rep.n_listeners = f.proc.n_listeners;
	rep.results = results;
	rep.n_results = cl.n_items;
	rep.fail_on = a.fail_on;
	rep.color = use_color(a.format, a.output);

	if (a.output && !(out = fopen(a.output, "we"))) {
		fprintf(stderr, "preflight check: cannot write '%s': %s\n", a.output, strerror(errno));
		ret = EXIT_USAGE;
		goto out;
	}
	if (report_find(a.format)(&rep, out) < 0 || fflush(out) != 0) {
		fprintf(stderr, "preflight check: cannot write the report: %s\n", strerror(errno));
		goto out;
	}
	ret = exit_code(&rep);
	if (f.proc.err) {
		fprintf(stderr, "preflight check: %s; its checks report error\n", f.proc.errmsg);
		ret = EXIT_USAGE;
	}
out:
	if (out && out != stdout)
		fclose(out);
	for (size_t i = 0; results && i < cl.n_items; i++)
		result_release(&results[i]);
	free(results);
	free(listeners);
	facts_release(&f);
	checklist_release(&cl);
	return ret;
}

int cmd_list_checks(int argc, char **argv)
{
	size_t n;
	const struct check_def *d = registry_all(&n);
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	json_t *arr = json ? json_array() : NULL;

	if (argc > 1 && !json) {
		fprintf(stderr, "usage: preflight list-checks [--json]\n");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *params = json_object();

		for (const struct param_def *p = d[i].params; p && p->name; p++)
			json_object_set_new(params, p->name, p->type == PARAM_NUM ? json_real(p->num) : json_string(p->str));
		if (json) {
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:b}", "id", d[i].id, "layer",
							     layer_name(d[i].layer), "title", d[i].title, "params",
							     params, "needs_target", (d[i].flags & CHECK_NEEDS_TARGET) != 0));
			continue;
		}
		printf("%-20s %-8s %s\n", d[i].id, layer_name(d[i].layer), d[i].title);
		for (const struct param_def *p = d[i].params; p && p->name; p++) {
			if (p->type == PARAM_NUM)
				printf("    %-22s %-10g %s\n", p->name, p->num, p->help);
			else
				printf("    %-22s %-10s %s\n", p->name, p->str, p->help);
		}
		json_decref(params);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
	}
	return EXIT_OK;
}
