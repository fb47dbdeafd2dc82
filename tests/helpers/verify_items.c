/* verify_items: runs verify_items() over every automatic item of a
 * checklist file and prints one JSON line per item as it ends:
 *   {"id": ..., "kind": ..., "status": "pass"|"fail", "summary": ...,
 *    "duration_ms": N, "evidence": {...}}
 * then exits 0 when every item passed, 1 when one failed, 2 on a bad
 * checklist or usage, 3 when the run itself broke.
 *
 *   verify_items CHECKLIST [--parallel N] [--pid PID] [--window SECONDS]
 *
 * The library straight from a file, with no store: what bench/run_items.sh
 * times and what tests/integration/t1030 drives. `preflight run` is the
 * command users run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/checklist.h"
#include "verify/verify.h"

struct state {
	const struct checklist *cl;
	size_t failed;
	int max_running, running;
};

static void on_start(void *arg, size_t i)
{
	struct state *s = arg;

	(void)i;
	if (++s->running > s->max_running)
		s->max_running = s->running;
}

static void on_done(void *arg, size_t i, const struct verify_result *r)
{
	struct state *s = arg;
	const struct checklist_item *it = &s->cl->items[i];
	json_t *line = json_pack("{s:s,s:s,s:s,s:s,s:I,s:O}", "id", it->id, "kind", verify_kind_name(it->verify),
				 "status", item_status_name(r->status), "summary", r->summary, "duration_ms",
				 (json_int_t)r->duration_ms, "evidence", r->evidence);

	s->running--;
	if (r->status != ITEM_PASS)
		s->failed++;
	if (line) {
		json_dumpf(line, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		fputc('\n', stdout);
		fflush(stdout);
	}
	json_decref(line);
}

int main(int argc, char **argv)
{
	struct checklist cl = { 0 };
	struct state st = { &cl, 0, 0, 0 };
	struct verify_opts o = { .on_start = on_start, .on_done = on_done, .arg = &st };
	struct err e = { "" };
	size_t *idx;
	int r;

	o.target.window_s = 0;
	o.target.timeout_s = 2;
	if (argc < 2) {
		fprintf(stderr, "usage: verify_items CHECKLIST [--parallel N] [--pid PID] [--window SECONDS]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--parallel"))
			o.max_parallel = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--pid"))
			o.target.pid = (pid_t)strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--window"))
			o.target.window_s = strtod(argv[i + 1], NULL);
		else {
			fprintf(stderr, "verify_items: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	if (checklist_load_file(argv[1], &cl, &e) < 0) {
		fprintf(stderr, "verify_items: %s\n", e.msg);
		return 2;
	}
	idx = calloc(cl.n_items + 1, sizeof(*idx));
	if (!idx)
		return 3;
	for (size_t i = 0; i < cl.n_items; i++)
		idx[i] = i;
	r = verify_items(&cl, idx, cl.n_items, &o, &e);
	free(idx);
	checklist_release(&cl);
	if (r < 0) {
		fprintf(stderr, "verify_items: %s\n", e.msg);
		return 3;
	}
	fprintf(stderr, "verify_items: at most %d items at once, %zu failed\n", st.max_running, st.failed);
	return st.failed ? 1 : 0;
}
