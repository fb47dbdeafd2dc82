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

struct view_cache {
	struct store *s;         /* the connection the view was read through */
	int64_t run_id, seq;     /* the key: the run and the store's newest seq then */
	bool valid;
	struct run_view v;
	/* one item's view (api_item_view), keyed the same way plus the item */
	struct store *item_s;
	int64_t item_run_id, item_seq;
	char *item_id;
	bool item_valid;
	struct run_view item_v;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_key_ok;

static void cache_free(void *p)
{
	struct view_cache *c = p;

	if (c && c->valid)
		run_view_release(&c->v);
	if (c && c->item_valid)
		run_view_release(&c->item_v);
	if (c)
		free(c->item_id);
	free(c);
}

static void cache_init(void)
{
	cache_key_ok = pthread_key_create(&cache_key, cache_free) == 0;
}

/* This thread's cache, NULL when none can be had (then every call reads). */
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
	if (c->valid && c->s == s && c->run_id == run_id && c->seq == seq) {
		run_view_reclock(&c->v, now_ms);
		*ret = &c->v;
		return 0;
	}
	/* The seq read before the view: an event appended in between makes
	 * the key older than the view, so the next call reads again (never
	 * the reverse: a view older than its key). */
	r = store_run_view(s, run_id, now_ms, &v, e);
	if (r < 0)
		return r;
	if (c->valid)
		run_view_release(&c->v);
	c->v = v;
	c->s = s;
	c->run_id = run_id;
	c->seq = seq;
	c->valid = true;
	*ret = &c->v;
	return 0;
}

int api_item_view(struct store *s, int64_t run_id, const char *item_id, int64_t now_ms, const struct run_view **ret,
		  struct err *e)
{
	struct view_cache *c = cache_get();
	struct run_view v = { 0 };
	char *id;
	int64_t seq;
	int r;

	if (!c)
		return err_set(e, -ENOMEM, "out of memory");
	seq = store_last_seq(s, e);
	if (seq < 0)
		return (int)seq;
	/* the whole run, when this thread holds it for this seq */
	if (c->valid && c->s == s && c->run_id == run_id && c->seq == seq)
		return api_run_view(s, run_id, now_ms, ret, e);
	if (c->item_valid && c->item_s == s && c->item_run_id == run_id && c->item_seq == seq &&
	    !strcmp(c->item_id, item_id)) {
		run_view_reclock(&c->item_v, now_ms);
		*ret = &c->item_v;
		return 0;
	}
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
	id = strdup(item_id);
	if (!id) {
		run_view_release(&v);
		return err_set(e, -ENOMEM, "out of memory");
	}
	if (c->item_valid)
		run_view_release(&c->item_v);
	free(c->item_id);
	c->item_v = v;
	c->item_s = s;
	c->item_run_id = run_id;
	c->item_seq = seq;
	c->item_id = id;
	c->item_valid = true;
	*ret = &c->item_v;
	return 0;
}
