/* loops: the deadline and outbox loop of `preflight notify` inside the
 * server (notify_once every notify_interval_s), on its own thread with its
 * own store connection, so one process keeps a launch moving. The outbox
 * is claimed under a lease owned by "host:pid", so several servers on one
 * PostgreSQL store never deliver a message twice. A timed wait on a
 * condition variable, not a sleep: serve_stop ends it at once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "notify/notify.h"
#include "serve/serve_internal.h"

struct serve_loops {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool stop;
	char owner[300];
};

static void deadline_in(struct timespec *ts, double s)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)s;
	ts->tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *loop(void *arg)
{
	struct serve *sv = arg;
	struct serve_loops *l = sv->loops;
	struct store *s = NULL;
	struct notify_opts o = { .owner = l->owner, .timeout_s = sv->cfg.notify_timeout_s, .max_batch = 1000 };
	bool failing = false;

	pthread_mutex_lock(&l->lock);
	while (!l->stop) {
		struct notify_stats st = { 0 };
		struct err e = { "" };
		struct timespec ts;
		int r;

		pthread_mutex_unlock(&l->lock);
		r = s ? 0 : store_open(sv->cfg.db, &s, &e);
		if (r == 0)
			r = notify_once(s, serve_now_ms(), &o, &st, &e);
		if (r < 0) {
			/* a store gone for a moment: say so once, try again next round */
			if (!failing)
				serve_log(sv, "notify: %s", e.msg);
			failing = true;
			store_close(s);
			s = NULL;
		} else {
			if (failing)
				serve_log(sv, "notify: the store answers again");
			failing = false;
			if (st.queued || st.sent || st.retried || st.dead || st.held)
				serve_log(sv, "notify: queued %u, sent %u, retry later %u, dead %u, held by rate limit %u",
					  st.queued, st.sent, st.retried, st.dead, st.held);
		}
		pthread_mutex_lock(&l->lock);
		deadline_in(&ts, sv->cfg.notify_interval_s);
		while (!l->stop && pthread_cond_timedwait(&l->cond, &l->lock, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&l->lock);
	store_close(s);
	return NULL;
}

int serve_loops_start(struct serve *sv, struct err *e)
{
	struct serve_loops *l;
	pthread_condattr_t ca;
	char host[256] = "host";
	int r;

	if (sv->cfg.notify_interval_s <= 0)
		return 0;
	l = calloc(1, sizeof(*l));
	if (!l)
		return err_set(e, -ENOMEM, "out of memory");
	gethostname(host, sizeof(host) - 1);
	snprintf(l->owner, sizeof(l->owner), "%s:%ld", host, (long)getpid());
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cond, &ca);
	pthread_condattr_destroy(&ca);
	sv->loops = l;
	r = pthread_create(&l->thread, NULL, loop, sv);
	if (r) {
		pthread_cond_destroy(&l->cond);
		pthread_mutex_destroy(&l->lock);
		free(l);
		sv->loops = NULL;
		return err_errno(e, -r, "cannot start the notify loop");
	}
	return 0;
}

void serve_loops_stop(struct serve *sv)
{
	struct serve_loops *l = sv->loops;

	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	l->stop = true;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->thread, NULL);   /* at most one delivery's timeout away */
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	free(l);
	sv->loops = NULL;
}
