/* preflight notify: queue the alerts that are due and deliver the outbox
 * (docs/notify.md). --once for cron and systemd timers; without it, the
 * same every --interval until SIGTERM or SIGINT. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/launch_common.h"
#include "report/escape.h"
#include "notify/message.h"
#include "notify/notify.h"
#include "report/output.h"
#include "store/store.h"

struct notify_args {
	const char *format, *output, *db, *state;
	uint64_t run;
	bool once, dry_run, list;
	double interval_s, timeout_s, lease_s, backoff_s;
};

static const char *const notify_formats[] = { "tty", "json", NULL };
static const char *const notify_states[] = { "pending", "sent", "dead", NULL };

static const struct opt notify_opts_table[] = {
	{ .type = OPT_FLAG, .long_name = "once",
	  .help = "queue what is due and deliver what can go now, then exit (for cron or a systemd timer)",
	  .off = offsetof(struct notify_args, once) },
	{ .type = OPT_STRING, .long_name = "db", .arg_name = "URL",
	  .help = "the store: a SQLite file or a postgresql:// URL (default: $PREFLIGHT_DB, then "
		  "$XDG_STATE_HOME/preflight/preflight.db)",
	  .off = offsetof(struct notify_args, db) },
	{ .type = OPT_COUNT, .long_name = "run", .arg_name = "RUN",
	  .help = "look at this run's deadlines only (delivery still empties the whole outbox)",
	  .off = offsetof(struct notify_args, run), .lo = 1, .hi = INT64_MAX },
	{ .type = OPT_FLAG, .long_name = "dry-run",
	  .help = "print the messages that are due, exactly as they would be posted; queue and send nothing",
	  .off = offsetof(struct notify_args, dry_run) },
	{ .type = OPT_FLAG, .long_name = "list", .help = "print the outbox (newest last) and exit",
	  .off = offsetof(struct notify_args, list) },
	{ .type = OPT_CHOICE, .long_name = "state", .arg_name = "STATE",
	  .help = "with --list: only messages in this state (pending, sent or dead)",
	  .off = offsetof(struct notify_args, state), .choices = notify_states },
	{ .type = OPT_DURATION, .short_name = 'i', .long_name = "interval", .arg_name = "D",
	  .help = "without --once: time between rounds (default 15s)", .off = offsetof(struct notify_args, interval_s),
	  .flags = OPT_NONZERO, .dhi = 86400 },
	OPT_TIMEOUT_ENTRY(struct notify_args, timeout_s, "per delivery request (default 10s)"),
	{ .type = OPT_DURATION, .long_name = "lease", .arg_name = "D",
	  .help = "how long a claimed message stays this process's (default 60s, at least 2 timeouts): a notifier "
		  "killed mid-delivery frees its messages after this",
	  .off = offsetof(struct notify_args, lease_s), .flags = OPT_NONZERO, .dhi = 86400 },
	{ .type = OPT_DURATION, .long_name = "backoff", .arg_name = "D",
	  .help = "the first retry's longest wait (default 5s); each retry doubles it, up to 10m, and waits a random "
		  "part of it (full jitter), never less than the endpoint's Retry-After",
	  .off = offsetof(struct notify_args, backoff_s), .flags = OPT_NONZERO, .dhi = 600 },
	OPT_FORMAT_ENTRY(struct notify_args, format, notify_formats,
			 "tty (default: one line per round, or the outbox as a table) or json"),
	OPT_OUTPUT_ENTRY(struct notify_args, output),
	OPT_END_ENTRY,
};

const struct command_spec cmd_notify_spec = {
	.name = "notify",
	.summary = "send the launch checklist's alerts (WeCom, DingTalk, Slack, webhook, Jira)",
	.synopsis = "[--once] [--db URL] [--run RUN] [--dry-run] [--list [--state STATE]] [options]",
	.description = "Finds the overdue items and follow-ups of every open run, queues the alert of the stage "
		       "each reached (due, reminder N, escalation to the run's owner) in the store's outbox, and "
		       "delivers the outbox: retries with backoff when a robot is down, busy or rate-limited, "
		       "never sends a message twice once its robot said yes. Webhook URLs, the DingTalk secret and "
		       "the Jira token come from the environment or files the checklist names, at delivery time; "
		       "they never appear in output, logs or the store. One line per delivery outcome goes to "
		       "standard error.",
	.exit_status = "Exit status: 0 every message went or will be retried; 1 a message was given up on (dead: "
		       "its robot refused it for good, see --list --state dead); 2 usage error, no such --run, or the store cannot "
		       "be opened; 3 internal error.",
	.see_also = "docs/notify.md",
	.opts = notify_opts_table,
	.max_operands = 0,
	.operand_kind = "none",
};

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void print_stats(FILE *f, bool json, const struct notify_stats *st)
{
	if (json)
		fprintf(f, "{\"queued\":%u,\"sent\":%u,\"retried\":%u,\"dead\":%u,\"held\":%u}\n", st->queued, st->sent,
			st->retried, st->dead, st->held);
	else
		fprintf(f, "notify: queued %u, sent %u, retry later %u, dead %u, held by rate limit %u\n", st->queued,
			st->sent, st->retried, st->dead, st->held);
	fflush(f);
}

static int list(struct store *s, const struct notify_args *a, FILE *f, struct err *e)
{
	struct outbox_msg *m = NULL;
	size_t n = 0;
	int r = store_outbox_list(s, a->state, 0, &m, &n, e);
	json_t *arr = json_array();

	if (r < 0) {
		json_decref(arr);
		return r;
	}
	if (strcmp(a->format, "tty") == 0)
		fprintf(f, "%-6s %-8s %-8s %-12s %-9s %s\n", "ID", "STATE", "ATTEMPTS", "CHANNEL", "KIND", "KEY / LAST ERROR");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(a->format, "tty") == 0) {
			fprintf(f, "%-6lld %-8s %-8u %-12s %-9s %s\n", (long long)m[i].id, m[i].state, m[i].attempts,
				m[i].channel, m[i].kind, m[i].dedupe_key);
			/* a robot's own words: escaped for the terminal */
			if (m[i].last_error && strcmp(m[i].state, "sent") != 0) {
				fprintf(f, "%48s ", "");
				term_puts(f, m[i].last_error);
				fputc('\n', f);
			}
		} else {
			json_array_append_new(
				arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:o,s:I,s:I,s:I,s:i,s:o,s:O}", "id",
					       (json_int_t)m[i].id, "key", m[i].dedupe_key, "channel", m[i].channel, "kind",
					       m[i].kind, "state", m[i].state, "run", (json_int_t)m[i].run_id, "item",
					       m[i].item_id ? json_string(m[i].item_id) : json_null(), "created_ms",
					       (json_int_t)m[i].created_ms, "next_attempt_ms",
					       (json_int_t)m[i].next_attempt_ms, "sent_ms", (json_int_t)m[i].sent_ms,
					       "attempts", (int)m[i].attempts, "last_error",
					       m[i].last_error ? json_string(m[i].last_error) : json_null(), "payload",
					       m[i].payload ? m[i].payload : json_null()));
		}
		outbox_msg_release(&m[i]);
	}
	free(m);
	if (strcmp(a->format, "json") == 0) {
		json_dumpf(arr, f, JSON_INDENT(2));
		fputc('\n', f);
	}
	json_decref(arr);
	return 0;
}

static int dry_run(struct store *s, const struct notify_args *a, FILE *f, struct err *e)
{
	json_t *plan = NULL, *v;
	size_t i;
	int r = notify_plan(s, (int64_t)a->run, launch_now_ms(), &plan, e);

	if (r < 0)
		return r;
	if (strcmp(a->format, "json") == 0) {
		json_dumpf(plan, f, JSON_INDENT(2));
		fputc('\n', f);
	} else {
		json_array_foreach (plan, i, v) {
			char *body = json_dumps(json_object_get(v, "body"), JSON_COMPACT);

			fprintf(f, "%s -> %s (%s)\n  %s\n", json_string_value(json_object_get(v, "id")),
				json_string_value(json_object_get(v, "channel")),
				json_string_value(json_object_get(v, "kind")), body ? body : "");
			free(body);
		}
		if (json_array_size(plan) == 0)
			fprintf(f, "notify: nothing is due\n");
	}
	json_decref(plan);
	return 0;
}

/* One round: scan (one run or all), then deliver. */
static int round_once(struct store *s, const struct notify_args *a, const struct notify_opts *o,
		      struct notify_stats *st, struct err *e)
{
	struct notify_stats q = { 0 };
	int64_t t = launch_now_ms();
	int r = notify_scan(s, (int64_t)a->run, t, &q, e);

	if (r >= 0)
		r = notify_deliver(s, t, o, st, e);
	st->queued = q.queued;
	return r;
}

int cmd_notify(int argc, char **argv)
{
	struct notify_args a = { .format = "tty", .interval_s = 15, .timeout_s = 10 };
	struct notify_opts o = { 0 };
	struct notify_stats st = { 0 };
	unsigned dead = 0;
	struct store *s = NULL;
	struct output out;
	struct err e = { "" };
	int first, r = opts_parse(&cmd_notify_spec, argc, argv, &a, &first);
	int code = EXIT_OK;

	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	if (a.state && !a.list)
		return cmd_usage_error("notify", "--state goes with --list");
	if (a.list && (a.dry_run || a.once))
		return cmd_usage_error("notify", "--list prints the outbox; it goes with neither --once nor --dry-run");
	if (output_open(&out, a.output, &e) < 0)
		return cmd_usage_error("notify", "%s", e.msg);
	r = store_open(a.db, &s, &e);
	if (r < 0) {
		output_abort(&out);
		return cmd_error("notify", r == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE, "%s", e.msg);
	}
	if (a.run) {
		/* an unknown --run is the user's typo (exit 2, naming the runs
		 * there are), not an internal error on every round */
		struct run_view v = { 0 };

		r = launch_run_view("notify", s, (int64_t)a.run, launch_now_ms(), &v);
		run_view_release(&v);
		if (r) {
			store_close(s);
			output_abort(&out);
			return r;
		}
	}
	o.timeout_s = a.timeout_s;
	o.lease_s = a.lease_s;
	o.backoff_base_s = a.backoff_s;
	o.max_batch = 1000000;   /* a round empties what is due (rate limits hold the rest) */
	o.log = stderr;
	if (a.list) {
		r = list(s, &a, out.f, &e);
	} else if (a.dry_run) {
		r = dry_run(s, &a, out.f, &e);
	} else if (a.once) {
		r = round_once(s, &a, &o, &st, &e);
		if (r >= 0)
			print_stats(out.f, strcmp(a.format, "json") == 0, &st);
		dead = st.dead;
	} else {
		struct sigaction sa = { .sa_handler = on_stop };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		while (!stopping) {
			struct timespec ts = { .tv_sec = (time_t)a.interval_s,
					       .tv_nsec = (long)((a.interval_s - (double)(time_t)a.interval_s) * 1e9) };

			memset(&st, 0, sizeof(st));
			r = round_once(s, &a, &o, &st, &e);
			if (r < 0) {
				/* a store that went away for a moment: say so, try next round */
				cmd_error("notify", EXIT_INTERNAL, "%s", e.msg);
				e.msg[0] = '\0';
				r = 0;
			} else if (st.queued || st.sent || st.retried || st.dead || st.held) {
				print_stats(out.f, strcmp(a.format, "json") == 0, &st);
			}
			dead += st.dead;
			if (!stopping)
				nanosleep(&ts, NULL);   /* a signal ends the sleep early */
		}
	}
	store_close(s);
	if (r < 0) {
		output_abort(&out);
		return cmd_error("notify", r == -PF_ESTORE_UNREACHABLE || r == -PF_ESTORE_NEWER ? EXIT_USAGE
												: EXIT_INTERNAL,
				 "%s", e.msg);
	}
	if (output_commit(&out, &e) < 0)
		return cmd_error("notify", EXIT_INTERNAL, "%s", e.msg);
	if (dead)
		code = EXIT_FINDINGS;
	return code;
}
