#include "base/utf8.h"

#include <stdlib.h>
#include <string.h>

size_t utf8_next(const char *s, size_t n, unsigned *ret_cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp, min;
	size_t len;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*ret_cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2, cp = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3, cp = p[0] & 0x0f, min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4, cp = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_cp = cp;
	return len;
}

bool utf8_valid(const char *s, size_t n)
{
	unsigned cp;

	for (size_t i = 0, len; i < n; i += len) {
		len = utf8_next(s + i, n - i, &cp);
		if (!len)
			return false;
	}
	return true;
}

size_t utf8_encode(unsigned cp, char out[4])
{
	unsigned char *o = (unsigned char *)out;

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

void utf8_write_escaped(FILE *out, const char *s, utf8_escape_fn escape, void *arg)
{
	size_t n = s ? strlen(s) : 0, i = 0;

	while (i < n) {
		char scratch[8];
		const char *rep;
		unsigned cp;
		size_t len = utf8_next(s + i, n - i, &cp);

		if (len == 0) {
			fputs(UTF8_REPLACEMENT, out);
			i++;
			continue;
		}
		rep = escape ? escape(cp, scratch, arg) : NULL;
		if (rep)
			fputs(rep, out);
		else
			fwrite(s + i, 1, len, out);
		i += len;
	}
}

char *utf8_sanitize(const char *s)
{
	size_t n = strlen(s), i = 0, o = 0;
	/* Each invalid byte grows to 3. */
	char *out = malloc(n * 3 + 1);

	if (!out)
		return NULL;
	while (i < n) {
		unsigned cp;
		size_t len = utf8_next(s + i, n - i, &cp);

		if (len == 0) {
			memcpy(out + o, UTF8_REPLACEMENT, 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, s + i, len);
		o += len;
		i += len;
	}
	out[o] = '\0';
	return out;
}
