/* Notification messages: each robot's exact body (WeCom markdown and text
 * with mentioned_mobile_list, DingTalk with at.atMobiles, Slack blocks with
 * <@U..>, the generic webhook's fields, Jira's sub-task), the DingTalk
 * signature against a reference computed with Python's hmac, the answers'
 * verdicts, Retry-After, the backoff bounds and redaction. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/utf8.h"
#include "notify/answer.h"
#include "notify/message.h"
#include "notify/sign.h"

#define DUE 1700000000000LL

static json_t *checklist(void)
{
	return json_loads("{\"name\":\"order launch\",\"owner\":\"carol\","
			  "\"people\":{\"alice\":{\"display\":\"Alice Li\",\"mobile\":\"13800000001\",\"slack\":\"U0ALICE\"},"
			  "\"carol\":{\"display\":\"Carol\",\"mobile\":\"13800000003\"}},"
			  "\"channels\":[{\"name\":\"ops\",\"kind\":\"wecom\",\"url_env\":\"OPS_URL\"},"
			  "{\"name\":\"ding\",\"kind\":\"dingtalk\",\"url_env\":\"D\",\"secret_env\":\"S\",\"format\":\"text\","
			  "\"rate_per_min\":5}],"
			  "\"alerts\":{\"channels\":[\"ding\"]}}",
			  0, NULL);
}

static void alert_init(const json_t *c, struct notify_alert *a, const char *stage)
{
	memset(a, 0, sizeof(*a));
	a->id = "item:3:ORD-1:0:due";
	a->stage = stage;
	a->run_id = 3;
	a->run_name = "order launch";
	a->env = "prod";
	a->item_id = "ORD-1";
	a->item_title = "orders <db> & cache";
	a->due_ms = DUE;
	a->now_ms = DUE + 65 * 60000;
	notify_person_lookup(c, "alice", &a->to);
	a->item_owner = a->to;
}

static void test_people_and_channels(void **state)
{
	json_t *c = checklist();
	struct notify_person p;
	struct notify_channel ch;
	const char *names[4];

	(void)state;
	notify_person_lookup(c, "alice", &p);
	assert_string_equal(p.display, "Alice Li");
	assert_string_equal(p.mobile, "13800000001");
	notify_person_lookup(c, "nobody", &p);
	assert_string_equal(p.display, "nobody");
	assert_null(p.mobile);
	assert_int_equal(notify_channel_lookup(c, "ding", &ch), 0);
	assert_string_equal(ch.kind, "dingtalk");
	assert_string_equal(ch.secret_env, "S");
	assert_int_equal(ch.rate_per_min, 5);
	assert_int_equal(notify_channel_lookup(c, "ops", &ch), 0);
	assert_int_equal(ch.rate_per_min, 20);
	assert_string_equal(ch.format, "markdown");
	assert_int_equal(notify_channel_lookup(c, "none", &ch), -ENOENT);
	assert_int_equal(notify_alert_channels(c, names, 4), 1);
	assert_string_equal(names[0], "ding");
	json_object_del(c, "alerts");
	assert_int_equal(notify_alert_channels(c, names, 4), 2);
	json_decref(c);
}

static void test_wecom(void **state)
{
	json_t *c = checklist(), *b;
	struct notify_alert a;
	const char *content;

	(void)state;
	alert_init(c, &a, "due");
	/* a mobile to mention: text, whatever the format */
	b = notify_render("wecom", "markdown", &a);
	assert_string_equal(json_string_value(json_object_get(b, "msgtype")), "text");
	content = json_string_value(json_object_get(json_object_get(b, "text"), "content"));
	assert_non_null(strstr(content, "ORD-1 is overdue"));
	assert_non_null(strstr(content, "overdue 1h05m"));
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(b, "text"), "mentioned_mobile_list"), 0)),
			    "13800000001");
	assert_int_equal(json_object_size(b), 2);
	json_decref(b);
	/* nobody with a mobile: markdown */
	notify_person_lookup(c, "dave", &a.to);
	a.item_owner = a.to;
	b = notify_render("wecom", NULL, &a);
	assert_string_equal(json_string_value(json_object_get(b, "msgtype")), "markdown");
	content = json_string_value(json_object_get(json_object_get(b, "markdown"), "content"));
	assert_non_null(strstr(content, "### ORD-1 is overdue"));
	assert_int_equal(json_object_size(json_object_get(b, "markdown")), 1);
	json_decref(b);
	json_decref(c);
}

static void test_wecom_text_cut_at_2048_bytes(void **state)
{
	json_t *c = checklist(), *b;
	struct notify_alert a;
	char *long_title = malloc(5000);

	(void)state;
	for (int i = 0; i < 4998; i += 2)
		memcpy(long_title + i, "\xc3\xa9", 2);   /* é: a cut must not split it */
	long_title[4998] = '\0';
	alert_init(c, &a, "due");
	a.item_title = long_title;
	b = notify_render("wecom", "text", &a);
	const char *content = json_string_value(json_object_get(json_object_get(b, "text"), "content"));
	assert_true(strlen(content) <= WECOM_TEXT_MAX);
	assert_non_null(content);   /* jansson refuses invalid UTF-8: cut on a boundary */
	json_decref(b);
	free(long_title);
	json_decref(c);
}

static void test_dingtalk(void **state)
{
	json_t *c = checklist(), *b, *at;
	struct notify_alert a;

	(void)state;
	alert_init(c, &a, "escalate");
	a.escalate = true;
	notify_person_lookup(c, "carol", &a.to);
	notify_person_lookup(c, "alice", &a.mention);
	b = notify_render("dingtalk", "markdown", &a);
	assert_string_equal(json_string_value(json_object_get(b, "msgtype")), "markdown");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(b, "markdown"), "title")),
			       "escalated"));
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(b, "markdown"), "text")),
			       "@13800000003"));
	at = json_object_get(b, "at");
	assert_int_equal(json_array_size(json_object_get(at, "atMobiles")), 2);
	assert_true(json_is_false(json_object_get(at, "isAtAll")));
	json_decref(b);
	b = notify_render("dingtalk", "text", &a);
	assert_string_equal(json_string_value(json_object_get(b, "msgtype")), "text");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(b, "text"), "content")),
			       "@13800000001"));
	json_decref(b);
	json_decref(c);
}

static void test_slack_and_webhook(void **state)
{
	json_t *c = checklist(), *b;
	struct notify_alert a;
	const char *t;

	(void)state;
	alert_init(c, &a, "remind-2");
	a.reminder = 2;
	b = notify_render("slack", NULL, &a);
	assert_non_null(strstr(json_string_value(json_object_get(b, "text")), "<@U0ALICE>"));
	t = json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(b, "blocks"), 0), "text"),
					      "text"));
	assert_non_null(strstr(t, "orders &lt;db&gt; &amp; cache"));
	assert_non_null(strstr(t, "reminder 2"));
	json_decref(b);
	b = notify_render("webhook", NULL, &a);
	assert_string_equal(json_string_value(json_object_get(b, "id")), "item:3:ORD-1:0:due");
	assert_string_equal(json_string_value(json_object_get(b, "event")), "item");
	assert_int_equal(json_integer_value(json_object_get(b, "run")), 3);
	assert_string_equal(json_string_value(json_object_get(b, "item")), "ORD-1");
	assert_string_equal(json_string_value(json_object_get(b, "stage")), "remind-2");
	assert_string_equal(json_string_value(json_object_get(b, "owner")), "alice");
	assert_string_equal(json_string_value(json_object_get(b, "due")), "2023-11-14T22:13:20Z");
	assert_non_null(json_string_value(json_object_get(b, "text")));
	json_decref(b);
	assert_null(notify_render("pager", NULL, &a));
	json_decref(c);
}

static void test_jira_body(void **state)
{
	json_t *c = checklist(), *jira = json_pack("{s:s,s:s}", "project", "ORD", "parent", "ORD-100"), *b, *f;
	struct notify_alert a;

	(void)state;
	alert_init(c, &a, "followup-open");
	a.followup_id = 7;
	a.summary = "timeout";
	b = notify_render_jira(jira, "ORD-200", &a);
	f = json_object_get(b, "fields");
	assert_string_equal(json_string_value(json_object_get(json_object_get(f, "project"), "key")), "ORD");
	assert_string_equal(json_string_value(json_object_get(json_object_get(f, "parent"), "key")), "ORD-200");
	assert_string_equal(json_string_value(json_object_get(json_object_get(f, "issuetype"), "name")), "Sub-task");
	assert_non_null(strstr(json_string_value(json_object_get(f, "summary")), "ORD-1"));
	assert_non_null(strstr(json_string_value(json_object_get(f, "description")), "timeout"));
	json_decref(b);
	json_object_del(jira, "project");
	assert_null(notify_render_jira(jira, NULL, &a));
	json_decref(jira);
	json_decref(c);
}

static void test_dingtalk_signature(void **state)
{
	char out[512];

	(void)state;
	/* python3: quote_plus(b64encode(hmac.new(s, f"{ts}\n{s}", sha256).digest())) */
	assert_int_equal(notify_dingtalk_sign("SECtestsecret0123", 1700000000000LL, out, sizeof(out)), 0);
	assert_string_equal(out, "MTL81BHdjNwxp7xN1Soy610E%2BqPflnxZ22b6QwS2Ebw%3D");
	assert_int_equal(notify_dingtalk_url("http://h/robot/send?access_token=t", "SECtestsecret0123",
					     1700000000000LL, out, sizeof(out)),
			 0);
	assert_string_equal(out, "http://h/robot/send?access_token=t&timestamp=1700000000000"
				 "&sign=MTL81BHdjNwxp7xN1Soy610E%2BqPflnxZ22b6QwS2Ebw%3D");
	assert_int_equal(notify_dingtalk_url("http://h/x", "SECtestsecret0123", 1, out, 10), -E2BIG);
}

static enum notify_verdict verdict(const char *kind, long status, const char *body)
{
	struct notify_answer a;

	notify_answer_parse(kind, status, body, body ? strlen(body) : 0, NULL, 0, &a);
	return a.verdict;
}

static void test_answers(void **state)
{
	struct notify_answer a;
	const char *j201 = "{\"id\":\"10001\",\"key\":\"ORD-201\",\"self\":\"http://j/10001\"}";
	const char *j93 = "{\"errcode\":93000,\"errmsg\":\"invalid\\nkey\"}";
	const char *j400 = "{\"errorMessages\":[],\"errors\":{\"parent\":\"Could not find issue ORD-999\"}}";

	(void)state;
	assert_int_equal(verdict("wecom", 200, "{\"errcode\":0,\"errmsg\":\"ok\"}"), NOTIFY_SENT);
	assert_int_equal(verdict("wecom", 200, "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}"), NOTIFY_RETRY);
	assert_int_equal(verdict("wecom", 200, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}"), NOTIFY_DEAD);
	assert_int_equal(verdict("wecom", 200, "{\"errcode\":-1,\"errmsg\":\"system busy\"}"), NOTIFY_RETRY);
	assert_int_equal(verdict("wecom", 200, "<html>"), NOTIFY_RETRY);
	assert_int_equal(verdict("wecom", 502, ""), NOTIFY_RETRY);
	assert_int_equal(verdict("wecom", 404, ""), NOTIFY_DEAD);
	assert_int_equal(verdict("dingtalk", 200, "{\"errcode\":130101,\"errmsg\":\"send too fast\"}"), NOTIFY_RETRY);
	assert_int_equal(verdict("dingtalk", 200, "{\"errcode\":310000,\"errmsg\":\"sign not match\"}"), NOTIFY_DEAD);
	assert_int_equal(verdict("dingtalk", 200, "{\"errcode\":300001,\"errmsg\":\"token is not exist\"}"),
			 NOTIFY_DEAD);
	assert_int_equal(verdict("dingtalk", 200, "{\"errcode\":45009}"), NOTIFY_DEAD);   /* WeCom's code only */
	assert_int_equal(verdict("slack", 200, "ok"), NOTIFY_SENT);
	assert_int_equal(verdict("slack", 429, "rate_limited"), NOTIFY_RETRY);
	assert_int_equal(verdict("slack", 400, "invalid_payload"), NOTIFY_DEAD);
	assert_int_equal(verdict("slack", 404, "no_service"), NOTIFY_DEAD);
	assert_int_equal(verdict("webhook", 204, NULL), NOTIFY_SENT);
	assert_int_equal(verdict("webhook", 0, NULL), NOTIFY_RETRY);
	assert_int_equal(verdict("webhook", 503, NULL), NOTIFY_RETRY);
	/* a long Chinese errmsg (DingTalk's are) is cut between characters:
	 * the reason is stored as text */
	{
		char zh[400] = "{\"errcode\":310000,\"errmsg\":\"";

		for (int i = 0; i < 60; i++)
			strcat(zh, "\351\224\231");   /* 错 */
		strcat(zh, "\"}");
		notify_answer_parse("dingtalk", 200, zh, strlen(zh), NULL, 0, &a);
		assert_int_equal(a.verdict, NOTIFY_DEAD);
		assert_true(utf8_valid(a.why, strlen(a.why)));
	}
	assert_int_equal(verdict("webhook", 422, NULL), NOTIFY_DEAD);
	assert_int_equal(verdict("jira", 503, NULL), NOTIFY_RETRY);
	assert_int_equal(verdict("jira", 429, NULL), NOTIFY_RETRY);

	notify_answer_parse("jira", 201, j201, strlen(j201), NULL, 0, &a);
	assert_int_equal(a.verdict, NOTIFY_SENT);
	assert_string_equal(a.jira_key, "ORD-201");
	notify_answer_parse("jira", 400, j400, strlen(j400), NULL, 0, &a);
	assert_int_equal(a.verdict, NOTIFY_DEAD);
	assert_non_null(strstr(a.why, "parent: Could not find issue ORD-999"));
	notify_answer_parse("jira", 401, "", 0, NULL, 0, &a);
	assert_int_equal(a.verdict, NOTIFY_DEAD);
	assert_non_null(strstr(a.why, "PREFLIGHT_JIRA_TOKEN"));
	notify_answer_parse("wecom", 200, j93, strlen(j93), NULL, 0, &a);
	assert_null(strchr(a.why, '\n'));
	assert_string_equal(a.why, "errcode 93000: invalid key");
}

static void test_retry_after_and_backoff(void **state)
{
	(void)state;
	assert_int_equal(notify_retry_after_ms("30", 0), 30000);
	assert_int_equal(notify_retry_after_ms("", 0), 0);
	assert_int_equal(notify_retry_after_ms("soon", 0), 0);
	assert_int_equal(notify_retry_after_ms("Tue, 14 Nov 2023 22:13:30 GMT", DUE), 10000);
	assert_int_equal(notify_retry_after_ms("Tue, 14 Nov 2023 22:13:10 GMT", DUE), 0);
	/* full jitter: [1 s, min(cap, 5 s * 2^(n-1))] */
	assert_int_equal(notify_backoff_ms(1, 0, 0, 0), 1000);
	assert_int_equal(notify_backoff_ms(1, 0, 0, 4000), 5000);
	assert_int_equal(notify_backoff_ms(1, 0, 0, 4001), 1000);
	assert_int_equal(notify_backoff_ms(2, 0, 0, 9000), 10000);
	assert_int_equal(notify_backoff_ms(30, 0, 0, 599000), 600000);
	assert_int_equal(notify_backoff_ms(30, 0, 0, 599001), 1000);
	/* Retry-After wins over a shorter jitter, capped at an hour */
	assert_int_equal(notify_backoff_ms(1, 0, 20000, 0), 20000);
	assert_int_equal(notify_backoff_ms(1, 0, 86400000, 0), 3600000);
	/* a shorter base (tests): [base, base] on the first retry */
	assert_int_equal(notify_backoff_ms(1, 100, 0, 12345), 100);
	assert_int_equal(notify_backoff_ms(3, 100, 0, 300), 400);
}

static void test_redact(void **state)
{
	char s[] = "POST http://127.0.0.1:9/wecom?key=KEY-12345 failed: KEY-12345 sig abc";
	const char *secrets[] = { "http://127.0.0.1:9/wecom?key=KEY-12345", "KEY-12345", "abc", NULL };

	(void)state;
	notify_redact(s, secrets);
	assert_string_equal(s, "POST *** failed: *** sig abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_people_and_channels),
		cmocka_unit_test(test_wecom),
		cmocka_unit_test(test_wecom_text_cut_at_2048_bytes),
		cmocka_unit_test(test_dingtalk),
		cmocka_unit_test(test_slack_and_webhook),
		cmocka_unit_test(test_jira_body),
		cmocka_unit_test(test_dingtalk_signature),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_retry_after_and_backoff),
		cmocka_unit_test(test_redact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
