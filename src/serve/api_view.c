/* api_view: the run view the API answers from, kept per worker thread
 * while the store's event log does not move (api.h, api_run_view).
 *
 * Not a second copy of state: the view is derived from the events only,
 * and an event appended by any process (another serve, the CLI) moves
 * store_last_seq, which the key includes, so the next request derives it
 * again. What changes with the clock alone (overdue) is recomputed on
 * every use (run_view_reclock). Figures: docs/api.md, "Performance". */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "serve/api.h"

/* One kept view and its key: the connection it was read through, the run,
 * the store's newest seq then, and the item when it holds one item only. */
struct view_slot {
	struct store *s;
	int64_t run_id, seq;
	char *item_id;           /* NULL: the whole run */
	bool valid;
	struct run_view v;
};

struct view_cache {
	struct view_slot run, item;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_key_ok;

static void slot_clear(struct view_slot *k)
{
	if (k->valid)
		run_view_release(&k->v);
	free(k->item_id);
	memset(k, 0, sizeof(*k));
}

static void cache_free(void *p)
{
	struct view_cache *c = p;

	if (c) {
		slot_clear(&c->run);
		slot_clear(&c->item);
	}
	free(c);
}

static void cache_init(void)
{
	cache_key_ok = pthread_key_create(&cache_key, cache_free) == 0;
}

/* This thread's cache, NULL when none can be had. */
static struct view_cache *cache_get(void)
{
	struct view_cache *c;

	pthread_once(&cache_once, cache_init);
	if (!cache_key_ok)
		return NULL;
	c = pthread_getspecific(cache_key);
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (c && pthread_setspecific(cache_key, c)) {
			free(c);
			c = NULL;
		}
	}
	return c;
}

/* The slot's view re-clocked to now when its key is this one, else NULL. */
static const struct run_view *slot_hit(struct view_slot *k, struct store *s, int64_t run_id, const char *item_id,
				       int64_t seq, int64_t now_ms)
{
	if (!k->valid || k->s != s || k->run_id != run_id || k->seq != seq ||
	    (item_id ? !k->item_id || strcmp(k->item_id, item_id) : k->item_id != NULL))
		return NULL;
	run_view_reclock(&k->v, now_ms);
	return &k->v;
}

/* Keeps v (taken) under the key. The seq was read before the view: an
 * event appended in between makes the key older than the view, so the
 * next call reads again (never the reverse: a view older than its key). */
static const struct run_view *slot_keep(struct view_slot *k, struct store *s, int64_t run_id, const char *item_id,
					int64_t seq, struct run_view *v, struct err *e)
{
	char *id = item_id ? strdup(item_id) : NULL;

	if (item_id && !id) {
		run_view_release(v);
		err_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	slot_clear(k);
	*k = (struct view_slot){ .s = s, .run_id = run_id, .seq = seq, .item_id = id, .valid = true, .v = *v };
	return &k->v;
}

int api_run_view(struct store *s, int64_t run_id, int64_t now_ms, const struct run_view **ret, struct err *e)
{
	struct view_cache *c = cache_get();
	struct run_view v = { 0 };
	int64_t seq;
	int r;

	if (!c)
		return err_set(e, -ENOMEM, "out of memory");
	seq = store_last_seq(s, e);
	if (seq < 0)
		return (int)seq;
	if ((*ret = slot_hit(&c->run, s, run_id, NULL, seq, now_ms)))
		return 0;
	r = store_run_view(s, run_id, now_ms, &v, e);
	if (r < 0)
		return r;
	*ret = slot_keep(&c->run, s, run_id, NULL, seq, &v, e);
	return *ret ? 0 : -ENOMEM;
}

int api_item_view(struct store *s, int64_t run_id, const char *item_id, int64_t now_ms, const struct run_view **ret,
		  struct err *e)
{
	struct view_cache *c = cache_get();
	struct run_view v = { 0 };
	int64_t seq;
	int r;

	if (!c)
		return err_set(e, -ENOMEM, "out of memory");
	seq = store_last_seq(s, e);
	if (seq < 0)
		return (int)seq;
	/* the whole run, when this thread holds it for this seq */
	if ((*ret = slot_hit(&c->run, s, run_id, NULL, seq, now_ms)) ||
	    (*ret = slot_hit(&c->item, s, run_id, item_id, seq, now_ms)))
		return 0;
	/* One item costs the same to derive whatever the run's size: after
	 * each event, a busy item of a 1,000-item run is read again in well
	 * under a millisecond instead of the run's 24 ms (docs/api.md). */
	r = store_item_view(s, run_id, item_id, now_ms, &v, e);
	if (r < 0)
		return r;
	if (!v.n_items) {
		/* no such item: the whole run names the ones it has */
		run_view_release(&v);
		return api_run_view(s, run_id, now_ms, ret, e);
	}
	*ret = slot_keep(&c->item, s, run_id, item_id, seq, &v, e);
	return *ret ? 0 : -ENOMEM;
}
