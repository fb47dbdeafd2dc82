/* libFuzzer target for the back field of the board's action forms
 * (board_back_parse in src/serve/board_back.c): after a refusal without
 * JavaScript the page named there is rendered again, so it is outside
 * input. Beyond not crashing, the harness holds the parser to its
 * contract: anything not a local path is BACK_OTHER, a run page or an
 * item page has a positive run, an item page a non-empty item id, and the
 * strings it hands out live inside its own copy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/board.h"

static void inside(const struct board_back *b, const char *s, size_t n)
{
	if (s && (s < b->storage || s > b->storage + n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct board_back b;
	char *s;

	if (size > 4096)
		return 0;
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (board_back_parse(s, &b) == 0) {
		if (!board_local_path(s) && b.page != BACK_OTHER)
			abort();
		if ((b.page == BACK_RUN || b.page == BACK_ITEM) && b.run_id <= 0)
			abort();
		if (b.page == BACK_ITEM && (!b.item_id || !*b.item_id))
			abort();
		inside(&b, b.item_id, size);
		inside(&b, b.filter.env, size);
		inside(&b, b.filter.module, size);
		inside(&b, b.filter.owner, size);
		inside(&b, b.filter.status, size);
		board_back_release(&b);
	}
	free(s);
	return 0;
}
