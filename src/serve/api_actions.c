/* api_actions: the API's writes (docs/api.md, "Actions"): confirm, fail,
 * skip, reopen an item and close a follow-up, each through
 * launch/actions.h under the CLI's rules. Who acts is the authenticated
 * name (the token's, or the session's), never a field of the body. */
#include <inttypes.h>
#include <string.h>

#include "launch/actions.h"
#include "report/launch_common.h"
#include "serve/api.h"

/* The body of the request as kind; -1 after answering 415 or 400. */
static int read_body(struct http_request *r, struct http_response *w, enum api_body_kind kind, struct api_body *b)
{
	struct err e = { "" };
	int status = api_body_parse(r->body, r->body ? r->body_len : 0, http_header(r, "Content-Type"), kind, b, &e);

	if (!status)
		return 0;
	http_error(w, (unsigned)status, status == 415 ? "unsupported_media_type" : "bad_request", "%s", e.msg);
	return -1;
}

/* Who acts; NULL after answering 401 (the server lets no anonymous write
 * through: this is the last guard, not the first). */
static const char *actor_of(struct http_request *r, struct http_response *w)
{
	if (r->auth.actor && *r->auth.actor)
		return r->auth.actor;
	http_error(w, 401, "unauthorized", "this call needs a token or a session");
	return NULL;
}

int api_post_item(struct http_request *r, struct http_response *w)
{
	const char *slash = strrchr(r->path, '/');
	struct launch_act act = { .reason_hint = "a reason" };
	struct launch_act_result res;
	struct api_body b = { 0 };
	const struct run_view *v;
	const struct item_view *it;
	struct err e = { "" };
	struct store *s;
	json_t *doc;
	int action, rc;

	action = launch_action_parse(slash ? slash + 1 : NULL);
	if (action < 0)
		return http_error(w, 404, "not_found", "no such action; give confirm, fail, skip or reopen");
	if (!(act.actor = actor_of(r, w)) || api_run_param(r, w, &act.run_id) < 0 ||
	    read_body(r, w, API_BODY_ACT, &b) < 0)
		return 0;
	if (!(s = api_store(r, w)))
		goto out;
	/* An unknown run or item answered as the reads answer it (the
	 * actions' own message names the store, which is not the caller's
	 * business); the action checks again inside its transaction. */
	rc = api_run_view(s, act.run_id, serve_now_ms(), &v, &e);
	if (rc < 0) {
		api_fail(r, w, rc, &e);
		goto out;
	}
	if (!api_find_item(r, w, v))
		goto out;
	act.action = (enum launch_action)action;
	act.item_id = http_param(r, "item");
	act.reason = b.reason;
	act.change = b.change;
	act.via = r->auth.via ? r->auth.via : "api";
	rc = launch_act_item(s, &act, &res, &e);
	if (rc < 0) {
		api_fail(r, w, rc, &e);
		goto out;
	}
	serve_hub_kick(serve_hub_of(r->sv));   /* the live feed: now, not at its next poll */
	serve_log(r->sv, "run %" PRId64 " item %s: %s -> %s by %s via %s (seq %" PRId64 ")", act.run_id, act.item_id,
		  item_status_name(res.from), item_status_name(res.to), act.actor, act.via, res.seq);
	/* The item as it now is: the view after the event (the cache's key
	 * moved with it). */
	rc = api_run_view(s, act.run_id, serve_now_ms(), &v, &e);
	if (rc < 0) {
		api_fail(r, w, rc, &e);
		goto out;
	}
	if (!(it = api_find_item(r, w, v)))
		goto out;
	doc = json_pack("{s:I, s:s, s:s, s:o, s:o}", "seq", (json_int_t)res.seq, "from", item_status_name(res.from),
			"to", item_status_name(res.to), "followup",
			res.followup_id > 0 ? json_integer((json_int_t)res.followup_id) : json_null(), "item",
			launch_item_json(v, it));
	api_reply(w, doc);
out:
	api_body_release(&b);
	return 0;
}

int api_post_close(struct http_request *r, struct http_response *w)
{
	const char *p = http_param(r, "id");
	struct followup_view f = { 0 };
	struct api_body b = { 0 };
	struct err e = { "" };
	const char *actor;
	struct store *s;
	int64_t id = 0, seq;
	json_t *doc;
	int rc;

	for (; p && *p >= '0' && *p <= '9' && id < INT64_MAX / 10 - 9; p++)
		id = id * 10 + (*p - '0');
	if (!p || *p || id <= 0)
		return http_error(w, 404, "not_found", "no such follow-up: a follow-up is named by its number");
	if (!(actor = actor_of(r, w)) || read_body(r, w, API_BODY_CLOSE, &b) < 0)
		return 0;
	if (!(s = api_store(r, w)))
		goto out;
	/* unknown: "no follow-up 9", without the store's name */
	rc = store_followup_get(s, id, serve_now_ms(), &f, &e);
	followup_view_release(&f);
	if (rc < 0) {
		api_fail(r, w, rc, &e);
		goto out;
	}
	seq = launch_close_followup(s, id, b.rca, actor, r->auth.via ? r->auth.via : "api", -1, &e);
	if (seq < 0) {
		api_fail(r, w, (int)seq, &e);
		goto out;
	}
	serve_hub_kick(serve_hub_of(r->sv));
	serve_log(r->sv, "follow-up %" PRId64 " closed by %s (seq %" PRId64 ")", id, actor, seq);
	rc = store_followup_get(s, id, serve_now_ms(), &f, &e);
	if (rc < 0) {
		api_fail(r, w, rc, &e);
		goto out;
	}
	doc = json_pack("{s:I, s:o}", "seq", (json_int_t)seq, "followup", api_followup_json(&f));
	followup_view_release(&f);
	api_reply(w, doc);
out:
	api_body_release(&b);
	return 0;
}
