/* The renderers of `preflight goroutines` (goroutines.h). */
#include "report/goroutines.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/json_text.h"
#include "goruntime/goroutine.h"
#include "report/escape.h"
#include "report/json_out.h"
#include "report/term.h"

const char *const gr_formats[] = { "tty", "json", "html", NULL };

/* ---- tty ------------------------------------------------------------------ */

/* Columns a UTF-8 string takes, one per character (escaped text has no
 * control bytes). */
static size_t columns(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

void report_line_cut(FILE *out, const char *line, unsigned width)
{
	size_t n = strlen(line), cols = 0, i = 0;

	if (width < 8 || columns(line, n) <= width) {
		fputs(line, out);
		fputc('\n', out);
		return;
	}
	/* keep width - 3 characters, whole ones, then "..." */
	while (i < n) {
		size_t len = 1;

		while (i + len < n && ((unsigned char)line[i + len] & 0xC0) == 0x80)
			len++;
		if (cols + 1 > width - 3)
			break;
		cols++;
		i += len;
	}
	fwrite(line, 1, i, out);
	fputs("...\n", out);
}

/* A line built in a buffer, so it can be cut to the terminal's width. */
struct tty {
	FILE *out;
	unsigned width;
	struct buf line;
	bool oom;
	const char *bold, *red, *reset;
};

__attribute__((format(printf, 2, 3))) static void add(struct tty *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (buf_vprintf(&t->line, fmt, ap) < 0)
		t->oom = true;
	va_end(ap);
}

/* Appends untrusted text, escaped. */
static void add_esc(struct tty *t, const char *s)
{
	char *q = term_escape_dup(s ? s : "");

	if (!q) {
		t->oom = true;
		return;
	}
	add(t, "%s", q);
	free(q);
}

/* Untrusted text escaped, then padded to width columns. */
static void add_esc_pad(struct tty *t, const char *s, size_t width)
{
	char *q = term_escape_dup(s ? s : "");
	size_t c;

	if (!q) {
		t->oom = true;
		return;
	}
	c = columns(q, strlen(q));
	add(t, "%s%*s", q, c < width ? (int)(width - c) : 0, "");
	free(q);
}

static void flush_line(struct tty *t)
{
	report_line_cut(t->out, buf_str(&t->line), t->width);
	buf_reset(&t->line);
}

/* Prose (a reason, a fix): wrapped, not cut; continuation lines start
 * at column cont. */
static void prose(struct tty *t, const char *label, const char *text, unsigned indent, unsigned cont)
{
	char *q = term_escape_dup(text ? text : "");
	char *line = NULL;

	if (!q || asprintf(&line, "%s%s", label, q) < 0) {
		free(q);
		t->oom = true;
		return;
	}
	fprintf(t->out, "%*s", (int)indent, "");
	term_wrap(t->out, line, t->width, indent, cont);
	fputc('\n', t->out);
	free(line);
	free(q);
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void add_site(struct tty *t, const struct gr_group *g)
{
	const struct gr_frame *f = gr_group_site(g);

	if (!f) {
		add(t, "%s", g->n_frames ? "(no named frame)" : "(no frames)");
		return;
	}
	add_esc(t, f->func);
	add(t, " (");
	add_esc(t, basename_of(f->file));
	add(t, ":%d)", f->line);
}

static void group_lines(struct tty *t, const struct gr_group *g, const struct gr_group *d, size_t frames)
{
	const struct gr_group *info = d ? d : g;
	const struct gr_frame *site = gr_group_site(g);

	if (info->created_by[0]) {
		add(t, "      created by ");
		add_esc(t, info->created_by);
		if (info->created_at[0]) {
			add(t, " (");
			add_esc(t, info->created_at);
			add(t, ")");
		}
		flush_line(t);
	}
	if (info->wait_minutes_max) {
		add(t, "      waiting %llu to %llu minutes", (unsigned long long)info->wait_minutes_min,
		    (unsigned long long)info->wait_minutes_max);
		flush_line(t);
	}
	if (g->labels) {
		add(t, "      labels ");
		add_esc(t, g->labels);
		flush_line(t);
	}
	for (size_t i = 0; i < g->n_frames && i < frames; i++) {
		const struct gr_frame *f = &g->frames[i];

		add(t, "      %s ", f == site ? ">" : " ");
		if (f->func[0])
			add_esc(t, f->func);
		else
			add(t, "(unknown function)");
		add(t, " ");
		add_esc(t, f->file);
		add(t, ":%d%s", f->line, i + 1 == frames && i + 1 < g->n_frames ? "  ..." : "");
		flush_line(t);
	}
	if (frames && g->elided) {
		add(t, "        (the runtime elided frames of this stack)");
		flush_line(t);
	}
}

static void snapshot_line(struct tty *t, const char *label, const struct gr_snapshot *s, bool groups)
{
	add(t, "%s", label);
	add_esc(t, s->source);
	add(t, " (debug=%d): %llu goroutines", s->debug, (unsigned long long)s->total);
	if (groups)
		add(t, " in %zu groups", s->n_groups);
	add(t, "%s", s->record_dropped ? ", TRUNCATED (last record dropped)" : s->truncated ? ", TRUNCATED" : "");
	flush_line(t);
}

static void suspect_site(struct tty *t, const struct gr_suspect *s)
{
	const struct gr_frame *f = s->group ? gr_group_site(s->group) : NULL;

	if (!f) {
		add_esc(t, s->site);
		return;
	}
	add_esc(t, f->func);
	add(t, " (");
	add_esc(t, f->file);
	add(t, ":%d)", f->line);
}

static int render_tty(const struct gr_view *v, FILE *out)
{
	const struct gr_analysis *an = v->an;
	size_t n = v->n_snaps, shown = v->top && v->top < an->n_rows ? v->top : an->n_rows;
	struct tty t = { out, v->width, BUF_INIT(1u << 20), false, "", "", "" };
	char label[48];

	if (v->color) {
		t.bold = "\033[1m";
		t.red = "\033[1;31m";
		t.reset = "\033[0m";
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "snapshot %zu: ", i + 1);
		snapshot_line(&t, label, &v->snaps[i], true);
	}
	if (v->detail)
		snapshot_line(&t, "states from: ", v->detail, false);
	if (v->conns) {
		add(&t, "connections of pid %d (ESTABLISHED):", v->conns_pid);
		for (size_t i = 0; i < n; i++)
			add(&t, " %llu", (unsigned long long)v->conns[i]);
		flush_line(&t);
	}
	if (v->match) {
		add(&t, "%zu of %zu groups match '", an->n_rows, an->n_rows_all);
		add_esc(&t, v->match);
		add(&t, "'");
		flush_line(&t);
	}
	fprintf(out, "\n%s%s  %-22s %s%s\n", t.bold, n > 1 ? "COUNTS (oldest first)" : "COUNT", "STATE", "SITE",
		t.reset);
	for (size_t i = 0; i < shown; i++) {
		const struct gr_row *row = &an->rows[i];
		const struct gr_group *d = row->detail;
		const char *state = d ? d->state : row->group->state[0] ? row->group->state : "-";
		struct buf counts = BUF_INIT(4096);

		for (size_t k = 0; k < n; k++)
			if (buf_printf(&counts, "%s%llu", k ? " " : "", (unsigned long long)row->counts[k]) < 0)
				break;
		add(&t, "%*s  ", n > 1 ? 21 : 5, buf_str(&counts));
		buf_release(&counts);
		add_esc_pad(&t, state, 22);
		add(&t, " ");
		add_site(&t, row->group);
		flush_line(&t);
		group_lines(&t, row->group, d, v->frames);
	}
	if (shown < an->n_rows)
		fprintf(out, "... %zu more groups (--top 0 shows all)\n", an->n_rows - shown);
	if (!an->n_suspects && v->match && an->n_suspects_all) {
		fprintf(out, "\nno leak suspect among the matching groups (%zu among the others)\n", an->n_suspects_all);
		goto out;
	}
	if (!an->n_suspects) {
		fprintf(out, "\nno leak suspect\n");
		goto out;
	}
	fprintf(out, "\n%s%zu leak suspect%s:%s\n", t.red, an->n_suspects, an->n_suspects == 1 ? "" : "s", t.reset);
	for (size_t i = 0; i < an->n_suspects; i++) {
		const struct gr_suspect *s = &an->suspects[i];
		char head[96];

		add(&t, "  %s%zu. ", t.bold, i + 1);
		suspect_site(&t, s);
		add(&t, "%s", t.reset);
		flush_line(&t);
		snprintf(head, sizeof(head), "%llu goroutines, %+lld across the snapshots: ", (unsigned long long)s->count,
			 (long long)s->growth);
		prose(&t, head, s->reason, 5, 7);
		if (s->created_by[0])
			prose(&t, "created by ", s->created_by, 5, 16);
		prose(&t, "pattern: ", s->pattern, 5, 14);
		prose(&t, "fix: ", s->remedy, 5, 10);
	}
out:
	buf_release(&t.line);
	if (t.oom)
		return -ENOMEM;
	return ferror(out) ? -EIO : 0;
}

/* ---- json ----------------------------------------------------------------- */

static bool put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

static json_t *time_json(double t)
{
	char s[80];
	time_t sec = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&sec, &tm))
		return json_null();
	snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)((t - (double)sec) * 1000) % 1000);
	return json_string(s);
}

static json_t *snapshot_json(const struct gr_snapshot *s)
{
	json_t *o = json_object();

	if (o && put(o, "source", json_text(s->source)) && put(o, "taken_at", time_json(s->taken_at)) &&
	    put(o, "debug", json_integer(s->debug)) && put(o, "total", json_integer((json_int_t)s->total)) &&
	    put(o, "groups", json_integer((json_int_t)s->n_groups)) && put(o, "truncated", json_boolean(s->truncated)) &&
	    put(o, "record_dropped", json_boolean(s->record_dropped)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t *counts_json(const uint64_t *c, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, json_integer((json_int_t)c[i])) < 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static json_t *group_json(const struct gr_row *row, size_t n)
{
	const struct gr_group *g = row->group, *info = row->detail ? row->detail : g;
	const struct gr_frame *site = gr_group_site(g);
	json_t *o = json_object(), *stack = json_array();
	char key[17];
	bool ok = o && stack;

	snprintf(key, sizeof(key), "%016llx", (unsigned long long)g->key);
	for (size_t i = 0; ok && i < g->n_frames; i++) {
		json_t *f = json_object();

		ok = f && put(f, "func", json_text(g->frames[i].func)) && put(f, "file", json_text(g->frames[i].file)) &&
		     put(f, "line", json_integer(g->frames[i].line)) && json_array_append_new(stack, f) == 0;
		if (!ok)
			json_decref(f);
	}
	ok = ok && put(o, "key", json_string(key)) && put(o, "stack", json_incref(stack)) &&
	     put(o, "state", json_text(info->state)) && put(o, "created_by", json_text(info->created_by)) &&
	     put(o, "created_at", json_text(info->created_at)) && put(o, "counts", counts_json(row->counts, n)) &&
	     put(o, "site", site ? json_text(site->func) : json_null()) &&
	     put(o, "wait_minutes", json_integer((json_int_t)info->wait_minutes_max)) &&
	     put(o, "labels", g->labels ? json_text(g->labels) : json_null()) &&
	     put(o, "elided", json_boolean(g->elided));
	json_decref(stack);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *suspect_json(const struct gr_suspect *s, size_t n)
{
	json_t *o = json_object();

	if (o && put(o, "site", json_text(s->site)) && put(o, "created_by", json_text(s->created_by)) &&
	    put(o, "count", json_integer((json_int_t)s->count)) && put(o, "growth", json_integer(s->growth)) &&
	    put(o, "counts", counts_json(s->counts, n)) &&
	    put(o, "wait_minutes", json_integer((json_int_t)s->wait_minutes)) &&
	    put(o, "state", json_text(s->group && s->group->state[0] ? s->group->state : "")) &&
	    put(o, "reason", json_text(s->reason)) && put(o, "pattern", json_text(s->pattern)) &&
	    put(o, "remedy", json_text(s->remedy)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t *conns_json(const struct gr_view *v)
{
	json_t *o = json_object();

	if (o && put(o, "pid", json_integer(v->conns_pid)) && put(o, "counts", counts_json(v->conns, v->n_snaps)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t *match_json(const struct gr_view *v)
{
	const struct gr_analysis *an = v->an;
	json_t *o = json_object();

	if (o && put(o, "regex", json_text(v->match)) && put(o, "groups", json_integer((json_int_t)an->n_rows)) &&
	    put(o, "groups_all", json_integer((json_int_t)an->n_rows_all)) &&
	    put(o, "suspects_all", json_integer((json_int_t)an->n_suspects_all)))
		return o;
	json_decref(o);
	return NULL;
}

static int render_json(const struct gr_view *v, FILE *out)
{
	const struct gr_analysis *an = v->an;
	json_t *doc = json_object(), *ss = json_array(), *gs = json_array(), *sus = json_array();
	bool ok = doc && ss && gs && sus;
	int r = -ENOMEM;

	for (size_t i = 0; ok && i < v->n_snaps; i++) {
		json_t *o = snapshot_json(&v->snaps[i]);

		ok = o && json_array_append_new(ss, o) == 0;
	}
	for (size_t i = 0; ok && i < an->n_rows; i++) {
		json_t *o = group_json(&an->rows[i], v->n_snaps);

		ok = o && json_array_append_new(gs, o) == 0;
	}
	for (size_t i = 0; ok && i < an->n_suspects; i++) {
		json_t *o = suspect_json(&an->suspects[i], v->n_snaps);

		ok = o && json_array_append_new(sus, o) == 0;
	}
	ok = ok && put(doc, "snapshots", json_incref(ss)) &&
	     put(doc, "detail", v->detail ? snapshot_json(v->detail) : json_null()) &&
	     put(doc, "groups", json_incref(gs)) && put(doc, "suspects", json_incref(sus)) &&
	     put(doc, "connections", v->conns ? conns_json(v) : json_null()) &&
	     put(doc, "match", v->match ? match_json(v) : json_null());
	if (ok)
		r = json_out_dump(doc, out);
	json_decref(ss);
	json_decref(gs);
	json_decref(sus);
	json_decref(doc);
	return r;
}

int gr_render(const struct gr_view *v, const char *format, FILE *out)
{
	if (!strcmp(format, "json"))
		return render_json(v, out);
	if (!strcmp(format, "tty"))
		return render_tty(v, out);
	if (!strcmp(format, "html"))
		return gr_render_html(v, out);
	return -EINVAL;
}

void gr_progress_text(char *buf, size_t n, size_t taken, size_t total, double next_in_s)
{
	if (next_in_s > 0)
		snprintf(buf, n, "snapshot %zu/%zu, next in %.1fs", taken, total, next_in_s);
	else
		snprintf(buf, n, "snapshot %zu/%zu", taken, total);
}
