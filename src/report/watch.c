/* The renderers of `preflight watch` (watch.h). */
#include "report/escape.h"
#include "report/watch.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/json_text.h"
#include "report/goroutines.h"
#include "report/json_out.h"
#include "report/term.h"

const char *const watch_formats[] = { "tty", "json", NULL };

void watch_format_utc(double wall, char *out, size_t n)
{
	time_t secs = (time_t)floor(wall);
	struct tm tm;

	if (!gmtime_r(&secs, &tm) || !strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, n, "%.0f", wall);
}

static void format_crossing(const struct watch_crossing *c, struct buf *line)
{
	const char *name = watch_reason_name(c->reason);

	switch (c->reason) {
	case WATCH_GOROUTINES:
		buf_printf(line, "%s %.0f >= %.0f", name, c->value, c->threshold);
		break;
	case WATCH_GOROUTINE_GROWTH:
		buf_printf(line, "%s %.0f/s >= %g/s", name, c->value, c->threshold);
		break;
	default:
		buf_printf(line, "%s %.2f >= %g", name, c->value, c->threshold);
		break;
	}
}

/* "2026-11-26T10:00:00Z heap-pressure 0.91 >= 0.85: saved heap-....pb.gz ..." */
static int render_tty(const struct watch_event *ev, FILE *out)
{
	struct buf line = BUF_INIT(1u << 16);
	char stamp[32];
	int r = 0;

	watch_format_utc(ev->wall, stamp, sizeof(stamp));
	buf_printf(&line, "%s ", stamp);
	for (size_t i = 0; i < ev->n_crossings; i++) {
		if (i)
			buf_puts(&line, ", ");
		format_crossing(&ev->crossings[i], &line);
	}
	buf_puts(&line, ": saved");
	if (!ev->n_files)
		buf_puts(&line, " nothing");
	for (size_t i = 0; i < ev->n_files; i++) {
		char *name = term_escape_dup(ev->files[i]);

		if (!name) {
			r = -ENOMEM;
			break;
		}
		buf_printf(&line, " %s", name);
		free(name);
	}
	if (r == 0) {
		/* A line for scripts to split: wrapped only on a terminal. */
		term_wrap(out, buf_str(&line), ev->width, 0, 4);
		fputc('\n', out);
	}
	buf_release(&line);
	return r;
}

static bool put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

void watch_incident_id(const struct watch_crossing *c, char *out, size_t n)
{
	time_t secs = (time_t)floor(c->incident_wall);
	struct tm tm;
	char stamp[32];

	if (!gmtime_r(&secs, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
		snprintf(stamp, sizeof(stamp), "%.0f", c->incident_wall);
	snprintf(out, n, "%s-%s-i%llu", stamp, watch_reason_name(c->reason), (unsigned long long)c->incident);
}

/* The event as one JSON object: the JSON line's members, and with meta
 * the URL too. NULL when out of memory. */
static json_t *event_json(const struct watch_event *ev, bool meta)
{
	json_t *o = json_object(), *cs = json_array(), *fs = json_array(), *inc = NULL, *st = NULL;
	bool ok = o && cs && fs, first = false;
	char stamp[32], id[96];

	watch_format_utc(ev->wall, stamp, sizeof(stamp));
	for (size_t i = 0; ok && i < ev->n_crossings; i++) {
		const struct watch_crossing *c = &ev->crossings[i];
		json_t *x = json_object();
		bool count = c->reason == WATCH_GOROUTINES;

		watch_incident_id(c, id, sizeof(id));
		first = first || c->capture == 1;
		ok = x && put(x, "reason", json_string(watch_reason_name(c->reason))) &&
		     put(x, "value", count ? json_integer((json_int_t)c->value) : json_real(c->value)) &&
		     put(x, "threshold", count ? json_integer((json_int_t)c->threshold) : json_real(c->threshold)) &&
		     put(x, "check", json_string(watch_reason_check(c->reason))) && put(x, "incident", json_string(id)) &&
		     put(x, "capture", json_integer((json_int_t)c->capture)) && json_array_append_new(cs, x) == 0;
		if (!ok)
			json_decref(x);
	}
	for (size_t i = 0; ok && i < ev->n_files; i++)
		ok = json_array_append_new(fs, json_text(ev->files[i])) == 0;
	if (ok && ev->n_crossings) {
		const struct watch_crossing *c = &ev->crossings[0];
		char start[32];

		/* The event belongs to its first crossing's incident; it is a
		 * first capture when any of its crossings opened one. */
		watch_incident_id(c, id, sizeof(id));
		watch_format_utc(c->incident_wall, start, sizeof(start));
		inc = json_object();
		ok = inc && put(inc, "id", json_string(id)) && put(inc, "start", json_string(start)) &&
		     put(inc, "capture", json_integer((json_int_t)c->capture)) && put(inc, "first", json_boolean(first));
	}
	if (ok && ev->stacks) {
		st = json_object();
		ok = st && put(st, "profile", json_string(ev->stacks->debug2 ? "debug=2" : ev->stacks->debug1 ? "debug=1" : "none")) &&
		     put(st, "debug2", json_boolean(ev->stacks->debug2)) &&
		     put(st, "count", ev->stacks->count ? json_integer((json_int_t)ev->stacks->count) : json_null()) &&
		     put(st, "why", json_text(ev->stacks->why ? ev->stacks->why : ""));
	}
	ok = ok && put(o, "time", json_string(stamp)) && put(o, "crossings", json_incref(cs)) &&
	     (!inc || put(o, "incident", json_incref(inc))) && (!st || put(o, "stacks", json_incref(st))) &&
	     (!meta || !ev->url || put(o, "url", json_text(ev->url))) && put(o, "dir", json_text(ev->dir)) &&
	     put(o, "stem", json_text(ev->stem)) && put(o, "files", json_incref(fs));
	json_decref(cs);
	json_decref(fs);
	json_decref(inc);
	json_decref(st);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int render_json(const struct watch_event *ev, FILE *out)
{
	json_t *o = event_json(ev, false);
	int r;

	if (!o)
		return -ENOMEM;
	r = json_out_dump_compact(o, out);
	json_decref(o);
	return r;
}

int watch_render_meta(const struct watch_event *ev, struct buf *out)
{
	json_t *o = event_json(ev, true);
	char *text = o ? json_out_dumps(o) : NULL;
	int r = text && buf_puts(out, text) == 0 && buf_puts(out, "\n") == 0 ? 0 : -ENOMEM;

	free(text);
	json_decref(o);
	return r;
}

int watch_render_event(const struct watch_event *ev, const char *format, FILE *out)
{
	int r;

	if (!strcmp(format, "json"))
		r = render_json(ev, out);
	else if (!strcmp(format, "tty"))
		r = render_tty(ev, out);
	else
		return -EINVAL;
	if (fflush(out) != 0 || ferror(out))
		return r < 0 ? r : -EIO;
	return r;
}

void watch_progress_text(char *buf, size_t n, uint64_t samples, uint64_t events, const struct watch_state *st,
			 bool has_goroutines, uint64_t goroutines)
{
	size_t w;

	snprintf(buf, n, "%llu sample%s, %llu event%s", (unsigned long long)samples, samples == 1 ? "" : "s",
		 (unsigned long long)events, events == 1 ? "" : "s");
	w = strlen(buf);
	if (st && !isnan(st->heap_ratio) && w < n)
		w += (size_t)snprintf(buf + w, n - w, "; heap %.2f", st->heap_ratio);
	if (st && !isnan(st->gc_cpu) && w < n)
		w += (size_t)snprintf(buf + w, n - w, "%s gc-cpu %.2f%s", w && strchr(buf, ';') ? "" : ";", st->gc_cpu,
				      st->gc_cpu_recent ? "" : " (cumulative)");
	if (has_goroutines && w < n)
		w += (size_t)snprintf(buf + w, n - w, "%s goroutines %llu", strchr(buf, ';') ? "" : ";",
				      (unsigned long long)goroutines);
	if (st && !isnan(st->growth) && w < n)
		snprintf(buf + w, n - w, " (%+.0f/s)", st->growth);
}
