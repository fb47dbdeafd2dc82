#include "config/ytree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/array.h"
#include "base/quote.h"

struct builder {
	const char *name;
	struct err *e;
	struct ynode *root;
	struct ynode *stack[YTREE_MAX_DEPTH];
	size_t depth;
};

static int perr(struct err *e, const char *name, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int perr(struct err *e, const char *name, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(e, -PF_EPARSE, "%s:%u:%u: %s", name, line, col, msg);
}

void ytree_free(struct ynode *n)
{
	if (!n)
		return;
	/* Depth is bounded by YTREE_MAX_DEPTH, so recursion is safe. */
	for (size_t i = 0; i < n->n_kids; i++)
		ytree_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

static struct ynode *node_new(enum ynode_kind kind, yaml_mark_t m)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	/* libyaml marks are 0-based; and its counters are size_t, which a
	 * 1 MiB input cannot push past UINT_MAX. */
	n->line = (unsigned)m.line + 1;
	n->col = (unsigned)m.column + 1;
	return n;
}

static int kid_add(struct ynode *parent, struct ynode *kid)
{
	if (array_reserve(&parent->kids, &parent->cap, parent->n_kids, sizeof(*parent->kids), 4) < 0)
		return -ENOMEM;
	parent->kids[parent->n_kids++] = kid;
	return 0;
}

/* Hangs n into the tree at the current position; the tree owns it even
 * when this fails on a rule, so one ytree_free() cleans up. */
static int attach(struct builder *b, struct ynode *n)
{
	struct ynode *parent;
	int r;

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	parent = b->stack[b->depth - 1];
	r = kid_add(parent, n);
	if (r < 0) {
		ytree_free(n);
		return err_set(b->e, r, "%s: out of memory", b->name);
	}
	if (parent->kind == YNODE_MAP && parent->n_kids % 2 == 1 && n->kind != YNODE_SCALAR)
		return perr(b->e, b->name, n->line, n->col, "a mapping key must be a scalar, not %s",
			    ynode_describe(n));
	return 0;
}

struct keyref {
	const struct ynode *key;
	size_t index;
};

static int keyref_cmp(const void *pa, const void *pb)
{
	const struct keyref *a = pa, *b = pb;
	size_t n = a->key->len < b->key->len ? a->key->len : b->key->len;
	int c = memcmp(a->key->text, b->key->text, n);

	if (c)
		return c;
	if (a->key->len != b->key->len)
		return a->key->len < b->key->len ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Reports the duplicate key that comes first in the file. Sorting keeps
 * this O(n log n): a hostile file may hold a mapping with 100,000 keys. */
static int check_duplicates(struct builder *b, const struct ynode *m)
{
	size_t n = m->n_kids / 2, best = 0;
	const struct ynode *first = NULL, *dup = NULL;
	struct keyref *refs;
	char ex[QUOTE_SIZE];

	if (n < 2)
		return 0;
	refs = malloc(n * sizeof(*refs));
	if (!refs)
		return err_set(b->e, -ENOMEM, "%s: out of memory", b->name);
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct keyref){ m->kids[2 * i], i };
	qsort(refs, n, sizeof(*refs), keyref_cmp);
	for (size_t i = 1; i < n; i++) {
		const struct ynode *a = refs[i - 1].key, *k = refs[i].key;

		if (a->len != k->len || memcmp(a->text, k->text, a->len) != 0)
			continue;
		/* Within a run of equal keys the second entry is the first
		 * repetition; keep the earliest such across runs. */
		if (i >= 2 && refs[i - 2].key->len == k->len && memcmp(refs[i - 2].key->text, k->text, k->len) == 0)
			continue;
		if (!dup || refs[i].index < best) {
			best = refs[i].index;
			dup = k;
			first = a;
		}
	}
	free(refs);
	if (!dup)
		return 0;
	return perr(b->e, b->name, dup->line, dup->col, "duplicate key '%s' (first at %u:%u)",
		    quote_for_message(dup->text, dup->len, ex), first->line, first->col);
}

/* The line and column libyaml would give for a byte offset: it counts
 * characters, not bytes, and treats CR LF, CR, LF, NEL, LS and PS as line
 * breaks. */
static void offset_mark(const char *data, size_t len, size_t off, unsigned *line, unsigned *col)
{
	const unsigned char *s = (const unsigned char *)data;
	unsigned l = 1, c = 1;

	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n'))) {
			l++, c = 1;
		} else if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0x85) {
			l++, c = 1, i++;
		} else if (s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
			l++, c = 1, i += 2;
		} else if ((s[i] & 0xC0) != 0x80 && s[i] != '\r') {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static int parser_error(yaml_parser_t *p, const char *data, size_t len, const char *name, struct err *e)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";
	size_t off;
	unsigned line, col;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return err_set(e, -ENOMEM, "%s: out of memory", name);
	case YAML_READER_ERROR:
		off = p->problem_offset;
		/* libyaml gives the offset of a bad trailing octet; point at the
		 * character it was meant to continue, as an editor would. */
		if (strstr(problem, "trailing") && off <= len) {
			size_t lead = off;

			while (lead > 0 && off - lead < 3 && ((unsigned char)data[lead - 1] & 0xC0) == 0x80)
				lead--;
			if (lead > 0 && ((unsigned char)data[lead - 1] & 0xC0) == 0xC0) {
				offset_mark(data, len, lead - 1, &line, &col);
				return perr(e, name, line, col, "%s (0x%02x after lead byte 0x%02x); a checklist must be UTF-8 text",
					    problem, (unsigned)p->problem_value & 0xff,
					    (unsigned char)data[lead - 1]);
			}
		}
		offset_mark(data, len, off, &line, &col);
		if (p->problem_value < 0)
			return perr(e, name, line, col, "%s; a checklist must be UTF-8 text", problem);
		if (strstr(problem, "octet"))
			return perr(e, name, line, col, "%s (byte 0x%02x); a checklist must be UTF-8 text", problem,
				    (unsigned)p->problem_value);
		return perr(e, name, line, col, "%s (U+%04X)", problem, (unsigned)p->problem_value);
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		line = (unsigned)p->problem_mark.line + 1;
		col = (unsigned)p->problem_mark.column + 1;
		if (p->context)
			return perr(e, name, line, col, "%s (%s at %u:%u)", problem, p->context,
				    (unsigned)p->context_mark.line + 1, (unsigned)p->context_mark.column + 1);
		return perr(e, name, line, col, "%s", problem);
	default:
		return perr(e, name, 1, 1, "%s", problem);
	}
}

/* Refuses what this loader leaves out of YAML: anchors (and so aliases)
 * and explicit tags. */
static int check_node_props(struct builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
			    const yaml_char_t *tag)
{
	unsigned line = (unsigned)ev->start_mark.line + 1, col = (unsigned)ev->start_mark.column + 1;
	char ex[QUOTE_SIZE];

	if (anchor)
		return perr(b->e, b->name, line, col,
			    "anchors and aliases are not allowed ('&%s'); write the value out",
			    quote_for_message((const char *)anchor, strlen((const char *)anchor), ex));
	if (tag)
		return perr(b->e, b->name, line, col, "explicit tags are not allowed ('%s')",
			    quote_for_message((const char *)tag, strlen((const char *)tag), ex));
	return 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *n;
	int r;

	r = check_node_props(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
	if (r < 0)
		return r;
	n = node_new(YNODE_SCALAR, ev->start_mark);
	if (!n)
		goto oom;
	n->len = ev->data.scalar.length;
	n->text = malloc(n->len + 1);
	if (!n->text) {
		free(n);
		goto oom;
	}
	memcpy(n->text, ev->data.scalar.value, n->len);
	n->text[n->len] = '\0';
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return attach(b, n);
oom:
	return err_set(b->e, -ENOMEM, "%s: out of memory", b->name);
}

static int on_start(struct builder *b, const yaml_event_t *ev, enum ynode_kind kind)
{
	const yaml_char_t *anchor, *tag;
	struct ynode *n;
	int r;

	if (kind == YNODE_MAP) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	r = check_node_props(b, ev, anchor, tag);
	if (r < 0)
		return r;
	if (b->depth == YTREE_MAX_DEPTH)
		return perr(b->e, b->name, (unsigned)ev->start_mark.line + 1, (unsigned)ev->start_mark.column + 1,
			    "nested deeper than %d levels", YTREE_MAX_DEPTH);
	n = node_new(kind, ev->start_mark);
	if (!n)
		return err_set(b->e, -ENOMEM, "%s: out of memory", b->name);
	r = attach(b, n);
	if (r < 0)
		return r;
	b->stack[b->depth++] = n;
	return 0;
}

static int on_end(struct builder *b)
{
	struct ynode *n = b->stack[--b->depth];

	return n->kind == YNODE_MAP ? check_duplicates(b, n) : 0;
}

int ytree_parse(const char *data, size_t len, const char *name, struct ynode **ret, struct err *e)
{
	struct builder b = { .name = name, .e = e };
	yaml_parser_t p;
	yaml_event_t ev;
	bool done = false, have_doc = false;
	char ex[QUOTE_SIZE];
	int r = 0;

	*ret = NULL;
	if (!data) {
		if (len)
			return err_set(e, -EINVAL, "%s: no data", name);
		data = "";      /* libyaml asserts on a NULL input */
	}
	/* libyaml would take a UTF-16 BOM as a reason to decode UTF-16; we
	 * pin UTF-8, so say plainly what is wrong instead of "invalid octet". */
	if (len >= 2 && ((data[0] == '\xff' && data[1] == '\xfe') || (data[0] == '\xfe' && data[1] == '\xff')))
		return perr(e, name, 1, 1, "the file is UTF-16; a checklist must be UTF-8 text");
	/* libyaml's scanner counts a UTF-8 BOM as a column of line 1; drop
	 * it so columns match what an editor shows. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		data += 3, len -= 3;
	if (!yaml_parser_initialize(&p))
		return err_set(e, -ENOMEM, "%s: out of memory", name);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			r = parser_error(&p, data, len, name, e);
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (have_doc)
				r = perr(e, name, (unsigned)ev.start_mark.line + 1, (unsigned)ev.start_mark.column + 1,
					 "a second YAML document; a checklist is one document");
			have_doc = true;
			break;
		case YAML_ALIAS_EVENT:
			r = perr(e, name, (unsigned)ev.start_mark.line + 1, (unsigned)ev.start_mark.column + 1,
				 "anchors and aliases are not allowed ('*%s'); write the value out",
				 quote_for_message((const char *)ev.data.alias.anchor, strlen((const char *)ev.data.alias.anchor),
					 ex));
			break;
		case YAML_SCALAR_EVENT:
			r = on_scalar(&b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			r = on_start(&b, &ev, YNODE_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			r = on_start(&b, &ev, YNODE_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			r = on_end(&b);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (r < 0)
			goto out;
	}
	*ret = b.root;
	b.root = NULL;
out:
	ytree_free(b.root);
	yaml_parser_delete(&p);
	return r;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool any_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* [-+]?[0-9]+ for ints; [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
 * for floats (YAML 1.2 core schema), plus .inf and .nan so that callers
 * can say "must be finite" rather than "not a number". */
static enum yscalar_type number_type(const char *s)
{
	static const char *const infs[] = { ".inf", ".Inf", ".INF", NULL };
	size_t int_digits = 0, frac_digits = 0;
	bool dot = false;

	if (*s == '-' || *s == '+')
		s++;
	if (any_of(s, infs))
		return YSCALAR_FLOAT;
	while (is_digit(*s))
		s++, int_digits++;
	if (*s == '.') {
		dot = true;
		s++;
		while (is_digit(*s))
			s++, frac_digits++;
	}
	if (int_digits + frac_digits == 0)
		return YSCALAR_STR;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!is_digit(*s))
			return YSCALAR_STR;
		while (is_digit(*s))
			s++;
		return *s ? YSCALAR_STR : YSCALAR_FLOAT;
	}
	if (*s)
		return YSCALAR_STR;
	return dot ? YSCALAR_FLOAT : YSCALAR_INT;
}

enum yscalar_type ynode_scalar_type(const struct ynode *n)
{
	static const char *const nulls[] = { "~", "null", "Null", "NULL", NULL };
	static const char *const nans[] = { ".nan", ".NaN", ".NAN", NULL };
	/* YAML 1.1's booleans, which is what libyaml's users resolve. */
	static const char *const bools[] = { "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
					     "true", "True", "TRUE", "false", "False", "FALSE",
					     "on", "On", "ON", "off", "Off", "OFF", NULL };

	if (n->kind != YNODE_SCALAR || !n->plain || strlen(n->text) != n->len)
		return YSCALAR_STR;
	if (n->len == 0 || any_of(n->text, nulls))
		return YSCALAR_NULL;
	if (any_of(n->text, bools))
		return YSCALAR_BOOL;
	if (any_of(n->text, nans))
		return YSCALAR_FLOAT;
	return number_type(n->text);
}

const char *ynode_describe(const struct ynode *n)
{
	if (n->kind == YNODE_MAP)
		return "a mapping";
	if (n->kind == YNODE_SEQ)
		return "a sequence";
	switch (ynode_scalar_type(n)) {
	case YSCALAR_NULL: return "null";
	case YSCALAR_BOOL: return "a boolean";
	case YSCALAR_INT:
	case YSCALAR_FLOAT: return "a number";
	default: return "a string";
	}
}

struct ynode *ynode_get(const struct ynode *m, const char *key)
{
	size_t len = strlen(key);

	if (m->kind != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < m->n_kids; i += 2)
		if (m->kids[i]->len == len && memcmp(m->kids[i]->text, key, len) == 0)
			return m->kids[i + 1];
	return NULL;
}
