#include "goruntime/profiles.h"

#include <stdlib.h>
#include <string.h>

void gr_frames_release(struct gr_frame *frames, size_t n)
{
	if (!frames)
		return;
	for (size_t i = 0; i < n; i++) {
		free(frames[i].func);
		free(frames[i].file);
	}
	free(frames);
}

bool gr_frame_is_plumbing(const struct gr_frame *f)
{
	const char *s = f->func;

	/* "internal/" covers internal/sync (sync.Mutex since Go 1.24) and
	 * internal/runtime/...; "runtime/pprof" and the like are not plumbing. */
	return !strncmp(s, "runtime.", 8) || !strncmp(s, "sync.", 5) || !strncmp(s, "sync/atomic.", 12) ||
	       !strncmp(s, "internal/", 9);
}
