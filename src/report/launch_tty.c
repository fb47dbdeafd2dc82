/* The tty format of a run (`preflight status`): a header that says where
 * the run stands, then one line per item. For people; the layout may
 * change between versions (scripts read --format json).
 *
 * Every string from outside (titles are not shown; ids, owners, modules,
 * notes, executors) goes through the terminal escaper first, and the
 * columns are measured on the escaped text, so an escape sequence in a
 * note can neither act on the terminal nor break the alignment. On a
 * terminal the table fits its width: the note column takes what the
 * others leave and is cut with an ellipsis; in a pipe or a file every
 * line is whole. Colour only when the caller says (a TTY, no NO_COLOR). */
#include "report/launch_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/escape.h"

enum col { C_ID, C_STATUS, C_OWNER, C_MODULE, C_ENV, C_DUE, C_LEFT, C_EXEC, C_DUR, C_NOTE, C_COUNT };

static const char *const col_name[C_COUNT] = { "ID", "STATUS", "OWNER", "MODULE", "ENV",
						"DUE", "LEFT", "EXECUTOR", "DURATION", "NOTE" };
/* On a terminal, the most a column other than the note takes. */
static const unsigned col_cap[C_COUNT] = { 24, 8, 14, 14, 10, 11, 18, 14, 9, 0 };
#define GAP 2
#define NOTE_MIN 12
/* On a narrow terminal these columns go first, in this order, until the
 * note has NOTE_MIN columns: the id, status, owner and time left stay. */
static const enum col drop_order[] = { C_DUR, C_EXEC, C_ENV, C_MODULE, C_DUE };

static const char *const status_color[ITEM_STATUS_COUNT] = {
	[ITEM_PENDING] = "", [ITEM_RUNNING] = "\033[36m", [ITEM_PASS] = "\033[32m",
	[ITEM_FAIL] = "\033[1;31m", [ITEM_SKIP] = "\033[2m",
};
#define RED "\033[31m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

/* Display columns of s: one per character (as term_wrap counts). */
static unsigned columns(const char *s)
{
	unsigned c = 0;

	for (; *s; s++)
		c += ((unsigned char)*s & 0xC0) != 0x80;
	return c;
}

/* Cuts *s (malloc'd) to at most w columns, the last one an ellipsis. */
static int cut(char **s, unsigned w)
{
	unsigned c = 0;
	size_t at;
	char *p, *n;

	if (w == 0 || columns(*s) <= w)
		return 0;
	for (p = *s; *p; p++) {
		if (((unsigned char)*p & 0xC0) != 0x80 && ++c == w)
			break;
	}
	at = (size_t)(p - *s);
	n = realloc(*s, at + 4);
	if (!n)
		return -ENOMEM;
	memcpy(n + at, "\xe2\x80\xa6", 4);   /* "…" and the NUL */
	*s = n;
	return 0;
}

struct row {
	char *cell[C_COUNT];
	const struct item_view *it;
};

static char *dup_or(const char *s, const char *dflt)
{
	return term_escape_dup(s && *s ? s : dflt);
}

/* "11-26 10:30" (UTC); with the year when it is not the year of now. */
static char *fmt_due(int64_t ms, int64_t now_ms)
{
	char b[32];
	struct tm tm, now;
	time_t t = (time_t)(ms / 1000), n = (time_t)(now_ms / 1000);

	if (!ms || !gmtime_r(&t, &tm) || !gmtime_r(&n, &now) ||
	    !strftime(b, sizeof(b), tm.tm_year == now.tm_year ? "%m-%d %H:%M" : "%Y-%m-%d %H:%M", &tm))
		return strdup("-");
	return strdup(b);
}

static char *fmt_left(const struct run_view *v, const struct item_view *it)
{
	char d[32], b[48];

	if (!it->due_ms || !item_status_open(it->status))
		return strdup("-");
	if (it->overdue) {
		launch_duration(launch_item_late_ms(v, it), d, sizeof(d));
		snprintf(b, sizeof(b), "overdue %s", d);
	} else {
		launch_duration(it->due_ms > v->now_ms ? it->due_ms - v->now_ms : 0, d, sizeof(d));
		snprintf(b, sizeof(b), "%s", d);
	}
	return strdup(b);
}

static char *fmt_dur(int64_t ms)
{
	char b[32];

	if (ms < 0)
		return strdup("-");
	launch_duration(ms, b, sizeof(b));
	return strdup(b);
}

static int row_fill(struct row *r, const struct run_view *v, const struct item_view *it)
{
	const char *note = it->note && *it->note ? it->note : it->status == ITEM_SKIP ? it->skip_reason : NULL;

	r->it = it;
	r->cell[C_ID] = dup_or(it->id, "?");
	r->cell[C_STATUS] = strdup(item_status_name(it->status));
	r->cell[C_OWNER] = dup_or(it->owner, "-");
	r->cell[C_MODULE] = dup_or(it->module, "-");
	r->cell[C_ENV] = dup_or(it->env, "-");
	r->cell[C_DUE] = fmt_due(it->due_ms, v->now_ms);
	r->cell[C_LEFT] = fmt_left(v, it);
	r->cell[C_EXEC] = dup_or(it->status_seq ? it->executor : NULL, "-");
	r->cell[C_DUR] = fmt_dur(it->duration_ms);
	r->cell[C_NOTE] = dup_or(note, "");
	for (int c = 0; c < C_COUNT; c++)
		if (!r->cell[c])
			return -ENOMEM;
	return 0;
}

static void row_release(struct row *r)
{
	for (int c = 0; c < C_COUNT; c++)
		free(r->cell[c]);
}

static void header(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o)
{
	const struct run_view *v = s->v;
	const char *bold = o->color ? BOLD : "", *reset = o->color ? RESET : "";
	char when[40];
	bool first = true;

	fprintf(out, "%srun %lld%s  ", bold, (long long)v->id, reset);
	term_puts(out, v->name ? v->name : "?");
	fputs("  env ", out);
	term_puts(out, v->env ? v->env : "-");
	fputs("  owner ", out);
	term_puts(out, v->owner ? v->owner : "-");
	launch_time_human(v->opened_ms, when, sizeof(when));
	fprintf(out, "  opened %s", *when ? when : "?");
	if (v->opened_by) {
		fputs(" by ", out);
		term_puts(out, v->opened_by);
	}
	if (v->closed_ms) {
		launch_time_human(v->closed_ms, when, sizeof(when));
		fprintf(out, "  closed %s", when);
	}
	fputc('\n', out);
	fprintf(out, "%zu item%s%s:", s->n, s->n == 1 ? "" : "s", s->filtered ? " shown" : "");
	for (int i = 0; i < ITEM_STATUS_COUNT; i++) {
		enum item_status st = launch_status_order[i];

		if (!s->count[st])
			continue;
		fprintf(out, "%s %s%u %s%s", first ? "" : ",", o->color ? status_color[st] : "", s->count[st],
			item_status_name(st), o->color && *status_color[st] ? RESET : "");
		first = false;
	}
	if (first)
		fputs(" none", out);
	if (s->n_overdue)
		fprintf(out, "; %s%u overdue%s", o->color ? RED : "", s->n_overdue, o->color ? RESET : "");
	if (s->n_followups)
		fprintf(out, "; follow-ups: %u open of %zu", s->followups_open, s->n_followups);
	launch_time_human(v->now_ms, when, sizeof(when));
	fprintf(out, "  (as of %s)\n", when);
}

static void put_cell(FILE *out, const char *text, unsigned w, const char *color, bool last)
{
	unsigned c = columns(text);

	if (*color)
		fprintf(out, "%s%s%s", color, text, RESET);
	else
		fputs(text, out);
	if (!last)
		fprintf(out, "%*s", (int)(w - c + GAP), "");
}

static void followups(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o)
{
	char due[40], late[32];

	if (!s->n_followups)
		return;
	fputs("\nfollow-ups:\n", out);
	for (size_t i = 0; i < s->n_followups; i++) {
		const struct followup_view *f = s->followups[i];

		fprintf(out, "  #%lld  ", (long long)f->id);
		term_puts(out, f->item_id ? f->item_id : "-");
		fputs("  owner ", out);
		term_puts(out, f->owner ? f->owner : "-");
		if (f->closed) {
			fputs("  closed", out);
			if (f->closed_by) {
				fputs(" by ", out);
				term_puts(out, f->closed_by);
			}
		} else {
			launch_time_human(f->rca_due_ms, due, sizeof(due));
			fprintf(out, "  open, RCA due %s", *due ? due : "-");
			if (f->overdue) {
				launch_duration(s->v->now_ms - f->rca_due_ms, late, sizeof(late));
				fprintf(out, " %s(overdue %s)%s", o->color ? RED : "", late, o->color ? RESET : "");
			}
		}
		if (f->ticket) {
			fputs("  ", out);
			term_puts(out, f->ticket);
		}
		fputs("\n      ", out);
		term_puts(out, f->closed && f->rca ? f->rca : f->summary ? f->summary : "");
		fputc('\n', out);
	}
}

int launch_tty(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o)
{
	struct row *rows = calloc(s->n ? s->n : 1, sizeof(*rows));
	unsigned w[C_COUNT];
	bool shown[C_COUNT];
	int ret = 0;

	if (!rows)
		return -ENOMEM;
	header(out, s, o);
	if (!s->n) {
		fputs(s->filtered ? "no item matches\n" : "no items\n", out);
		goto fu;
	}
	for (int c = 0; c < C_COUNT; c++) {
		w[c] = columns(col_name[c]);
		shown[c] = true;
	}
	for (size_t i = 0; i < s->n; i++) {
		ret = row_fill(&rows[i], s->v, s->items[i]);
		if (ret < 0)
			goto out;
		for (int c = 0; c < C_COUNT; c++) {
			if (o->width && col_cap[c] && (ret = cut(&rows[i].cell[c], col_cap[c])) < 0)
				goto out;
			if (columns(rows[i].cell[c]) > w[c])
				w[c] = columns(rows[i].cell[c]);
		}
	}
	if (o->width) {
		unsigned used = 0;

		for (int c = 0; c < C_NOTE; c++)
			used += w[c] + GAP;
		for (size_t k = 0; k < sizeof(drop_order) / sizeof(drop_order[0]) && used + NOTE_MIN > o->width; k++) {
			shown[drop_order[k]] = false;
			used -= w[drop_order[k]] + GAP;
		}
		w[C_NOTE] = o->width > used + NOTE_MIN ? o->width - used : NOTE_MIN;
		for (size_t i = 0; i < s->n; i++)
			if ((ret = cut(&rows[i].cell[C_NOTE], w[C_NOTE])) < 0)
				goto out;
	}
	fputc('\n', out);
	for (int c = 0; c < C_COUNT; c++)
		if (shown[c])
			put_cell(out, col_name[c], w[c], o->color ? BOLD : "", c == C_COUNT - 1);
	fputc('\n', out);
	for (size_t i = 0; i < s->n; i++) {
		const struct item_view *it = rows[i].it;

		for (int c = 0; c < C_COUNT; c++) {
			const char *color = "";

			if (!shown[c])
				continue;
			if (o->color && c == C_STATUS)
				color = status_color[it->status];
			else if (o->color && c == C_LEFT && it->overdue)
				color = RED;
			put_cell(out, rows[i].cell[c], w[c], color, c == C_COUNT - 1);
		}
		fputc('\n', out);
	}
fu:
	followups(out, s, o);
out:
	for (size_t i = 0; i < s->n; i++)
		row_release(&rows[i]);
	free(rows);
	return ret;
}
