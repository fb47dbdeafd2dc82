#include "goruntime/pprof_index.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/parse.h"
#include "base/quote.h"

/* An index page is a few KB; a cap well above it still refuses a runaway. */

/* The longest count we accept: 20 digits hold any uint64. */
#define COUNT_DIGITS_MAX 20

static const char *find_ci(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; p && (size_t)(end - p) >= n; p++)
		if (!strncasecmp(p, needle, n))
			return p;
	return NULL;
}

/* The next tag named name ("<tr", "<td") in [p, end): the name must be
 * followed by '>' or a space, so "<tr" does not match "<track". */
static const char *find_tag(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);

	while ((p = find_ci(p, end, name))) {
		if (p + n == end || p[n] == '>' || isspace((unsigned char)p[n]))
			return p;
		p += n;
	}
	return NULL;
}

static struct pprof_count *slot_of(struct pprof_index *x, const char *name, size_t n)
{
	static const struct {
		const char *name;
		size_t off;
	} known[] = {
		{ "goroutine", offsetof(struct pprof_index, goroutine) },
		{ "heap", offsetof(struct pprof_index, heap) },
		{ "allocs", offsetof(struct pprof_index, allocs) },
		{ "block", offsetof(struct pprof_index, block) },
		{ "mutex", offsetof(struct pprof_index, mutex) },
		{ "threadcreate", offsetof(struct pprof_index, threadcreate) },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == n && !memcmp(known[i].name, name, n))
			return (struct pprof_count *)((char *)x + known[i].off);
	return NULL;
}

static unsigned line_of(const char *start, const char *p)
{
	unsigned line = 1;

	for (; start < p; start++)
		line += *start == '\n';
	return line;
}

/* The profile a row links to: the href's last path element before '?'.
 * Returns false when the row has no link. */
static bool row_link(const char *p, const char *end, const char **name, size_t *n)
{
	const char *v, *ve, *q;

	p = find_ci(p, end, "href=");
	if (!p)
		return false;
	v = p + 5;
	if (v < end && (*v == '\'' || *v == '"')) {
		ve = memchr(v + 1, *v, (size_t)(end - v - 1));
		if (!ve)
			return false;
		v++;
	} else {
		for (ve = v; ve < end && *ve != '>' && !isspace((unsigned char)*ve); ve++)
			;
	}
	for (q = v; q < ve && *q != '?' && *q != '#'; q++)
		;
	ve = q;
	for (q = ve; q > v && q[-1] != '/'; q--)
		;
	*name = q;
	*n = (size_t)(ve - q);
	return *n > 0;
}

/* The number in the row's first cell, which is the count column in every
 * version of the page. Returns false when the cell holds anything else
 * (the header row, a changed layout). */
static bool row_count(const char *p, const char *end, uint64_t *ret)
{
	const char *td = find_tag(p, end, "<td"), *d, *de;

	if (!td)
		return false;
	d = memchr(td, '>', (size_t)(end - td));
	if (!d)
		return false;
	for (d++; d < end && isspace((unsigned char)*d); d++)
		;
	for (de = d; de < end && isdigit((unsigned char)*de); de++)
		;
	if (de == d || de - d > COUNT_DIGITS_MAX)
		return false;
	for (p = de; p < end && isspace((unsigned char)*p); p++)
		;
	if (p < end && *p != '<')
		return false;
	return parse_u64_n(d, (size_t)(de - d), ret) == 0;
}

int pprof_index_counts(const char *html, size_t len, struct pprof_index *ret, struct err *e)
{
	const char *end = html + len, *tr = html;
	struct pprof_index x = { 0 };

	if (!html)
		return err_set(e, -PF_EPARSE, "not a pprof index page: empty");
	tr = find_tag(html, end, "<tr");
	while (tr) {
		const char *next = find_tag(tr + 3, end, "<tr");
		const char *row_end = next ? next : end, *name;
		const char *table_end = find_ci(tr, row_end, "</table");
		struct pprof_count *slot;
		uint64_t count = 0;
		char q[QUOTE_SIZE];
		size_t n;
		bool numeric;

		/* The last row ends with the table: the links below it
		 * ("full goroutine stack dump") are not rows. */
		if (table_end)
			row_end = table_end;
		numeric = row_count(tr, row_end, &count);
		if (row_link(tr, row_end, &name, &n)) {
			slot = slot_of(&x, name, n);
			if (slot && !numeric)
				return err_set(e, -PF_EPARSE, "line %u: count of '%s' is not a number",
					       line_of(html, tr), quote_for_message(name, n, q));
			/* A profile listed twice keeps its first count. */
			if (slot && !slot->ok) {
				slot->ok = true;
				slot->n = count;
			}
			if (numeric)
				x.n_profiles++;
		}
		tr = next;
	}
	if (!x.goroutine.ok)
		return err_set(e, -PF_EPARSE, "not a pprof index page: no goroutine count");
	*ret = x;
	return 0;
}
