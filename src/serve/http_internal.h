/* http_internal: one request's state inside the http layer (http.c,
 * http_request.c, http_stream.c). */
#ifndef PREFLIGHT_HTTP_INTERNAL_H
#define PREFLIGHT_HTTP_INTERNAL_H

#include "serve/mhd.h"

#include "launch/actions.h"
#include "serve/serve_internal.h"

#define HTTP_MAX_FORM_FIELDS 32

struct http_form_field {
	char *name, *value;
};

struct req_ctx {
	struct http_request r;          /* first: handlers get &ctx->r */
	struct http_response w;
	struct MHD_Connection *conn;
	double t0;                      /* monotonic seconds at the head */
	struct buf body;
	bool too_big;                   /* the body passed max_body: 413 */
	bool queued;                    /* a response was given to the library */
	const char *pattern;            /* the route matched, for the histogram ("-" none) */
	unsigned status;
	char *path_copy;                /* route parameter values point here */
	char param_names[4][32];
	char actor[LAUNCH_MAX_ACTOR + 1];
	char csrf[80];
	bool form_parsed;
	struct http_form_field form[HTTP_MAX_FORM_FIELDS];
	size_t n_form;
};

static inline struct req_ctx *req_ctx_of(const struct http_request *r)
{
	return (struct req_ctx *)r;
}

/* Gives the response to the library (body, headers, security headers). */
enum MHD_Result http_queue(struct req_ctx *x);
double http_monotonic(void);

#endif
