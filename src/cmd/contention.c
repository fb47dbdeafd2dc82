/* preflight contention URL|FILE...: a Go service's mutex and block
 * profiles (debug=1), fetched live or read from saved files, their records
 * merged by call site and ranked by delay (docs/profiles.md).
 * collect/contention_collect.c fetches (both at once) or reads and parses,
 * goruntime/profiles.h ranks, report/contention.c renders. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "goruntime/profiles.h"
#include "collect/contention_collect.h"
#include "report/contention.h"
#include "report/output.h"
#include "report/term.h"

#define TOP_DEFAULT 10
#define TOP_MAX 1000000

struct contention_args {
	const char *format, *output, *color;
	uint64_t top;
	double timeout_s;
	const char *cacert;
	bool insecure;
};

#define A(field) offsetof(struct contention_args, field)
static const struct opt contention_opts[] = {
	OPT_FORMAT_ENTRY(struct contention_args, format, contention_formats, "tty (default), json or markdown"),
	OPT_OUTPUT_ENTRY(struct contention_args, output),
	{ .type = OPT_COUNT, .long_name = "top", .arg_name = "N",
	  .help = "show the N biggest call sites of each profile (default 10; 0 = all)", .off = A(top),
	  .hi = TOP_MAX },
	OPT_TIMEOUT_ENTRY(struct contention_args, timeout_s, "timeout of each request: 5s, 500ms (default 5s)"),
	OPT_CACERT_ENTRY(struct contention_args, cacert),
	OPT_INSECURE_ENTRY(struct contention_args, insecure),
	OPT_COLOR_ENTRY(struct contention_args, color),
	/* -n meant --top here before the option tables; across preflight it
	 * means --samples (docs/cli.md), so a script that still passes it is
	 * pointed to --top rather than told "unknown option". */
	{ .type = OPT_REFUSED, .short_name = 'n',
	  .help = "-n is not an option of contention (in preflight, -n means --samples); use --top N" },
	OPT_END_ENTRY,
};
#undef A

const struct command_spec cmd_contention_spec = {
	.name = "contention",
	.summary = "rank a Go service's mutex and block contention by call site",
	.synopsis = "[options] URL | FILE...",
	.description = "Fetches URL/debug/pprof/mutex?debug=1 and URL/debug/pprof/block?debug=1 from a Go service, "
		       "or reads those profiles saved to files, and ranks the call sites by delay. A mutex site is "
		       "the function that unlocked (the end of the critical section others waited for); a block site "
		       "is the function that waited (on a channel, select, lock, WaitGroup or Cond).",
	.operands = "URL is the listener serving net/http/pprof, e.g. http://127.0.0.1:6060 (a bare host:port "
		    "means http://). FILE is a saved debug=1 mutex or block profile (which one is read from the "
		    "file); give one or one of each. An operand that names an existing file is a FILE.",
	.exit_status = "Exit status: 0 done (also when a profile is disabled), 2 usage or input error (no answer, "
		       "404, HTML, not a profile, an unreadable file), 3 internal error or the output could not be "
		       "written.",
	.see_also = "docs/profiles.md",
	.opts = contention_opts,
	.min_operands = 1,
	.max_operands = 2,
	.operand_kind = "url",
};

/* One profile as collected, ranked by call site. */
struct ranked {
	struct contention_source src;
	struct contention_rank *ranks;
	size_t n_ranks;
};

static void ranked_release(struct ranked *rp)
{
	free(rp->ranks);
	rp->ranks = NULL;
	contention_source_release(&rp->src);
}

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

static bool is_file(const char *s)
{
	struct stat st;

	return !is_url(s) && stat(s, &st) == 0 && !S_ISDIR(st.st_mode);
}

int cmd_contention(int argc, char **argv)
{
	struct contention_args a = { .format = "tty", .color = "auto", .top = TOP_DEFAULT, .timeout_s = 5 };
	struct ranked rp[2] = { 0 };
	struct contention_source src[2];
	struct contention_view views[2];
	struct contention_report rep = { 0 };
	struct output out = { 0 };
	struct err e = { "" };
	char *base = NULL;
	size_t n = 0;
	int first, r, ret = EXIT_INTERNAL;

	r = opts_parse(&cmd_contention_spec, argc, argv, &a, &first);
	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	r = cmd_http_trust("contention", a.cacert, a.insecure);
	if (r)
		return r;

	if (is_file(argv[first])) {
		for (int i = first; i < argc; i++) {
			if (!is_file(argv[i])) {
				ret = cmd_usage_error("contention", "'%s' is not a file; give one URL, or saved profiles only",
						      argv[i]);
				goto out;
			}
			r = contention_collect_file(argv[i], &rp[n].src, &e);
			if (r < 0) {
				ret = cmd_error("contention", r == -ENOMEM || r == -ELIBACC ? EXIT_INTERNAL : EXIT_USAGE, "%s", e.msg);
				goto out;
			}
			n++;
		}
		if (n == 2 && rp[0].src.p.kind == rp[1].src.p.kind) {
			ret = cmd_usage_error("contention", "'%s' and '%s' are both %s profiles; give one of each",
					      rp[0].src.file, rp[1].src.file, rp[0].src.name);
			goto out;
		}
		/* mutex first, as from a URL */
		if (n == 2 && rp[0].src.p.kind == 'b') {
			struct ranked t = rp[0];

			rp[0] = rp[1];
			rp[1] = t;
		}
	} else {
		if (argc - first > 1) {
			ret = cmd_usage_error("contention", "give one URL, or saved profiles only");
			goto out;
		}
		/* A bare host:port means plain HTTP, as the pprof docs write it. */
		if (is_url(argv[first]) ? !(base = strdup(argv[first])) : asprintf(&base, "http://%s", argv[first]) < 0) {
			base = NULL;
			ret = cmd_error("contention", EXIT_INTERNAL, "out of memory");
			goto out;
		}
		r = contention_collect_url(base, (long)ceil(a.timeout_s * 1000), src, &e);
		rp[0].src = src[0];
		rp[1].src = src[1];
		n = 2;
		if (r < 0) {
			ret = cmd_error("contention", r == -ENOMEM || r == -ELIBACC ? EXIT_INTERNAL : EXIT_USAGE, "%s",
					e.msg[0] ? e.msg : err_str(r));
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		r = contention_rank_sites(&rp[i].src.p, &rp[i].ranks, &rp[i].n_ranks, &e);
		if (r < 0) {
			ret = cmd_error("contention", EXIT_INTERNAL, "%s", e.msg[0] ? e.msg : err_str(r));
			goto out;
		}
	}

	for (size_t i = 0; i < n; i++)
		views[i] = (struct contention_view){ rp[i].src.name, rp[i].src.file ? NULL : rp[i].src.url,
						     rp[i].src.file, &rp[i].src.p, rp[i].ranks, rp[i].n_ranks };
	rep = (struct contention_report){ .url = base, .profiles = views, .n_profiles = n, .top = (size_t)a.top };
	if (output_open(&out, a.output, &e) < 0) {
		ret = cmd_usage_error("contention", "%s", e.msg);
		goto out;
	}
	{
		struct term t;

		term_detect(out.f, term_color_mode_of(a.color), &t);
		rep.color = t.color && !strcmp(a.format, "tty");
		rep.width = t.width;
	}
	r = contention_render(&rep, a.format, out.f);
	if (r < 0) {
		output_abort(&out);
		ret = cmd_error("contention", EXIT_INTERNAL, "cannot write the output: %s", err_str(r));
		goto out;
	}
	if (output_commit(&out, &e) < 0) {
		ret = cmd_error("contention", EXIT_INTERNAL, "%s", e.msg);
		goto out;
	}
	ret = EXIT_OK;
out:
	for (size_t i = 0; i < 2; i++)
		ranked_release(&rp[i]);
	free(base);
	return ret;
}
