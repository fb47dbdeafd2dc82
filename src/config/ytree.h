/* ytree: one YAML document as a small tree of scalars, mappings and
 * sequences, each node carrying its 1-based line and column, built from
 * libyaml's event parser. It exists so the checklist validator can look
 * keys up in any order and still point at the offending node.
 *
 * The loader is deliberately narrow, because its input is a config file a
 * person wrote: exactly one document; no anchors or aliases (an alias
 * bomb expands a few hundred bytes into gigabytes); no explicit tags;
 * nesting at most YTREE_MAX_DEPTH deep; mapping keys are scalars and
 * unique. Scalars are kept as the text the file spells, never resolved, so
 * "1.20" stays "1.20" until a caller decides it wants a number.
 *
 * Errors: -PF_EPARSE with e->msg = "NAME:LINE:COL: message" (libyaml's own
 * problem text for reader, scanner and parser errors), or -ENOMEM.
 */
#ifndef PREFLIGHT_YTREE_H
#define PREFLIGHT_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define YTREE_MAX_DEPTH 32

enum ynode_kind { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ };

/* How a plain scalar reads under YAML's core rules; quoted and block
 * scalars are always YSCALAR_STR. */
enum yscalar_type { YSCALAR_NULL, YSCALAR_BOOL, YSCALAR_INT, YSCALAR_FLOAT, YSCALAR_STR };

struct ynode {
	enum ynode_kind kind;
	unsigned line, col;         /* 1-based */
	/* Scalars: a NUL-terminated copy of the value; len counts every byte,
	 * so strlen(text) != len when the value holds a "\0" escape. */
	char *text;
	size_t len;
	bool plain;                 /* unquoted flow scalar */
	/* Mappings: key, value, key, value, ...; sequences: the items. */
	struct ynode **kids;
	size_t n_kids, cap;
};

int ytree_parse(const char *data, size_t len, const char *name, struct ynode **ret, struct err *e);
void ytree_free(struct ynode *n);

enum yscalar_type ynode_scalar_type(const struct ynode *n);
/* "a mapping", "a sequence", "null", "a boolean", "a number", "a string". */
const char *ynode_describe(const struct ynode *n);
/* The value of key in mapping m, or NULL. */
struct ynode *ynode_get(const struct ynode *m, const char *key);


#endif
