/* sign: DingTalk's signed mode and keeping secrets out of words
 * (docs/notify.md, "Secrets"). */
#ifndef PREFLIGHT_NOTIFY_SIGN_H
#define PREFLIGHT_NOTIFY_SIGN_H

#include <stddef.h>
#include <stdint.h>

/* sign = urlencode(base64(HMAC-SHA256(key = secret, "TS\nsecret"))), as
 * DingTalk checks it (its clock within an hour of TS). Into out; 0, or
 * -E2BIG / -EIO. */
int notify_dingtalk_sign(const char *secret, int64_t ts_ms, char *out, size_t len);
/* url + "&timestamp=TS&sign=SIGN" ("?" when url has no query) into out. */
int notify_dingtalk_url(const char *url, const char *secret, int64_t ts_ms, char *out, size_t len);

/* Percent-encodes everything but RFC 3986's unreserved characters. */
int notify_urlencode(const char *s, size_t n, char *out, size_t len);

/* Replaces, in place, every occurrence in s of each secret (NULL-ended
 * list; NULLs and secrets under 4 bytes are skipped) with "***". */
void notify_redact(char *s, const char *const *secrets);

#endif
