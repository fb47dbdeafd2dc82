/* clvalue: the checklist's scalar rules (strings, numbers, dates,
 * severities, ids, tag names) and "did you mean" suggestions. Internal to
 * src/config; checklist.c is the only user.
 *
 * Every function returns 0, or -PF_EPARSE with the message
 * "NAME:LINE:COL: <what> ..." pointing at the node, where `what` names the
 * value for the reader ("'owner'", "param 'warn' of 'fd.process'").
 */
#ifndef PREFLIGHT_CLVALUE_H
#define PREFLIGHT_CLVALUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "config/ytree.h"

struct clctx {
	const char *name;   /* file name for messages */
	struct err *e;
};

int cl_err(const struct clctx *c, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A non-empty string without NUL or control characters (tab and newline
 * allowed), taken verbatim from the file. *ret borrows the node's text. */
int cl_string(const struct clctx *c, const struct ynode *v, const char *what, const char **ret);
/* A finite number written in decimal: json_integer when it is an integer
 * that fits 64 bits, else json_real. */
int cl_number(const struct clctx *c, const struct ynode *v, const char *what, json_t **ret);
/* YYYY-MM-DD (a real calendar date) or an RFC 3339 date-time. */
int cl_due(const struct clctx *c, const struct ynode *v, const char **ret);
/* P0, P1, P2 or P3. */
int cl_severity(const struct clctx *c, const struct ynode *v, const char **ret);
/* [A-Za-z0-9][A-Za-z0-9._-]*, at most 64 bytes. */
int cl_item_id(const struct clctx *c, const struct ynode *v, const char **ret);
/* [A-Za-z_][A-Za-z0-9_]*, at most 64 bytes: usable as a Prometheus label. */
int cl_tag_key(const struct clctx *c, const struct ynode *k, const char **ret);

/* The candidate closest to s by edit distance (a swap of two neighbours
 * counts once), or NULL when none is close enough to be a likely typo. */
const char *cl_suggest(const char *s, size_t len, const char *const *cands, size_t n);

/* A duration as the CLI takes it ("500ms", "2s", "1m", "1h", or a bare
 * number of seconds), from min_s to max_s inclusive. */
int cl_duration(const struct clctx *c, const struct ynode *v, const char *what, double min_s, double max_s,
		double *ret);
/* An integer written in decimal, from min to max inclusive. */
int cl_int(const struct clctx *c, const struct ynode *v, const char *what, long long min, long long max,
	   long long *ret);
/* true/false (YAML's yes/no/on/off too). */
int cl_bool(const struct clctx *c, const struct ynode *v, const char *what, bool *ret);
/* A name like an item id ([A-Za-z0-9][A-Za-z0-9._-]*, at most 64 bytes):
 * "bad WHAT 'x' (use letters, ...)". */
int cl_ident(const struct clctx *c, const struct ynode *v, const char *what, const char **ret);
/* An http:// or https:// URL of at most 2047 bytes, without credentials
 * (user:password@) or whitespace. */
int cl_url(const struct clctx *c, const struct ynode *v, const char *what, const char **ret);
/* A due date as written: absolute (cl_due), or relative to the run's start
 * ("+30m", "+2h", "+1h30m"): then *relative is set and *offset_s holds it. */
int cl_due_any(const struct clctx *c, const struct ynode *v, const char **ret, bool *relative, double *offset_s);

/* Mapping helpers shared by the checklist parsers. */
bool cl_key_is(const struct ynode *k, const char *s);
/* Every key of mapping m is one of valid; else "unknown key 'x' WHERE
 * (did you mean 'y'?)" or "(valid: a, b)". */
int cl_check_keys(const struct clctx *c, const struct ynode *m, const char *where, const char *const *valid,
		  size_t n_valid);
/* "a, b, c" into out (truncated to n). */
void cl_join(char *out, size_t n, const char *const *names, size_t count);
/* strdup that keeps NULL: 0 or -ENOMEM. */
int cl_dup(const char *s, char **ret);

/* Validates a date: 0, or -EINVAL when it is not in either format,
 * -ERANGE when it is in the format but names no such day or time. */
int cl_date_check(const char *s);

#endif
