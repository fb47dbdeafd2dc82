#include "goruntime/pprof_text.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/array.h"
#include "base/parse.h"

void text_lines_init(struct text_lines *t, const char *body, size_t len)
{
	t->p = body;
	t->end = body + len;
	t->lineno = 0;
}

bool text_lines_next(struct text_lines *t, const char **ret, size_t *ret_len)
{
	const char *nl;
	size_t n;

	if (t->p >= t->end)
		return false;
	nl = memchr(t->p, '\n', (size_t)(t->end - t->p));
	n = nl ? (size_t)(nl - t->p) : (size_t)(t->end - t->p);
	*ret = t->p;
	t->p += n + (nl ? 1 : 0);
	if (n > 0 && (*ret)[n - 1] == '\r')
		n--;
	*ret_len = n;
	t->lineno++;
	return true;
}

const char *text_not_text(const char *body, size_t len)
{
	size_t i = 0;

	if (len >= 2 && (unsigned char)body[0] == 0x1f && (unsigned char)body[1] == 0x8b)
		return "is gzip-compressed, not text (a debug=0 protobuf profile?)";
	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
		i++;
	if (len - i >= 5 && (!strncasecmp(body + i, "<html", 5) || !strncasecmp(body + i, "<!doc", 5) ||
			     !strncasecmp(body + i, "<head", 5) || !strncasecmp(body + i, "<body", 5)))
		return "looks like HTML";
	/* A protobuf profile begins with field 1 (sample_type), tag 0x0a; no
	 * text format here has a NUL or starts with a control byte. */
	if (memchr(body, '\0', len) || (len > 0 && (unsigned char)body[0] < 0x20 && body[0] != '\n' &&
					 body[0] != '\r' && body[0] != '\t'))
		return "holds binary data";
	return NULL;
}

int text_accept(const char **body, size_t *len, const char *prefix, struct err *e)
{
	const char *why;

	if (!*body) {
		*body = "";
		*len = 0;
	}
	why = text_not_text(*body, *len);
	return why ? err_set(e, -PF_EPARSE, "%s: %s", prefix, why) : 0;
}

int text_fail(struct err *e, const char *what, size_t lineno, const char *fmt, ...)
{
	char msg[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(e, -PF_EPARSE, "%s: line %zu: %s", what, lineno, msg);
}

bool text_starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* "0x" and at least one hex digit, nothing else. */
static bool hex_token(const char *s, size_t n)
{
	if (n < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (size_t i = 2; i < n; i++)
		if (!is_hex(s[i]))
			return false;
	return true;
}

bool pprof_pcs_valid(const char *s, size_t len)
{
	size_t i = 1;

	if (len == 0 || s[0] != '@')
		return false;
	while (i < len) {
		size_t start;

		if (s[i] != ' ')
			return false;
		while (i < len && s[i] == ' ')
			i++;
		start = i;
		while (i < len && s[i] != ' ')
			i++;
		if (i > start && !hex_token(s + start, i - start))
			return false;
	}
	return true;
}

char *text_dup(const char *s, size_t n)
{
	char *r = malloc(n + 1);

	if (r) {
		if (n)
			memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

int pprof_frame_parse(const char *line, size_t len, struct gr_frame *ret, struct err *e)
{
	const char *field[4];
	size_t flen[4], nf = 0, i = 1;
	struct gr_frame f = { NULL, NULL, 0 };
	const char *plus = NULL, *colon = NULL;
	uint64_t ln = 0;

	if (len < 2 || line[0] != '#' || line[1] != '\t')
		return err_set(e, -PF_EPARSE, "a frame line starts with '#' and a TAB");
	/* tabwriter pads columns with runs of TABs: empty fields are padding. */
	while (i < len) {
		size_t start;

		while (i < len && line[i] == '\t')
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && line[i] != '\t')
			i++;
		if (nf == 3)
			return err_set(e, -PF_EPARSE, "a frame line has more than 3 fields");
		field[nf] = line + start;
		flen[nf++] = i - start;
	}
	if (nf != 1 && nf != 3)
		return err_set(e, -PF_EPARSE, "a frame line has %zu fields, not 3 (pc, function, file:line) or 1 (pc)",
			       nf);
	if (!hex_token(field[0], flen[0]))
		return err_set(e, -PF_EPARSE, "a frame line's first field is not a 0x program counter");
	if (nf == 3) {
		for (size_t k = flen[1]; k >= 3; k--)
			if (!memcmp(field[1] + k - 3, "+0x", 3)) {
				plus = field[1] + k - 3;
				break;
			}
		if (!plus || plus == field[1] || !hex_token(plus + 1, (size_t)(field[1] + flen[1] - plus - 1)))
			return err_set(e, -PF_EPARSE, "a frame's function does not end in '+0x<offset>'");
		for (size_t k = flen[2]; k > 0; k--)
			if (field[2][k - 1] == ':') {
				colon = field[2] + k - 1;
				break;
			}
		if (!colon || colon == field[2] ||
		    parse_u64_n(colon + 1, (size_t)(field[2] + flen[2] - colon - 1), &ln) < 0 || ln > INT_MAX)
			return err_set(e, -PF_EPARSE, "a frame's location is not '<file>:<line>'");
	}
	f.func = nf == 3 ? text_dup(field[1], (size_t)(plus - field[1])) : text_dup("", 0);
	f.file = nf == 3 ? text_dup(field[2], (size_t)(colon - field[2])) : text_dup("", 0);
	f.line = (int)ln;
	if (!f.func || !f.file) {
		free(f.func);
		free(f.file);
		return err_set(e, -ENOMEM, "out of memory");
	}
	*ret = f;
	return 0;
}

int pprof_frames_push(struct gr_frame **frames, size_t *n, size_t *cap, const struct gr_frame *f)
{
	if (*n >= PPROF_MAX_FRAMES)
		return -E2BIG;
	if (array_reserve(frames, cap, *n, sizeof(**frames), 8) < 0)
		return -ENOMEM;
	(*frames)[(*n)++] = *f;
	return 0;
}

int pprof_frame_line_add(const char *line, size_t len, struct gr_frame **frames, size_t *n, size_t *cap,
			 const char *what, size_t lineno, struct err *e)
{
	struct gr_frame f;
	int r = pprof_frame_parse(line, len, &f, e);

	if (r < 0)
		return r == -PF_EPARSE ? text_fail(e, what, lineno, "%s", e ? e->msg : "bad frame line") : r;
	r = pprof_frames_push(frames, n, cap, &f);
	if (r < 0) {
		free(f.func);
		free(f.file);
		return r == -E2BIG ? text_fail(e, what, lineno, "more than %d frames in one record", PPROF_MAX_FRAMES)
				   : err_set(e, r, "out of memory");
	}
	return 0;
}
