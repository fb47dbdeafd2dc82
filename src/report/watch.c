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

static int render_json(const struct watch_event *ev, FILE *out)
{
	json_t *o = json_object(), *cs = json_array(), *fs = json_array();
	bool ok = o && cs && fs;
	char stamp[32];
	int r = -ENOMEM;

	watch_format_utc(ev->wall, stamp, sizeof(stamp));
	for (size_t i = 0; ok && i < ev->n_crossings; i++) {
		const struct watch_crossing *c = &ev->crossings[i];
		json_t *x = json_object();
		bool count = c->reason == WATCH_GOROUTINES;

		ok = x && put(x, "reason", json_string(watch_reason_name(c->reason))) &&
		     put(x, "value", count ? json_integer((json_int_t)c->value) : json_real(c->value)) &&
		     put(x, "threshold", count ? json_integer((json_int_t)c->threshold) : json_real(c->threshold)) &&
		     json_array_append_new(cs, x) == 0;
		if (!ok)
			json_decref(x);
	}
	for (size_t i = 0; ok && i < ev->n_files; i++)
		ok = json_array_append_new(fs, json_text(ev->files[i])) == 0;
	ok = ok && put(o, "time", json_string(stamp)) && put(o, "crossings", json_incref(cs)) &&
	     put(o, "dir", json_text(ev->dir)) && put(o, "stem", json_text(ev->stem)) &&
	     put(o, "files", json_incref(fs));
	if (ok)
		r = json_out_dump_compact(o, out);
	json_decref(cs);
	json_decref(fs);
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
