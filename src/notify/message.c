/* message: alert text and the robots' bodies (message.h). */
#include "notify/message.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"

#define TEXT_MAX (16u << 10)

/* An entry of a section that is an object keyed by name, or an array of
 * objects with "name". */
static const json_t *named(const json_t *section, const char *name, const char **ret_name)
{
	size_t i;
	const json_t *v;

	if (!name)
		return NULL;
	if (json_is_object(section)) {
		v = json_object_get(section, name);
		if (v && ret_name)
			*ret_name = json_object_iter_key(json_object_iter_at((json_t *)section, name));
		return json_is_object(v) ? v : NULL;
	}
	json_array_foreach (section, i, v) {
		const char *n = json_string_value(json_object_get(v, "name"));

		if (n && strcmp(n, name) == 0) {
			if (ret_name)
				*ret_name = n;
			return v;
		}
	}
	return NULL;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s && *s ? s : NULL;
}

void notify_person_lookup(const json_t *checklist, const char *name, struct notify_person *ret)
{
	const json_t *p = named(json_object_get(checklist, "people"), name, NULL);

	memset(ret, 0, sizeof(*ret));
	if (!name)
		return;
	ret->name = name;
	ret->display = name;
	if (!p)
		return;
	if (str(p, "display"))
		ret->display = str(p, "display");
	else if (json_is_object(json_object_get(checklist, "people")) && str(p, "name"))
		ret->display = str(p, "name");   /* keyed by name: `name:` is the display name */
	ret->mobile = str(p, "mobile");
	ret->slack = str(p, "slack");
}

static const json_t *channels_section(const json_t *checklist)
{
	const json_t *c = json_object_get(checklist, "channels");

	if (!c)
		c = json_object_get(json_object_get(checklist, "notify"), "channels");
	return c;
}

int notify_channel_lookup(const json_t *checklist, const char *name, struct notify_channel *ret)
{
	const char *key = name;
	const json_t *c = named(channels_section(checklist), name, &key);
	const json_t *rate;

	memset(ret, 0, sizeof(*ret));
	if (!c)
		return -ENOENT;
	ret->name = key;
	ret->kind = str(c, "kind");
	ret->url_env = str(c, "url_env");
	ret->url_file = str(c, "url_file");
	ret->secret_env = str(c, "secret_env");
	ret->secret_file = str(c, "secret_file");
	ret->format = str(c, "format") ? str(c, "format") : "markdown";
	rate = json_object_get(c, "rate_per_min");
	ret->rate_per_min = json_is_integer(rate) && json_integer_value(rate) > 0 &&
					    json_integer_value(rate) <= 100000
				    ? (unsigned)json_integer_value(rate)
				    : 20;
	return ret->kind ? 0 : -ENOENT;
}

size_t notify_alert_channels(const json_t *checklist, const char **names, size_t max)
{
	const json_t *sel = json_object_get(json_object_get(checklist, "alerts"), "channels");
	const json_t *all = channels_section(checklist), *v;
	const char *k;
	size_t i, n = 0;

	if (json_is_array(sel) && json_array_size(sel) > 0) {
		json_array_foreach (sel, i, v)
			if (json_is_string(v) && n < max)
				names[n++] = json_string_value(v);
		return n;
	}
	if (json_is_object(all)) {
		json_t *vv;

		json_object_foreach ((json_t *)all, k, vv)
			if (n < max)
				names[n++] = k;
		return n;
	}
	json_array_foreach (all, i, v)
		if (str(v, "name") && n < max)
			names[n++] = str(v, "name");
	return n;
}

void notify_format_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, len, "-");
}

void notify_format_span(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;

	if (s >= 3600)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else
		snprintf(buf, len, "%llds", (long long)s);
}

/* How the message names the subject in its title. */
static void title(const struct notify_alert *a, struct buf *b)
{
	const char *what = a->item_id ? a->item_id : "item";

	if (a->followup_id) {
		if (strcmp(a->stage, "followup-open") == 0)
			buf_printf(b, "Follow-up #%lld opened for %s: RCA needed", (long long)a->followup_id, what);
		else if (a->escalate)
			buf_printf(b, "Follow-up #%lld (%s): RCA overdue, escalated", (long long)a->followup_id, what);
		else if (a->reminder)
			buf_printf(b, "Follow-up #%lld (%s): RCA still overdue (reminder %u)",
				   (long long)a->followup_id, what, a->reminder);
		else
			buf_printf(b, "Follow-up #%lld (%s): RCA overdue", (long long)a->followup_id, what);
	} else if (a->escalate) {
		buf_printf(b, "%s is overdue: escalated", what);
	} else if (a->reminder) {
		buf_printf(b, "%s is still overdue (reminder %u)", what, a->reminder);
	} else {
		buf_printf(b, "%s is overdue", what);
	}
}

enum style { STYLE_PLAIN, STYLE_MARKDOWN, STYLE_SLACK };

/* Slack's mrkdwn takes &, < and > only as entities. */
static void put(struct buf *b, enum style st, const char *s)
{
	if (st != STYLE_SLACK) {
		buf_puts(b, s ? s : "");
		return;
	}
	for (; s && *s; s++) {
		if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else
			buf_append(b, s, 1);
	}
}

/* A person as this style mentions them. */
static void person(struct buf *b, enum style st, const struct notify_person *p, bool at_mobile)
{
	if (!p->name) {
		buf_puts(b, "(no owner)");
		return;
	}
	if (st == STYLE_SLACK && p->slack) {
		buf_printf(b, "<@%s>", p->slack);
		return;
	}
	put(b, st, p->display);
	if (at_mobile && p->mobile)
		buf_printf(b, " @%s", p->mobile);
}

static void label(struct buf *b, enum style st, const char *l)
{
	if (st == STYLE_MARKDOWN)
		buf_printf(b, "\n> **%s:** ", l);
	else if (st == STYLE_SLACK)
		buf_printf(b, "\n*%s:* ", l);
	else
		buf_printf(b, "\n%s: ", l);
}

/* The message: a title line and one line per fact. at_mobile: write
 * "@mobile" after names (DingTalk needs it in the text to highlight). */
static void body(const struct notify_alert *a, enum style st, bool at_mobile, struct buf *b)
{
	char t[64], span[32];
	struct buf tb;

	buf_init(&tb, 1024);
	title(a, &tb);
	if (st == STYLE_MARKDOWN)
		buf_puts(b, "### ");
	else if (st == STYLE_SLACK)
		buf_puts(b, "*");
	put(b, st, buf_str(&tb));
	if (st == STYLE_SLACK)
		buf_puts(b, "*");
	buf_release(&tb);

	label(b, st, "Run");
	put(b, st, a->run_name ? a->run_name : "run");
	buf_printf(b, " #%lld", (long long)a->run_id);
	if (a->env) {
		buf_puts(b, " (");
		put(b, st, a->env);
		buf_puts(b, ")");
	}
	if (a->item_id) {
		label(b, st, "Item");
		put(b, st, a->item_id);
		if (a->item_title) {
			buf_puts(b, " ");
			put(b, st, a->item_title);
		}
	}
	if (a->summary) {
		label(b, st, "Why");
		put(b, st, a->summary);
	}
	label(b, st, "Owner");
	person(b, st, &a->item_owner, at_mobile);
	if (a->escalate && a->to.name) {
		label(b, st, "Escalated to");
		person(b, st, &a->to, at_mobile);
	}
	notify_format_time(a->due_ms, t, sizeof(t));
	label(b, st, a->followup_id ? "RCA due" : "Due");
	buf_puts(b, t);
	if (a->now_ms > a->due_ms && a->due_ms > 0) {
		notify_format_span(a->now_ms - a->due_ms, span, sizeof(span));
		buf_printf(b, " (overdue %s)", span);
	}
	if (a->followup_id && strcmp(a->stage, "followup-open") == 0) {
		buf_printf(b, "\nClose it with: preflight followup close %lld --rca TEXT --by NAME",
			   (long long)a->followup_id);
	}
}

/* The people to mention by mobile, without repeats. */
static json_t *mobiles(const struct notify_alert *a)
{
	const struct notify_person *ps[3] = { &a->to, &a->mention, &a->item_owner };
	json_t *arr = json_array();
	size_t i, j;
	json_t *v;

	for (i = 0; arr && i < 3; i++) {
		bool dup = false;

		if (!ps[i]->name || !ps[i]->mobile)
			continue;
		json_array_foreach (arr, j, v)
			dup = dup || strcmp(json_string_value(v), ps[i]->mobile) == 0;
		if (!dup)
			json_array_append_new(arr, json_string(ps[i]->mobile));
	}
	return arr;
}

/* Cuts s to at most max bytes on a UTF-8 character boundary. */
static void cut_utf8(struct buf *b, size_t max)
{
	size_t n = b->len;

	if (n <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)b->data[n] & 0xC0) == 0x80)
		n--;
	b->len = n;
	b->data[n] = '\0';
}

static json_t *render_wecom(const char *format, const struct notify_alert *a)
{
	json_t *mob = mobiles(a), *ret;
	struct buf b;
	/* WeCom markdown mentions only <@userid>; people have phone numbers,
	 * so a message that must page someone goes as text */
	bool text = strcmp(format, "text") == 0 || json_array_size(mob) > 0;

	buf_init(&b, TEXT_MAX);
	body(a, text ? STYLE_PLAIN : STYLE_MARKDOWN, false, &b);
	cut_utf8(&b, text ? WECOM_TEXT_MAX : WECOM_MARKDOWN_MAX);
	if (text)
		ret = json_pack("{s:s,s:{s:s%,s:o}}", "msgtype", "text", "text", "content", buf_str(&b), b.len,
				"mentioned_mobile_list", mob);
	else {
		ret = json_pack("{s:s,s:{s:s%}}", "msgtype", "markdown", "markdown", "content", buf_str(&b), b.len);
		json_decref(mob);
	}
	buf_release(&b);
	return ret;
}

static json_t *render_dingtalk(const char *format, const struct notify_alert *a)
{
	json_t *mob = mobiles(a), *ret;
	struct buf b, t;
	bool text = strcmp(format, "text") == 0;

	buf_init(&b, TEXT_MAX);
	buf_init(&t, 1024);
	body(a, text ? STYLE_PLAIN : STYLE_MARKDOWN, true, &b);
	cut_utf8(&b, DINGTALK_TEXT_MAX);
	title(a, &t);
	if (text)
		ret = json_pack("{s:s,s:{s:s%},s:{s:o,s:b}}", "msgtype", "text", "text", "content", buf_str(&b), b.len,
				"at", "atMobiles", mob, "isAtAll", 0);
	else
		ret = json_pack("{s:s,s:{s:s%,s:s%},s:{s:o,s:b}}", "msgtype", "markdown", "markdown", "title",
				buf_str(&t), t.len, "text", buf_str(&b), b.len, "at", "atMobiles", mob, "isAtAll", 0);
	buf_release(&b);
	buf_release(&t);
	return ret;
}

static json_t *render_slack(const struct notify_alert *a)
{
	struct buf b, fb;
	json_t *ret;

	buf_init(&b, TEXT_MAX);
	buf_init(&fb, 2048);
	body(a, STYLE_SLACK, false, &b);
	cut_utf8(&b, 3000);   /* a section's text field */
	/* the notification fallback: the title and who */
	title(a, &fb);
	buf_puts(&fb, " ");
	person(&fb, STYLE_SLACK, a->escalate && a->to.name ? &a->to : &a->item_owner, false);
	ret = json_pack("{s:s%,s:[{s:s,s:{s:s,s:s%}}]}", "text", buf_str(&fb), fb.len, "blocks", "type", "section",
			"text", "type", "mrkdwn", "text", buf_str(&b), b.len);
	buf_release(&b);
	buf_release(&fb);
	return ret;
}

static json_t *opt_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *render_webhook(const struct notify_alert *a)
{
	struct buf b;
	char due[64];
	json_t *ret;
	time_t t = (time_t)(a->due_ms / 1000);
	struct tm tm;

	buf_init(&b, TEXT_MAX);
	body(a, STYLE_PLAIN, false, &b);
	if (a->due_ms > 0 && gmtime_r(&t, &tm))
		strftime(due, sizeof(due), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(due, sizeof(due), "-");
	ret = json_pack("{s:s,s:s,s:I,s:o,s:o,s:o,s:I,s:s,s:o,s:o,s:o,s:I,s:s%}", "event",
			a->followup_id ? "followup" : "item", "id", a->id, "run", (json_int_t)a->run_id, "run_name",
			opt_string(a->run_name), "env", opt_string(a->env), "item", opt_string(a->item_id),
			"followup", (json_int_t)a->followup_id, "stage", a->stage, "owner",
			opt_string(a->item_owner.name), "to", opt_string(a->to.name), "due",
			a->due_ms > 0 ? json_string(due) : json_null(), "due_ms", (json_int_t)a->due_ms, "text",
			buf_str(&b), b.len);
	buf_release(&b);
	return ret;
}

json_t *notify_render(const char *kind, const char *format, const struct notify_alert *a)
{
	if (!kind)
		return NULL;
	if (!format)
		format = "markdown";
	if (strcmp(kind, "wecom") == 0)
		return render_wecom(format, a);
	if (strcmp(kind, "dingtalk") == 0)
		return render_dingtalk(format, a);
	if (strcmp(kind, "slack") == 0)
		return render_slack(a);
	if (strcmp(kind, "webhook") == 0)
		return render_webhook(a);
	return NULL;
}

json_t *notify_render_jira(const json_t *jira, const char *parent_ticket, const struct notify_alert *a)
{
	const char *project = str(jira, "project");
	const char *parent = parent_ticket ? parent_ticket : str(jira, "parent");
	const char *type = str(jira, "issue_type") ? str(jira, "issue_type") : "Sub-task";
	struct buf s, d;
	json_t *ret;

	if (!project || !parent)
		return NULL;
	buf_init(&s, 1024);
	buf_init(&d, TEXT_MAX);
	buf_printf(&s, "RCA: %s %s", a->item_id ? a->item_id : "item", a->item_title ? a->item_title : "failed");
	cut_utf8(&s, 255);   /* Jira's summary limit */
	body(a, STYLE_PLAIN, false, &d);
	ret = json_pack("{s:{s:{s:s},s:{s:s},s:{s:s},s:s%,s:s%}}", "fields", "project", "key", project, "parent",
			"key", parent, "issuetype", "name", type, "summary", buf_str(&s), s.len, "description",
			buf_str(&d), d.len);
	buf_release(&s);
	buf_release(&d);
	return ret;
}
