/* The parts every rendering of a run shares (launch_common.h), and the
 * dispatch from a format's name to its file. */
#include "report/launch_common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/term.h"

const char *const launch_formats[] = { "tty", "json", "markdown", "junit", "html", NULL };
const char *const launch_runs_formats[] = { "tty", "json", "markdown", NULL };

const enum item_status launch_status_order[ITEM_STATUS_COUNT] = { ITEM_FAIL, ITEM_RUNNING, ITEM_PENDING,
								  ITEM_SKIP, ITEM_PASS };

static bool same(const char *want, const char *have)
{
	return !want || (have && !strcmp(want, have));
}

bool launch_filter_match(const struct launch_filter *f, const struct item_view *it)
{
	if (!f)
		return true;
	if (!same(f->env, it->env) || !same(f->module, it->module) || !same(f->owner, it->owner))
		return false;
	if (f->status >= 0 && (int)it->status != f->status)
		return false;
	return !f->overdue_only || it->overdue;
}

static bool filter_empty(const struct launch_filter *f)
{
	return !f || (!f->env && !f->module && !f->owner && f->status < 0 && !f->overdue_only);
}

int launch_sel_init(struct launch_sel *s, const struct run_view *v, const struct launch_filter *f)
{
	memset(s, 0, sizeof(*s));
	s->v = v;
	s->filtered = !filter_empty(f);
	s->items = calloc(v->n_items ? v->n_items : 1, sizeof(*s->items));
	s->followups = calloc(v->n_followups ? v->n_followups : 1, sizeof(*s->followups));
	if (!s->items || !s->followups) {
		launch_sel_release(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < v->n_items; i++) {
		const struct item_view *it = &v->items[i];

		if (!launch_filter_match(s->filtered ? f : NULL, it))
			continue;
		s->items[s->n++] = it;
		if ((unsigned)it->status < ITEM_STATUS_COUNT)
			s->count[it->status]++;
		s->n_overdue += it->overdue;
	}
	for (size_t i = 0; i < v->n_followups; i++) {
		const struct followup_view *fu = &v->followups[i];
		bool shown = !s->filtered;

		for (size_t k = 0; !shown && k < s->n; k++)
			shown = fu->item_id && s->items[k]->id && !strcmp(fu->item_id, s->items[k]->id);
		if (!shown)
			continue;
		s->followups[s->n_followups++] = fu;
		s->followups_open += !fu->closed;
		s->followups_overdue += fu->overdue;
	}
	return 0;
}

void launch_sel_release(struct launch_sel *s)
{
	free(s->items);
	free(s->followups);
	s->items = NULL;
	s->followups = NULL;
}

static bool to_tm(int64_t ms, struct tm *tm)
{
	/* floor, so a time before 1970 still names its own second */
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));

	return gmtime_r(&t, tm) != NULL;
}

void launch_time_rfc3339(int64_t ms, char *buf, size_t n)
{
	struct tm tm;

	if (!ms || !to_tm(ms, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "%s", "");
}

void launch_time_human(int64_t ms, char *buf, size_t n)
{
	struct tm tm;

	if (!ms || !to_tm(ms, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, n, "%s", "");
}

void launch_duration(int64_t ms, char *buf, size_t n)
{
	int64_t s;

	if (ms < 0)
		ms = 0;
	s = ms / 1000;
	if (ms < 1000)
		snprintf(buf, n, "%" PRId64 "ms", ms);
	else if (ms < 10000)
		snprintf(buf, n, "%.1fs", (double)(ms / 100) / 10);
	else if (s < 60)
		snprintf(buf, n, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, n, s % 60 ? "%" PRId64 "m%02" PRId64 "s" : "%" PRId64 "m", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, n, s / 60 % 60 ? "%" PRId64 "h%02" PRId64 "m" : "%" PRId64 "h", s / 3600, s / 60 % 60);
	else
		snprintf(buf, n, s / 3600 % 24 ? "%" PRId64 "d%" PRId64 "h" : "%" PRId64 "d", s / 86400,
			 s / 3600 % 24);
}

const char *launch_item_change(const struct item_view *it)
{
	return it->change_id && *it->change_id ? it->change_id : it->planned_change;
}

int64_t launch_item_late_ms(const struct run_view *v, const struct item_view *it)
{
	return it->overdue && it->due_ms && v->now_ms > it->due_ms ? v->now_ms - it->due_ms : 0;
}

int64_t launch_item_close_ms(const struct run_view *v, const struct item_view *it)
{
	if (!it->closed_ms || item_status_open(it->status))
		return -1;
	return it->closed_ms > v->opened_ms ? it->closed_ms - v->opened_ms : 0;
}

bool launch_format_known(const char *format)
{
	for (size_t i = 0; format && launch_formats[i]; i++)
		if (!strcmp(format, launch_formats[i]))
			return true;
	return false;
}

static int finish(FILE *out, int ret)
{
	if (ret == 0 && (fflush(out) == EOF || ferror(out)))
		ret = -EIO;
	return ret;
}

int launch_render_with(FILE *out, const struct run_view *v, const struct launch_filter *f, const char *format,
		       const struct launch_render_opts *o)
{
	static const struct {
		const char *name;
		int (*fn)(FILE *, const struct launch_sel *, const struct launch_render_opts *);
	} table[] = {
		{ "tty", launch_tty },       { "json", launch_json },   { "markdown", launch_markdown },
		{ "junit", launch_junit },   { "html", launch_html },
	};
	struct launch_sel s;
	int ret;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(format, table[i].name))
			continue;
		ret = launch_sel_init(&s, v, f);
		if (ret < 0)
			return ret;
		ret = table[i].fn(out, &s, o);
		launch_sel_release(&s);
		return finish(out, ret);
	}
	return -EINVAL;
}

int launch_render_runs_with(FILE *out, const struct run_summary *runs, size_t n, const char *format,
			    const struct launch_render_opts *o)
{
	if (!strcmp(format, "tty"))
		return finish(out, launch_runs_tty(out, runs, n, o));
	if (!strcmp(format, "json"))
		return finish(out, launch_runs_json(out, runs, n, o));
	if (!strcmp(format, "markdown"))
		return finish(out, launch_runs_markdown(out, runs, n, o));
	return -EINVAL;
}

/* What a caller that gives only the colour gets: this preflight's version
 * and, on a terminal, its width. */
static void default_opts(FILE *out, bool color, struct launch_render_opts *o)
{
	struct term t;

	term_detect(out, TERM_COLOR_NEVER, &t);
	o->color = color;
	o->width = t.width;
	o->preflight_version = PREFLIGHT_VERSION;
}

int launch_render(FILE *out, const struct run_view *v, const struct launch_filter *f, const char *format,
		  bool color)
{
	struct launch_render_opts o;

	default_opts(out, color, &o);
	return launch_render_with(out, v, f, format, &o);
}

int launch_render_runs(FILE *out, const struct run_summary *runs, size_t n, const char *format, bool color)
{
	struct launch_render_opts o;

	default_opts(out, color, &o);
	return launch_render_runs_with(out, runs, n, format, &o);
}
