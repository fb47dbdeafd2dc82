/* fact_err: why a part of the facts could not be read, in one shape for
 * every part (numa, cgroup, clock, tcp, each file of /proc/PID, each Go
 * surface), so a check quotes it the same way everywhere:
 * "could not read X: <msg>".
 */
#ifndef PREFLIGHT_FACTS_FACT_ERR_H
#define PREFLIGHT_FACTS_FACT_ERR_H

#include <stdbool.h>

#include "base/err.h"

#define FACTS_ERR_MAX 256

struct fact_err {
	int code;                         /* 0, or a negative errno / -PF_E* */
	char msg[FACTS_ERR_MAX];          /* "" while code is 0; never "" once set */
};

/* Records a failure: code (< 0) and the message e carries, or
 * err_str(code) when e is NULL or empty. Longer messages are cut. */
void fact_err_set(struct fact_err *fe, int code, const struct err *e);

/* The same with a message made here. */
void fact_err_setf(struct fact_err *fe, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static inline bool fact_err_failed(const struct fact_err *fe)
{
	return fe->code < 0;
}

#endif
