/* sign: DingTalk signatures (OpenSSL HMAC) and redaction (sign.h). */
#include "notify/sign.h"

#include "notify/crypto.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int notify_urlencode(const char *s, size_t n, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			     c == '_' || c == '.' || c == '~';

		if (o + (plain ? 1 : 3) >= len)
			return -E2BIG;
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= len)
		return -E2BIG;
	out[o] = '\0';
	return 0;
}

int notify_dingtalk_sign(const char *secret, int64_t ts_ms, char *out, size_t len)
{
	char msg[4200];
	unsigned char mac[CRYPTO_SHA256_LEN];
	char b64[4 * ((CRYPTO_SHA256_LEN + 2) / 3) + 1];
	int n = snprintf(msg, sizeof(msg), "%lld\n%s", (long long)ts_ms, secret);
	int b;

	if (n < 0 || (size_t)n >= sizeof(msg))
		return -E2BIG;
	b = crypto_hmac_sha256(secret, strlen(secret), msg, (size_t)n, mac);
	crypto_wipe(msg, sizeof(msg));
	if (b < 0)
		return b;
	b = crypto_base64(mac, sizeof(mac), b64);
	crypto_wipe(mac, sizeof(mac));
	if (b <= 0)
		return b < 0 ? b : -EIO;
	b = notify_urlencode(b64, (size_t)b, out, len);
	crypto_wipe(b64, sizeof(b64));
	return b;
}

int notify_dingtalk_url(const char *url, const char *secret, int64_t ts_ms, char *out, size_t len)
{
	char sign[256];
	int r = notify_dingtalk_sign(secret, ts_ms, sign, sizeof(sign));
	int n;

	if (r < 0)
		return r;
	n = snprintf(out, len, "%s%stimestamp=%lld&sign=%s", url, strchr(url, '?') ? "&" : "?", (long long)ts_ms,
		     sign);
	crypto_wipe(sign, sizeof(sign));
	return n < 0 || (size_t)n >= len ? -E2BIG : 0;
}

void notify_redact(char *s, const char *const *secrets)
{
	for (size_t i = 0; s && secrets && secrets[i]; i++) {
		size_t n = strlen(secrets[i]);
		char *p;

		if (n < 4)
			continue;
		while ((p = strstr(s, secrets[i])) != NULL) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + n, strlen(p + n) + 1);
		}
	}
}
