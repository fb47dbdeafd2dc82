/* The run-wide sections of a checklist (docs/checklist.md): people to
 * mention, notify channels, the alert policy, Prometheus servers, Jira.
 * The secret parts of a channel (webhook URL with its key, signing
 * secret) are never in the file: only the names of the environment
 * variables or files holding them, and a literal `url:` or `secret:` is
 * refused, so the file can be committed and shown in reports. */
#include "config/checklist_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/quote.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const person_keys[] = { "name", "mobile", "slack", "email" };
static const char *const notify_keys[] = { "channels" };
static const char *const channel_keys[] = { "name",	   "kind",	  "url_env", "url_file",
					    "secret_env", "secret_file", "format",  "rate_per_min" };
static const char *const channel_kinds[] = { "wecom", "dingtalk", "slack", "webhook" };
static const char *const formats[] = { "markdown", "text" };
static const char *const alert_keys[] = { "remind_every", "escalate_after", "rca_due", "channels" };
static const char *const jira_keys[] = { "project", "parent", "issue_type" };

#define PEOPLE_MAX 1000
#define CHANNELS_MAX 64
#define DURATION_MAX (30.0 * 86400)

void clp_set_defaults(struct checklist *cl)
{
	cl->alerts.remind_every_s = 1800;
	cl->alerts.escalate_after = 3;
	cl->alerts.rca_due_s = 7200;
	cl->max_parallel = 8;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void clp_release(struct checklist *cl)
{
	for (size_t i = 0; i < cl->n_people; i++) {
		struct checklist_person *p = &cl->people[i];

		free(p->name);
		free(p->display);
		free(p->mobile);
		free(p->slack);
		free(p->email);
	}
	free(cl->people);
	for (size_t i = 0; i < cl->n_channels; i++) {
		struct checklist_channel *ch = &cl->channels[i];

		free(ch->name);
		free(ch->kind);
		free(ch->url_env);
		free(ch->url_file);
		free(ch->secret_env);
		free(ch->secret_file);
		free(ch->format);
	}
	free(cl->channels);
	free_strv(cl->alerts.channels);
	json_decref(cl->prometheus);
	json_decref(cl->jira);
	free(cl->owner);
}

static int set_str(const struct clctx *c, const struct ynode *v, const char *what, char **dst)
{
	const char *s;
	int r = cl_string(c, v, what, &s);

	return r < 0 ? r : cl_dup(s, dst);
}

/* "+86-138-0013-8000": digits, an optional leading '+', single '-'
 * between digit groups; 5 to 20 digits. */
static bool mobile_ok(const char *s, size_t len)
{
	size_t digits = 0;

	if (len && s[0] == '+')
		s++, len--;
	for (size_t i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] != '-' || i == 0 || i + 1 == len || s[i + 1] == '-')
			return false;
	}
	return digits >= 5 && digits <= 20;
}

static bool slack_ok(const char *s, size_t len)
{
	return len >= 2 && len <= 32 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == len;
}

static bool email_ok(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);

	return at && at > s && at + 1 < s + len && !memchr(at + 1, '@', len - (size_t)(at + 1 - s)) &&
	       strcspn(s, " \t\n<>,;\"") == len && len <= 254;
}

static int parse_person(const struct clctx *c, const struct ynode *k, const struct ynode *m,
			struct checklist_person *p)
{
	char ex[QUOTE_SIZE];
	const char *s;
	int r;

	r = cl_ident(c, k, "person name", &s);
	if (r < 0 || (r = cl_dup(s, &p->name)) < 0)
		return r;
	if (m->kind == YNODE_SCALAR && ynode_scalar_type(m) == YSCALAR_NULL)
		return 0;
	if (m->kind != YNODE_MAP)
		return cl_err(c, m, "person '%s' must be a mapping with name, mobile, slack, email, not %s", p->name,
			      ynode_describe(m));
	r = cl_check_keys(c, m, "in a person", person_keys, N_OF(person_keys));
	for (size_t i = 0; r == 0 && i + 1 < m->n_kids; i += 2) {
		const struct ynode *key = m->kids[i], *v = m->kids[i + 1];

		if (cl_key_is(key, "name")) {
			r = set_str(c, v, "'name'", &p->display);
		} else if (cl_key_is(key, "mobile")) {
			r = cl_string(c, v, "'mobile'", &s);
			if (r == 0 && !mobile_ok(s, v->len))
				r = cl_err(c, v, "bad mobile number '%s' (digits, an optional leading '+' and '-' "
					   "between groups: +86-138-0013-8000)", quote_for_message(v->text, v->len, ex));
			if (r == 0)
				r = cl_dup(s, &p->mobile);
		} else if (cl_key_is(key, "slack")) {
			r = cl_string(c, v, "'slack'", &s);
			if (r == 0 && !slack_ok(s, v->len))
				r = cl_err(c, v, "bad Slack member id '%s' (upper-case letters and digits, such as "
					   "U012AB3CD)", quote_for_message(v->text, v->len, ex));
			if (r == 0)
				r = cl_dup(s, &p->slack);
		} else if (cl_key_is(key, "email")) {
			r = cl_string(c, v, "'email'", &s);
			if (r == 0 && !email_ok(s, v->len))
				r = cl_err(c, v, "bad email address '%s'", quote_for_message(v->text, v->len, ex));
			if (r == 0)
				r = cl_dup(s, &p->email);
		}
	}
	return r;
}

int clp_parse_people(const struct clctx *c, const struct ynode *v, struct checklist *cl)
{
	size_t n;
	int r;

	if (v->kind != YNODE_MAP)
		return cl_err(c, v, "'people' must be a mapping of name: {name, mobile, slack, email}, not %s",
			      ynode_describe(v));
	n = v->n_kids / 2;
	if (n > PEOPLE_MAX)
		return cl_err(c, v->kids[2 * PEOPLE_MAX], "more than %d people", PEOPLE_MAX);
	/* An empty section still means "owners must be listed here". */
	cl->people = calloc(n ? n : 1, sizeof(*cl->people));
	if (!cl->people)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		cl->n_people = i + 1;
		r = parse_person(c, v->kids[2 * i], v->kids[2 * i + 1], &cl->people[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

const struct checklist_person *checklist_person(const struct checklist *c, const char *owner)
{
	if (!c || !owner)
		return NULL;
	for (size_t i = 0; i < c->n_people; i++)
		if (strcmp(c->people[i].name, owner) == 0)
			return &c->people[i];
	return NULL;
}

int clp_check_owner(const struct clctx *c, const struct checklist *cl, const struct ynode *at, const char *owner)
{
	char ex[QUOTE_SIZE];
	const char *names[64], *hint;
	size_t n = 0;

	if (!cl->people || !owner || checklist_person(cl, owner))
		return 0;
	for (size_t i = 0; i < cl->n_people && n < N_OF(names); i++)
		names[n++] = cl->people[i].name;
	quote_for_message(owner, strlen(owner), ex);
	hint = cl_suggest(owner, strlen(owner), names, n);
	if (hint)
		return cl_err(c, at, "unknown owner '%s' (not in people:; did you mean '%s'?)", ex, hint);
	return cl_err(c, at, "unknown owner '%s' (not in people:)", ex);
}

int clp_parse_prometheus(const struct clctx *c, const struct ynode *v, struct checklist *cl)
{
	const char *name, *url;
	json_t *s;
	int r;

	if (v->kind != YNODE_MAP)
		return cl_err(c, v, "'prometheus' must be a mapping of name: URL, not %s", ynode_describe(v));
	cl->prometheus = json_object();
	if (!cl->prometheus)
		return -ENOMEM;
	for (size_t i = 0; i + 1 < v->n_kids; i += 2) {
		r = cl_ident(c, v->kids[i], "prometheus server name", &name);
		if (r < 0)
			return r;
		r = cl_url(c, v->kids[i + 1], "prometheus URL", &url);
		if (r < 0)
			return r;
		s = json_string(url);
		if (!s || json_object_set_new(cl->prometheus, name, s) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* An environment variable name: [A-Za-z_][A-Za-z0-9_]*. */
static int env_name(const struct clctx *c, const struct ynode *v, const char *what, char **dst)
{
	const char *s;
	int r = cl_string(c, v, what, &s);

	if (r < 0)
		return r;
	if ((s[0] >= '0' && s[0] <= '9') || v->len > 128 ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != v->len)
		/* Not quoted back: a user who pasted the URL or secret itself
		 * must not see it again in a log. */
		return cl_err(c, v, "bad %s: give the name of an environment variable (letters, digits and '_'), "
			      "not its value", what);
	return cl_dup(s, dst);
}

static int one_of(const struct clctx *c, const struct ynode *v, const char *what, const char *const *valid,
		  size_t n, char **dst)
{
	char ex[QUOTE_SIZE], list[128];
	const char *s, *hint;
	int r = cl_string(c, v, what, &s);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (cl_key_is(v, valid[i]))
			return cl_dup(valid[i], dst);
	quote_for_message(v->text, v->len, ex);
	cl_join(list, sizeof(list), valid, n);
	hint = cl_suggest(v->text, v->len, valid, n);
	if (hint)
		return cl_err(c, v, "unknown %s '%s' (did you mean '%s'? valid: %s)", what, ex, hint, list);
	return cl_err(c, v, "unknown %s '%s' (valid: %s)", what, ex, list);
}

/* Refused outright, whatever their value: the places a user might paste
 * a webhook key or a token. The value is never quoted back. */
static int refuse_secret_keys(const struct clctx *c, const struct ynode *m, const char *where, bool channel)
{
	static const char *const url_like[] = { "url", "webhook", "key" };
	static const char *const secret_like[] = { "secret", "token", "password" };

	for (size_t i = 0; i + 1 < m->n_kids; i += 2) {
		const struct ynode *k = m->kids[i];

		for (size_t j = 0; channel && j < N_OF(url_like); j++)
			if (cl_key_is(k, url_like[j]))
				return cl_err(c, k, "'%s' is refused %s: secrets never go in the checklist; name where "
					      "the webhook URL is with url_env: VAR or url_file: PATH", url_like[j], where);
		for (size_t j = 0; j < N_OF(secret_like); j++)
			if (cl_key_is(k, secret_like[j]))
				return cl_err(c, k, "'%s' is refused %s: secrets never go in the checklist; %s",
					      secret_like[j], where,
					      channel ? "name where it is with secret_env: VAR or secret_file: PATH"
						      : "preflight reads them from the environment or a file");
	}
	return 0;
}

static int parse_channel(const struct clctx *c, const struct ynode *m, struct checklist_channel *ch)
{
	const struct ynode *url_env, *url_file, *sec_env, *sec_file, *v;
	const char *s;
	long long ll;
	int r;

	if (m->kind != YNODE_MAP)
		return cl_err(c, m, "a channel must be a mapping with name, kind and url_env or url_file, not %s",
			      ynode_describe(m));
	r = refuse_secret_keys(c, m, "in a channel", true);
	if (r == 0)
		r = cl_check_keys(c, m, "in a channel", channel_keys, N_OF(channel_keys));
	if (r < 0)
		return r;
	if (!ynode_get(m, "name"))
		return cl_err(c, m, "a channel needs 'name'");
	if (!ynode_get(m, "kind"))
		return cl_err(c, m, "a channel needs 'kind' (wecom, dingtalk, slack, webhook)");
	r = cl_ident(c, ynode_get(m, "name"), "channel name", &s);
	if (r < 0 || (r = cl_dup(s, &ch->name)) < 0)
		return r;
	r = one_of(c, ynode_get(m, "kind"), "channel kind", channel_kinds, N_OF(channel_kinds), &ch->kind);
	if (r < 0)
		return r;
	url_env = ynode_get(m, "url_env");
	url_file = ynode_get(m, "url_file");
	sec_env = ynode_get(m, "secret_env");
	sec_file = ynode_get(m, "secret_file");
	if (!url_env && !url_file)
		return cl_err(c, m, "channel '%s' needs url_env (an environment variable) or url_file (a file) holding "
			      "its webhook URL", ch->name);
	if (url_env && url_file)
		return cl_err(c, url_file, "channel '%s' takes url_env or url_file, not both", ch->name);
	if (sec_env && sec_file)
		return cl_err(c, sec_file, "channel '%s' takes secret_env or secret_file, not both", ch->name);
	if ((sec_env || sec_file) && strcmp(ch->kind, "dingtalk") != 0)
		return cl_err(c, sec_env ? sec_env : sec_file, "channel '%s': a signing secret is for dingtalk "
			      "channels only", ch->name);
	if ((url_env && (r = env_name(c, url_env, "url_env", &ch->url_env)) < 0) ||
	    (url_file && (r = set_str(c, url_file, "url_file", &ch->url_file)) < 0) ||
	    (sec_env && (r = env_name(c, sec_env, "secret_env", &ch->secret_env)) < 0) ||
	    (sec_file && (r = set_str(c, sec_file, "secret_file", &ch->secret_file)) < 0))
		return r;
	v = ynode_get(m, "format");
	r = v ? one_of(c, v, "channel format", formats, N_OF(formats), &ch->format) : cl_dup("markdown", &ch->format);
	if (r < 0)
		return r;
	ch->rate_per_min = 20;
	v = ynode_get(m, "rate_per_min");
	if (v) {
		r = cl_int(c, v, "'rate_per_min'", 1, 600, &ll);
		if (r < 0)
			return r;
		ch->rate_per_min = (unsigned)ll;
	}
	return 0;
}

int clp_parse_notify(const struct clctx *c, const struct ynode *v, struct checklist *cl)
{
	const struct ynode *chans;
	int r;

	if (v->kind != YNODE_MAP)
		return cl_err(c, v, "'notify' must be a mapping with 'channels', not %s", ynode_describe(v));
	r = cl_check_keys(c, v, "in 'notify'", notify_keys, N_OF(notify_keys));
	if (r < 0)
		return r;
	chans = ynode_get(v, "channels");
	if (!chans)
		return cl_err(c, v, "'notify' needs 'channels'");
	if (chans->kind != YNODE_SEQ)
		return cl_err(c, chans, "'channels' must be a sequence of channels, not %s", ynode_describe(chans));
	if (chans->n_kids > CHANNELS_MAX)
		return cl_err(c, chans->kids[CHANNELS_MAX], "more than %d channels", CHANNELS_MAX);
	cl->channels = calloc(chans->n_kids ? chans->n_kids : 1, sizeof(*cl->channels));
	if (!cl->channels)
		return -ENOMEM;
	for (size_t i = 0; i < chans->n_kids; i++) {
		cl->n_channels = i + 1;
		r = parse_channel(c, chans->kids[i], &cl->channels[i]);
		if (r < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (strcmp(cl->channels[j].name, cl->channels[i].name) == 0) {
				const struct ynode *first = ynode_get(chans->kids[j], "name");

				return cl_err(c, ynode_get(chans->kids[i], "name"), "duplicate channel name '%s' (first "
					      "at %u:%u)", cl->channels[i].name, first->line, first->col);
			}
	}
	return 0;
}

static int alert_channels(const struct clctx *c, const struct ynode *v, struct checklist *cl)
{
	char ex[QUOTE_SIZE], list[256];
	const char *names[CHANNELS_MAX], *s, *hint;
	size_t n = 0;
	int r;

	if (v->kind != YNODE_SEQ)
		return cl_err(c, v, "alerts 'channels' must be a sequence of channel names, not %s", ynode_describe(v));
	if (v->n_kids > CHANNELS_MAX)
		return cl_err(c, v->kids[CHANNELS_MAX], "more than %d channels", CHANNELS_MAX);
	for (size_t i = 0; i < cl->n_channels && n < N_OF(names); i++)
		names[n++] = cl->channels[i].name;
	cl->alerts.channels = calloc(v->n_kids + 1, sizeof(*cl->alerts.channels));
	if (!cl->alerts.channels)
		return -ENOMEM;
	for (size_t i = 0; i < v->n_kids; i++) {
		bool found = false;

		r = cl_string(c, v->kids[i], "a channel name", &s);
		if (r < 0)
			return r;
		for (size_t j = 0; j < n && !found; j++)
			found = cl_key_is(v->kids[i], names[j]);
		if (!found) {
			quote_for_message(v->kids[i]->text, v->kids[i]->len, ex);
			if (!n)
				return cl_err(c, v->kids[i], "unknown channel '%s' in alerts (the checklist has no "
					      "notify.channels)", ex);
			cl_join(list, sizeof(list), names, n);
			hint = cl_suggest(v->kids[i]->text, v->kids[i]->len, names, n);
			if (hint)
				return cl_err(c, v->kids[i], "unknown channel '%s' in alerts (did you mean '%s'? valid: "
					      "%s)", ex, hint, list);
			return cl_err(c, v->kids[i], "unknown channel '%s' in alerts (not in notify.channels; valid: "
				      "%s)", ex, list);
		}
		r = cl_dup(s, &cl->alerts.channels[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int clp_parse_alerts(const struct clctx *c, const struct ynode *v, struct checklist *cl)
{
	long long ll;
	int r;

	if (v->kind != YNODE_MAP)
		return cl_err(c, v, "'alerts' must be a mapping, not %s", ynode_describe(v));
	r = cl_check_keys(c, v, "in 'alerts'", alert_keys, N_OF(alert_keys));
	for (size_t i = 0; r == 0 && i + 1 < v->n_kids; i += 2) {
		const struct ynode *k = v->kids[i], *val = v->kids[i + 1];

		if (cl_key_is(k, "remind_every")) {
			r = cl_duration(c, val, "alerts 'remind_every'", 60, DURATION_MAX, &cl->alerts.remind_every_s);
		} else if (cl_key_is(k, "escalate_after")) {
			r = cl_int(c, val, "alerts 'escalate_after'", 0, 1000, &ll);
			cl->alerts.escalate_after = (unsigned)ll;
		} else if (cl_key_is(k, "rca_due")) {
			r = cl_duration(c, val, "alerts 'rca_due'", 60, DURATION_MAX, &cl->alerts.rca_due_s);
		} else if (cl_key_is(k, "channels")) {
			r = alert_channels(c, val, cl);
		}
	}
	return r;
}

/* "OPS", "ORDER2": a Jira project key. */
static bool project_ok(const char *s, size_t len)
{
	return len >= 1 && len <= 32 && s[0] >= 'A' && s[0] <= 'Z' &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == len;
}

/* "OPS-123" */
static bool issue_key_ok(const char *s, size_t len)
{
	const char *dash = memchr(s, '-', len);
	size_t digits;

	if (!dash || !project_ok(s, (size_t)(dash - s)) || strchr(s, '-') != dash)
		return false;
	digits = len - (size_t)(dash + 1 - s);
	return digits >= 1 && digits <= 12 && strspn(dash + 1, "0123456789") == digits;
}

int clp_parse_jira(const struct clctx *c, const struct ynode *v, struct checklist *cl)
{
	char ex[QUOTE_SIZE];
	const struct ynode *p;
	const char *s;
	json_t *j;
	int r;

	if (v->kind != YNODE_MAP)
		return cl_err(c, v, "'jira' must be a mapping with 'project', not %s", ynode_describe(v));
	r = refuse_secret_keys(c, v, "in 'jira'", false);
	if (r == 0)
		r = cl_check_keys(c, v, "in 'jira'", jira_keys, N_OF(jira_keys));
	if (r < 0)
		return r;
	p = ynode_get(v, "project");
	if (!p)
		return cl_err(c, v, "'jira' needs 'project' (the project key, such as OPS)");
	cl->jira = json_object();
	if (!cl->jira)
		return -ENOMEM;
	r = cl_string(c, p, "jira 'project'", &s);
	if (r < 0)
		return r;
	if (!project_ok(s, p->len))
		return cl_err(c, p, "bad jira project key '%s' (upper-case letters and digits, such as OPS)",
			      quote_for_message(p->text, p->len, ex));
	r = json_object_set_new(cl->jira, "project", json_string(s));
	if (r == 0 && (p = ynode_get(v, "parent"))) {
		r = cl_string(c, p, "jira 'parent'", &s);
		if (r < 0)
			return r;
		if (!issue_key_ok(s, p->len))
			return cl_err(c, p, "bad jira parent '%s' (an issue key such as OPS-123)",
				      quote_for_message(p->text, p->len, ex));
		r = json_object_set_new(cl->jira, "parent", json_string(s));
	}
	if (r == 0) {
		p = ynode_get(v, "issue_type");
		s = "Sub-task";
		if (p && (r = cl_string(c, p, "jira 'issue_type'", &s)) < 0)
			return r;
		j = json_string(s);
		r = json_object_set_new(cl->jira, "issue_type", j);
	}
	return r < 0 ? -ENOMEM : 0;
}
