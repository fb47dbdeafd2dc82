/* board: the server-rendered pages of `preflight serve` (docs/board.md).
 *
 * The pages are written here from the same views the reports read (a
 * run_view, run summaries, the event log) into a FILE (an open_memstream
 * in the handlers, a file in the unit tests), so they are tested without a
 * server: board_html.c (the page's frame and small writers), board_run.c
 * (the runs list and a run's page), board_item.c (an item's history, the
 * follow-ups, the login and error pages). board_routes.c is the only part
 * that speaks http (serve.h): routes, actions, assets, headers.
 *
 * Every page works without JavaScript (plain GET filters, POST forms that
 * answer 303); /assets/board.js only makes it live (docs/board.md). No
 * inline script or style anywhere: the Content-Security-Policy forbids
 * both. Every piece of outside text goes through launch_html_text. */
#ifndef PREFLIGHT_SERVE_BOARD_H
#define PREFLIGHT_SERVE_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "facts/launch.h"
#include "report/launch_report.h"

/* Who looks at a page and what its forms carry. */
struct board_ctx {
	const char *actor;      /* the signed-in name; NULL when anonymous (open reads) */
	const char *csrf;       /* the session's CSRF token for the forms; NULL: no forms */
	int64_t now_ms;
};

/* A refusal shown next to what it was about (an item, a follow-up). */
struct board_alert {
	const char *item_id;    /* the item it is about, or NULL */
	int64_t followup_id;    /* or the follow-up, or 0 */
	const char *message;
};

/* The filters of a run's page, as its URL holds them. */
struct board_filter {
	const char *env, *module, *owner, *status;   /* NULL or "" = any */
	bool overdue;
};
/* The launch_filter of f. A status that names none is ignored (any
 * status), and the page says so. */
void board_filter_to_launch(const struct board_filter *f, struct launch_filter *ret);
/* "/runs/3?module=payment&overdue=1": the page of run with f, into out. */
void board_run_url(FILE *out, int64_t run_id, const struct board_filter *f);

/* Pages. Each returns 0 or a negative errno (memory). */
int board_page_runs(FILE *out, const struct board_ctx *c, const struct run_summary *runs, size_t n, bool fragment);
/* fragment (each page): only what live updates swap (the inside of
 * #live), without the frame. */
int board_page_run(FILE *out, const struct board_ctx *c, const struct run_view *v, const struct board_filter *f,
		   const struct board_alert *a, bool fragment);
int board_page_item(FILE *out, const struct board_ctx *c, const struct run_view *v, const struct item_view *it,
		    const struct event *events, size_t n_events, const struct board_alert *a, bool fragment);
/* The follow-ups of runs (views[i]), open first; run_id > 0: only that run. */
int board_page_followups(FILE *out, const struct board_ctx *c, const struct run_view *views, size_t n,
			 int64_t run_id, const struct board_alert *a, bool fragment);
/* The follow-ups table (the run page's and GET /followups'): each open
 * one with a form to close it with its RCA; with_run adds a run column. */
void board_followups_table(FILE *out, const struct board_ctx *c, const struct followup_view *const *fu, size_t n,
			   bool with_run, const char *back, const struct board_alert *a);
/* error: "token" (a wrong token), "locked" (too many from this address), else none. */
int board_page_login(FILE *out, const char *next, const char *error);
int board_page_error(FILE *out, const struct board_ctx *c, unsigned status, const char *message);

/* ---- the frame and small writers (board_html.c) --------------------------- */
void board_head(FILE *out, const struct board_ctx *c, const char *title, const char *body_class);
void board_tail(FILE *out);
/* Outside text, "-" when NULL or empty. */
void board_text(FILE *out, const char *s);
/* One "term: value" of a page's description list (value escaped, "-" when NULL). */
void board_meta(FILE *out, const char *term, const char *value);
/* The place by an item's form where a refusal is shown: the message, or an
 * empty slot board.js fills. */
void board_alert_slot(FILE *out, const char *message);
/* s percent-encoded for a URL's query or path segment. */
void board_url_part(FILE *out, const char *s);
/* A status badge: its symbol and name (never colour alone). */
void board_badge(FILE *out, enum item_status s);
/* "1h 5m", "3d 2h", "45s": the two largest units of ms (>= 0). */
void board_span(int64_t ms, char *buf, size_t len);
/* "2026-11-26 10:00 UTC" in a <time> element. */
void board_time(FILE *out, int64_t ms);
/* The same, only the time of day when ms is within 20 hours of now_ms
 * (the whole time in its title): a due column that stays one line. */
void board_time_short(FILE *out, int64_t ms, int64_t now_ms);
/* The hidden fields every action form carries: csrf and back. */
void board_form_hidden(FILE *out, const struct board_ctx *c, const char *back);

/* The page a path is, as the error pages name it: "/runs/3?..." is kept
 * for a form's back field only when it is a local path: starts with one
 * "/", no "//" or "\" at its start, no control bytes. */
bool board_local_path(const char *p);

/* ---- the page an action came from (board_back.c) ------------------------
 * An action form carries back, the local path and query of its page. After
 * a refusal without JavaScript, that page is rendered again with the
 * message: back is parsed into which page it is and its filters. */
enum board_back_page { BACK_RUN, BACK_ITEM, BACK_FOLLOWUPS, BACK_OTHER };
struct board_back {
	enum board_back_page page;
	int64_t run_id;             /* BACK_RUN, BACK_ITEM; BACK_FOLLOWUPS: ?run= or 0 */
	const char *item_id;        /* BACK_ITEM: percent-decoded */
	struct board_filter filter; /* BACK_RUN: env, module, owner, status, overdue */
	char *storage;              /* owns the strings above */
};
/* Parses back (any bytes: outside input). Unknown paths and bad numbers
 * give BACK_OTHER; unknown query arguments are ignored. -ENOMEM only. */
int board_back_parse(const char *back, struct board_back *ret);
void board_back_release(struct board_back *b);

#endif
