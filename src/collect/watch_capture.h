/* watch_capture: the fetches of one `preflight watch` event, so the
 * command keeps no I/O of its own: the heap profile, the goroutine
 * profile (debug=1, with the count its header gives) and, when the
 * command decided it may, the debug=2 dump. What to keep is the store's
 * business (io/watch_store.h); whether a debug=2 dump is affordable is
 * watch_debug2_decide's (check/watch_trigger.h).
 */
#ifndef PREFLIGHT_WATCH_CAPTURE_H
#define PREFLIGHT_WATCH_CAPTURE_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "io/fetch.h"

/* The size cap of one saved profile (the body buffer's maximum). */
#define WATCH_CAPTURE_MAX FETCH_PROFILE_MAX

enum watch_profile {
	WATCH_PROFILE_HEAP,        /* /debug/pprof/heap (debug=0, gzipped protobuf) */
	WATCH_PROFILE_GOROUTINE1,  /* /debug/pprof/goroutine?debug=1 */
	WATCH_PROFILE_GOROUTINE2,  /* /debug/pprof/goroutine?debug=2 */
};

/* The request path of a profile: for messages. */
const char *watch_profile_path(enum watch_profile p);

/* Fetches one profile from base into body (reset first), within
 * timeout_ms and the profile size cap. *ret_kind and *ret_suffix get the
 * store's names for it ("heap" ".pb.gz", or ".pb" when it came without
 * gzip; "goroutine" ".txt"; "goroutine" ".debug2.txt"). For debug=1,
 * *ret_total (may be NULL) gets the header's goroutine count, 0 when the
 * body is not a goroutine profile. Returns 0, or as go_fetch (e filled). */
int watch_capture_profile(const char *base, enum watch_profile p, long timeout_ms, struct buf *body,
			  const char **ret_kind, const char **ret_suffix, uint64_t *ret_total, struct err *e);

#endif
