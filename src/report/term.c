#include "report/term.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/parse.h"

enum term_color_mode term_color_mode_of(const char *when)
{
	if (when && !strcmp(when, "always"))
		return TERM_COLOR_ALWAYS;
	if (when && !strcmp(when, "never"))
		return TERM_COLOR_NEVER;
	return TERM_COLOR_AUTO;
}

void term_detect(FILE *f, enum term_color_mode mode, struct term *ret)
{
	int fd = fileno(f);
	const char *term = getenv("TERM"), *cols = getenv("COLUMNS");
	struct winsize ws;
	uint64_t c;

	memset(ret, 0, sizeof(*ret));
	ret->tty = fd >= 0 && isatty(fd);
	if (mode == TERM_COLOR_ALWAYS)
		ret->color = true;
	else if (mode == TERM_COLOR_AUTO)
		ret->color = ret->tty && !getenv("NO_COLOR") && !(term && !strcmp(term, "dumb"));
	if (!ret->tty)
		return;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		ret->width = ws.ws_col;
	else if (cols && parse_u64(cols, &c) == 0 && c >= 20 && c <= 1000)
		ret->width = (unsigned)c;
	else
		ret->width = 80;
}

/* Columns of n bytes of UTF-8: one per character, not per byte, so an
 * accented name does not wrap early. Wide (CJK) characters take two
 * columns on screen and count one here, so a line of them may run past
 * the edge; wcwidth() would need a UTF-8 locale the tool does not set. */
static unsigned columns(const char *s, size_t n)
{
	unsigned c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

void term_wrap(FILE *out, const char *text, unsigned width, unsigned start, unsigned indent)
{
	unsigned col = start;
	const char *s = text;

	if (width == 0 || width <= indent + 10) {
		fputs(text, out);
		return;
	}
	while (*s) {
		size_t word, spaces = strspn(s, " ");

		if (s[spaces] == '\n') {
			fputc('\n', out);
			s += spaces + 1;
			fprintf(out, "%*s", (int)indent, "");
			col = indent;
			continue;
		}
		word = strcspn(s + spaces, " \n");
		if (!s[spaces])
			break;
		if (col > indent && col + spaces + columns(s + spaces, word) > width) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else {
			fwrite(s, 1, spaces, out);
			col += (unsigned)spaces;
		}
		fwrite(s + spaces, 1, word, out);
		col += columns(s + spaces, word);
		s += spaces + word;
	}
}
