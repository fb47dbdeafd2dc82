/* preflight followup: the follow-up tasks of failed items (docs/notify.md,
 * "Follow-ups"): list them, close one with its RCA. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/parse.h"
#include "cmd/cmd.h"
#include "cmd/launch_common.h"
#include "report/escape.h"
#include "notify/message.h"
#include "report/output.h"
#include "store/store.h"

struct followup_args {
	const char *format, *output, *db, *rca, *by;
	uint64_t run;
	bool open_only;
};

static const char *const followup_formats[] = { "tty", "json", NULL };

static const struct opt followup_opts[] = {
	{ .type = OPT_STRING, .long_name = "db", .arg_name = "URL",
	  .help = "the store: a SQLite file or a postgresql:// URL (default: $PREFLIGHT_DB, then "
		  "$XDG_STATE_HOME/preflight/preflight.db)",
	  .off = offsetof(struct followup_args, db) },
	{ .type = OPT_COUNT, .long_name = "run", .arg_name = "RUN", .help = "list: this run's follow-ups only",
	  .off = offsetof(struct followup_args, run), .lo = 1, .hi = INT64_MAX },
	{ .type = OPT_FLAG, .long_name = "open", .help = "list: open follow-ups only",
	  .off = offsetof(struct followup_args, open_only) },
	{ .type = OPT_STRING, .long_name = "rca", .arg_name = "TEXT",
	  .help = "close: the root cause analysis (required)", .off = offsetof(struct followup_args, rca) },
	{ .type = OPT_STRING, .long_name = "by", .arg_name = "NAME", .help = "close: who closes it (required)",
	  .off = offsetof(struct followup_args, by) },
	OPT_FORMAT_ENTRY(struct followup_args, format, followup_formats, "tty (default) or json"),
	OPT_OUTPUT_ENTRY(struct followup_args, output),
	OPT_END_ENTRY,
};

const struct command_spec cmd_followup_spec = {
	.name = "followup",
	.summary = "list the follow-ups of failed checklist items, close one with its RCA",
	.synopsis = "list [--run RUN] [--open] | close ID --rca TEXT --by NAME  [--db URL] [options]",
	.description = "A failed item opens a follow-up task with an RCA due time (the checklist's alerts.rca_due, "
		       "default 2h) and alerts of its own until it is closed. `list` shows them (id, run, item, "
		       "owner, RCA due, state, Jira key); `close` records the root cause and who closed it, as an "
		       "event of the run.",
	.operands = "list, or close ID (the follow-up's number).",
	.exit_status = "Exit status: 0 done; 1 list found open overdue follow-ups; 2 usage error, no such "
		       "follow-up, already closed, or the store cannot be opened; 3 internal error.",
	.see_also = "docs/notify.md",
	.opts = followup_opts,
	.min_operands = 1,
	.max_operands = 2,
	.operand_name = "list|close",
	.operand_kind = "none",
};

static json_t *followup_json(const struct followup_view *f)
{
	return json_pack("{s:I,s:I,s:o,s:o,s:I,s:I,s:o,s:b,s:b,s:I,s:o,s:o,s:o}", "id", (json_int_t)f->id, "run",
			 (json_int_t)f->run_id, "item", f->item_id ? json_string(f->item_id) : json_null(), "owner",
			 f->owner ? json_string(f->owner) : json_null(), "opened_ms", (json_int_t)f->opened_ms,
			 "rca_due_ms", (json_int_t)f->rca_due_ms, "summary",
			 f->summary ? json_string(f->summary) : json_null(), "closed", f->closed, "overdue", f->overdue,
			 "closed_ms", (json_int_t)f->closed_ms, "closed_by",
			 f->closed_by ? json_string(f->closed_by) : json_null(), "rca",
			 f->rca ? json_string(f->rca) : json_null(), "ticket",
			 f->ticket ? json_string(f->ticket) : json_null());
}

static int list(struct store *s, const struct followup_args *a, FILE *out, bool *overdue, struct err *e)
{
	int64_t t = launch_now_ms();
	struct run_summary *runs = NULL;
	size_t n_runs = 0;
	json_t *arr = json_array();
	bool tty = strcmp(a->format, "tty") == 0;
	int r = 0;

	if (a->run) {
		runs = calloc(1, sizeof(*runs));
		if (!runs)
			return err_set(e, -ENOMEM, "out of memory");
		runs[0].id = (int64_t)a->run;
		n_runs = 1;
	} else {
		r = store_runs(s, t, 0, &runs, &n_runs, e);
	}
	if (tty && r >= 0)
		fprintf(out, "%-5s %-5s %-16s %-12s %-22s %-8s %s\n", "ID", "RUN", "ITEM", "OWNER", "RCA DUE", "STATE",
			"TICKET / RCA");
	for (size_t i = n_runs; r >= 0 && i-- > 0;) {   /* oldest run first */
		struct run_view v;

		r = store_run_view(s, runs[i].id, t, &v, e);
		if (r < 0)
			break;
		for (size_t k = 0; k < v.n_followups; k++) {
			const struct followup_view *f = &v.followups[k];
			char due[64];

			if (a->open_only && f->closed)
				continue;
			*overdue = *overdue || f->overdue;
			if (!tty) {
				json_array_append_new(arr, followup_json(f));
				continue;
			}
			notify_format_time(f->rca_due_ms, due, sizeof(due));
			fprintf(out, "%-5lld %-5lld %-16s %-12s %-22s %-8s ", (long long)f->id, (long long)f->run_id,
				f->item_id ? f->item_id : "-", f->owner ? f->owner : "-", due,
				f->closed ? "closed" : f->overdue ? "OVERDUE" : "open");
			/* the RCA a person wrote, or the key Jira answered: escaped for the terminal */
			term_puts(out, f->closed ? (f->rca ? f->rca : "") : (f->ticket ? f->ticket : ""));
			fputc('\n', out);
		}
		run_view_release(&v);
	}
	for (size_t i = 0; a->run == 0 && i < n_runs; i++)
		run_summary_release(&runs[i]);
	free(runs);
	if (r >= 0 && !tty) {
		json_dumpf(arr, out, JSON_INDENT(2));
		fputc('\n', out);
	}
	json_decref(arr);
	return r;
}

static int close_one(struct store *s, int64_t id, const struct followup_args *a, FILE *out, struct err *e)
{
	int64_t seq = launch_close_followup(s, id, a->rca, a->by, "cli", launch_now_ms(), e);
	int r = seq < 0 ? (int)seq : 0;

	if (r >= 0) {
		if (strcmp(a->format, "json") == 0) {
			json_t *j = json_pack("{s:I,s:b,s:s,s:s}", "id", (json_int_t)id, "closed", 1, "by", a->by, "rca",
					      a->rca);

			json_dumpf(j, out, JSON_COMPACT);
			fputc('\n', out);
			json_decref(j);
		} else
			fprintf(out, "follow-up %lld closed\n", (long long)id);
	}
	return r;
}

int cmd_followup(int argc, char **argv)
{
	struct followup_args a = { .format = "tty" };
	struct store *s = NULL;
	struct output out;
	struct err e = { "" };
	bool overdue = false;
	uint64_t id = 0;
	int first, r = opts_parse(&cmd_followup_spec, argc, argv, &a, &first);
	const char *verb;

	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	verb = argv[first];
	if (strcmp(verb, "list") == 0) {
		if (argc - first > 1)
			return cmd_usage_error("followup", "list takes no operand, not '%s'", argv[first + 1]);
		if (a.rca || a.by)
			return cmd_usage_error("followup", "--rca and --by go with close");
	} else if (strcmp(verb, "close") == 0) {
		if (argc - first < 2 || parse_u64(argv[first + 1], &id) < 0 || id == 0 || id > INT64_MAX)
			return cmd_usage_error("followup", "close takes the follow-up's number: close ID --rca TEXT --by NAME");
		if (!a.rca || !*a.rca)
			return cmd_usage_error("followup", "close needs --rca TEXT: the root cause");
		if (!a.by || !*a.by)
			return cmd_usage_error("followup", "close needs --by NAME: who closes it");
		/* the same rules as item's --by and --reason: one line of a name, a text without control bytes */
		if (launch_check_text("followup", "by", a.by, 128, false) ||
		    launch_check_text("followup", "rca", a.rca, 4000, true))
			return EXIT_USAGE;
	} else {
		return cmd_usage_error("followup", "unknown action '%s': list or close", verb);
	}
	if (output_open(&out, a.output, &e) < 0)
		return cmd_usage_error("followup", "%s", e.msg);
	r = store_open(a.db, &s, &e);
	if (r < 0) {
		output_abort(&out);
		return cmd_error("followup", r == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE, "%s", e.msg);
	}
	if (a.run) {
		/* an unknown --run: exit 2 naming the runs there are, before a header is printed */
		struct run_view v = { 0 };

		r = launch_run_view("followup", s, (int64_t)a.run, launch_now_ms(), &v);
		run_view_release(&v);
		if (r) {
			store_close(s);
			output_abort(&out);
			return r;
		}
	}
	r = id ? close_one(s, (int64_t)id, &a, out.f, &e) : list(s, &a, out.f, &overdue, &e);
	store_close(s);
	if (r < 0) {
		output_abort(&out);
		return cmd_error("followup", r == -PF_ESTORE_CONFLICT || r == -PF_ESTORE_UNREACHABLE ||
						     r == -PF_ELAUNCH_NOTFOUND || r == -PF_ELAUNCH_INVALID ||
						     r == -PF_ELAUNCH_REFUSED ? EXIT_USAGE
												     : EXIT_INTERNAL,
				 "%s", e.msg);
	}
	if (output_commit(&out, &e) < 0)
		return cmd_error("followup", EXIT_INTERNAL, "%s", e.msg);
	return overdue ? EXIT_FINDINGS : EXIT_OK;
}
