/* Markdown (GitHub/GitLab flavoured) for a pull-request comment or a wiki
 * page: the target, the counts, then one table per layer, worst first, and
 * the remedies of what did not pass below each table. */
#include "report/report.h"

#include "base/utf8.h"

#include <errno.h>
#include <string.h>

/* C0 controls, DEL and the C1 controls (U+0080..U+009F): nothing a
 * Markdown page means, and bytes a terminal obeys when the file is shown
 * with cat or in a CI log. */
static bool is_control(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Writes outside text so that it renders as itself: Markdown punctuation
 * is backslash-escaped (a '|' would otherwise end a table cell, a '<' open
 * HTML), a newline becomes <br> so a cell or list item stays on one line,
 * and other control characters and bytes that are not UTF-8 become
 * U+FFFD. */
static const char *md_escape(unsigned cp, char scratch[8], void *arg)
{
	if (cp == '\n')
		return "<br>";
	if (cp == '\r')
		return "";
	if (cp == '\t')
		return " ";
	if (is_control(cp))
		return UTF8_REPLACEMENT;
	if (cp < 0x80 && strchr("\\`*_[]<>&|~", (int)cp)) {
		scratch[0] = '\\';
		scratch[1] = (char)cp;
		scratch[2] = '\0';
		return scratch;
	}
	return NULL;
}

void report_md_text(FILE *out, const char *s)
{
	utf8_write_escaped(out, s, md_escape, NULL);
}

/* Inside a code span: only the '|' a table would split on, and what
 * md_escape replaces (a newline too: a span cannot hold one). */
static const char *code_escape(unsigned cp, char scratch[8], void *arg)
{
	if (cp == '|')
		return "\\|";
	if (cp == '\t' || cp == '\n' || cp == '\r')
		return " ";
	return is_control(cp) ? UTF8_REPLACEMENT : NULL;
}

/* An id as a code span. Backslashes do not escape inside code spans, so a
 * backtick in the id is handled by a longer fence; a '|' still needs its
 * backslash inside a table (GFM splits cells before it parses spans). */
void report_md_code(FILE *out, const char *s)
{
	size_t run = 0, longest = 0, fence;

	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	fence = longest + 1;
	for (size_t i = 0; i < fence; i++)
		fputc('`', out);
	if (longest)
		fputc(' ', out);
	utf8_write_escaped(out, s, code_escape, NULL);
	if (longest)
		fputc(' ', out);
	for (size_t i = 0; i < fence; i++)
		fputc('`', out);
}

static const char *status_cell(enum pf_status s)
{
	switch (s) {
	case STATUS_FAIL: return "**FAIL**";
	case STATUS_ERROR: return "**ERROR**";
	case STATUS_WARN: return "**warn**";
	case STATUS_SKIP: return "skip";
	case STATUS_PASS: return "pass";
	default: return "?";
	}
}

static void header(const struct report *r, FILE *out)
{
	static const enum pf_status order[] = { STATUS_FAIL, STATUS_ERROR, STATUS_WARN, STATUS_SKIP,
						STATUS_PASS };
	size_t counts[STATUS_COUNT];
	char started[32];

	report_count(r, counts);
	fputs("# preflight report\n\n", out);
	if (r->pid) {
		fprintf(out, "- **Target:** pid %ld, ", (long)r->pid);
		report_md_text(out, r->exe ? r->exe : "(unknown executable)");
		if (r->comm) {
			fputs(" (", out);
			report_md_text(out, r->comm);
			fputc(')', out);
		}
		if (r->n_listeners) {
			fputs(", listening on ", out);
			for (size_t i = 0; i < r->n_listeners; i++) {
				if (i)
					fputs(", ", out);
				report_md_text(out, r->listeners[i]);
			}
		}
		fputc('\n', out);
		if (r->netns && r->netns_other) {
			fputs("- **Network namespace:** ", out);
			report_md_text(out, r->netns);
			fputc('\n', out);
		}
	} else {
		fputs("- **Target:** the host only (no process given)\n", out);
	}
	if (r->hostname) {
		fputs("- **Host:** ", out);
		report_md_text(out, r->hostname);
		fputc('\n', out);
	}
	fputs("- **Checklist:** ", out);
	report_md_text(out, r->checklist_source ? r->checklist_source : "built-in");
	if (r->checklist_name) {
		fputs(" (", out);
		report_md_text(out, r->checklist_name);
		fputc(')', out);
	}
	fputc('\n', out);
	if (report_time_utc(r->started_at, started, sizeof(started)) == 0)
		fprintf(out, "- **Started:** %s\n", started);
	if (r->duration_s > 0)
		fprintf(out, "- **Duration:** %.1f s\n", r->duration_s);
	fputs("- **preflight:** ", out);
	report_md_text(out, r->preflight_version);
	fputs("\n\n**Summary:** ", out);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		fprintf(out, "%s%zu %s", i ? " · " : "", counts[order[i]], status_name(order[i]));
	fputs("\n", out);
}

static bool in_layer(const struct check_result *c, enum pf_layer l)
{
	return c->def && c->def->layer == l;
}

/* One pass per status, worst first, keeps the report's order within a
 * status; the lists are short. */
static void layer_section(const struct report *r, enum pf_layer l, FILE *out)
{
	size_t n = 0, remedies = 0;

	fprintf(out, "\n## %s\n\n", layer_name(l));
	for (size_t i = 0; i < r->n_results; i++)
		if (in_layer(&r->results[i], l))
			n++;
	if (n == 0) {
		fputs("_No checks in this layer._\n", out);
		return;
	}
	fputs("| status | id | summary |\n|---|---|---|\n", out);
	for (int s = STATUS_COUNT - 1; s >= 0; s--)
		for (size_t i = 0; i < r->n_results; i++) {
			const struct check_result *c = &r->results[i];

			if (!in_layer(c, l) || c->status != (enum pf_status)s)
				continue;
			fprintf(out, "| %s | ", status_cell(c->status));
			report_md_code(out, report_item_id(c));
			fputs(" | ", out);
			report_md_text(out, c->summary);
			fputs(" |\n", out);
			if (c->status != STATUS_PASS && c->remedy && *c->remedy)
				remedies++;
		}
	if (remedies == 0)
		return;
	fputs("\n**Remedies**\n\n", out);
	for (int s = STATUS_COUNT - 1; s >= 0; s--)
		for (size_t i = 0; i < r->n_results; i++) {
			const struct check_result *c = &r->results[i];

			if (!in_layer(c, l) || c->status != (enum pf_status)s ||
			    c->status == STATUS_PASS || !c->remedy || !*c->remedy)
				continue;
			fputs("- ", out);
			report_md_code(out, report_item_id(c));
			fprintf(out, " (%s): ", status_name(c->status));
			report_md_text(out, c->remedy);
			fputc('\n', out);
		}
}

int report_markdown(const struct report *r, FILE *out)
{
	header(r, out);
	for (int l = 0; l < LAYER_COUNT; l++)
		layer_section(r, (enum pf_layer)l, out);
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}
