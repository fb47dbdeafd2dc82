#include "check/watch_trigger.h"

#include "check/check.h"
#include "check/gccpu.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *const reason_names[WATCH_N_REASONS] = {
	[WATCH_HEAP_PRESSURE] = "heap-pressure",
	[WATCH_GC_CPU] = "gc-cpu",
	[WATCH_GOROUTINES] = "goroutines",
	[WATCH_GOROUTINE_GROWTH] = "goroutine-growth",
};

static const char *const reason_checks[WATCH_N_REASONS] = {
	[WATCH_HEAP_PRESSURE] = "go.heap-pressure",
	[WATCH_GC_CPU] = "go.gc-cpu",
	[WATCH_GOROUTINES] = "go.goroutines",
	[WATCH_GOROUTINE_GROWTH] = "go.goroutines",
};

const char *watch_reason_name(enum watch_reason r)
{
	return r < WATCH_N_REASONS ? reason_names[r] : "unknown";
}

const char *watch_reason_check(enum watch_reason r)
{
	return r < WATCH_N_REASONS ? reason_checks[r] : "unknown";
}

/* The default of a check's parameter, from the registry: a watch that
 * fires where the check passes, or the other way round, is a watch nobody
 * can trust. */
static double check_default(const char *id, const char *param)
{
	const struct check_def *d = registry_find(id);
	const struct param_def *pd = d ? check_param_find(d, param) : NULL;

	return pd ? pd->num : 0;
}

void watch_params_defaults(struct watch_params *p)
{
	memset(p, 0, sizeof(*p));
	p->heap_pressure = check_default("go.heap-pressure", "fail");
	p->gc_cpu = check_default("go.gc-cpu", "fail");
	p->goroutines = (uint64_t)check_default("go.goroutines", "fail");
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
	s->pts = calloc(s->cap, sizeof(*s->pts));
	if (!s->ring || !s->pts) {
		free(s->ring);
		free(s->pts);
		s->ring = NULL;
		s->pts = NULL;
		return err_errno(e, -ENOMEM, "cannot keep %zu samples", s->cap);
	}
	s->p = *p;
	s->heap_ratio = s->heap_trough = s->gc_cpu = s->growth = NAN;
	return 0;
}

void watch_state_release(struct watch_state *s)
{
	free(s->ring);
	free(s->pts);
	s->ring = NULL;
	s->pts = NULL;
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
	/* As go.gc-cpu: no GC yet is no GC CPU to judge. */
	if (!x->has_mem || !x->num_gc)
		return;
	if (s->p.start_unix > 0) {
		for (size_t i = 0; i + 1 < s->n; i++)
			if (at(s, i)->has_mem) {
				a = at(s, i);
				break;
			}
		/* The first sample alone tells nothing recent; nor does a window
		 * in which no cycle ended (go.gc-cpu skips it: its 0 is no
		 * verdict, nor is the lifetime share). */
		if (!a || x->num_gc <= a->num_gc)
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

/* go.heap-pressure's judgment (heap_trough.h) over the samples of a full
 * window: a window that has not filled yet could hold one cycle and two
 * samples taken high on the climbs around it. */
static void judge_heap(struct watch_state *s, const struct watch_sample *x)
{
	struct heap_trough h;
	size_t k = 0;

	s->heap_trough = NAN;
	if (!x->has_mem || !s->n || x->t - at(s, 0)->t < s->p.window_s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct watch_sample *y = at(s, i);

		if (y->has_mem)
			s->pts[k++] = (struct heap_point){ y->heap_alloc, y->next_gc, y->num_gc };
	}
	if (heap_trough_of(s->pts, k, &h) == 0 && h.judged)
		s->heap_trough = h.trough;
}

/* Keeps the reason's incident: opens one with a crossing when none is
 * open or the last ended (no crossing for the quiet period, the
 * cooldown, and the previous sample did not cross). */
static void track_incident(struct watch_state *s, enum watch_reason r, const struct watch_sample *x, bool crossed)
{
	struct watch_incident *in = &s->inc[r];

	if (crossed) {
		if (!in->open || (!s->crossed_last[r] && x->t - in->last_cross > s->p.cooldown_s)) {
			*in = (struct watch_incident){ .open = true, .id = ++s->n_incidents, .start_wall = x->wall };
		}
		in->last_cross = x->t;
	} else if (in->open && x->t - in->last_cross > s->p.cooldown_s) {
		in->open = false;
	}
	s->crossed_last[r] = crossed;
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
	judge_heap(s, x);
	judge_gc_cpu(s, x);
	judge_growth(s, x);

	value[WATCH_HEAP_PRESSURE] = s->heap_trough;
	threshold[WATCH_HEAP_PRESSURE] = s->p.heap_pressure;
	value[WATCH_GC_CPU] = s->gc_cpu;
	threshold[WATCH_GC_CPU] = s->p.gc_cpu;
	value[WATCH_GOROUTINES] = x->has_goroutines ? (double)x->goroutines : NAN;
	threshold[WATCH_GOROUTINES] = (double)s->p.goroutines;
	value[WATCH_GOROUTINE_GROWTH] = s->growth;
	threshold[WATCH_GOROUTINE_GROWTH] = s->p.growth_per_s;

	for (int r = 0; r < WATCH_N_REASONS; r++) {
		/* NAN (unknown) compares false: never crosses. */
		bool crossed = threshold[r] > 0 && value[r] >= threshold[r];
		struct watch_incident *in = &s->inc[r];

		track_incident(s, (enum watch_reason)r, x, crossed);
		if (!crossed)
			continue;
		if (s->fired[r] && x->t - s->last_fired[r] < s->p.cooldown_s)
			continue;
		s->fired[r] = true;
		s->last_fired[r] = x->t;
		in->captures++;
		out[n++] = (struct watch_crossing){ (enum watch_reason)r, value[r], threshold[r], in->id, in->start_wall,
						    in->captures };
	}
	return n;
}

bool watch_debug2_decide(bool full_stacks, uint64_t max_debug2, uint64_t count, char *why, size_t n)
{
	if (!full_stacks) {
		snprintf(why, n, "debug=1 only: --full-stacks not given (a debug=2 dump stops the target's world "
				 "while it prints every stack)");
		return false;
	}
	if (!max_debug2) {
		snprintf(why, n, "debug=1 only: --max-debug2 0");
		return false;
	}
	if (!count) {
		snprintf(why, n, "debug=1 only: the goroutine count is unknown");
		return false;
	}
	if (count >= max_debug2) {
		snprintf(why, n, "debug=1 only: %llu goroutines >= --max-debug2 %llu", (unsigned long long)count,
			 (unsigned long long)max_debug2);
		return false;
	}
	snprintf(why, n, "debug=2 too: %llu goroutines < --max-debug2 %llu (--full-stacks)", (unsigned long long)count,
		 (unsigned long long)max_debug2);
	return true;
}
