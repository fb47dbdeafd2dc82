/* store_sql: binding helpers and transaction scopes shared by the store's
 * domain files. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_internal.h"

int64_t store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int vprepare(struct store *s, struct db_stmt **ret, struct err *e, const char *sql, const char *types,
		    va_list ap)
{
	struct db_stmt *st;
	int64_t v;
	int r;

	r = db_prepare(s->db, sql, &st, e);
	if (r < 0)
		return r;
	for (int i = 0; types[i]; i++) {
		switch (types[i]) {
		case 't':
			db_bind_text(st, i + 1, va_arg(ap, const char *));
			break;
		case 'i':
			db_bind_int(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'n':
			v = va_arg(ap, int64_t);
			if (v)
				db_bind_int(st, i + 1, v);
			else
				db_bind_null(st, i + 1);
			break;
		default:
			db_finalize(st);
			return err_set(e, -EINVAL, "store: bad bind type '%c'", types[i]);
		}
	}
	*ret = st;
	return 0;
}

int sq_prepare(struct store *s, struct db_stmt **ret, struct err *e, const char *sql, const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = vprepare(s, ret, e, sql, types, ap);
	va_end(ap);
	return r;
}

int sq_exec(struct store *s, struct err *e, const char *sql, const char *types, ...)
{
	struct db_stmt *st;
	va_list ap;
	int r;

	va_start(ap, types);
	r = vprepare(s, &st, e, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	while ((r = db_step(st, e)) > 0)
		;
	db_finalize(st);
	return r;
}

int sq_int(struct store *s, int64_t *ret, struct err *e, const char *sql, const char *types, ...)
{
	struct db_stmt *st;
	va_list ap;
	int r;

	va_start(ap, types);
	r = vprepare(s, &st, e, sql, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	r = db_step(st, e);
	if (r > 0)
		*ret = db_column_null(st, 0) ? 0 : db_column_int(st, 0);
	db_finalize(st);
	return r;
}

char *sq_text(struct db_stmt *st, int i)
{
	const char *t = db_column_text(st, i);

	return t ? strdup(t) : NULL;
}

json_t *sq_json(struct db_stmt *st, int i)
{
	const char *t = db_column_text(st, i);
	json_t *j = t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;

	return j ? j : json_object();
}

int tx_enter(struct store *s, bool write, bool *own, struct err *e)
{
	int r;

	*own = false;
	if (s->in_tx)
		return 0;
	r = db_begin(s->db, write, e);
	if (r < 0)
		return r;
	s->in_tx = true;
	*own = true;
	return 0;
}

int64_t tx_leave(struct store *s, bool own, int64_t r, struct err *e)
{
	int c;

	if (!own)
		return r;
	s->in_tx = false;
	if (r < 0) {
		db_rollback(s->db);
		return r;
	}
	c = db_commit(s->db, e);
	return c < 0 ? c : r;
}

int store_begin_write(struct store *s, struct err *e)
{
	int r;

	if (s->in_tx)
		return err_set(e, -EBUSY, "store '%s': a transaction is already open", s->name);
	r = db_begin(s->db, true, e);
	if (r == 0)
		s->in_tx = true;
	return r;
}

int store_commit(struct store *s, struct err *e)
{
	if (!s->in_tx)
		return 0;
	s->in_tx = false;
	return db_commit(s->db, e);
}

void store_rollback(struct store *s)
{
	if (!s || !s->in_tx)
		return;
	s->in_tx = false;
	db_rollback(s->db);
}
