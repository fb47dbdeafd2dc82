#include "base/quote.h"

#include <stdbool.h>
#include <string.h>

#include "base/utf8.h"

const char *quote_for_message(const char *s, size_t len, char out[QUOTE_SIZE])
{
	const size_t room = QUOTE_SIZE - 4;   /* "..." and the NUL */
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned cp = 0;
		size_t w = utf8_next(s + i, len - i, &cp);
		/* U+0080..U+009F as UTF-8 are C1 controls: some terminals take
		 * U+009B for CSI. */
		bool keep = w && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0);
		size_t ow = keep ? w : 1;

		if (o + ow > room)
			break;
		if (keep)
			memcpy(out + o, s + i, w);
		else
			out[o] = '?';
		o += ow;
		i += w ? w : 1;
	}
	if (i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
