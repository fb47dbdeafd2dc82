/* The human report: results grouped by layer, worst first, one line each,
 * with the remedy under every finding. Colour only when cmd decided the
 * output is a terminal and NO_COLOR is unset. */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static const char *const status_color[STATUS_COUNT] = {
	[STATUS_PASS] = "\033[32m", [STATUS_SKIP] = "\033[2m", [STATUS_WARN] = "\033[33m",
	[STATUS_ERROR] = "\033[35m", [STATUS_FAIL] = "\033[1;31m",
};

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

/* Writes text wrapped at width, each line indented by indent spaces. */
static void wrap(FILE *out, const char *text, int indent, int width)
{
	const char *p = text;
	int col = indent;

	fprintf(out, "%*s", indent, "");
	while (*p) {
		const char *sp = strchr(p, ' ');
		int wl = sp ? (int)(sp - p) : (int)strlen(p);

		if (col > indent && col + 1 + wl > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, (size_t)wl, out);
		col += wl;
		p += wl;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

int report_tty(const struct report *rep, FILE *out)
{
	const char *bold = rep->color ? "\033[1m" : "", *reset = rep->color ? "\033[0m" : "";
	struct order *ord = calloc(rep->n_results ? rep->n_results : 1, sizeof(*ord));
	size_t counts[STATUS_COUNT];
	char when[64];
	struct tm tm;

	if (!ord)
		return -1;
	gmtime_r(&rep->started_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(out, "%spreflight %s%s  host %s  %s\n", bold, rep->preflight_version, reset,
		rep->hostname ? rep->hostname : "?", when);
	if (rep->pid) {
		fprintf(out, "target: pid %d %s (%s)\n", (int)rep->pid, rep->comm ? rep->comm : "",
			rep->exe && rep->exe[0] ? rep->exe : "exe unreadable");
		fprintf(out, "listeners:");
		for (size_t i = 0; i < rep->n_listeners; i++)
			fprintf(out, "%s %s", i ? "," : "", rep->listeners[i]);
		fprintf(out, "%s\n", rep->n_listeners ? "" : " none");
	} else {
		fprintf(out, "target: host only (give --pid or --process to check a service)\n");
	}
	fprintf(out, "checklist: %s%s%s%s\n", rep->checklist_source ? rep->checklist_source : "built-in",
		rep->checklist_name ? " (" : "", rep->checklist_name ? rep->checklist_name : "",
		rep->checklist_name ? ")" : "");

	for (int layer = 0; layer < LAYER_COUNT; layer++) {
		size_t n = 0;

		for (size_t i = 0; i < rep->n_results; i++)
			if (rep->results[i].def && (int)rep->results[i].def->layer == layer)
				ord[n++] = (struct order){ &rep->results[i], i };
		qsort(ord, n, sizeof(*ord), by_severity);
		fprintf(out, "\n%s", bold);
		for (const char *c = layer_name((enum pf_layer)layer); *c; c++)
			fputc(*c - 32 * (*c >= 'a' && *c <= 'z'), out);
		fprintf(out, "%s\n", reset);
		if (!n)
			fprintf(out, "  (no checks in this layer)\n");
		for (size_t i = 0; i < n; i++) {
			const struct check_result *r = ord[i].r;
			char tag[8];

			snprintf(tag, sizeof(tag), "%s", status_name(r->status));
			for (char *c = tag; *c; c++)
				*c = (char)(*c - 32 * (*c >= 'a' && *c <= 'z'));
			fprintf(out, "  %s%-5s%s  %-20s %s\n", rep->color ? status_color[r->status] : "", tag, reset,
				r->item_id ? r->item_id : r->def->id, r->summary ? r->summary : "");
			if (r->remedy && r->remedy[0] && r->status != STATUS_PASS && r->status != STATUS_SKIP) {
				char *line = NULL;

				if (asprintf(&line, "fix: %s", r->remedy) >= 0)
					wrap(out, line, 29, 110);
				free(line);
			}
		}
	}
	report_count(rep, counts);
	fprintf(out, "\n%zu fail, %zu warn, %zu error, %zu pass, %zu skip (exit non-zero on %s)\n",
		counts[STATUS_FAIL], counts[STATUS_WARN], counts[STATUS_ERROR], counts[STATUS_PASS],
		counts[STATUS_SKIP], rep->fail_on == STATUS_WARN ? "warn, error or fail" : "fail");
	free(ord);
	return ferror(out) ? -1 : 0;
}
