/* The Prometheus text exposition format, version 0.0.4, as the reference
 * parser (prometheus/common expfmt) reads it:
 *
 *   # HELP <name> <docstring, escapes \\ and \n>
 *   # TYPE <name> counter|gauge|histogram|summary|untyped
 *   # any other comment
 *   <name>[{<label>="<value, escapes \\ \" \n>",...}] <value> [<timestamp ms>]
 *
 * Blank lines and leading blanks are allowed, CRLF line ends tolerated,
 * values are Go ParseFloat syntax (NaN, +Inf, -Inf, hex floats with an
 * exponent). At most one HELP and one TYPE per name, TYPE before the
 * name's samples; a histogram's _bucket needs a numeric "le", a summary's
 * sample a numeric "quantile". Quoted names ({"my.metric",...}) of the
 * UTF-8 extension are read too. Label values and HELP text must be UTF-8.
 */
#include "base/quote.h"
#include "goruntime/profiles.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/array.h"
#include "base/buf.h"
#include "base/parse.h"
#include "base/utf8.h"
#include "goruntime/pprof_text.h"

#define PROM_MAX_LABELS 1024
#define PROM_MAX_NUMBER 512      /* characters in a value or timestamp token */

enum { FAM_HELP = 1, FAM_TYPE = 2 };

/* Open addressing over indices into an array of names (index + 1; 0 is
 * an empty slot). */
struct name_index {
	size_t *slots;
	size_t cap, n;
};

struct prom_state {
	struct prom_doc d;
	size_t cap_samples, cap_families, cap_fam_flags;
	unsigned char *fam_flags;          /* FAM_* per family */
	struct name_index fams, seen;      /* family names; sample names seen */
	size_t lineno;
	struct err *e;
	/* Unescaped text being built; never longer than the body it comes from. */
	struct buf tmp;
};

struct cursor {
	const char *p, *end;
};

static const char *const types[] = { "counter", "gauge", "histogram", "summary", "untyped" };

__attribute__((format(printf, 2, 3))) static int fail(struct prom_state *st, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return text_fail(st->e, "prometheus text", st->lineno, "%s", msg);
}

/* A name from the input (a C string), made safe for a message. */
static const char *qs(char out[QUOTE_SIZE], const char *name)
{
	return quote_for_message(name, strlen(name), out);
}

static int oom(struct prom_state *st)
{
	return err_set(st->e, -ENOMEM, "prometheus text: out of memory");
}

/* ---- name indexes ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

typedef const char *(*name_of_fn)(const struct prom_doc *d, size_t i);

static const char *family_name(const struct prom_doc *d, size_t i)
{
	return d->families[i].name;
}

static const char *sample_name(const struct prom_doc *d, size_t i)
{
	return d->samples[i].name;
}

/* The index of name into *ret: 0, or -ENOENT when it is not there. */
static int index_find(const struct name_index *ix, const struct prom_doc *d, name_of_fn name_of, const char *name,
		      size_t *ret)
{
	if (!ix->cap)
		return -ENOENT;
	for (size_t h = hash_str(name) & (ix->cap - 1);; h = (h + 1) & (ix->cap - 1)) {
		size_t v = ix->slots[h];

		if (!v)
			return -ENOENT;
		if (!strcmp(name_of(d, v - 1), name)) {
			*ret = v - 1;
			return 0;
		}
	}
}

static int index_add(struct name_index *ix, const struct prom_doc *d, name_of_fn name_of, size_t i)
{
	if ((ix->n + 1) * 2 > ix->cap) {
		size_t nc = ix->cap ? ix->cap * 2 : 64;
		size_t *ns = calloc(nc, sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		for (size_t k = 0; k < ix->cap; k++) {
			size_t v = ix->slots[k], h;

			if (!v)
				continue;
			for (h = hash_str(name_of(d, v - 1)) & (nc - 1); ns[h]; h = (h + 1) & (nc - 1))
				;
			ns[h] = v;
		}
		free(ix->slots);
		ix->slots = ns;
		ix->cap = nc;
	}
	size_t h = hash_str(name_of(d, i)) & (ix->cap - 1);

	while (ix->slots[h])
		h = (h + 1) & (ix->cap - 1);
	ix->slots[h] = i + 1;
	ix->n++;
	return 0;
}

/* ---- lexing ---- */

static void skip_blanks(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static bool at_end(const struct cursor *c)
{
	return c->p >= c->end;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool name_start(char ch, bool metric)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || (metric && ch == ':');
}

static bool name_char(char ch, bool metric)
{
	return name_start(ch, metric) || (ch >= '0' && ch <= '9');
}

/* Unescapes up to an unescaped quote (quoted) or the end of the line
 * into st->tmp: \\ and \n always, \" only in quoted strings. */
static int read_escaped(struct prom_state *st, struct cursor *c, bool quoted, const char *what)
{
	buf_reset(&st->tmp);
	if (buf_append(&st->tmp, "", 0) < 0)
		return oom(st);
	while (!at_end(c)) {
		const char *run = c->p;
		char ch;

		while (c->p < c->end && *c->p != '\\' && !(quoted && *c->p == '"'))
			c->p++;
		if (c->p > run && buf_append(&st->tmp, run, (size_t)(c->p - run)) < 0)
			return oom(st);
		if (at_end(c) || *c->p == '"')
			break;
		c->p++;   /* the backslash */
		if (at_end(c))
			return fail(st, "%s ends in a lone backslash", what);
		ch = *c->p++;
		if (ch == '\\' || (quoted && ch == '"')) {
			if (buf_append(&st->tmp, &ch, 1) < 0)
				return oom(st);
		} else if (ch == 'n') {
			if (buf_append(&st->tmp, "\n", 1) < 0)
				return oom(st);
		} else {
			return fail(st, "invalid escape sequence '\\%c' in %s", (ch > 0x20 && ch < 0x7f) ? ch : '?', what);
		}
	}
	if (quoted) {
		if (at_end(c))
			return fail(st, "%s has no closing quote", what);
		c->p++;
	}
	if (!utf8_valid(st->tmp.data, st->tmp.len))
		return fail(st, "%s is not UTF-8", what);
	return 0;
}

/* A metric or label name: an identifier, or a quoted string (UTF-8
 * names). Returns a new string or NULL with the error set. */
static char *read_name(struct prom_state *st, struct cursor *c, bool metric, int *r)
{
	const char *start = c->p;
	char *s;

	if (!at_end(c) && *c->p == '"') {
		c->p++;
		*r = read_escaped(st, c, true, metric ? "a quoted metric name" : "a quoted label name");
		if (*r < 0)
			return NULL;
		if (st->tmp.len == 0) {
			*r = fail(st, "an empty quoted name");
			return NULL;
		}
		s = strdup(st->tmp.data);
	} else {
		if (at_end(c) || !name_start(*c->p, metric)) {
			*r = fail(st, "%s name expected", metric ? "a metric" : "a label");
			return NULL;
		}
		while (c->p < c->end && name_char(*c->p, metric))
			c->p++;
		s = strndup(start, (size_t)(c->p - start));
	}
	if (!s)
		*r = oom(st);
	return s;
}

/* A token up to a blank or the end of the line. */
static void read_token(struct cursor *c, const char **tok, size_t *n)
{
	*tok = c->p;
	while (c->p < c->end && !is_blank(*c->p))
		c->p++;
	*n = (size_t)(c->p - *tok);
}

/* Go's strconv.ParseFloat syntax, as expfmt accepts values. */
static int parse_go_float(const char *tok, size_t n, double *ret)
{
	char buf[PROM_MAX_NUMBER + 1];
	const char *m;
	bool hex;

	if (n == 0 || n > PROM_MAX_NUMBER)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char ch = tok[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '.' ||
		      ch == '+' || ch == '-'))
			return -EINVAL;
	}
	memcpy(buf, tok, n);
	buf[n] = '\0';
	m = buf + (buf[0] == '+' || buf[0] == '-');
	/* Go takes a sign before Inf but not before NaN, and a hex float only
	 * with its binary exponent; strtod is laxer on both. */
	if (!strcasecmp(m, "nan")) {
		if (m != buf)
			return -EINVAL;
		*ret = NAN;
		return 0;
	}
	hex = m[0] == '0' && (m[1] == 'x' || m[1] == 'X');
	if (hex && !strpbrk(m, "pP"))
		return -EINVAL;
	if (!hex && strpbrk(m, "xX"))
		return -EINVAL;
	return parse_double(buf, ret);
}

static int parse_timestamp(const char *tok, size_t n, int64_t *ret)
{
	bool neg = n > 0 && tok[0] == '-';
	size_t sign = n > 0 && (tok[0] == '-' || tok[0] == '+');
	uint64_t u;

	if (n - sign > PROM_MAX_NUMBER || parse_u64_n(tok + sign, n - sign, &u) < 0)
		return -EINVAL;
	if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
		return -ERANGE;
	*ret = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/* ---- families ---- */

/* The index of the family called name into *ret, made "untyped" when it
 * is new. 0, or the out-of-memory error. */
static int family_get(struct prom_state *st, const char *name, size_t *ret)
{
	struct prom_family *f;

	if (index_find(&st->fams, &st->d, family_name, name, ret) == 0)
		return 0;
	if (array_reserve(&st->d.families, &st->cap_families, st->d.n_families, sizeof(*st->d.families), 16) < 0 ||
	    array_reserve(&st->fam_flags, &st->cap_fam_flags, st->d.n_families, sizeof(*st->fam_flags), 16) < 0)
		return oom(st);
	f = &st->d.families[st->d.n_families];
	f->name = strdup(name);
	f->type = strdup("untyped");
	f->help = NULL;
	if (!f->name || !f->type)
		goto fail;
	st->fam_flags[st->d.n_families] = 0;
	if (index_add(&st->fams, &st->d, family_name, st->d.n_families) < 0)
		goto fail;
	*ret = st->d.n_families++;
	return 0;
fail:
	free(f->name);
	free(f->type);
	return oom(st);
}

static bool has_suffix(const char *s, const char *suffix, size_t *base_len)
{
	size_t n = strlen(s), k = strlen(suffix);

	if (n <= k || strcmp(s + n - k, suffix))
		return false;
	*base_len = n - k;
	return true;
}

/* The family a sample belongs to (or NULL): its own name, or the base
 * name of a histogram's or summary's _bucket, _sum and _count. */
static const struct prom_family *family_of(struct prom_state *st, const char *name, bool *is_bucket)
{
	static const char *const suffixes[] = { "_bucket", "_sum", "_count" };
	char base[1024];
	size_t bl, i;

	*is_bucket = false;
	if (index_find(&st->fams, &st->d, family_name, name, &i) == 0)
		return &st->d.families[i];
	for (size_t k = 0; k < 3; k++) {
		const struct prom_family *f;

		if (!has_suffix(name, suffixes[k], &bl) || bl >= sizeof(base))
			continue;
		memcpy(base, name, bl);
		base[bl] = '\0';
		if (index_find(&st->fams, &st->d, family_name, base, &i) < 0)
			continue;
		f = &st->d.families[i];
		if (!strcmp(f->type, "histogram") || (k > 0 && !strcmp(f->type, "summary"))) {
			*is_bucket = k == 0;
			return f;
		}
	}
	return NULL;
}

static bool sample_seen(struct prom_state *st, const char *name, const char *suffix)
{
	char buf[1024];
	int w = snprintf(buf, sizeof(buf), "%s%s", name, suffix);
	size_t i;

	return w > 0 && (size_t)w < sizeof(buf) && index_find(&st->seen, &st->d, sample_name, buf, &i) == 0;
}

/* "# HELP name text", "# TYPE name type", or another comment. */
static int comment_line(struct prom_state *st, struct cursor *c)
{
	const char *tok;
	size_t n;
	bool help;
	char *name = NULL, qn[64];
	size_t fi = 0;
	int r = 0;

	c->p++;   /* '#' */
	skip_blanks(c);
	read_token(c, &tok, &n);
	if (!(n == 4 && (!memcmp(tok, "HELP", 4) || !memcmp(tok, "TYPE", 4))))
		return 0;
	help = tok[0] == 'H';
	skip_blanks(c);
	if (at_end(c))
		return 0;   /* "# HELP" alone is a comment to expfmt too */
	name = read_name(st, c, true, &r);
	if (!name)
		return r;
	if (!at_end(c) && !is_blank(*c->p)) {
		r = fail(st, "invalid metric name in the %s line", help ? "HELP" : "TYPE");
		goto out;
	}
	skip_blanks(c);
	r = family_get(st, name, &fi);
	if (r < 0)
		goto out;
	if (help) {
		if (st->fam_flags[fi] & FAM_HELP) {
			r = fail(st, "a second HELP line for '%s'", qs(qn, name));
			goto out;
		}
		r = read_escaped(st, c, false, "the HELP text");
		if (r < 0)
			goto out;
		st->d.families[fi].help = strdup(st->tmp.data);
		if (!st->d.families[fi].help) {
			r = oom(st);
			goto out;
		}
		st->fam_flags[fi] |= FAM_HELP;
		goto out;
	}
	if (st->fam_flags[fi] & FAM_TYPE) {
		r = fail(st, "a second TYPE line for '%s'", qs(qn, name));
		goto out;
	}
	read_token(c, &tok, &n);
	skip_blanks(c);
	{
		size_t t;

		for (t = 0; t < 5; t++)
			if (strlen(types[t]) == n && !strncasecmp(tok, types[t], n))
				break;
		if (t == 5 || !at_end(c)) {
			char q[QUOTE_SIZE];

			quote_for_message(tok, (size_t)(c->end - tok), q);
			r = fail(st, "unknown metric type '%s' for '%s'", q, qs(qn, name));
			goto out;
		}
		if (sample_seen(st, name, "") ||
		    ((t == 2 || t == 3) && (sample_seen(st, name, "_sum") || sample_seen(st, name, "_count"))) ||
		    (t == 2 && sample_seen(st, name, "_bucket"))) {
			r = fail(st, "the TYPE line for '%s' comes after its samples", qs(qn, name));
			goto out;
		}
		free(st->d.families[fi].type);
		st->d.families[fi].type = strdup(types[t]);
		if (!st->d.families[fi].type) {
			r = oom(st);
			goto out;
		}
		st->fam_flags[fi] |= FAM_TYPE;
	}
out:
	free(name);
	return r;
}

/* ---- samples ---- */

static void sample_release(struct prom_sample *s)
{
	free(s->name);
	for (size_t i = 0; i < s->n_labels; i++) {
		free(s->labels[i].name);
		free(s->labels[i].value);
	}
	free(s->labels);
}

static int add_label(struct prom_state *st, struct prom_sample *s, size_t *cap, char *name, char *value)
{
	for (size_t i = 0; i < s->n_labels; i++)
		if (!strcmp(s->labels[i].name, name)) {
			char qn[QUOTE_SIZE];
			int r = fail(st, "label '%s' given twice", qs(qn, name));

			free(name);
			free(value);
			return r;
		}
	if (s->n_labels == PROM_MAX_LABELS) {
		free(name);
		free(value);
		return fail(st, "more than %d labels", PROM_MAX_LABELS);
	}
	if (array_reserve(&s->labels, cap, s->n_labels, sizeof(*s->labels), 4) < 0) {
		free(name);
		free(value);
		return oom(st);
	}
	s->labels[s->n_labels].name = name;
	s->labels[s->n_labels++].value = value;
	return 0;
}

static int label_set(struct prom_state *st, struct cursor *c, struct prom_sample *s)
{
	size_t cap = 0;
	int r;

	c->p++;   /* '{' */
	for (;;) {
		char *name, *value, qn[64];
		bool quoted;

		skip_blanks(c);
		if (at_end(c))
			return fail(st, "the label set has no closing '}'");
		if (*c->p == '}') {
			c->p++;
			return 0;
		}
		quoted = *c->p == '"';
		name = read_name(st, c, false, &r);
		if (!name)
			return r;
		skip_blanks(c);
		/* {"metric.name", ...}: a quoted string with no '=' names the metric. */
		if (!s->name && quoted && !at_end(c) && (*c->p == ',' || *c->p == '}')) {
			s->name = name;
		} else {
			if (!strcmp(name, "__name__")) {
				free(name);
				return fail(st, "label name '__name__' is reserved");
			}
			if (at_end(c) || *c->p != '=') {
				r = fail(st, "expected '=' after label '%s'", qs(qn, name));
				free(name);
				return r;
			}
			c->p++;
			skip_blanks(c);
			if (at_end(c) || *c->p != '"') {
				r = fail(st, "the value of label '%s' is not quoted", qs(qn, name));
				free(name);
				return r;
			}
			c->p++;
			r = read_escaped(st, c, true, "a label value");
			if (r < 0) {
				free(name);
				return r;
			}
			value = strdup(st->tmp.data);
			if (!value) {
				free(name);
				return oom(st);
			}
			r = add_label(st, s, &cap, name, value);
			if (r < 0)
				return r;
			skip_blanks(c);
		}
		if (at_end(c))
			return fail(st, "the label set has no closing '}'");
		if (*c->p == ',')
			c->p++;
		else if (*c->p != '}')
			return fail(st, "expected ',' or '}' in the label set");
	}
}

static const char *label_value(const struct prom_sample *s, const char *name)
{
	for (size_t i = 0; i < s->n_labels; i++)
		if (!strcmp(s->labels[i].name, name))
			return s->labels[i].value;
	return NULL;
}

static int sample_line(struct prom_state *st, struct cursor *c)
{
	struct prom_sample s = { 0 };
	const struct prom_family *f;
	const char *tok, *lv;
	bool bucket;
	size_t n, seen;
	double d;
	char qn[QUOTE_SIZE];
	int r = 0;

	if (*c->p != '{') {
		const char *after;

		s.name = read_name(st, c, true, &r);
		if (!s.name)
			goto out;
		after = c->p;
		skip_blanks(c);
		if (at_end(c) || *c->p != '{')
			c->p = after;
	}
	if (!at_end(c) && *c->p == '{') {
		r = label_set(st, c, &s);
		if (r < 0)
			goto out;
	}
	if (!s.name) {
		r = fail(st, "a sample without a metric name");
		goto out;
	}
	if (at_end(c) || !is_blank(*c->p)) {
		r = fail(st, at_end(c) ? "'%s' has no value" : "expected a blank and a value after '%s'", qs(qn, s.name));
		goto out;
	}
	skip_blanks(c);
	read_token(c, &tok, &n);
	if (parse_go_float(tok, n, &s.value) < 0) {
		char q[QUOTE_SIZE];

		quote_for_message(tok, n, q);
		r = fail(st, n ? "'%s' is not a float value" : "'%s' has no value", n ? q : qs(qn, s.name));
		goto out;
	}
	skip_blanks(c);
	if (!at_end(c)) {
		read_token(c, &tok, &n);
		if (parse_timestamp(tok, n, &s.timestamp_ms) < 0) {
			char q[QUOTE_SIZE];

			quote_for_message(tok, n, q);
			r = fail(st, "'%s' is not a timestamp (integer milliseconds)", q);
			goto out;
		}
		s.has_timestamp = true;
		skip_blanks(c);
		if (!at_end(c)) {
			r = fail(st, "text after the timestamp");
			goto out;
		}
	}
	f = family_of(st, s.name, &bucket);
	if (f && bucket && (!(lv = label_value(&s, "le")) || parse_go_float(lv, strlen(lv), &d) < 0)) {
		r = fail(st, "histogram bucket '%s' needs a numeric 'le' label", qs(qn, s.name));
		goto out;
	}
	if (f && !strcmp(f->type, "summary") && !strcmp(f->name, s.name) &&
	    (!(lv = label_value(&s, "quantile")) || parse_go_float(lv, strlen(lv), &d) < 0)) {
		r = fail(st, "summary '%s' needs a numeric 'quantile' label", qs(qn, s.name));
		goto out;
	}
	if (array_reserve(&st->d.samples, &st->cap_samples, st->d.n_samples, sizeof(*st->d.samples), 64) < 0) {
		r = oom(st);
		goto out;
	}
	st->d.samples[st->d.n_samples] = s;
	memset(&s, 0, sizeof(s));
	if (index_find(&st->seen, &st->d, sample_name, st->d.samples[st->d.n_samples].name, &seen) < 0 &&
	    index_add(&st->seen, &st->d, sample_name, st->d.n_samples) < 0) {
		sample_release(&st->d.samples[st->d.n_samples]);
		r = oom(st);
		goto out;
	}
	st->d.n_samples++;
out:
	sample_release(&s);
	return r;
}

void prom_doc_release(struct prom_doc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_samples; i++)
		sample_release(&d->samples[i]);
	free(d->samples);
	for (size_t i = 0; i < d->n_families; i++) {
		free(d->families[i].name);
		free(d->families[i].type);
		free(d->families[i].help);
	}
	free(d->families);
	memset(d, 0, sizeof(*d));
}

int prom_parse(const char *body, size_t len, struct prom_doc *ret, struct err *e)
{
	struct prom_state st = { .e = e };
	struct text_lines t;
	const char *l;
	size_t n;
	int r = 0;

	r = text_accept(&body, &len, "not Prometheus text", e);
	if (r < 0)
		goto out;
	buf_init(&st.tmp, len);
	text_lines_init(&t, body, len);
	while (text_lines_next(&t, &l, &n)) {
		struct cursor c = { l, l + n };

		st.lineno = t.lineno;
		skip_blanks(&c);
		if (at_end(&c))
			continue;
		r = *c.p == '#' ? comment_line(&st, &c) : sample_line(&st, &c);
		if (r < 0)
			goto out;
	}
	*ret = st.d;
	memset(&st.d, 0, sizeof(st.d));
out:
	prom_doc_release(&st.d);
	free(st.fam_flags);
	free(st.fams.slots);
	free(st.seen.slots);
	buf_release(&st.tmp);
	return r;
}

const struct prom_sample *prom_find(const struct prom_doc *d, const char *name, const char *const *labels)
{
	for (size_t i = 0; i < d->n_samples; i++) {
		const struct prom_sample *s = &d->samples[i];
		bool match = !strcmp(s->name, name);

		for (size_t k = 0; match && labels && labels[k] && labels[k + 1]; k += 2) {
			const char *v = label_value(s, labels[k]);

			match = v && !strcmp(v, labels[k + 1]);
		}
		if (match)
			return s;
	}
	return NULL;
}
