/* Fuzzes the checklist loader: libyaml events -> ytree -> validation
 * against the registry. Any input must either load or fail with a
 * positioned message naming the input; never crash, leak or hang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/checklist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checklist c;
	struct err e = { { 0 } };
	int r;

	r = checklist_load_mem((const char *)data, size, "fuzz", &c, &e);
	if (r == 0) {
		if (c.n_items == 0 || c.n_items > CHECKLIST_MAX_ITEMS)
			abort();
		for (size_t i = 0; i < c.n_items; i++)
			if (!c.items[i].def || !c.items[i].id || !c.items[i].title || !json_is_object(c.items[i].params))
				abort();
	} else {
		if (r == -PF_EPARSE && strncmp(e.msg, "fuzz:", 5) != 0)
			abort();        /* every refusal names the input */
		if (c.items || c.n_items)
			abort();        /* failure leaves *ret empty */
	}
	checklist_release(&c);
	return 0;
}
