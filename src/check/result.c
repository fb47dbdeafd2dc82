#include "check/check.h"
#include "check/checks.h"

#include "base/json_text.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const layer_names[LAYER_COUNT] = { "code", "runtime", "infra", "business" };
static const char *const status_names[STATUS_COUNT] = { "pass", "skip", "warn", "error", "fail" };

const char *layer_name(enum pf_layer l)
{
	return (unsigned)l < LAYER_COUNT ? layer_names[l] : "?";
}

const char *status_name(enum pf_status s)
{
	return (unsigned)s < STATUS_COUNT ? status_names[s] : "?";
}

int status_parse(const char *s, enum pf_status *ret)
{
	for (int i = 0; i < STATUS_COUNT; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*ret = (enum pf_status)i;
			return 0;
		}
	return -EINVAL;
}

__attribute__((format(printf, 1, 0))) static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

void result_init(struct check_result *r, const struct check_def *def)
{
	memset(r, 0, sizeof(*r));
	r->def = def;
	r->status = STATUS_PASS;
	r->evidence = json_object();
}

void result_release(struct check_result *r)
{
	free(r->item_id);
	free(r->title);
	free(r->summary);
	free(r->remedy);
	json_decref(r->evidence);
	memset(r, 0, sizeof(*r));
}

void result_set(struct check_result *r, enum pf_status st, const char *fmt, ...)
{
	va_list ap;

	r->status = st;
	free(r->summary);
	va_start(ap, fmt);
	r->summary = vformat(fmt, ap);
	va_end(ap);
}

void result_remedy(struct check_result *r, const char *fmt, ...)
{
	va_list ap;

	free(r->remedy);
	va_start(ap, fmt);
	r->remedy = vformat(fmt, ap);
	va_end(ap);
}

/* The one place evidence is stored, and the one unchecked
 * json_object_set_new result on purpose (the checks' nested evidence
 * objects follow the same rule): jansson's *_new functions take the
 * reference even when they fail (value.c frees v on every error path), so
 * running out of memory here loses one evidence key, never leaks or
 * crashes, and the result's status and summary stay right. */
void ev_json(struct check_result *r, const char *key, json_t *v)
{
	if (v)
		(void)json_object_set_new(r->evidence, key, v);
}

void ev_int(struct check_result *r, const char *key, long long v)
{
	ev_json(r, key, json_integer(v));
}

void ev_real(struct check_result *r, const char *key, double v)
{
	ev_json(r, key, json_real(v));
}

void ev_str(struct check_result *r, const char *key, const char *v)
{
	/* Evidence strings come from outside (paths, env values) and may not be UTF-8. */
	ev_json(r, key, json_text(v));
}

void ev_bool(struct check_result *r, const char *key, bool v)
{
	ev_json(r, key, json_boolean(v));
}

const struct param_def *check_param_find(const struct check_def *d, const char *name)
{
	if (!d->params)
		return NULL;
	for (const struct param_def *p = d->params; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static const struct param_def *param_def_find(const struct check_params *p, const char *name)
{
	if (!p->defs)
		return NULL;
	for (const struct param_def *d = p->defs; d->name; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

double param_num(const struct check_params *p, const char *name)
{
	const struct param_def *d = param_def_find(p, name);
	json_t *v = p->overrides ? json_object_get(p->overrides, name) : NULL;

	if (v && json_is_number(v))
		return json_number_value(v);
	if (d && !param_has_default(d))
		return NAN;
	return d ? d->num : 0;
}

const char *param_str(const struct check_params *p, const char *name)
{
	const struct param_def *d = param_def_find(p, name);
	json_t *v = p->overrides ? json_object_get(p->overrides, name) : NULL;

	if (v && json_is_string(v))
		return json_string_value(v);
	return d && d->str ? d->str : "";
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void check_run(const struct check_def *d, const struct facts *f, json_t *overrides,
	       struct check_result *r)
{
	struct check_params p = { d->params, overrides };
	double t0 = now_ms();

	if ((d->flags & CHECK_NEEDS_TARGET) && !f->proc.present) {
		result_set(r, STATUS_SKIP, "no target process (use --pid or --process)");
	} else if ((d->flags & CHECK_NEEDS_TARGET) && f->proc.exited.code) {
		result_set(r, STATUS_ERROR, "%s", f->proc.exited.msg);
	} else if ((d->flags & CHECK_GO) && skip_not_go(f, r)) {
		/* a non-Go target gets no Go advice */
	} else {
		d->fn(f, &p, r);
	}
	/* A container's census is not the host's: say whose namespace it was. */
	if ((d->flags & CHECK_NETNS) && f->proc.present && f->netns.desc[0] && r->status != STATUS_SKIP)
		ev_str(r, "netns", f->netns.desc);
	if (!r->summary)
		result_set(r, STATUS_ERROR, "check produced no summary");
	r->duration_ms = now_ms() - t0;
}
