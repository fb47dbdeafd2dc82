/* The html format of a run: one self-contained HTML5 page for a manager,
 * a ticket or an archive. Nothing in it is fetched: the CSS is inline,
 * there is no script, and the charts are inline SVG drawn by launch_svg.c.
 * It is written as well-formed XML too (every element closed, void
 * elements self-closed, only the five predefined references), so both an
 * HTML parser and an XML one read it (tests run xmllint both ways).
 *
 * Responsive: the charts scale to the page, the tables scroll sideways
 * inside their box on a narrow screen, and print keeps the colours and
 * keeps rows whole. Every piece of outside text (names, titles, notes,
 * reasons, owners, evidence) goes through launch_html_text. */
#include "report/launch_common.h"

#include <errno.h>
#include <stdlib.h>

#include "report/json_out.h"
#include "report/launch_svg.h"

static const char css[] =
	":root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--band:#f6f8fa}\n"
	"*{box-sizing:border-box}\n"
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;color:var(--fg);"
	"background:var(--bg);margin:0 auto;padding:16px;max-width:1200px}\n"
	"h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid "
	"var(--line);padding-bottom:.2em}\n"
	"dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}\n"
	"dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}\n"
	".tiles{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}\n"
	".tile{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:92px;background:var(--band)}\n"
	".tile b{display:block;font-size:1.4em}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:8px 24px}\n"
	"svg.chart{display:block;max-width:720px;height:auto}\n"
	"svg text{font:12px system-ui,sans-serif;fill:var(--fg)}svg text.label{text-anchor:end}\n"
	"svg .open{fill:#fff;stroke:#57606a;stroke-dasharray:3 2}svg .late{fill:#c62828}\n"
	".scroll{overflow-x:auto}\n"
	"table{border-collapse:collapse;width:100%;font-size:.92em}\n"
	"th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}\n"
	"th{background:var(--band)}td.note{min-width:14em;overflow-wrap:anywhere}\n"
	"code{font:.92em ui-monospace,'DejaVu Sans Mono',monospace;overflow-wrap:anywhere}td.id code{white-space:nowrap}\n"
	".st{font-weight:600;white-space:nowrap}.st-pass{color:#2e7d32}.st-fail{color:#c62828}"
	".st-skip{color:#57606a}.st-running{color:#1565c0}.st-pending{color:#8a6d00}\n"
	".overdue{color:#c62828;font-weight:600}\n"
	"pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font-size:.85em}\n"
	"footer{margin-top:2em;color:var(--muted);font-size:.85em}\n"
	"@media (max-width:640px){body{padding:8px;font-size:14px}.tile{min-width:72px}svg.chart{min-width:600px}"
	"svg text{font-size:14px}}\n"
	"@media print{body{max-width:none;padding:0;font-size:11pt}*{-webkit-print-color-adjust:exact;"
	"print-color-adjust:exact}tr,svg,.tile{break-inside:avoid}.scroll{overflow:visible}}\n";

static void text_or_dash(FILE *out, const char *s)
{
	launch_html_text(out, s && *s ? s : "-");
}

static void dd(FILE *out, const char *term, const char *value)
{
	fprintf(out, "<dt>%s</dt><dd>", term);
	text_or_dash(out, value);
	fputs("</dd>\n", out);
}

static void head(FILE *out, const struct run_view *v)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n", out);
	fprintf(out, "<title>Launch report: run %lld", (long long)v->id);
	if (v->name) {
		fputs(", ", out);
		launch_html_text(out, v->name);
	}
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
}

static void header(FILE *out, const struct launch_sel *s)
{
	const struct run_view *v = s->v;
	char when[40];

	fprintf(out, "<header>\n<h1>Launch report: run %lld", (long long)v->id);
	if (v->name) {
		fputs(", ", out);
		launch_html_text(out, v->name);
	}
	fputs("</h1>\n<dl class=\"meta\">\n", out);
	dd(out, "Environment", v->env);
	dd(out, "Run owner", v->owner);
	launch_time_human(v->opened_ms, when, sizeof(when));
	dd(out, "Opened", when);
	dd(out, "Opened by", v->opened_by);
	dd(out, "Host", v->host);
	launch_time_human(v->closed_ms, when, sizeof(when));
	dd(out, "Closed", v->closed_ms ? when : "not yet");
	dd(out, "Checklist", v->source);
	if (v->parent_ticket)
		dd(out, "Ticket", v->parent_ticket);
	launch_time_human(v->now_ms, when, sizeof(when));
	dd(out, "As of", when);
	fputs("</dl>\n</header>\n<div class=\"tiles\">\n", out);
	fprintf(out, "<div class=\"tile\"><b>%zu</b>item%s%s</div>\n", s->n, s->n == 1 ? "" : "s",
		s->filtered ? " shown" : "");
	for (int i = 0; i < ITEM_STATUS_COUNT; i++) {
		enum item_status st = launch_status_order[i];

		fprintf(out, "<div class=\"tile\"><b class=\"st-%s\">%u</b>%s</div>\n", item_status_name(st),
			s->count[st], item_status_name(st));
	}
	fprintf(out, "<div class=\"tile\"><b%s>%u</b>overdue</div>\n", s->n_overdue ? " class=\"overdue\"" : "",
		s->n_overdue);
	fprintf(out, "<div class=\"tile\"><b>%u</b>follow-ups open</div>\n</div>\n", s->followups_open);
}

/* A chart in a box that scrolls sideways on a phone, where the chart
 * keeps a width its text can be read at instead of shrinking. */
static int chart(FILE *out, const char *title, int (*draw)(FILE *, const struct launch_sel *),
		 const struct launch_sel *s)
{
	int ret;

	fprintf(out, "<section>\n<h2>%s</h2>\n<div class=\"scroll\">\n", title);
	if ((ret = draw(out, s)) < 0)
		return ret;
	fputs("</div>\n</section>\n", out);
	return 0;
}

static int by_module(FILE *out, const struct launch_sel *s)
{
	return launch_svg_status_by(out, s, LAUNCH_BY_MODULE);
}

static int by_env(FILE *out, const struct launch_sel *s)
{
	return launch_svg_status_by(out, s, LAUNCH_BY_ENV);
}

int launch_html_charts(FILE *out, const struct launch_sel *s, bool one_grid)
{
	int ret;

	if (!s->n)
		return 0;
	fputs("<div class=\"charts\">\n", out);
	if ((ret = chart(out, "Status by module", by_module, s)) < 0 ||
	    (ret = chart(out, "Status by environment", by_env, s)) < 0)
		return ret;
	if (one_grid) {
		/* the board: every chart in one grid, none for nothing overdue */
		if ((ret = chart(out, "Time to close", launch_svg_time_to_close, s)) < 0 ||
		    (s->n_overdue && (ret = chart(out, "Overdue items", launch_svg_overdue, s)) < 0))
			return ret;
		fputs("</div>\n", out);
		return 0;
	}
	fputs("</div>\n", out);
	if ((ret = chart(out, "Time to close", launch_svg_time_to_close, s)) < 0)
		return ret;
	if (!s->n_overdue) {
		fputs("<section>\n<h2>Overdue items</h2>\n<p>No item is overdue.</p>\n</section>\n", out);
		return 0;
	}
	return chart(out, "Overdue items", launch_svg_overdue, s);
}

static int item_row(FILE *out, const struct run_view *v, const struct item_view *it)
{
	const char *note = it->note && *it->note ? it->note : it->status == ITEM_SKIP ? it->skip_reason : NULL;
	char when[40], d[32];
	char *ev = NULL;

	if (it->evidence && !(ev = json_out_dumps(it->evidence)))
		return -ENOMEM;
	fputs("<tr><td class=\"id\"><code>", out);
	text_or_dash(out, it->id);
	fputs("</code></td><td>", out);
	text_or_dash(out, it->title);
	fputs("</td><td>", out);
	text_or_dash(out, it->owner);
	fputs("</td><td>", out);
	text_or_dash(out, it->module);
	fputs("</td><td>", out);
	text_or_dash(out, it->env);
	launch_time_human(it->due_ms, when, sizeof(when));
	fprintf(out, "</td><td>%s", *when ? when : "-");
	if (it->overdue) {
		launch_duration(launch_item_late_ms(v, it), d, sizeof(d));
		fprintf(out, "<br/><span class=\"overdue\">overdue %s</span>", d);
	}
	fprintf(out, "</td><td class=\"st st-%s\">%s</td><td>", item_status_name(it->status),
		item_status_name(it->status));
	text_or_dash(out, it->status_seq ? it->executor : NULL);
	if (it->duration_ms >= 0) {
		launch_duration(it->duration_ms, d, sizeof(d));
		fprintf(out, "</td><td>%s", d);
	} else {
		fputs("</td><td>-", out);
	}
	fputs("</td><td class=\"note\">", out);
	text_or_dash(out, note);
	if (it->delay_reason) {
		fputs("<br/><em>delay:</em> ", out);
		launch_html_text(out, it->delay_reason);
	}
	if (ev) {
		fputs("<details><summary>evidence</summary><pre>", out);
		launch_html_text(out, ev);
		fputs("</pre></details>", out);
	}
	fputs("</td><td>", out);
	text_or_dash(out, launch_item_change(it));
	fputs("</td></tr>\n", out);
	free(ev);
	return 0;
}

static int items(FILE *out, const struct launch_sel *s)
{
	int ret;

	fputs("<section>\n<h2>Items</h2>\n", out);
	if (!s->n) {
		fputs(s->filtered ? "<p>No item matches.</p>\n</section>\n" : "<p>The run has no items.</p>\n</section>\n",
		      out);
		return 0;
	}
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th>item id</th><th>title</th><th>owner</th><th>module</th>"
	      "<th>env</th><th>due</th><th>result</th><th>executor</th><th>elapsed</th><th>note</th>"
	      "<th>change id</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < s->n; i++)
		if ((ret = item_row(out, s->v, s->items[i])) < 0)
			return ret;
	fputs("</tbody>\n</table></div>\n</section>\n", out);
	return 0;
}

static void skips(FILE *out, const struct launch_sel *s)
{
	bool any = false;

	for (size_t i = 0; i < s->n; i++) {
		const struct item_view *it = s->items[i];

		if (it->status != ITEM_SKIP || !it->skip_reason)
			continue;
		if (!any)
			fputs("<section>\n<h2>Skipped items</h2>\n<ul>\n", out);
		any = true;
		fputs("<li><code>", out);
		text_or_dash(out, it->id);
		fputs("</code> (by ", out);
		text_or_dash(out, it->executor);
		fputs("): ", out);
		launch_html_text(out, it->skip_reason);
		fputs("</li>\n", out);
	}
	if (any)
		fputs("</ul>\n</section>\n", out);
}

static void followups(FILE *out, const struct launch_sel *s)
{
	char due[40], closed[40];

	fputs("<section>\n<h2>Follow-ups</h2>\n", out);
	if (!s->n_followups) {
		fputs("<p>None.</p>\n</section>\n", out);
		return;
	}
	fputs("<div class=\"scroll\"><table>\n<thead><tr><th>#</th><th>item id</th><th>owner</th><th>RCA due</th>"
	      "<th>status</th><th>ticket</th><th>summary</th><th>RCA</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < s->n_followups; i++) {
		const struct followup_view *f = s->followups[i];

		fprintf(out, "<tr><td>%lld</td><td><code>", (long long)f->id);
		text_or_dash(out, f->item_id);
		fputs("</code></td><td>", out);
		text_or_dash(out, f->owner);
		launch_time_human(f->rca_due_ms, due, sizeof(due));
		fprintf(out, "</td><td>%s</td><td>", *due ? due : "-");
		if (f->closed) {
			launch_time_human(f->closed_ms, closed, sizeof(closed));
			fprintf(out, "closed %s", closed);
			if (f->closed_by) {
				fputs(" by ", out);
				launch_html_text(out, f->closed_by);
			}
		} else {
			fputs(f->overdue ? "<span class=\"overdue\">open, overdue</span>" : "open", out);
		}
		fputs("</td><td>", out);
		text_or_dash(out, f->ticket);
		fputs("</td><td class=\"note\">", out);
		text_or_dash(out, f->summary);
		fputs("</td><td class=\"note\">", out);
		text_or_dash(out, f->rca);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table></div>\n</section>\n", out);
}

int launch_html(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o)
{
	int ret;

	head(out, s->v);
	header(out, s);
	if ((ret = launch_html_charts(out, s, false)) < 0)
		return ret;
	if ((ret = items(out, s)) < 0)
		return ret;
	skips(out, s);
	followups(out, s);
	fputs("<footer>Written by preflight ", out);
	launch_html_text(out, o->preflight_version);
	fputs(" from the run's event log. Times are UTC.</footer>\n</body>\n</html>\n", out);
	return 0;
}
