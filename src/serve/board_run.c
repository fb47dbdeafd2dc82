/* The board's runs list (GET /) and a run's page (GET /runs/{run}):
 * counters, filters, the items with their actions, the follow-ups, the
 * charts of the html report (launch_svg.c). */
#include "serve/board.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "launch/actions.h"
#include "report/launch_common.h"
#include "report/launch_svg.h"

static bool set(const char *s)
{
	return s && *s;
}

void board_filter_to_launch(const struct board_filter *f, struct launch_filter *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->status = -1;
	if (!f)
		return;
	ret->env = set(f->env) ? f->env : NULL;
	ret->module = set(f->module) ? f->module : NULL;
	ret->owner = set(f->owner) ? f->owner : NULL;
	if (set(f->status))
		ret->status = item_status_parse(f->status);
	ret->overdue_only = f->overdue;
}

static void query_arg(FILE *out, bool *first, const char *name, const char *value)
{
	if (!set(value))
		return;
	fprintf(out, "%c%s=", *first ? '?' : '&', name);
	board_url_part(out, value);
	*first = false;
}

void board_run_url(FILE *out, int64_t run_id, const struct board_filter *f)
{
	bool first = true;

	fprintf(out, "/runs/%" PRId64, run_id);
	if (!f)
		return;
	query_arg(out, &first, "env", f->env);
	query_arg(out, &first, "module", f->module);
	query_arg(out, &first, "owner", f->owner);
	query_arg(out, &first, "status", f->status);
	query_arg(out, &first, "overdue", f->overdue ? "1" : NULL);
}

/* ---- GET / -------------------------------------------------------------- */

static int open_first(const void *a, const void *b)
{
	const struct run_summary *x = *(const struct run_summary *const *)a, *y = *(const struct run_summary *const *)b;

	if (!x->closed_ms != !y->closed_ms)
		return x->closed_ms ? 1 : -1;
	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

int board_page_runs(FILE *out, const struct board_ctx *c, const struct run_summary *runs, size_t n, bool fragment)
{
	const struct run_summary **order = calloc(n ? n : 1, sizeof(*order));

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		order[i] = &runs[i];
	qsort(order, n, sizeof(*order), open_first);

	if (!fragment) {
		board_head(out, c, "Runs", "page-runs");
		fputs("<h1>Runs</h1>\n<div id=\"live\" data-run=\"0\">\n", out);
	}
	if (!n)
		fputs("<p>No run yet: open one with <code>preflight run CHECKLIST</code>.</p>\n", out);
	else
		fputs("<table class=\"runs cards\">\n<thead><tr><th>run</th><th>state</th><th>items</th><th>overdue</th>"
		      "<th>owner</th><th>env</th><th>opened</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct run_summary *r = order[i];

		fprintf(out, "<tr data-key=\"run-%" PRId64 "\"%s><td data-label=\"run\"><a href=\"/runs/%" PRId64
			     "\">#%" PRId64 " ",
			r->id, r->n_overdue ? " class=\"is-late\"" : "", r->id, r->id);
		board_text(out, r->name);
		fprintf(out, "</a></td><td data-label=\"state\">%s</td><td data-label=\"items\" class=\"counts\">%u item%s:",
			r->closed_ms ? "closed" : "<b>open</b>", r->n_items, r->n_items == 1 ? "" : "s");
		for (int k = 0; k < ITEM_STATUS_COUNT; k++) {
			enum item_status st = launch_status_order[k];

			if (!r->count[st])
				continue;
			fprintf(out, " <span>%u ", r->count[st]);
			board_badge(out, st);
			fputs("</span>", out);
		}
		fprintf(out, "</td><td data-label=\"overdue\"%s>%u</td><td data-label=\"owner\">",
			r->n_overdue ? " class=\"overdue\"" : "", r->n_overdue);
		board_text(out, r->owner);
		fputs("</td><td data-label=\"env\">", out);
		board_text(out, r->env);
		fputs("</td><td data-label=\"opened\">", out);
		board_time(out, r->opened_ms);
		fputs("</td></tr>\n", out);
	}
	if (n)
		fputs("</tbody>\n</table>\n", out);
	if (!fragment) {
		fputs("</div>\n", out);
		board_tail(out);
	}
	free(order);
	return 0;
}

/* ---- GET /runs/{run} ------------------------------------------------------ */

static void run_header(FILE *out, const struct run_view *v)
{
	fprintf(out, "<h1>Run %" PRId64 ": ", v->id);
	board_text(out, v->name);
	fprintf(out, " <span class=\"badge %s\">%s</span></h1>\n<dl class=\"meta\">", v->closed_ms ? "st-skip" : "st-running",
		v->closed_ms ? "closed" : "open");
	board_meta(out, "env", v->env);
	board_meta(out, "owner", v->owner);
	board_meta(out, "opened by", v->opened_by);
	fputs("<div><dt>opened</dt><dd>", out);
	board_time(out, v->opened_ms);
	fputs("</dd></div>", out);
	if (v->parent_ticket)
		board_meta(out, "ticket", v->parent_ticket);
	board_meta(out, "checklist", v->source);
	fprintf(out, "<div><dt>report</dt><dd><a href=\"/followups?run=%" PRId64 "\">follow-ups</a></dd></div>", v->id);
	fputs("</dl>\n", out);
}

static void counters(FILE *out, const struct launch_sel *s)
{
	fprintf(out, "<div class=\"tiles\" id=\"counters\">\n<div class=\"tile\"><b>%zu</b>item%s%s</div>\n", s->n,
		s->n == 1 ? "" : "s", s->filtered ? " shown" : "");
	for (int i = 0; i < ITEM_STATUS_COUNT; i++) {
		enum item_status st = launch_status_order[i];

		fprintf(out, "<div class=\"tile\" data-status=\"%s\"><b>%u</b>", item_status_name(st), s->count[st]);
		board_badge(out, st);
		fputs("</div>\n", out);
	}
	fprintf(out, "<div class=\"tile%s\" data-status=\"overdue\"><b>%u</b>overdue</div>\n",
		s->n_overdue ? " bad" : "", s->n_overdue);
	fprintf(out, "<div class=\"tile\"><b>%u</b>follow-ups open</div>\n</div>\n", s->followups_open);
}

/* The distinct values of one field over the run's items, for a select. */
static void options(FILE *out, const struct run_view *v, size_t field, const char *chosen)
{
	for (size_t i = 0; i < v->n_items; i++) {
		const char *val = *(char *const *)((const char *)&v->items[i] + field);
		bool seen = false;

		if (!set(val))
			continue;
		for (size_t k = 0; k < i && !seen; k++) {
			const char *prev = *(char *const *)((const char *)&v->items[k] + field);

			seen = prev && !strcmp(prev, val);
		}
		if (seen)
			continue;
		fputs("<option value=\"", out);
		launch_html_text(out, val);
		fprintf(out, "\"%s>", chosen && !strcmp(chosen, val) ? " selected=\"selected\"" : "");
		launch_html_text(out, val);
		fputs("</option>", out);
	}
	/* a value in the URL that no item has stays chosen, so the page says
	 * what it filters on */
	if (set(chosen)) {
		bool any = false;

		for (size_t i = 0; i < v->n_items && !any; i++) {
			const char *val = *(char *const *)((const char *)&v->items[i] + field);

			any = val && !strcmp(val, chosen);
		}
		if (!any) {
			fputs("<option selected=\"selected\" value=\"", out);
			launch_html_text(out, chosen);
			fputs("\">", out);
			launch_html_text(out, chosen);
			fputs("</option>", out);
		}
	}
}

static void select_field(FILE *out, const struct run_view *v, const char *name, size_t field, const char *chosen)
{
	fprintf(out, "<label>%s<select name=\"%s\"><option value=\"\">any</option>", name, name);
	options(out, v, field, chosen);
	fputs("</select></label>\n", out);
}

static void filters(FILE *out, const struct run_view *v, const struct board_filter *f)
{
	fprintf(out, "<form class=\"filters\" method=\"get\" action=\"/runs/%" PRId64 "\" role=\"search\">\n", v->id);
	select_field(out, v, "env", offsetof(struct item_view, env), f->env);
	select_field(out, v, "module", offsetof(struct item_view, module), f->module);
	select_field(out, v, "owner", offsetof(struct item_view, owner), f->owner);
	fputs("<label>status<select name=\"status\"><option value=\"\">any</option>", out);
	for (int i = 0; i < ITEM_STATUS_COUNT; i++) {
		const char *name = item_status_name(launch_status_order[i]);

		fprintf(out, "<option%s>%s</option>", set(f->status) && !strcmp(f->status, name) ? " selected=\"selected\"" : "",
			name);
	}
	fprintf(out, "</select></label>\n<label class=\"check\"><input type=\"checkbox\" name=\"overdue\" value=\"1\"%s/>"
		     " overdue only</label>\n<button type=\"submit\" class=\"primary\">Filter</button>\n",
		f->overdue ? " checked=\"checked\"" : "");
	fprintf(out, "<a href=\"/runs/%" PRId64 "\">clear filters</a>\n</form>\n", v->id);
	if (set(f->status) && item_status_parse(f->status) < 0) {
		fputs("<p class=\"alert\" role=\"alert\">unknown status '", out);
		launch_html_text(out, f->status);
		fputs("': showing every status</p>\n", out);
	}
}

static void due_cell(FILE *out, const struct run_view *v, const struct item_view *it)
{
	char span[48];

	fputs("<td data-label=\"due\" class=\"due\">", out);
	board_time_short(out, it->due_ms, v->now_ms);
	if (it->overdue) {
		board_span(launch_item_late_ms(v, it), span, sizeof(span));
		fprintf(out, "<br/><span class=\"overdue\">overdue by %s</span>", span);
	} else if (it->due_ms && item_status_open(it->status) && it->due_ms > v->now_ms) {
		board_span(it->due_ms - v->now_ms, span, sizeof(span));
		fprintf(out, "<br/><span class=\"muted\">%s left</span>", span);
	}
	fputs("</td>", out);
}

/* One form per item: a reason and a button per action (formaction), so
 * the reason typed serves whichever is pressed. */
static void action_form(FILE *out, const struct board_ctx *c, const struct run_view *v, const struct item_view *it,
			const char *back)
{
	static const enum launch_action order[] = { LAUNCH_CONFIRM, LAUNCH_FAIL, LAUNCH_SKIP, LAUNCH_REOPEN };

	if (!c->csrf || v->closed_ms)
		return;
	fprintf(out, "<form class=\"act\" method=\"post\" data-action=\"item\" action=\"/runs/%" PRId64 "/items/", v->id);
	board_url_part(out, it->id);
	fputs("/confirm\">", out);
	board_form_hidden(out, c, back);
	fputs("<input type=\"text\" name=\"reason\" maxlength=\"4000\" placeholder=\"reason\" aria-label=\"reason for ", out);
	launch_html_text(out, it->id);
	fputs("\"/>", out);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum launch_action a = order[i];

		if ((a == LAUNCH_CONFIRM && it->status == ITEM_PASS) || (a == LAUNCH_FAIL && it->status == ITEM_FAIL) ||
		    (a == LAUNCH_SKIP && it->status == ITEM_SKIP) || (a == LAUNCH_REOPEN && it->status == ITEM_PENDING))
			continue;
		fprintf(out, "<button type=\"submit\" formaction=\"/runs/%" PRId64 "/items/", v->id);
		board_url_part(out, it->id);
		fprintf(out, "/%s\">%s</button>", launch_action_name(a), launch_action_name(a));
	}
	fputs("</form>", out);
}

static void item_row(FILE *out, const struct board_ctx *c, const struct run_view *v, const struct item_view *it,
		     const char *back, const struct board_alert *a)
{
	const char *note = set(it->note) ? it->note : it->status == ITEM_SKIP ? it->skip_reason : NULL;

	fputs("<tr data-key=\"item-", out);
	launch_html_text(out, it->id);
	fprintf(out, "\" data-status=\"%s\"%s><td data-label=\"status\">", item_status_name(it->status),
		it->overdue ? " class=\"is-late\"" : "");
	board_badge(out, it->status);
	fputs("</td><td data-label=\"id\"><a href=\"", out);
	fprintf(out, "/runs/%" PRId64 "/items/", v->id);
	board_url_part(out, it->id);
	fputs("\"><code>", out);
	launch_html_text(out, it->id);
	fputs("</code></a></td><td data-label=\"title\">", out);
	board_text(out, it->title);
	fputs("</td><td data-label=\"owner\">", out);
	board_text(out, it->owner);
	fputs("</td><td data-label=\"module\">", out);
	board_text(out, it->module);
	fputs("</td><td data-label=\"env\">", out);
	board_text(out, it->env);
	fputs("</td>", out);
	due_cell(out, v, it);
	fputs("<td data-label=\"executor\">", out);
	board_text(out, it->status_seq ? it->executor : NULL);
	fputs("</td><td data-label=\"note\" class=\"note\">", out);
	board_text(out, note);
	if (it->delay_reason) {
		fputs("<br/><em>delay:</em> ", out);
		launch_html_text(out, it->delay_reason);
	}
	fputs("</td><td class=\"act\">", out);
	action_form(out, c, v, it, back);
	board_alert_slot(out, a && a->item_id && !strcmp(a->item_id, it->id) ? a->message : NULL);
	fputs("</td></tr>\n", out);
}

static void items_table(FILE *out, const struct board_ctx *c, const struct launch_sel *s, const char *back,
			const struct board_alert *a)
{
	fputs("<section>\n<h2>Items</h2>\n", out);
	if (!s->n) {
		fputs(s->filtered ? "<p>No item matches the filters.</p>\n" : "<p>The run has no items.</p>\n", out);
	} else {
		fputs("<table class=\"items cards\">\n<thead><tr><th>status</th><th>id</th><th>title</th><th>owner</th>"
		      "<th>module</th><th>env</th><th>due</th><th>executor</th><th>note</th><th>actions</th></tr></thead>\n"
		      "<tbody>\n", out);
		for (size_t i = 0; i < s->n; i++)
			item_row(out, c, s->v, s->items[i], back, a);
		fputs("</tbody>\n</table>\n", out);
	}
	/* a refusal about an item the filters hide is still shown */
	if (a && a->item_id && a->message) {
		bool shown = false;

		for (size_t i = 0; i < s->n && !shown; i++)
			shown = !strcmp(s->items[i]->id, a->item_id);
		if (!shown) {
			fputs("<div class=\"alert\" role=\"alert\">", out);
			launch_html_text(out, a->message);
			fputs("</div>\n", out);
		}
	}
	fputs("</section>\n", out);
}

int board_page_run(FILE *out, const struct board_ctx *c, const struct run_view *v, const struct board_filter *f,
		   const struct board_alert *a, bool fragment)
{
	static const struct board_filter none;
	struct launch_filter lf;
	struct launch_sel s;
	char *back = NULL;
	size_t back_len = 0;
	FILE *bf;
	int ret;

	if (!f)
		f = &none;
	board_filter_to_launch(f, &lf);
	if ((ret = launch_sel_init(&s, v, &lf)) < 0)
		return ret;
	if (!(bf = open_memstream(&back, &back_len))) {
		launch_sel_release(&s);
		return -ENOMEM;
	}
	board_run_url(bf, v->id, f);
	if (fclose(bf)) {
		free(back);
		launch_sel_release(&s);
		return -ENOMEM;
	}

	if (!fragment) {
		char title[64];

		snprintf(title, sizeof(title), "Run %" PRId64, v->id);
		board_head(out, c, title, "page-run");
		run_header(out, v);
		filters(out, v, f);
		fprintf(out, "<div id=\"live\" data-run=\"%" PRId64 "\">\n", v->id);
	}
	counters(out, &s);
	if (v->closed_ms)
		fputs("<p class=\"muted\">The run is closed: nothing more is recorded in it.</p>\n", out);
	items_table(out, c, &s, back, a);
	fputs("<section>\n<h2>Follow-ups</h2>\n", out);
	board_followups_table(out, c, s.followups, s.n_followups, false, back, a);
	fputs("</section>\n", out);
	ret = launch_html_charts(out, &s, true);
	if (!fragment) {
		fputs("</div>\n", out);
		board_tail(out);
	}
	free(back);
	launch_sel_release(&s);
	return ret;
}
