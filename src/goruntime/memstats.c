/* runtime.MemStats from the three places a live service shows it:
 * expvar's /debug/vars JSON, the block at the end of a heap debug=1
 * profile, and client_golang's go_* metrics on /metrics. */
#include "base/quote.h"
#include "goruntime/profiles.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "goruntime/pprof_text.h"

/* The uint64 fields, by their Go names (the JSON member names and the
 * heap block's keys). */
static const struct ms_field {
	const char *name;
	size_t off;
} ms_fields[] = {
	{ "HeapAlloc", offsetof(struct go_memstats, heap_alloc) },
	{ "NextGC", offsetof(struct go_memstats, next_gc) },
	{ "HeapSys", offsetof(struct go_memstats, heap_sys) },
	{ "HeapIdle", offsetof(struct go_memstats, heap_idle) },
	{ "HeapInuse", offsetof(struct go_memstats, heap_inuse) },
	{ "HeapReleased", offsetof(struct go_memstats, heap_released) },
	{ "HeapObjects", offsetof(struct go_memstats, heap_objects) },
	{ "Sys", offsetof(struct go_memstats, sys) },
	{ "TotalAlloc", offsetof(struct go_memstats, total_alloc) },
	{ "Mallocs", offsetof(struct go_memstats, mallocs) },
	{ "Frees", offsetof(struct go_memstats, frees) },
	{ "StackInuse", offsetof(struct go_memstats, stack_inuse) },
	{ "NumGC", offsetof(struct go_memstats, num_gc) },
	{ "NumForcedGC", offsetof(struct go_memstats, num_forced_gc) },
	{ "PauseTotalNs", offsetof(struct go_memstats, pause_total_ns) },
	{ "LastGC", offsetof(struct go_memstats, last_gc_ns) },
};
#define N_FIELDS (sizeof(ms_fields) / sizeof(ms_fields[0]))
enum { F_HEAP_ALLOC = 0, F_NEXT_GC = 1 };

static uint64_t *ms_slot(struct go_memstats *m, size_t i)
{
	return (uint64_t *)((char *)m + ms_fields[i].off);
}

/* The index of the field called name (n bytes), or -ENOENT. */
static int ms_index(const char *name, size_t n)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strlen(ms_fields[i].name) == n && !memcmp(ms_fields[i].name, name, n))
			return (int)i;
	return -ENOENT;
}

/* The ring's sum is PauseTotalNs while no entry has been overwritten. */
static void ms_finish(struct go_memstats *m)
{
	if (!m->has_pause_total && m->has_pause_ring && m->num_gc <= 256) {
		uint64_t sum = 0;

		for (size_t i = 0; i < 256; i++)
			sum = m->pause_ns[i] > UINT64_MAX - sum ? UINT64_MAX : sum + m->pause_ns[i];
		m->pause_total_ns = sum;
		m->has_pause_total = true;
	}
	m->ok = true;
}

/* ---- expvar ---- */

/* A JSON number that is a uint64: an integer >= 0, or (when integers were
 * read as doubles) a real with no fraction below 2^64. */
static int json_u64(const json_t *v, uint64_t *ret)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0)
			return -ERANGE;
		*ret = (uint64_t)i;
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (!(d >= 0 && d < 18446744073709551616.0) || d != floor(d))
			return -ERANGE;
		*ret = (uint64_t)d;
		return 0;
	}
	return -EINVAL;
}

static int expvar_fill(const json_t *ms, struct go_memstats *m, struct err *e)
{
	const json_t *v;
	size_t i;

	for (i = 0; i < N_FIELDS; i++) {
		v = json_object_get(ms, ms_fields[i].name);
		if (!v)
			continue;
		if (json_u64(v, ms_slot(m, i)) < 0)
			return err_set(e, -PF_EPARSE, "/debug/vars: memstats '%s' is not an unsigned integer",
				       ms_fields[i].name);
	}
	if (!json_object_get(ms, "HeapAlloc") || !json_object_get(ms, "NextGC"))
		return err_set(e, -PF_EPARSE, "/debug/vars: memstats has no %s",
			       json_object_get(ms, "HeapAlloc") ? "NextGC" : "HeapAlloc");
	m->has_pause_total = json_object_get(ms, "PauseTotalNs") != NULL;
	v = json_object_get(ms, "PauseNs");
	if (v) {
		if (!json_is_array(v) || json_array_size(v) != 256)
			return err_set(e, -PF_EPARSE, "/debug/vars: memstats 'PauseNs' is not an array of 256 numbers");
		for (i = 0; i < 256; i++)
			if (json_u64(json_array_get(v, i), &m->pause_ns[i]) < 0)
				return err_set(e, -PF_EPARSE, "/debug/vars: memstats 'PauseNs[%zu]' is not an unsigned integer",
					       i);
		m->has_pause_ring = true;
	}
	v = json_object_get(ms, "GCCPUFraction");
	if (v) {
		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return err_set(e, -PF_EPARSE, "/debug/vars: memstats 'GCCPUFraction' is not a number");
		m->gc_cpu_fraction = json_number_value(v);
		m->has_gc_cpu_fraction = true;
	}
	return 0;
}

int memstats_from_expvar(const char *body, size_t len, struct go_memstats *ret, struct err *e)
{
	struct go_memstats m = { .source = "expvar" };
	json_error_t je;
	json_t *root = NULL, *ms;
	int r;

	r = text_accept(&body, &len, "/debug/vars: not JSON", e);
	if (r < 0)
		goto out;
	root = json_loadb(body, len, 0, &je);
	if (!root && json_error_code(&je) == json_error_numeric_overflow)
		root = json_loadb(body, len, JSON_DECODE_INT_AS_REAL, &je);
	if (!root) {
		r = err_set(e, -PF_EPARSE, "/debug/vars: line %d column %d: %s", je.line, je.column, je.text);
		goto out;
	}
	if (!json_is_object(root)) {
		r = err_set(e, -PF_EPARSE, "/debug/vars: not a JSON object");
		goto out;
	}
	ms = json_object_get(root, "memstats");
	if (!ms || !json_is_object(ms)) {
		r = err_set(e, -PF_EPARSE, "/debug/vars: no \"memstats\" object (is expvar's default handler serving it?)");
		goto out;
	}
	r = expvar_fill(ms, &m, e);
	if (r < 0)
		goto out;
	ms_finish(&m);
	*ret = m;
out:
	json_decref(root);
	return r;
}

/* ---- the heap profile's block ---- */

/* "[<n> <n> ...]" with exactly 256 numbers; ring may be NULL. */
static int heap_ring(const char *s, size_t n, uint64_t *ring)
{
	size_t i = 1, k = 0;

	if (n < 2 || s[0] != '[' || s[n - 1] != ']')
		return -PF_EPARSE;
	n--;
	while (i < n) {
		size_t start = i;
		uint64_t v;

		while (i < n && s[i] != ' ')
			i++;
		if (k == 256 || parse_u64_n(s + start, i - start, &v) < 0)
			return -PF_EPARSE;
		if (ring)
			ring[k] = v;
		k++;
		if (i < n)
			i++;   /* the separating space; a second one fails above */
	}
	return k == 256 ? 0 : -PF_EPARSE;
}

/* "<n> / <n>" */
static int heap_pair(const char *s, size_t n, uint64_t *first)
{
	const char *sl = memmem(s, n, " / ", 3);
	uint64_t second;

	if (!sl || parse_u64_n(s, (size_t)(sl - s), first) < 0 ||
	    parse_u64_n(sl + 3, (size_t)(s + n - sl - 3), &second) < 0)
		return -PF_EPARSE;
	return 0;
}

static bool is_key(const char *k, size_t kn, const char *name)
{
	return strlen(name) == kn && !memcmp(k, name, kn);
}

/* One "Key = value" line of the MemStats block: 0, -EEXIST for a key seen
 * before, or another negative code for a malformed value. */
static int heap_line(const char *k, size_t kn, const char *v, size_t vn, struct go_memstats *m, uint32_t *seen)
{
	uint64_t u;
	int i = ms_index(k, kn);

	if (i >= 0 && strcmp(ms_fields[i].name, "StackInuse") && strcmp(ms_fields[i].name, "PauseTotalNs")) {
		if (*seen & (1u << i))
			return -EEXIST;
		*seen |= 1u << i;
		return parse_u64_n(v, vn, ms_slot(m, (size_t)i));
	}
	if (is_key(k, kn, "Stack"))
		return heap_pair(v, vn, &m->stack_inuse);
	if (is_key(k, kn, "MSpan") || is_key(k, kn, "MCache"))
		return heap_pair(v, vn, &u);
	if (is_key(k, kn, "PauseNs")) {
		if (m->has_pause_ring)
			return -EEXIST;
		m->has_pause_ring = true;
		return heap_ring(v, vn, m->pause_ns);
	}
	if (is_key(k, kn, "PauseEnd"))
		return heap_ring(v, vn, NULL);
	if (is_key(k, kn, "GCCPUFraction")) {
		char tmp[64];

		if (vn == 0 || vn >= sizeof(tmp))
			return -PF_EPARSE;
		memcpy(tmp, v, vn);
		tmp[vn] = '\0';
		if (parse_double(tmp, &m->gc_cpu_fraction) < 0 || !isfinite(m->gc_cpu_fraction) || tmp[0] == ' ')
			return -PF_EPARSE;
		m->has_gc_cpu_fraction = true;
		return 0;
	}
	if (is_key(k, kn, "DebugGC") || is_key(k, kn, "EnableGC"))
		return is_key(v, vn, "true") || is_key(v, vn, "false") ? 0 : -PF_EPARSE;
	/* Alloc, Lookups, BuckHashSys, GCSys, OtherSys, MaxRSS, and whatever
	 * a later Go adds: numbers we do not keep, or text we do not know. */
	return 0;
}

int memstats_from_heap(const char *body, size_t len, struct go_memstats *ret, struct err *e)
{
	static const char what[] = "heap profile's MemStats";
	struct go_memstats m = { .source = "heap" };
	struct text_lines t;
	const char *l;
	bool block = false;
	uint32_t seen = 0;
	size_t n;
	char q[QUOTE_SIZE];

	if (text_accept(&body, &len, "not a heap profile", e) < 0)
		return -PF_EPARSE;
	text_lines_init(&t, body, len);
	while (text_lines_next(&t, &l, &n)) {
		const char *eq;
		int r;

		if (!block) {
			block = n == 18 && !memcmp(l, "# runtime.MemStats", 18);
			continue;
		}
		if (n == 0)
			continue;
		eq = n > 2 ? memmem(l + 2, n - 2, " = ", 3) : NULL;
		if (!text_starts(l, n, "# ") || !eq || eq == l + 2) {
			quote_for_message(l, n, q);
			return text_fail(e, what, t.lineno, "expected '# <Name> = <value>', got '%s'", q);
		}
		r = heap_line(l + 2, (size_t)(eq - l - 2), eq + 3, (size_t)(l + n - eq - 3), &m, &seen);
		if (r == -EEXIST) {
			quote_for_message(l + 2, (size_t)(eq - l - 2), q);
			return text_fail(e, what, t.lineno, "'%s' given twice", q);
		}
		if (r < 0) {
			quote_for_message(l + 2, (size_t)(eq - l - 2), q);
			return text_fail(e, what, t.lineno, "'%s' has a malformed value", q);
		}
	}
	if (!block)
		return err_set(e, -PF_EPARSE, "heap profile: no '# runtime.MemStats' block (truncated?)");
	if (!(seen & (1u << F_HEAP_ALLOC)) || !(seen & (1u << F_NEXT_GC)))
		return err_set(e, -PF_EPARSE, "%s: no %s line (truncated?)", what,
			       (seen & (1u << F_HEAP_ALLOC)) ? "NextGC" : "HeapAlloc");
	ms_finish(&m);
	*ret = m;
	return 0;
}

/* ---- /metrics ---- */

static int prom_u64(const struct prom_doc *d, const char *name, uint64_t *ret, bool *found, struct err *e)
{
	const struct prom_sample *s = prom_find(d, name, NULL);
	double v;

	if (!s)
		return 0;
	v = s->value;
	if (!(v >= 0 && v < 18446744073709551616.0))
		return err_set(e, -PF_EPARSE, "/metrics: '%s' is %g, not a count", name, v);
	*ret = (uint64_t)v;
	*found = true;
	return 1;
}

static int prom_seconds_ns(const struct prom_doc *d, const char *name, uint64_t *ret, bool *found, struct err *e)
{
	const struct prom_sample *s = prom_find(d, name, NULL);
	double v;

	if (!s)
		return 0;
	v = s->value * 1e9;
	if (!(v >= 0 && v < 18446744073709551616.0))
		return err_set(e, -PF_EPARSE, "/metrics: '%s' is %g, not a duration", name, s->value);
	*ret = (uint64_t)llround(v);
	*found = true;
	return 1;
}

int memstats_from_prom(const struct prom_doc *d, struct go_memstats *ret, struct err *e)
{
	static const struct {
		const char *name;
		size_t off;
		int mark;      /* which presence flag the sample sets */
	} gauges[] = {
		{ "go_memstats_heap_alloc_bytes", offsetof(struct go_memstats, heap_alloc), 1 },
		{ "go_memstats_next_gc_bytes", offsetof(struct go_memstats, next_gc), 2 },
		{ "go_memstats_heap_sys_bytes", offsetof(struct go_memstats, heap_sys), 0 },
		{ "go_memstats_heap_idle_bytes", offsetof(struct go_memstats, heap_idle), 0 },
		{ "go_memstats_heap_inuse_bytes", offsetof(struct go_memstats, heap_inuse), 0 },
		{ "go_memstats_heap_released_bytes", offsetof(struct go_memstats, heap_released), 0 },
		{ "go_memstats_heap_objects", offsetof(struct go_memstats, heap_objects), 0 },
		{ "go_memstats_sys_bytes", offsetof(struct go_memstats, sys), 0 },
		{ "go_memstats_alloc_bytes_total", offsetof(struct go_memstats, total_alloc), 0 },
		{ "go_memstats_mallocs_total", offsetof(struct go_memstats, mallocs), 0 },
		{ "go_memstats_frees_total", offsetof(struct go_memstats, frees), 0 },
		{ "go_memstats_stack_inuse_bytes", offsetof(struct go_memstats, stack_inuse), 0 },
		{ "go_gc_duration_seconds_count", offsetof(struct go_memstats, num_gc), 0 },
		{ "go_gc_cycles_forced_gc_cycles_total", offsetof(struct go_memstats, num_forced_gc), 0 },
		{ "go_goroutines", offsetof(struct go_memstats, goroutines), 3 },
	};
	struct go_memstats m = { .source = "metrics" };
	bool any = false, heap = false, goal = false, dummy = false;
	const struct prom_sample *s, *total;
	uint64_t u = 0;
	int r;

	for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++) {
		bool *f = gauges[i].mark == 1 ? &heap : gauges[i].mark == 2 ? &goal
						 : gauges[i].mark == 3 ? &m.has_goroutines : &dummy;

		r = prom_u64(d, gauges[i].name, (uint64_t *)((char *)&m + gauges[i].off), f, e);
		if (r < 0)
			return r;
		any |= r > 0;
	}
	if (!goal) {
		r = prom_u64(d, "go_gc_heap_goal_bytes", &m.next_gc, &goal, e);
		if (r < 0)
			return r;
		any |= r > 0;
	}
	r = prom_seconds_ns(d, "go_gc_duration_seconds_sum", &m.pause_total_ns, &m.has_pause_total, e);
	if (r < 0)
		return r;
	r = prom_seconds_ns(d, "go_memstats_last_gc_time_seconds", &m.last_gc_ns, &dummy, e);
	if (r < 0)
		return r;
	any |= r > 0;
	r = prom_u64(d, "go_sched_gomaxprocs_threads", &u, &dummy, e);
	if (r < 0)
		return r;
	if (r > 0) {
		m.gomaxprocs = u > INT64_MAX ? INT64_MAX : (int64_t)u;
		any = true;
	}
	s = prom_find(d, "go_memstats_gc_cpu_fraction", NULL);
	if (s) {
		m.gc_cpu_fraction = s->value;
		m.has_gc_cpu_fraction = isfinite(s->value);
		any = true;
	} else {
		s = prom_find(d, "go_cpu_classes_gc_total_cpu_seconds_total", NULL);
		total = prom_find(d, "go_cpu_classes_total_cpu_seconds_total", NULL);
		if (s && total && isfinite(s->value) && isfinite(total->value) && total->value > 0 && s->value >= 0) {
			m.gc_cpu_fraction = s->value / total->value;
			m.has_gc_cpu_fraction = true;
			any = true;
		}
	}
	if (!any)
		return err_set(e, -PF_ENOTFOUND,
			       "/metrics: no Go runtime metrics (is client_golang's Go collector registered?)");
	m.ok = heap && goal;
	*ret = m;
	return 0;
}
