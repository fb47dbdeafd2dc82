/* libFuzzer target for the Go runtime profile parsers (goruntime/
 * profiles.h): the first byte picks the parser, the rest is the body.
 *   0 expvar /debug/vars JSON     1 Prometheus text (+ memstats, lookups)
 *   2 mutex/block debug=1 (+ ranking by site)   3 heap debug=1 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "goruntime/profiles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data + 1;
	struct err e = { "" };

	if (size < 1)
		return 0;
	size--;
	switch (data[0] % 4) {
	case 0: {
		struct go_memstats m;

		memstats_from_expvar(body, size, &m, &e);
		break;
	}
	case 1: {
		static const char *const q[] = { "quantile", "0.5", NULL };
		struct prom_doc d;
		struct go_memstats m;

		if (prom_parse(body, size, &d, &e) == 0) {
			memstats_from_prom(&d, &m, &e);
			prom_find(&d, "go_gc_duration_seconds", q);
			prom_doc_release(&d);
		}
		break;
	}
	case 2: {
		struct contention_profile p;
		struct contention_rank *k;
		size_t n;

		if (contention_parse(body, size, &p, &e) == 0) {
			if (contention_rank_sites(&p, &k, &n, &e) == 0)
				free(k);
			contention_profile_release(&p);
		}
		break;
	}
	case 3: {
		struct heap_profile p;

		if (heap_parse(body, size, &p, &e) == 0)
			heap_profile_release(&p);
		break;
	}
	}
	return 0;
}
