#include "report/escape.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes) that is not a
 * C1 control, or 0 when the byte at s must be escaped. */
static size_t safe_seq(const unsigned char *s, size_t n)
{
	unsigned cp;
	size_t len = utf8_next((const char *)s, n, &cp);

	/* U+0080..U+009F: the C1 controls, which terminals obey (CSI = U+009B) */
	if (!len || (cp >= 0x80 && cp <= 0x9F))
		return 0;
	return len;
}

bool term_needs_escape(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		if (p[i] < 0x80) {
			if (p[i] < 0x20 || p[i] == 0x7F)
				return true;
			i++;
			continue;
		}
		size_t len = safe_seq(p + i, n - i);

		if (!len)
			return true;
		i += len;
	}
	return false;
}

static void emit(struct buf *b, FILE *out, const char *s, size_t n)
{
	if (out)
		fwrite(s, 1, n, out);
	else
		(void)buf_append(b, s, n);
}

static void escape_into(struct buf *b, FILE *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char tmp[8];

	if (!term_needs_escape(s, n)) {
		emit(b, out, s, n);
		return;
	}
	emit(b, out, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t len;

		switch (c) {
		case '\t':
			emit(b, out, "\\t", 2);
			i++;
			continue;
		case '\n':
			emit(b, out, "\\n", 2);
			i++;
			continue;
		case '\r':
			emit(b, out, "\\r", 2);
			i++;
			continue;
		case 0x1B:
			emit(b, out, "\\e", 2);
			i++;
			continue;
		case '"':
			emit(b, out, "\\\"", 2);
			i++;
			continue;
		case '\\':
			emit(b, out, "\\\\", 2);
			i++;
			continue;
		default:
			break;
		}
		if (c >= 0x20 && c < 0x7F) {
			emit(b, out, (const char *)p + i, 1);
			i++;
			continue;
		}
		len = c >= 0x80 ? safe_seq(p + i, n - i) : 0;
		if (len) {
			emit(b, out, (const char *)p + i, len);
			i += len;
			continue;
		}
		snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		emit(b, out, tmp, 4);
		i++;
	}
	emit(b, out, "\"", 1);
}

void term_putn(FILE *out, const char *s, size_t n)
{
	if (s)
		escape_into(NULL, out, s, n);
}

void term_puts(FILE *out, const char *s)
{
	if (s)
		escape_into(NULL, out, s, strlen(s));
}

char *term_escape_dup(const char *s)
{
	/* Each byte becomes at most four ("\xNN"), plus the quotes and the
	 * NUL: the exact bound, so no escaped string is ever cut. */
	size_t n = s ? strlen(s) : 0;
	struct buf b = BUF_INIT(n > (SIZE_MAX - 3) / 4 ? SIZE_MAX / 2 : 4 * n + 3);

	escape_into(&b, NULL, s ? s : "", n);
	if (buf_append(&b, "", 1) < 0) {
		buf_release(&b);
		return NULL;
	}
	return b.data;
}
