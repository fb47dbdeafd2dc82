/* checklist: checklist-as-code, loaded from YAML (libyaml).
 *
 * A checklist selects checks and overrides their parameters; each item may
 * carry an owner, a due date, a severity (P0-P3), tags and a rollback note,
 * which are stored and reported now and acted on by the checklist loop
 * later. See docs/checklist.md for the format. Errors name the file, line
 * and column: "FILE:LINE:COL: message".
 */
#ifndef PREFLIGHT_CHECKLIST_H
#define PREFLIGHT_CHECKLIST_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"
#include "check/check.h"

struct checklist_item {
	char *id;                        /* unique within the checklist */
	char *title;                     /* defaults to the check's title */
	char *check;                     /* check id */
	const struct check_def *def;     /* resolved from the registry */
	json_t *params;                  /* object of validated overrides; never NULL */
	char *owner, *due, *severity, *rollback;   /* NULL when absent */
	json_t *tags;                    /* object of string values, or NULL */
	unsigned line, column;           /* where the item starts (1-based); 0 for built-ins */
};

struct checklist {
	char *source;                    /* file path, or "built-in" */
	char *name;                      /* the "name:" key, or NULL */
	struct checklist_item *items;
	size_t n_items;
};

/* Limits on what a checklist file may be; beyond them it is refused. */
#define CHECKLIST_MAX_BYTES (1u << 20)
#define CHECKLIST_MAX_ITEMS 10000

/* Loads and validates a checklist file ("-": standard input). Returns 0, or -PF_EPARSE with
 * e->msg = "FILE:LINE:COL: message", or a negative errno when the file
 * cannot be read. On failure *ret is zeroed, so checklist_release() on it
 * is harmless either way. */
int checklist_load_file(const char *path, struct checklist *ret, struct err *e);
/* Same on a buffer; name is used in error messages in place of the path. */
int checklist_load_mem(const char *data, size_t len, const char *name, struct checklist *ret,
		       struct err *e);
/* The built-in default checklist: one item per registered check that can
 * run on its defaults (checklist_builtin), in registry order. */
int checklist_default(struct checklist *ret);
/* Whether d runs without a checklist item: false when a param of it has
 * no default and must be set (metric.*: the metric to judge). */
bool checklist_builtin(const struct check_def *d);
void checklist_release(struct checklist *c);

#endif
