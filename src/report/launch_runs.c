/* The list of runs (`preflight runs`), newest first as the store gives
 * them: tty (a table), json (an array of objects, docs/launch-report.md)
 * and markdown (a table). */
#include "report/launch_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_text.h"
#include "report/escape.h"
#include "report/json_out.h"
#include "report/report.h"

static unsigned open_count(const struct run_summary *r)
{
	return r->count[ITEM_PENDING] + r->count[ITEM_RUNNING];
}

/* The columns of a run's line; the text ones are escaped for the terminal
 * and sized to their widest cell. */
enum { R_ID, R_NAME, R_ENV, R_OWNER, R_OPENED, R_TEXT };

int launch_runs_tty(FILE *out, const struct run_summary *runs, size_t n, const struct launch_render_opts *o)
{
	static const char *const head[R_TEXT] = { "RUN", "NAME", "ENV", "OWNER", "OPENED" };
	const char *bold = o->color ? "\033[1m" : "", *reset = o->color ? "\033[0m" : "";
	char *(*cell)[R_TEXT] = calloc(n ? n : 1, sizeof(*cell));
	int w[R_TEXT], ret = 0;
	char closed[40];

	if (!cell)
		return -ENOMEM;
	if (!n) {
		fputs("no runs\n", out);
		goto out;
	}
	for (int c = 0; c < R_TEXT; c++)
		w[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < n; i++) {
		const struct run_summary *r = &runs[i];
		const char *text[] = { NULL, r->name, r->env, r->owner };
		char b[40];

		snprintf(b, sizeof(b), "%lld", (long long)r->id);
		cell[i][R_ID] = strdup(b);
		for (int c = R_NAME; c <= R_OWNER; c++)
			cell[i][c] = term_escape_dup(text[c] && *text[c] ? text[c] : "-");
		launch_time_human(r->opened_ms, b, sizeof(b));
		cell[i][R_OPENED] = strdup(*b ? b : "-");
		for (int c = 0; c < R_TEXT; c++) {
			if (!cell[i][c]) {
				ret = -ENOMEM;
				goto out;
			}
			/* bytes, not columns: a name in UTF-8 pads short, never cut */
			if ((int)strlen(cell[i][c]) > w[c])
				w[c] = (int)strlen(cell[i][c]);
		}
	}
	fputs(bold, out);
	for (int c = 0; c < R_TEXT; c++)
		fprintf(out, "%-*s  ", w[c], head[c]);
	fprintf(out, "%5s  %4s  %4s  %4s  %7s  %7s  %s%s\n", "ITEMS", "PASS", "FAIL", "SKIP", "PENDING", "OVERDUE",
		"CLOSED", reset);
	for (size_t i = 0; i < n; i++) {
		const struct run_summary *r = &runs[i];

		for (int c = 0; c < R_TEXT; c++)
			fprintf(out, "%-*s  ", w[c], cell[i][c]);
		launch_time_human(r->closed_ms, closed, sizeof(closed));
		fprintf(out, "%5u  %4u  %4u  %4u  %7u  %s%7u%s  %s\n", r->n_items, r->count[ITEM_PASS],
			r->count[ITEM_FAIL], r->count[ITEM_SKIP], open_count(r),
			o->color && r->n_overdue ? "\033[31m" : "", r->n_overdue, o->color && r->n_overdue ? reset : "",
			r->closed_ms ? closed : "open");
	}
out:
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < R_TEXT; c++)
			free(cell[i][c]);
	free(cell);
	return ret;
}

static bool put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

json_t *launch_run_summary_json(const struct run_summary *r)
{
	json_t *o = json_object(), *c = json_object();
	bool ok = o && c;

	for (int st = 0; ok && st < ITEM_STATUS_COUNT; st++)
		ok = put(c, item_status_name((enum item_status)st), json_integer(r->count[st]));
	ok = ok && put(o, "id", json_integer((json_int_t)r->id)) && put(o, "name", json_text(r->name)) &&
	     put(o, "env", json_text(r->env)) && put(o, "owner", json_text(r->owner)) &&
	     put(o, "opened_by", json_text(r->opened_by)) && put(o, "opened_at", launch_time_json(r->opened_ms)) &&
	     put(o, "closed_at", launch_time_json(r->closed_ms)) && put(o, "items", json_integer(r->n_items)) &&
	     put(o, "counts", json_incref(c)) && put(o, "overdue", json_integer(r->n_overdue));
	json_decref(c);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int launch_runs_json(FILE *out, const struct run_summary *runs, size_t n, const struct launch_render_opts *o)
{
	json_t *doc = json_object(), *arr = json_array();
	bool ok = doc && arr;
	int ret;

	for (size_t i = 0; ok && i < n; i++)
		ok = json_array_append_new(arr, launch_run_summary_json(&runs[i])) == 0;
	ok = ok && put(doc, "preflight_version", json_text(o->preflight_version)) &&
	     put(doc, "runs", json_incref(arr));
	json_decref(arr);
	if (!ok) {
		json_decref(doc);
		return -ENOMEM;
	}
	ret = json_out_dump(doc, out);
	json_decref(doc);
	return ret;
}

static void md_or_dash(FILE *out, const char *s)
{
	if (s && *s)
		report_md_text(out, s);
	else
		fputc('-', out);
}

int launch_runs_markdown(FILE *out, const struct run_summary *runs, size_t n, const struct launch_render_opts *o)
{
	char opened[40], closed[40];

	(void)o;
	fputs("# Launch runs\n\n", out);
	if (!n) {
		fputs("_No runs._\n", out);
		return 0;
	}
	fputs("| run | name | env | owner | opened | items | pass | fail | skip | pending | overdue | closed |\n"
	      "|---|---|---|---|---|---|---|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct run_summary *r = &runs[i];

		fprintf(out, "| %lld | ", (long long)r->id);
		md_or_dash(out, r->name);
		fputs(" | ", out);
		md_or_dash(out, r->env);
		fputs(" | ", out);
		md_or_dash(out, r->owner);
		launch_time_human(r->opened_ms, opened, sizeof(opened));
		launch_time_human(r->closed_ms, closed, sizeof(closed));
		fprintf(out, " | %s | %u | %u | %u | %u | %u | %s%u%s | %s |\n", *opened ? opened : "-", r->n_items,
			r->count[ITEM_PASS], r->count[ITEM_FAIL], r->count[ITEM_SKIP], open_count(r),
			r->n_overdue ? "**" : "", r->n_overdue, r->n_overdue ? "**" : "", r->closed_ms ? closed : "open");
	}
	return 0;
}
