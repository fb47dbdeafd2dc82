/* The charts of the html report (launch_svg.h). Coordinates are in a
 * 720-wide viewBox: a label column, the bars, and the number at the end
 * of each bar; rows are fixed height, so a chart grows with its rows. */
#include "report/launch_svg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

#define VB_W 720
#define LABEL_W 170
#define BAR_X (LABEL_W + 10)
#define BAR_W 380
#define ROW_H 24
#define BAR_H 16
#define TOP 30
#define LABEL_MAX 24

static const char *html_escape(unsigned cp, char scratch[8], void *arg)
{
	(void)scratch;
	(void)arg;
	switch (cp) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '\t':
	case '\n': return NULL;
	default:
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
		    (cp & 0xfffe) == 0xfffe)
			return UTF8_REPLACEMENT;
		return NULL;
	}
}

void launch_html_text(FILE *out, const char *s)
{
	utf8_write_escaped(out, s, html_escape, NULL);
}

const char *launch_status_fill(enum item_status s)
{
	switch (s) {
	case ITEM_PASS: return "#2e7d32";
	case ITEM_FAIL: return "#c62828";
	case ITEM_SKIP: return "#9e9e9e";
	case ITEM_RUNNING: return "#1565c0";
	default: return "#f9a825";
	}
}

/* A label for a chart's first column: at most LABEL_MAX characters, cut
 * with an ellipsis (the whole text is in the row's <title>). */
static void label(FILE *out, const char *s)
{
	size_t chars = 0, i = 0, n = strlen(s);
	unsigned cp;
	char *cut;

	while (i < n && chars < LABEL_MAX) {
		size_t len = utf8_next(s + i, n - i, &cp);

		i += len ? len : 1;
		chars++;
	}
	if (i >= n) {
		launch_html_text(out, s);
		return;
	}
	cut = strndup(s, i);
	launch_html_text(out, cut ? cut : "");
	fputs("\xe2\x80\xa6", out);
	free(cut);
}

static void svg_open(FILE *out, const char *title, size_t rows)
{
	unsigned h = TOP + (unsigned)rows * ROW_H + 10;

	fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %u\" width=\"100%%\" role=\"img\" "
		"preserveAspectRatio=\"xMinYMin meet\">\n<title>", VB_W, h);
	launch_html_text(out, title);
	fputs("</title>\n", out);
}

/* A category (a module, an environment) and its counts by status. */
struct group {
	const char *name;   /* NULL: items without one */
	unsigned count[ITEM_STATUS_COUNT];
	unsigned total;
};

static bool same_name(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void legend(FILE *out)
{
	unsigned x = BAR_X;

	for (int i = 0; i < ITEM_STATUS_COUNT; i++) {
		enum item_status st = launch_status_order[i];

		fprintf(out, "<rect x=\"%u\" y=\"6\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%u\" y=\"16\" class=\"legend\">%s</text>\n", x, launch_status_fill(st), x + 16,
			item_status_name(st));
		x += 84;
	}
}

int launch_svg_status_by(FILE *out, const struct launch_sel *s, enum launch_group by)
{
	struct group *g = calloc(s->n ? s->n : 1, sizeof(*g));
	size_t n = 0;
	unsigned max = 1;

	if (!g)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		const struct item_view *it = s->items[i];
		const char *name = by == LAUNCH_BY_MODULE ? it->module : it->env;
		size_t k;

		if (name && !*name)
			name = NULL;
		for (k = 0; k < n && !same_name(g[k].name, name); k++)
			;
		if (k == n)
			g[n++].name = name;
		g[k].count[it->status]++;
		if (++g[k].total > max)
			max = g[k].total;
	}
	svg_open(out, by == LAUNCH_BY_MODULE ? "Items by module and status" : "Items by environment and status", n);
	legend(out);
	for (size_t k = 0; k < n; k++) {
		unsigned y = TOP + (unsigned)k * ROW_H;
		double x = BAR_X;

		fprintf(out, "<g>\n<text x=\"%d\" y=\"%u\" class=\"label\">", LABEL_W, y + BAR_H - 3);
		label(out, g[k].name ? g[k].name : "(none)");
		fputs("</text>\n", out);
		for (int i = 0; i < ITEM_STATUS_COUNT; i++) {
			enum item_status st = launch_status_order[i];
			double w = (double)g[k].count[st] * BAR_W / max;

			if (!g[k].count[st])
				continue;
			fprintf(out, "<rect x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>", x, y,
				w, BAR_H, launch_status_fill(st));
			launch_html_text(out, g[k].name ? g[k].name : "(none)");
			fprintf(out, ": %u %s</title></rect>\n", g[k].count[st], item_status_name(st));
			x += w;
		}
		fprintf(out, "<text x=\"%.1f\" y=\"%u\" class=\"value\">%u", x + 6, y + BAR_H - 3, g[k].total);
		if (g[k].count[ITEM_FAIL])
			fprintf(out, " (%u fail)", g[k].count[ITEM_FAIL]);
		fputs("</text>\n</g>\n", out);
	}
	fputs("</svg>\n", out);
	free(g);
	return 0;
}

int launch_svg_time_to_close(FILE *out, const struct launch_sel *s)
{
	const struct run_view *v = s->v;
	int64_t max = 1, open_ms = v->now_ms > v->opened_ms ? v->now_ms - v->opened_ms : 0;
	char d[32];

	for (size_t i = 0; i < s->n; i++) {
		int64_t t = launch_item_close_ms(v, s->items[i]);

		if (t < 0)
			t = open_ms;
		if (t > max)
			max = t;
	}
	svg_open(out, "Time from the run's opening to each item's closing", s->n);
	fputs("<text x=\"180\" y=\"16\" class=\"legend\">closed (by status)</text>"
	      "<rect x=\"330\" y=\"6\" width=\"12\" height=\"12\" class=\"open\"/>"
	      "<text x=\"346\" y=\"16\" class=\"legend\">still open (to now)</text>\n", out);
	for (size_t i = 0; i < s->n; i++) {
		const struct item_view *it = s->items[i];
		int64_t t = launch_item_close_ms(v, it);
		bool open = t < 0;
		unsigned y = TOP + (unsigned)i * ROW_H;
		double w = (double)(open ? open_ms : t) * BAR_W / (double)max;

		launch_duration(open ? open_ms : t, d, sizeof(d));
		fprintf(out, "<g>\n<text x=\"%d\" y=\"%u\" class=\"label\">", LABEL_W, y + BAR_H - 3);
		label(out, it->id ? it->id : "?");
		fprintf(out, "</text>\n<rect x=\"%d\" y=\"%u\" width=\"%.1f\" height=\"%d\" ", BAR_X, y, w < 1 ? 1 : w,
			BAR_H);
		if (open)
			fputs("class=\"open\"", out);
		else
			fprintf(out, "fill=\"%s\"", launch_status_fill(it->status));
		fputs("><title>", out);
		launch_html_text(out, it->id ? it->id : "?");
		fprintf(out, ": %s %s</title></rect>\n", open ? "open for" : "closed after", d);
		fprintf(out, "<text x=\"%.1f\" y=\"%u\" class=\"value\">%s%s</text>\n</g>\n", BAR_X + w + 6,
			y + BAR_H - 3, open ? "open " : "", d);
	}
	fputs("</svg>\n", out);
	return 0;
}

struct late {
	const struct item_view *it;
	int64_t ms;
};

static int by_lateness(const void *a, const void *b)
{
	const struct late *x = a, *y = b;

	return x->ms < y->ms ? 1 : x->ms > y->ms ? -1 : 0;
}

int launch_svg_overdue(FILE *out, const struct launch_sel *s)
{
	struct late *l;
	size_t n = 0;
	int64_t max = 1;
	char d[32];

	if (!s->n_overdue)
		return 0;
	l = calloc(s->n, sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i]->overdue) {
			l[n].it = s->items[i];
			l[n].ms = launch_item_late_ms(s->v, s->items[i]);
			if (l[n].ms > max)
				max = l[n].ms;
			n++;
		}
	qsort(l, n, sizeof(*l), by_lateness);
	svg_open(out, "Overdue items, by how late", n);
	fputs("<text x=\"180\" y=\"16\" class=\"legend\">time past due, at the report</text>\n", out);
	for (size_t i = 0; i < n; i++) {
		unsigned y = TOP + (unsigned)i * ROW_H;
		double w = (double)l[i].ms * BAR_W / (double)max;

		launch_duration(l[i].ms, d, sizeof(d));
		fprintf(out, "<g>\n<text x=\"%d\" y=\"%u\" class=\"label\">", LABEL_W, y + BAR_H - 3);
		label(out, l[i].it->id ? l[i].it->id : "?");
		fprintf(out, "</text>\n<rect x=\"%d\" y=\"%u\" width=\"%.1f\" height=\"%d\" class=\"late\"><title>",
			BAR_X, y, w < 1 ? 1 : w, BAR_H);
		launch_html_text(out, l[i].it->id ? l[i].it->id : "?");
		fprintf(out, ": overdue %s, owner ", d);
		launch_html_text(out, l[i].it->owner ? l[i].it->owner : "-");
		fprintf(out, "</title></rect>\n<text x=\"%.1f\" y=\"%u\" class=\"value\">%s late, ", BAR_X + w + 6,
			y + BAR_H - 3, d);
		launch_html_text(out, l[i].it->owner ? l[i].it->owner : "no owner");
		fputs("</text>\n</g>\n", out);
	}
	fputs("</svg>\n", out);
	free(l);
	return 0;
}
