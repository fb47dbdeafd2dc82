/* The html format of `preflight goroutines` (goroutines.h): one HTML5
 * page that needs nothing else (inline CSS, a few lines of script that
 * only expand and collapse; without script every group still opens by
 * its <details> element). Suspects come first, open, with their reason,
 * pattern and fix; every group shows its counts over the snapshots (a
 * table, and a sparkline when there are several), its state, waits,
 * creator and every frame as function and file:line.
 *
 * Text from a dump may hold anything: it is written through html_text,
 * which escapes the five HTML-significant characters and shows control
 * bytes, C1 controls and bytes that are not UTF-8 the way the terminal
 * escaper does (\e, \x07), since HTML may carry none of them, even as a
 * character reference; Unicode noncharacters likewise (\uFFFE). */
#include "report/goroutines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/escape.h"

struct page {
	FILE *out;
	bool oom;
};

/* A noncharacter: U+FDD0..U+FDEF and the last two of every plane. */
static bool noncharacter(unsigned long c)
{
	return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

/* s is valid UTF-8 without control bytes (the terminal escaper saw to
 * it): writes it with & < > " ' as references. */
static void html_clean(FILE *out, const unsigned char *s)
{
	while (*s) {
		unsigned char b = *s;

		switch (b) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			if (b >= 0xEF && b <= 0xF4) {
				/* three- and four-byte forms: look for a noncharacter */
				size_t len = b >= 0xF0 ? 4 : 3;
				unsigned long c = len == 3 ? b & 0x0F : b & 0x07;
				size_t k;

				for (k = 1; k < len && (s[k] & 0xC0) == 0x80; k++)
					c = (c << 6) | (s[k] & 0x3F);
				if (k == len && noncharacter(c)) {
					fprintf(out, "\\u%04lX", c);
					s += len;
					continue;
				}
			}
			fputc(b, out);
		}
		s++;
	}
}

/* Untrusted text, escaped for HTML. NULL writes nothing. */
static void html_text(struct page *p, const char *s)
{
	char *q;

	if (!s)
		return;
	if (!term_needs_escape(s, strlen(s))) {
		html_clean(p->out, (const unsigned char *)s);
		return;
	}
	q = term_escape_dup(s);
	if (!q) {
		p->oom = true;
		return;
	}
	html_clean(p->out, (const unsigned char *)q);
	free(q);
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#1d1d1f;background:#fff}"
	"h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.4em 0 .5em}"
	"code{font:13px/1.4 ui-monospace,monospace}"
	"table{border-collapse:collapse;margin:.4em 0}th,td{border:1px solid #d0d0d7;padding:.15em .5em;"
	"text-align:left}td.n,th.n{text-align:right}"
	"details.group{border:1px solid #d0d0d7;border-radius:4px;margin:.35em 0;padding:.2em .6em}"
	"details.group>summary{cursor:pointer}details.suspect{border-color:#c62828;background:#fff5f5}"
	".count{display:inline-block;min-width:4em;text-align:right;font-weight:600;margin-right:.5em}"
	".state{color:#555;margin-right:.5em}.site{font-weight:600}.where{color:#555}"
	".badge{background:#c62828;color:#fff;border-radius:3px;padding:0 .4em;margin-left:.5em;font-size:.85em}"
	".spark{vertical-align:middle;margin-right:.5em}.spark polyline{fill:none;stroke:#1565c0;stroke-width:1.5}"
	"details.suspect .spark polyline{stroke:#c62828}"
	".why{border-left:3px solid #c62828;padding:.1em .7em;margin:.4em 0}.why p{margin:.2em 0}"
	"dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;margin:.4em 0}dt{color:#555}dd{margin:0}"
	"ol.frames{margin:.3em 0;padding-left:2.2em}ol.frames li.site code.func{font-weight:700}"
	"ol.frames code.file{color:#555;margin-left:.6em}.muted{color:#777}";

/* Expand and collapse every group; the page works without it. */
static const char script[] =
	"document.querySelectorAll('button[data-open]').forEach(function(b){"
	"b.addEventListener('click',function(){var o=b.dataset.open==='1';"
	"document.querySelectorAll('details.group').forEach(function(d){d.open=o;});});});";

static const struct gr_suspect *suspect_of(const struct gr_analysis *an, const struct gr_row *row)
{
	for (size_t i = 0; i < an->n_suspects; i++)
		if (an->suspects[i].group == row->group)
			return &an->suspects[i];
	return NULL;
}

static size_t row_index(const struct gr_analysis *an, const struct gr_group *g)
{
	for (size_t i = 0; i < an->n_rows; i++)
		if (an->rows[i].group == g)
			return i;
	return 0;
}

/* An inline SVG line of the counts, oldest first. */
static void sparkline(FILE *out, const uint64_t *c, size_t n)
{
	const double w = 80, h = 16;
	uint64_t lo = c[0], hi = c[0];

	for (size_t i = 1; i < n; i++) {
		lo = c[i] < lo ? c[i] : lo;
		hi = c[i] > hi ? c[i] : hi;
	}
	fprintf(out, "<svg class=\"spark\" width=\"%.0f\" height=\"%.0f\" viewBox=\"-1 -1 %.0f %.0f\" role=\"img\" "
		     "aria-label=\"counts",
		w, h + 2, w + 2, h + 2);
	for (size_t i = 0; i < n; i++)
		fprintf(out, " %llu", (unsigned long long)c[i]);
	fputs("\"><polyline points=\"", out);
	for (size_t i = 0; i < n; i++) {
		double x = w * (double)i / (double)(n - 1);
		double y = hi == lo ? h / 2 : h - h * (double)(c[i] - lo) / (double)(hi - lo);

		fprintf(out, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	fputs("\"/></svg>", out);
}

static void site_text(struct page *p, const struct gr_group *g)
{
	const struct gr_frame *f = gr_group_site(g);

	if (!f) {
		fprintf(p->out, "<span class=\"site muted\">%s</span>", g->n_frames ? "(no named frame)" : "(no frames)");
		return;
	}
	fputs("<code class=\"site\">", p->out);
	html_text(p, f->func);
	fputs("</code> <code class=\"where\">", p->out);
	html_text(p, basename_of(f->file));
	fprintf(p->out, ":%d</code>", f->line);
}

static void group_html(struct page *p, const struct gr_view *v, size_t idx)
{
	const struct gr_row *row = &v->an->rows[idx];
	const struct gr_group *g = row->group, *info = row->detail ? row->detail : g;
	const struct gr_frame *site = gr_group_site(g);
	const struct gr_suspect *s = suspect_of(v->an, row);
	FILE *out = p->out;
	size_t n = v->n_snaps;

	fprintf(out, "<details class=\"group%s\" id=\"g%zu\"%s>\n<summary>", s ? " suspect" : "", idx + 1,
		s ? " open" : "");
	fprintf(out, "<span class=\"count\">%llu</span>", (unsigned long long)row->counts[n - 1]);
	if (n > 1)
		sparkline(out, row->counts, n);
	fputs("<span class=\"state\">", out);
	html_text(p, info->state[0] ? info->state : "-");
	fputs("</span>", out);
	site_text(p, g);
	if (s)
		fputs("<span class=\"badge\">leak suspect</span>", out);
	fputs("</summary>\n", out);
	if (s) {
		fputs("<div class=\"why\"><p><strong>", out);
		html_text(p, s->reason);
		fprintf(out, "</strong> (%llu goroutines, %+lld across the snapshots)</p>\n<p>pattern: ",
			(unsigned long long)s->count, (long long)s->growth);
		html_text(p, s->pattern);
		fputs("</p>\n<p>fix: ", out);
		html_text(p, s->remedy);
		fputs("</p></div>\n", out);
	}
	if (n > 1) {
		fputs("<table class=\"counts\"><tr><th scope=\"row\">snapshot</th>", out);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "<td class=\"n\">%zu</td>", i + 1);
		fputs("</tr><tr><th scope=\"row\">goroutines</th>", out);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "<td class=\"n\">%llu</td>", (unsigned long long)row->counts[i]);
		fputs("</tr></table>\n", out);
	}
	fputs("<dl>", out);
	fputs("<dt>state</dt><dd>", out);
	html_text(p, info->state[0] ? info->state : "unknown (a debug=1 profile shows none)");
	fputs("</dd>", out);
	if (info->wait_minutes_max)
		fprintf(out, "<dt>waiting</dt><dd>%llu to %llu minutes</dd>", (unsigned long long)info->wait_minutes_min,
			(unsigned long long)info->wait_minutes_max);
	if (info->created_by[0]) {
		fputs("<dt>created by</dt><dd><code>", out);
		html_text(p, info->created_by);
		fputs("</code>", out);
		if (info->created_at[0]) {
			fputs(" <code>", out);
			html_text(p, info->created_at);
			fputs("</code>", out);
		}
		fputs("</dd>", out);
	}
	if (g->labels) {
		fputs("<dt>labels</dt><dd><code>", out);
		html_text(p, g->labels);
		fputs("</code></dd>", out);
	}
	fprintf(out, "<dt>key</dt><dd><code>%016llx</code></dd></dl>\n", (unsigned long long)g->key);
	fputs("<ol class=\"frames\">\n", out);
	for (size_t i = 0; i < g->n_frames; i++) {
		const struct gr_frame *f = &g->frames[i];

		fprintf(out, "<li%s><code class=\"func\">", f == site ? " class=\"site\"" : "");
		html_text(p, f->func[0] ? f->func : "(unknown function)");
		fputs("</code><code class=\"file\">", out);
		html_text(p, f->file);
		fprintf(out, ":%d</code></li>\n", f->line);
	}
	fputs("</ol>\n", out);
	if (g->elided)
		fputs("<p class=\"muted\">The runtime elided frames of this stack.</p>\n", out);
	fputs("</details>\n", out);
}

int gr_render_html(const struct gr_view *v, FILE *out)
{
	const struct gr_analysis *an = v->an;
	struct page p = { out, false };
	size_t n = v->n_snaps;
	uint64_t total = n ? v->snaps[n - 1].total : 0;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
	      out);
	fprintf(out, "<title>preflight goroutines: %zu groups, %zu leak suspect%s</title>\n", an->n_rows, an->n_suspects,
		an->n_suspects == 1 ? "" : "s");
	fprintf(out, "<style>%s</style>\n</head>\n<body>\n<h1>Goroutines</h1>\n", style);
	fprintf(out, "<p class=\"summary\">%llu goroutines in the last snapshot; %zu groups shown; %zu leak suspect%s</p>\n",
		(unsigned long long)total, an->n_rows, an->n_suspects, an->n_suspects == 1 ? "" : "s");
	if (v->match) {
		fprintf(out, "<p class=\"match\">%zu of %zu groups match <code>", an->n_rows, an->n_rows_all);
		html_text(&p, v->match);
		fputs("</code>", out);
		if (an->n_suspects_all > an->n_suspects)
			fprintf(out, "; %zu leak suspect%s among the others", an->n_suspects_all - an->n_suspects,
				an->n_suspects_all - an->n_suspects == 1 ? "" : "s");
		fputs("</p>\n", out);
	}
	fputs("<table class=\"snapshots\">\n<thead><tr><th class=\"n\">#</th><th>source</th><th class=\"n\">debug</th>"
	      "<th class=\"n\">goroutines</th><th class=\"n\">groups</th>",
	      out);
	if (v->conns)
		fprintf(out, "<th class=\"n\">connections of pid %d</th>", v->conns_pid);
	fputs("<th>note</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < n + (v->detail != NULL); i++) {
		const struct gr_snapshot *s = i < n ? &v->snaps[i] : v->detail;

		if (i < n)
			fprintf(out, "<tr><td class=\"n\">%zu</td><td><code>", i + 1);
		else
			fputs("<tr><td class=\"n\">states</td><td><code>", out);
		html_text(&p, s->source);
		fprintf(out, "</code></td><td class=\"n\">%d</td><td class=\"n\">%llu</td><td class=\"n\">%zu</td>", s->debug,
			(unsigned long long)s->total, s->n_groups);
		if (v->conns && i < n)
			fprintf(out, "<td class=\"n\">%llu</td>", (unsigned long long)v->conns[i]);
		else if (v->conns)
			fputs("<td></td>", out);
		fprintf(out, "<td>%s</td></tr>\n",
			s->record_dropped ? "truncated: its last record was dropped" : s->truncated ? "truncated" : "");
	}
	fputs("</tbody>\n</table>\n", out);
	if (an->n_suspects) {
		fputs("<h2>Leak suspects</h2>\n<ol class=\"suspects\">\n", out);
		for (size_t i = 0; i < an->n_suspects; i++) {
			const struct gr_suspect *s = &an->suspects[i];

			fprintf(out, "<li><a href=\"#g%zu\"><code>", row_index(an, s->group) + 1);
			html_text(&p, s->site);
			fprintf(out, "</code></a>: %llu goroutines, ", (unsigned long long)s->count);
			html_text(&p, s->reason);
			fputs(" (", out);
			html_text(&p, s->pattern);
			fputs(")</li>\n", out);
		}
		fputs("</ol>\n", out);
	} else {
		fprintf(out, "<p>No leak suspect%s.</p>\n",
			v->match && an->n_suspects_all ? " among the matching groups" : "");
	}
	fputs("<h2>Groups</h2>\n<p><button type=\"button\" data-open=\"1\">expand all</button> "
	      "<button type=\"button\" data-open=\"0\">collapse all</button></p>\n",
	      out);
	for (size_t i = 0; i < an->n_rows; i++)
		group_html(&p, v, i);
	fprintf(out, "<script>%s</script>\n</body>\n</html>\n", script);
	if (p.oom)
		return -ENOMEM;
	return ferror(out) ? -EIO : 0;
}
