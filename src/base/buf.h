/* buf: a growable byte buffer with a hard maximum size.
 *
 * Every buffer that holds outside input (HTTP bodies, /proc files, dumps)
 * is created with a named maximum, so hostile or runaway input cannot grow
 * it without bound (the idea of curl's dynbuf). The data is always
 * NUL-terminated so text parsers can use it directly.
 */
#ifndef PREFLIGHT_BUF_H
#define PREFLIGHT_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;   /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;   /* appends that would exceed this fail with -E2BIG */
};

#define BUF_INIT(maxsize) { NULL, 0, 0, (maxsize) }

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
/* 0, -ENOMEM, or -E2BIG when the result would exceed b->max. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the data to the caller (who frees it) and resets the buffer. */
char *buf_detach(struct buf *b);
/* Returns the data, "" for an empty buffer; never NULL. */
const char *buf_str(const struct buf *b);

#endif
