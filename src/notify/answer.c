/* answer: reading the robots' and Jira's answers (answer.h). */
#include "notify/answer.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/parse.h"
#include "base/utf8.h"

/* Appends to why, keeping it one printable line. */
__attribute__((format(printf, 2, 3))) static void why(struct notify_answer *a, const char *fmt, ...)
{
	size_t n = strlen(a->why);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->why + n, sizeof(a->why) - n, fmt, ap);
	va_end(ap);
	for (char *p = a->why; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	/* It becomes the outbox's last_error and an event's text, which
	 * PostgreSQL refuses unless UTF-8: a "%.160s" of a robot's Chinese
	 * errmsg cut a character (the message then never settled). */
	for (size_t i = 0, len = strlen(a->why); i < len;) {
		unsigned cp;
		size_t k = utf8_next(a->why + i, len - i, &cp);

		if (!k)
			a->why[i] = '?';
		i += k ? k : 1;
	}
}

static void set(struct notify_answer *a, enum notify_verdict v)
{
	a->verdict = v;
}

/* A body as words: its first line, at most 120 bytes. */
static void body_words(struct notify_answer *a, const char *body, size_t len)
{
	size_t n = 0;

	while (n < len && n < 120 && body[n] && body[n] != '\n')
		n++;
	if (n)
		why(a, ": %.*s", (int)n, body);
}

static bool retry_status(long status)
{
	return status == 408 || status == 425 || status == 429 || status >= 500;
}

static void robot(const char *kind, long status, const char *body, size_t len, struct notify_answer *a)
{
	json_t *j = json_loadb(body ? body : "", len, 0, NULL);
	json_t *code = json_object_get(j, "errcode");
	const char *msg = json_string_value(json_object_get(j, "errmsg"));
	json_int_t c;
	bool wecom = strcmp(kind, "wecom") == 0;

	if (!json_is_integer(code)) {
		/* a 200 we cannot read: the robot may not have taken it */
		set(a, NOTIFY_RETRY);
		why(a, "HTTP %ld without an errcode", status);
		body_words(a, body, len);
		goto out;
	}
	c = json_integer_value(code);
	why(a, "errcode %lld", (long long)c);
	if (msg)
		why(a, ": %.160s", msg);
	if (c == 0)
		set(a, NOTIFY_SENT);
	else if (c == -1 || (wecom && c == 45009) || (!wecom && c == 130101))
		set(a, NOTIFY_RETRY);   /* system busy, rate limited */
	else
		set(a, NOTIFY_DEAD);    /* bad key, token, signature, keyword, IP, payload: will not change */
out:
	json_decref(j);
}

static void jira(long status, const char *body, size_t len, struct notify_answer *a)
{
	json_t *j = json_loadb(body ? body : "", len, 0, NULL);
	const char *key = json_string_value(json_object_get(j, "key"));
	json_t *msgs = json_object_get(j, "errorMessages"), *errs = json_object_get(j, "errors"), *v;
	const char *field;
	size_t i;

	if (status == 201 || status == 200) {
		set(a, NOTIFY_SENT);
		why(a, "HTTP %ld", status);
		if (key && strlen(key) < sizeof(a->jira_key)) {
			snprintf(a->jira_key, sizeof(a->jira_key), "%s", key);
			why(a, ": created %s", key);
		}
		goto out;
	}
	set(a, retry_status(status) ? NOTIFY_RETRY : NOTIFY_DEAD);
	why(a, "Jira answered HTTP %ld", status);
	if (status == 401 || status == 403) {
		why(a, ": not allowed, check PREFLIGHT_JIRA_TOKEN (and PREFLIGHT_JIRA_USER for Jira Cloud)");
		goto out;
	}
	json_array_foreach (msgs, i, v)
		if (json_is_string(v))
			why(a, "; %.120s", json_string_value(v));
	if (json_is_object(errs))
		json_object_foreach (errs, field, v)
			if (json_is_string(v))
				why(a, "; %.60s: %.120s", field, json_string_value(v));
	if (!json_is_array(msgs) && !json_is_object(errs))
		body_words(a, body, len);
out:
	json_decref(j);
}

void notify_answer_parse(const char *kind, long status, const char *body, size_t len, const char *retry_after,
			 int64_t now_ms, struct notify_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->retry_after_ms = notify_retry_after_ms(retry_after, now_ms);
	if (!kind)
		kind = "webhook";
	if (!body)
		len = 0;
	if (status <= 0) {
		set(a, NOTIFY_RETRY);
		why(a, "no answer");
		return;
	}
	if (strcmp(kind, "jira") == 0) {
		jira(status, body, len, a);
		return;
	}
	if (retry_status(status)) {
		set(a, NOTIFY_RETRY);
		why(a, "HTTP %ld", status);
		body_words(a, body, len);
		return;
	}
	if (strcmp(kind, "wecom") == 0 || strcmp(kind, "dingtalk") == 0) {
		if (status == 200) {
			robot(kind, status, body, len, a);
			return;
		}
		set(a, NOTIFY_DEAD);
		why(a, "HTTP %ld", status);
		body_words(a, body, len);
		return;
	}
	/* slack and the generic webhook: the status says it */
	if (status >= 200 && status < 300) {
		set(a, NOTIFY_SENT);
		why(a, "HTTP %ld", status);
		return;
	}
	set(a, NOTIFY_DEAD);
	why(a, "HTTP %ld", status);
	body_words(a, body, len);
}

int64_t notify_retry_after_ms(const char *v, int64_t now_ms)
{
	uint64_t s;
	struct tm tm;
	const char *end;
	time_t t;

	if (!v || !*v)
		return 0;
	if (parse_u64(v, &s) == 0)
		return s > 86400 ? 86400 * 1000LL : (int64_t)s * 1000;
	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end)
		return 0;
	t = timegm(&tm);
	if (t == (time_t)-1 || (int64_t)t * 1000 <= now_ms)
		return 0;
	return (int64_t)t * 1000 - now_ms > 86400 * 1000LL ? 86400 * 1000LL : (int64_t)t * 1000 - now_ms;
}

int64_t notify_backoff_ms(unsigned attempts, int64_t base_ms, int64_t retry_after_ms, uint64_t rnd)
{
	int64_t ceil = base_ms > 0 ? base_ms : NOTIFY_BACKOFF_BASE_MS, d;
	int64_t floor = ceil < 1000 ? ceil : 1000;

	for (unsigned i = 1; i < attempts && ceil < NOTIFY_BACKOFF_CAP_MS; i++)
		ceil *= 2;
	if (ceil > NOTIFY_BACKOFF_CAP_MS)
		ceil = NOTIFY_BACKOFF_CAP_MS;
	d = floor + (int64_t)(rnd % (uint64_t)(ceil - floor + 1));
	if (retry_after_ms > 3600 * 1000LL)
		retry_after_ms = 3600 * 1000LL;
	return d < retry_after_ms ? retry_after_ms : d;
}
