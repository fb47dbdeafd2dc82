/* libFuzzer target for the reader of watch's meta files
 * (watch_meta_parse): a file in the capture directory anyone with access
 * to it may have edited, read back by --keep to decide what to delete.
 * The input is the file, not NUL-terminated. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "io/watch_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct watch_capture_info c = { .stem = "20261126T100000Z-gc-cpu" };

	if (watch_meta_parse((const char *)data, size, &c) == 0) {
		/* Accepted: an id that fits, a capture number from 1. */
		if (!c.incident[0] || strlen(c.incident) >= sizeof(c.incident) || c.capture < 1)
			__builtin_trap();
	} else if (strcmp(c.incident, c.stem) || c.capture != 1 || !c.first) {
		/* Refused: the event is the first capture of its own incident. */
		__builtin_trap();
	}
	return 0;
}
