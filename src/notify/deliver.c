/* deliver: the outbox to the channels (notify.h, docs/notify.md
 * "Delivery"). A few messages are claimed under a lease, posted one after
 * the other, and each is settled as soon as its answer is read (answer.h):
 * sent, retry at a backoff, or dead. Secrets are read
 * here, at delivery time, and every word that leaves this file (the log,
 * the outbox's last_error, events) is redacted against them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fileio.h"
#include "io/http.h"
#include "notify/answer.h"
#include "notify/crypto.h"
#include "notify/notify.h"
#include "notify/sign.h"

#define CHUNK_MAX 8                   /* messages per claim, when the lease covers them all */
#define ANSWER_MAX (64u << 10)        /* a robot's answer is a line of JSON */
#define SECRET_MAX 4096
#define RATE_WINDOW_MS 60000

/* One message on its way. */
struct flight {
	struct outbox_msg *m;
	struct http_request req;
	char *body;                   /* the JSON posted */
	const char *headers[5];
	char auth[1200], idem[1100];
	char url[2048], secret[SECRET_MAX], token[SECRET_MAX];
	bool send;                    /* false: settled (or held) before posting */
	bool config;                  /* the failure is a missing setting: retried without limit */
	char error[512];
};

/* An env var's or a file's value, trailing newline and blanks cut. */
static int read_secret(const char *env, const char *file, char *out, size_t len, char *why, size_t why_len)
{
	struct buf b;
	const char *v;
	int r;

	out[0] = '\0';
	if (env) {
		v = getenv(env);
		if (!v || !*v) {
			snprintf(why, why_len, "$%s is not set", env);
			return -ENOENT;
		}
		if (strlen(v) >= len) {
			snprintf(why, why_len, "$%s is too long", env);
			return -E2BIG;
		}
		snprintf(out, len, "%s", v);
		return 0;
	}
	if (!file) {
		snprintf(why, why_len, "no url_env or url_file");
		return -ENOENT;
	}
	buf_init(&b, len - 1);
	r = read_file(NULL, file, &b);
	if (r < 0) {
		snprintf(why, why_len, "cannot read '%s': %s", file, strerror(-r));
		buf_release(&b);
		return r;
	}
	snprintf(out, len, "%s", buf_str(&b));
	crypto_wipe(b.data, b.len);
	buf_release(&b);
	for (size_t n = strlen(out); n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '); n--)
		out[n - 1] = '\0';
	if (!out[0]) {
		snprintf(why, why_len, "'%s' is empty", file);
		return -ENOENT;
	}
	return 0;
}

static const char *secrets_of(const struct flight *f, const char *list[8])
{
	const char *q = strchr(f->url, '?');
	size_t n = 0;

	list[n++] = f->url;
	if (q)
		list[n++] = q + 1;
	list[n++] = f->secret;
	list[n++] = f->token;
	list[n++] = f->req.url;
	list[n++] = f->auth[0] ? f->auth + strlen("Authorization: ") : NULL;
	list[n] = NULL;
	return list[0];
}

static void redact(const struct flight *f, char *s)
{
	const char *list[8];

	secrets_of(f, list);
	notify_redact(s, list);
	/* the signature: whatever follows "sign=" */
	for (char *p = strstr(s, "sign="); p; p = strstr(p + 5, "sign=")) {
		char *end = p + 5 + strcspn(p + 5, "& \"");

		if (end > p + 5) {
			memmove(p + 5 + 3, end, strlen(end) + 1);
			memcpy(p + 5, "***", 3);
		}
	}
}

/* Builds the request: URL, signature, headers. Fills f->error and returns
 * < 0 when a setting is missing (f->config) or the message is unusable. */
static int prepare(struct flight *f, int64_t now_ms, double timeout_s)
{
	const json_t *p = f->m->payload, *ch = json_object_get(p, "channel");
	const char *kind = f->m->kind;
	char why[300] = "";
	size_t h = 0;
	int r;

	f->body = json_dumps(json_object_get(p, "body"), JSON_COMPACT);
	if (!f->body) {
		snprintf(f->error, sizeof(f->error), "the outbox payload has no body");
		return -PF_EPARSE;
	}
	if (strcmp(kind, "jira") == 0) {
		const char *user = getenv("PREFLIGHT_JIRA_USER");

		if (read_secret("PREFLIGHT_JIRA_URL", NULL, f->url, sizeof(f->url) - 32, why, sizeof(why)) < 0 ||
		    read_secret("PREFLIGHT_JIRA_TOKEN", NULL, f->token, sizeof(f->token), why, sizeof(why)) < 0) {
			f->config = true;
			snprintf(f->error, sizeof(f->error), "jira: %s (set it; the message is retried)", why);
			return -ENOENT;
		}
		for (size_t n = strlen(f->url); n > 0 && f->url[n - 1] == '/'; n--)
			f->url[n - 1] = '\0';
		strcat(f->url, "/rest/api/2/issue");
		if (user && *user) {
			char cred[SECRET_MAX + 256];
			char b64[((SECRET_MAX + 256 + 2) / 3) * 4 + 1];
			int n = snprintf(cred, sizeof(cred), "%s:%s", user, f->token);

			if (n < 0 || (size_t)n >= sizeof(cred) || crypto_base64(cred, (size_t)n, b64) < 0) {
				crypto_wipe(cred, sizeof(cred));
				f->config = true;
				crypto_init(why, sizeof(why));
				snprintf(f->error, sizeof(f->error), "jira: cannot encode the credentials%s%s", why[0] ? ": " : "",
					 why);
				return -ENOENT;
			}
			crypto_wipe(cred, sizeof(cred));
			snprintf(f->auth, sizeof(f->auth), "Authorization: Basic %s", b64);
			crypto_wipe(b64, sizeof(b64));
		} else {
			snprintf(f->auth, sizeof(f->auth), "Authorization: Bearer %s", f->token);
		}
		f->headers[h++] = f->auth;
		f->headers[h++] = "Accept: application/json";
	} else {
		const char *url_env = json_string_value(json_object_get(ch, "url_env"));
		const char *url_file = json_string_value(json_object_get(ch, "url_file"));
		const char *sec_env = json_string_value(json_object_get(ch, "secret_env"));
		const char *sec_file = json_string_value(json_object_get(ch, "secret_file"));

		if (read_secret(url_env, url_file, f->url, sizeof(f->url) - 128, why, sizeof(why)) < 0 ||
		    ((sec_env || sec_file) &&
		     read_secret(sec_env, sec_file, f->secret, sizeof(f->secret), why, sizeof(why)) < 0)) {
			f->config = true;
			snprintf(f->error, sizeof(f->error), "channel '%s': %s (set it; the message is retried)",
				 f->m->channel, why);
			return -ENOENT;
		}
		if (strcmp(kind, "webhook") == 0) {
			snprintf(f->idem, sizeof(f->idem), "Idempotency-Key: %s", f->m->dedupe_key);
			f->headers[h++] = f->idem;
		}
	}
	f->headers[h++] = "Content-Type: application/json; charset=utf-8";
	f->headers[h] = NULL;
	http_request_init(&f->req, "", ANSWER_MAX);
	if (strcmp(kind, "dingtalk") == 0 && f->secret[0]) {
		/* signed at delivery time: DingTalk refuses a timestamp an hour old */
		r = notify_dingtalk_url(f->url, f->secret, now_ms, f->req.url, sizeof(f->req.url));
	} else {
		r = snprintf(f->req.url, sizeof(f->req.url), "%s", f->url) >= (int)sizeof(f->req.url) ? -E2BIG : 0;
	}
	if (r < 0) {
		snprintf(f->error, sizeof(f->error), "channel '%s': the URL is too long", f->m->channel);
		return r;
	}
	f->req.method = "POST";
	f->req.send_body = f->body;
	f->req.send_len = strlen(f->body);
	f->req.headers = f->headers;
	(void)timeout_s;
	return 0;
}

static uint64_t rnd_next(uint64_t *x)
{
	/* xorshift64*: jitter needs spread, not secrecy */
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ULL;
}

static void log_line(FILE *log, const struct flight *f, const char *what, const char *why)
{
	char line[1024];

	if (!log)
		return;
	snprintf(line, sizeof(line), "outbox %lld %s (%s) %s: %s%s%s", (long long)f->m->id, f->m->channel,
		 f->m->kind, f->m->dedupe_key, what, why && *why ? ": " : "", why ? why : "");
	redact(f, line);
	fprintf(log, "%s\n", line);
	fflush(log);
}

/* Records the Jira key on the follow-up and the message as sent, in one
 * transaction: a ticket is never recorded without its message settled. */
static int settle_jira(struct store *s, const struct flight *f, const char *owner, int64_t now_ms, const char *key,
		       struct err *e)
{
	struct event ev = { 0 };
	int64_t fid = json_integer_value(json_object_get(f->m->payload, "followup_id"));
	int r = store_begin_write(s, e);

	if (r < 0)
		return r;
	r = store_outbox_sent(s, f->m->id, owner, now_ms, e);
	if (r >= 0 && key[0]) {
		ev.at_ms = now_ms;
		ev.run_id = f->m->run_id;
		ev.item_id = f->m->item_id;
		ev.kind = EV_FOLLOWUP_TICKET;
		ev.status = -1;
		ev.actor = "preflight";
		ev.data = json_pack("{s:s,s:I}", "key", key, "followup_id", (json_int_t)fid);
		r = ev.data ? (int)store_append(s, &ev, e) : err_set(e, -ENOMEM, "out of memory");
		json_decref(ev.data);
	}
	if (r < 0) {
		store_rollback(s);
		return r;
	}
	return store_commit(s, e);
}

static void settle(struct store *s, struct flight *f, const char *owner, int64_t now_ms, uint64_t *rng,
		   const struct notify_opts *o, struct notify_stats *st)
{
	struct notify_answer a;
	struct err e = { "" };
	unsigned attempts = f->m->attempts + 1;
	char why[600];
	int r;

	if (f->send) {
		notify_answer_parse(f->m->kind, f->req.err ? 0 : f->req.status, f->req.body.data, f->req.body.len,
				    f->req.retry_after, now_ms, &a);
		if (f->req.err)
			snprintf(why, sizeof(why), "%s", f->req.errmsg[0] ? f->req.errmsg : strerror(-f->req.err));
		else
			snprintf(why, sizeof(why), "%s", a.why);
	} else {
		memset(&a, 0, sizeof(a));
		a.verdict = f->config ? NOTIFY_RETRY : NOTIFY_DEAD;
		snprintf(why, sizeof(why), "%s", f->error);
	}
	redact(f, why);
	if (a.verdict == NOTIFY_RETRY && !f->config && attempts >= NOTIFY_MAX_ATTEMPTS) {
		char gave[700];

		snprintf(gave, sizeof(gave), "gave up after %u tries: %s", attempts, why);
		snprintf(why, sizeof(why), "%s", gave);
		a.verdict = NOTIFY_DEAD;
	}
	if (a.verdict == NOTIFY_SENT) {
		r = strcmp(f->m->kind, "jira") == 0 ? settle_jira(s, f, owner, now_ms, a.jira_key, &e)
						     : store_outbox_sent(s, f->m->id, owner, now_ms, &e);
		if (r >= 0) {
			st->sent++;
			log_line(o->log, f, "sent", why);
		}
	} else if (a.verdict == NOTIFY_RETRY) {
		int64_t delay = notify_backoff_ms(attempts, (int64_t)(o->backoff_base_s * 1000), a.retry_after_ms,
						  rnd_next(rng));
		char when[700];

		r = store_outbox_retry(s, f->m->id, owner, now_ms + delay, why, &e);
		if (r >= 0) {
			st->retried++;
			snprintf(when, sizeof(when), "%s; try %u again in %llds", why, attempts + 1,
				 (long long)(delay + 999) / 1000);
			log_line(o->log, f, "retry", when);
		}
	} else {
		r = store_outbox_dead(s, f->m->id, owner, why, &e);
		if (r >= 0) {
			st->dead++;
			log_line(o->log, f, "dead", why);
		}
	}
	if (r < 0) {
		/* the lease ran out (another notifier has it now) or the store failed: it stays pending */
		redact(f, e.msg);
		log_line(o->log, f, "not settled", e.msg);
	}
}

/* Room left in a channel's rate window. */
struct rate {
	char channel[128];
	long room;
};

static long *rate_room(struct store *s, struct rate *rates, size_t *n, size_t max, const struct outbox_msg *m,
		       int64_t now_ms)
{
	const json_t *ch = json_object_get(m->payload, "channel");
	json_int_t per_min = json_integer_value(json_object_get(ch, "rate_per_min"));
	struct err e;
	int sent;

	if (strcmp(m->kind, "jira") == 0)
		return NULL;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(rates[i].channel, m->channel) == 0)
			return &rates[i].room;
	if (*n == max)
		return NULL;
	sent = store_outbox_sent_since(s, m->channel, now_ms - RATE_WINDOW_MS, &e);
	snprintf(rates[*n].channel, sizeof(rates[*n].channel), "%s", m->channel);
	rates[*n].room = (per_min > 0 ? per_min : 20) - (sent < 0 ? 0 : sent);
	return &rates[(*n)++].room;
}

int notify_deliver(struct store *s, int64_t now_ms, const struct notify_opts *o, struct notify_stats *st,
		   struct err *e)
{
	static const struct notify_opts none;
	struct notify_stats dummy;
	char owner[300];
	double timeout_s;
	int64_t lease_ms;
	size_t left, chunk, n_rates = 0;
	struct rate rates[64];
	uint64_t rng;
	int r = 0;

	if (!o)
		o = &none;
	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	timeout_s = o->timeout_s > 0 ? o->timeout_s : 10;
	lease_ms = (int64_t)((o->lease_s > 0 ? o->lease_s : 60) * 1000);
	if (lease_ms < (int64_t)(timeout_s * 2000))
		lease_ms = (int64_t)(timeout_s * 2000);
	left = o->max_batch ? o->max_batch : 100;
	/* sent one after the other: claim no more than the lease covers */
	chunk = (size_t)(lease_ms / (int64_t)(timeout_s * 1000 + 1000));
	chunk = chunk > 1 ? chunk - 1 : 1;
	if (chunk > CHUNK_MAX)
		chunk = CHUNK_MAX;
	if (o->owner) {
		snprintf(owner, sizeof(owner), "%s", o->owner);
	} else {
		char host[256] = "host";

		gethostname(host, sizeof(host) - 1);
		snprintf(owner, sizeof(owner), "%s:%ld", host, (long)getpid());
	}
	rng = (uint64_t)now_ms ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&rng;
	if (!rng)
		rng = 88172645463325252ULL;

	while (left > 0) {
		struct outbox_msg *msgs = NULL;
		struct flight *fl;
		size_t n = 0;
		struct http_opts ho = { .connect_timeout_ms = (long)(timeout_s * 1000 < 5000 ? timeout_s * 1000 : 5000),
					.total_timeout_ms = (long)(timeout_s * 1000) };

		r = store_outbox_claim(s, owner, now_ms, lease_ms, left < chunk ? left : chunk, &msgs, &n, e);
		if (r < 0 || n == 0) {
			free(msgs);
			break;
		}
		left -= n;
		fl = calloc(n, sizeof(*fl));
		if (!fl) {
			for (size_t i = 0; i < n; i++)
				outbox_msg_release(&msgs[i]);
			free(msgs);
			free(fl);
			r = err_set(e, -ENOMEM, "out of memory");
			break;
		}
		for (size_t i = 0; i < n; i++) {
			long *room = rate_room(s, rates, &n_rates, 64, &msgs[i], now_ms);

			fl[i].m = &msgs[i];
			if (room && *room <= 0) {
				/* held: not an attempt; the lease keeps it until the window has room */
				st->held++;
				log_line(o->log, &fl[i], "held", "channel rate limit reached");
				fl[i].m = NULL;
				continue;
			}
			if (prepare(&fl[i], now_ms, timeout_s) < 0)
				continue;
			if (room)
				(*room)--;
			fl[i].send = true;
		}
		for (size_t i = 0; i < n; i++) {
			/* one at a time, each settled as soon as its answer is in:
			 * the window in which a robot's yes can be lost (a crash
			 * between its answer and the commit) is one message wide */
			if (fl[i].m && fl[i].send)
				http_fetch_all(&fl[i].req, 1, &ho);
			if (fl[i].m)
				settle(s, &fl[i], owner, now_ms, &rng, o, st);
			if (fl[i].send)
				http_request_release(&fl[i].req);
			free(fl[i].body);
			crypto_wipe(fl[i].secret, sizeof(fl[i].secret));
			crypto_wipe(fl[i].token, sizeof(fl[i].token));
			crypto_wipe(fl[i].auth, sizeof(fl[i].auth));
			outbox_msg_release(&msgs[i]);
		}
		free(msgs);
		free(fl);
	}
	return r < 0 ? r : 0;
}

int notify_once(struct store *s, int64_t now_ms, const struct notify_opts *o, struct notify_stats *st,
		struct err *e)
{
	struct notify_stats a = { 0 }, b = { 0 };
	int r = notify_scan(s, 0, now_ms, &a, e);

	if (r >= 0)
		r = notify_deliver(s, now_ms, o, &b, e);
	if (st) {
		*st = b;
		st->queued = a.queued;
	}
	return r;
}
