/* The store (src/store) on SQLite, and the same cases on PostgreSQL when
 * PREFLIGHT_TEST_PG_URL names a server we may wipe (tests/integration
 * t1000-store-pg.sh starts one): runs, the event log, the views derived
 * from it, follow-ups, the outbox, migrations and the names of stores. */
#include <errno.h>
#include <libpq-fe.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "facts/launch.h"
#include "store/store.h"

struct fixture {
	bool pg;
	char url[4096];
	char dir[256];
	struct store *s;
};

static const char *pg_url(void)
{
	const char *u = getenv("PREFLIGHT_TEST_PG_URL");

	return u && u[0] ? u : NULL;
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* SQL straight to the database, behind the store's back. */
static void raw_exec(const struct fixture *f, const char *sql)
{
	if (f->pg) {
		PGconn *c = PQconnectdb(f->url);
		PGresult *res;

		assert_int_equal(PQstatus(c), CONNECTION_OK);
		PQsetNoticeProcessor(c, quiet, NULL);
		res = PQexec(c, sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, PQresultErrorMessage(res));
		PQclear(res);
		PQfinish(c);
	} else {
		sqlite3 *db;
		char *msg = NULL;

		assert_int_equal(sqlite3_open(f->url, &db), SQLITE_OK);
		if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
			fail_msg("%s: %s", sql, msg);
		sqlite3_close(db);
	}
}

/* Like raw_exec, but says whether the database accepted it. */
static bool raw_try(const struct fixture *f, const char *sql)
{
	bool ok;

	if (f->pg) {
		PGconn *c = PQconnectdb(f->url);
		PGresult *res;

		assert_int_equal(PQstatus(c), CONNECTION_OK);
		PQsetNoticeProcessor(c, quiet, NULL);
		res = PQexec(c, sql);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
		PQclear(res);
		PQfinish(c);
	} else {
		sqlite3 *db;

		assert_int_equal(sqlite3_open(f->url, &db), SQLITE_OK);
		ok = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
		sqlite3_close(db);
	}
	return ok;
}

/* A PostgreSQL database as new: every table of ours dropped. */
static void pg_wipe(const char *url)
{
	PGconn *c = PQconnectdb(url);
	PGresult *res;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQsetNoticeProcessor(c, quiet, NULL);
	res = PQexec(c, "DROP TABLE IF EXISTS outbox, events, followups, run_items, runs, meta CASCADE");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	PQfinish(c);
}

static int setup(void **state, bool pg)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e = { { 0 } };

	f->pg = pg;
	if (pg) {
		snprintf(f->url, sizeof(f->url), "%s", pg_url());
		pg_wipe(f->url);
	} else {
		snprintf(f->dir, sizeof(f->dir), "%s/test_store.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		assert_non_null(mkdtemp(f->dir));
		snprintf(f->url, sizeof(f->url), "%s/preflight.db", f->dir);
	}
	if (store_open(f->url, &f->s, &e) < 0)
		fail_msg("store_open: %s", e.msg);
	*state = f;
	return 0;
}

static int setup_sqlite(void **state)
{
	return setup(state, false);
}

static int setup_pg(void **state)
{
	return setup(state, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[512];

	store_close(f->s);
	if (!f->pg) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
		assert_int_equal(system(cmd), 0);
	}
	free(f);
	return 0;
}

/* ---- helpers -------------------------------------------------------------- */

#define T0 1700000000000LL   /* the run opens here; dues are relative to it */
#define MIN 60000LL

/* A run of three items: a (due T0+10min), b (due T0+20min), c (no due). */
static int64_t make_run(struct store *s, const char *name)
{
	struct err e = { { 0 } };
	json_t *items = json_pack(
		"[{s:s, s:s, s:s, s:s, s:s, s:I, s:{s:s}},"
		" {s:s, s:s, s:s, s:s, s:s, s:I},"
		" {s:s, s:s, s:s}]",
		"id", "a", "title", "Alpha", "verify_kind", "exec", "owner", "alice", "change", "DEP-1", "due_ms",
		(json_int_t)(T0 + 10 * MIN), "definition", "verify", "exec",
		"id", "b", "title", "Beta", "verify_kind", "manual", "severity", "P0", "module", "pay", "due_ms",
		(json_int_t)(T0 + 20 * MIN),
		"id", "c", "title", "Gamma", "verify_kind", "http");
	json_t *checklist = json_pack("{s:s, s:{s:s}}", "name", name, "notify", "ops", "wecom");
	struct run_open o = {
		.name = name, .source = "launch.yaml", .env = "prod", .owner = "olga", .opened_by = "bob",
		.parent_ticket = "OPS-9", .opened_ms = T0, .checklist = checklist, .items = items,
	};
	int64_t id = store_run_create(s, &o, &e);

	if (id <= 0)
		fail_msg("store_run_create: %s", e.msg);
	json_decref(items);
	json_decref(checklist);
	return id;
}

/* Appends an event; status -1 for none; returns its seq. */
static int64_t add(struct store *s, int64_t run, const char *item, const char *kind, int status, int64_t at,
		   const char *actor, const char *reason, const char *change, json_t *data)
{
	struct err e = { { 0 } };
	struct event ev = {
		.at_ms = at, .run_id = run, .item_id = (char *)item, .kind = (char *)kind, .status = status,
		.actor = (char *)actor, .reason = (char *)reason, .change_id = (char *)change, .data = data,
	};
	int64_t seq = store_append(s, &ev, &e);

	if (seq <= 0)
		fail_msg("store_append %s: %s", kind, e.msg);
	json_decref(data);
	return seq;
}

/* ---- cases ------------------------------------------------------------------- */

static void test_open_empty(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };

	assert_string_equal(store_backend(f->s), f->pg ? "postgresql" : "sqlite");
	assert_non_null(store_name(f->s));
	assert_int_equal(store_latest_run(f->s, &e), 0);
	assert_int_equal(store_last_seq(f->s, &e), 0);
	/* reopening an up-to-date store changes nothing */
	store_close(f->s);
	assert_int_equal(store_open(f->url, &f->s, &e), 0);
	assert_int_equal(store_latest_run(f->s, &e), 0);
}

static void test_run_create_view(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	struct run_view v;
	struct item_view *a, *b;
	int64_t run = make_run(f->s, "shop launch");

	assert_int_equal(store_latest_run(f->s, &e), run);
	assert_int_equal(store_run_view(f->s, run, T0 + MIN, &v, &e), 0);
	assert_int_equal(v.id, run);
	assert_string_equal(v.name, "shop launch");
	assert_string_equal(v.source, "launch.yaml");
	assert_string_equal(v.env, "prod");
	assert_string_equal(v.owner, "olga");
	assert_string_equal(v.opened_by, "bob");
	assert_string_equal(v.parent_ticket, "OPS-9");
	assert_non_null(v.host);
	assert_int_equal(v.opened_ms, T0);
	assert_int_equal(v.closed_ms, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v.checklist, "notify"), "ops")), "wecom");
	assert_int_equal(v.last_seq, store_last_seq(f->s, &e));
	assert_int_equal(v.n_items, 3);
	assert_string_equal(v.items[0].id, "a");
	assert_string_equal(v.items[1].id, "b");
	assert_string_equal(v.items[2].id, "c");
	a = run_view_item(&v, "a");
	b = run_view_item(&v, "b");
	assert_null(run_view_item(&v, "zz"));
	assert_string_equal(a->title, "Alpha");
	assert_string_equal(a->owner, "alice");
	assert_string_equal(a->verify_kind, "exec");
	assert_string_equal(a->planned_change, "DEP-1");
	assert_int_equal(a->due_ms, T0 + 10 * MIN);
	assert_string_equal(json_string_value(json_object_get(a->definition, "verify")), "exec");
	assert_string_equal(b->severity, "P0");
	assert_string_equal(b->module, "pay");
	assert_null(b->owner);
	/* without a definition, the item object itself is kept */
	assert_string_equal(json_string_value(json_object_get(v.items[2].definition, "title")), "Gamma");
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(v.items[i].status, ITEM_PENDING);
		assert_int_equal(v.items[i].status_seq, 0);
		assert_int_equal(v.items[i].status_ms, T0);
		assert_int_equal(v.items[i].duration_ms, -1);
		assert_false(v.items[i].overdue);
	}
	assert_int_equal(v.count[ITEM_PENDING], 3);
	assert_int_equal(v.n_overdue, 0);
	run_view_release(&v);

	/* the run.open event carries its summary */
	struct event *evs;
	size_t n;

	assert_int_equal(store_events(f->s, run, NULL, 0, 0, &evs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(evs[0].kind, EV_RUN_OPEN);
	assert_string_equal(evs[0].actor, "bob");
	assert_int_equal(evs[0].at_ms, T0);
	assert_int_equal(json_integer_value(json_object_get(evs[0].data, "items")), 3);
	event_release(&evs[0]);
	free(evs);

	assert_int_equal(store_run_view(f->s, run + 100, T0, &v, &e), -PF_ESTORE_CONFLICT);
	assert_non_null(strstr(e.msg, "no run"));
}

static void test_append_events(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	int64_t run = make_run(f->s, "r1"), run2 = make_run(f->s, "r2"), s1, s2, s3;
	struct event *evs, bad = { .run_id = run, .item_id = "nope", .kind = EV_ITEM_CONFIRM, .status = ITEM_PASS };
	size_t n;

	s1 = add(f->s, run, "a", EV_ITEM_START, ITEM_RUNNING, T0 + 1, "preflight", NULL, NULL, NULL);
	s2 = add(f->s, run2, "b", EV_ITEM_CONFIRM, ITEM_PASS, T0 + 2, "carol", "looked", "DEP-7",
		 json_pack("{s:i}", "x", 1));
	s3 = add(f->s, run, NULL, EV_RUN_CLOSE, -1, T0 + 3, "bob", NULL, NULL, NULL);
	assert_true(s1 < s2 && s2 < s3);
	assert_int_equal(store_last_seq(f->s, &e), s3);

	/* unknown item, unknown run: refused, nothing written */
	assert_int_equal(store_append(f->s, &bad, &e), -PF_ESTORE_CONFLICT);
	assert_non_null(strstr(e.msg, "nope"));
	bad.item_id = NULL;
	bad.run_id = run2 + 50;
	assert_int_equal(store_append(f->s, &bad, &e), -PF_ESTORE_CONFLICT);
	assert_int_equal(store_last_seq(f->s, &e), s3);

	/* every run after s1 */
	assert_int_equal(store_events(f->s, 0, NULL, s1, 0, &evs, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(evs[0].seq, s2);
	assert_string_equal(evs[0].item_id, "b");
	assert_int_equal(evs[0].status, ITEM_PASS);
	assert_string_equal(evs[0].actor, "carol");
	assert_string_equal(evs[0].reason, "looked");
	assert_string_equal(evs[0].change_id, "DEP-7");
	assert_int_equal(json_integer_value(json_object_get(evs[0].data, "x")), 1);
	assert_non_null(evs[0].host);
	assert_null(evs[1].item_id);
	assert_int_equal(evs[1].status, -1);
	assert_true(json_is_object(evs[1].data));
	for (size_t i = 0; i < n; i++)
		event_release(&evs[i]);
	free(evs);

	/* one run, one item, a limit */
	assert_int_equal(store_events(f->s, run, "a", 0, 0, &evs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(evs[0].seq, s1);
	event_release(&evs[0]);
	free(evs);
	assert_int_equal(store_events(f->s, run, NULL, 0, 2, &evs, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(evs[0].kind, EV_RUN_OPEN);
	assert_string_equal(evs[1].kind, EV_ITEM_START);
	for (size_t i = 0; i < n; i++)
		event_release(&evs[i]);
	free(evs);
}

static void test_view_derivation(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	int64_t run = make_run(f->s, "derive"), fail_seq, now = T0 + 30 * MIN;
	struct run_view v;
	struct item_view *a, *b, *c;

	/* a: runs, fails, is reopened twice, then passes after its due time
	 * with a confirmation that says why it is late */
	add(f->s, run, "a", EV_ITEM_START, ITEM_RUNNING, T0 + MIN, "preflight", NULL, NULL, NULL);
	fail_seq = add(f->s, run, "a", EV_ITEM_RESULT, ITEM_FAIL, T0 + 2 * MIN, "preflight", NULL, NULL,
		       json_pack("{s:s, s:i, s:{s:s}}", "summary", "exit 1", "duration_ms", 1234, "evidence",
				 "stdout", "boom"));
	assert_int_equal(store_run_view(f->s, run, T0 + 3 * MIN, &v, &e), 0);
	a = run_view_item(&v, "a");
	assert_int_equal(a->status, ITEM_FAIL);
	assert_int_equal(a->status_seq, fail_seq);
	assert_int_equal(a->status_ms, T0 + 2 * MIN);
	assert_string_equal(a->note, "exit 1");
	assert_string_equal(a->executor, "preflight");
	assert_int_equal(a->duration_ms, 1234);
	assert_string_equal(json_string_value(json_object_get(a->evidence, "stdout")), "boom");
	assert_int_equal(a->closed_ms, 0);
	assert_int_equal(a->cycle, 0);
	assert_false(a->overdue);
	assert_int_equal(v.count[ITEM_FAIL], 1);
	assert_int_equal(v.count[ITEM_PENDING], 2);
	run_view_release(&v);

	add(f->s, run, "a", EV_ITEM_REOPEN, ITEM_PENDING, T0 + 4 * MIN, "dave", "fixed config", "DEP-2", NULL);
	add(f->s, run, "a", EV_ITEM_REOPEN, ITEM_PENDING, T0 + 5 * MIN, "dave", NULL, NULL, NULL);
	add(f->s, run, "a", EV_ITEM_CONFIRM, ITEM_PASS, T0 + 12 * MIN, "erin", "waited for the DBA", NULL, NULL);
	/* b: skipped after its due time; c: running, no due */
	add(f->s, run, "b", EV_ITEM_SKIP, ITEM_SKIP, T0 + 25 * MIN, "frank", "not in this region", NULL, NULL);
	add(f->s, run, "c", EV_ITEM_START, ITEM_RUNNING, T0 + 26 * MIN, "preflight", NULL, NULL, NULL);
	/* an event without a status does not change the item's */
	add(f->s, run, "c", EV_ALERT_QUEUED, -1, T0 + 27 * MIN, "preflight", NULL, NULL, NULL);

	assert_int_equal(store_run_view(f->s, run, now, &v, &e), 0);
	a = run_view_item(&v, "a");
	b = run_view_item(&v, "b");
	c = run_view_item(&v, "c");
	assert_int_equal(a->status, ITEM_PASS);
	assert_int_equal(a->cycle, 2);
	assert_int_equal(a->n_events, 5);
	assert_string_equal(a->executor, "erin");
	assert_string_equal(a->note, "waited for the DBA");
	assert_string_equal(a->delay_reason, "waited for the DBA");
	assert_string_equal(a->change_id, "DEP-2");
	assert_int_equal(a->closed_ms, T0 + 12 * MIN);
	assert_int_equal(a->duration_ms, 1234);         /* from the last item.result */
	assert_null(a->skip_reason);
	assert_false(a->overdue);
	assert_int_equal(b->status, ITEM_SKIP);
	assert_string_equal(b->skip_reason, "not in this region");
	assert_string_equal(b->delay_reason, "not in this region");
	assert_int_equal(b->closed_ms, T0 + 25 * MIN);
	assert_int_equal(c->status, ITEM_RUNNING);
	assert_int_equal(c->n_events, 2);
	assert_null(c->delay_reason);
	assert_false(c->overdue);                         /* no due time */
	assert_int_equal(v.count[ITEM_PASS], 1);
	assert_int_equal(v.count[ITEM_SKIP], 1);
	assert_int_equal(v.count[ITEM_RUNNING], 1);
	assert_int_equal(v.n_overdue, 0);
	run_view_release(&v);
}

/* One item's view (the API's item read) says what the whole run's view
 * says of that item. */
static void test_item_view(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	int64_t run = make_run(f->s, "one"), now = T0 + 30 * MIN;
	struct run_view whole, one;
	const char *ids[] = { "a", "b", "c" };

	add(f->s, run, "a", EV_ITEM_CONFIRM, ITEM_PASS, T0 + 15 * MIN, "ann", "late, sorry", "DEP-7", NULL);
	add(f->s, run, "b", EV_ITEM_FAIL, ITEM_FAIL, T0 + 5 * MIN, "bob", "broken", NULL, NULL);
	assert_int_equal(store_run_view(f->s, run, now, &whole, &e), 0);
	for (size_t k = 0; k < 3; k++) {
		const struct item_view *w = run_view_item(&whole, ids[k]), *o;

		assert_int_equal(store_item_view(f->s, run, ids[k], now, &one, &e), 0);
		assert_int_equal(one.n_items, 1);
		o = &one.items[0];
		assert_string_equal(o->id, w->id);
		assert_string_equal(o->title, w->title);
		assert_int_equal(o->status, w->status);
		assert_int_equal(o->status_seq, w->status_seq);
		assert_int_equal(o->status_ms, w->status_ms);
		assert_int_equal(o->due_ms, w->due_ms);
		assert_int_equal(o->overdue, w->overdue);
		assert_int_equal(o->n_events, w->n_events);
		assert_int_equal(o->closed_ms, w->closed_ms);
		if (w->delay_reason)
			assert_string_equal(o->delay_reason, w->delay_reason);
		else
			assert_null(o->delay_reason);
		if (w->change_id)
			assert_string_equal(o->change_id, w->change_id);
		assert_int_equal(one.id, whole.id);
		assert_int_equal(one.last_seq, whole.last_seq);
		assert_int_equal(one.n_followups, 0);
		run_view_release(&one);
	}
	run_view_release(&whole);
	assert_int_equal(store_item_view(f->s, run, "zzz", now, &one, &e), 0);
	assert_int_equal(one.n_items, 0);
	run_view_release(&one);
	assert_int_equal(store_item_view(f->s, run + 100, "a", now, &one, &e), -PF_ESTORE_CONFLICT);
}

static void test_overdue(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	int64_t run = make_run(f->s, "late");
	struct run_view v;

	/* a is failed, b pending, c has no due: at T0+15min only a is overdue;
	 * at T0+25min both a and b; a pass on time is never overdue */
	add(f->s, run, "a", EV_ITEM_FAIL, ITEM_FAIL, T0 + MIN, "gus", "broken", NULL, NULL);
	assert_int_equal(store_run_view(f->s, run, T0 + 10 * MIN, &v, &e), 0);
	assert_int_equal(v.n_overdue, 0);                 /* due is not yet past at the due moment */
	run_view_release(&v);
	assert_int_equal(store_run_view(f->s, run, T0 + 15 * MIN, &v, &e), 0);
	assert_true(run_view_item(&v, "a")->overdue);
	assert_false(run_view_item(&v, "b")->overdue);
	assert_null(run_view_item(&v, "a")->delay_reason);  /* failed before due */
	assert_int_equal(v.n_overdue, 1);
	run_view_release(&v);
	add(f->s, run, "b", EV_ITEM_CONFIRM, ITEM_PASS, T0 + 2 * MIN, "gus", NULL, NULL, NULL);
	assert_int_equal(store_run_view(f->s, run, T0 + 25 * MIN, &v, &e), 0);
	assert_true(run_view_item(&v, "a")->overdue);
	assert_false(run_view_item(&v, "b")->overdue);
	assert_int_equal(v.n_overdue, 1);
	run_view_release(&v);
}

static void test_transactions(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	int64_t run = make_run(f->s, "tx"), before = store_last_seq(f->s, &e);
	struct event ev = { .run_id = run, .item_id = "a", .kind = EV_ITEM_CONFIRM, .status = ITEM_PASS };

	assert_int_equal(store_begin_write(f->s, &e), 0);
	assert_true(store_append(f->s, &ev, &e) > 0);
	store_rollback(f->s);
	assert_int_equal(store_last_seq(f->s, &e), before);
	ev.at_ms = 0;

	assert_int_equal(store_begin_write(f->s, &e), 0);
	assert_true(store_append(f->s, &ev, &e) > before);
	assert_int_equal(store_commit(f->s, &e), 0);
	assert_int_equal(store_last_seq(f->s, &e), ev.seq);
	assert_null(ev.host);     /* nothing written back that the caller must free */
	assert_null(ev.data);
}

static void test_runs_and_open_runs(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	int64_t r1 = make_run(f->s, "one"), r2 = make_run(f->s, "two"), r3 = make_run(f->s, "three"), *open;
	struct run_summary *runs;
	size_t n;

	/* r1: every item closed, but an open follow-up; r2: closed; r3: open items */
	add(f->s, r1, "a", EV_ITEM_CONFIRM, ITEM_PASS, T0 + MIN, "x", NULL, NULL, NULL);
	add(f->s, r1, "b", EV_ITEM_SKIP, ITEM_SKIP, T0 + MIN, "x", "n/a", NULL, NULL);
	add(f->s, r1, "c", EV_ITEM_CONFIRM, ITEM_PASS, T0 + MIN, "x", NULL, NULL, NULL);
	add(f->s, r2, NULL, EV_RUN_CLOSE, -1, T0 + 2 * MIN, "x", NULL, NULL, NULL);
	add(f->s, r3, "a", EV_ITEM_FAIL, ITEM_FAIL, T0 + MIN, "x", "bad", NULL, NULL);

	assert_int_equal(store_open_runs(f->s, &open, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(open[0], r3);
	free(open);
	assert_true(store_followup_open(f->s, r1, "a", "alice", T0 + MIN, "flaky", "bob", &e) > 0);
	assert_int_equal(store_open_runs(f->s, &open, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(open[0], r1);
	assert_int_equal(open[1], r3);
	free(open);

	assert_int_equal(store_runs(f->s, T0 + 15 * MIN, 0, &runs, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(runs[0].id, r3);
	assert_string_equal(runs[0].name, "three");
	assert_string_equal(runs[0].env, "prod");
	assert_string_equal(runs[0].owner, "olga");
	assert_string_equal(runs[0].opened_by, "bob");
	assert_int_equal(runs[0].n_items, 3);
	assert_int_equal(runs[0].count[ITEM_FAIL], 1);
	assert_int_equal(runs[0].count[ITEM_PENDING], 2);
	assert_int_equal(runs[0].n_overdue, 1);
	assert_int_equal(runs[1].id, r2);
	assert_int_equal(runs[1].closed_ms, T0 + 2 * MIN);
	assert_int_equal(runs[2].count[ITEM_PASS], 2);
	assert_int_equal(runs[2].count[ITEM_SKIP], 1);
	assert_int_equal(runs[2].closed_ms, 0);
	for (size_t i = 0; i < n; i++)
		run_summary_release(&runs[i]);
	free(runs);
	assert_int_equal(store_runs(f->s, T0, 1, &runs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(runs[0].id, r3);
	run_summary_release(&runs[0]);
	free(runs);
}

static void test_followups(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	int64_t run = make_run(f->s, "fu"), id, id2;
	struct followup_view fv;
	struct run_view v;

	id = store_followup_open(f->s, run, "a", "alice", T0 + 60 * MIN, "exit 1 on prod", "bob", &e);
	assert_true(id > 0);
	id2 = store_followup_open(f->s, run, "b", NULL, 0, "slow", "bob", &e);
	assert_true(id2 > id);
	assert_int_equal(store_followup_open(f->s, run, "zz", NULL, 0, "x", "bob", &e), -PF_ESTORE_CONFLICT);

	assert_int_equal(store_followup_get(f->s, id, T0 + 61 * MIN, &fv, &e), 0);
	assert_int_equal(fv.id, id);
	assert_int_equal(fv.run_id, run);
	assert_string_equal(fv.item_id, "a");
	assert_string_equal(fv.owner, "alice");
	assert_string_equal(fv.summary, "exit 1 on prod");
	assert_int_equal(fv.rca_due_ms, T0 + 60 * MIN);
	assert_true(fv.opened_ms > 0);
	assert_false(fv.closed);
	assert_true(fv.overdue);
	assert_null(fv.ticket);
	followup_view_release(&fv);

	add(f->s, run, "a", EV_FOLLOWUP_TICKET, -1, T0 + 70 * MIN, "preflight", NULL, NULL,
	    json_pack("{s:I, s:s}", "followup_id", (json_int_t)id, "key", "OPS-12"));
	add(f->s, run, "a", EV_FOLLOWUP_CLOSE, -1, T0 + 80 * MIN, "alice", "a missing index", NULL,
	    json_pack("{s:I}", "followup_id", (json_int_t)id));
	assert_int_equal(store_followup_get(f->s, id, T0 + 90 * MIN, &fv, &e), 0);
	assert_true(fv.closed);
	assert_false(fv.overdue);
	assert_int_equal(fv.closed_ms, T0 + 80 * MIN);
	assert_string_equal(fv.closed_by, "alice");
	assert_string_equal(fv.rca, "a missing index");
	assert_string_equal(fv.ticket, "OPS-12");
	followup_view_release(&fv);

	assert_int_equal(store_run_view(f->s, run, T0 + 90 * MIN, &v, &e), 0);
	assert_int_equal(v.n_followups, 2);
	assert_int_equal(v.followups[0].id, id);
	assert_true(v.followups[0].closed);
	assert_false(v.followups[1].closed);
	assert_false(v.followups[1].overdue);           /* no RCA due time */
	run_view_release(&v);

	assert_int_equal(store_followup_get(f->s, id2 + 10, 0, &fv, &e), -PF_ESTORE_CONFLICT);
}

static int64_t put(struct store *s, const char *key, const char *channel, int64_t run, int64_t next)
{
	struct err e = { { 0 } };
	json_t *payload = json_pack("{s:s, s:s}", "text", "item a is overdue", "stage", "due");
	struct outbox_msg m = {
		.dedupe_key = (char *)key, .channel = (char *)channel, .kind = "wecom", .payload = payload,
		.run_id = run, .item_id = run ? "a" : NULL, .created_ms = T0, .next_attempt_ms = next,
	};
	int64_t id = store_outbox_put(s, &m, &e);

	if (id < 0)
		fail_msg("store_outbox_put: %s", e.msg);
	json_decref(payload);
	return id;
}

static size_t count_kind(struct store *s, const char *kind)
{
	struct err e = { { 0 } };
	struct event *evs;
	size_t n, hits = 0;

	assert_int_equal(store_events(s, 0, NULL, 0, 0, &evs, &n, &e), 0);
	for (size_t i = 0; i < n; i++) {
		hits += strcmp(evs[i].kind, kind) == 0;
		event_release(&evs[i]);
	}
	free(evs);
	return hits;
}

static void test_outbox_dedupe(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	int64_t run = make_run(f->s, "ob"), id;
	struct outbox_msg *msgs;
	struct event *evs;
	size_t n;

	id = put(f->s, "overdue:1:a:0:due", "ops", run, T0);
	assert_true(id > 0);
	assert_int_equal(put(f->s, "overdue:1:a:0:due", "ops", run, T0), 0);
	assert_true(put(f->s, "overdue:1:a:1:due", "ops", run, T0) > id);
	assert_int_equal(count_kind(f->s, EV_ALERT_QUEUED), 2);

	assert_int_equal(store_outbox_list(f->s, NULL, 0, &msgs, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(msgs[0].id, id);
	assert_string_equal(msgs[0].dedupe_key, "overdue:1:a:0:due");
	assert_string_equal(msgs[0].channel, "ops");
	assert_string_equal(msgs[0].kind, "wecom");
	assert_string_equal(json_string_value(json_object_get(msgs[0].payload, "text")), "item a is overdue");
	assert_int_equal(msgs[0].run_id, run);
	assert_string_equal(msgs[0].item_id, "a");
	assert_int_equal(msgs[0].created_ms, T0);
	assert_int_equal(msgs[0].next_attempt_ms, T0);
	assert_int_equal(msgs[0].attempts, 0);
	assert_string_equal(msgs[0].state, "pending");
	assert_null(msgs[0].last_error);
	for (size_t i = 0; i < n; i++)
		outbox_msg_release(&msgs[i]);
	free(msgs);

	/* alert.queued names the message, its stage and the item */
	assert_int_equal(store_events(f->s, run, "a", 0, 1, &evs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(evs[0].kind, EV_ALERT_QUEUED);
	assert_int_equal(json_integer_value(json_object_get(evs[0].data, "outbox_id")), id);
	assert_string_equal(json_string_value(json_object_get(evs[0].data, "stage")), "due");
	assert_string_equal(json_string_value(json_object_get(evs[0].data, "channel")), "ops");
	event_release(&evs[0]);
	free(evs);

	/* a message about no run at all */
	assert_true(put(f->s, "digest:2026-12-05", "ops", 0, T0) > 0);
}

static void test_outbox_claim_lease(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	int64_t run = make_run(f->s, "lease"), m1, m2, m3;
	struct outbox_msg *msgs;
	size_t n;

	m1 = put(f->s, "k1", "ops", run, T0);
	m2 = put(f->s, "k2", "ops", run, T0);
	m3 = put(f->s, "k3", "dev", run, T0 + 10 * MIN);   /* not due yet */

	assert_int_equal(store_outbox_claim(f->s, "A", T0 + MIN, MIN, 10, &msgs, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(msgs[0].id, m1);
	assert_int_equal(msgs[1].id, m2);
	for (size_t i = 0; i < n; i++)
		outbox_msg_release(&msgs[i]);
	free(msgs);
	/* leased: B gets nothing, and may not settle A's */
	assert_int_equal(store_outbox_claim(f->s, "B", T0 + MIN + 1, MIN, 10, &msgs, &n, &e), 0);
	assert_int_equal(n, 0);
	free(msgs);
	assert_int_equal(store_outbox_sent(f->s, m1, "B", T0 + MIN, &e), -PF_ESTORE_CONFLICT);
	assert_int_equal(store_outbox_sent(f->s, m1, "A", T0 + MIN + 5, &e), 0);
	assert_int_equal(count_kind(f->s, EV_ALERT_SENT), 1);
	/* a settled message cannot be settled again */
	assert_int_equal(store_outbox_sent(f->s, m1, "A", T0 + MIN + 6, &e), -PF_ESTORE_CONFLICT);

	/* A dies holding m2: after the lease, B takes it (and m3 is due by then) */
	assert_int_equal(store_outbox_claim(f->s, "B", T0 + 11 * MIN, MIN, 1, &msgs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(msgs[0].id, m2);
	outbox_msg_release(&msgs[0]);
	free(msgs);
	assert_int_equal(store_outbox_retry(f->s, m2, "A", T0, "late", &e), -PF_ESTORE_CONFLICT);
	assert_int_equal(store_outbox_retry(f->s, m2, "B", T0 + 20 * MIN, "HTTP 503", &e), 0);
	/* m2 waits until its next attempt; m3 is free */
	assert_int_equal(store_outbox_claim(f->s, "B", T0 + 12 * MIN, MIN, 10, &msgs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(msgs[0].id, m3);
	outbox_msg_release(&msgs[0]);
	free(msgs);
	assert_int_equal(store_outbox_dead(f->s, m3, "B", "HTTP 400: bad key", &e), 0);
	assert_int_equal(count_kind(f->s, EV_ALERT_DEAD), 1);
	assert_int_equal(store_outbox_claim(f->s, "C", T0 + 20 * MIN, MIN, 10, &msgs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(msgs[0].id, m2);
	assert_int_equal(msgs[0].attempts, 1);
	assert_string_equal(msgs[0].last_error, "HTTP 503");
	outbox_msg_release(&msgs[0]);
	free(msgs);

	assert_int_equal(store_outbox_list(f->s, "dead", 0, &msgs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(msgs[0].id, m3);
	assert_string_equal(msgs[0].last_error, "HTTP 400: bad key");
	outbox_msg_release(&msgs[0]);
	free(msgs);
	assert_int_equal(store_outbox_list(f->s, "sent", 0, &msgs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(msgs[0].sent_ms, T0 + MIN + 5);
	outbox_msg_release(&msgs[0]);
	free(msgs);
	assert_int_equal(store_outbox_sent_since(f->s, "ops", T0, &e), 1);
	assert_int_equal(store_outbox_sent_since(f->s, "ops", T0 + 2 * MIN, &e), 0);
	assert_int_equal(store_outbox_sent_since(f->s, "dev", 0, &e), 0);
}

static void test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	struct store *s2 = (struct store *)1;

	store_close(f->s);
	f->s = NULL;
	raw_exec(f, "UPDATE meta SET value = '999' WHERE key = 'schema_version'");
	assert_int_equal(store_open(f->url, &s2, &e), -PF_ESTORE_NEWER);
	assert_ptr_equal(s2, (struct store *)1);
	assert_non_null(strstr(e.msg, "999"));
	assert_non_null(strstr(e.msg, "up to 1"));
	raw_exec(f, "UPDATE meta SET value = '1' WHERE key = 'schema_version'");
	assert_int_equal(store_open(f->url, &f->s, &e), 0);
}

/* A store left at version 0 (the meta table, nothing else) is migrated. */
static void test_migrate_older(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };

	store_close(f->s);
	f->s = NULL;
	raw_exec(f, "DROP TABLE outbox; DROP TABLE events; DROP TABLE followups; DROP TABLE run_items;"
		    " DROP TABLE runs; UPDATE meta SET value = '0' WHERE key = 'schema_version'");
	assert_int_equal(store_open(f->url, &f->s, &e), 0);
	assert_true(make_run(f->s, "after migration") > 0);
}

/* What happened is never edited in place, whoever holds the database. */
static void test_append_only(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	int64_t run = make_run(f->s, "history");

	assert_true(store_followup_open(f->s, run, "a", NULL, 0, "x", "bob", &e) > 0);
	assert_false(raw_try(f, "UPDATE events SET actor = 'mallory'"));
	assert_false(raw_try(f, "DELETE FROM events"));
	assert_false(raw_try(f, "UPDATE runs SET name = 'other'"));
	assert_false(raw_try(f, "DELETE FROM run_items"));
	assert_false(raw_try(f, "UPDATE followups SET owner = 'x'"));
	/* the outbox is the delivery queue: mutable */
	assert_true(raw_try(f, "UPDATE outbox SET attempts = attempts"));
	assert_int_equal(store_last_seq(f->s, &e), 2);
}

/* PostgreSQL: the server drops our connection (a restart, an idle timeout
 * on the way); the next statement outside a transaction reconnects. */
static void test_reconnect(void **state)
{
	struct fixture *f = *state;
	struct err e = { { 0 } };
	int64_t run;

	if (!f->pg)
		return;
	run = make_run(f->s, "before");
	raw_exec(f, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
		    " WHERE datname = current_database() AND pid <> pg_backend_pid()");
	assert_int_equal(store_latest_run(f->s, &e), run);
	assert_true(make_run(f->s, "after") > run);
}

/* ---- names of stores (no fixture) -------------------------------------------- */

static void test_urls(void **state)
{
	struct err e = { { 0 } };
	struct store *s;

	(void)state;
	assert_int_equal(store_open("mysql://db/x", &s, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "mysql"));
	assert_int_equal(store_open("", &s, &e), -PF_EPARSE);
	assert_int_equal(store_open("sqlite:", &s, &e), -PF_EPARSE);
	assert_int_equal(store_open("/nonexistent-dir/sub/x.db", &s, &e), -PF_ESTORE_UNREACHABLE);
	assert_non_null(strstr(e.msg, "/nonexistent-dir/sub/x.db"));
	assert_null(strchr(e.msg, '\n'));
	/* nothing listens on port 1: refused at once, the password never shown */
	assert_int_equal(store_open("postgresql://ursula:s3cret@127.0.0.1:1/pf", &s, &e), -PF_ESTORE_UNREACHABLE);
	assert_non_null(strstr(e.msg, "postgresql://ursula:***@127.0.0.1:1/pf"));
	assert_null(strstr(e.msg, "s3cret"));
	assert_null(strchr(e.msg, '\n'));
	assert_int_equal(store_open("postgres://127.0.0.1:1/pf?user=u&password=hunter2", &s, &e),
			 -PF_ESTORE_UNREACHABLE);
	assert_non_null(strstr(e.msg, "password=***"));
	assert_null(strstr(e.msg, "hunter2"));
	/* a '/' written unencoded in the password still does not show it */
	assert_int_equal(store_open("postgresql://u:pa/ss@127.0.0.1:1/pf", &s, &e), -PF_ESTORE_UNREACHABLE);
	assert_null(strstr(e.msg, "pa/ss"));
}

static void test_default_path(void **state)
{
	char buf[4096], dir[] = "/tmp/test_store_home.XXXXXX", cmd[256];
	struct err e = { { 0 } };
	struct store *s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_STATE_HOME", dir, 1);
	assert_int_equal(store_default_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf + strlen(dir), "/preflight/preflight.db");
	assert_int_equal(store_default_path(cmd, 10), -ENAMETOOLONG);
	/* NULL: PREFLIGHT_DB unset, so the default path, its directory made */
	unsetenv("PREFLIGHT_DB");
	assert_int_equal(store_open(NULL, &s, &e), 0);
	assert_string_equal(store_name(s), buf);
	store_close(s);
	assert_int_equal(access(buf, F_OK), 0);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", dir, 1);
	assert_int_equal(store_default_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf + strlen(dir), "/.local/state/preflight/preflight.db");
	unsetenv("HOME");
	assert_int_equal(store_default_path(buf, sizeof(buf)), -ENOENT);
	/* PREFLIGHT_DB wins over the default */
	snprintf(buf, sizeof(buf), "sqlite:%s/env.db", dir);
	setenv("PREFLIGHT_DB", buf, 1);
	assert_int_equal(store_open(NULL, &s, &e), 0);
	assert_string_equal(store_backend(s), "sqlite");
	assert_string_equal(store_name(s), buf + 7);
	store_close(s);
	unsetenv("PREFLIGHT_DB");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_item_status_names(void **state)
{
	(void)state;
	for (int i = 0; i < ITEM_STATUS_COUNT; i++)
		assert_int_equal(item_status_parse(item_status_name((enum item_status)i)), i);
	assert_string_equal(item_status_name(ITEM_SKIP), "skip");
	assert_int_equal(item_status_parse("passed"), -1);
	assert_int_equal(item_status_parse(NULL), -1);
	assert_true(item_status_open(ITEM_PENDING));
	assert_true(item_status_open(ITEM_RUNNING));
	assert_true(item_status_open(ITEM_FAIL));
	assert_false(item_status_open(ITEM_PASS));
	assert_false(item_status_open(ITEM_SKIP));
}

#define STORE_CASES(setup_fn)                                                                                 \
	cmocka_unit_test_setup_teardown(test_open_empty, setup_fn, teardown),                                 \
	cmocka_unit_test_setup_teardown(test_run_create_view, setup_fn, teardown),                            \
	cmocka_unit_test_setup_teardown(test_append_events, setup_fn, teardown),                              \
	cmocka_unit_test_setup_teardown(test_view_derivation, setup_fn, teardown),                            \
	cmocka_unit_test_setup_teardown(test_item_view, setup_fn, teardown),                                  \
	cmocka_unit_test_setup_teardown(test_overdue, setup_fn, teardown),                                    \
	cmocka_unit_test_setup_teardown(test_transactions, setup_fn, teardown),                               \
	cmocka_unit_test_setup_teardown(test_runs_and_open_runs, setup_fn, teardown),                         \
	cmocka_unit_test_setup_teardown(test_followups, setup_fn, teardown),                                  \
	cmocka_unit_test_setup_teardown(test_outbox_dedupe, setup_fn, teardown),                              \
	cmocka_unit_test_setup_teardown(test_outbox_claim_lease, setup_fn, teardown),                         \
	cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup_fn, teardown),                       \
	cmocka_unit_test_setup_teardown(test_migrate_older, setup_fn, teardown),                              \
	cmocka_unit_test_setup_teardown(test_append_only, setup_fn, teardown),                                \
	cmocka_unit_test_setup_teardown(test_reconnect, setup_fn, teardown)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
		STORE_CASES(setup_sqlite),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_item_status_names),
	};
	const struct CMUnitTest pg_tests[] = {
		STORE_CASES(setup_pg),
	};
	int failed = cmocka_run_group_tests_name("store on SQLite", sqlite_tests, NULL, NULL);

	if (pg_url()) {
		printf("# the same cases on PostgreSQL (PREFLIGHT_TEST_PG_URL)\n");
		fflush(stdout);
		failed += cmocka_run_group_tests_name("store on PostgreSQL", pg_tests, NULL, NULL);
	} else {
		printf("# the PostgreSQL cases are skipped: PREFLIGHT_TEST_PG_URL is not set\n");
	}
	return failed;
}
