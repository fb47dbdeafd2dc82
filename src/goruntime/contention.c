/* The mutex and block profiles at debug=1 (writeProfileInternal in
 * runtime/pprof):
 *
 *   --- mutex:                      ("--- contention:" for block)
 *   cycles/second=<n>
 *   sampling period=<n>             (mutex only)
 *   <cycles> <count> @ 0x<pc> ...
 *   #	0x<pc>	<func>+0x<off>	<file>:<line>
 *   <blank>
 */
#include "base/quote.h"
#include "goruntime/profiles.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/parse.h"
#include "goruntime/pprof_text.h"

void contention_profile_release(struct contention_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_sites; i++)
		gr_frames_release(p->sites[i].frames, p->sites[i].n_frames);
	free(p->sites);
	memset(p, 0, sizeof(*p));
}

static int cmp_site(const void *a, const void *b)
{
	const struct contention_site *x = a, *y = b;
	int c;

	if (x->cycles != y->cycles)
		return x->cycles > y->cycles ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->n_frames && y->n_frames) {
		c = strcmp(x->frames[0].func, y->frames[0].func);
		if (c)
			return c;
		return (x->frames[0].line > y->frames[0].line) - (x->frames[0].line < y->frames[0].line);
	}
	return (x->n_frames > y->n_frames) - (x->n_frames < y->n_frames);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* "<cycles> <count> @ 0x<pc> ..." */
static int parse_record(const char *l, size_t n, uint64_t *cycles, uint64_t *count)
{
	const char *sp1 = memchr(l, ' ', n), *sp2;

	if (!sp1 || parse_u64_n(l, (size_t)(sp1 - l), cycles) < 0)
		return -PF_EPARSE;
	sp1++;
	sp2 = memchr(sp1, ' ', (size_t)(l + n - sp1));
	if (!sp2 || parse_u64_n(sp1, (size_t)(sp2 - sp1), count) < 0)
		return -PF_EPARSE;
	sp2++;
	return pprof_pcs_valid(sp2, (size_t)(l + n - sp2)) ? 0 : -PF_EPARSE;
}

static int header_u64(const char *l, size_t n, const char *key, uint64_t *ret)
{
	size_t k = strlen(key);

	return parse_u64_n(l + k, n - k, ret);
}

int contention_parse(const char *body, size_t len, struct contention_profile *ret, struct err *e)
{
	struct contention_profile p = { .sampling_period = -1 };
	struct text_lines t;
	const char *what = "mutex or block profile", *l;
	bool have_cps = false, have_period = false, in_record = false, header = false;
	size_t n, cap = 0, fcap = 0;
	char q[QUOTE_SIZE];
	int r = 0;

	r = text_accept(&body, &len, "not a mutex or block profile", e);
	if (r < 0)
		goto out;
	text_lines_init(&t, body, len);
	while (text_lines_next(&t, &l, &n)) {
		uint64_t a, b;

		if (!header) {
			if (n == 0)
				continue;
			if (n == 10 && !memcmp(l, "--- mutex:", 10)) {
				p.kind = 'm';
				what = "mutex profile";
			} else if (n == 15 && !memcmp(l, "--- contention:", 15)) {
				p.kind = 'b';
				what = "block profile";
			} else {
				quote_for_message(l, n, q);
				r = text_fail(e, "not a mutex or block profile", t.lineno,
					      "expected '--- mutex:' or '--- contention:', got '%s'", q);
				goto out;
			}
			header = true;
			continue;
		}
		if (n == 0) {
			in_record = false;
			continue;
		}
		if (l[0] == '#') {
			struct contention_site *s;

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
		if (text_starts(l, n, "cycles/second=")) {
			if (have_cps || p.n_sites) {
				r = text_fail(e, what, t.lineno, "a second or late 'cycles/second=' line");
				goto out;
			}
			if (header_u64(l, n, "cycles/second=", &a) < 0 || a == 0) {
				r = text_fail(e, what, t.lineno, "'cycles/second=' needs a positive integer");
				goto out;
			}
			p.cycles_per_second = a;
			have_cps = true;
			continue;
		}
		if (text_starts(l, n, "sampling period=")) {
			if (have_period || p.n_sites) {
				r = text_fail(e, what, t.lineno, "a second or late 'sampling period=' line");
				goto out;
			}
			if (header_u64(l, n, "sampling period=", &a) < 0 || a > INT64_MAX) {
				r = text_fail(e, what, t.lineno, "'sampling period=' needs an integer of 0 or more");
				goto out;
			}
			p.sampling_period = (int64_t)a;
			have_period = true;
			continue;
		}
		if (parse_record(l, n, &a, &b) < 0) {
			quote_for_message(l, n, q);
			r = text_fail(e, what, t.lineno, "expected a record '<cycles> <count> @ <pcs>', got '%s'", q);
			goto out;
		}
		if (!have_cps) {
			r = text_fail(e, what, t.lineno, "a record before the 'cycles/second=' line");
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
		p.sites[p.n_sites++] = (struct contention_site){ .cycles = a, .count = b };
		fcap = 0;
		in_record = true;
	}
	if (!header) {
		r = err_set(e, -PF_EPARSE, "not a mutex or block profile: %s", len ? "no header line" : "empty");
		goto out;
	}
	if (!have_cps) {
		r = err_set(e, -PF_EPARSE, "%s: no 'cycles/second=' line (truncated?)", what);
		goto out;
	}
	if (p.n_sites)
		qsort(p.sites, p.n_sites, sizeof(*p.sites), cmp_site);
	for (size_t i = 0; i < p.n_sites; i++) {
		p.sites[i].delay_s = (double)p.sites[i].cycles / (double)p.cycles_per_second;
		p.total_delay_s += p.sites[i].delay_s;
		p.total_count = sat_add(p.total_count, p.sites[i].count);
	}
	p.enabled = (p.kind == 'm' && have_period) ? p.sampling_period > 0 : p.n_sites > 0;
	*ret = p;
	memset(&p, 0, sizeof(p));
out:
	contention_profile_release(&p);
	return r;
}

const struct gr_frame *contention_site_frame(const struct contention_profile *p, const struct contention_site *s,
					     bool *ret_runtime_internal)
{
	const struct gr_frame *site = NULL;

	if (ret_runtime_internal)
		*ret_runtime_internal = p->kind == 'm' && s->n_frames > 0 && !strncmp(s->frames[0].func, "runtime.", 8);
	for (size_t i = 0; i < s->n_frames && !site; i++)
		if (s->frames[i].func[0] && !gr_frame_is_plumbing(&s->frames[i]))
			site = &s->frames[i];
	for (size_t i = 0; i < s->n_frames && !site; i++)
		if (s->frames[i].func[0])
			site = &s->frames[i];
	if (!site && s->n_frames)
		site = &s->frames[0];
	return site;
}

struct rank_tmp {
	struct contention_rank rank;
	size_t order;
};

static int cmp_site_key(const struct contention_rank *x, const struct contention_rank *y)
{
	int c;

	if (!x->site || !y->site)
		return (x->site != NULL) - (y->site != NULL);
	c = strcmp(x->site->func, y->site->func);
	if (!c)
		c = strcmp(x->site->file, y->site->file);
	if (!c)
		c = (x->site->line > y->site->line) - (x->site->line < y->site->line);
	if (!c)
		c = (int)x->runtime_internal - (int)y->runtime_internal;
	return c;
}

static int cmp_key(const void *a, const void *b)
{
	const struct rank_tmp *x = a, *y = b;
	int c = cmp_site_key(&x->rank, &y->rank);

	/* Records come sorted by delay: keep that order inside a site so its
	 * first record is its biggest. */
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int cmp_delay(const void *a, const void *b)
{
	const struct rank_tmp *x = a, *y = b;

	if (x->rank.cycles != y->rank.cycles)
		return x->rank.cycles > y->rank.cycles ? -1 : 1;
	if (x->rank.count != y->rank.count)
		return x->rank.count > y->rank.count ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

int contention_rank_sites(const struct contention_profile *p, struct contention_rank **ret, size_t *ret_n,
			  struct err *e)
{
	struct rank_tmp *t = NULL;
	struct contention_rank *out = NULL;
	size_t n = 0;
	int r = 0;

	if (p->n_sites) {
		t = calloc(p->n_sites, sizeof(*t));
		out = calloc(p->n_sites, sizeof(*out));
		if (!t || !out) {
			r = err_set(e, -ENOMEM, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < p->n_sites; i++) {
		const struct contention_site *s = &p->sites[i];

		t[i].rank.site = contention_site_frame(p, s, &t[i].rank.runtime_internal);
		t[i].rank.cycles = s->cycles;
		t[i].rank.count = s->count;
		t[i].rank.n_stacks = 1;
		t[i].rank.top = s;
		t[i].order = i;
	}
	if (p->n_sites)
		qsort(t, p->n_sites, sizeof(*t), cmp_key);
	for (size_t i = 0; i < p->n_sites; i++) {
		if (n > 0 && !cmp_site_key(&t[n - 1].rank, &t[i].rank)) {
			t[n - 1].rank.cycles = sat_add(t[n - 1].rank.cycles, t[i].rank.cycles);
			t[n - 1].rank.count = sat_add(t[n - 1].rank.count, t[i].rank.count);
			t[n - 1].rank.n_stacks++;
			continue;
		}
		t[n++] = t[i];
	}
	if (n)
		qsort(t, n, sizeof(*t), cmp_delay);
	for (size_t i = 0; i < n; i++) {
		out[i] = t[i].rank;
		out[i].delay_s = (double)out[i].cycles / (double)p->cycles_per_second;
		out[i].share = p->total_delay_s > 0 ? out[i].delay_s / p->total_delay_s : 0;
	}
	*ret = out;
	*ret_n = n;
	out = NULL;
out:
	free(t);
	free(out);
	return r;
}
