/* db_sqlite: the store on a SQLite file.
 *
 * WAL (readers never block the writer), synchronous=NORMAL (a power cut
 * may lose the last transactions, never corrupt the file), foreign keys
 * on, and a 10 s busy timeout: several preflight processes share one file
 * and each waits its turn. A writer takes the write lock at BEGIN
 * (IMMEDIATE), so two writers never both read and then fail to upgrade.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db.h"

#define BUSY_TIMEOUT_MS 10000

struct sqlite_db {
	struct db base;
	sqlite3 *h;
};

struct sqlite_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
};

static sqlite3 *handle(struct db *db)
{
	return ((struct sqlite_db *)db)->h;
}

static int fail(struct db *db, struct err *e, const char *what)
{
	return err_set(e, -EIO, "store '%s': %s: %s", db->name, what, sqlite3_errmsg(handle(db)));
}

static int lite_prepare(struct db *db, const char *sql, struct db_stmt **ret, struct err *e)
{
	struct sqlite_stmt *s = calloc(1, sizeof(*s));

	if (!s)
		return err_set(e, -ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(handle(db), sql, -1, &s->st, NULL) != SQLITE_OK) {
		free(s);
		return fail(db, e, "prepare");
	}
	s->base.db = db;
	*ret = &s->base;
	return 0;
}

static sqlite3_stmt *stmt(struct db_stmt *st)
{
	return ((struct sqlite_stmt *)st)->st;
}

static void lite_bind_text(struct db_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(stmt(st), i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt(st), i);
}

static void lite_bind_int(struct db_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(stmt(st), i, v);
}

static int lite_step(struct db_stmt *st, struct err *e)
{
	int r = sqlite3_step(stmt(st));

	if (r == SQLITE_ROW)
		return 1;
	if (r == SQLITE_DONE)
		return 0;
	return fail(st->db, e, "query");
}

static bool lite_column_null(struct db_stmt *st, int i)
{
	return sqlite3_column_type(stmt(st), i) == SQLITE_NULL;
}

static int64_t lite_column_int(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(stmt(st), i);
}

static const char *lite_column_text(struct db_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(stmt(st), i);
}

static void lite_finalize(struct db_stmt *st)
{
	sqlite3_finalize(stmt(st));
	free(st);
}

static int lite_exec(struct db *db, const char *sql, struct err *e)
{
	if (sqlite3_exec(handle(db), sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, e, "exec");
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The busy handler already waits inside BEGIN IMMEDIATE; this loop covers
 * the few cases where SQLite answers BUSY without calling it (a WAL being
 * recovered by another connection), within the same 10 s. */
static int lite_begin(struct db *db, bool write, struct err *e)
{
	int64_t until = now_ms() + BUSY_TIMEOUT_MS;
	int r;

	for (;;) {
		r = sqlite3_exec(handle(db), write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
		if (r == SQLITE_OK)
			return 0;
		if ((r & 0xff) != SQLITE_BUSY || now_ms() >= until)
			return fail(db, e, write ? "begin write" : "begin");
		nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
	}
}

static int lite_commit(struct db *db, struct err *e)
{
	int64_t until = now_ms() + BUSY_TIMEOUT_MS;
	int r;

	for (;;) {
		r = sqlite3_exec(handle(db), "COMMIT", NULL, NULL, NULL);
		if (r == SQLITE_OK)
			return 0;
		if ((r & 0xff) != SQLITE_BUSY || now_ms() >= until) {
			fail(db, e, "commit");
			sqlite3_exec(handle(db), "ROLLBACK", NULL, NULL, NULL);
			return -EIO;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
	}
}

static void lite_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(handle(db)))
		sqlite3_exec(handle(db), "ROLLBACK", NULL, NULL, NULL);
}

static void lite_close(struct db *db)
{
	sqlite3_close_v2(handle(db));
	free(db);
}

static const struct db_ops sqlite_ops = {
	.prepare = lite_prepare,
	.bind_text = lite_bind_text,
	.bind_int = lite_bind_int,
	.step = lite_step,
	.column_null = lite_column_null,
	.column_int = lite_column_int,
	.column_text = lite_column_text,
	.finalize = lite_finalize,
	.exec = lite_exec,
	.begin = lite_begin,
	.commit = lite_commit,
	.rollback = lite_rollback,
	.close = lite_close,
};

int db_sqlite_open(const char *path, const char *name, struct db **ret, struct err *e)
{
	struct sqlite_db *d = calloc(1, sizeof(*d));
	int r;

	if (!d)
		return err_set(e, -ENOMEM, "out of memory");
	d->base.ops = &sqlite_ops;
	d->base.name = name;
	r = sqlite3_open_v2(path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (r != SQLITE_OK)
		goto unreachable;
	sqlite3_busy_timeout(d->h, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(d->h, 1);
	/* journal_mode=WAL writes the file header: it fails on a file that is
	 * no database, which is the first moment we learn so. */
	r = sqlite3_exec(d->h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	if (r != SQLITE_OK)
		goto unreachable;
	/* Reads through a memory map rather than a pread and a copy per page,
	 * and a page cache that holds a large run: a view reads a few index
	 * pages per item (docs/store.md has the figures). */
	r = sqlite3_exec(d->h, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA mmap_size=268435456;"
			 " PRAGMA cache_size=-32768", NULL, NULL, NULL);
	if (r != SQLITE_OK)
		goto unreachable;
	*ret = &d->base;
	return 0;
unreachable:
	err_set(e, -PF_ESTORE_UNREACHABLE, "cannot open store '%s': %s", name,
		d->h ? sqlite3_errmsg(d->h) : "out of memory");
	sqlite3_close_v2(d->h);
	free(d);
	return -PF_ESTORE_UNREACHABLE;
}
