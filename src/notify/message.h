/* message: what an alert says, and the exact body each channel's robot
 * takes (docs/notify.md, "Messages"). No I/O: rendering is done when an
 * alert is queued, and the body is stored in the outbox without any secret.
 *
 * The checklist JSON a run stores (config/checklist.h: checklist_to_json)
 * gives the people (how to mention an owner), the channels (kind, format,
 * rate, where their secrets are) and the alerts policy; the readers below
 * accept both an object keyed by name and an array of objects with "name".
 */
#ifndef PREFLIGHT_NOTIFY_MESSAGE_H
#define PREFLIGHT_NOTIFY_MESSAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A person of `people:`; fields point into the checklist JSON (or are the
 * name itself when the person is not listed). */
struct notify_person {
	const char *name;      /* as owners name them; NULL: nobody */
	const char *display;   /* display name, or the name */
	const char *mobile;    /* WeCom/DingTalk mention, or NULL */
	const char *slack;     /* Slack member id, or NULL */
};
void notify_person_lookup(const json_t *checklist, const char *name, struct notify_person *ret);

/* A channel of the checklist's notify section; strings point into it. */
struct notify_channel {
	const char *name, *kind;            /* kind: wecom, dingtalk, slack, webhook */
	const char *url_env, *url_file;     /* where the URL (with its key) is */
	const char *secret_env, *secret_file;   /* DingTalk signing secret, or neither */
	const char *format;                 /* "markdown" (default) or "text" */
	unsigned rate_per_min;              /* default 20 */
};
/* The channel named name: 0, or -ENOENT. */
int notify_channel_lookup(const json_t *checklist, const char *name, struct notify_channel *ret);
/* The channels alerts go to (alerts.channels, else every channel), at most
 * max names (pointing into the JSON). Returns how many. */
size_t notify_alert_channels(const json_t *checklist, const char **names, size_t max);

/* What one alert is about. */
struct notify_alert {
	const char *id;            /* the dedupe key: the message's stable id */
	const char *stage;         /* "due", "remind-2", "escalate", "followup-open", ... */
	unsigned reminder;
	bool escalate;
	int64_t run_id;
	const char *run_name, *env;
	const char *item_id, *item_title;   /* NULL when none */
	int64_t followup_id;       /* 0 for an item alert */
	const char *summary;       /* a follow-up's reason, or NULL */
	struct notify_person to;   /* addressed */
	struct notify_person mention;   /* also mentioned (escalation), name NULL when nobody */
	struct notify_person item_owner;   /* the item's (or follow-up's) owner */
	int64_t due_ms, now_ms;
};

/* Size limits of the robots (bytes of content). */
#define WECOM_TEXT_MAX 2048
#define WECOM_MARKDOWN_MAX 4096
#define DINGTALK_TEXT_MAX 4096

/* The body to POST for a channel of kind (wecom, dingtalk, slack, webhook)
 * in format ("markdown" or "text"; NULL: markdown). NULL for an unknown
 * kind or ENOMEM. WeCom's markdown cannot mention a phone number, so an
 * alert that must mention someone by mobile goes as text there. */
json_t *notify_render(const char *kind, const char *format, const struct notify_alert *a);

/* Jira: the sub-task for a follow-up, {"fields":{...}} as POST
 * /rest/api/2/issue takes it. jira is the checklist's `jira:` object
 * (project, parent, issue_type); parent_ticket (the run's) wins over
 * jira.parent. NULL when no project or no parent is known. */
json_t *notify_render_jira(const json_t *jira, const char *parent_ticket, const struct notify_alert *a);

/* "2026-12-05 12:00 UTC" into buf. */
void notify_format_time(int64_t ms, char *buf, size_t len);
/* "1h05m", "3m", "45s" into buf. */
void notify_format_span(int64_t ms, char *buf, size_t len);

#endif
