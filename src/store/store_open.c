/* store_open: which store a URL names, where the default one lives, and
 * bringing its schema up to date. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "store/store_internal.h"

/* ---- schema --------------------------------------------------------------
 * Migrations in order; version N's SQL turns a version N-1 store into N.
 * Never edit a released step: add the next one. "@PK@" is the one dialect
 * difference in the DDL: an auto-numbered 64-bit key that never reuses a
 * value (SQLite's AUTOINCREMENT, PostgreSQL's BIGSERIAL). */
struct migration {
	const char *sql;        /* both engines */
	const char *sqlite, *pg;   /* then the engine's own, or NULL */
};

/* The tables written once refuse UPDATE and DELETE: what happened is never
 * edited in place, whoever holds the database (the outbox stays mutable). */
#define APPEND_ONLY_SQLITE(t)                                                                              \
	"CREATE TRIGGER " t "_append_only_u BEFORE UPDATE ON " t                                           \
	" BEGIN SELECT RAISE(ABORT, '" t " is append-only'); END;"                                          \
	"CREATE TRIGGER " t "_append_only_d BEFORE DELETE ON " t                                           \
	" BEGIN SELECT RAISE(ABORT, '" t " is append-only'); END;"
#define APPEND_ONLY_PG(t)                                                                                  \
	"CREATE TRIGGER " t "_append_only BEFORE UPDATE OR DELETE ON " t                                   \
	" FOR EACH ROW EXECUTE FUNCTION preflight_append_only();"

static const struct migration migrations[] = {
	/* 1: runs, items, follow-ups, the event log, the outbox */
	{ "CREATE TABLE runs ("
	" id @PK@,"
	" name TEXT NOT NULL, source TEXT, env TEXT, owner TEXT, opened_by TEXT, host TEXT,"
	" parent_ticket TEXT, opened_ms BIGINT NOT NULL, checklist TEXT NOT NULL);"
	"CREATE TABLE run_items ("
	" run_id BIGINT NOT NULL REFERENCES runs(id), item_id TEXT NOT NULL, position INTEGER NOT NULL,"
	" title TEXT NOT NULL, owner TEXT, module TEXT, env TEXT, severity TEXT, verify_kind TEXT NOT NULL,"
	" planned_change TEXT, due_ms BIGINT NOT NULL DEFAULT 0, definition TEXT NOT NULL,"
	" PRIMARY KEY (run_id, item_id));"
	"CREATE UNIQUE INDEX run_items_order ON run_items(run_id, position);"
	"CREATE TABLE followups ("
	" id @PK@,"
	" run_id BIGINT NOT NULL REFERENCES runs(id), item_id TEXT NOT NULL, owner TEXT,"
	" opened_ms BIGINT NOT NULL, rca_due_ms BIGINT NOT NULL DEFAULT 0, summary TEXT);"
	"CREATE INDEX followups_run ON followups(run_id, id);"
	"CREATE TABLE events ("
	" seq @PK@,"
	" at_ms BIGINT NOT NULL, run_id BIGINT REFERENCES runs(id), item_id TEXT, kind TEXT NOT NULL,"
	" status INTEGER, actor TEXT NOT NULL, host TEXT, reason TEXT, change_id TEXT, data TEXT NOT NULL,"
	/* facts fixed when the event is appended (under the writer lock): its
	 * number among its item's events, and the item's cycle (reopens so
	 * far, this one included); 0 for run-level events */
	" item_seq BIGINT NOT NULL DEFAULT 0, cycle INTEGER NOT NULL DEFAULT 0);"
	/* an item's history (and its latest event: item_seq, cycle); a run's
	 * newest event; one kind in a run (run.close, follow-ups, an item's
	 * latest result); an item's latest status, change, and late-acting
	 * reason: each an index seek, so a view costs a few lookups per item
	 * however long the log grows */
	"CREATE INDEX events_item ON events(run_id, item_id, seq);"
	"CREATE INDEX events_run ON events(run_id, seq);"
	"CREATE INDEX events_kind ON events(run_id, kind, item_id, seq);"
	/* (the last column of these two makes the seek a covering one: SQLite
	 * would otherwise read each entry's row to test the column) */
	"CREATE INDEX events_status ON events(run_id, item_id, seq, status) WHERE status IS NOT NULL;"
	"CREATE INDEX events_change ON events(run_id, item_id, seq, change_id) WHERE change_id IS NOT NULL;"
	"CREATE INDEX events_reason ON events(run_id, item_id, seq) WHERE reason IS NOT NULL"
	" AND kind IN ('item.confirm', 'item.skip', 'item.fail');"
	"CREATE TABLE outbox ("
	" id @PK@,"
	" dedupe_key TEXT NOT NULL UNIQUE, channel TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,"
	" run_id BIGINT REFERENCES runs(id), item_id TEXT, created_ms BIGINT NOT NULL,"
	" next_attempt_ms BIGINT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" state TEXT NOT NULL DEFAULT 'pending', lease_owner TEXT, lease_until_ms BIGINT NOT NULL DEFAULT 0,"
	" sent_ms BIGINT NOT NULL DEFAULT 0, last_error TEXT);"
	"CREATE INDEX outbox_due ON outbox(state, next_attempt_ms);"
	"CREATE INDEX outbox_sent ON outbox(channel, sent_ms);",
	  APPEND_ONLY_SQLITE("runs") APPEND_ONLY_SQLITE("run_items") APPEND_ONLY_SQLITE("followups")
	  APPEND_ONLY_SQLITE("events"),
	  "CREATE OR REPLACE FUNCTION preflight_append_only() RETURNS trigger LANGUAGE plpgsql AS"
	  " $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;"
	  APPEND_ONLY_PG("runs") APPEND_ONLY_PG("run_items") APPEND_ONLY_PG("followups") APPEND_ONLY_PG("events") },
};
#define SCHEMA_VERSION ((int64_t)(sizeof(migrations) / sizeof(migrations[0])))

static int migration_sql(const struct store *s, const char *tmpl, struct buf *out)
{
	const char *pk = s->db->pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
	const char *p = tmpl, *q;
	int r = 0;

	while (r == 0 && (q = strstr(p, "@PK@"))) {
		r = buf_append(out, p, (size_t)(q - p));
		if (r == 0)
			r = buf_puts(out, pk);
		p = q + 4;
	}
	return r ? r : buf_puts(out, p);
}

static int read_version(struct store *s, int64_t *ret, struct err *e)
{
	struct db_stmt *st;
	const char *v;
	char *end;
	int r;

	r = sq_prepare(s, &st, e, "SELECT value FROM meta WHERE key = 'schema_version'", "");
	if (r < 0)
		return r;
	r = db_step(st, e);
	*ret = 0;
	if (r > 0 && (v = db_column_text(st, 0))) {
		errno = 0;
		*ret = strtoll(v, &end, 10);
		if (errno || *end || end == v || *ret < 0)
			r = err_set(e, -PF_EPARSE, "store '%s': bad schema_version '%s'", s->name, v);
	}
	db_finalize(st);
	return r < 0 ? r : 0;
}

static int refuse_newer(struct store *s, int64_t v, struct err *e)
{
	return err_set(e, -PF_ESTORE_NEWER, "store '%s' has schema %lld; this preflight knows up to %lld: upgrade preflight",
		       s->name, (long long)v, (long long)SCHEMA_VERSION);
}

/* Brings the schema to SCHEMA_VERSION in one transaction, under the write
 * lock so two processes opening a new store at once migrate it once. */
static int migrate(struct store *s, struct err *e)
{
	struct buf sql = BUF_INIT(1 << 20);
	int64_t v = 0;
	char num[32];
	bool own;
	int r;

	/* The common case first, without the write lock: up to date. (A store
	 * without the meta table fails this read; the locked path creates it.) */
	if (read_version(s, &v, NULL) == 0 && v == SCHEMA_VERSION)
		return 0;
	if (v > SCHEMA_VERSION)
		return refuse_newer(s, v, e);
	r = tx_enter(s, true, &own, e);
	if (r < 0)
		return r;
	r = db_exec(s->db, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", e);
	if (r == 0)
		r = read_version(s, &v, e);
	if (r == 0 && v > SCHEMA_VERSION)
		r = refuse_newer(s, v, e);
	for (int64_t next = v + 1; r == 0 && next <= SCHEMA_VERSION; next++) {
		buf_reset(&sql);
		const struct migration *m = &migrations[next - 1];
		const char *own_sql = s->db->pg ? m->pg : m->sqlite;

		r = migration_sql(s, m->sql, &sql);
		if (r == 0 && own_sql)
			r = buf_puts(&sql, own_sql);
		if (r < 0)
			r = err_set(e, r, "out of memory");
		else
			r = db_exec(s->db, buf_str(&sql), e);
	}
	if (r == 0 && v < SCHEMA_VERSION) {
		snprintf(num, sizeof(num), "%lld", (long long)SCHEMA_VERSION);
		r = sq_exec(s, e,
			    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)"
			    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			    "t", num);
	}
	buf_release(&sql);
	return (int)tx_leave(s, own, r, e);
}

/* ---- names ------------------------------------------------------------- */

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool is_pg_url(const char *url)
{
	return has_prefix(url, "postgresql://") || has_prefix(url, "postgres://");
}

/* url with every password= parameter's value as "***". */
static char *redact_params(const char *url)
{
	struct buf b = BUF_INIT(1 << 16);
	const char *p = url, *q;

	while ((q = strstr(p, "password="))) {
		buf_append(&b, p, (size_t)(q + 9 - p));
		p = q + 9;
		if (q != url && (q[-1] == '?' || q[-1] == '&')) {
			buf_puts(&b, "***");
			p += strcspn(p, "&#");
		}
	}
	buf_puts(&b, p);
	return buf_detach(&b);
}

/* The URL with its password (user:PASSWORD@, then password=...) as "***". */
static char *redact(const char *url)
{
	struct buf b = BUF_INIT(1 << 16);
	const char *p = strstr(url, "://"), *auth_end, *at = NULL, *colon = NULL;
	char *userinfo_done, *ret;

	if (!p)
		return redact_params(url);
	p += 3;
	/* The last '@' before the query: libpq stops the userinfo at a '/',
	 * but a password someone wrote with a '/' unencoded is still theirs. */
	auth_end = p + strcspn(p, "?#");
	for (const char *q = p; q < auth_end; q++)
		if (*q == '@')
			at = q;
	if (at)
		colon = memchr(p, ':', (size_t)(at - p));
	if (colon) {
		buf_append(&b, url, (size_t)(colon + 1 - url));
		buf_puts(&b, "***");
		buf_puts(&b, at);
	} else {
		buf_puts(&b, url);
	}
	userinfo_done = buf_detach(&b);
	ret = userinfo_done ? redact_params(userinfo_done) : NULL;
	free(userinfo_done);
	return ret;
}

/* Replaces every occurrence of secret[0..n) in msg with "***". */
static void scrub(char *msg, size_t size, const char *secret, size_t n)
{
	char *q;

	if (n < 2)
		return;
	while ((q = memmem(msg, strlen(msg), secret, n))) {
		size_t tail = strlen(q + n) + 1;

		if (n < 3 && q + 3 + tail > msg + size)
			return;
		memcpy(q, "***", 3);
		memmove(q + 3, q + n, tail);
	}
}

/* libpq's messages may quote parts of the URL (an invalid port is the
 * text after the host): whatever the URL's passwords are, not there. */
static void scrub_secrets(const char *url, char *msg, size_t size)
{
	const char *p = strstr(url, "://"), *end, *at = NULL, *colon = NULL, *q;

	if (!p)
		return;
	p += 3;
	end = p + strcspn(p, "?#");
	for (q = p; q < end; q++)
		if (*q == '@')
			at = q;
	if (at && (colon = memchr(p, ':', (size_t)(at - p))))
		scrub(msg, size, colon + 1, (size_t)(at - colon - 1));
	for (q = url; (q = strstr(q, "password=")); q += 9)
		if (q[-1] == '?' || q[-1] == '&')
			scrub(msg, size, q + 9, strcspn(q + 9, "&#"));
}

int store_default_path(char *buf, size_t len)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (state && state[0] == '/')
		n = snprintf(buf, len, "%s/preflight/preflight.db", state);
	else if (home && home[0])
		n = snprintf(buf, len, "%s/.local/state/preflight/preflight.db", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* mkdir -p of path's directory, 0700: the default store's home. */
static int make_parent(const char *path)
{
	char dir[4096];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* libpq waits for an unreachable server as long as TCP does unless told. */
static char *pg_conninfo(const char *url)
{
	struct buf b = BUF_INIT(1 << 16);

	buf_puts(&b, url);
	if (!strstr(url, "connect_timeout="))
		buf_puts(&b, strchr(url, '?') ? "&connect_timeout=5" : "?connect_timeout=5");
	return buf_detach(&b);
}

/* The scheme of "scheme://...", or 0 length when url has none. */
static size_t scheme_len(const char *url)
{
	size_t n = 0;

	if (!isalpha((unsigned char)url[0]))
		return 0;
	while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
		n++;
	return strncmp(url + n, "://", 3) == 0 ? n : 0;
}

int store_url_parse(const char *url, struct store_url *ret, struct err *e)
{
	struct store_url u = { 0 };

	if (!url[0])
		return err_set(e, -PF_EPARSE, "empty store name: give a file path or a postgresql:// URL");
	if (is_pg_url(url)) {
		u.pg = true;
		u.name = redact(url);
		u.target = pg_conninfo(url);
	} else {
		const char *path = url;

		if (has_prefix(url, "sqlite://"))
			path = url + 9;
		else if (has_prefix(url, "sqlite:"))
			path = url + 7;
		else if (scheme_len(url))
			return err_set(e, -PF_EPARSE, "store '%.200s': unknown scheme '%.*s' (a file path or postgresql://)",
				       url, (int)scheme_len(url), url);
		if (!path[0])
			return err_set(e, -PF_EPARSE, "store '%.200s': no file name", url);
		u.name = strdup(path);
		u.target = strdup(path);
	}
	if (!u.name || !u.target) {
		store_url_release(&u);
		return err_set(e, -ENOMEM, "out of memory");
	}
	*ret = u;
	return 0;
}

void store_url_release(struct store_url *u)
{
	free(u->name);
	free(u->target);
	memset(u, 0, sizeof(*u));
}

int store_open(const char *url, struct store **ret, struct err *e)
{
	struct store_url u;
	char def[4096];
	struct store *s;
	bool made_default = false;
	int r;

	if (!url) {
		url = getenv("PREFLIGHT_DB");
		if (!url || !url[0]) {
			r = store_default_path(def, sizeof(def));
			if (r < 0)
				return err_set(e, -PF_ESTORE_UNREACHABLE,
					       "no store: give --db or PREFLIGHT_DB (no HOME for the default)");
			url = def;
			made_default = true;
		}
	}
	r = store_url_parse(url, &u, e);
	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s) {
		store_url_release(&u);
		return err_set(e, -ENOMEM, "out of memory");
	}
	s->name = u.name;
	u.name = NULL;
	if (gethostname(s->host, sizeof(s->host) - 1) < 0)
		snprintf(s->host, sizeof(s->host), "unknown");

	if (!u.pg) {
		if (made_default && (r = make_parent(u.target)) < 0) {
			r = err_set(e, -PF_ESTORE_UNREACHABLE, "cannot open store '%s': creating its directory: %s",
				    s->name, strerror(-r));
			goto fail;
		}
		r = db_sqlite_open(u.target, s->name, &s->db, e);
	} else {
		r = db_pg_open(u.target, s->name, &s->db, e);
		if (r < 0 && e)
			scrub_secrets(url, e->msg, sizeof(e->msg));
	}
	if (r < 0)
		goto fail;
	r = migrate(s, e);
	if (r < 0)
		goto fail;
	store_url_release(&u);
	*ret = s;
	return 0;
fail:
	store_url_release(&u);
	store_close(s);
	return r;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_rollback(s);
	db_close(s->db);
	free(s->name);
	free(s);
}

const char *store_backend(const struct store *s)
{
	return s->db->pg ? "postgresql" : "sqlite";
}

const char *store_name(const struct store *s)
{
	return s->name;
}
