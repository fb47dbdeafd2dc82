/* The heap (and allocs) profile at debug=1 (writeHeapInternal in
 * runtime/pprof):
 *
 *   heap profile: <inuse_objs>: <inuse_bytes> [<alloc_objs>: <alloc_bytes>] @ heap/<2*MemProfileRate>
 *   <inuse_objs>: <inuse_bytes> [<alloc_objs>: <alloc_bytes>] @ 0x<pc> ...
 *   #	0x<pc>	<func>+0x<off>	<file>:<line>
 *   <blank>
 *   # runtime.MemStats
 *   # Alloc = <n>
 *   ...
 * The MemStats block is parsed by memstats_from_heap (memstats.c).
 */
#include "base/quote.h"
#include "goruntime/profiles.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/parse.h"
#include "goruntime/pprof_text.h"

void heap_profile_release(struct heap_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_sites; i++)
		gr_frames_release(p->sites[i].frames, p->sites[i].n_frames);
	free(p->sites);
	memset(p, 0, sizeof(*p));
}

/* One decimal number at *s, then the literal sep; advances *s. */
static bool take_u64(const char **s, const char *end, const char *sep, uint64_t *ret)
{
	size_t k = strlen(sep), d;

	if (parse_u64_prefix(*s, (size_t)(end - *s), ret, &d) < 0 || (size_t)(end - *s - d) < k ||
	    memcmp(*s + d, sep, k))
		return false;
	*s += d + k;
	return true;
}

/* "<a>: <b> [<c>: <d>] " and the rest after it (which starts with '@'). */
static bool parse_counts(const char *l, size_t n, uint64_t v[4], const char **rest)
{
	const char *s = l, *end = l + n;

	if (!take_u64(&s, end, ": ", &v[0]) || !take_u64(&s, end, " [", &v[1]) || !take_u64(&s, end, ": ", &v[2]) ||
	    !take_u64(&s, end, "] ", &v[3]))
		return false;
	*rest = s;
	return s < end && *s == '@';
}

static int cmp_heap_site(const void *a, const void *b)
{
	const struct heap_site *x = a, *y = b;

	if (x->inuse_bytes != y->inuse_bytes)
		return x->inuse_bytes > y->inuse_bytes ? -1 : 1;
	if (x->alloc_bytes != y->alloc_bytes)
		return x->alloc_bytes > y->alloc_bytes ? -1 : 1;
	return 0;
}

int heap_parse(const char *body, size_t len, struct heap_profile *ret, struct err *e)
{
	static const char what[] = "heap profile";
	struct heap_profile p = { 0 };
	struct text_lines t;
	const char *l, *rest;
	bool header = false, in_record = false, memstats = false;
	size_t n, cap = 0, fcap = 0;
	uint64_t v[4];
	char q[QUOTE_SIZE];
	int r = 0;

	r = text_accept(&body, &len, "not a heap profile", e);
	if (r < 0)
		goto out;
	text_lines_init(&t, body, len);
	while (text_lines_next(&t, &l, &n)) {
		if (!header) {
			if (n == 0)
				continue;
			if (!text_starts(l, n, "heap profile: ") ||
			    !parse_counts(l + 14, n - 14, v, &rest) || !text_starts(rest, (size_t)(l + n - rest), "@ heap/") ||
			    parse_u64_n(rest + 7, (size_t)(l + n - rest - 7), &p.sample_rate) < 0) {
				quote_for_message(l, n, q);
				r = text_fail(e, "not a heap profile", t.lineno,
					      "expected 'heap profile: <n>: <n> [<n>: <n>] @ heap/<rate>', got '%s'", q);
				goto out;
			}
			p.inuse_objects = v[0];
			p.inuse_bytes = v[1];
			p.alloc_objects = v[2];
			p.alloc_bytes = v[3];
			header = true;
			continue;
		}
		if (n == 0) {
			in_record = false;
			continue;
		}
		if (n == 18 && !memcmp(l, "# runtime.MemStats", 18)) {
			memstats = true;
			break;
		}
		if (l[0] == '#') {
			struct heap_site *s;

			if (!in_record) {
				r = text_fail(e, what, t.lineno, "a frame line outside a record");
				goto out;
			}
			s = &p.sites[p.n_sites - 1];
			r = pprof_frame_line_add(l, n, &s->frames, &s->n_frames, &fcap, what, t.lineno, e);
			if (r < 0)
				goto out;
			continue;
		}
		if (!parse_counts(l, n, v, &rest) || !pprof_pcs_valid(rest, (size_t)(l + n - rest))) {
			quote_for_message(l, n, q);
			r = text_fail(e, what, t.lineno, "expected a record '<n>: <n> [<n>: <n>] @ <pcs>', got '%s'", q);
			goto out;
		}
		if (p.n_sites >= PPROF_MAX_RECORDS) {
			r = text_fail(e, what, t.lineno, "more than %u records", PPROF_MAX_RECORDS);
			goto out;
		}
		if (array_reserve(&p.sites, &cap, p.n_sites, sizeof(*p.sites), 16) < 0) {
			r = err_set(e, -ENOMEM, "out of memory");
			goto out;
		}
		p.sites[p.n_sites++] = (struct heap_site){ .inuse_objects = v[0], .inuse_bytes = v[1],
							   .alloc_objects = v[2], .alloc_bytes = v[3] };
		fcap = 0;
		in_record = true;
	}
	if (!header) {
		r = err_set(e, -PF_EPARSE, "not a heap profile: %s", len ? "no header line" : "empty");
		goto out;
	}
	if (!memstats) {
		r = err_set(e, -PF_EPARSE, "%s: no '# runtime.MemStats' block (truncated?)", what);
		goto out;
	}
	r = memstats_from_heap(body, len, &p.memstats, e);
	if (r < 0)
		goto out;
	if (p.n_sites)
		qsort(p.sites, p.n_sites, sizeof(*p.sites), cmp_heap_site);
	*ret = p;
	memset(&p, 0, sizeof(p));
out:
	heap_profile_release(&p);
	return r;
}
