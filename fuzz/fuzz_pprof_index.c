/* libFuzzer target for the pprof index page parser (/debug/pprof/, which
 * a target serves and preflight reads before every goroutine dump). The
 * input is the page, not NUL-terminated. Seeds: fuzz/corpus/pprof_index/. */
#include <stddef.h>
#include <stdint.h>

#include "goruntime/pprof_index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pprof_index x;
	struct err e;
	size_t known;

	if (pprof_index_counts((const char *)data, size, &x, &e) < 0)
		return 0;
	/* Success means a goroutine count, and every known profile that has
	 * a count was counted among the rows. */
	known = x.goroutine.ok + x.heap.ok + x.allocs.ok + x.block.ok + x.mutex.ok + x.threadcreate.ok;
	if (!x.goroutine.ok || x.n_profiles < known)
		__builtin_trap();
	return 0;
}
