/* The fetches of one watch event (watch_capture.h). */
#include "collect/watch_capture.h"

#include <errno.h>
#include <string.h>

#include "goruntime/goroutine.h"
#include "io/fetch.h"

static const char *const paths[] = {
	[WATCH_PROFILE_HEAP] = "/debug/pprof/heap",
	[WATCH_PROFILE_GOROUTINE1] = "/debug/pprof/goroutine?debug=1",
	[WATCH_PROFILE_GOROUTINE2] = "/debug/pprof/goroutine?debug=2",
};

const char *watch_profile_path(enum watch_profile p)
{
	return p <= WATCH_PROFILE_GOROUTINE2 ? paths[p] : "?";
}

int watch_capture_profile(const char *base, enum watch_profile p, long timeout_ms, struct buf *body,
			  const char **ret_kind, const char **ret_suffix, uint64_t *ret_total, struct err *e)
{
	struct fetch_opts o = { .timeout_ms = timeout_ms, .max_bytes = FETCH_PROFILE_MAX };
	char url[600];
	int r;

	if (ret_total)
		*ret_total = 0;
	if (p > WATCH_PROFILE_GOROUTINE2)
		return err_set(e, -EINVAL, "no such profile");
	if (go_url(url, sizeof(url), base, paths[p]) < 0)
		return err_set(e, -ENAMETOOLONG, "'%s%s': URL too long", base, paths[p]);
	r = go_fetch(url, &o, body, e);
	if (r < 0)
		return r;
	*ret_kind = p == WATCH_PROFILE_HEAP ? "heap" : "goroutine";
	switch (p) {
	case WATCH_PROFILE_HEAP:
		/* The runtime gzips debug=0 profiles itself; should something on
		 * the way have undone that, the file says so by its name. */
		*ret_suffix = body->len >= 2 && (unsigned char)body->data[0] == 0x1f &&
					      (unsigned char)body->data[1] == 0x8b
				      ? ".pb.gz"
				      : ".pb";
		break;
	case WATCH_PROFILE_GOROUTINE1:
		*ret_suffix = ".txt";
		if (ret_total) {
			struct gr_snapshot snap = { 0 };
			struct err pe = { "" };

			/* The count of the profile itself: the one the index page
			 * gave may have climbed since the sample that crossed. */
			if (gr_parse(buf_str(body), body->len, url, &snap, &pe) == 0)
				*ret_total = snap.total;
			gr_snapshot_release(&snap);
		}
		break;
	default:
		*ret_suffix = ".debug2.txt";
		break;
	}
	return 0;
}
