/* The board's other pages: an item's history (the audit trail), the
 * follow-ups, the login form and the error pages. */
#include "serve/board.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "launch/actions.h"
#include "report/json_out.h"
#include "report/launch_common.h"
#include "report/launch_svg.h"

static bool set(const char *s)
{
	return s && *s;
}

/* ---- follow-ups ------------------------------------------------------------ */

static void close_form(FILE *out, const struct board_ctx *c, const struct followup_view *f, const char *back)
{
	if (!c->csrf || f->closed)
		return;
	fprintf(out, "<form class=\"act\" method=\"post\" data-action=\"followup\" action=\"/followups/%" PRId64 "/close\">",
		f->id);
	board_form_hidden(out, c, back);
	fprintf(out, "<input type=\"text\" name=\"rca\" maxlength=\"4000\" placeholder=\"root cause (RCA)\" "
		     "aria-label=\"RCA of follow-up %" PRId64 "\"/><button type=\"submit\">close</button></form>",
		f->id);
}

void board_followups_table(FILE *out, const struct board_ctx *c, const struct followup_view *const *fu, size_t n,
			   bool with_run, const char *back, const struct board_alert *a)
{
	if (!n) {
		fputs("<p>No follow-up.</p>\n", out);
		return;
	}
	fprintf(out, "<table class=\"followups cards\">\n<thead><tr><th>#</th>%s<th>item</th><th>state</th><th>owner</th>"
		     "<th>RCA due</th><th>Jira</th><th>summary</th><th>RCA</th></tr></thead>\n<tbody>\n",
		with_run ? "<th>run</th>" : "");
	for (size_t i = 0; i < n; i++) {
		const struct followup_view *f = fu[i];

		fprintf(out, "<tr data-key=\"followup-%" PRId64 "\"%s><td data-label=\"#\">%" PRId64 "</td>", f->id,
			f->overdue ? " class=\"is-late\"" : "", f->id);
		if (with_run)
			fprintf(out, "<td data-label=\"run\"><a href=\"/runs/%" PRId64 "\">#%" PRId64 "</a></td>", f->run_id,
				f->run_id);
		fprintf(out, "<td data-label=\"item\"><a href=\"/runs/%" PRId64 "/items/", f->run_id);
		board_url_part(out, f->item_id);
		fputs("\"><code>", out);
		board_text(out, f->item_id);
		fputs("</code></a></td><td data-label=\"state\">", out);
		if (f->closed) {
			fputs("closed ", out);
			board_time(out, f->closed_ms);
			if (f->closed_by) {
				fputs(" by ", out);
				launch_html_text(out, f->closed_by);
			}
		} else {
			fputs(f->overdue ? "<span class=\"overdue\">open, RCA overdue</span>" : "<b>open</b>", out);
		}
		fputs("</td><td data-label=\"owner\">", out);
		board_text(out, f->owner);
		fputs("</td><td data-label=\"RCA due\">", out);
		board_time(out, f->rca_due_ms);
		fputs("</td><td data-label=\"Jira\">", out);
		board_text(out, f->ticket);
		fputs("</td><td data-label=\"summary\" class=\"note\">", out);
		board_text(out, f->summary);
		fputs("</td><td data-label=\"RCA\" class=\"note act\">", out);
		if (f->closed)
			board_text(out, f->rca);
		close_form(out, c, f, back);
		board_alert_slot(out, a && a->followup_id == f->id ? a->message : NULL);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n", out);
}

static int followup_order(const void *x, const void *y)
{
	const struct followup_view *a = *(const struct followup_view *const *)x;
	const struct followup_view *b = *(const struct followup_view *const *)y;

	if (a->closed != b->closed)
		return a->closed ? 1 : -1;
	return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

int board_page_followups(FILE *out, const struct board_ctx *c, const struct run_view *views, size_t n,
			 int64_t run_id, const struct board_alert *a, bool fragment)
{
	const struct followup_view **fu;
	size_t total = 0, k = 0;
	char back[64];

	for (size_t i = 0; i < n; i++)
		total += views[i].n_followups;
	if (!(fu = calloc(total ? total : 1, sizeof(*fu))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (run_id <= 0 || views[i].id == run_id)
			for (size_t j = 0; j < views[i].n_followups; j++)
				fu[k++] = &views[i].followups[j];
	qsort(fu, k, sizeof(*fu), followup_order);
	if (run_id > 0)
		snprintf(back, sizeof(back), "/followups?run=%" PRId64, run_id);
	else
		snprintf(back, sizeof(back), "/followups");

	if (!fragment) {
		board_head(out, c, "Follow-ups", "page-followups");
		if (run_id > 0)
			fprintf(out, "<h1>Follow-ups of <a href=\"/runs/%" PRId64 "\">run %" PRId64 "</a></h1>\n", run_id,
				run_id);
		else
			fputs("<h1>Follow-ups</h1>\n", out);
		fprintf(out, "<div id=\"live\" data-run=\"%" PRId64 "\">\n", run_id > 0 ? run_id : 0);
	}
	board_followups_table(out, c, fu, k, true, back, a);
	if (!fragment) {
		fputs("</div>\n", out);
		board_tail(out);
	}
	free(fu);
	return 0;
}

/* ---- GET /runs/{run}/items/{item} ---------------------------------------------- */

static int pre_json(FILE *out, const char *summary, const json_t *j)
{
	char *s;

	if (!j)
		return 0;
	if (!(s = json_out_dumps(j)))
		return -ENOMEM;
	fprintf(out, "<details><summary>%s</summary><pre>", summary);
	launch_html_text(out, s);
	fputs("</pre></details>\n", out);
	free(s);
	return 0;
}

static void history(FILE *out, const struct event *ev, size_t n)
{
	fputs("<section>\n<h2>History</h2>\n", out);
	if (!n) {
		fputs("<p>No event yet.</p>\n</section>\n", out);
		return;
	}
	fputs("<table class=\"history cards\">\n<thead><tr><th>seq</th><th>when</th><th>event</th><th>status</th>"
	      "<th>who</th><th>via</th><th>host</th><th>reason</th><th>change</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < n; i++) {
		const json_t *via = ev[i].data ? json_object_get(ev[i].data, "via") : NULL;

		fprintf(out, "<tr data-seq=\"%" PRId64 "\"><td data-label=\"seq\">%" PRId64 "</td><td data-label=\"when\">",
			ev[i].seq, ev[i].seq);
		board_time(out, ev[i].at_ms);
		fputs("</td><td data-label=\"event\"><code>", out);
		board_text(out, ev[i].kind);
		fputs("</code></td><td data-label=\"status\">", out);
		if (ev[i].status >= 0 && ev[i].status < ITEM_STATUS_COUNT)
			board_badge(out, (enum item_status)ev[i].status);
		else
			fputs("-", out);
		fputs("</td><td data-label=\"who\">", out);
		board_text(out, ev[i].actor);
		fputs("</td><td data-label=\"via\">", out);
		board_text(out, json_is_string(via) ? json_string_value(via) : NULL);
		fputs("</td><td data-label=\"host\">", out);
		board_text(out, ev[i].host);
		fputs("</td><td data-label=\"reason\" class=\"note\">", out);
		board_text(out, ev[i].reason);
		fputs("</td><td data-label=\"change\">", out);
		board_text(out, ev[i].change_id);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

static void item_actions(FILE *out, const struct board_ctx *c, const struct run_view *v, const struct item_view *it,
			 const char *back, const struct board_alert *a)
{
	static const enum launch_action order[] = { LAUNCH_CONFIRM, LAUNCH_FAIL, LAUNCH_SKIP, LAUNCH_REOPEN };

	fputs("<div data-key=\"item-", out);
	launch_html_text(out, it->id);
	fputs("\">", out);
	if (c->csrf && !v->closed_ms) {
		fprintf(out, "<form class=\"act\" method=\"post\" data-action=\"item\" action=\"/runs/%" PRId64 "/items/",
			v->id);
		board_url_part(out, it->id);
		fputs("/confirm\">", out);
		board_form_hidden(out, c, back);
		fputs("<input type=\"text\" name=\"reason\" maxlength=\"4000\" placeholder=\"reason\" aria-label=\"reason\"/>",
		      out);
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			enum launch_action act = order[i];

			if ((act == LAUNCH_CONFIRM && it->status == ITEM_PASS) ||
			    (act == LAUNCH_FAIL && it->status == ITEM_FAIL) ||
			    (act == LAUNCH_SKIP && it->status == ITEM_SKIP) ||
			    (act == LAUNCH_REOPEN && it->status == ITEM_PENDING))
				continue;
			fprintf(out, "<button type=\"submit\" formaction=\"/runs/%" PRId64 "/items/", v->id);
			board_url_part(out, it->id);
			fprintf(out, "/%s\">%s</button>", launch_action_name(act), launch_action_name(act));
		}
		fputs("</form>", out);
	}
	board_alert_slot(out, a && a->item_id && !strcmp(a->item_id, it->id) ? a->message : NULL);
	fputs("</div>\n", out);
}

/* The item's definition, above the part live updates swap. */
static int item_definition(FILE *out, const struct board_ctx *c, const struct run_view *v, const struct item_view *it)
{
	char title[160];

	snprintf(title, sizeof(title), "Run %" PRId64 " item %s", v->id, it->id);
	board_head(out, c, title, "page-item");
	fprintf(out, "<p><a href=\"/runs/%" PRId64 "\">\xe2\x86\x90 run %" PRId64 " ", v->id, v->id);
	board_text(out, v->name);
	fputs("</a></p>\n<h1><code>", out);
	launch_html_text(out, it->id);
	fputs("</code> ", out);
	board_text(out, it->title);
	fputs("</h1>\n<dl class=\"meta\">", out);
	board_meta(out, "owner", it->owner);
	board_meta(out, "module", it->module);
	board_meta(out, "env", it->env);
	board_meta(out, "severity", it->severity);
	board_meta(out, "verify", it->verify_kind);
	board_meta(out, "planned change", it->planned_change);
	fputs("<div><dt>due</dt><dd>", out);
	board_time(out, it->due_ms);
	fputs("</dd></div></dl>\n", out);
	return pre_json(out, "definition", it->definition);
}

/* Its status, actions and history: what live updates swap. */
static int item_state(FILE *out, const struct board_ctx *c, const struct run_view *v, const struct item_view *it,
		      const struct event *events, size_t n_events, const struct board_alert *a, const char *back)
{
	char span[48];
	int ret;

	fputs("<section>\n<h2>Status</h2>\n<p>", out);
	board_badge(out, it->status);
	if (it->status_seq) {
		fputs(" by ", out);
		board_text(out, it->executor);
		fputs(" at ", out);
		board_time(out, it->status_ms);
	}
	if (it->overdue) {
		board_span(launch_item_late_ms(v, it), span, sizeof(span));
		fprintf(out, " <span class=\"overdue\">overdue by %s</span>", span);
	}
	fputs("</p>\n<dl class=\"meta\">", out);
	board_meta(out, "note", it->note);
	if (it->skip_reason && (!it->note || strcmp(it->note, it->skip_reason)))
		board_meta(out, "skip reason", it->skip_reason);
	if (it->delay_reason)
		board_meta(out, "delay reason", it->delay_reason);
	board_meta(out, "change", launch_item_change(it));
	fputs("</dl>\n", out);
	if ((ret = pre_json(out, "evidence", it->evidence)) < 0)
		return ret;
	if (v->closed_ms)
		fputs("<p class=\"muted\">The run is closed: nothing more is recorded in it.</p>\n", out);
	item_actions(out, c, v, it, back, a);
	fputs("</section>\n", out);
	history(out, events, n_events);
	return 0;
}

int board_page_item(FILE *out, const struct board_ctx *c, const struct run_view *v, const struct item_view *it,
		    const struct event *events, size_t n_events, const struct board_alert *a, bool fragment)
{
	char *back = NULL;
	size_t back_len = 0;
	FILE *bf;
	int ret = 0;

	if (!(bf = open_memstream(&back, &back_len)))
		return -ENOMEM;
	fprintf(bf, "/runs/%" PRId64 "/items/", v->id);
	board_url_part(bf, it->id);
	if (fclose(bf)) {
		free(back);
		return -ENOMEM;
	}
	if (!fragment) {
		if ((ret = item_definition(out, c, v, it)) < 0)
			goto out;
		fprintf(out, "<div id=\"live\" data-run=\"%" PRId64 "\">\n", v->id);
	}
	if ((ret = item_state(out, c, v, it, events, n_events, a, back)) < 0)
		goto out;
	if (!fragment) {
		fputs("</div>\n", out);
		board_tail(out);
	}
out:
	free(back);
	return ret;
}

/* ---- GET /login, errors ---------------------------------------------------- */

int board_page_login(FILE *out, const char *next, const char *error)
{
	board_head(out, NULL, "Log in", "page-login");
	fputs("<form class=\"login\" method=\"post\" action=\"/login\">\n<h1>Log in</h1>\n", out);
	if (error && !strcmp(error, "token"))
		fputs("<div class=\"alert\" role=\"alert\">wrong token: it is not one of this server's tokens</div>\n", out);
	else if (error && !strcmp(error, "locked"))
		fputs("<div class=\"alert\" role=\"alert\">too many wrong tokens from this address: try again in a "
		      "minute</div>\n", out);
	fputs("<p>Give your preflight token (a line of the server's tokens file). The board keeps you signed in "
	      "with a session cookie; your actions are recorded under the token's name.</p>\n"
	      "<label for=\"token\">Token</label><input id=\"token\" type=\"password\" name=\"token\" "
	      "autocomplete=\"current-password\" required=\"required\" autofocus=\"autofocus\"/>\n"
	      "<input type=\"hidden\" name=\"next\" value=\"", out);
	launch_html_text(out, board_local_path(next) ? next : "/");
	fputs("\"/>\n<button type=\"submit\" class=\"primary\">Log in</button>\n</form>\n", out);
	board_tail(out);
	return 0;
}

int board_page_error(FILE *out, const struct board_ctx *c, unsigned status, const char *message)
{
	const char *what = status == 404   ? "Not found"
			   : status == 400 ? "Bad request"
			   : status == 401 ? "Not signed in"
			   : status == 403 ? "Forbidden"
			   : status == 405 ? "Method not allowed"
			   : status == 409 ? "Refused"
			   : status == 503 ? "Unavailable"
			   : status >= 500 ? "Server error"
					   : "Error";
	char title[48];

	snprintf(title, sizeof(title), "%u %s", status, what);
	board_head(out, c, title, "page-error");
	fprintf(out, "<h1>%s</h1>\n<div class=\"alert\" role=\"alert\">", title);
	board_text(out, set(message) ? message : what);
	fputs("</div>\n<p><a href=\"/\">All runs</a></p>\n", out);
	board_tail(out);
	return 0;
}
