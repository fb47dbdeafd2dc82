/* answer: what a robot's or Jira's answer means for the message
 * (docs/notify.md, "Delivery"): sent, retry later, or dead. Pure: the
 * parsers of outside input, fuzzed by fuzz/fuzz_notify_answer.c.
 *
 *   wecom, dingtalk  HTTP 200 with {"errcode":0,"errmsg":"ok"} is sent;
 *                    rate limits (WeCom 45009, DingTalk 130101) and
 *                    "system busy" (-1) retry; every other errcode (WeCom
 *                    93000 invalid key, DingTalk 310000 sign/keyword/IP,
 *                    300001 token, ...) is dead at once, in their words.
 *   slack            200 ("ok") is sent; 429 retries; 400/403/404/410
 *                    (invalid_payload, no_service, ...) are dead.
 *   webhook          2xx is sent; 408/425/429 retry; other 4xx dead.
 *   jira             201 {"id","key","self"} is sent (key kept); 400
 *                    {"errorMessages":[...],"errors":{field:msg}} is dead
 *                    with Jira's words; 401/403 dead ("check
 *                    PREFLIGHT_JIRA_TOKEN"); 429 retries.
 *   every kind       5xx and no answer (timeout, refused) retry; a 200
 *                    whose body cannot be read retries (the robot may not
 *                    have taken it).
 */
#ifndef PREFLIGHT_NOTIFY_ANSWER_H
#define PREFLIGHT_NOTIFY_ANSWER_H

#include <stddef.h>
#include <stdint.h>

enum notify_verdict { NOTIFY_SENT = 0, NOTIFY_RETRY, NOTIFY_DEAD };

struct notify_answer {
	enum notify_verdict verdict;
	int64_t retry_after_ms;   /* from Retry-After (0: none) */
	char why[256];            /* one line: "errcode 93000: invalid webhook url" (printable, capped) */
	char jira_key[64];        /* Jira 201: the created issue's key, or "" */
};

/* Reads the answer to a message of kind (wecom, dingtalk, slack, webhook,
 * jira): status 0 means no answer arrived (transport error). retry_after
 * is the header as sent ("" or NULL when none): seconds, or an HTTP date
 * measured from now_ms. */
void notify_answer_parse(const char *kind, long status, const char *body, size_t len, const char *retry_after,
			 int64_t now_ms, struct notify_answer *ret);

/* Retry-After as milliseconds from now_ms; 0 when absent or unreadable. */
int64_t notify_retry_after_ms(const char *v, int64_t now_ms);

/* Backoff before retry number `attempts` (1 = the first retry): full
 * jitter, a uniformly random delay in [min(1 s, base), min(cap, base *
 * 2^(attempts-1))] with base_ms (0: 5 s) and cap 10 min, from the random
 * value rnd; never shorter than retry_after_ms (itself capped at 1 h). */
#define NOTIFY_BACKOFF_BASE_MS 5000
#define NOTIFY_BACKOFF_CAP_MS 600000
int64_t notify_backoff_ms(unsigned attempts, int64_t base_ms, int64_t retry_after_ms, uint64_t rnd);

#endif
