/* auth: who may do what on `preflight serve` (serve.h, docs/serve.md
 * "Security").
 *
 *   - Tokens: NAME:TOKEN from --tokens FILE or $PREFLIGHT_TOKENS; the API
 *     sends "Authorization: Bearer TOKEN"; the name is the actor events
 *     record. Compared in constant time.
 *   - Sessions for the board: POST /login with a token sets a cookie
 *     "v1.<hex name>.<expiry ms>.<nonce>.<hmac>" signed with HMAC-SHA256
 *     under the session key (--session-key FILE, shared by servers behind
 *     one name; else random per process). Nothing is stored: a server
 *     checks the signature and the expiry.
 *   - CSRF: a session's token is the HMAC of its cookie under the key,
 *     put in the board's forms (field "csrf") or sent as X-CSRF-Token.
 *   - Failed logins count per client address: after LOGIN_MAX_FAILS in a
 *     row the address is locked out for LOGIN_LOCK_MS (no sleeping
 *     thread). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "base/fileio.h"
#include "notify/crypto.h"
#include "serve/auth_tokens.h"
#include "serve/http_internal.h"

#define SESSION_KEY_MIN 32
#define SESSION_KEY_MAX 4096
#define LOGIN_SLOTS 256
#define LOGIN_MAX_FAILS 5
#define LOGIN_LOCK_MS 30000
#define LOGIN_WINDOW_MS 300000

struct login_slot {
	char ip[48];
	unsigned fails;
	int64_t last_ms, locked_until_ms;
};

/* A tokens table a reload replaced: kept until the server stops, since a
 * request may still hold a name from it (a few bytes per SIGHUP). */
struct retired_tokens {
	struct serve_token *tokens;
	size_t n_tokens;
	struct retired_tokens *next;
};

struct serve_auth {
	pthread_rwlock_t tokens_lock;    /* tokens and n_tokens: SIGHUP swaps them */
	struct serve_token *tokens;
	size_t n_tokens;
	struct retired_tokens *retired;
	unsigned char key[SESSION_KEY_MAX];
	size_t key_len;
	bool key_shared;
	char warning[512];               /* a file readable by others: serve_start logs it */
	pthread_mutex_t login_lock;
	struct login_slot logins[LOGIN_SLOTS];
};

bool serve_auth_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	/* time depends on the given length only, never on where they differ */
	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[lb ? i % lb : 0]);
	return d == 0 && lb != 0;
}

static void warn_mode(struct serve_auth *a, const char *path, const char *what)
{
	struct stat st;

	if (stat(path, &st) == 0 && (st.st_mode & 077) && !a->warning[0])
		snprintf(a->warning, sizeof(a->warning),
			 "warning: %s '%s' can be read by group or others (mode %03o); chmod 600 it", what, path,
			 (unsigned)(st.st_mode & 0777));
}

static int load_tokens(struct serve_auth *a, const struct serve_config *c, struct err *e)
{
	const char *env = getenv("PREFLIGHT_TOKENS");
	struct buf b = BUF_INIT(1 << 20);
	int r;

	if (c->tokens_file) {
		r = read_file(NULL, c->tokens_file, &b);
		if (r < 0) {
			buf_release(&b);
			return err_set(e, -PF_EUSAGE, "--tokens '%s' cannot be read: %s", c->tokens_file,
				       r == -E2BIG ? "larger than 1 MiB" : strerror(-r));
		}
		warn_mode(a, c->tokens_file, "the tokens file");
		r = serve_tokens_parse(b.data ? b.data : "", b.len, c->tokens_file, &a->tokens, &a->n_tokens, e);
		crypto_wipe(b.data, b.len);
		buf_release(&b);
		if (r == 0 && a->n_tokens == 0)
			r = err_set(e, -PF_EUSAGE, "--tokens '%s' has no NAME:TOKEN line", c->tokens_file);
		return r;
	}
	if (env && *env)
		return serve_tokens_parse(env, strlen(env), "$PREFLIGHT_TOKENS", &a->tokens, &a->n_tokens, e);
	return 0;
}

static int load_key(struct serve_auth *a, const struct serve_config *c, struct err *e)
{
	if (c->session_key_file) {
		struct buf b = BUF_INIT(SESSION_KEY_MAX);
		int r = read_file(NULL, c->session_key_file, &b);

		if (r < 0) {
			buf_release(&b);
			return err_set(e, -PF_EUSAGE, "--session-key '%s' cannot be read: %s", c->session_key_file,
				       r == -E2BIG ? "larger than 4 KiB" : strerror(-r));
		}
		/* a trailing newline from an editor or `openssl rand -hex` is no key material */
		while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
			b.len--;
		if (b.len < SESSION_KEY_MIN) {
			crypto_wipe(b.data, b.len);
			buf_release(&b);
			return err_set(e, -PF_EUSAGE,
				       "--session-key '%s' is shorter than %d bytes (make one with: openssl rand -hex 32)",
				       c->session_key_file, SESSION_KEY_MIN);
		}
		memcpy(a->key, b.data, b.len);
		a->key_len = b.len;
		crypto_wipe(b.data, b.len);
		buf_release(&b);
		a->key_shared = true;
		warn_mode(a, c->session_key_file, "the session key");
		return 0;
	}
	if (getrandom(a->key, SESSION_KEY_MIN, 0) != SESSION_KEY_MIN)
		return err_errno(e, -errno, "no random bytes for the session key");
	a->key_len = SESSION_KEY_MIN;
	return 0;
}

int serve_auth_load(const struct serve_config *c, struct serve_auth **ret, struct err *e)
{
	struct serve_auth *a = calloc(1, sizeof(*a));
	char why[256];
	int r;

	*ret = NULL;
	if (!a)
		return err_set(e, -ENOMEM, "out of memory");
	pthread_mutex_init(&a->login_lock, NULL);
	pthread_rwlock_init(&a->tokens_lock, NULL);
	if (crypto_init(why, sizeof(why)) < 0) {
		serve_auth_free(a);
		return err_set(e, -PF_EUSAGE, "sessions need HMAC-SHA256: %s", why);
	}
	r = load_tokens(a, c, e);
	if (r == 0)
		r = load_key(a, c, e);
	if (r < 0) {
		serve_auth_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

void serve_auth_free(struct serve_auth *a)
{
	if (!a)
		return;
	serve_tokens_free(a->tokens, a->n_tokens);
	while (a->retired) {
		struct retired_tokens *t = a->retired;

		a->retired = t->next;
		serve_tokens_free(t->tokens, t->n_tokens);
		free(t);
	}
	crypto_wipe(a->key, sizeof(a->key));
	pthread_mutex_destroy(&a->login_lock);
	pthread_rwlock_destroy(&a->tokens_lock);
	free(a);
}

size_t serve_auth_count(const struct serve_auth *a)
{
	size_t n;

	if (!a)
		return 0;
	pthread_rwlock_rdlock((pthread_rwlock_t *)&a->tokens_lock);
	n = a->n_tokens;
	pthread_rwlock_unlock((pthread_rwlock_t *)&a->tokens_lock);
	return n;
}

int serve_auth_reload(struct serve_auth *a, const struct serve_config *c, struct err *e)
{
	struct serve_auth fresh = { 0 };
	struct retired_tokens *old = calloc(1, sizeof(*old));
	int r;

	if (!old)
		return err_set(e, -ENOMEM, "out of memory");
	r = load_tokens(&fresh, c, e);
	if (r == 0 && fresh.n_tokens == 0 && !c->open_reads)
		r = err_set(e, -PF_EUSAGE, "no tokens left");
	if (r < 0) {
		/* a bad file keeps the tokens there were: a typo must not lock everyone out */
		serve_tokens_free(fresh.tokens, fresh.n_tokens);
		free(old);
		return r;
	}
	pthread_rwlock_wrlock(&a->tokens_lock);
	old->tokens = a->tokens;
	old->n_tokens = a->n_tokens;
	old->next = a->retired;
	a->retired = old;
	a->tokens = fresh.tokens;
	a->n_tokens = fresh.n_tokens;
	pthread_rwlock_unlock(&a->tokens_lock);
	return (int)fresh.n_tokens;
}

bool serve_auth_key_shared(const struct serve_auth *a)
{
	return a->key_shared;
}

const char *serve_auth_warning(const struct serve_auth *a)
{
	return a->warning[0] ? a->warning : NULL;
}

const char *serve_auth_token(const struct serve_auth *a, const char *token)
{
	const char *found = NULL;

	if (!a || !token || !*token)
		return NULL;
	pthread_rwlock_rdlock((pthread_rwlock_t *)&a->tokens_lock);
	/* every token is compared, so the time says nothing of which matched */
	for (size_t i = 0; i < a->n_tokens; i++)
		if (serve_auth_equal(token, a->tokens[i].token))
			found = a->tokens[i].name;
	pthread_rwlock_unlock((pthread_rwlock_t *)&a->tokens_lock);
	/* a replaced table is retired, not freed: the name stays valid */
	return found;
}

/* Whether name still has a token: a session outlives no token of its person. */
static bool has_name(const struct serve_auth *a, const char *name)
{
	bool found = false;

	pthread_rwlock_rdlock((pthread_rwlock_t *)&a->tokens_lock);
	for (size_t i = 0; i < a->n_tokens && !found; i++)
		found = !strcmp(a->tokens[i].name, name);
	pthread_rwlock_unlock((pthread_rwlock_t *)&a->tokens_lock);
	return found;
}

/* ---- sessions ------------------------------------------------------------ */

static void hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int mac_hex(const struct serve_auth *a, const char *purpose, const char *msg, size_t n, char out[65])
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	struct buf b = BUF_INIT(SIZE_MAX);
	int r;

	if (buf_puts(&b, purpose) < 0 || buf_append(&b, "", 1) < 0 || buf_append(&b, msg, n) < 0) {
		buf_release(&b);
		return -ENOMEM;
	}
	r = crypto_hmac_sha256(a->key, a->key_len, b.data, b.len, mac);
	buf_release(&b);
	if (r < 0)
		return r;
	hex(mac, sizeof(mac), out);
	return 0;
}

int serve_auth_session_issue(const struct serve_auth *a, const char *name, int64_t now_ms, double ttl_s, char *buf,
			     size_t len)
{
	unsigned char nonce[8];
	char name_hex[2 * LAUNCH_MAX_ACTOR + 1], nonce_hex[17], mac[65];
	size_t nl = strlen(name);
	int n, r;

	if (nl == 0 || nl > LAUNCH_MAX_ACTOR)
		return -EINVAL;
	if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
		return -EIO;
	hex((const unsigned char *)name, nl, name_hex);
	hex(nonce, sizeof(nonce), nonce_hex);
	n = snprintf(buf, len, "v1.%s.%lld.%s", name_hex, (long long)(now_ms + (int64_t)(ttl_s * 1000)), nonce_hex);
	if (n < 0 || (size_t)n + 66 > len)
		return -ENOSPC;
	r = mac_hex(a, "preflight-session", buf, (size_t)n, mac);
	if (r < 0)
		return r;
	snprintf(buf + n, len - (size_t)n, ".%s", mac);
	return 0;
}

static int unhex(const char *s, size_t n, char *out, size_t len)
{
	if (n % 2 || n / 2 + 1 > len)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int v = 0;

		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else
				return -1;
		}
		out[i] = (char)v;
	}
	out[n / 2] = '\0';
	return 0;
}

int serve_auth_session_check(const struct serve_auth *a, const char *cookie, int64_t now_ms, char *name,
			     size_t name_len, char *csrf, size_t csrf_len)
{
	char mac[65], actor[LAUNCH_MAX_ACTOR + 1];
	const char *dots[4], *p = cookie;
	size_t nd = 0, clen;
	long long expiry;
	char *end;

	if (!a || !cookie || strncmp(cookie, "v1.", 3) != 0 || (clen = strlen(cookie)) > 600)
		return -EACCES;
	for (p = cookie + 2; *p && nd < 4; p++)
		if (*p == '.')
			dots[nd++] = p;
	if (nd != 4 || strchr(dots[3] + 1, '.'))
		return -EACCES;
	/* the signature first: nothing of a forged cookie is believed */
	if (mac_hex(a, "preflight-session", cookie, (size_t)(dots[3] - cookie), mac) < 0)
		return -EACCES;
	if (!serve_auth_equal(dots[3] + 1, mac))
		return -EACCES;
	expiry = strtoll(dots[1] + 1, &end, 10);
	if (end != dots[2] || expiry <= now_ms)
		return -EACCES;
	if (unhex(dots[0] + 1, (size_t)(dots[1] - dots[0] - 1), actor, sizeof(actor)) < 0 || !actor[0])
		return -EACCES;
	/* the person's token was taken away (a reload): so is the session */
	if (!has_name(a, actor))
		return -EACCES;
	if (name)
		snprintf(name, name_len, "%s", actor);
	if (csrf) {
		if (mac_hex(a, "preflight-csrf", cookie, clen, mac) < 0)
			return -EACCES;
		snprintf(csrf, csrf_len, "%s", mac);
	}
	return 0;
}

/* ---- failed logins -------------------------------------------------------- */

static struct login_slot *slot_of(struct serve_auth *a, const char *ip, bool make, int64_t now_ms)
{
	struct login_slot *oldest = &a->logins[0];

	for (size_t i = 0; i < LOGIN_SLOTS; i++) {
		if (strcmp(a->logins[i].ip, ip) == 0)
			return &a->logins[i];
		if (a->logins[i].last_ms < oldest->last_ms)
			oldest = &a->logins[i];
	}
	if (!make)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	snprintf(oldest->ip, sizeof(oldest->ip), "%s", ip);
	oldest->last_ms = now_ms;
	return oldest;
}

bool serve_auth_login_locked(struct serve_auth *a, const char *ip, int64_t now_ms)
{
	bool locked;

	pthread_mutex_lock(&a->login_lock);
	struct login_slot *s = slot_of(a, ip, false, now_ms);

	locked = s && s->locked_until_ms > now_ms;
	pthread_mutex_unlock(&a->login_lock);
	return locked;
}

void serve_auth_login_failed(struct serve_auth *a, const char *ip, int64_t now_ms)
{
	pthread_mutex_lock(&a->login_lock);
	struct login_slot *s = slot_of(a, ip, true, now_ms);

	if (now_ms - s->last_ms > LOGIN_WINDOW_MS)
		s->fails = 0;
	s->last_ms = now_ms;
	if (++s->fails >= LOGIN_MAX_FAILS) {
		s->locked_until_ms = now_ms + LOGIN_LOCK_MS;
		s->fails = 0;
	}
	pthread_mutex_unlock(&a->login_lock);
}

void serve_auth_login_ok(struct serve_auth *a, const char *ip)
{
	pthread_mutex_lock(&a->login_lock);
	struct login_slot *s = slot_of(a, ip, false, 0);

	if (s)
		s->fails = 0;
	pthread_mutex_unlock(&a->login_lock);
}

/* ---- POST /login, POST /logout -------------------------------------------- */

/* A local path to go back to: "/..." but not "//host" nor "/\host". */
static bool safe_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return false;
	for (const unsigned char *c = (const unsigned char *)next; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return false;
	return strlen(next) < 2048;
}

static int back_to_login(struct http_response *w, const char *error, const char *next)
{
	struct buf loc = BUF_INIT(8192);

	buf_printf(&loc, "/login?error=%s", error);
	if (safe_next(next)) {
		buf_puts(&loc, "&next=");
		http_url_encode(&loc, next);
	}
	http_set_header(w, "Location", "%s", buf_str(&loc));
	buf_release(&loc);
	w->status = 303;
	w->content_type = "text/plain; charset=utf-8";
	buf_puts(&w->body, "see /login\n");
	return 0;
}

/* The browser reached this server over https: TLS here, or a TLS proxy
 * in front that says so (X-Forwarded-Proto). The cookie is then Secure. */
static bool https(const struct http_request *r)
{
	const char *p = http_header(r, "X-Forwarded-Proto");

	return r->tls || (p && strncasecmp(p, "https", 5) == 0 && (p[5] == '\0' || p[5] == ','));
}

static int post_login(struct http_request *r, struct http_response *w)
{
	struct serve *sv = r->sv;
	struct serve_auth *a = sv->auth;
	const struct serve_config *c = &sv->cfg;
	char token[SERVE_TOKEN_MAX + 1], next[2048], ip[64], cookie[600];
	const char *name, *t = http_form(r, "token", token, sizeof(token));
	const char *nx = http_form(r, "next", next, sizeof(next));
	int64_t now = serve_now_ms();
	int rc;

	http_client_ip(r, ip, sizeof(ip));
	if (serve_auth_login_locked(a, ip, now)) {
		serve_log(sv, "login refused from %s: locked out after %d failures", ip, LOGIN_MAX_FAILS);
		http_set_header(w, "Retry-After", "%d", LOGIN_LOCK_MS / 1000);
		crypto_wipe(token, sizeof(token));
		return back_to_login(w, "locked", nx);
	}
	name = serve_auth_token(a, t);
	crypto_wipe(token, sizeof(token));
	if (!name) {
		serve_auth_login_failed(a, ip, now);
		serve_log(sv, "login refused from %s: unknown token", ip);
		return back_to_login(w, "token", nx);
	}
	serve_auth_login_ok(a, ip);
	rc = serve_auth_session_issue(a, name, now, c->session_ttl_s, cookie, sizeof(cookie));
	if (rc < 0)
		return http_error(w, 500, "internal", "no session could be made");
	http_set_header(w, "Set-Cookie", "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
			SERVE_SESSION_COOKIE, cookie, (long long)c->session_ttl_s, https(r) ? "; Secure" : "");
	crypto_wipe(cookie, sizeof(cookie));
	http_set_header(w, "Location", "%s", safe_next(nx) ? nx : "/");
	serve_log(sv, "login: %s from %s", name, ip);
	w->status = 303;
	w->content_type = "text/plain; charset=utf-8";
	buf_puts(&w->body, "logged in\n");
	return 0;
}

static int post_logout(struct http_request *r, struct http_response *w)
{
	/* the cookie is signed, not stored: logging out forgets it in this browser */
	http_set_header(w, "Set-Cookie", "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", SERVE_SESSION_COOKIE,
			https(r) ? "; Secure" : "");
	http_set_header(w, "Location", "/login");
	w->status = 303;
	w->content_type = "text/plain; charset=utf-8";
	buf_puts(&w->body, "logged out\n");
	return 0;
}

/* Who this request is: {"actor": "ann", "via": "board", "csrf": "..."}
 * (csrf only for a session: a page's script sends it as X-CSRF-Token). */
static int get_whoami(struct http_request *r, struct http_response *w)
{
	json_t *j = json_pack("{s:o,s:o}", "actor", r->auth.actor ? json_string(r->auth.actor) : json_null(), "via",
			      r->auth.via ? json_string(r->auth.via) : json_null());

	if (j && r->auth.csrf)
		json_object_set_new(j, "csrf", json_string(r->auth.csrf));
	return http_json(w, 200, j);
}

/* A login is public: it has no session yet (a foreign Origin is refused
 * before it, http.c). A logout is a write: a page elsewhere cannot log
 * someone out (the board's logout form carries the CSRF token). */
const struct route auth_routes[] = {
	{ "POST", "/login", ROUTE_PUBLIC, post_login },
	{ "POST", "/logout", ROUTE_WRITE | ROUTE_BOARD, post_logout },
	{ "GET", "/api/v1/whoami", ROUTE_READ, get_whoami },
	{ NULL, NULL, 0, NULL },
};
