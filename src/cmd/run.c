/* preflight run CHECKLIST: opens a run of a checklist in the store, runs
 * its automatic items (src/verify), records each start and result as it
 * happens, opens a follow-up for each failure, leaves manual items to a
 * person, and prints the run (docs/launch.md).
 *
 * Each result is recorded the moment its item ends, so a run that is
 * stopped half-way keeps what it learnt. SIGINT, SIGTERM and SIGHUP are caught
 * while items run: the items still running are recorded as failed
 * ("interrupted by SIGTERM"), their commands are signalled, and preflight
 * then dies of the signal; `preflight run CHECKLIST --resume RUN` runs
 * what is left.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/parse.h"
#include "cmd/cmd.h"
#include "cmd/launch_common.h"
#include "collect/procfs.h"
#include "notify/notify.h"
#include "report/escape.h"
#include "verify/verify.h"

struct run_args {
	const char *checklist;
	const char *env, *by, *owner, *jira_parent, *only, *process, *format, *output, *color, *db;
	pid_t pid;
	double window_s, timeout_s;
	uint64_t resume;
};

#define A(field) offsetof(struct run_args, field)
static const struct opt run_opts[] = {
	{ .type = OPT_FILE, .short_name = 'c', .long_name = "checklist", .arg_name = "FILE",
	  .help = "the checklist, as check --checklist takes it (or give it as the operand)", .off = A(checklist) },
	{ .type = OPT_STRING, .long_name = "env", .arg_name = "ENV",
	  .help = "the environment the run is for: only the items whose env is ENV or unset run (default: every "
		  "item)",
	  .off = A(env) },
	OPT_BY_ENTRY(struct run_args, by, "who runs it: the run's opener and the executor of its automatic items "
					  "(default: $USER, else the login name)"),
	{ .type = OPT_STRING, .long_name = "owner", .arg_name = "NAME",
	  .help = "the run's owner, to whom overdue items escalate (default: the checklist's owner)",
	  .off = A(owner) },
	{ .type = OPT_STRING, .long_name = "jira-parent", .arg_name = "KEY",
	  .help = "the Jira issue follow-ups become sub-tasks of (default: the checklist's jira.parent)",
	  .off = A(jira_parent) },
	{ .type = OPT_STRING, .long_name = "only", .arg_name = "ID,...",
	  .help = "only these items (comma-separated ids)",
	  .off = A(only) },
	{ .type = OPT_COUNT, .long_name = "resume", .arg_name = "RUN",
	  .help = "go on with run RUN instead of opening one: run its automatic items that are pending or were "
		  "interrupted",
	  .off = A(resume), .lo = 1, .hi = INT64_MAX },
	{ .type = OPT_PID, .short_name = 'p', .long_name = "pid", .arg_name = "PID",
	  .help = "the target of the items that name a built-in check", .off = A(pid) },
	{ .type = OPT_STRING, .long_name = "process", .arg_name = "NAME",
	  .help = "the target by its comm or executable name", .off = A(process) },
	{ .type = OPT_DURATION, .short_name = 'w', .long_name = "window", .arg_name = "D",
	  .help = "sampling window of the built-in checks, as check --window (default 2s)", .off = A(window_s),
	  .dhi = 3600 },
	OPT_TIMEOUT_ENTRY(struct run_args, timeout_s, "timeout of each HTTP probe of the built-in checks (default "
						      "2s); exec, http and promql items have their own"),
	OPT_FORMAT_ENTRY(struct run_args, format, launch_formats,
			 "tty (default), json (docs/launch-report.md), markdown, junit or html"),
	OPT_OUTPUT_ENTRY(struct run_args, output),
	OPT_DB_ENTRY(struct run_args, db),
	OPT_COLOR_ENTRY(struct run_args, color),
	OPT_END_ENTRY,
};
#undef A

const struct command_spec cmd_run_spec = {
	.name = "run",
	.summary = "open a run of a launch checklist and verify its automatic items",
	.synopsis = "CHECKLIST|--checklist FILE [--env ENV] [--by NAME] [--only ID,...] [--resume RUN] [options]",
	.description = "Opens a run of the checklist in the store, runs its automatic items (exec, http, promql and "
		       "built-in checks; in parallel up to the checklist's 'parallel', each with its timeout) and "
		       "records each result, its evidence, executor and duration as the item ends. A failed item "
		       "opens a follow-up. Manual items stay pending for 'preflight item confirm'. Then prints the "
		       "run, its id first ('preflight status RUN' shows it again). SIGINT, SIGTERM or SIGHUP while "
		       "items run records the running ones as failed (interrupted) and stops their commands; --resume RUN "
		       "runs them again.",
	.operands = "CHECKLIST: the checklist file (docs/checklist.md; '-' = standard input), or --checklist FILE.",
	.operand_name = "CHECKLIST",
	.exit_status = "Exit status: 0 every automatic item passed, 1 an automatic item failed, 2 usage or input "
		       "error (a bad checklist, an unreachable store: nothing is written then), 3 internal error. "
		       "Interrupted by a signal, it dies of that signal.",
	.see_also = "docs/launch.md, docs/checklist.md, docs/launch-report.md",
	.opts = run_opts,
	.max_operands = 1,
	.operand_kind = "file",
};

enum slot { SLOT_IDLE, SLOT_STARTED, SLOT_DONE };

/* What the verification callbacks and the signal watcher share; every
 * store call during the verification holds lock, so the watcher records
 * the interrupted items between two writes, never inside one. */
struct run_ctx {
	pthread_mutex_t lock;
	struct store *s;
	const struct checklist *cl;
	int64_t run_id;
	const char *by;
	enum slot *slot;            /* by checklist index */
	int64_t *started_ms;
	size_t n_auto, n_done;
	bool write_failed;          /* a result could not be recorded */
	bool progress;              /* one line per item on stderr (a terminal) */
	int pipe_fd[2];             /* the signal handler writes the signal number here */
};

static struct run_ctx *signal_ctx;

static bool selected_env(const struct checklist_item *it, const char *env)
{
	return !env || !it->env || !strcmp(it->env, env);
}

static const char *item_title(const struct checklist_item *it)
{
	if (it->title)
		return it->title;
	return it->def ? it->def->title : it->id;
}

/* The items the run holds: --only's (each must exist), of --env. Fills
 * pick[] with checklist indices; returns 0 or prints the error (2). */
static int select_items(const struct checklist *cl, const char *only, const char *env, size_t *pick, size_t *n)
{
	*n = 0;
	if (only) {
		char *copy = strdup(only), *save = NULL;
		int ret = 0;

		if (!copy)
			return cmd_error("run", EXIT_INTERNAL, "out of memory");
		for (char *id = strtok_r(copy, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
			size_t i = 0;

			while (i < cl->n_items && strcmp(cl->items[i].id, id))
				i++;
			if (i == cl->n_items) {
				ret = cmd_usage_error("run", "--only: '%s' has no item '%s'", cl->source, id);
				break;
			}
			if (!selected_env(&cl->items[i], env)) {
				ret = cmd_usage_error("run", "--only: item '%s' is for env '%s', not '%s'", id,
						      cl->items[i].env, env);
				break;
			}
			for (size_t k = 0; k < *n; k++)
				if (pick[k] == i)
					goto next;
			pick[(*n)++] = i;
next:;
		}
		free(copy);
		if (ret)
			return ret;
	} else {
		for (size_t i = 0; i < cl->n_items; i++)
			if (selected_env(&cl->items[i], env))
				pick[(*n)++] = i;
	}
	if (!*n)
		return cmd_usage_error("run", "'%s' has no item for env '%s'", cl->source, env ? env : "");
	return 0;
}

/* The items' definitions for store_run_create. */
static json_t *items_json(const struct checklist *cl, const size_t *pick, size_t n, int64_t opened_ms,
			  struct err *e)
{
	json_t *arr = json_array();

	for (size_t k = 0; arr && k < n; k++) {
		const struct checklist_item *it = &cl->items[pick[k]];
		json_t *o;
		int64_t due = 0;

		if (launch_due_ms(it, opened_ms, &due) < 0) {
			err_set(e, -PF_EPARSE, "%s:%u:%u: item '%s': due '%s' is not a date or an RFC 3339 date-time",
				cl->source, it->line, it->column, it->id, it->due);
			json_decref(arr);
			return NULL;
		}
		o = json_pack("{s:s, s:s, s:s, s:o*}", "id", it->id, "title", item_title(it), "verify_kind",
			      verify_kind_name(it->verify), "definition", checklist_item_to_json(it));
		if (!o || (it->owner && json_object_set_new(o, "owner", json_string(it->owner)) < 0) ||
		    (it->module && json_object_set_new(o, "module", json_string(it->module)) < 0) ||
		    (it->env && json_object_set_new(o, "env", json_string(it->env)) < 0) ||
		    (it->severity && json_object_set_new(o, "severity", json_string(it->severity)) < 0) ||
		    (it->change && json_object_set_new(o, "change", json_string(it->change)) < 0) ||
		    (due && json_object_set_new(o, "due_ms", json_integer(due)) < 0) ||
		    json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			err_set(e, -ENOMEM, "out of memory");
			return NULL;
		}
	}
	if (!arr)
		err_set(e, -ENOMEM, "out of memory");
	return arr;
}

static void report_write_error(struct run_ctx *c, const char *id, int r, const struct err *e)
{
	c->write_failed = true;
	cmd_error("run", EXIT_INTERNAL, "item '%s': cannot record it: %s", id, e->msg[0] ? e->msg : err_str(r));
}

static void on_start(void *arg, size_t index)
{
	struct run_ctx *c = arg;
	const struct checklist_item *it = &c->cl->items[index];
	struct event ev = { 0 };
	struct err e = { "" };
	int64_t seq;

	pthread_mutex_lock(&c->lock);
	ev.run_id = c->run_id;
	ev.item_id = it->id;
	ev.kind = EV_ITEM_START;
	ev.status = ITEM_RUNNING;
	ev.actor = (char *)c->by;
	ev.at_ms = launch_now_ms();
	/* Which process runs it: --resume tells a live run from a dead one. */
	ev.data = json_pack("{s:I}", "pid", (json_int_t)getpid());
	c->slot[index] = SLOT_STARTED;
	c->started_ms[index] = ev.at_ms;
	seq = launch_append(c->s, &ev, &e);
	if (seq < 0)
		report_write_error(c, it->id, (int)seq, &e);
	json_decref(ev.data);
	pthread_mutex_unlock(&c->lock);
}

static void on_done(void *arg, size_t index, const struct verify_result *res)
{
	struct run_ctx *c = arg;
	const struct checklist_item *it = &c->cl->items[index];
	struct event ev = { 0 };
	struct err e = { "" };
	struct run_view v = { 0 };
	int64_t r;

	pthread_mutex_lock(&c->lock);
	ev.run_id = c->run_id;
	ev.item_id = it->id;
	ev.kind = EV_ITEM_RESULT;
	ev.status = res->status;
	ev.actor = (char *)c->by;
	ev.reason = (char *)res->summary;
	ev.at_ms = launch_now_ms();
	ev.data = json_pack("{s:O*, s:I, s:s, s:I}", "evidence", res->evidence, "duration_ms",
			    (json_int_t)res->duration_ms, "summary", res->summary, "started_ms",
			    (json_int_t)res->started_ms);
	/* The result and, for a failure, its follow-up in one transaction:
	 * no failed item without its follow-up, whatever stops us. */
	r = store_begin_write(c->s, &e);
	if (r >= 0)
		r = launch_append(c->s, &ev, &e);
	if (r >= 0 && res->status == ITEM_FAIL) {
		r = store_run_view(c->s, c->run_id, ev.at_ms, &v, &e);
		if (r >= 0) {
			const struct item_view *iv = run_view_item(&v, it->id);

			r = iv ? notify_followup_open(c->s, &v, iv, res->summary, c->by, ev.at_ms, &e)
			       : err_set(&e, -PF_ESTORE_CONFLICT, "the run has no item '%s'", it->id);
		}
	}
	if (r >= 0)
		r = store_commit(c->s, &e);
	else
		store_rollback(c->s);
	if (r < 0)
		report_write_error(c, it->id, (int)r, &e);
	c->slot[index] = SLOT_DONE;
	c->n_done++;
	if (c->progress) {
		fprintf(stderr, "preflight run: [%zu/%zu] %s %s: ", c->n_done, c->n_auto, item_status_name(res->status),
			it->id);
		term_puts(stderr, res->summary);
		fputc('\n', stderr);
	}
	run_view_release(&v);
	json_decref(ev.data);
	pthread_mutex_unlock(&c->lock);
}

/* ---- interruption ----------------------------------------------------------- */

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (signal_ctx && write(signal_ctx->pipe_fd[1], &b, 1) < 0) {
		/* nothing to do in a handler */
	}
	errno = saved;
}

/* Our children are the commands of exec items: signalled with us, so a
 * stopped run leaves nothing behind. Each is also signalled as a process
 * group, in case it made one. */
static void signal_children(int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();

	while (d && (de = readdir(d))) {
		char path[64], buf[512], *p;
		FILE *f;
		int64_t pid, ppid;

		if (parse_i64(de->d_name, &pid) < 0 || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		p = p ? strrchr(buf, ')') : NULL;
		/* ") S PPID ..." */
		if (!p || sscanf(p + 1, " %*c %" SCNd64, &ppid) != 1 || ppid != self)
			continue;
		kill(-(pid_t)pid, sig);
		kill((pid_t)pid, sig);
	}
	if (d)
		closedir(d);
}

/* Waits for a signal (or the end of the verification, a 0 byte); records
 * the running items as interrupted, then dies of the signal. */
static void *watch_signals(void *arg)
{
	struct run_ctx *c = arg;
	unsigned char sig = 0;
	struct err e = { "" };
	char names[512] = "";
	size_t used = 0;
	int r;

	while (read(c->pipe_fd[0], &sig, 1) < 0 && errno == EINTR)
		;
	if (!sig)
		return NULL;
	/* Never unlocked: the process ends holding it, so no result lands
	 * after the interruption is recorded. */
	pthread_mutex_lock(&c->lock);
	r = store_begin_write(c->s, &e);
	for (size_t i = 0; r >= 0 && i < c->cl->n_items; i++) {
		struct event ev = { 0 };
		char reason[64];
		int64_t now = launch_now_ms();

		if (c->slot[i] != SLOT_STARTED)
			continue;
		snprintf(reason, sizeof(reason), "interrupted by SIG%s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
		ev.run_id = c->run_id;
		ev.item_id = c->cl->items[i].id;
		ev.kind = EV_ITEM_RESULT;
		ev.status = ITEM_FAIL;
		ev.actor = (char *)c->by;
		ev.reason = reason;
		ev.at_ms = now;
		ev.data = json_pack("{s:b, s:s, s:I, s:s}", "interrupted", 1, "summary", reason, "duration_ms",
				    (json_int_t)(now - c->started_ms[i]), "signal", reason + 15);
		r = ev.data ? (int)launch_append(c->s, &ev, &e) : -ENOMEM;
		json_decref(ev.data);
		if (r >= 0) {
			int w = snprintf(names + used, sizeof(names) - used, "%s%s", used ? ", " : "",
					 c->cl->items[i].id);

			if (w > 0 && (size_t)w < sizeof(names) - used)
				used += (size_t)w;
		}
	}
	if (r >= 0)
		r = store_commit(c->s, &e);
	else
		store_rollback(c->s);
	signal_children(sig);
	if (r < 0)
		cmd_error("run", EXIT_INTERNAL, "interrupted; the running items could not be recorded: %s",
			  e.msg[0] ? e.msg : err_str(r));
	else if (used)
		cmd_error("run", 0, "interrupted: run %" PRId64 "'s running items (%s) are recorded as failed, "
			  "interrupted; 'preflight run %s --resume %" PRId64 "' runs them again",
			  c->run_id, names, c->cl->source, c->run_id);
	else
		cmd_error("run", 0, "interrupted; 'preflight run %s --resume %" PRId64 "' runs what is left",
			  c->cl->source, c->run_id);
	fflush(stderr);
	signal((int)sig, SIG_DFL);
	raise((int)sig);
	_exit(128 + sig);
}

/* ---- resuming ---------------------------------------------------------------- */

/* For --resume: the checklist's items that run `v` holds and that are to
 * run again: pending ones, ones failed by an interruption (reopened here),
 * and ones left running by a process that is gone. Refuses a checklist
 * whose item differs from the definition the run was opened with. */
static int resume_items(struct store *s, const struct checklist *cl, const struct run_view *v, const char *by,
			size_t *pick, size_t *n)
{
	struct err e = { "" };
	size_t k = 0;
	int r;

	for (size_t i = 0; i < v->n_items; i++) {
		const struct item_view *iv = &v->items[i];
		size_t j = 0;
		json_t *def;
		bool same;

		while (j < cl->n_items && strcmp(cl->items[j].id, iv->id))
			j++;
		if (j == cl->n_items)
			return cmd_usage_error("run", "--resume: '%s' has no item '%s' of run %" PRId64, cl->source,
					       iv->id, v->id);
		def = checklist_item_to_json(&cl->items[j]);
		same = def && iv->definition && json_equal(def, iv->definition);
		json_decref(def);
		if (!same)
			return cmd_usage_error("run", "--resume: item '%s' of '%s' is not what run %" PRId64
					       " was opened with; open a new run for the changed checklist",
					       iv->id, cl->source, v->id);
		if (cl->items[j].verify == VERIFY_MANUAL)
			continue;
		if (iv->status == ITEM_PENDING) {
			pick[k++] = j;
		} else if (iv->status == ITEM_FAIL || iv->status == ITEM_RUNNING) {
			struct event ev = { 0 };
			const char *why = NULL;

			if (iv->status == ITEM_FAIL && iv->note && !strncmp(iv->note, "interrupted by ", 15))
				why = "resumed after an interruption";
			else if (iv->status == ITEM_RUNNING)
				why = "resumed: the run that started it is gone";
			if (!why)
				continue;
			ev.run_id = v->id;
			ev.item_id = iv->id;
			ev.kind = EV_ITEM_REOPEN;
			ev.status = ITEM_PENDING;
			ev.actor = (char *)by;
			ev.reason = (char *)why;
			ev.data = json_pack("{s:s}", "from", item_status_name(iv->status));
			r = ev.data ? (int)launch_append(s, &ev, &e) : err_set(&e, -ENOMEM, "out of memory");
			json_decref(ev.data);
			if (r < 0)
				return launch_store_error("run", r, &e);
			pick[k++] = j;
		}
	}
	*n = k;
	return 0;
}

/* Whether a running item's process (item.start's data.pid on this host)
 * is still alive: --resume leaves those alone. */
static int check_no_live_runner(struct store *s, const struct run_view *v)
{
	struct event *evs = NULL;
	size_t n = 0;
	struct err e = { "" };
	char host[256] = "";
	int ret = 0, r;

	if (!v->count[ITEM_RUNNING])
		return 0;
	r = store_events(s, v->id, NULL, 0, 0, &evs, &n, &e);
	if (r < 0)
		return launch_store_error("run", r, &e);
	gethostname(host, sizeof(host) - 1);
	for (size_t i = 0; i < v->n_items && !ret; i++) {
		const struct item_view *iv = &v->items[i];

		if (iv->status != ITEM_RUNNING)
			continue;
		for (size_t k = n; k-- > 0;) {
			if (evs[k].seq != iv->status_seq)
				continue;
			json_int_t pid = json_integer_value(json_object_get(evs[k].data, "pid"));

			if (pid > 0 && evs[k].host && !strcmp(evs[k].host, host) && proc_alive("", (pid_t)pid))
				ret = cmd_usage_error("run", "--resume: item '%s' of run %" PRId64 " is running in "
						      "process %lld on this host; wait for it", iv->id, v->id,
						      (long long)pid);
			else if (pid > 0 && (!evs[k].host || strcmp(evs[k].host, host)))
				ret = cmd_usage_error("run", "--resume: item '%s' of run %" PRId64 " is running on host "
						      "'%s'; resume there, or reopen it if that run is gone", iv->id,
						      v->id, evs[k].host ? evs[k].host : "?");
			break;
		}
	}
	for (size_t k = 0; k < n; k++)
		event_release(&evs[k]);
	free(evs);
	return ret;
}

/* ---- the command ------------------------------------------------------------- */

static int verify_with_watch(struct run_ctx *c, const size_t *pick, size_t n, const struct verify_target *t)
{
	struct verify_opts o = { .target = *t, .on_start = on_start, .on_done = on_done, .arg = c };
	struct sigaction sa = { 0 }, old_int, old_term, old_hup;
	pthread_t watcher;
	struct err e = { "" };
	unsigned char zero = 0;
	int r;

	if (pipe2(c->pipe_fd, O_CLOEXEC) < 0)
		return cmd_error("run", EXIT_INTERNAL, "pipe: %s", strerror(errno));
	if (pthread_create(&watcher, NULL, watch_signals, c)) {
		close(c->pipe_fd[0]);
		close(c->pipe_fd[1]);
		return cmd_error("run", EXIT_INTERNAL, "cannot start the signal watcher");
	}
	signal_ctx = c;
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);   /* the terminal went away */

	r = verify_items(c->cl, pick, n, &o, &e);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	/* A signal that came in the meantime wins: the watcher reads it first
	 * and never returns. */
	if (write(c->pipe_fd[1], &zero, 1) == 1)
		pthread_join(watcher, NULL);
	signal_ctx = NULL;
	close(c->pipe_fd[0]);
	close(c->pipe_fd[1]);
	if (r < 0)
		return cmd_error("run", EXIT_INTERNAL, "%s", e.msg[0] ? e.msg : err_str(r));
	return c->write_failed ? EXIT_INTERNAL : 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = { .format = "tty", .color = "auto", .window_s = 2, .timeout_s = 2 };
	struct checklist cl = { 0 };
	struct store *s = NULL;
	struct run_view v = { 0 };
	struct err e = { "" };
	struct run_ctx c = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct verify_target target = { 0 };
	size_t *pick = NULL, n_pick = 0, n_manual = 0;
	json_t *items = NULL, *cljson = NULL;
	char host[256] = "";
	int64_t run_id;
	int first, r, ret = EXIT_INTERNAL;

	r = opts_parse(&cmd_run_spec, argc, argv, &a, &first);
	if (r)
		return r == OPTS_DONE ? EXIT_OK : r;
	if (first < argc && a.checklist)
		return cmd_usage_error("run", "give the checklist once: as the operand or as --checklist");
	if (first < argc)
		a.checklist = argv[first];
	if (!a.checklist)
		return cmd_usage_error("run", "no CHECKLIST given; see --help");
	if (a.pid && a.process)
		return cmd_usage_error("run", "give --pid or --process, not both");
	a.by = launch_actor(a.by);
	if (!a.by)
		return cmd_usage_error("run", "who runs it is unknown ($USER is unset): give --by NAME");
	if (launch_check_text("run", "by", a.by, 128, false) ||
	    (a.env && launch_check_text("run", "env", a.env, 64, false)) ||
	    (a.owner && launch_check_text("run", "owner", a.owner, 128, false)) ||
	    (a.jira_parent && launch_check_text("run", "jira-parent", a.jira_parent, 64, false)))
		return EXIT_USAGE;
	if (a.resume && (a.env || a.owner || a.jira_parent))
		return cmd_usage_error("run", "--resume goes on with the run as it was opened; it takes no --env, "
				       "--owner or --jira-parent");

	/* Everything about the input is checked before the store is touched:
	 * a bad checklist writes nothing. */
	r = checklist_load_file(a.checklist, &cl, &e);
	if (r < 0) {
		cmd_error("run", 0, "%s", e.msg[0] ? e.msg : err_str(r));
		ret = r == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
		goto out;
	}
	/* A `jira:` section promises sub-tasks for follow-ups; with no parent
	 * issue none could be created, and a launch would learn it only from
	 * the outbox after its first failure. */
	if (!a.resume && cl.jira && !a.jira_parent && !json_string_value(json_object_get(cl.jira, "parent"))) {
		ret = cmd_usage_error("run", "'%s' has a jira: section but no parent issue for the follow-ups' "
				      "sub-tasks: give --jira-parent KEY or jira.parent", cl.source);
		goto out;
	}
	pick = calloc(cl.n_items ? cl.n_items : 1, sizeof(*pick));
	c.slot = calloc(cl.n_items ? cl.n_items : 1, sizeof(*c.slot));
	c.started_ms = calloc(cl.n_items ? cl.n_items : 1, sizeof(*c.started_ms));
	if (!pick || !c.slot || !c.started_ms) {
		ret = cmd_error("run", EXIT_INTERNAL, "out of memory");
		goto out;
	}
	if (!a.resume) {
		ret = select_items(&cl, a.only, a.env, pick, &n_pick);
		if (ret)
			goto out;
	}
	if (a.process) {
		r = proc_find_by_name("", a.process, &a.pid, &e);
		if (r < 0) {
			ret = cmd_usage_error("run", "%s", e.msg);
			goto out;
		}
	}
	target.pid = a.pid;
	target.window_s = a.window_s;
	target.timeout_s = a.timeout_s;

	ret = launch_store_open("run", a.db, &s);
	if (ret)
		goto out;
	gethostname(host, sizeof(host) - 1);
	if (a.resume) {
		run_id = (int64_t)a.resume;
		r = store_begin_write(s, &e);
		if (r < 0) {
			ret = launch_store_error("run", r, &e);
			goto out;
		}
		ret = launch_run_view("run", s, run_id, launch_now_ms(), &v);
		if (ret) {
			store_rollback(s);
			goto out;
		}
		ret = v.closed_ms ? cmd_usage_error("run", "run %" PRId64 " is closed", run_id)
				  : check_no_live_runner(s, &v);
		if (!ret)
			ret = resume_items(s, &cl, &v, a.by, pick, &n_pick);
		if (ret) {
			store_rollback(s);
			goto out;
		}
		/* --only narrows what is resumed */
		if (a.only) {
			size_t k = 0;

			for (size_t i = 0; i < n_pick; i++) {
				const char *id = cl.items[pick[i]].id;
				size_t len = strlen(id);

				for (const char *p = a.only; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
					if (!strncmp(p, id, len) && (p[len] == ',' || !p[len])) {
						pick[k++] = pick[i];
						break;
					}
			}
			n_pick = k;
		}
		r = store_commit(s, &e);
		if (r < 0) {
			ret = launch_store_error("run", r, &e);
			goto out;
		}
		run_view_release(&v);
		memset(&v, 0, sizeof(v));
	} else {
		struct run_open o = { 0 };

		o.opened_ms = launch_now_ms();
		items = items_json(&cl, pick, n_pick, o.opened_ms, &e);
		cljson = checklist_to_json(&cl);
		if (!items) {
			/* a due the loader let through but that is no time */
			ret = cmd_error("run", strstr(e.msg, "out of memory") ? EXIT_INTERNAL : EXIT_USAGE, "%s",
					e.msg);
			goto out;
		}
		if (!cljson) {
			ret = cmd_error("run", EXIT_INTERNAL, "out of memory");
			goto out;
		}
		o.name = cl.name ? cl.name : cl.source;
		o.source = cl.source;
		o.env = a.env;
		o.owner = a.owner ? a.owner : cl.owner;
		o.opened_by = a.by;
		o.host = host;
		o.parent_ticket = a.jira_parent;
		if (!o.parent_ticket && cl.jira)
			o.parent_ticket = json_string_value(json_object_get(cl.jira, "parent"));
		o.checklist = cljson;
		o.items = items;
		run_id = store_run_create(s, &o, &e);
		if (run_id < 0) {
			ret = launch_store_error("run", (int)run_id, &e);
			goto out;
		}
	}

	c.s = s;
	c.cl = &cl;
	c.run_id = run_id;
	c.by = a.by;
	c.progress = isatty(STDERR_FILENO);
	for (size_t k = 0; k < n_pick; k++) {
		if (cl.items[pick[k]].verify == VERIFY_MANUAL)
			n_manual++;
		else
			c.n_auto++;
	}
	if (c.progress)
		fprintf(stderr, "preflight run: run %" PRId64 "%s: %zu automatic items to run, %zu manual items wait "
			"for a person\n", run_id, a.resume ? " resumed" : " opened", c.n_auto, n_manual);
	if (c.n_auto) {
		ret = verify_with_watch(&c, pick, n_pick, &target);
		if (ret)
			goto out;
	}

	r = store_run_view(s, run_id, launch_now_ms(), &v, &e);
	if (r < 0) {
		ret = launch_store_error("run", r, &e);
		goto out;
	}
	ret = launch_render_to("run", a.output, a.format, a.color, &v, NULL);
	if (ret)
		goto out;
	ret = EXIT_OK;
	for (size_t i = 0; i < v.n_items; i++)
		if (v.items[i].status == ITEM_FAIL && v.items[i].verify_kind &&
		    strcmp(v.items[i].verify_kind, "manual"))
			ret = EXIT_FINDINGS;
out:
	run_view_release(&v);
	json_decref(items);
	json_decref(cljson);
	store_close(s);
	checklist_release(&cl);
	free(pick);
	free(c.slot);
	free(c.started_ms);
	return ret;
}
