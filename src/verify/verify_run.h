/* verify_run: what the phases of verify_items() share (internal to
 * src/verify). A run has three phases, one after the other, each
 * parallel inside: http and promql items (batches of concurrent
 * requests), exec items (children watched from one poll loop), check
 * items (one collection of the target). Everything runs in the calling
 * thread: http_fetch_all() keeps one cached multi handle and must never be
 * called from two threads, and the callbacks come from that thread.
 */
#ifndef PREFLIGHT_VERIFY_RUN_H
#define PREFLIGHT_VERIFY_RUN_H

#include <stdarg.h>
#include <stdint.h>

#include "verify/verify.h"

struct verify_run {
	const struct checklist *cl;
	const struct verify_opts *o;
	unsigned max_parallel;
};

/* One item under way: its result and its monotonic start. */
struct verify_job {
	size_t index;
	struct verify_result res;
	double t0;   /* monotonic seconds */
};

double verify_mono(void);
int64_t verify_wall_ms(void);

/* Marks the job started (times) and calls on_start. */
void verify_job_start(const struct verify_run *run, struct verify_job *j, size_t index);
/* Sets the job's verdict: status and a printf-style summary. */
void verify_job_set(struct verify_job *j, enum item_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ends the job: duration, on_done, then releases its result. */
void verify_job_done(const struct verify_run *run, struct verify_job *j);

/* The phases. Each returns 0 once all its items ended (every one through
 * verify_job_done), or a negative code when the run itself broke. */
int verify_http_phase(const struct verify_run *run, const size_t *idx, size_t n, struct err *e);
int verify_exec_phase(const struct verify_run *run, const size_t *idx, size_t n, struct err *e);
int verify_check_phase(const struct verify_run *run, const size_t *idx, size_t n, struct err *e);

/* Durations as summaries say them: "300ms", "1.2s", "5m", "1h30m". */
void verify_format_duration(double s, char *out, size_t n);

#endif
