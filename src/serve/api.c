/* api: the JSON API's read calls and its route table (docs/api.md). Every
 * answer is one JSON document built from the report contract's objects
 * (report/launch_common.h); the writes are in api_actions.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_text.h"
#include "launch/actions.h"
#include "report/launch_common.h"
#include "serve/api.h"

#define RUNS_LIMIT_DEFAULT 100
#define RUNS_LIMIT_MAX 1000
#define EVENTS_LIMIT_DEFAULT 500
#define EVENTS_LIMIT_MAX 5000
#define OUTBOX_LIMIT_DEFAULT 500
#define OUTBOX_LIMIT_MAX 5000

/* ---- shared by the API's files ------------------------------------------ */

struct store *api_store(struct http_request *r, struct http_response *w)
{
	struct err e = { "" };
	struct store *s = http_store(r, &e);

	if (!s)
		api_fail(r, w, -PF_ESTORE_UNREACHABLE, &e);
	return s;
}

/* A refusal's message is the caller's to read; a store's or an internal
 * error's may name a host, a file or a query: it goes to the log, and the
 * answer says only what happened (as the board and /healthz do). */
int api_fail(struct http_request *r, struct http_response *w, int code, const struct err *e)
{
	switch (-code) {
	case PF_ESTORE_CONFLICT:
	case PF_ELAUNCH_NOTFOUND: return http_error(w, 404, "not_found", "%s", e->msg);
	case PF_ELAUNCH_INVALID:
	case PF_ELAUNCH_REFUSED: return http_error_code(w, code, e->msg);
	default:
		serve_log(r->sv, "api: %s %s: %s", r->method, r->path, e->msg);
		return http_error_code(w, code,
				       code == -PF_ESTORE_UNREACHABLE ? "the store is unreachable; the next request tries again"
								      : "internal error (the server's log says more)");
	}
}

/* Outside text for a message: printable ASCII, anything else '?', cut. */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s && s[i] && i + 1 < len; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* A positive decimal integer, nothing else (no sign, space or suffix). */
static bool parse_id(const char *s, int64_t *ret)
{
	int64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*ret = v;
	return v > 0;
}

int api_run_param(struct http_request *r, struct http_response *w, int64_t *ret)
{
	const char *p = http_param(r, "run");
	char b[48];

	if (parse_id(p, ret))
		return 0;
	http_error(w, 404, "not_found", "no run '%s': a run is named by its number", shown(p, b, sizeof(b)));
	return -1;
}

/* Reads are never cached by a browser or a proxy: the state moves. */
static void no_store(struct http_response *w)
{
	http_set_header(w, "Cache-Control", "no-store");
}

/* ---- query parameters: a bad value is 400 naming it --------------------- */

/* An integer in [min, max], def when absent; -1 after answering 400. */
static int q_int(struct http_request *r, struct http_response *w, const char *name, int64_t def, int64_t min,
		 int64_t max, int64_t *ret)
{
	const char *v = http_query(r, name);
	int64_t n = 0;
	char b[48];

	*ret = def;
	if (!v)
		return 0;
	if ((parse_id(v, &n) || !strcmp(v, "0")) && n >= min && n <= max) {
		*ret = n;
		return 0;
	}
	http_error(w, 400, "bad_request", "query parameter '%s' must be an integer from %" PRId64 " to %" PRId64
		   ", not '%s'", name, min, max, shown(v, b, sizeof(b)));
	return -1;
}

/* "1"/"true" or "0"/"false"; absent: false. -1 after answering 400. */
static int q_bool(struct http_request *r, struct http_response *w, const char *name, bool *ret)
{
	const char *v = http_query(r, name);
	char b[48];

	*ret = false;
	if (!v || !strcmp(v, "0") || !strcmp(v, "false"))
		return 0;
	if (!strcmp(v, "1") || !strcmp(v, "true")) {
		*ret = true;
		return 0;
	}
	http_error(w, 400, "bad_request", "query parameter '%s' must be 1 or 0, not '%s'", name, shown(v, b, sizeof(b)));
	return -1;
}

/* A filter left empty ("?env=&module=pay", a form's blank choice) is no filter. */
static const char *nonempty(const char *v)
{
	return v && *v ? v : NULL;
}

/* The item filter of the run document and item list. */
static int q_filter(struct http_request *r, struct http_response *w, struct launch_filter *f)
{
	const char *st = http_query(r, "status");
	char b[48];

	memset(f, 0, sizeof(*f));
	f->env = nonempty(http_query(r, "env"));
	f->module = nonempty(http_query(r, "module"));
	f->owner = nonempty(http_query(r, "owner"));
	f->status = -1;
	if (st && *st) {
		f->status = item_status_parse(st);
		if (f->status < 0) {
			http_error(w, 400, "bad_request", "query parameter 'status' must be one of pending, running, "
				   "pass, fail, skip, not '%s'", shown(st, b, sizeof(b)));
			return -1;
		}
	}
	return q_bool(r, w, "overdue", &f->overdue_only);
}

int api_reply(struct http_response *w, json_t *doc)
{
	if (!doc)
		return http_error(w, 500, "internal", "out of memory");
	return http_json(w, 200, doc);
}

static bool put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

/* ---- runs ------------------------------------------------------------------ */

static int get_runs(struct http_request *r, struct http_response *w)
{
	struct run_summary *runs = NULL;
	struct err e = { "" };
	struct store *s;
	json_t *doc, *arr;
	int64_t limit;
	size_t n = 0;
	int rc;

	no_store(w);
	if (q_int(r, w, "limit", RUNS_LIMIT_DEFAULT, 1, RUNS_LIMIT_MAX, &limit) < 0)
		return 0;
	if (!(s = api_store(r, w)))
		return 0;
	rc = store_runs(s, serve_now_ms(), (size_t)limit, &runs, &n, &e);
	if (rc < 0)
		return api_fail(r, w, rc, &e);
	arr = json_array();
	doc = json_pack("{s:s, s:o}", "preflight_version", PREFLIGHT_VERSION, "runs", arr);
	for (size_t i = 0; i < n; i++) {
		if (arr && json_array_append_new(arr, launch_run_summary_json(&runs[i])) < 0) {
			json_decref(doc);
			doc = NULL;
			arr = NULL;
		}
		run_summary_release(&runs[i]);
	}
	free(runs);
	return api_reply(w, doc);
}

/* The run named by {run}, as of now; 0, or -1 after answering. */
static int load_view(struct http_request *r, struct http_response *w, const struct run_view **v)
{
	struct err e = { "" };
	struct store *s;
	int64_t run_id;
	int rc;

	if (api_run_param(r, w, &run_id) < 0 || !(s = api_store(r, w)))
		return -1;
	rc = api_run_view(s, run_id, serve_now_ms(), v, &e);
	if (rc < 0) {
		api_fail(r, w, rc, &e);
		return -1;
	}
	return 0;
}

static int get_run(struct http_request *r, struct http_response *w)
{
	struct launch_render_opts o = { .preflight_version = PREFLIGHT_VERSION };
	const struct run_view *v;
	struct launch_filter f;
	struct launch_sel sel;
	json_t *doc;

	no_store(w);
	if (q_filter(r, w, &f) < 0 || load_view(r, w, &v) < 0)
		return 0;
	if (launch_sel_init(&sel, v, &f) < 0)
		return api_reply(w, NULL);
	doc = launch_to_json(&sel, &o);
	launch_sel_release(&sel);
	return api_reply(w, doc);
}

static int get_items(struct http_request *r, struct http_response *w)
{
	const struct run_view *v;
	struct launch_filter f;
	struct launch_sel sel;
	json_t *doc, *arr;

	no_store(w);
	if (q_filter(r, w, &f) < 0 || load_view(r, w, &v) < 0)
		return 0;
	if (launch_sel_init(&sel, v, &f) < 0)
		return api_reply(w, NULL);
	arr = json_array();
	doc = json_pack("{s:I, s:o, s:o}", "run", (json_int_t)v->id, "as_of", launch_time_json(v->now_ms), "items", arr);
	for (size_t i = 0; doc && i < sel.n; i++)
		if (json_array_append_new(arr, launch_item_json(v, sel.items[i])) < 0) {
			json_decref(doc);
			doc = NULL;
		}
	launch_sel_release(&sel);
	return api_reply(w, doc);
}

/* The item named by {item} of the view; NULL after answering 404. */
const struct item_view *api_find_item(struct http_request *r, struct http_response *w, const struct run_view *v)
{
	const char *id = http_param(r, "item");
	const struct item_view *it = run_view_item(v, id);
	char known[512], b[160];

	if (it)
		return it;
	launch_suggest_items(v, id, known, sizeof(known), 8);
	http_error(w, 404, "not_found", "run %" PRId64 " has no item '%s'; its items: %s", v->id,
		   shown(id, b, sizeof(b)), v->n_items ? known : "(none)");
	return NULL;
}

static int get_item(struct http_request *r, struct http_response *w)
{
	const struct run_view *v;
	const struct item_view *it;
	struct err e = { "" };
	struct store *s;
	int64_t run_id;
	int rc;

	no_store(w);
	if (api_run_param(r, w, &run_id) < 0 || !(s = api_store(r, w)))
		return 0;
	rc = api_item_view(s, run_id, http_param(r, "item"), serve_now_ms(), &v, &e);
	if (rc < 0) {
		api_fail(r, w, rc, &e);
		return 0;
	}
	if (!(it = api_find_item(r, w, v)))
		return 0;
	return api_reply(w, launch_item_json(v, it));
}

/* ---- events ------------------------------------------------------------------ */

/* {"events": [...], "last_seq": N, "more": bool} of the events after `after`. */
static int events_reply(struct http_request *r, struct http_response *w, struct store *s, int64_t run_id,
			const char *item, int64_t after, int64_t limit)
{
	struct event *evs = NULL;
	struct err e = { "" };
	int64_t last = after;
	json_t *arr, *doc;
	size_t n = 0;
	int rc;

	rc = store_events(s, run_id, item, after, (size_t)limit, &evs, &n, &e);
	if (rc < 0)
		return api_fail(r, w, rc, &e);
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		if (arr && json_array_append_new(arr, launch_event_json(&evs[i])) < 0) {
			json_decref(arr);
			arr = NULL;
		}
		last = evs[i].seq;
		event_release(&evs[i]);
	}
	free(evs);
	doc = arr ? json_pack("{s:o, s:I, s:b}", "events", arr, "last_seq", (json_int_t)last, "more",
			      (int64_t)n == limit)
		  : NULL;
	return api_reply(w, doc);
}

static int get_item_events(struct http_request *r, struct http_response *w)
{
	const struct run_view *v;
	const struct item_view *it;
	int64_t after, limit;
	struct store *s;

	no_store(w);
	if (q_int(r, w, "after", 0, 0, INT64_MAX, &after) < 0 ||
	    q_int(r, w, "limit", EVENTS_LIMIT_DEFAULT, 1, EVENTS_LIMIT_MAX, &limit) < 0 || load_view(r, w, &v) < 0 ||
	    !(it = api_find_item(r, w, v)) || !(s = api_store(r, w)))
		return 0;
	return events_reply(r, w, s, v->id, it->id, after, limit);
}

static int get_events(struct http_request *r, struct http_response *w)
{
	int64_t after, limit, run_id;
	const char *item = http_query(r, "item");
	struct store *s;

	no_store(w);
	if (q_int(r, w, "after", 0, 0, INT64_MAX, &after) < 0 ||
	    q_int(r, w, "limit", EVENTS_LIMIT_DEFAULT, 1, EVENTS_LIMIT_MAX, &limit) < 0 ||
	    q_int(r, w, "run", 0, 1, INT64_MAX, &run_id) < 0)
		return 0;
	if (item && !*item)
		return http_error(w, 400, "bad_request", "query parameter 'item' must not be empty");
	if (!(s = api_store(r, w)))
		return 0;
	return events_reply(r, w, s, run_id, item, after, limit);
}

/* ---- follow-ups ---------------------------------------------------------------- */

/* The report's follow-up object with its run: the API lists them across runs. */
json_t *api_followup_json(const struct followup_view *f)
{
	json_t *o = launch_followup_json(f);

	if (o && json_object_set_new(o, "run", json_integer((json_int_t)f->run_id)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int get_followups(struct http_request *r, struct http_response *w)
{
	struct followup_view *f = NULL;
	struct err e = { "" };
	struct store *s;
	int64_t run_id;
	json_t *arr, *doc;
	bool open_only;
	size_t n = 0;
	int rc;

	no_store(w);
	if (q_int(r, w, "run", 0, 1, INT64_MAX, &run_id) < 0 || q_bool(r, w, "open", &open_only) < 0 ||
	    !(s = api_store(r, w)))
		return 0;
	rc = store_followups(s, run_id, open_only, serve_now_ms(), &f, &n, &e);
	if (rc < 0)
		return api_fail(r, w, rc, &e);
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		if (arr && json_array_append_new(arr, api_followup_json(&f[i])) < 0) {
			json_decref(arr);
			arr = NULL;
		}
		followup_view_release(&f[i]);
	}
	free(f);
	doc = arr ? json_pack("{s:o}", "followups", arr) : NULL;
	return api_reply(w, doc);
}

static int get_followup(struct http_request *r, struct http_response *w)
{
	struct followup_view f = { 0 };
	struct err e = { "" };
	struct store *s;
	int64_t id;
	json_t *doc;
	char b[48];
	int rc;

	no_store(w);
	if (!parse_id(http_param(r, "id"), &id))
		return http_error(w, 404, "not_found", "no follow-up '%s': a follow-up is named by its number",
				  shown(http_param(r, "id"), b, sizeof(b)));
	if (!(s = api_store(r, w)))
		return 0;
	rc = store_followup_get(s, id, serve_now_ms(), &f, &e);
	if (rc < 0)
		return api_fail(r, w, rc, &e);
	doc = api_followup_json(&f);
	followup_view_release(&f);
	return api_reply(w, doc);
}

/* ---- the outbox -------------------------------------------------------------- */

/* A message as the API shows it: its delivery state and what it says (the
 * payload's body), never the channel's settings: those name where the
 * webhook URL and secret are read from, which is not the caller's business
 * (the store holds no URL or secret itself: store.h). */
static json_t *outbox_json(const struct outbox_msg *m)
{
	json_t *body = json_object_get(m->payload, "body");
	json_t *o = json_object();
	bool ok = o && put(o, "id", json_integer((json_int_t)m->id)) && put(o, "dedupe_key", json_text(m->dedupe_key)) &&
		  put(o, "channel", json_text(m->channel)) && put(o, "kind", json_text(m->kind)) &&
		  put(o, "run", m->run_id ? json_integer((json_int_t)m->run_id) : json_null()) &&
		  put(o, "item", json_text(m->item_id)) && put(o, "state", json_text(m->state)) &&
		  put(o, "attempts", json_integer(m->attempts)) && put(o, "created_at", launch_time_json(m->created_ms)) &&
		  put(o, "next_attempt_at", launch_time_json(m->next_attempt_ms)) && put(o, "sent_at", launch_time_json(m->sent_ms)) &&
		  put(o, "last_error", json_text(m->last_error)) &&
		  put(o, "body", body ? json_incref(body) : json_null());

	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int get_outbox(struct http_request *r, struct http_response *w)
{
	static const char *const states[] = { "pending", "sent", "dead" };
	const char *state = http_query(r, "state");
	struct outbox_msg *m = NULL;
	struct err e = { "" };
	struct store *s;
	json_t *arr, *doc;
	int64_t limit;
	size_t n = 0;
	char b[48];
	int rc;

	no_store(w);
	if (state) {
		size_t i = 0;

		while (i < 3 && strcmp(state, states[i]))
			i++;
		if (i == 3)
			return http_error(w, 400, "bad_request", "query parameter 'state' must be one of pending, sent, "
					  "dead, not '%s'", shown(state, b, sizeof(b)));
	}
	if (q_int(r, w, "limit", OUTBOX_LIMIT_DEFAULT, 1, OUTBOX_LIMIT_MAX, &limit) < 0 || !(s = api_store(r, w)))
		return 0;
	rc = store_outbox_list(s, state, (size_t)limit, &m, &n, &e);
	if (rc < 0)
		return api_fail(r, w, rc, &e);
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		if (arr && json_array_append_new(arr, outbox_json(&m[i])) < 0) {
			json_decref(arr);
			arr = NULL;
		}
		outbox_msg_release(&m[i]);
	}
	free(m);
	doc = arr ? json_pack("{s:o}", "messages", arr) : NULL;
	return api_reply(w, doc);
}

/* ---- the table --------------------------------------------------------------- */

const struct route api_routes[] = {
	{ "GET", "/api/v1/runs", ROUTE_READ, get_runs },
	{ "GET", "/api/v1/runs/{run}", ROUTE_READ, get_run },
	{ "GET", "/api/v1/runs/{run}/items", ROUTE_READ, get_items },
	{ "GET", "/api/v1/runs/{run}/items/{item}", ROUTE_READ, get_item },
	{ "GET", "/api/v1/runs/{run}/items/{item}/events", ROUTE_READ, get_item_events },
	{ "POST", "/api/v1/runs/{run}/items/{item}/confirm", ROUTE_WRITE, api_post_item },
	{ "POST", "/api/v1/runs/{run}/items/{item}/fail", ROUTE_WRITE, api_post_item },
	{ "POST", "/api/v1/runs/{run}/items/{item}/skip", ROUTE_WRITE, api_post_item },
	{ "POST", "/api/v1/runs/{run}/items/{item}/reopen", ROUTE_WRITE, api_post_item },
	{ "GET", "/api/v1/events", ROUTE_READ, get_events },
	{ "GET", "/api/v1/followups", ROUTE_READ, get_followups },
	{ "GET", "/api/v1/followups/{id}", ROUTE_READ, get_followup },
	{ "POST", "/api/v1/followups/{id}/close", ROUTE_WRITE, api_post_close },
	{ "GET", "/api/v1/outbox", ROUTE_READ, get_outbox },
	{ NULL, NULL, 0, NULL },
};
