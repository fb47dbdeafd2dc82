/* fact_err (facts/fact_err.h): pure. */
#include "facts/fact_err.h"

#include <stdarg.h>
#include <stdio.h>

void fact_err_set(struct fact_err *fe, int code, const struct err *e)
{
	fe->code = code;
	/* snprintf cuts a long message at FACTS_ERR_MAX - 1 bytes; a cut
	 * message still says what failed first. */
	snprintf(fe->msg, sizeof(fe->msg), "%s", e && e->msg[0] ? e->msg : err_str(code));
}

void fact_err_setf(struct fact_err *fe, int code, const char *fmt, ...)
{
	va_list ap;

	fe->code = code;
	va_start(ap, fmt);
	vsnprintf(fe->msg, sizeof(fe->msg), fmt, ap);
	va_end(ap);
}
