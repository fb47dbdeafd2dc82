/* db_pg: the store on PostgreSQL, through libpq.
 *
 * Statements are sent with PQexecParams, every parameter as text (the
 * server infers its type from the column it meets), after numbering the
 * '?' placeholders $1..$n. A write transaction first takes one
 * transaction-level advisory lock: writers serialise, so event seqs
 * (a BIGSERIAL) commit in increasing order and a reader tailing
 * "seq > N" never skips one that commits later with a smaller number.
 * Every statement is bounded by statement_timeout (the lock wait too).
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/db.h"

/* libpq is loaded on first use (dlopen), as libcurl is (src/io/http.c): it
 * pulls in Kerberos, LDAP, SASL and GnuTLS, about 20 shared libraries whose
 * loading took every command from 3 ms to 14 ms, though only a team's
 * shared store speaks PostgreSQL. The package that ships it is named in
 * the error, since a host without it must not look like a server that
 * refused us. */
#define PQ_SONAME "libpq.so.5"
#define PQ_PACKAGE "libpq5"

static struct {
	void (*clear)(PGresult *);
	PGconn *(*connectdb)(const char *);
	char *(*errorMessage)(const PGconn *);
	PGresult *(*exec)(PGconn *, const char *);
	PGresult *(*execParams)(PGconn *, const char *, int, const Oid *, const char *const *, const int *,
				const int *, int);
	void (*finish)(PGconn *);
	int (*getisnull)(const PGresult *, int, int);
	char *(*getvalue)(const PGresult *, int, int);
	int (*ntuples)(const PGresult *);
	void (*reset)(PGconn *);
	char *(*resultErrorMessage)(const PGresult *);
	ExecStatusType (*resultStatus)(const PGresult *);
	PQnoticeProcessor (*setNoticeProcessor)(PGconn *, PQnoticeProcessor, void *);
	ConnStatusType (*status)(const PGconn *);
	PGTransactionStatusType (*transactionStatus)(const PGconn *);
} pq;
static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static bool pq_loaded;
static char pq_load_errmsg[200];

static void pq_load(void)
{
	void *h = dlopen(PQ_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *why = dlerror();

		snprintf(pq_load_errmsg, sizeof(pq_load_errmsg), "%s", why ? why : "not found");
		return;
	}
#define SYM(field, name) \
	if (!(*(void **)&pq.field = dlsym(h, name))) { \
		snprintf(pq_load_errmsg, sizeof(pq_load_errmsg), "it has no '%s'", name); \
		return; \
	}
	SYM(clear, "PQclear");
	SYM(connectdb, "PQconnectdb");
	SYM(errorMessage, "PQerrorMessage");
	SYM(exec, "PQexec");
	SYM(execParams, "PQexecParams");
	SYM(finish, "PQfinish");
	SYM(getisnull, "PQgetisnull");
	SYM(getvalue, "PQgetvalue");
	SYM(ntuples, "PQntuples");
	SYM(reset, "PQreset");
	SYM(resultErrorMessage, "PQresultErrorMessage");
	SYM(resultStatus, "PQresultStatus");
	SYM(setNoticeProcessor, "PQsetNoticeProcessor");
	SYM(status, "PQstatus");
	SYM(transactionStatus, "PQtransactionStatus");
#undef SYM
	pq_loaded = true;
}

/* The advisory lock every writer takes: any constant of our own ("pflt"). */
#define WRITER_LOCK "1886741620"
#define STATEMENT_TIMEOUT "SET statement_timeout = '30s'"
#define MAX_PARAMS 32

struct pg_db {
	struct db base;
	PGconn *conn;
	bool in_tx;              /* between begin and commit/rollback */
};

struct pg_stmt {
	struct db_stmt base;
	char *sql;
	int nparams;
	char *params[MAX_PARAMS];
	PGresult *res;
	int row, nrows;          /* row: the current one, -1 before the first step */
};

static PGconn *conn(struct db *db)
{
	return ((struct pg_db *)db)->conn;
}

/* A long-lived process (serve) outlives a server restart or an idle
 * connection dropped on the way: outside a transaction, a statement that
 * failed because the connection is gone is sent again once, on a new one.
 * Inside one, the transaction is lost and the caller's error stands. */
static bool reconnected(struct db *db)
{
	struct pg_db *d = (struct pg_db *)db;
	PGresult *res;

	if (d->in_tx || pq.status(d->conn) != CONNECTION_BAD)
		return false;
	pq.reset(d->conn);
	if (pq.status(d->conn) != CONNECTION_OK)
		return false;
	res = pq.exec(d->conn, STATEMENT_TIMEOUT);
	pq.clear(res);
	return true;
}

/* libpq's messages end in a newline and may run to several lines: the first.
 * A connection that is gone is an unreachable store (serve answers 503),
 * not a failed statement. */
static int fail_msg(struct db *db, struct err *e, const char *what, const char *msg)
{
	size_t n = strcspn(msg, "\n");
	int code = pq.status(conn(db)) == CONNECTION_BAD ? -PF_ESTORE_UNREACHABLE : -EIO;

	return err_set(e, code, "store '%s': %s: %.*s", db->name, what, (int)n, msg);
}

/* '?' outside quotes becomes $1, $2, ...: the store writes one SQL text
 * for both engines. */
static char *number_params(const char *sql, int *n)
{
	struct buf b = BUF_INIT(1 << 20);
	char quote = 0;

	*n = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '?') {
			buf_printf(&b, "$%d", ++*n);
			continue;
		}
		buf_append(&b, p, 1);
	}
	return buf_detach(&b);
}

static int pg_prepare(struct db *db, const char *sql, struct db_stmt **ret, struct err *e)
{
	struct pg_stmt *s = calloc(1, sizeof(*s));

	if (!s)
		return err_set(e, -ENOMEM, "out of memory");
	s->sql = number_params(sql, &s->nparams);
	if (!s->sql || s->nparams > MAX_PARAMS) {
		free(s->sql);
		free(s);
		return err_set(e, -EINVAL, "store: statement with too many parameters");
	}
	s->base.db = db;
	s->row = -1;
	*ret = &s->base;
	return 0;
}

static void pg_bind_text(struct db_stmt *st, int i, const char *v)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	if (i < 1 || i > s->nparams)
		return;
	free(s->params[i - 1]);
	s->params[i - 1] = v ? strdup(v) : NULL;
}

static void pg_bind_int(struct db_stmt *st, int i, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRId64, v);
	pg_bind_text(st, i, num);
}

static int pg_step(struct db_stmt *st, struct err *e)
{
	struct pg_stmt *s = (struct pg_stmt *)st;
	ExecStatusType status;

	if (!s->res) {
		s->res = pq.execParams(conn(st->db), s->sql, s->nparams, NULL, (const char *const *)s->params, NULL,
				      NULL, 0);
		status = pq.resultStatus(s->res);
		if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && reconnected(st->db)) {
			pq.clear(s->res);
			s->res = pq.execParams(conn(st->db), s->sql, s->nparams, NULL, (const char *const *)s->params,
					      NULL, NULL, 0);
			status = pq.resultStatus(s->res);
		}
		if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
			int r = fail_msg(st->db, e, "query", pq.resultErrorMessage(s->res));

			pq.clear(s->res);
			s->res = NULL;
			return r;
		}
		s->nrows = status == PGRES_TUPLES_OK ? pq.ntuples(s->res) : 0;
	}
	if (s->row + 1 >= s->nrows) {
		s->row = s->nrows;
		return 0;
	}
	s->row++;
	return 1;
}

static bool pg_column_null(struct db_stmt *st, int i)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	return !s->res || s->row < 0 || s->row >= s->nrows || pq.getisnull(s->res, s->row, i);
}

static const char *pg_column_text(struct db_stmt *st, int i)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	return pg_column_null(st, i) ? NULL : pq.getvalue(s->res, s->row, i);
}

static int64_t pg_column_int(struct db_stmt *st, int i)
{
	const char *v = pg_column_text(st, i);

	return v ? strtoll(v, NULL, 10) : 0;
}

static void pg_finalize(struct db_stmt *st)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	pq.clear(s->res);
	for (int i = 0; i < s->nparams; i++)
		free(s->params[i]);
	free(s->sql);
	free(s);
}

static int pg_exec(struct db *db, const char *sql, struct err *e)
{
	PGresult *res = pq.exec(conn(db), sql);
	ExecStatusType status = pq.resultStatus(res);
	int r = 0;

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && reconnected(db)) {
		pq.clear(res);
		res = pq.exec(conn(db), sql);
		status = pq.resultStatus(res);
	}
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		r = fail_msg(db, e, "exec", pq.resultErrorMessage(res));
	pq.clear(res);
	return r;
}

static int pg_begin(struct db *db, bool write, struct err *e)
{
	struct pg_db *d = (struct pg_db *)db;
	int r;

	r = pg_exec(db, write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
	if (r < 0)
		return r;
	d->in_tx = true;
	if (write) {
		r = pg_exec(db, "SELECT pg_advisory_xact_lock(" WRITER_LOCK ")", e);
		if (r < 0) {
			pg_exec(db, "ROLLBACK", NULL);
			d->in_tx = false;
		}
	}
	return r;
}

static int pg_commit(struct db *db, struct err *e)
{
	int r = pg_exec(db, "COMMIT", e);

	if (r < 0)
		pg_exec(db, "ROLLBACK", NULL);
	((struct pg_db *)db)->in_tx = false;
	return r;
}

static void pg_rollback(struct db *db)
{
	if (pq.transactionStatus(conn(db)) != PQTRANS_IDLE)
		pg_exec(db, "ROLLBACK", NULL);
	((struct pg_db *)db)->in_tx = false;
}

static void pg_close(struct db *db)
{
	pq.finish(conn(db));
	free(db);
}

static const struct db_ops pg_ops = {
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int = pg_bind_int,
	.step = pg_step,
	.column_null = pg_column_null,
	.column_int = pg_column_int,
	.column_text = pg_column_text,
	.finalize = pg_finalize,
	.exec = pg_exec,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.close = pg_close,
};

/* Notices (CREATE TABLE IF NOT EXISTS ... skipping) would go to stderr. */
static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int db_pg_open(const char *conninfo, const char *name, struct db **ret, struct err *e)
{
	struct pg_db *d = calloc(1, sizeof(*d));
	size_t n;

	pthread_once(&pq_once, pq_load);
	if (!pq_loaded) {
		free(d);
		return err_set(e, -PF_ESTORE_UNREACHABLE, "cannot use store '%s': %s cannot be loaded: %s; install %s",
			       name, PQ_SONAME, pq_load_errmsg, PQ_PACKAGE);
	}
	if (!d)
		return err_set(e, -ENOMEM, "out of memory");
	d->base.ops = &pg_ops;
	d->base.pg = true;
	d->base.name = name;
	d->conn = pq.connectdb(conninfo);
	if (!d->conn || pq.status(d->conn) != CONNECTION_OK) {
		const char *msg = d->conn ? pq.errorMessage(d->conn) : "out of memory";

		n = strcspn(msg, "\n");
		err_set(e, -PF_ESTORE_UNREACHABLE, "cannot connect to store '%s': %.*s", name, (int)n, msg);
		pq.finish(d->conn);
		free(d);
		return -PF_ESTORE_UNREACHABLE;
	}
	pq.setNoticeProcessor(d->conn, quiet, NULL);
	if (pg_exec(&d->base, STATEMENT_TIMEOUT, e) < 0) {
		pg_close(&d->base);
		return -PF_ESTORE_UNREACHABLE;
	}
	*ret = &d->base;
	return 0;
}
