/* The markdown format of a run: the table the launch runbook asks for
 * (item id | executor | elapsed | result | note | change id), then who
 * owns what and by when, the skip and delay reasons, and the follow-ups.
 * For a wiki page, a ticket or a pull-request comment. Outside text goes
 * through report_md_text / report_md_code (markdown.c): a '|' cannot end
 * a cell, a newline cannot end a row, '<' cannot open HTML, and control
 * characters cannot reach a terminal that shows the file. */
#include "report/launch_common.h"

#include "report/report.h"

static const char *result_cell(const struct item_view *it)
{
	switch (it->status) {
	case ITEM_PASS: return "pass";
	case ITEM_FAIL: return "**FAIL**";
	case ITEM_SKIP: return "skip";
	case ITEM_RUNNING: return "_running_";
	default: return "_pending_";
	}
}

/* Outside text, or a dash for none (an empty cell reads as a mistake). */
static void text_or_dash(FILE *out, const char *s)
{
	if (s && *s)
		report_md_text(out, s);
	else
		fputs("-", out);
}

static void code_or_dash(FILE *out, const char *s)
{
	if (s && *s)
		report_md_code(out, s);
	else
		fputs("-", out);
}

static void header(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o)
{
	const struct run_view *v = s->v;
	char when[40];
	bool first = true;

	fprintf(out, "# Launch report: run %lld", (long long)v->id);
	if (v->name) {
		fputs(", ", out);
		report_md_text(out, v->name);
	}
	fputs("\n\n- **Environment:** ", out);
	text_or_dash(out, v->env);
	fputs("\n- **Run owner:** ", out);
	text_or_dash(out, v->owner);
	launch_time_human(v->opened_ms, when, sizeof(when));
	fprintf(out, "\n- **Opened:** %s", *when ? when : "-");
	if (v->opened_by) {
		fputs(" by ", out);
		report_md_text(out, v->opened_by);
	}
	if (v->host) {
		fputs(" on ", out);
		report_md_text(out, v->host);
	}
	launch_time_human(v->closed_ms, when, sizeof(when));
	fprintf(out, "\n- **Closed:** %s", v->closed_ms ? when : "not yet");
	if (v->source) {
		fputs("\n- **Checklist:** ", out);
		report_md_code(out, v->source);
	}
	if (v->parent_ticket) {
		fputs("\n- **Ticket:** ", out);
		report_md_text(out, v->parent_ticket);
	}
	launch_time_human(v->now_ms, when, sizeof(when));
	fprintf(out, "\n- **As of:** %s\n- **preflight:** ", when);
	report_md_text(out, o->preflight_version);
	fprintf(out, "\n\n**Summary:** %zu item%s%s: ", s->n, s->n == 1 ? "" : "s",
		s->filtered ? " (filtered)" : "");
	for (int i = 0; i < ITEM_STATUS_COUNT; i++) {
		enum item_status st = launch_status_order[i];

		fprintf(out, "%s%u %s", first ? "" : " · ", s->count[st], item_status_name(st));
		first = false;
	}
	fprintf(out, " · %u overdue", s->n_overdue);
	if (s->n_followups)
		fprintf(out, " · %u of %zu follow-up%s open", s->followups_open, s->n_followups,
			s->n_followups == 1 ? "" : "s");
	fputc('\n', out);
}

static void results(FILE *out, const struct launch_sel *s)
{
	char d[32];

	fputs("\n## Results\n\n", out);
	if (!s->n) {
		fputs(s->filtered ? "_No item matches._\n" : "_The run has no items._\n", out);
		return;
	}
	fputs("| item id | executor | elapsed | result | note | change id |\n|---|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < s->n; i++) {
		const struct item_view *it = s->items[i];

		fputs("| ", out);
		report_md_code(out, it->id ? it->id : "?");
		fputs(" | ", out);
		text_or_dash(out, it->status_seq ? it->executor : NULL);
		if (it->duration_ms >= 0) {
			launch_duration(it->duration_ms, d, sizeof(d));
			fprintf(out, " | %s | ", d);
		} else {
			fputs(" | - | ", out);
		}
		fputs(result_cell(it), out);
		if (it->overdue)
			fputs(" (overdue)", out);
		fputs(" | ", out);
		text_or_dash(out, it->note && *it->note ? it->note : it->status == ITEM_SKIP ? it->skip_reason : NULL);
		fputs(" | ", out);
		text_or_dash(out, launch_item_change(it));
		fputs(" |\n", out);
	}
}

static void owners(FILE *out, const struct launch_sel *s)
{
	char due[40], d[32];

	if (!s->n)
		return;
	fputs("\n## Owners and due times\n\n| item id | title | owner | module | env | severity | due | state |\n"
	      "|---|---|---|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < s->n; i++) {
		const struct item_view *it = s->items[i];
		int64_t ttc = launch_item_close_ms(s->v, it);

		fputs("| ", out);
		report_md_code(out, it->id ? it->id : "?");
		fputs(" | ", out);
		text_or_dash(out, it->title);
		fputs(" | ", out);
		text_or_dash(out, it->owner);
		fputs(" | ", out);
		text_or_dash(out, it->module);
		fputs(" | ", out);
		text_or_dash(out, it->env);
		fputs(" | ", out);
		text_or_dash(out, it->severity);
		launch_time_human(it->due_ms, due, sizeof(due));
		fprintf(out, " | %s | ", *due ? due : "-");
		if (it->overdue) {
			launch_duration(launch_item_late_ms(s->v, it), d, sizeof(d));
			fprintf(out, "**overdue %s**", d);
		} else if (ttc >= 0) {
			launch_duration(ttc, d, sizeof(d));
			fprintf(out, "closed after %s", d);
		} else {
			fputs("open", out);
		}
		fputs(" |\n", out);
	}
}

/* A list of the items that carry a reason of one kind. */
static void reasons(FILE *out, const struct launch_sel *s, const char *title, bool skip)
{
	bool any = false;

	for (size_t i = 0; i < s->n; i++) {
		const struct item_view *it = s->items[i];
		const char *why = skip ? (it->status == ITEM_SKIP ? it->skip_reason : NULL) : it->delay_reason;

		if (!why || !*why)
			continue;
		if (!any)
			fprintf(out, "\n## %s\n\n", title);
		any = true;
		fputs("- ", out);
		report_md_code(out, it->id ? it->id : "?");
		if (skip && it->executor) {
			fputs(" (by ", out);
			report_md_text(out, it->executor);
			fputc(')', out);
		}
		fputs(": ", out);
		report_md_text(out, why);
		fputc('\n', out);
	}
}

static void followups(FILE *out, const struct launch_sel *s)
{
	char due[40], closed[40];

	fputs("\n## Follow-ups\n\n", out);
	if (!s->n_followups) {
		fputs("_None._\n", out);
		return;
	}
	fputs("| # | item id | owner | RCA due | status | ticket | summary | RCA |\n"
	      "|---|---|---|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < s->n_followups; i++) {
		const struct followup_view *f = s->followups[i];

		fprintf(out, "| %lld | ", (long long)f->id);
		code_or_dash(out, f->item_id);
		fputs(" | ", out);
		text_or_dash(out, f->owner);
		launch_time_human(f->rca_due_ms, due, sizeof(due));
		fprintf(out, " | %s | ", *due ? due : "-");
		if (f->closed) {
			launch_time_human(f->closed_ms, closed, sizeof(closed));
			fprintf(out, "closed %s", closed);
			if (f->closed_by) {
				fputs(" by ", out);
				report_md_text(out, f->closed_by);
			}
		} else {
			fputs(f->overdue ? "**open, overdue**" : "open", out);
		}
		fputs(" | ", out);
		text_or_dash(out, f->ticket);
		fputs(" | ", out);
		text_or_dash(out, f->summary);
		fputs(" | ", out);
		text_or_dash(out, f->rca);
		fputs(" |\n", out);
	}
}

int launch_markdown(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o)
{
	header(out, s, o);
	results(out, s);
	owners(out, s);
	reasons(out, s, "Skipped items", true);
	reasons(out, s, "Delay reasons", false);
	followups(out, s);
	return 0;
}
