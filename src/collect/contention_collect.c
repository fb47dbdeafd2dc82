#include "collect/contention_collect.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/fileio.h"
#include "goruntime/profiles.h"
#include "io/fetch.h"

static int parse(struct contention_source *s, const char *body, size_t len, const char *what, struct err *e)
{
	struct err pe = { "" };
	int r = contention_parse(body, len, &s->p, &pe);

	return r < 0 ? err_set(e, r, "'%s': %s", what, pe.msg) : 0;
}

int contention_collect_url(const char *base, long timeout_ms, struct contention_source out[2], struct err *e)
{
	static const char *const names[2] = { "mutex", "block" };
	struct fetch_req req[2];
	int r = 0;

	for (int i = 0; i < 2; i++) {
		char path[64];

		memset(&out[i], 0, sizeof(out[i]));
		out[i].name = names[i];
		snprintf(path, sizeof(path), "/debug/pprof/%s?debug=1", names[i]);
		fetch_req_init(&req[i], base, path, FETCH_SMALL_MAX, false);
	}
	go_fetch_all(req, 2, timeout_ms);
	for (int i = 0; i < 2 && r == 0; i++) {
		snprintf(out[i].url, sizeof(out[i].url), "%s", req[i].http.url);
		if (req[i].err) {
			*e = req[i].e;
			r = req[i].err;
		} else {
			r = parse(&out[i], buf_str(&req[i].http.body), req[i].http.body.len, out[i].url, e);
			if (r == 0 && out[i].p.kind != names[i][0])
				r = err_set(e, -PF_EPARSE, "'%s': got a %s profile", out[i].url,
					    out[i].p.kind == 'm' ? "mutex" : "block");
		}
	}
	for (int i = 0; i < 2; i++)
		fetch_req_release(&req[i]);
	return r;
}

int contention_collect_file(const char *path, struct contention_source *out, struct err *e)
{
	struct buf body = BUF_INIT(FETCH_SMALL_MAX);
	int r = read_file(NULL, path, &body);

	memset(out, 0, sizeof(*out));
	out->file = path;
	if (r == -E2BIG)
		r = err_set(e, r, "'%s' is larger than %u bytes", path, FETCH_SMALL_MAX);
	else if (r < 0)
		r = err_errno(e, r, "cannot read '%s'", path);
	else
		r = parse(out, buf_str(&body), body.len, path, e);
	if (r == 0)
		out->name = out->p.kind == 'm' ? "mutex" : "block";
	buf_release(&body);
	return r;
}

void contention_source_release(struct contention_source *s)
{
	contention_profile_release(&s->p);
}
