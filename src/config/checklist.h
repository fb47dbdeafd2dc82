/* checklist: checklist-as-code, loaded from YAML (libyaml).
 *
 * A checklist selects checks and overrides their parameters; each item may
 * carry an owner, a due date, a severity (P0-P3), tags and a rollback note,
 * which are stored and reported now and acted on by the checklist loop
 * later. See docs/checklist.md for the format. Errors name the file, line
 * and column: "FILE:LINE:COL: message".
 */
#ifndef PREFLIGHT_CHECKLIST_H
#define PREFLIGHT_CHECKLIST_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"
#include "check/check.h"

/* How an item is shown to be done (docs/checklist.md, "verify"). Version 1
 * items name a built-in check (`check:`); version 2 items may instead carry
 * `verify:` of one kind. */
enum verify_kind {
	VERIFY_CHECK = 0,   /* a built-in check: check, def and params below */
	VERIFY_EXEC,        /* run a command */
	VERIFY_HTTP,        /* ask a URL */
	VERIFY_PROMQL,      /* ask a Prometheus server named in the file */
	VERIFY_MANUAL,      /* a person confirms */
};
/* "check", "exec", "http", "promql", "manual". */
const char *verify_kind_name(enum verify_kind k);

struct verify_exec {
	char **argv;          /* NULL-terminated; a string `command:` becomes {"/bin/sh", "-c", it} */
	int expect_exit;      /* default 0 */
	double timeout_s;     /* default 60 */
	size_t output_cap;    /* bytes of stdout+stderr kept as evidence; default 4096 */
	char *workdir;        /* NULL: the current directory */
};

struct verify_http {
	char *method;         /* default "GET" */
	char *url;
	char **headers;       /* NULL-terminated "Name: value" lines, or NULL */
	char *body;           /* request body, or NULL */
	long expect_status;   /* default 200 */
	char *body_contains;  /* a substring the body must contain, or NULL */
	char *body_regex;     /* a POSIX extended regex the body must match, or NULL (compiled at load to check it) */
	double timeout_s;     /* default 10 */
	bool insecure;        /* do not verify https:// (default false) */
};

struct verify_promql {
	char *server;         /* name in the `prometheus:` section */
	const char *server_url;   /* resolved from that section (points into the checklist) */
	char *query;
	char *op;             /* "<", "<=", ">", ">=", "==", "!=" */
	double value;         /* the condition: every sample `op value` */
	double hold_s;        /* `for:` the condition must hold over the last hold_s (range query); 0 = now only */
	double step_s;        /* range query step; default hold_s / 30, at least 1 s */
	bool empty_ok;        /* an empty result passes (default: fails, "no series") */
	double timeout_s;     /* default 10 */
};

struct checklist_item {
	char *id;                        /* unique within the checklist */
	char *title;                     /* defaults to the check's title (required without check) */
	enum verify_kind verify;
	char *check;                     /* check id (VERIFY_CHECK), else NULL */
	const struct check_def *def;     /* resolved from the registry (VERIFY_CHECK), else NULL */
	json_t *params;                  /* object of validated overrides; never NULL */
	struct verify_exec exec;         /* VERIFY_EXEC */
	struct verify_http http;         /* VERIFY_HTTP */
	struct verify_promql promql;     /* VERIFY_PROMQL */
	char *owner, *due, *severity, *rollback;   /* NULL when absent; due as written */
	/* due "+30m": relative to the run's start, in seconds (due is then
	 * "+30m" as written and due_relative is true) */
	bool due_relative;
	double due_offset_s;
	char *env, *module, *change;     /* NULL when absent */
	json_t *tags;                    /* object of string values, or NULL */
	unsigned line, column;           /* where the item starts (1-based); 0 for built-ins */
};

/* One person of `people:`: how the chat channels mention them. */
struct checklist_person {
	char *name;           /* the key, as owners name it */
	char *display;        /* `name:`, or NULL */
	char *mobile;         /* WeCom/DingTalk mention (mentioned_mobile_list, at.atMobiles) */
	char *slack;          /* Slack member id, "U012AB3CD" */
	char *email;
};

/* One channel of `notify.channels`. The secret parts (the webhook URL with
 * its key, the DingTalk signing secret, a token) are never in the file:
 * only the names of the environment variables or files holding them. */
struct checklist_channel {
	char *name;
	char *kind;           /* "wecom", "dingtalk", "slack", "webhook" */
	char *url_env, *url_file;         /* exactly one */
	char *secret_env, *secret_file;   /* DingTalk signed mode; at most one */
	char *format;         /* "markdown" (default) or "text" (wecom, dingtalk) */
	unsigned rate_per_min;   /* default 20 (both robots allow about 20 a minute) */
};

/* `alerts:`: the deadline policy. */
struct checklist_alerts {
	double remind_every_s;   /* default 1800 */
	unsigned escalate_after; /* reminders before escalating to the run owner; default 3 */
	double rca_due_s;        /* a follow-up's RCA due after it opens; default 7200 */
	char **channels;         /* NULL-terminated channel names; NULL = every channel */
};

struct checklist {
	char *source;                    /* file path, or "built-in" */
	char *name;                      /* the "name:" key, or NULL */
	int version;                     /* 1 or 2 */
	char *owner;                     /* the run owner (escalations), or NULL */
	struct checklist_item *items;
	size_t n_items;
	struct checklist_person *people; /* NULL when no `people:` section */
	size_t n_people;
	struct checklist_channel *channels;
	size_t n_channels;
	struct checklist_alerts alerts;  /* defaults when absent */
	/* `prometheus:` servers by name: {name: url} (json object), or NULL */
	json_t *prometheus;
	/* `jira:` {project, parent, issue_type}: follow-ups become sub-tasks, or NULL */
	json_t *jira;
	unsigned max_parallel;           /* `parallel:` how many automatic items at once; default 8 */
};

/* The person named by owner, or NULL. */
const struct checklist_person *checklist_person(const struct checklist *c, const char *owner);
/* The checklist as JSON (everything above but line numbers; no secrets,
 * since the file holds none): what a run stores at open, so the notifier
 * and the reports need not read the file again. */
json_t *checklist_to_json(const struct checklist *c);
/* The item's definition as JSON (its id, title, verify kind and spec,
 * owner, due as written, env, module, change, severity, tags, rollback). */
json_t *checklist_item_to_json(const struct checklist_item *it);

/* Limits on what a checklist file may be; beyond them it is refused. */
#define CHECKLIST_MAX_BYTES (1u << 20)
#define CHECKLIST_MAX_ITEMS 10000

/* Loads and validates a checklist file ("-": standard input). Returns 0, or -PF_EPARSE with
 * e->msg = "FILE:LINE:COL: message", or a negative errno when the file
 * cannot be read. On failure *ret is zeroed, so checklist_release() on it
 * is harmless either way. */
int checklist_load_file(const char *path, struct checklist *ret, struct err *e);
/* Same on a buffer; name is used in error messages in place of the path. */
int checklist_load_mem(const char *data, size_t len, const char *name, struct checklist *ret,
		       struct err *e);
/* The built-in default checklist: one item per registered check that can
 * run on its defaults (checklist_builtin), in registry order. */
int checklist_default(struct checklist *ret);
/* Whether d runs without a checklist item: false when a param of it has
 * no default and must be set (metric.*: the metric to judge). */
bool checklist_builtin(const struct check_def *d);
void checklist_release(struct checklist *c);

#endif
