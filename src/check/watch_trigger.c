#include "check/watch_trigger.h"

#include "check/gccpu.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* How far the uptime-weighted GC CPU may fall outside [0, 1] before the
 * samples are taken not to fit the formula (a wrong --pid, a GOMAXPROCS
 * change) rather than to carry rounding. */

static const char *const reason_names[WATCH_N_REASONS] = {
	[WATCH_HEAP_PRESSURE] = "heap-pressure",
	[WATCH_GC_CPU] = "gc-cpu",
	[WATCH_GOROUTINES] = "goroutines",
	[WATCH_GOROUTINE_GROWTH] = "goroutine-growth",
};

const char *watch_reason_name(enum watch_reason r)
{
	return r < WATCH_N_REASONS ? reason_names[r] : "unknown";
}

int watch_state_init(struct watch_state *s, const struct watch_params *p, struct err *e)
{
	double slots;

	memset(s, 0, sizeof(*s));
	if (!(p->interval_s > 0) || !(p->window_s >= 0))
		return err_set(e, -EINVAL, "the interval must be positive and the window not negative");
	/* One window of samples, plus the one just before it (the growth rate
	 * spans a full window) and some slack. */
	slots = ceil(p->window_s / p->interval_s) + 3;
	if (slots > 1e6)
		return err_set(e, -E2BIG, "a window of %.0f samples is too many; lengthen the interval", slots);
	s->cap = (size_t)slots;
	s->ring = calloc(s->cap, sizeof(*s->ring));
	if (!s->ring)
		return err_errno(e, -ENOMEM, "cannot keep %zu samples", s->cap);
	s->p = *p;
	s->heap_ratio = s->gc_cpu = s->growth = NAN;
	return 0;
}

void watch_state_release(struct watch_state *s)
{
	free(s->ring);
	s->ring = NULL;
	s->cap = s->n = s->head = 0;
}

static const struct watch_sample *at(const struct watch_state *s, size_t i)
{
	return &s->ring[(s->head + i) % s->cap];
}

static void push(struct watch_state *s, const struct watch_sample *x)
{
	if (s->n == s->cap) {
		s->head = (s->head + 1) % s->cap;
		s->n--;
	}
	s->ring[(s->head + s->n) % s->cap] = *x;
	s->n++;
	/* Keep one sample at or before the window's start, none older. */
	while (s->n >= 2 && at(s, 1)->t <= x->t - s->p.window_s) {
		s->head = (s->head + 1) % s->cap;
		s->n--;
	}
}

int watch_gc_cpu_between(const struct watch_sample *a, const struct watch_sample *b, double start_unix,
			 double *ret)
{
	struct gc_cpu_point pa = { a->wall, a->num_gc, a->last_gc_ns, a->gc_cpu_fraction };
	struct gc_cpu_point pb = { b->wall, b->num_gc, b->last_gc_ns, b->gc_cpu_fraction };

	if (!a->has_mem || !b->has_mem)
		return -EINVAL;
	return gc_cpu_between(&pa, &pb, start_unix, ret);
}

static bool target_restarted(const struct watch_state *s, const struct watch_sample *x)
{
	const struct watch_sample *last;

	if (s->n == 0 || !x->has_mem)
		return false;
	last = at(s, s->n - 1);
	return last->has_mem && (x->num_gc < last->num_gc || x->last_gc_ns < last->last_gc_ns);
}

static void judge_gc_cpu(struct watch_state *s, const struct watch_sample *x)
{
	const struct watch_sample *a = NULL;
	double v;

	s->gc_cpu = NAN;
	s->gc_cpu_recent = false;
	if (!x->has_mem)
		return;
	if (s->p.start_unix > 0) {
		for (size_t i = 0; i + 1 < s->n; i++)
			if (at(s, i)->has_mem) {
				a = at(s, i);
				break;
			}
		/* The first sample alone tells nothing recent. */
		if (!a)
			return;
		if (watch_gc_cpu_between(a, x, s->p.start_unix, &v) == 0) {
			s->gc_cpu = v;
			s->gc_cpu_recent = true;
			return;
		}
	}
	s->gc_cpu = x->gc_cpu_fraction;
}

static void judge_growth(struct watch_state *s, const struct watch_sample *x)
{
	const struct watch_sample *a = s->n ? at(s, 0) : NULL;

	s->growth = NAN;
	/* Only across a full window: a burst over one interval is a worker
	 * pool at work, not a leak. */
	if (!x->has_goroutines || !a || a == at(s, s->n - 1) || !a->has_goroutines || x->t - a->t < s->p.window_s)
		return;
	s->growth = ((double)x->goroutines - (double)a->goroutines) / (x->t - a->t);
}

size_t watch_observe(struct watch_state *s, const struct watch_sample *x, struct watch_crossing out[WATCH_N_REASONS])
{
	double value[WATCH_N_REASONS], threshold[WATCH_N_REASONS];
	size_t n = 0;

	s->restarted = target_restarted(s, x);
	if (s->restarted) {
		s->n = s->head = 0;
		s->p.start_unix = 0;
	}
	push(s, x);

	s->heap_ratio = x->has_mem && x->next_gc ? (double)x->heap_alloc / (double)x->next_gc : NAN;
	judge_gc_cpu(s, x);
	judge_growth(s, x);

	value[WATCH_HEAP_PRESSURE] = s->heap_ratio;
	threshold[WATCH_HEAP_PRESSURE] = s->p.heap_pressure;
	value[WATCH_GC_CPU] = s->gc_cpu;
	threshold[WATCH_GC_CPU] = s->p.gc_cpu;
	value[WATCH_GOROUTINES] = x->has_goroutines ? (double)x->goroutines : NAN;
	threshold[WATCH_GOROUTINES] = (double)s->p.goroutines;
	value[WATCH_GOROUTINE_GROWTH] = s->growth;
	threshold[WATCH_GOROUTINE_GROWTH] = s->p.growth_per_s;

	for (int r = 0; r < WATCH_N_REASONS; r++) {
		/* NAN (unknown) compares false: never crosses. */
		if (!(threshold[r] > 0) || !(value[r] >= threshold[r]))
			continue;
		if (s->fired[r] && x->t - s->last_fired[r] < s->p.cooldown_s)
			continue;
		s->fired[r] = true;
		s->last_fired[r] = x->t;
		out[n++] = (struct watch_crossing){ (enum watch_reason)r, value[r], threshold[r] };
	}
	return n;
}
