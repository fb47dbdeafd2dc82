/* The option tables (src/cmd/options.c): every type's parsing and its
 * refusals, operands, the generated --help, man pages and completion, and
 * the rules every command's table must keep (the standard options spelt
 * the same everywhere). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmd/cmd.h"
#include "cmd/options.h"

struct args {
	bool flag, noflag;
	const char *str, *file, *choice;
	uint64_t count;
	double dur, num;
	pid_t pid;
};

static const char *const colours[] = { "red", "green", NULL };

#define A(f) offsetof(struct args, f)
static const struct opt opts[] = {
	{ .type = OPT_FLAG, .short_name = 'x', .long_name = "flag", .help = "a flag", .off = A(flag) },
	{ .type = OPT_FLAG, .long_name = "no-flag", .help = "a negated flag", .off = A(noflag), .flags = OPT_NEG },
	{ .type = OPT_STRING, .short_name = 's', .long_name = "str", .arg_name = "S", .help = "a string", .off = A(str) },
	{ .type = OPT_FILE, .short_name = 'o', .long_name = "output", .arg_name = "FILE", .help = "a file",
	  .off = A(file) },
	{ .type = OPT_CHOICE, .long_name = "colour", .arg_name = "C", .help = "a choice", .off = A(choice),
	  .choices = colours },
	{ .type = OPT_COUNT, .short_name = 'n', .long_name = "samples", .arg_name = "N", .help = "a count",
	  .off = A(count), .lo = 2, .hi = 100 },
	{ .type = OPT_DURATION, .short_name = 't', .long_name = "timeout", .arg_name = "D", .help = "a duration",
	  .off = A(dur), .flags = OPT_NONZERO, .dhi = 60 },
	{ .type = OPT_NUMBER, .long_name = "ratio", .arg_name = "R", .help = "a number", .off = A(num), .dlo = 0,
	  .dhi = 1 },
	{ .type = OPT_PID, .short_name = 'p', .long_name = "pid", .arg_name = "PID", .help = "a pid", .off = A(pid) },
	{ .type = OPT_REFUSED, .short_name = 'Q', .long_name = "quiet", .help = "--quiet is gone; use -o /dev/null" },
	OPT_END_ENTRY,
};
#undef A

static const struct command_spec spec = {
	.name = "demo-cmd",
	.summary = "a command for tests",
	.synopsis = "[options] FILE...",
	.description = "Does nothing. It is described at some length so that the help text has to wrap at "
		       "least once when the terminal is narrow.",
	.exit_status = "Exit status: 0.",
	.opts = opts,
	.min_operands = 1,
	.max_operands = 2,
};

/* Runs opts_parse on a NULL-terminated argument list (argv[0] added),
 * with stderr and stdout sent to /dev/null. */
static int parse(struct args *a, int *first, ...)
{
	char *argv[32] = { (char *)"demo-cmd" };
	int argc = 1, r, saved_err = dup(2), saved_out = dup(1);
	FILE *null = fopen("/dev/null", "w");
	va_list ap;
	char *s;

	va_start(ap, first);
	while ((s = va_arg(ap, char *)) && argc < 31)
		argv[argc++] = s;
	va_end(ap);
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(null), 2);
	dup2(fileno(null), 1);
	memset(a, 0, sizeof(*a));
	r = opts_parse(&spec, argc, argv, a, first);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_err, 2);
	dup2(saved_out, 1);
	close(saved_err);
	close(saved_out);
	fclose(null);
	return r;
}

static void test_types(void **state)
{
	struct args a;
	int first;

	(void)state;
	assert_int_equal(parse(&a, &first, "-x", "--no-flag", "-s", "v", "--output=out.json", "--colour", "green", "-n",
			       "7", "-t", "500ms", "--ratio", "0.25", "-p", "42", "in", NULL),
			 0);
	assert_true(a.flag);
	assert_false(a.noflag);
	assert_string_equal(a.str, "v");
	assert_string_equal(a.file, "out.json");
	assert_string_equal(a.choice, "green");
	assert_int_equal(a.count, 7);
	assert_true(a.dur > 0.499 && a.dur < 0.501);
	assert_true(a.num == 0.25);
	assert_int_equal(a.pid, 42);
	assert_int_equal(first, 16);
	/* operands and options mixed, "--" ends the options */
	assert_int_equal(parse(&a, &first, "in", "-x", "--", "-p", NULL), 0);
	assert_true(a.flag);
	assert_int_equal(a.pid, 0);
	/* durations with every unit, and bare seconds */
	assert_int_equal(parse(&a, &first, "-t", "1m", "f", NULL), 0);
	assert_true(a.dur == 60);
	assert_int_equal(parse(&a, &first, "-t", "2", "f", NULL), 0);
	assert_true(a.dur == 2);
}

static void test_refusals(void **state)
{
	struct args a;
	int first;

	(void)state;
	/* each type refuses what it cannot hold, with the usage exit code */
	assert_int_equal(parse(&a, &first, "-n", "1", "f", NULL), EXIT_USAGE);      /* below lo */
	assert_int_equal(parse(&a, &first, "-n", "101", "f", NULL), EXIT_USAGE);    /* above hi */
	assert_int_equal(parse(&a, &first, "-n", "7x", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "-n", "-3", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "-t", "0", "f", NULL), EXIT_USAGE);      /* OPT_NONZERO */
	assert_int_equal(parse(&a, &first, "-t", "61s", "f", NULL), EXIT_USAGE);    /* above dhi */
	assert_int_equal(parse(&a, &first, "-t", "5mm", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "-t", "1d", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "--ratio", "1.5", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "--ratio", "nan", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "--colour", "blue", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "-p", "0", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "-p", "99999999999", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "-s", "", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "--bogus", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "-q", "f", NULL), EXIT_USAGE);
	/* a refused option, short, bundled or long, is a usage error too */
	assert_int_equal(parse(&a, &first, "-Q", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "-xQ", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "--quiet", "f", NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "f", "-s", NULL), EXIT_USAGE);          /* missing argument */
	/* operand counts */
	assert_int_equal(parse(&a, &first, NULL), EXIT_USAGE);
	assert_int_equal(parse(&a, &first, "a", "b", "c", NULL), EXIT_USAGE);
	/* --help and --version are answered, whatever else is there */
	assert_int_equal(parse(&a, &first, "--help", NULL), OPTS_DONE);
	assert_int_equal(parse(&a, &first, "-h", "--bogus-after", NULL), OPTS_DONE);
	assert_int_equal(parse(&a, &first, "-V", NULL), OPTS_DONE);
}

static char *render(void (*fn)(FILE *out))
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	assert_non_null(f);
	fn(f);
	fclose(f);
	return s;
}

static void usage_of_spec(FILE *out)
{
	opts_usage(&spec, out);
}

static void man_of_spec(FILE *out)
{
	opts_man(&spec, "9.9", out);
}

static void test_generated_text(void **state)
{
	char *help = render(usage_of_spec), *man = render(man_of_spec);

	(void)state;
	assert_non_null(strstr(help, "usage: preflight demo-cmd [options] FILE..."));
	assert_non_null(strstr(help, "  -n, --samples N"));
	assert_non_null(strstr(help, "      --colour C"));
	assert_non_null(strstr(help, "  -h, --help"));
	assert_null(strstr(help, "quiet"));   /* refused options are not offered */
	assert_null(strstr(man, "quiet"));
	assert_non_null(strstr(man, ".TH PREFLIGHT\\-DEMO\\-CMD 1"));
	assert_non_null(strstr(man, "\\fB\\-n\\fR, \\fB\\-\\-samples\\fR \\fIN\\fR"));
	assert_non_null(strstr(man, ".SH EXIT STATUS"));
	free(help);
	free(man);
}

/* The rules every real command keeps: the standard options have one
 * spelling and one meaning, no short name is taken twice, every option
 * has help, and every command appears in the completion scripts. */
static void test_every_command(void **state)
{
	char *bash = NULL, *zsh = NULL;
	size_t n = 0;
	FILE *f;

	(void)state;
	for (size_t i = 0; command_specs[i]; i++) {
		const struct command_spec *c = command_specs[i];
		bool seen[128] = { false };

		assert_non_null(c->summary);
		assert_true(c->summary[0] != '\0');
		for (const struct opt *o = c->opts; o->type != OPT_END; o++) {
			assert_non_null(o->help);
			if (o->type == OPT_REFUSED) {
				/* a refused option names what to use instead */
				assert_null(o->arg_name);
				continue;
			}
			assert_true(o->type == OPT_FLAG ? o->arg_name == NULL : o->arg_name != NULL);
			if (o->short_name) {
				assert_false(seen[(unsigned char)o->short_name]);
				seen[(unsigned char)o->short_name] = true;
				assert_true(o->short_name != 'h' && o->short_name != 'V');
			}
			if (!strcmp(o->long_name, "format"))
				assert_true(o->short_name == 'f' && o->type == OPT_CHOICE);
			if (!strcmp(o->long_name, "output"))
				assert_true(o->short_name == 'o' && o->type == OPT_FILE);
			if (!strcmp(o->long_name, "timeout"))
				assert_true(o->short_name == 't' && o->type == OPT_DURATION);
			if (!strcmp(o->long_name, "pid"))
				assert_true(o->short_name == 'p' && o->type == OPT_PID);
			if (!strcmp(o->long_name, "insecure"))
				assert_true(o->short_name == 'k' && o->type == OPT_FLAG);
			if (!strcmp(o->long_name, "cacert"))
				assert_true(o->short_name == 0 && o->type == OPT_FILE);
			if (o->short_name == 'k')
				assert_string_equal(o->long_name, "insecure");
			if (o->short_name == 'n')
				assert_string_equal(o->long_name, "samples");
			if (o->short_name == 'f')
				assert_string_equal(o->long_name, "format");
			if (o->short_name == 'o')
				assert_string_equal(o->long_name, "output");
			if (o->short_name == 't')
				assert_string_equal(o->long_name, "timeout");
		}
	}
	f = open_memstream(&bash, &n);
	assert_int_equal(opts_completion("bash", f), 0);
	fclose(f);
	f = open_memstream(&zsh, &n);
	assert_int_equal(opts_completion("zsh", f), 0);
	fclose(f);
	assert_int_equal(opts_completion("fish", stdout), -EINVAL);
	for (size_t i = 0; command_specs[i]; i++) {
		char pat[64];

		snprintf(pat, sizeof(pat), "    %s)", command_specs[i]->name);
		assert_non_null(strstr(bash, pat));
		snprintf(pat, sizeof(pat), "'%s:", command_specs[i]->name);
		assert_non_null(strstr(zsh, pat));
	}
	free(bash);
	free(zsh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_generated_text),
		cmocka_unit_test(test_every_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
