/* api: the JSON API of `preflight serve` (docs/api.md), the parts its
 * files share (api.c reads, api_actions.c writes, api_body.c the POST
 * body parser, api_view.c the per-thread run view cache) and the fuzz
 * target calls (api_body_parse). Private to src/serve. */
#ifndef PREFLIGHT_SERVE_API_H
#define PREFLIGHT_SERVE_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "facts/launch.h"
#include "serve/serve.h"

/* ---- POST bodies (api_body.c) ------------------------------------------- */

/* The fields a call takes; a body naming any other is refused. */
enum api_body_kind {
	API_BODY_ACT,       /* confirm, fail, skip, reopen: {"reason": "...", "change": "DEP-1"} */
	API_BODY_CLOSE,     /* close a follow-up: {"rca": "..."} */
};

/* What a body said. The strings point into root (NULL when absent or
 * null); api_body_release frees root. */
struct api_body {
	json_t *root;
	const char *reason;
	const char *change;
	const char *rca;
};

/* Turns a POST body into the action's fields. An empty body (len 0) is an
 * empty object, whatever its content type: every field is optional here
 * (the action says which it needs). Otherwise content_type must be
 * application/json (parameters such as "; charset=utf-8" allowed), the
 * body one JSON object (UTF-8, no duplicate keys, no NUL), its fields
 * known to the call and each a string or null.
 * Returns 0, or the HTTP status of the refusal (415, 400) with e->msg
 * saying what is wrong (the line and column of a syntax error, the
 * unknown field's name, the field of a wrong type). Pure: no I/O. */
int api_body_parse(const char *body, size_t len, const char *content_type, enum api_body_kind kind,
		   struct api_body *ret, struct err *e);
void api_body_release(struct api_body *b);

/* ---- the run view cache (api_view.c) ------------------------------------ */

/* The view of run_id as of now_ms, read through this thread's store
 * connection. The view is kept per thread and reused while the store's
 * newest event seq is unchanged (then only the clock-derived fields are
 * recomputed: run_view_reclock), so a busy item page costs one indexed
 * MAX(seq) query instead of the run's whole derivation. The pointer is
 * valid until this thread's next call. Returns 0 or a negative code:
 * -PF_ESTORE_CONFLICT for no such run, the store's others. */
int api_run_view(struct store *s, int64_t run_id, int64_t now_ms, const struct run_view **ret, struct err *e);
/* For a read of one item: the whole run when this thread holds it for the
 * store's newest seq, else a view of the run with only that item
 * (store_item_view), kept the same way; the whole run again when it has
 * no such item (so the 404 can name the items it has). */
int api_item_view(struct store *s, int64_t run_id, const char *item_id, int64_t now_ms, const struct run_view **ret,
		  struct err *e);

/* ---- answering (api.c) ---------------------------------------------------- */

/* The store of this request's thread, or NULL after answering 503. */
struct store *api_store(struct http_request *r, struct http_response *w);
/* Answers an error code of the store or of actions.h: an unknown run
 * (-PF_ESTORE_CONFLICT from a view) is 404. Returns http_error's result. */
int api_fail(struct http_request *r, struct http_response *w, int code, const struct err *e);
/* Reads the {run} route parameter: a positive integer, else 404 answered
 * and -1 returned. */
int api_run_param(struct http_request *r, struct http_response *w, int64_t *ret);

/* Answers 200 with doc (stolen), or 500 when doc is NULL (memory ran out). */
int api_reply(struct http_response *w, json_t *doc);
/* The item named by {item} of v; NULL after answering 404 (with the
 * run's items, the closest first). */
const struct item_view *api_find_item(struct http_request *r, struct http_response *w, const struct run_view *v);
/* The report's follow-up object plus "run" (the API lists them across runs). */
json_t *api_followup_json(const struct followup_view *f);

/* The write calls (api_actions.c). */
int api_post_item(struct http_request *r, struct http_response *w);
int api_post_close(struct http_request *r, struct http_response *w);

#endif
