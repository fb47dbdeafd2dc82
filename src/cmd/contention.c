/* preflight contention URL: a live service's mutex and block profiles
 * (debug=1), their records merged by call site and ranked by delay
 * (docs/profiles.md). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json_text.h"
#include "base/parse.h"
#include "cmd/cmd.h"
#include "io/fetch.h"
#include "goruntime/profiles.h"

#define TOP_DEFAULT 10

struct contention_args {
	bool json;
	size_t top;
	long timeout_ms;
	const char *url;
};

/* One profile as fetched, parsed and ranked. */
struct ranked {
	const char *name;                  /* "mutex", "block" */
	char url[2048];
	struct contention_profile p;
	struct contention_rank *ranks;
	size_t n_ranks;
};

static const char mutex_remedy[] =
	"call runtime.SetMutexProfileFraction(n) in the service (n = 10 samples about 1 in 10 contended "
	"unlocks at little cost; 0 turns it off)";
static const char block_remedy[] =
	"call runtime.SetBlockProfileRate(ns) in the service (ns = 10000 records blocking of 10 µs and "
	"more and samples shorter waits; 1 records every event, which costs more)";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: preflight contention [--format tty|json] [--top N] [--timeout SECONDS] URL\n"
		"\n"
		"Fetches URL/debug/pprof/mutex?debug=1 and URL/debug/pprof/block?debug=1 from a Go\n"
		"service and ranks the call sites by delay. A mutex site is the function that\n"
		"unlocked (the end of the critical section others waited for); a block site is the\n"
		"function that waited (on a channel, select, lock, WaitGroup or Cond).\n"
		"\n"
		"  -f, --format FORMAT    tty (default) or json (docs/profiles.md)\n"
		"  -n, --top N            show the N biggest sites of each profile (default %d; 0 = all)\n"
		"  -t, --timeout SECONDS  timeout of each request (default 5)\n"
		"\n"
		"URL is the listener serving net/http/pprof, e.g. http://127.0.0.1:6060.\n"
		"Exit status: 0 done, 2 usage or input error (no answer, 404, HTML, not a profile),\n"
		"3 internal error.\n",
		TOP_DEFAULT);
}

#define fail_usage(...) cmd_usage_error("contention", __VA_ARGS__)

static int parse_args(int argc, char **argv, struct contention_args *a)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "top", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "f:n:t:h", opts, NULL)) != -1) {
		uint64_t u;
		double d;

		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				a->json = true;
			else if (!strcmp(optarg, "tty"))
				a->json = false;
			else
				return fail_usage("unknown format '%s' (tty, json)", optarg);
			break;
		case 'n':
			if (parse_u64(optarg, &u) < 0 || u > 1000000)
				return fail_usage("--top takes a count between 0 and 1000000, not '%s'", optarg);
			a->top = (size_t)u;
			break;
		case 't':
			if (parse_double(optarg, &d) < 0 || !(d > 0 && d <= 600))
				return fail_usage("--timeout takes seconds between 0 and 600, not '%s'", optarg);
			a->timeout_ms = (long)ceil(d * 1000);
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return fail_usage("%s", "give the URL of a listener serving net/http/pprof; see 'preflight contention --help'");
	if (optind + 1 < argc)
		return fail_usage("unexpected argument '%s'", argv[optind + 1]);
	a->url = argv[optind];
	return 0;
}

/* Fetches and parses one profile; e names the URL on failure. */
static int load(struct ranked *rp, const struct contention_args *a, const char *base, struct err *e)
{
	struct fetch_opts fo = { .timeout_ms = a->timeout_ms, .max_bytes = FETCH_SMALL_MAX };
	struct buf body = BUF_INIT(FETCH_SMALL_MAX);
	char path[64];
	struct err pe = { "" };
	int r;

	snprintf(path, sizeof(path), "/debug/pprof/%s?debug=1", rp->name);
	r = go_url(rp->url, sizeof(rp->url), base, path);
	if (r < 0) {
		err_set(e, r, "'%.64s...': URL too long", base);
		goto out;
	}
	r = go_fetch(rp->url, &fo, &body, e);
	if (r < 0)
		goto out;
	r = contention_parse(buf_str(&body), body.len, &rp->p, &pe);
	if (r < 0) {
		err_set(e, r, "'%s': %s", rp->url, pe.msg);
		goto out;
	}
	if (rp->p.kind != rp->name[0]) {
		r = err_set(e, -PF_EPARSE, "'%s': got a %s profile", rp->url, rp->p.kind == 'm' ? "mutex" : "block");
		goto out;
	}
	r = contention_rank_sites(&rp->p, &rp->ranks, &rp->n_ranks, e);
out:
	buf_release(&body);
	return r;
}

static size_t shown(const struct ranked *rp, const struct contention_args *a)
{
	return a->top && a->top < rp->n_ranks ? a->top : rp->n_ranks;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void print_tty(const struct ranked *rp, const struct contention_args *a)
{
	const struct contention_profile *p = &rp->p;
	bool mutex = p->kind == 'm';

	printf("%s profile  %s\n", rp->name, rp->url);
	if (!p->n_sites) {
		if (mutex && p->enabled)
			printf("  no contention recorded (sampling period %lld)\n\n", (long long)p->sampling_period);
		else if (mutex)
			printf("  disabled (sampling period 0): %s\n\n", mutex_remedy);
		else
			printf("  disabled, or nothing has blocked since it was enabled: %s\n\n", block_remedy);
		return;
	}
	printf("  %.3f s %s in %llu events, %zu stacks, %zu call sites", p->total_delay_s,
	       mutex ? "waited for locks" : "blocked", (unsigned long long)p->total_count, p->n_sites, rp->n_ranks);
	if (mutex)
		printf(", sampling period %lld", (long long)p->sampling_period);
	printf("\n");
	if (mutex && !p->enabled)
		printf("  profiling is off now (sampling period 0): these events were recorded before; %s\n",
		       mutex_remedy);
	printf("  %5s %11s %7s %10s  %s\n", "rank", "delay_s", "share", "count", "site");
	for (size_t i = 0; i < shown(rp, a); i++) {
		const struct contention_rank *k = &rp->ranks[i];

		printf("  %5zu %11.6f %6.1f%% %10llu  ", i + 1, k->delay_s, k->share * 100, (unsigned long long)k->count);
		if (k->site && k->site->func[0])
			printf("%s %s:%d", k->site->func, base_name(k->site->file), k->site->line);
		else
			printf("(unknown function)");
		if (k->runtime_internal)
			printf("  [runtime-internal lock]");
		if (k->n_stacks > 1)
			printf("  [%zu stacks]", k->n_stacks);
		printf("\n");
	}
	if (shown(rp, a) < rp->n_ranks)
		printf("  ... %zu more (--top 0 shows all)\n", rp->n_ranks - shown(rp, a));
	printf("\n");
}

static json_t *json_round(double v, double scale)
{
	return json_real(round(v * scale) / scale);
}

static int set_new(json_t *o, const char *k, json_t *v)
{
	return v ? json_object_set_new(o, k, v) : -1;
}

static json_t *json_frame(const struct gr_frame *f)
{
	json_t *o = json_object();

	if (!o || set_new(o, "function", json_text(f->func)) < 0 || set_new(o, "file", json_text(f->file)) < 0 ||
	    set_new(o, "line", json_integer(f->line)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *json_site(const struct contention_rank *k, size_t rank)
{
	json_t *o = json_object(), *stack = json_array();
	const struct gr_frame *f = k->site;
	int r = 0;

	if (!o || !stack)
		goto fail;
	r |= set_new(o, "rank", json_integer((json_int_t)rank));
	r |= set_new(o, "function", f ? json_text(f->func) : json_null());
	r |= set_new(o, "file", f ? json_text(f->file) : json_null());
	r |= set_new(o, "line", f ? json_integer(f->line) : json_null());
	r |= set_new(o, "delay_seconds", json_round(k->delay_s, 1e9));
	r |= set_new(o, "count", json_integer(k->count > INT64_MAX ? INT64_MAX : (json_int_t)k->count));
	r |= set_new(o, "share", json_round(k->share, 1e6));
	r |= set_new(o, "stacks", json_integer((json_int_t)k->n_stacks));
	r |= set_new(o, "runtime_internal", json_boolean(k->runtime_internal));
	for (size_t i = 0; k->top && i < k->top->n_frames; i++)
		r |= json_array_append_new(stack, json_frame(&k->top->frames[i]));
	r |= json_object_set_new(o, "stack", stack);
	stack = NULL;
	if (r)
		goto fail;
	return o;
fail:
	json_decref(stack);
	json_decref(o);
	return NULL;
}

static json_t *json_profile(const struct ranked *rp, const struct contention_args *a)
{
	const struct contention_profile *p = &rp->p;
	json_t *o = json_object(), *sites = json_array();
	const char *remedy = NULL;
	int r = 0;

	if (!o || !sites)
		goto fail;
	if (!p->enabled || (p->kind == 'b' && !p->n_sites))
		remedy = p->kind == 'm' ? mutex_remedy : block_remedy;
	r |= set_new(o, "url", json_text(rp->url));
	r |= set_new(o, "enabled", json_boolean(p->enabled));
	r |= set_new(o, "sampling_period",
		     p->sampling_period >= 0 ? json_integer(p->sampling_period) : json_null());
	r |= set_new(o, "cycles_per_second",
		     json_integer(p->cycles_per_second > INT64_MAX ? INT64_MAX : (json_int_t)p->cycles_per_second));
	r |= set_new(o, "total_delay_seconds", json_round(p->total_delay_s, 1e9));
	r |= set_new(o, "total_count",
		     json_integer(p->total_count > INT64_MAX ? INT64_MAX : (json_int_t)p->total_count));
	r |= set_new(o, "n_stacks", json_integer((json_int_t)p->n_sites));
	r |= set_new(o, "n_sites", json_integer((json_int_t)rp->n_ranks));
	for (size_t i = 0; i < shown(rp, a); i++)
		r |= json_array_append_new(sites, json_site(&rp->ranks[i], i + 1));
	r |= json_object_set_new(o, "sites", sites);
	sites = NULL;
	r |= set_new(o, "remedy", remedy ? json_string(remedy) : json_null());
	if (r)
		goto fail;
	return o;
fail:
	json_decref(sites);
	json_decref(o);
	return NULL;
}

static int print_json(const struct ranked *rp, size_t n, const struct contention_args *a)
{
	json_t *doc = json_object();
	int r = 0;

	if (!doc)
		return -1;
	r |= set_new(doc, "url", json_text(a->url));
	for (size_t i = 0; i < n; i++)
		r |= set_new(doc, rp[i].name, json_profile(&rp[i], a));
	if (!r)
		r = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (!r)
		putchar('\n');
	json_decref(doc);
	return r;
}

int cmd_contention(int argc, char **argv)
{
	struct contention_args a = { .top = TOP_DEFAULT, .timeout_ms = FETCH_DEFAULT_TIMEOUT_MS };
	struct ranked rp[2] = { { .name = "mutex" }, { .name = "block" } };
	char *base = NULL;
	struct err e = { "" };
	int r, ret = EXIT_INTERNAL;

	r = parse_args(argc, argv, &a);
	if (r)
		return r < 0 ? EXIT_OK : r;
	/* A bare host:port means plain HTTP, as the pprof docs write it. */
	if (strstr(a.url, "://"))
		base = strdup(a.url);
	else if (asprintf(&base, "http://%s", a.url) < 0)
		base = NULL;
	if (!base) {
		fprintf(stderr, "preflight contention: out of memory\n");
		return EXIT_INTERNAL;
	}
	a.url = base;
	for (size_t i = 0; i < 2; i++) {
		r = load(&rp[i], &a, base, &e);
		if (r < 0) {
			fprintf(stderr, "preflight contention: %s\n", e.msg[0] ? e.msg : err_str(r));
			ret = r == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
			goto out;
		}
	}
	if (a.json) {
		if (print_json(rp, 2, &a) < 0) {
			fprintf(stderr, "preflight contention: cannot build the JSON output\n");
			goto out;
		}
	} else {
		for (size_t i = 0; i < 2; i++)
			print_tty(&rp[i], &a);
		if (rp[0].n_ranks)
			printf("mutex sites are where the lock was released: the end of the critical section others waited for.\n");
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "preflight contention: cannot write to standard output\n");
		goto out;
	}
	ret = EXIT_OK;
out:
	for (size_t i = 0; i < 2; i++) {
		free(rp[i].ranks);
		contention_profile_release(&rp[i].p);
	}
	free(base);
	return ret;
}

/* Placeholder until this command's options move into its table. */
static const struct opt contention_opts_pending[] = { OPT_END_ENTRY };
const struct command_spec cmd_contention_spec = {
	.name = "contention",
	.summary = "contention",
	.synopsis = "[options]",
	.description = "",
	.exit_status = "",
	.opts = contention_opts_pending,
};
