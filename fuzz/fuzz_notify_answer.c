/* libFuzzer target for the parsers of the notifier's outside input: the
 * answers of WeCom, DingTalk, Slack, a generic webhook and Jira, and the
 * Retry-After header. The first byte picks the kind, the second the HTTP
 * status; the rest is the body (and, after a NUL, the Retry-After value).
 * Beyond not crashing, the harness holds the parser to its contract: a
 * verdict among the three, a one-line reason, and a Jira key only on a
 * Jira success. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify/answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { "wecom", "dingtalk", "slack", "webhook", "jira" };
	static const long statuses[] = { 0, 200, 201, 204, 400, 401, 403, 404, 410, 429, 500, 503 };
	struct notify_answer a;
	const char *kind, *body, *ra = "";
	size_t len;
	char *copy;

	if (size < 2)
		return 0;
	kind = kinds[data[0] % 5];
	copy = malloc(size - 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 2, size - 2);
	copy[size - 2] = '\0';
	body = copy;
	len = size - 2;
	if (memchr(copy, '\0', len)) {
		len = strlen(copy);
		ra = copy + len + 1;
	}
	notify_answer_parse(kind, statuses[data[1] % 12], body, len, ra, 1700000000000LL, &a);
	if (a.verdict != NOTIFY_SENT && a.verdict != NOTIFY_RETRY && a.verdict != NOTIFY_DEAD)
		abort();
	if (strchr(a.why, '\n') || a.retry_after_ms < 0 || a.retry_after_ms > 86400 * 1000LL)
		abort();
	if (a.jira_key[0] && (strcmp(kind, "jira") != 0 || a.verdict != NOTIFY_SENT))
		abort();
	free(copy);
	return 0;
}
