/* libFuzzer target for the due times `preflight run` resolves
 * (launch_due_ms in src/cmd/launch_common.c): a date or an RFC 3339
 * date-time as a checklist wrote it. Beyond not crashing, the harness
 * holds the parser to its contract: -EINVAL or a time, and a time printed
 * by launch_format_time reads back as the same whole second. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/launch_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checklist_item it = { 0 };
	char *s, back[64];
	int64_t ms = 0, again = 0;
	int r;

	if (size > 64)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	it.due = s;
	r = launch_due_ms(&it, 0, &ms);
	if (r != 0 && r != -EINVAL)
		abort();
	/* years 1970..9999: what a due time can sensibly be */
	if (r == 0 && ms >= 0 && ms < 253402300800000LL) {
		launch_format_time(ms, back, sizeof(back));
		it.due = back;
		if (launch_due_ms(&it, 0, &again) != 0 || again != ms - ms % 1000)
			abort();
	}
	free(s);
	return 0;
}
