/* options: parsing, --help and man pages from one table per command
 * (options.h). Completion scripts are in completion.c. */
#include "cmd/options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/parse.h"
#include "cmd/cmd.h"
#include "report/term.h"

#define OPTS_MAX 64

const char *const opts_color_choices[] = { "auto", "always", "never", NULL };

static size_t opts_count(const struct opt *o)
{
	size_t n = 0;

	while (o && o[n].type != OPT_END)
		n++;
	return n;
}

static int bad(const struct command_spec *spec, const struct opt *o, const char *arg, const char *what)
{
	return cmd_usage_error(spec->name, "--%s takes %s, not '%s'", o->long_name, what, arg);
}

static int choice_error(const struct command_spec *spec, const struct opt *o, const char *arg)
{
	char list[256] = "";
	size_t used = 0;

	for (size_t i = 0; o->choices[i]; i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", o->choices[i]);

		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
	}
	return cmd_usage_error(spec->name, "--%s takes one of %s, not '%s'", o->long_name, list, arg);
}

/* Stores arg into the value o points to, by o's type. */
static int opt_store(const struct command_spec *spec, const struct opt *o, const char *arg, void *args)
{
	void *value = (char *)args + o->off;
	uint64_t u;
	double d;

	switch (o->type) {
	case OPT_FLAG:
		*(bool *)value = !(o->flags & OPT_NEG);
		return 0;
	case OPT_STRING:
	case OPT_FILE:
	case OPT_DIR:
		if (!arg[0])
			return bad(spec, o, arg, "a non-empty value");
		*(const char **)value = arg;
		return 0;
	case OPT_CHOICE:
		for (size_t i = 0; o->choices[i]; i++)
			if (!strcmp(arg, o->choices[i])) {
				*(const char **)value = o->choices[i];
				return 0;
			}
		return choice_error(spec, o, arg);
	case OPT_COUNT:
		if (parse_u64(arg, &u) < 0 || u < o->lo || u > o->hi) {
			char what[96];

			snprintf(what, sizeof(what), "a count between %llu and %llu", (unsigned long long)o->lo,
				 (unsigned long long)o->hi);
			return bad(spec, o, arg, what);
		}
		*(uint64_t *)value = u;
		return 0;
	case OPT_DURATION:
		if (parse_duration(arg, &d) < 0 || ((o->flags & OPT_NONZERO) && d <= 0) || (o->dhi > 0 && d > o->dhi) ||
		    d < o->dlo) {
			char what[128];

			if (o->dhi > 0)
				snprintf(what, sizeof(what), "a duration%s up to %gs, such as 2s or 500ms",
					 o->flags & OPT_NONZERO ? " above 0" : "", o->dhi);
			else
				snprintf(what, sizeof(what), "a duration%s such as 2s, 500ms or 1m",
					 o->flags & OPT_NONZERO ? " above 0" : "");
			return bad(spec, o, arg, what);
		}
		*(double *)value = d;
		return 0;
	case OPT_NUMBER:
		if (parse_double(arg, &d) < 0 || !isfinite(d) || d < o->dlo || d > o->dhi) {
			char what[96];

			snprintf(what, sizeof(what), "a number between %g and %g", o->dlo, o->dhi);
			return bad(spec, o, arg, what);
		}
		*(double *)value = d;
		return 0;
	case OPT_PID:
		if (parse_u64(arg, &u) < 0 || u < 1 || u > (1u << 22))
			return bad(spec, o, arg, "a process id");
		*(pid_t *)value = (pid_t)u;
		return 0;
	case OPT_REFUSED:
		return cmd_usage_error(spec->name, "%s", o->help);
	case OPT_END:
		break;
	}
	return cmd_usage_error(spec->name, "internal error: option --%s has no type", o->long_name);
}

int opts_parse(const struct command_spec *spec, int argc, char **argv, void *args, int *ret_first)
{
	struct option longs[OPTS_MAX + 3];
	char shorts[OPTS_MAX * 2 + 8];
	size_t n = opts_count(spec->opts), k = 0, nl = 0;
	unsigned operands;
	int c, idx;

	if (n > OPTS_MAX)
		return cmd_usage_error(spec->name, "internal error: too many options");
	shorts[k++] = ':';   /* first: a missing argument returns ':', not '?' */
	for (size_t i = 0; i < n; i++) {
		const struct opt *o = &spec->opts[i];
		int has_arg = o->type == OPT_FLAG || o->type == OPT_REFUSED ? no_argument : required_argument;

		if (o->long_name)
			longs[nl++] = (struct option){ o->long_name, has_arg, NULL, 256 + (int)i };
		if (o->short_name) {
			shorts[k++] = o->short_name;
			if (has_arg == required_argument)
				shorts[k++] = ':';
		}
	}
	longs[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
	longs[nl++] = (struct option){ "version", no_argument, NULL, 'V' };
	longs[nl] = (struct option){ NULL, 0, NULL, 0 };
	shorts[k++] = 'h';
	shorts[k++] = 'V';
	shorts[k] = '\0';

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, &idx)) != -1) {
		const struct opt *o = NULL;
		int r;

		if (c == 'h') {
			opts_usage(spec, stdout);
			return OPTS_DONE;
		}
		if (c == 'V') {
			printf("preflight %s\n", PREFLIGHT_VERSION);
			return OPTS_DONE;
		}
		if (c == '?' || c == ':') {
			const char *arg = argv[optind - 1];

			if (optopt && optopt < 256)
				return cmd_usage_error(spec->name, c == ':' ? "-%c needs an argument; see --help"
									    : "unknown option -%c; see --help",
						       optopt);
			return cmd_usage_error(spec->name,
					       c == ':' ? "%s needs an argument; see --help" : "unknown option '%s'; see --help",
					       arg ? arg : "?");
		}
		if (c >= 256 && (size_t)(c - 256) < n) {
			o = &spec->opts[c - 256];
		} else {
			for (size_t i = 0; i < n; i++)
				if (spec->opts[i].short_name == c)
					o = &spec->opts[i];
		}
		if (!o)
			return cmd_usage_error(spec->name, "unknown option; see --help");
		r = opt_store(spec, o, optarg ? optarg : "", args);
		if (r)
			return r;
	}
	operands = (unsigned)(argc - optind);
	if (operands < spec->min_operands)
		return cmd_usage_error(spec->name, "no %s given; see 'preflight %s --help'",
				       spec->operand_name ? spec->operand_name : "operand", spec->name);
	if (spec->max_operands && operands > spec->max_operands)
		return cmd_usage_error(spec->name, "unexpected operand '%s'; see --help", argv[optind + spec->max_operands]);
	*ret_first = optind;
	return 0;
}

/* "-f, --format FORMAT" or "    --min-growth N" */
static int opt_label(const struct opt *o, char *out, size_t n)
{
	return snprintf(out, n, "%c%c%c --%s%s%s", o->short_name ? '-' : ' ', o->short_name ? o->short_name : ' ',
			o->short_name ? ',' : ' ', o->long_name, o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
}

void opts_usage(const struct command_spec *spec, FILE *out)
{
	struct term t;
	size_t n = opts_count(spec->opts);
	unsigned width;

	term_detect(out, TERM_COLOR_NEVER, &t);
	width = t.width ? t.width : 80;
	fprintf(out, "usage: preflight %s %s\n\n", spec->name, spec->synopsis);
	term_wrap(out, spec->description, width, 0, 0);
	fputs("\n\n", out);
	for (size_t i = 0; i < n; i++) {
		char label[96];
		int w;

		if (spec->opts[i].type == OPT_REFUSED)
			continue;
		w = opt_label(&spec->opts[i], label, sizeof(label));

		fprintf(out, "  %s", label);
		if (w > 22)
			fprintf(out, "\n%*s", 2 + 24, "");
		else
			fprintf(out, "%*s", 24 - w, "");
		term_wrap(out, spec->opts[i].help, width, 26, 26);
		fputc('\n', out);
	}
	fprintf(out, "  %-24sshow this help\n", "-h, --help");
	fprintf(out, "  %-24sprint preflight's version\n", "-V, --version");
	if (spec->operands) {
		fputc('\n', out);
		term_wrap(out, spec->operands, width, 0, 0);
		fputc('\n', out);
	}
	fputc('\n', out);
	term_wrap(out, spec->exit_status, width, 0, 0);
	fputc('\n', out);
	if (spec->see_also)
		fprintf(out, "See %s.\n", spec->see_also);
}

/* roff escapes: a backslash is \e, a leading '.' or '\'' is protected by \&,
 * and '-' is \- where it is an option's dash. */
static void roff_text(FILE *out, const char *s, bool dashes)
{
	bool line_start = true;

	for (; *s; s++) {
		if (line_start && (*s == '.' || *s == '\''))
			fputs("\\&", out);
		line_start = *s == '\n';
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-' && dashes)
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

/* Paragraphs separated by blank lines become .PP blocks; single newlines
 * inside a paragraph are kept as line breaks only where the help text
 * lays out a list (a line starting with spaces). */
static void roff_paragraphs(FILE *out, const char *text)
{
	const char *s = text;

	fputs(".PP\n", out);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *line = strndup(s, len);

		if (!line)
			return;
		if (!len)
			fputs(".PP\n", out);
		else {
			if (line[0] == ' ')
				fputs(".br\n", out);
			roff_text(out, line[0] == ' ' ? line + strspn(line, " ") : line, false);
			fputc('\n', out);
		}
		free(line);
		s += len + (nl ? 1 : 0);
	}
}

void opts_man(const struct command_spec *spec, const char *version, FILE *out)
{
	size_t n = opts_count(spec->opts);

	fputs(".TH PREFLIGHT\\-", out);
	for (const char *c = spec->name; *c; c++) {
		if (*c == '-')
			fputs("\\-", out);
		else
			fputc(toupper((unsigned char)*c), out);
	}
	fprintf(out, " 1 \"\" \"preflight %s\" \"preflight manual\"\n", version);
	fputs(".SH NAME\n", out);
	fprintf(out, "preflight\\-%s \\- ", spec->name);
	roff_text(out, spec->summary, false);
	fputs("\n.SH SYNOPSIS\n", out);
	fprintf(out, ".B preflight %s\n", spec->name);
	roff_text(out, spec->synopsis, true);
	fputs("\n.SH DESCRIPTION\n", out);
	roff_paragraphs(out, spec->description);
	if (spec->operands) {
		fputs(".SH OPERANDS\n", out);
		roff_paragraphs(out, spec->operands);
	}
	fputs(".SH OPTIONS\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct opt *o = &spec->opts[i];

		if (o->type == OPT_REFUSED)
			continue;
		fputs(".TP\n", out);
		if (o->short_name)
			fprintf(out, "\\fB\\-%c\\fR, \\fB\\-\\-%s\\fR", o->short_name, o->long_name);
		else
			fprintf(out, "\\fB\\-\\-%s\\fR", o->long_name);
		if (o->arg_name)
			fprintf(out, " \\fI%s\\fR", o->arg_name);
		fputc('\n', out);
		roff_text(out, o->help, false);
		fputc('\n', out);
	}
	fputs(".TP\n.BR \\-h \", \" \\-\\-help\nshow the help\n", out);
	fputs(".TP\n.BR \\-V \", \" \\-\\-version\nprint preflight's version\n", out);
	fputs(".SH EXIT STATUS\n", out);
	roff_paragraphs(out, spec->exit_status);
	fputs(".SH SEE ALSO\n.BR preflight (1)", out);
	if (spec->see_also) {
		fputs(", ", out);
		roff_text(out, spec->see_also, false);
	}
	fputc('\n', out);
}

void opts_man_index(const char *version, FILE *out)
{
	fprintf(out, ".TH PREFLIGHT 1 \"\" \"preflight %s\" \"preflight manual\"\n", version);
	fputs(".SH NAME\npreflight \\- will this Go service stay up under real traffic\n", out);
	fputs(".SH SYNOPSIS\n.B preflight\n.I command\n[options]\n", out);
	fputs(".SH DESCRIPTION\n.PP\npreflight reads the host, a Go service's process and its Go runtime surfaces "
	      "(pprof, expvar, Prometheus metrics, the binary's build info) and judges them against a risk map of "
	      "four layers: code, runtime, infra and business.\n",
	      out);
	fputs(".SH COMMANDS\n", out);
	for (size_t i = 0; command_specs[i]; i++) {
		fprintf(out, ".TP\n.BR preflight\\-%s (1)\n", command_specs[i]->name);
		roff_text(out, command_specs[i]->summary, false);
		fputc('\n', out);
	}
	fputs(".SH EXIT STATUS\n.PP\n0 passed; 1 findings at or above \\-\\-fail\\-on; 2 usage or input error; "
	      "3 internal error.\n",
	      out);
	fputs(".SH ENVIRONMENT\n.TP\n.B NO_COLOR\nno colour in terminal output, whatever its value\n", out);
}
