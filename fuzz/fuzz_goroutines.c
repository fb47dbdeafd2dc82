/* libFuzzer target for the goroutine dump parser and the leak analysis:
 * the input is parsed whole (gr_parse) and streamed through a small
 * chunk (the two must agree when no line is longer than the chunk), each
 * half is parsed too, and the halves go through gr_analyze as a series and
 * with one half as the debug=2 detail. Seeds: fuzz/corpus/goroutines/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "check/leak.h"
#include "goruntime/goroutine.h"
#include "goruntime/goroutine_internal.h"

#define CHUNK 64

static void exercise(const struct gr_snapshot *s)
{
	if (s->record_dropped && !s->truncated)
		abort();
	for (size_t i = 0; i < s->n_groups; i++) {
		const struct gr_frame *f = gr_group_site(&s->groups[i]);

		if (f && (!f->func || !f->file || !f->func[0]))
			abort(); /* a site always names a function */
		if (s->groups[i].count == 0 || s->groups[i].wait_minutes_min > s->groups[i].wait_minutes_max)
			abort();
		if (i && s->groups[i].count > s->groups[i - 1].count)
			abort(); /* sorted by count, descending */
	}
}

static size_t longest_line(const uint8_t *d, size_t n)
{
	size_t best = 0, cur = 0;

	for (size_t i = 0; i < n; i++) {
		cur = d[i] == '\n' ? 0 : cur + 1;
		if (cur > best)
			best = cur;
	}
	return best;
}

static void same(const struct gr_snapshot *a, const struct gr_snapshot *b)
{
	if (a->n_groups != b->n_groups || a->total != b->total || a->truncated != b->truncated ||
	    a->debug != b->debug || a->malformed != b->malformed || a->record_dropped != b->record_dropped)
		abort();
	for (size_t i = 0; i < a->n_groups; i++)
		if (a->groups[i].key != b->groups[i].key || a->groups[i].count != b->groups[i].count ||
		    a->groups[i].n_frames != b->groups[i].n_frames || strcmp(a->groups[i].state, b->groups[i].state))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_snapshot whole, streamed, half[2];
	struct gr_analysis an;
	struct gr_leak_params lp = { .min_growth = 1, .wait_minutes = 1, .min_snapshots = 2 };
	struct err e;
	int rw, rs, rh[2];
	FILE *f;

	memset(&whole, 0, sizeof(whole));
	memset(&streamed, 0, sizeof(streamed));
	memset(half, 0, sizeof(half));
	rw = gr_parse((const char *)data, size, "fuzz", &whole, &e);
	if (rw == 0)
		exercise(&whole);
	f = size ? fmemopen((void *)data, size, "r") : NULL;
	if (f) {
		rs = gr_parse_stream_chunk(fileio_stream_read, f, CHUNK, "fuzz", &streamed, &e);
		fclose(f);
		if (longest_line(data, size) < CHUNK) {
			if ((rs == 0) != (rw == 0))
				abort();
			if (rs == 0)
				same(&whole, &streamed);
		}
	}
	rh[0] = gr_parse((const char *)data, size / 2, "a", &half[0], &e);
	rh[1] = gr_parse((const char *)data + size / 2, size - size / 2, "b", &half[1], &e);
	if (rh[0] == 0 && rh[1] == 0) {
		if (gr_analyze(half, 2, &lp, &an, &e) == 0) {
			for (size_t i = 0; i < an.n_suspects; i++)
				if (!an.suspects[i].pattern || !an.suspects[i].remedy || !an.suspects[i].reason)
					abort();
			gr_analysis_release(&an);
		}
		lp.detail = &half[1];
		if (gr_analyze(half, 1, &lp, &an, &e) == 0)
			gr_analysis_release(&an);
		/* Growth confirmed by the members of a first and a last dump. */
		lp.detail_first = &half[0];
		if (gr_analyze(half, 2, &lp, &an, &e) == 0)
			gr_analysis_release(&an);
	}
	if (rw == 0 && gr_analyze(&whole, 1, NULL, &an, &e) == 0)
		gr_analysis_release(&an);
	gr_snapshot_release(&whole);
	gr_snapshot_release(&streamed);
	gr_snapshot_release(&half[0]);
	gr_snapshot_release(&half[1]);
	return 0;
}
