/* store_load: drives the store from several processes at once for the
 * concurrency scenario (t1001) and the status benchmark
 * (bench/store_status.sh). A test tool, not a preflight command.
 *
 *   store_load init DB ITEMS MSGS          a run of ITEMS items and MSGS queued
 *                                          messages; prints the run id
 *   store_load append DB RUN N TAG         N events, one transaction each
 *                                          (actor TAG, data.n = 1..N)
 *   store_load claim DB OWNER              claims and settles until nothing is
 *                                          pending; prints each id it sent
 *   store_load tail DB COUNT               polls seq > last until COUNT events
 *                                          were seen (60 s at most); prints seqs
 *   store_load dump DB                     every event: seq kind item actor n
 *   store_load fill DB RUNS ITEMS EVENTS   RUNS runs of ITEMS items with EVENTS
 *                                          events each, in big transactions
 *   store_load view DB RUN REPEAT          times store_run_view REPEAT times;
 *                                          prints the median and best in ms
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "facts/launch.h"
#include "store/store.h"

static struct store *open_or_die(const char *url)
{
	struct err e = { { 0 } };
	struct store *s;

	if (store_open(url, &s, &e) < 0) {
		fprintf(stderr, "store_load: %s\n", e.msg);
		exit(2);
	}
	return s;
}

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "store_load: %s: %s\n", what, e->msg);
	exit(1);
}

static int64_t arg_i64(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*end || end == s) {
		fprintf(stderr, "store_load: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int64_t create_run(struct store *s, int64_t n_items, int64_t due_ms)
{
	struct err e = { { 0 } };
	json_t *items = json_array();
	char id[32], title[64];
	int64_t run;

	for (int64_t i = 0; i < n_items; i++) {
		snprintf(id, sizeof(id), "i%" PRId64, i);
		snprintf(title, sizeof(title), "item %" PRId64, i);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:I}", "id", id, "title", title,
						       "verify_kind", i % 2 ? "manual" : "exec", "due_ms",
						       (json_int_t)due_ms));
	}
	struct run_open o = { .name = "load", .source = "load.yaml", .env = "test", .opened_by = "load",
			      .items = items };
	run = store_run_create(s, &o, &e);
	json_decref(items);
	if (run <= 0)
		die("run", &e);
	return run;
}

static int cmd_init(struct store *s, int64_t n_items, int64_t n_msgs)
{
	struct err e = { { 0 } };
	int64_t run = create_run(s, n_items, 0);
	char key[64];

	for (int64_t i = 0; i < n_msgs; i++) {
		snprintf(key, sizeof(key), "load:%" PRId64, i);
		struct outbox_msg m = { .dedupe_key = key, .channel = "ops", .kind = "webhook", .run_id = run,
					.created_ms = 1, .next_attempt_ms = 1 };
		if (store_outbox_put(s, &m, &e) <= 0)
			die("outbox_put", &e);
	}
	printf("%" PRId64 "\n", run);
	return 0;
}

static int cmd_append(struct store *s, int64_t run, int64_t n, const char *tag)
{
	struct err e = { { 0 } };
	char item[32];

	for (int64_t i = 1; i <= n; i++) {
		snprintf(item, sizeof(item), "i%" PRId64, i % 3);
		struct event ev = { .run_id = run, .item_id = item, .kind = i % 2 ? EV_ITEM_START : EV_ITEM_RESULT,
				    .status = i % 2 ? ITEM_RUNNING : ITEM_PASS, .actor = (char *)tag,
				    .data = json_pack("{s:I}", "n", (json_int_t)i) };
		if (store_append(s, &ev, &e) <= 0)
			die("append", &e);
		json_decref(ev.data);
	}
	return 0;
}

static int cmd_claim(struct store *s, const char *owner)
{
	struct err e = { { 0 } };
	struct outbox_msg *msgs;
	size_t n;

	for (;;) {
		/* a long lease: the other claimant must never get these */
		if (store_outbox_claim(s, owner, 2, 600000, 3, &msgs, &n, &e) < 0)
			die("claim", &e);
		if (!n) {
			free(msgs);
			break;
		}
		for (size_t i = 0; i < n; i++) {
			if (store_outbox_sent(s, msgs[i].id, owner, 3, &e) < 0)
				die("sent", &e);
			printf("%" PRId64 "\n", msgs[i].id);
			outbox_msg_release(&msgs[i]);
		}
		free(msgs);
	}
	return 0;
}

static int cmd_tail(struct store *s, int64_t count)
{
	struct err e = { { 0 } };
	double until = mono_ms() + 60000;
	int64_t last = 0, seen = 0;
	struct event *evs;
	size_t n;

	while (seen < count && mono_ms() < until) {
		if (store_events(s, 0, NULL, last, 50, &evs, &n, &e) < 0)
			die("events", &e);
		for (size_t i = 0; i < n; i++) {
			printf("%" PRId64 "\n", evs[i].seq);
			last = evs[i].seq;
			event_release(&evs[i]);
		}
		seen += (int64_t)n;
		free(evs);
		if (!n)
			nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	}
	return seen < count;
}

static int cmd_dump(struct store *s)
{
	struct err e = { { 0 } };
	struct event *evs;
	size_t n;

	if (store_events(s, 0, NULL, 0, 0, &evs, &n, &e) < 0)
		die("events", &e);
	for (size_t i = 0; i < n; i++) {
		printf("%" PRId64 " %s %s %s %" JSON_INTEGER_FORMAT "\n", evs[i].seq, evs[i].kind,
		       evs[i].item_id ? evs[i].item_id : "-", evs[i].actor,
		       json_integer_value(json_object_get(evs[i].data, "n")));
		event_release(&evs[i]);
	}
	free(evs);
	return 0;
}

/* Runs of ITEMS items with EVENTS events each, as a checklist's life might
 * write them: start/result pairs, a few failures, reopens and skips, due
 * times in the past for some, so the view has everything to derive. */
static int cmd_fill(struct store *s, int64_t runs, int64_t items, int64_t events)
{
	struct err e = { { 0 } };
	static const char *kinds[] = { EV_ITEM_START, EV_ITEM_RESULT, EV_ITEM_REOPEN, EV_ITEM_CONFIRM, EV_ITEM_SKIP };
	static const int statuses[] = { ITEM_RUNNING, ITEM_FAIL, ITEM_PENDING, ITEM_PASS, ITEM_SKIP };
	int64_t t = 1700000000000LL;
	char item[32];

	for (int64_t r = 0; r < runs; r++) {
		if (store_begin_write(s, &e) < 0)
			die("begin", &e);
		int64_t run = create_run(s, items, t + 1000);
		for (int64_t i = 1; i < events; i++) {   /* run.open is the first */
			int64_t k = i % 5;
			snprintf(item, sizeof(item), "i%" PRId64, i % items);
			struct event ev = { .run_id = run, .item_id = item, .kind = (char *)kinds[k],
					    .status = statuses[k], .at_ms = t + i, .actor = "load",
					    .reason = k >= 2 ? "because" : NULL, .change_id = k == 3 ? "DEP-1" : NULL,
					    .data = k == 1 ? json_pack("{s:i, s:{s:s}}", "duration_ms", 12, "evidence",
									"out", "ok")
							   : NULL };
			if (store_append(s, &ev, &e) <= 0)
				die("append", &e);
			json_decref(ev.data);
		}
		if (store_commit(s, &e) < 0)
			die("commit", &e);
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* CPU time (user + system) of this process so far, in ms: on a shared
 * machine the wall time also counts the other processes' turns. */
static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static int cmd_view(struct store *s, int64_t run, int64_t repeat)
{
	struct err e = { { 0 } };
	double *ms = calloc((size_t)repeat, sizeof(*ms)), *cpu = calloc((size_t)repeat, sizeof(*cpu));
	struct run_view v;
	size_t items = 0, events = 0;
	double first;

	for (int64_t i = 0; i < repeat; i++) {
		double t0 = mono_ms(), c0 = cpu_ms();

		if (store_run_view(s, run, 1700000000000LL + 3600000, &v, &e) < 0)
			die("view", &e);
		ms[i] = mono_ms() - t0;
		cpu[i] = cpu_ms() - c0;
		items = v.n_items;
		events = 0;
		for (size_t j = 0; j < v.n_items; j++)
			events += v.items[j].n_events;
		run_view_release(&v);
	}
	first = ms[0];   /* the first view pays for reading the pages in */
	qsort(ms, (size_t)repeat, sizeof(*ms), cmp_double);
	qsort(cpu, (size_t)repeat, sizeof(*cpu), cmp_double);
	printf("items %zu item_events %zu first_ms %.2f median_ms %.2f best_ms %.2f median_cpu_ms %.2f\n", items,
	       events, first, ms[repeat / 2], ms[0], cpu[repeat / 2]);
	free(ms);
	free(cpu);
	return 0;
}

int main(int argc, char **argv)
{
	struct store *s;
	int r = 2;

	if (argc < 3) {
		fprintf(stderr, "usage: store_load init|append|claim|tail|dump|fill|view DB ...\n");
		return 2;
	}
	s = open_or_die(argv[2]);
	if (strcmp(argv[1], "init") == 0 && argc == 5)
		r = cmd_init(s, arg_i64(argv[3]), arg_i64(argv[4]));
	else if (strcmp(argv[1], "append") == 0 && argc == 6)
		r = cmd_append(s, arg_i64(argv[3]), arg_i64(argv[4]), argv[5]);
	else if (strcmp(argv[1], "claim") == 0 && argc == 4)
		r = cmd_claim(s, argv[3]);
	else if (strcmp(argv[1], "tail") == 0 && argc == 4)
		r = cmd_tail(s, arg_i64(argv[3]));
	else if (strcmp(argv[1], "dump") == 0 && argc == 3)
		r = cmd_dump(s);
	else if (strcmp(argv[1], "fill") == 0 && argc == 6)
		r = cmd_fill(s, arg_i64(argv[3]), arg_i64(argv[4]), arg_i64(argv[5]));
	else if (strcmp(argv[1], "view") == 0 && argc == 5)
		r = cmd_view(s, arg_i64(argv[3]), arg_i64(argv[4]));
	else
		fprintf(stderr, "store_load: bad arguments\n");
	store_close(s);
	return r;
}
