/* The board's routes (board_routes[] in serve.h): the pages, the login
 * form, the form actions and the static assets. The pages are written by
 * board_run.c and board_item.c; here is what speaks http: reading the
 * request, the store, the actions (launch/actions.h, the same rules as the
 * CLI and the API), the answers and their headers. */
#include "serve/board.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "launch/actions.h"
#include "serve/board_assets.h"
#include "serve/serve.h"

/* No inline script or style anywhere, nothing from elsewhere: the inline
 * SVG charts use attributes and classes only, which this allows. */
#define BOARD_CSP                                                                                        \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " \
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

#define RUNS_SHOWN 200          /* GET /: the newest runs */
#define FOLLOWUP_RUNS 100       /* GET /followups: the follow-ups of the newest runs */

static int security_headers(struct http_response *w)
{
	int ret;

	if ((ret = http_set_header(w, "Content-Security-Policy", "%s", BOARD_CSP)) < 0 ||
	    (ret = http_set_header(w, "X-Content-Type-Options", "nosniff")) < 0 ||
	    (ret = http_set_header(w, "Referrer-Policy", "same-origin")) < 0)
		return ret;
	return 0;
}

/* A page being written: a memory stream handed to the response at the end. */
struct page {
	FILE *f;
	char *data;
	size_t len;
};

static int page_open(struct page *p)
{
	p->data = NULL;
	p->len = 0;
	p->f = open_memstream(&p->data, &p->len);
	return p->f ? 0 : -ENOMEM;
}

/* Hands the page to w with status (ret < 0 from a writer: 500). */
static int page_send(struct page *p, struct http_response *w, unsigned status, int ret)
{
	int r;

	if (fclose(p->f) && ret >= 0)
		ret = -ENOMEM;
	p->f = NULL;
	if (ret < 0) {
		free(p->data);
		p->data = NULL;
		return http_error(w, 500, "internal", "the page could not be written");
	}
	buf_release(&w->body);
	w->body.data = p->data;
	w->body.len = p->len;
	w->body.cap = p->len + 1;
	if (w->body.max < p->len)
		w->body.max = p->len;
	p->data = NULL;
	w->status = status;
	w->content_type = "text/html; charset=utf-8";
	if ((r = security_headers(w)) < 0 || (r = http_set_header(w, "Cache-Control", "no-store")) < 0)
		return r;
	return 0;
}

static void ctx_of(const struct http_request *r, struct board_ctx *c)
{
	c->actor = r->auth.actor;
	c->csrf = r->auth.csrf;
	c->now_ms = serve_now_ms();
}

/* An HTML error page (the board's 4xx and 5xx). */
static int error_page(struct http_request *r, struct http_response *w, unsigned status, const char *message)
{
	struct board_ctx c;
	struct page p;

	ctx_of(r, &c);
	if (page_open(&p) < 0)
		return http_error(w, 500, "internal", "out of memory");
	return page_send(&p, w, status, board_page_error(p.f, &c, status, message));
}

int board_error(struct http_request *r, struct http_response *w, unsigned status, const char *message)
{
	return error_page(r, w, status, message);
}

/* The status of a store or actions.h code, and whether its message may be
 * shown (a refusal's is; an internal error's goes to the log only). */
static unsigned status_of(int code, bool *show)
{
	*show = true;
	switch (-code) {
	case PF_ELAUNCH_NOTFOUND: return 404;
	case PF_ELAUNCH_INVALID: return 400;
	case PF_ELAUNCH_REFUSED: return 409;
	case PF_ESTORE_UNREACHABLE: *show = false; return 503;
	default: *show = false; return 500;
	}
}

static int store_failed(struct http_request *r, struct http_response *w, int code, const struct err *e)
{
	bool show;
	unsigned status = status_of(code, &show);

	/* a refusal is the user's to read, not the log's; the path is outside
	 * text (it may hold any decoded byte), so the log names the method */
	if (!show)
		serve_log(r->sv, "board: %s: %s", r->method, e->msg);
	return error_page(r, w, status, show ? e->msg : status == 503 ? "the store is unreachable" : "internal error");
}

static int64_t run_param(const struct http_request *r)
{
	const char *s = http_param(r, "run");
	int64_t n;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s) || parse_i64(s, &n) < 0 || n <= 0)
		return 0;
	return n;
}

/* The run as of now; NOTFOUND (as actions.h says it) when absent. */
static int load_run(struct http_request *r, int64_t id, struct run_view *v, struct err *e)
{
	struct store *s = http_store(r, e);
	int ret;

	if (!s)
		return -PF_ESTORE_UNREACHABLE;
	if (!id)
		return err_set(e, -PF_ELAUNCH_NOTFOUND, "no such run");
	ret = store_run_view(s, id, serve_now_ms(), v, e);
	if (ret == -PF_ESTORE_CONFLICT)
		return err_set(e, -PF_ELAUNCH_NOTFOUND, "no run %" PRId64, id);
	return ret;
}

/* ---- pages ------------------------------------------------------------------- */

static void filter_of(const struct http_request *r, struct board_filter *f)
{
	const char *overdue = http_query(r, "overdue");

	f->env = http_query(r, "env");
	f->module = http_query(r, "module");
	f->owner = http_query(r, "owner");
	f->status = http_query(r, "status");
	f->overdue = overdue && (!strcmp(overdue, "1") || !strcmp(overdue, "on"));
}

static bool want_fragment(const struct http_request *r)
{
	const char *f = http_query(r, "fragment");

	return f && !strcmp(f, "live");
}

static int render_run(struct http_request *r, struct http_response *w, int64_t id, const struct board_filter *f,
		      const struct board_alert *a, unsigned status, bool fragment)
{
	struct run_view v = { 0 };
	struct board_ctx c;
	struct page p;
	struct err e = { { 0 } };
	int ret;

	if ((ret = load_run(r, id, &v, &e)) < 0) {
		run_view_release(&v);
		return store_failed(r, w, ret, &e);
	}
	ctx_of(r, &c);
	if (page_open(&p) < 0) {
		run_view_release(&v);
		return http_error(w, 500, "internal", "out of memory");
	}
	ret = page_send(&p, w, status, board_page_run(p.f, &c, &v, f, a, fragment));
	run_view_release(&v);
	return ret;
}

static int render_item(struct http_request *r, struct http_response *w, int64_t id, const char *item_id,
		       const struct board_alert *a, unsigned status, bool fragment)
{
	struct run_view v = { 0 };
	struct event *ev = NULL;
	struct item_view *it;
	struct board_ctx c;
	struct page p;
	struct err e = { { 0 } };
	size_t n = 0;
	int ret;

	if ((ret = load_run(r, id, &v, &e)) < 0)
		goto failed;
	if (!(it = run_view_item(&v, item_id))) {
		char near[256];

		launch_suggest_items(&v, item_id, near, sizeof(near), 3);
		ret = err_set(&e, -PF_ELAUNCH_NOTFOUND, "run %" PRId64 " has no item '%s'%s%s", id, item_id,
			      *near ? "; did you mean " : "", near);
		goto failed;
	}
	if ((ret = store_events(http_store(r, &e), id, item_id, 0, 0, &ev, &n, &e)) < 0)
		goto failed;
	ctx_of(r, &c);
	if (page_open(&p) < 0)
		ret = http_error(w, 500, "internal", "out of memory");
	else
		ret = page_send(&p, w, status, board_page_item(p.f, &c, &v, it, ev, n, a, fragment));
	goto out;
failed:
	ret = store_failed(r, w, ret, &e);
out:
	for (size_t i = 0; i < n; i++)
		event_release(&ev[i]);
	free(ev);
	run_view_release(&v);
	return ret;
}

static int render_followups(struct http_request *r, struct http_response *w, int64_t run_id,
			    const struct board_alert *a, unsigned status, bool fragment)
{
	struct run_summary *runs = NULL;
	struct run_view *views = NULL;
	size_t n = 0, nv = 0;
	struct board_ctx c;
	struct page p;
	struct err e = { { 0 } };
	struct store *s = http_store(r, &e);
	int64_t now = serve_now_ms();
	int ret;

	if (!s) {
		ret = -PF_ESTORE_UNREACHABLE;
		goto failed;
	}
	if (run_id > 0) {
		if (!(views = calloc(1, sizeof(*views)))) {
			ret = -ENOMEM;
			goto failed;
		}
		if ((ret = load_run(r, run_id, &views[0], &e)) < 0) {
			nv = 1;
			goto failed;
		}
		nv = 1;
	} else {
		if ((ret = store_runs(s, now, FOLLOWUP_RUNS, &runs, &n, &e)) < 0)
			goto failed;
		if (!(views = calloc(n ? n : 1, sizeof(*views)))) {
			ret = -ENOMEM;
			goto failed;
		}
		for (; nv < n; nv++)
			if ((ret = store_run_view(s, runs[nv].id, now, &views[nv], &e)) < 0) {
				nv++;
				goto failed;
			}
	}
	ctx_of(r, &c);
	if (page_open(&p) < 0)
		ret = http_error(w, 500, "internal", "out of memory");
	else
		ret = page_send(&p, w, status, board_page_followups(p.f, &c, views, nv, run_id, a, fragment));
	goto out;
failed:
	if (ret == -ENOMEM)
		err_set(&e, ret, "out of memory");
	ret = store_failed(r, w, ret, &e);
out:
	for (size_t i = 0; i < nv; i++)
		run_view_release(&views[i]);
	free(views);
	for (size_t i = 0; i < n; i++)
		run_summary_release(&runs[i]);
	free(runs);
	return ret;
}

static int get_runs(struct http_request *r, struct http_response *w)
{
	struct run_summary *runs = NULL;
	struct board_ctx c;
	struct page p;
	struct err e = { { 0 } };
	struct store *s = http_store(r, &e);
	size_t n = 0;
	int ret;

	if (!s)
		return store_failed(r, w, -PF_ESTORE_UNREACHABLE, &e);
	if ((ret = store_runs(s, serve_now_ms(), RUNS_SHOWN, &runs, &n, &e)) < 0)
		return store_failed(r, w, ret, &e);
	ctx_of(r, &c);
	if (page_open(&p) < 0)
		ret = http_error(w, 500, "internal", "out of memory");
	else
		ret = page_send(&p, w, 200, board_page_runs(p.f, &c, runs, n, want_fragment(r)));
	for (size_t i = 0; i < n; i++)
		run_summary_release(&runs[i]);
	free(runs);
	return ret;
}

static int get_run(struct http_request *r, struct http_response *w)
{
	struct board_filter f;

	filter_of(r, &f);
	return render_run(r, w, run_param(r), &f, NULL, 200, want_fragment(r));
}

static int get_item(struct http_request *r, struct http_response *w)
{
	return render_item(r, w, run_param(r), http_param(r, "item"), NULL, 200, want_fragment(r));
}

static int get_followups(struct http_request *r, struct http_response *w)
{
	const char *run = http_query(r, "run");
	int64_t id = 0;

	if (run && *run && (strspn(run, "0123456789") != strlen(run) || parse_i64(run, &id) < 0 || id <= 0))
		return error_page(r, w, 400, "run must be a run's number");
	return render_followups(r, w, id, NULL, 200, want_fragment(r));
}

static int get_login(struct http_request *r, struct http_response *w)
{
	struct page p;

	if (page_open(&p) < 0)
		return http_error(w, 500, "internal", "out of memory");
	return page_send(&p, w, 200, board_page_login(p.f, http_query(r, "next"), http_query(r, "error")));
}

/* ---- assets ------------------------------------------------------------------------ */

static int get_asset(struct http_request *r, struct http_response *w)
{
	const struct board_asset *a = board_asset_find(http_param(r, "name"));
	const char *inm = http_header(r, "If-None-Match");
	const char *v = http_query(r, "v");
	int ret;

	if (!a)
		return error_page(r, w, 404, "no such asset");
	if ((ret = http_set_header(w, "ETag", "%s", a->etag)) < 0 ||
	    (ret = http_set_header(w, "X-Content-Type-Options", "nosniff")) < 0)
		return ret;
	/* a versioned URL never changes: the page names the next version */
	ret = http_set_header(w, "Cache-Control", "%s",
			      v && !strcmp(v, a->version) ? "public, max-age=31536000, immutable" : "no-cache");
	if (ret < 0)
		return ret;
	w->content_type = a->content_type;
	if (inm && strstr(inm, a->etag)) {
		w->status = 304;
		return 0;
	}
	w->status = 200;
	return buf_append(&w->body, a->data, a->len);
}

/* ---- actions --------------------------------------------------------------------------- */

static bool wants_json(const struct http_request *r)
{
	const char *accept = http_header(r, "Accept");

	return accept && strstr(accept, "application/json");
}

static int answer_json(struct http_response *w, unsigned status, bool ok, const char *message)
{
	return http_json(w, status, json_pack("{s:b, s:s}", "ok", ok, "message", message));
}

/* After an action: 303 back to the page it came from (JSON for fetch). */
static int done(struct http_request *r, struct http_response *w, const char *back, const char *fallback,
		const char *message)
{
	int ret;

	serve_hub_kick(serve_hub_of(r->sv));
	if (wants_json(r))
		return answer_json(w, 200, true, message);
	w->status = 303;
	w->content_type = "text/plain; charset=utf-8";
	if ((ret = http_set_header(w, "Location", "%s", board_local_path(back) ? back : fallback)) < 0)
		return ret;
	return buf_puts(&w->body, message);
}

/* A refusal: JSON for fetch; else the page it came from, again, with the
 * message next to the item or follow-up. */
static int refused(struct http_request *r, struct http_response *w, int code, const struct err *e, const char *back,
		   const struct board_alert *a, int64_t run_id)
{
	struct board_back b;
	bool show;
	unsigned status = status_of(code, &show);
	int ret;

	if (!show) {
		if (wants_json(r)) {
			serve_log(r->sv, "board: %s: %s", r->method, e->msg);
			return answer_json(w, status, false, status == 503 ? "the store is unreachable" : "internal error");
		}
		return store_failed(r, w, code, e);
	}
	if (wants_json(r))
		return answer_json(w, status, false, e->msg);
	if ((ret = board_back_parse(back, &b)) < 0)
		return ret;
	switch (b.page) {
	case BACK_ITEM:
		ret = render_item(r, w, b.run_id, b.item_id, a, status, false);
		break;
	case BACK_FOLLOWUPS:
		ret = render_followups(r, w, b.run_id, a, status, false);
		break;
	case BACK_RUN:
		ret = render_run(r, w, b.run_id, &b.filter, a, status, false);
		break;
	default:
		ret = run_id > 0 ? render_run(r, w, run_id, NULL, a, status, false) : error_page(r, w, status, e->msg);
		break;
	}
	/* the page rendered: its status is the refusal's, whatever it found */
	if (ret >= 0 && w->status == 200)
		w->status = status;
	board_back_release(&b);
	return ret;
}

/* The form's text fields are read one byte past their limit, so a longer
 * one is refused by launch_text_check ("at most 4000 bytes") instead of
 * being cut short silently. */
static int post_item(struct http_request *r, struct http_response *w)
{
	char reason[LAUNCH_MAX_REASON + 2], back[2048], fallback[64], message[512];
	const char *item = http_param(r, "item");
	int64_t run_id = run_param(r);
	int action = launch_action_parse(http_param(r, "action"));
	const char *why = http_form(r, "reason", reason, sizeof(reason));
	const char *to = http_form(r, "back", back, sizeof(back));
	struct board_alert alert = { item, 0, NULL };
	struct launch_act_result res;
	struct err e = { { 0 } };
	struct store *s;
	int ret;

	snprintf(fallback, sizeof(fallback), "/runs/%" PRId64, run_id);
	if (action < 0) {
		ret = err_set(&e, -PF_ELAUNCH_NOTFOUND, "no action '%s': confirm, fail, skip or reopen",
			      http_param(r, "action"));
		goto refuse;
	}
	if (!run_id) {
		ret = err_set(&e, -PF_ELAUNCH_NOTFOUND, "no such run");
		goto refuse;
	}
	if (!(s = http_store(r, &e))) {
		ret = -PF_ESTORE_UNREACHABLE;
		goto refuse;
	}
	struct launch_act a = {
		.run_id = run_id,
		.item_id = item,
		.action = (enum launch_action)action,
		.actor = r->auth.actor,
		.reason = why && *why ? why : NULL,
		.via = r->auth.via ? r->auth.via : "board",   /* a bearer token on a form route: "api" */
		.reason_hint = "a reason",
	};
	if ((ret = launch_act_item(s, &a, &res, &e)) < 0)
		goto refuse;
	snprintf(message, sizeof(message), "run %" PRId64 " item %s: %s -> %s by %s", run_id, item,
		 item_status_name(res.from), item_status_name(res.to), r->auth.actor);
	return done(r, w, to, fallback, message);
refuse:
	alert.message = e.msg;
	return refused(r, w, ret, &e, to, &alert, run_id);
}

static int post_close(struct http_request *r, struct http_response *w)
{
	char rca[LAUNCH_MAX_REASON + 2], back[2048], message[128];
	const char *ids = http_param(r, "id");
	const char *why = http_form(r, "rca", rca, sizeof(rca));
	const char *to = http_form(r, "back", back, sizeof(back));
	struct board_alert alert = { NULL, 0, NULL };
	struct err e = { { 0 } };
	struct store *s;
	int64_t id = 0, seq;

	if (!ids || strspn(ids, "0123456789") != strlen(ids) || parse_i64(ids, &id) < 0 || id <= 0) {
		seq = err_set(&e, -PF_ELAUNCH_NOTFOUND, "no such follow-up");
		goto refuse;
	}
	alert.followup_id = id;
	if (!(s = http_store(r, &e))) {
		seq = -PF_ESTORE_UNREACHABLE;
		goto refuse;
	}
	seq = launch_close_followup(s, id, why && *why ? why : NULL, r->auth.actor, r->auth.via ? r->auth.via : "board",
				    serve_now_ms(), &e);
	if (seq < 0)
		goto refuse;
	snprintf(message, sizeof(message), "follow-up %" PRId64 " closed", id);
	return done(r, w, to, "/followups", message);
refuse:
	alert.message = e.msg;
	return refused(r, w, (int)seq, &e, to, &alert, 0);
}

const struct route board_routes[] = {
	{ "GET", "/", ROUTE_READ | ROUTE_BOARD, get_runs },
	{ "GET", "/runs/{run}", ROUTE_READ | ROUTE_BOARD, get_run },
	{ "GET", "/runs/{run}/items/{item}", ROUTE_READ | ROUTE_BOARD, get_item },
	{ "GET", "/followups", ROUTE_READ | ROUTE_BOARD, get_followups },
	{ "GET", "/login", ROUTE_PUBLIC | ROUTE_BOARD, get_login },
	{ "GET", "/assets/{name}", ROUTE_PUBLIC, get_asset },
	{ "POST", "/runs/{run}/items/{item}/{action}", ROUTE_WRITE | ROUTE_BOARD, post_item },
	{ "POST", "/followups/{id}/close", ROUTE_WRITE | ROUTE_BOARD, post_close },
	{ NULL, NULL, 0, NULL },
};
