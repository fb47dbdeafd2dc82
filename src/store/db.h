/* db: the store's tiny backend interface, one implementation per engine
 * (db_sqlite.c, db_pg.c).
 *
 * The store's domain files speak SQL through this and nothing else, so the
 * same SQL text (with '?' placeholders) runs on SQLite and PostgreSQL.
 * Statements: prepare, bind (1-based), step until 0, read columns of the
 * current row (valid until the next step or finalize), finalize.
 * Transactions: begin(write) takes the store-wide writer lock (SQLite
 * BEGIN IMMEDIATE, PostgreSQL an advisory transaction lock), so a writer's
 * check-then-append sees the state it acts on and event seqs commit in
 * order. Errors fill e with "store 'NAME': ..." and return a negative code.
 */
#ifndef PREFLIGHT_STORE_DB_H
#define PREFLIGHT_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct db;

/* The common head of each backend's statement. */
struct db_stmt {
	struct db *db;
};

struct db_ops {
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **ret, struct err *e);
	void (*bind_text)(struct db_stmt *st, int i, const char *v);   /* NULL binds SQL NULL */
	void (*bind_int)(struct db_stmt *st, int i, int64_t v);
	/* 1: a row is ready, 0: done, < 0: error */
	int (*step)(struct db_stmt *st, struct err *e);
	bool (*column_null)(struct db_stmt *st, int i);                /* 0-based columns */
	int64_t (*column_int)(struct db_stmt *st, int i);
	const char *(*column_text)(struct db_stmt *st, int i);         /* NULL for SQL NULL */
	void (*finalize)(struct db_stmt *st);
	/* one or more statements without parameters or results (DDL) */
	int (*exec)(struct db *db, const char *sql, struct err *e);
	int (*begin)(struct db *db, bool write, struct err *e);
	int (*commit)(struct db *db, struct err *e);
	void (*rollback)(struct db *db);
	void (*close)(struct db *db);
};

struct db {
	const struct db_ops *ops;
	bool pg;                /* PostgreSQL: the few dialect differences (DDL keys, FOR UPDATE) */
	const char *name;       /* the store's redacted name, for messages (owned by the store) */
};

/* path: a file name. Creates it when absent (its directory must exist). */
int db_sqlite_open(const char *path, const char *name, struct db **ret, struct err *e);
/* conninfo: a libpq URL, given with connect_timeout already present. */
int db_pg_open(const char *conninfo, const char *name, struct db **ret, struct err *e);

static inline int db_prepare(struct db *db, const char *sql, struct db_stmt **ret, struct err *e)
{
	return db->ops->prepare(db, sql, ret, e);
}
static inline void db_bind_text(struct db_stmt *st, int i, const char *v) { st->db->ops->bind_text(st, i, v); }
static inline void db_bind_int(struct db_stmt *st, int i, int64_t v) { st->db->ops->bind_int(st, i, v); }
static inline void db_bind_null(struct db_stmt *st, int i) { st->db->ops->bind_text(st, i, NULL); }
static inline int db_step(struct db_stmt *st, struct err *e) { return st->db->ops->step(st, e); }
static inline bool db_column_null(struct db_stmt *st, int i) { return st->db->ops->column_null(st, i); }
static inline int64_t db_column_int(struct db_stmt *st, int i) { return st->db->ops->column_int(st, i); }
static inline const char *db_column_text(struct db_stmt *st, int i) { return st->db->ops->column_text(st, i); }
static inline void db_finalize(struct db_stmt *st)
{
	if (st)
		st->db->ops->finalize(st);
}
static inline int db_exec(struct db *db, const char *sql, struct err *e) { return db->ops->exec(db, sql, e); }
static inline int db_begin(struct db *db, bool write, struct err *e) { return db->ops->begin(db, write, e); }
static inline int db_commit(struct db *db, struct err *e) { return db->ops->commit(db, e); }
static inline void db_rollback(struct db *db) { db->ops->rollback(db); }
static inline void db_close(struct db *db)
{
	if (db)
		db->ops->close(db);
}

#endif
