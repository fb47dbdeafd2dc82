/* hub: the live feed of `preflight serve` (serve.h, docs/serve.md).
 *
 * One thread with its own store connection tails the event log: every
 * poll interval, or at once when this process says it appended
 * (serve_hub_kick), it asks the store for its last seq; when that grew it
 * reads the new events in bounded batches and keeps each one's
 * Server-Sent-Events frame in a ring. Any process may write the store (the
 * CLI, another `serve` on the same PostgreSQL): this poll is how the
 * server learns of it, for the board's live updates and the stream API
 * alike.
 *
 * The ring holds the newest HUB_KEEP_EVENTS events or HUB_KEEP_BYTES of
 * frames, whichever is smaller. `base` is the seq below which it holds
 * nothing: the hub knows every event with seq > base, so a stream whose
 * cursor is >= base can be fed, and an older one gets -ESTALE (the stream
 * then tells the page to reload). Seqs may have gaps (a PostgreSQL
 * sequence skips on rollback); the store commits them in order, so
 * "seq > last" never misses one.
 *
 * Locks: `lock` (a rwlock) guards the ring; readers are the streams'
 * serve_hub_frames, the one writer is the poll thread. `mu`+`cv` carry
 * the kick, the stop and the waker. last_seq is atomic so handlers read
 * it without either.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/launch_common.h"
#include "serve/serve.h"

#define HUB_KEEP_EVENTS 4096
#define HUB_KEEP_BYTES (4u << 20)
#define HUB_BATCH 512                   /* events read per query */
#define HUB_FRAME_MAX (256u << 10)      /* a bigger event is sent without its data */
#define HUB_HEARTBEAT_S 15.0
#define HUB_ERROR_LOG_S 60.0            /* a failing store is logged at most this often */

struct hub_frame {
	int64_t seq;
	int64_t run_id;
	char *text;                     /* "id: ...\nevent: ...\ndata: ...\n\n" */
	size_t len;
};

struct serve_hub {
	struct serve *sv;               /* for serve_log; NULL in tests: no log */
	struct store *store;            /* the poll thread's own connection */
	double interval_s;

	pthread_rwlock_t lock;          /* the ring */
	struct hub_frame *ring;         /* HUB_KEEP_EVENTS slots, oldest at head */
	size_t head, count, bytes;
	int64_t base;                   /* every event with seq > base is in the ring */

	_Atomic int64_t last_seq;

	pthread_mutex_t mu;             /* kick, stop, waker */
	pthread_cond_t cv;
	bool kicked, stop;
	void (*wake)(void *);
	void *wake_arg;

	pthread_t thread;
	bool started;

	/* the poll thread's own */
	double error_logged_at;         /* monotonic s of the last error logged; 0: none since the last success */
	unsigned errors_since_log;
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define HUB_LOG(h, ...)                                    \
	do {                                               \
		if ((h)->sv)                               \
			serve_log((h)->sv, __VA_ARGS__);   \
	} while (0)

/* ---- frames ------------------------------------------------------------------ */

/* The SSE frame of one event. The event's kind goes on the "event:" line,
 * so a line break in it (never written by preflight, but the store is
 * outside input to this process) is replaced. The data is compact JSON:
 * one line. NULL when memory runs out. */
static char *frame_of(const struct event *ev, size_t *len)
{
	struct buf b = BUF_INIT(HUB_FRAME_MAX + 4096);
	json_t *j = launch_event_json(ev);
	char *data = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	const char *kind = ev->kind ? ev->kind : "event";
	char *out = NULL;

	if (data && strlen(data) > HUB_FRAME_MAX) {
		/* a huge evidence blob: the stream says what happened, the API has the rest */
		free(data);
		json_object_set_new(j, "data", json_pack("{s:b}", "truncated", 1));
		data = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	}
	if (!data)
		goto out;
	if (buf_printf(&b, "id: %lld\nevent: ", (long long)ev->seq) < 0)
		goto out;
	for (const char *p = kind; *p; p++)
		if (buf_append(&b, *p == '\n' || *p == '\r' ? " " : p, 1) < 0)
			goto out;
	if (buf_printf(&b, "\ndata: %s\n\n", data) < 0)
		goto out;
	*len = b.len;
	out = buf_detach(&b);
out:
	buf_release(&b);
	free(data);
	json_decref(j);
	return out;
}

static struct hub_frame *ring_at(struct serve_hub *h, size_t i)
{
	return &h->ring[(h->head + i) % HUB_KEEP_EVENTS];
}

static void ring_drop_oldest(struct serve_hub *h)
{
	struct hub_frame *f = ring_at(h, 0);

	h->base = f->seq;
	h->bytes -= f->len;
	free(f->text);
	f->text = NULL;
	h->head = (h->head + 1) % HUB_KEEP_EVENTS;
	h->count--;
}

/* Adds frames (taking their text) under the write lock, dropping the
 * oldest to stay within the bounds. */
static void ring_push(struct serve_hub *h, struct hub_frame *fr, size_t n)
{
	pthread_rwlock_wrlock(&h->lock);
	for (size_t i = 0; i < n; i++) {
		while (h->count > 0 && (h->count == HUB_KEEP_EVENTS || h->bytes + fr[i].len > HUB_KEEP_BYTES))
			ring_drop_oldest(h);
		*ring_at(h, h->count) = fr[i];
		h->count++;
		h->bytes += fr[i].len;
	}
	pthread_rwlock_unlock(&h->lock);
}

/* ---- the poll ----------------------------------------------------------------- */

static void poll_failed(struct serve_hub *h, const struct err *e)
{
	double now = mono_s();

	if (h->error_logged_at == 0 || now - h->error_logged_at >= HUB_ERROR_LOG_S) {
		if (h->errors_since_log)
			HUB_LOG(h, "hub: reading the store failed: %s (and %u times since the last line); retrying",
				e->msg, h->errors_since_log);
		else
			HUB_LOG(h, "hub: reading the store failed: %s; retrying", e->msg);
		h->error_logged_at = now;
		h->errors_since_log = 0;
	} else {
		h->errors_since_log++;
	}
}

static void poll_succeeded(struct serve_hub *h)
{
	if (h->error_logged_at != 0) {
		HUB_LOG(h, "hub: reading the store works again");
		h->error_logged_at = 0;
		h->errors_since_log = 0;
	}
}

/* Reads every event after the hub's last seq into the ring. Returns the
 * number of events added (>= 0) or a negative code with e filled; what
 * was read before an error stays. */
static long hub_poll(struct serve_hub *h, struct err *e)
{
	int64_t seen = atomic_load(&h->last_seq);
	int64_t last = store_last_seq(h->store, e);
	long added = 0;

	if (last < 0)
		return last;
	while (last > seen) {
		struct event *evs = NULL;
		struct hub_frame *fr;
		size_t n = 0, k = 0;
		int r = store_events(h->store, 0, NULL, seen, HUB_BATCH, &evs, &n, e);

		if (r < 0)
			return r;
		if (n == 0) {
			/* nothing past seen after all (a store replaced under
			 * us): try again at the next poll */
			free(evs);
			break;
		}
		fr = calloc(n, sizeof(*fr));
		for (size_t i = 0; i < n; i++) {
			if (fr) {
				fr[k].text = frame_of(&evs[i], &fr[k].len);
				if (fr[k].text) {
					fr[k].seq = evs[i].seq;
					fr[k].run_id = evs[i].run_id;
					k++;
				}
			}
			seen = evs[i].seq;
			event_release(&evs[i]);
		}
		free(evs);
		if (!fr || k < n) {
			/* out of memory: drop what could not be framed rather than stall;
			 * the streams that needed it are reset */
			pthread_rwlock_wrlock(&h->lock);
			while (h->count)
				ring_drop_oldest(h);
			h->base = seen;
			pthread_rwlock_unlock(&h->lock);
			if (fr)
				for (size_t i = 0; i < k; i++)
					free(fr[i].text);
			k = 0;
			HUB_LOG(h, "hub: out of memory framing events up to seq %lld; streams behind it reset",
				(long long)seen);
		}
		if (k)
			ring_push(h, fr, k);
		free(fr);
		atomic_store(&h->last_seq, seen);
		added += (long)n;
	}
	return added;
}

/* The first look: the newest HUB_KEEP_EVENTS events, so a stream that
 * reconnects after a restart of the server still finds where it was. */
static int hub_prime(struct serve_hub *h, struct err *e)
{
	int64_t last = store_last_seq(h->store, e);
	int64_t from;

	if (last < 0)
		return (int)last;
	from = last > HUB_KEEP_EVENTS ? last - HUB_KEEP_EVENTS : 0;
	h->base = from;
	atomic_store(&h->last_seq, from);
	long r = hub_poll(h, e);
	return r < 0 ? (int)r : 0;
}

static void *hub_main(void *arg)
{
	struct serve_hub *h = arg;
	double last_wake = mono_s();

	for (;;) {
		struct timespec until;
		struct err e = { { 0 } };
		void (*wake)(void *);
		void *wake_arg;
		bool stop;
		long n;

		clock_gettime(CLOCK_MONOTONIC, &until);
		{
			double t = (double)until.tv_sec + (double)until.tv_nsec / 1e9 + h->interval_s;

			until.tv_sec = (time_t)t;
			until.tv_nsec = (long)((t - (double)until.tv_sec) * 1e9);
		}
		pthread_mutex_lock(&h->mu);
		while (!h->kicked && !h->stop)
			if (pthread_cond_timedwait(&h->cv, &h->mu, &until) == ETIMEDOUT)
				break;
		h->kicked = false;
		stop = h->stop;
		pthread_mutex_unlock(&h->mu);
		if (stop)
			break;

		n = hub_poll(h, &e);
		if (n < 0)
			poll_failed(h, &e);
		else
			poll_succeeded(h);

		pthread_mutex_lock(&h->mu);
		wake = h->wake;
		wake_arg = h->wake_arg;
		pthread_mutex_unlock(&h->mu);
		if (wake && (n > 0 || mono_s() - last_wake >= HUB_HEARTBEAT_S)) {
			wake(wake_arg);
			last_wake = mono_s();
		}
	}
	return NULL;
}

/* ---- the interface -------------------------------------------------------------- */

static void hub_free(struct serve_hub *h)
{
	if (!h)
		return;
	while (h->count)
		ring_drop_oldest(h);
	free(h->ring);
	store_close(h->store);
	pthread_rwlock_destroy(&h->lock);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

int serve_hub_start(struct serve *sv, const char *db, double interval_s, struct serve_hub **ret, struct err *e)
{
	struct serve_hub *h = calloc(1, sizeof(*h));
	pthread_condattr_t ca;
	int r;

	if (!h)
		return err_set(e, -ENOMEM, "out of memory");
	h->sv = sv;
	h->interval_s = interval_s > 0 ? interval_s : 0.25;
	atomic_init(&h->last_seq, 0);
	pthread_rwlock_init(&h->lock, NULL);
	pthread_mutex_init(&h->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cv, &ca);
	pthread_condattr_destroy(&ca);
	h->ring = calloc(HUB_KEEP_EVENTS, sizeof(*h->ring));
	if (!h->ring) {
		hub_free(h);
		return err_set(e, -ENOMEM, "out of memory");
	}
	r = store_open(db, &h->store, e);
	if (r < 0 || (r = hub_prime(h, e)) < 0) {
		hub_free(h);
		return r;
	}
	r = pthread_create(&h->thread, NULL, hub_main, h);
	if (r != 0) {
		hub_free(h);
		return err_errno(e, -r, "cannot start the hub's thread");
	}
	h->started = true;
	*ret = h;
	return 0;
}

void serve_hub_stop(struct serve_hub *h)
{
	if (!h)
		return;
	if (h->started) {
		pthread_mutex_lock(&h->mu);
		h->stop = true;
		pthread_cond_signal(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->thread, NULL);
	}
	hub_free(h);
}

int64_t serve_hub_last_seq(const struct serve_hub *h)
{
	return h ? atomic_load(&((struct serve_hub *)h)->last_seq) : 0;
}

void serve_hub_set_waker(struct serve_hub *h, void (*wake)(void *), void *arg)
{
	pthread_mutex_lock(&h->mu);
	h->wake = wake;
	h->wake_arg = arg;
	pthread_mutex_unlock(&h->mu);
}

void serve_hub_kick(struct serve_hub *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->kicked = true;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

/* The index of the first frame with seq > cursor (count when none). */
static size_t ring_after(struct serve_hub *h, int64_t cursor)
{
	size_t lo = 0, hi = h->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ring_at(h, mid)->seq <= cursor)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long serve_hub_frames(struct serve_hub *h, int64_t *cursor, int64_t run_id, struct buf *out, size_t max)
{
	size_t start = out->len;
	long r = 0;

	pthread_rwlock_rdlock(&h->lock);
	if (*cursor < h->base) {
		r = -ESTALE;
		goto out;
	}
	for (size_t i = ring_after(h, *cursor); i < h->count; i++) {
		const struct hub_frame *f = ring_at(h, i);

		if (run_id == 0 || f->run_id == run_id) {
			/* whole frames only; the first one even past max, so a big
			 * event cannot stall a stream */
			if (out->len > start && out->len - start + f->len > max)
				break;
			if (buf_append(out, f->text, f->len) < 0 && out->len > start)
				break;   /* out is full: the rest next time */
			/* (a frame larger than out's own maximum is skipped, not stalled on) */
		}
		*cursor = f->seq;
	}
	r = (long)(out->len - start);
out:
	pthread_rwlock_unlock(&h->lock);
	return r;
}
