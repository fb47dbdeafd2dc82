/* The human report: results grouped by layer, worst first, one line each,
 * with the remedy under every finding.
 *
 * Colour only when report->color says so (cmd decided it from the
 * terminal, NO_COLOR and --color). Every string that came from outside
 * (host name, process name and path, checklist path, name and ids,
 * summaries and remedies, which quote what a target or a file handed us)
 * is escaped by report/escape.h, so no escape sequence reaches the
 * terminal. Summaries and remedies wrap at report->width (0: whole lines,
 * for pipes and files). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/escape.h"
#include "report/report.h"
#include "report/term.h"

static const char *const status_color[STATUS_COUNT] = {
	[STATUS_PASS] = "\033[32m", [STATUS_SKIP] = "\033[2m", [STATUS_WARN] = "\033[33m",
	[STATUS_ERROR] = "\033[35m", [STATUS_FAIL] = "\033[1;31m",
};

/* Where the summary starts: "  FAIL   " (9) + the id column (20) + 1. */
#define ID_COLUMN 9
#define ID_WIDTH 20
#define TEXT_COLUMN (ID_COLUMN + ID_WIDTH + 1)

struct order {
	const struct check_result *r;
	size_t index;
};

static int by_severity(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	if (x->r->status != y->r->status)
		return (int)y->r->status - (int)x->r->status;
	return x->index < y->index ? -1 : 1;
}

static void upper(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 32 : *s, out);
}

static int header(const struct report *rep, FILE *out, const char *bold, const char *reset)
{
	char when[64];
	struct tm tm;

	if (!gmtime_r(&rep->started_at, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "?");
	fprintf(out, "%spreflight %s%s  host ", bold, rep->preflight_version, reset);
	term_puts(out, rep->hostname ? rep->hostname : "?");
	fprintf(out, "  %s\n", when);
	if (rep->pid) {
		fprintf(out, "target: pid %d ", (int)rep->pid);
		term_puts(out, rep->comm ? rep->comm : "");
		fputs(" (", out);
		if (rep->exe && rep->exe[0])
			term_puts(out, rep->exe);
		else
			fputs("exe unreadable", out);
		fputs(")\nlisteners:", out);
		/* Formatted by preflight from binary addresses: nothing to escape. */
		for (size_t i = 0; i < rep->n_listeners; i++)
			fprintf(out, "%s %s", i ? "," : "", rep->listeners[i]);
		if (rep->listeners_unknown) {
			fputs(" unknown (", out);
			term_puts(out, rep->listeners_unknown);
			fputs(")\n", out);
		} else {
			fprintf(out, "%s\n", rep->n_listeners ? "" : " none");
		}
		if (rep->netns && rep->netns_other) {
			fputs("netns: ", out);
			term_puts(out, rep->netns);
			fputc('\n', out);
		}
	} else {
		fputs("target: host only (give --pid or --process to check a service)\n", out);
	}
	fputs("checklist: ", out);
	term_puts(out, rep->checklist_source ? rep->checklist_source : "built-in");
	if (rep->checklist_name) {
		fputs(" (", out);
		term_puts(out, rep->checklist_name);
		fputc(')', out);
	}
	fputc('\n', out);
	return 0;
}

static int result_line(const struct report *rep, const struct check_result *r, FILE *out, const char *reset)
{
	char *id = term_escape_dup(report_item_id(r));
	char *summary = term_escape_dup(r->summary ? r->summary : "");
	char *remedy = NULL;
	size_t id_cols;
	int ret = 0;

	if (!id || !summary) {
		ret = -ENOMEM;
		goto out;
	}
	fprintf(out, "  %s", rep->color ? status_color[r->status] : "");
	upper(out, status_name(r->status));
	fprintf(out, "%s%*s", rep->color ? reset : "", (int)(ID_COLUMN - 2 - strlen(status_name(r->status))), "");
	fprintf(out, "%-*s ", ID_WIDTH, id);
	/* A long id pushes the summary right; its continuation lines still
	 * start under the summary column of the others. */
	id_cols = strlen(id) > ID_WIDTH ? strlen(id) : ID_WIDTH;
	term_wrap(out, summary, rep->width, (unsigned)(ID_COLUMN + id_cols + 1), TEXT_COLUMN);
	fputc('\n', out);
	if (r->remedy && r->remedy[0] && r->status != STATUS_PASS && r->status != STATUS_SKIP) {
		remedy = term_escape_dup(r->remedy);
		if (!remedy) {
			ret = -ENOMEM;
			goto out;
		}
		fprintf(out, "%*sfix: ", TEXT_COLUMN, "");
		term_wrap(out, remedy, rep->width, TEXT_COLUMN + 5, TEXT_COLUMN + 5);
		fputc('\n', out);
	}
out:
	free(id);
	free(summary);
	free(remedy);
	return ret;
}

int report_tty(const struct report *rep, FILE *out)
{
	const char *bold = rep->color ? "\033[1m" : "", *reset = rep->color ? "\033[0m" : "";
	struct order *ord = calloc(rep->n_results ? rep->n_results : 1, sizeof(*ord));
	size_t counts[STATUS_COUNT];
	int ret;

	if (!ord)
		return -ENOMEM;
	ret = header(rep, out, bold, reset);
	for (int layer = 0; ret == 0 && layer < LAYER_COUNT; layer++) {
		size_t n = 0;

		for (size_t i = 0; i < rep->n_results; i++)
			if (rep->results[i].def && (int)rep->results[i].def->layer == layer)
				ord[n++] = (struct order){ &rep->results[i], i };
		qsort(ord, n, sizeof(*ord), by_severity);
		fprintf(out, "\n%s", bold);
		upper(out, layer_name((enum pf_layer)layer));
		fprintf(out, "%s\n", reset);
		if (!n)
			fputs("  (no checks in this layer)\n", out);
		for (size_t i = 0; ret == 0 && i < n; i++)
			ret = result_line(rep, ord[i].r, out, reset);
	}
	free(ord);
	if (ret < 0)
		return ret;
	report_count(rep, counts);
	{
		char footer[256];
		int n = snprintf(footer, sizeof(footer), "%zu fail, %zu warn, %zu error, %zu pass, %zu skip (exit non-zero on %s)",
				 counts[STATUS_FAIL], counts[STATUS_WARN], counts[STATUS_ERROR], counts[STATUS_PASS],
				 counts[STATUS_SKIP], rep->fail_on == STATUS_WARN ? "warn, error or fail" : "error or fail");

		if (rep->duration_s > 0 && n > 0 && (size_t)n < sizeof(footer))
			snprintf(footer + n, sizeof(footer) - (size_t)n, " in %.1f s", rep->duration_s);
		fputc('\n', out);
		term_wrap(out, footer, rep->width, 0, 0);
		fputc('\n', out);
	}
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}
