#include "config/clvalue.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "base/quote.h"

#define ID_MAX 64

int cl_err(const struct clctx *c, const struct ynode *n, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(c->e, -PF_EPARSE, "%s:%u:%u: %s", c->name, n->line, n->col, msg);
}

int cl_string(const struct clctx *c, const struct ynode *v, const char *what, const char **ret)
{
	if (v->kind != YNODE_SCALAR)
		return cl_err(c, v, "%s must be a string, not %s", what, ynode_describe(v));
	if (ynode_scalar_type(v) == YSCALAR_NULL)
		return cl_err(c, v, "%s has no value", what);
	if (v->len == 0)
		return cl_err(c, v, "%s is empty", what);
	for (size_t i = 0; i < v->len; i++) {
		unsigned char ch = (unsigned char)v->text[i];

		/* Strings end up on terminals and in reports; an escape
		 * sequence smuggled in through "\e" has no business there. */
		if ((ch < 0x20 && ch != '\t' && ch != '\n') || ch == 0x7f)
			return cl_err(c, v, "%s contains a control character (0x%02x)", what, ch);
	}
	*ret = v->text;
	return 0;
}

int cl_number(const struct clctx *c, const struct ynode *v, const char *what, json_t **ret)
{
	char ex[QUOTE_SIZE];
	const char *digits;
	int64_t ll;
	double d;

	if (v->kind != YNODE_SCALAR)
		return cl_err(c, v, "%s must be a number, not %s", what, ynode_describe(v));
	quote_for_message(v->text, v->len, ex);
	switch (ynode_scalar_type(v)) {
	case YSCALAR_NULL:
		return cl_err(c, v, "%s has no value", what);
	case YSCALAR_BOOL:
		return cl_err(c, v, "%s must be a number, not a boolean ('%s')", what, ex);
	case YSCALAR_STR:
		if (!v->plain) {
			struct ynode bare = *v;

			bare.plain = true;
			if (ynode_scalar_type(&bare) == YSCALAR_INT || ynode_scalar_type(&bare) == YSCALAR_FLOAT)
				return cl_err(c, v, "%s must be a number, not the string \"%s\" (drop the quotes)",
					      what, ex);
		}
		return cl_err(c, v, "%s must be a number, not the string '%s'", what, ex);
	case YSCALAR_INT:
		digits = v->text + (v->text[0] == '-' || v->text[0] == '+');
		if (digits[0] == '0' && digits[1] != '\0')
			return cl_err(c, v, "%s: '%s' is ambiguous (octal in YAML 1.1, decimal in YAML 1.2); "
				      "drop the leading zeros", what, ex);
		/* YAML's "+5" is 5; parse_i64 takes no '+'. */
		if (parse_i64(v->text + (v->text[0] == '+'), &ll) == 0) {
			*ret = json_integer(ll);
			return *ret ? 0 : -ENOMEM;
		}
		break;          /* beyond 64 bits: try it as a real */
	case YSCALAR_FLOAT:
		break;
	}
	if (strchr(v->text, 'i') || strchr(v->text, 'I') || strchr(v->text, 'n') || strchr(v->text, 'N'))
		return cl_err(c, v, "%s must be a finite number, not '%s'", what, ex);
	/* The exact parse refuses overflow (1e400) and underflow (1e-400,
	 * which would silently become 0); either way the file does not say
	 * what it means. */
	if (parse_double_exact(v->text, &d) < 0 || !isfinite(d))
		return cl_err(c, v, "%s is out of range ('%s')", what, ex);
	*ret = json_real(d);
	return *ret ? 0 : -ENOMEM;
}

static bool leap_year(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const unsigned days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* Reads exactly n digits; s may be a shorter C string (parse_u64_n stops
 * at the NUL). */
static bool digits_n(const char *s, size_t n, unsigned *ret)
{
	uint64_t v;

	if (parse_u64_n(s, n, &v) < 0)
		return false;
	*ret = (unsigned)v;
	return true;
}

int cl_date_check(const char *s)
{
	unsigned y, mo, d, h, mi, sec, oh, om;
	bool range_ok;

	if (!digits_n(s, 4, &y) || s[4] != '-' || !digits_n(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits_n(s + 8, 2, &d))
		return -EINVAL;
	range_ok = mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo);
	if (s[10] == '\0')
		return range_ok ? 0 : -ERANGE;
	/* RFC 3339 section 5.6: full-date "T" full-time; T and Z may be
	 * lowercase; seconds may be 60 for a leap second. */
	s += 10;
	if ((*s != 'T' && *s != 't') || !digits_n(s + 1, 2, &h) || s[3] != ':' || !digits_n(s + 4, 2, &mi) ||
	    s[6] != ':' || !digits_n(s + 7, 2, &sec))
		return -EINVAL;
	s += 9;
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return -EINVAL;
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	}
	if (*s == 'Z' || *s == 'z') {
		oh = om = 0;
		s++;
	} else if (*s == '+' || *s == '-') {
		if (!digits_n(s + 1, 2, &oh) || s[3] != ':' || !digits_n(s + 4, 2, &om))
			return -EINVAL;
		s += 6;
	} else {
		return -EINVAL;
	}
	if (*s != '\0')
		return -EINVAL;
	if (!range_ok || h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59)
		return -ERANGE;
	return 0;
}

int cl_due(const struct clctx *c, const struct ynode *v, const char **ret)
{
	char ex[QUOTE_SIZE];
	const char *s;
	int r;

	r = cl_string(c, v, "'due'", &s);
	if (r < 0)
		return r;
	switch (cl_date_check(s)) {
	case 0:
		*ret = s;
		return 0;
	case -ERANGE:
		return cl_err(c, v, "bad due date '%s' (no such day or time)", quote_for_message(v->text, v->len, ex));
	default:
		return cl_err(c, v, "bad due date '%s' (use YYYY-MM-DD or an RFC 3339 date-time such as "
			      "2026-12-01T18:00:00Z)", quote_for_message(v->text, v->len, ex));
	}
}

int cl_severity(const struct clctx *c, const struct ynode *v, const char **ret)
{
	char ex[QUOTE_SIZE];
	const char *s;
	int r;

	r = cl_string(c, v, "'severity'", &s);
	if (r < 0)
		return r;
	if (v->len == 2 && s[0] == 'P' && s[1] >= '0' && s[1] <= '3') {
		*ret = s;
		return 0;
	}
	if (v->len == 2 && s[0] == 'p' && s[1] >= '0' && s[1] <= '3')
		return cl_err(c, v, "bad severity '%s' (did you mean 'P%c'?)", s, s[1]);
	return cl_err(c, v, "bad severity '%s' (use P0, P1, P2 or P3)", quote_for_message(v->text, v->len, ex));
}

static bool is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

int cl_item_id(const struct clctx *c, const struct ynode *v, const char **ret)
{
	char ex[QUOTE_SIZE];
	const char *s;
	bool ok;
	int r;

	r = cl_string(c, v, "'id'", &s);
	if (r < 0)
		return r;
	/* Ids name results in JSON, JUnit and Prometheus output and, later,
	 * rows of the checklist loop's state; keep them plain. */
	ok = v->len <= ID_MAX && is_alnum(s[0]);
	for (size_t i = 1; ok && i < v->len; i++)
		ok = is_alnum(s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-';
	if (!ok)
		return cl_err(c, v, "bad item id '%s' (use letters, digits, '.', '_' and '-', starting with a "
			      "letter or digit, at most %d characters)", quote_for_message(v->text, v->len, ex), ID_MAX);
	*ret = s;
	return 0;
}

int cl_tag_key(const struct clctx *c, const struct ynode *k, const char **ret)
{
	char ex[QUOTE_SIZE];
	const char *s;
	bool ok;
	int r;

	r = cl_string(c, k, "a tag name", &s);
	if (r < 0)
		return r;
	/* Tags become Prometheus labels in the prom report. */
	ok = k->len <= ID_MAX && !(s[0] >= '0' && s[0] <= '9');
	for (size_t i = 0; ok && i < k->len; i++)
		ok = is_alnum(s[i]) || s[i] == '_';
	if (!ok)
		return cl_err(c, k, "bad tag name '%s' (use letters, digits and '_', not starting with a digit, "
			      "at most %d characters)", quote_for_message(k->text, k->len, ex), ID_MAX);
	*ret = s;
	return 0;
}

/* Optimal string alignment distance, on strings of at most ID_MAX bytes. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t rows[3][ID_MAX + 1];
	size_t *pp = rows[0], *p = rows[1], *cur = rows[2];

	for (size_t j = 0; j <= lb; j++)
		p[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = p[j - 1] + cost;

			if (p[j] + 1 < best)
				best = p[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = pp;
		pp = p;
		p = cur;
		cur = t;
	}
	return p[lb];
}

const char *cl_suggest(const char *s, size_t len, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;

	if (len > ID_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t lc = strlen(cands[i]), d, limit;

		if (lc > ID_MAX)
			continue;
		d = edit_distance(s, len, cands[i], lc);
		/* "warning" for "warn": a longer spelling of a short name is a
		 * typo too, though many edits away. */
		if (lc >= 3 && len > lc && memcmp(s, cands[i], lc) == 0)
			d = 1;
		limit = lc / 3 > 2 ? lc / 3 : 2;
		if (d <= limit && d < best_d && d < lc) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}

int cl_duration(const struct clctx *c, const struct ynode *v, const char *what, double min_s, double max_s,
		double *ret)
{
	char ex[QUOTE_SIZE];
	const char *s;
	double d;
	int r;

	r = cl_string(c, v, what, &s);
	if (r < 0)
		return r;
	quote_for_message(v->text, v->len, ex);
	if (strlen(s) != v->len || parse_duration(s, &d) < 0)
		return cl_err(c, v, "%s: bad duration '%s' (use a number with ms, s, m or h: 500ms, 2s, 1m, 1h)",
			      what, ex);
	if (d < min_s || d > max_s) {
		if (min_s > 0 && d < min_s)
			return cl_err(c, v, "%s: duration '%s' is too short (at least %gs)", what, ex, min_s);
		return cl_err(c, v, "%s: duration '%s' is too long (at most %gs)", what, ex, max_s);
	}
	*ret = d;
	return 0;
}

int cl_int(const struct clctx *c, const struct ynode *v, const char *what, long long min, long long max,
	   long long *ret)
{
	char ex[QUOTE_SIZE];
	json_t *j;
	int r;

	r = cl_number(c, v, what, &j);
	if (r < 0)
		return r;
	quote_for_message(v->text, v->len, ex);
	if (!json_is_integer(j)) {
		json_decref(j);
		return cl_err(c, v, "%s: %s is not an integer", what, ex);
	}
	*ret = json_integer_value(j);
	json_decref(j);
	if (*ret < min || *ret > max)
		return cl_err(c, v, "%s: %s is out of range (valid: %lld to %lld)", what, ex, min, max);
	return 0;
}

int cl_bool(const struct clctx *c, const struct ynode *v, const char *what, bool *ret)
{
	char ex[QUOTE_SIZE];

	if (v->kind != YNODE_SCALAR || ynode_scalar_type(v) != YSCALAR_BOOL)
		return cl_err(c, v, "%s must be true or false, not %s", what,
			      v->kind == YNODE_SCALAR ? quote_for_message(v->text, v->len, ex) : ynode_describe(v));
	*ret = v->text[0] == 't' || v->text[0] == 'T' || v->text[0] == 'y' || v->text[0] == 'Y' ||
	       ((v->text[0] == 'o' || v->text[0] == 'O') && (v->text[1] == 'n' || v->text[1] == 'N'));
	return 0;
}

int cl_ident(const struct clctx *c, const struct ynode *v, const char *what, const char **ret)
{
	char ex[QUOTE_SIZE];
	const char *s;
	bool ok;
	int r;

	r = cl_string(c, v, what, &s);
	if (r < 0)
		return r;
	ok = v->len <= ID_MAX && is_alnum(s[0]);
	for (size_t i = 1; ok && i < v->len; i++)
		ok = is_alnum(s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-';
	if (!ok)
		return cl_err(c, v, "bad %s '%s' (use letters, digits, '.', '_' and '-', starting with a letter or "
			      "digit, at most %d characters)", what, quote_for_message(v->text, v->len, ex), ID_MAX);
	*ret = s;
	return 0;
}

#define URL_MAX 2047

int cl_url(const struct clctx *c, const struct ynode *v, const char *what, const char **ret)
{
	char ex[QUOTE_SIZE];
	const char *s, *host, *end;
	int r;

	r = cl_string(c, v, what, &s);
	if (r < 0)
		return r;
	quote_for_message(v->text, v->len, ex);
	if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return cl_err(c, v, "%s '%s' is not an http:// or https:// URL", what, ex);
	if (v->len > URL_MAX)
		return cl_err(c, v, "%s is longer than %d bytes", what, URL_MAX);
	for (size_t i = 0; i < v->len; i++)
		if ((unsigned char)s[i] <= ' ')
			return cl_err(c, v, "%s '%s' contains whitespace (write spaces as %%20)", what, ex);
	end = host + strcspn(host, "/?#");
	if (end == host)
		return cl_err(c, v, "%s '%s' has no host", what, ex);
	/* Not quoted back: the part before '@' is a password. */
	if (memchr(host, '@', (size_t)(end - host)))
		return cl_err(c, v, "%s carries credentials (user:password@); secrets never go in the checklist", what);
	*ret = s;
	return 0;
}

/* "+30m", "+2h", "+1h30m", "+90s": whole numbers with h, m, s in that
 * order, each at most once, adding up to more than zero. */
static int relative_due(const char *s, double *ret)
{
	static const struct {
		char unit;
		double scale;
	} units[] = { { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
	size_t next = 0;
	double total = 0;

	if (*s++ != '+' || !*s)
		return -EINVAL;
	while (*s) {
		uint64_t n = 0;
		size_t digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 7) {
			n = n * 10 + (uint64_t)(*s++ - '0');
			digits++;
		}
		if (!digits)
			return -EINVAL;
		while (next < 3 && units[next].unit != *s)
			next++;
		if (next == 3)
			return -EINVAL;
		total += (double)n * units[next++].scale;
		s++;
	}
	if (total <= 0)
		return -EINVAL;
	*ret = total;
	return 0;
}

/* A relative due beyond a year is a typo. */
#define DUE_RELATIVE_MAX (366.0 * 86400)

int cl_due_any(const struct clctx *c, const struct ynode *v, const char **ret, bool *relative, double *offset_s)
{
	char ex[QUOTE_SIZE];
	const char *s;
	double d;
	int r;

	if (v->kind != YNODE_SCALAR || v->len == 0 || v->text[0] != '+') {
		*relative = false;
		*offset_s = 0;
		return cl_due(c, v, ret);
	}
	r = cl_string(c, v, "'due'", &s);
	if (r < 0)
		return r;
	quote_for_message(v->text, v->len, ex);
	if (strlen(s) != v->len || relative_due(s, &d) < 0)
		return cl_err(c, v, "bad relative due '%s' (use +30m, +2h or +1h30m: hours, minutes and seconds "
			      "after the run starts)", ex);
	if (d > DUE_RELATIVE_MAX)
		return cl_err(c, v, "relative due '%s' is more than a year after the run starts", ex);
	*ret = s;
	*relative = true;
	*offset_s = d;
	return 0;
}

bool cl_key_is(const struct ynode *k, const char *s)
{
	return k->len == strlen(s) && memcmp(k->text, s, k->len) == 0;
}

void cl_join(char *out, size_t n, const char *const *names, size_t count)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < count && used < n; i++) {
		int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "", names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* "unknown key 'ownr' in an item (did you mean 'owner'?)" */
static int unknown_key(const struct clctx *c, const struct ynode *k, const char *where, const char *const *valid,
		       size_t n_valid)
{
	char ex[QUOTE_SIZE], list[384];
	const char *hint = cl_suggest(k->text, k->len, valid, n_valid);

	if (hint)
		return cl_err(c, k, "unknown key '%s' %s (did you mean '%s'?)", quote_for_message(k->text, k->len, ex),
			      where, hint);
	cl_join(list, sizeof(list), valid, n_valid);
	return cl_err(c, k, "unknown key '%s' %s (valid: %s)", quote_for_message(k->text, k->len, ex), where, list);
}

int cl_check_keys(const struct clctx *c, const struct ynode *m, const char *where, const char *const *valid,
		  size_t n_valid)
{
	for (size_t i = 0; i + 1 < m->n_kids; i += 2) {
		const struct ynode *k = m->kids[i];
		bool known = false;

		for (size_t j = 0; j < n_valid && !known; j++)
			known = cl_key_is(k, valid[j]);
		if (!known)
			return unknown_key(c, k, where, valid, n_valid);
	}
	return 0;
}

int cl_dup(const char *s, char **ret)
{
	if (!s) {
		*ret = NULL;
		return 0;
	}
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}
