/* options: one table per command drives its option parsing, its --help,
 * its man page and the shell completion, the way git's parse-options does,
 * so an option is written down once.
 *
 * A command declares a `struct command_spec` with an OPT_END-terminated
 * array of `struct opt`, each naming a field of the command's argument
 * struct by offset, so the tables are constant and `preflight completion`
 * and `preflight manpage` read them without running the command.
 * opts_parse() fills the fields, validating each argument by its type (a
 * count within [lo, hi], a duration with units, one of the choices), and
 * answers --help and --version itself.
 *
 * Options mean the same in every command (docs/cli.md):
 *   -f, --format FORMAT   the output format        (OPT_FORMAT)
 *   -o, --output FILE     write there, not stdout  (OPT_OUTPUT)
 *   -t, --timeout D       per network request, with units like --window
 *   -p, --pid PID         the target process
 *   -n, --samples N       how many samples to take
 *   -i, --interval D      time between samples
 *   -w, --window D        the sampling window
 *   -k, --insecure        do not verify https:// certificates   (OPT_INSECURE)
 *       --cacert FILE     verify them against FILE's CAs       (OPT_CACERT)
 *   -h, --help, -V, --version
 */
#ifndef PREFLIGHT_OPTIONS_H
#define PREFLIGHT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum opt_type {
	OPT_END = 0,
	OPT_FLAG,         /* bool *: set to true (or false for OPT_NEG flags) */
	OPT_STRING,       /* const char **: the argument as given */
	OPT_FILE,         /* const char **: a path; "-" is standard input or output */
	OPT_DIR,          /* const char **: a directory */
	OPT_COUNT,        /* uint64_t *: an integer in [lo, hi] */
	OPT_DURATION,     /* double * (seconds): "500ms", "2s", "1m", "1h", or bare seconds */
	OPT_NUMBER,       /* double *: a decimal number in [dlo, dhi] */
	OPT_CHOICE,       /* const char **: one of choices */
	OPT_PID,          /* pid_t *: a process id (1 .. 2^22) */
	OPT_REFUSED,      /* an option this command no longer has: using it is a usage error whose
	                   * message is .help (a pointer to what to use instead); hidden from
	                   * --help, man pages and completion; takes no argument */
};

/* Bits in opt.flags. */
enum {
	OPT_NEG = 1u << 0,      /* OPT_FLAG: store false (--no-source) */
	OPT_NONZERO = 1u << 1,  /* OPT_DURATION: 0 is refused */
};

struct opt {
	enum opt_type type;
	char short_name;        /* 0: long form only */
	const char *long_name;
	const char *arg_name;   /* "PID", "FILE", "D"; NULL for flags */
	const char *help;       /* one line (wrapped when printed), defaults included */
	size_t off;             /* offsetof() the value in the command's argument struct */
	unsigned flags;
	uint64_t lo, hi;        /* OPT_COUNT bounds */
	double dlo, dhi;        /* OPT_NUMBER, OPT_DURATION bounds (dhi 0 = none) */
	const char *const *choices;   /* OPT_CHOICE: NULL-terminated */
};

struct command_spec {
	const char *name;        /* "goroutines" */
	const char *summary;     /* one line: preflight --help, man NAME section */
	const char *synopsis;    /* what follows the name: "[options] URL|FILE..." */
	const char *description; /* paragraphs separated by blank lines */
	const char *operands;    /* what the operands are; NULL when none */
	const char *operand_name; /* "FILE", "URL|FILE": for "no FILE given" */
	const char *exit_status; /* one paragraph */
	const char *see_also;    /* "docs/goroutines.md"; may be NULL */
	const struct opt *opts;  /* terminated by OPT_END */
	unsigned min_operands, max_operands;   /* max 0 = no limit */
	const char *operand_kind; /* completion: "file", "url", "command", "none" */
};

/* The standard options, spelt the same everywhere. */
#define OPT_FORMAT_ENTRY(T, field, choices_, help_) \
	{ .type = OPT_CHOICE, .short_name = 'f', .long_name = "format", .arg_name = "FORMAT", .help = (help_), \
	  .off = offsetof(T, field), .choices = (choices_) }
#define OPT_OUTPUT_ENTRY(T, field) \
	{ .type = OPT_FILE, .short_name = 'o', .long_name = "output", .arg_name = "FILE", \
	  .help = "write the output to FILE ('-' = standard output); a file is replaced only once the output " \
		  "is complete", \
	  .off = offsetof(T, field) }
#define OPT_TIMEOUT_ENTRY(T, field, help_) \
	{ .type = OPT_DURATION, .short_name = 't', .long_name = "timeout", .arg_name = "D", .help = (help_), \
	  .off = offsetof(T, field), .flags = OPT_NONZERO, .dhi = 3600 }
#define OPT_COLOR_ENTRY(T, field) \
	{ .type = OPT_CHOICE, .long_name = "color", .arg_name = "WHEN", \
	  .help = "colour in terminal output: auto (default: on a terminal, without NO_COLOR or TERM=dumb), " \
		  "always or never", \
	  .off = offsetof(T, field), .choices = opts_color_choices }
/* As curl: --cacert FILE trusts the CAs in FILE (PEM) instead of the
 * system's; -k/--insecure verifies nothing. cmd_http_trust() applies them. */
#define OPT_CACERT_ENTRY(T, field) \
	{ .type = OPT_FILE, .long_name = "cacert", .arg_name = "FILE", \
	  .help = "verify the certificates of https:// listeners against the CA certificates in FILE (PEM) " \
		  "instead of the system's, as curl --cacert", \
	  .off = offsetof(T, field) }
#define OPT_INSECURE_ENTRY(T, field) \
	{ .type = OPT_FLAG, .short_name = 'k', .long_name = "insecure", \
	  .help = "do not verify the certificates of https:// listeners, as curl --insecure", \
	  .off = offsetof(T, field) }
#define OPT_END_ENTRY { .type = OPT_END }

extern const char *const opts_color_choices[];   /* auto, always, never */

/* opts_parse() results beyond exit codes. */
#define OPTS_DONE (-1)   /* --help or --version was answered: exit 0 */

/* Parses argv[1..] against spec. Options and operands may be mixed; "--"
 * ends the options. On success returns 0 with *ret_first the index of the
 * first operand (operands are moved behind the options, as getopt does).
 * Returns OPTS_DONE after printing --help or --version to stdout, or
 * EXIT_USAGE after printing one line to stderr:
 * "preflight NAME: --timeout takes a duration such as 2s or 500ms, not 'x'". */
int opts_parse(const struct command_spec *spec, int argc, char **argv, void *args, int *ret_first);

/* The --help text, wrapped to the terminal when out is one. */
void opts_usage(const struct command_spec *spec, FILE *out);

/* The man page (roff, man(7) macros) of one command. */
void opts_man(const struct command_spec *spec, const char *version, FILE *out);

/* Every command's spec, in the order `preflight --help` lists them;
 * NULL-terminated. Defined in main.c with the command table. */
extern const struct command_spec *const command_specs[];

/* The shell completion script for "bash" or "zsh", generated from
 * command_specs. Returns 0, or -EINVAL for another shell. */
int opts_completion(const char *shell, FILE *out);

/* The man page of preflight itself (the command list). */
void opts_man_index(const char *version, FILE *out);

#endif
