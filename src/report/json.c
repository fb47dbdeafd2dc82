/* The JSON report: the stable machine contract (docs/report-formats.md).
 * Keys are written in the documented order; fields are added, never
 * renamed or removed, within a major version. */
#include "report/report.h"

#include "base/json_text.h"
#include "report/json_out.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


/* Adds key = v (stolen) and reports whether it worked, so one failed
 * allocation anywhere fails the whole document instead of dropping a key. */
static bool put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

static json_t *target_json(const struct report *r)
{
	json_t *t = json_object(), *ls = json_array();
	bool ok = t && ls;

	for (size_t i = 0; ok && i < r->n_listeners; i++)
		ok = json_array_append_new(ls, json_text(r->listeners[i])) == 0;
	ok = ok && put(t, "pid", json_integer(r->pid)) && put(t, "exe", json_text(r->exe)) &&
	     put(t, "comm", json_text(r->comm)) && put(t, "listeners", r->listeners_unknown ? json_null() : json_incref(ls)) &&
	     (!r->netns || put(t, "netns", json_text(r->netns)));
	json_decref(ls);
	if (!ok) {
		json_decref(t);
		return NULL;
	}
	return t;
}

static json_t *summary_json(const struct report *r)
{
	static const enum pf_status order[] = { STATUS_PASS, STATUS_WARN, STATUS_FAIL, STATUS_SKIP,
						STATUS_ERROR };
	size_t counts[STATUS_COUNT];
	json_t *s = json_object();

	if (!s)
		return NULL;
	report_count(r, counts);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (!put(s, status_name(order[i]), json_integer((json_int_t)counts[order[i]]))) {
			json_decref(s);
			return NULL;
		}
	return s;
}

/* Milliseconds rounded to microseconds: more digits are noise. */
static double round_ms(double ms)
{
	if (!isfinite(ms) || ms < 0)
		return 0;
	return round(ms * 1000) / 1000;
}

static json_t *check_json(const struct check_result *c)
{
	json_t *o = json_object();
	bool ok = o != NULL;

	ok = ok && put(o, "id", json_text(report_item_id(c))) &&
	     put(o, "check", json_text(report_check_id(c))) &&
	     put(o, "title", json_text(report_title(c))) &&
	     put(o, "layer", json_string(layer_name(c->def ? c->def->layer : LAYER_COUNT))) &&
	     put(o, "status", json_string(status_name(c->status))) &&
	     put(o, "summary", json_text(c->summary ? c->summary : "")) &&
	     put(o, "evidence", c->evidence ? json_incref(c->evidence) : json_object()) &&
	     put(o, "remedy", json_text(c->remedy)) &&
	     put(o, "duration_ms", json_real(round_ms(c->duration_ms)));
	if (ok && c->meta.owner)
		ok = put(o, "owner", json_text(c->meta.owner));
	if (ok && c->meta.due)
		ok = put(o, "due", json_text(c->meta.due));
	if (ok && c->meta.severity)
		ok = put(o, "severity", json_text(c->meta.severity));
	if (ok && c->meta.tags)
		ok = put(o, "tags", json_incref(c->meta.tags));
	if (ok && c->meta.rollback)
		ok = put(o, "rollback", json_text(c->meta.rollback));
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *report_check_to_json(const struct check_result *c)
{
	return check_json(c);
}

json_t *report_to_json(const struct report *r)
{
	json_t *doc = json_object(), *cl = json_object(), *checks = json_array();
	char started[32];
	bool ok = doc && cl && checks &&
		  report_time_utc(r->started_at, started, sizeof(started)) == 0;

	for (size_t i = 0; ok && i < r->n_results; i++)
		ok = json_array_append_new(checks, check_json(&r->results[i])) == 0;
	ok = ok && put(cl, "source", json_text(r->checklist_source)) &&
	     put(cl, "name", json_text(r->checklist_name)) &&
	     put(doc, "preflight_version", json_text(r->preflight_version)) &&
	     put(doc, "started_at", json_string(started)) &&
	     put(doc, "host", json_text(r->hostname)) && put(doc, "checklist", json_incref(cl)) &&
	     put(doc, "target", r->pid ? target_json(r) : json_null()) &&
	     put(doc, "summary", summary_json(r)) && put(doc, "checks", json_incref(checks)) &&
	     put(doc, "duration_seconds", isfinite(r->duration_s) && r->duration_s > 0
						  ? json_real(round(r->duration_s * 1e6) / 1e6)
						  : json_null());
	json_decref(cl);
	json_decref(checks);
	if (!ok) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int report_json(const struct report *r, FILE *out)
{
	json_t *doc = report_to_json(r);
	int ret = 0;

	if (!doc)
		return -ENOMEM;
	ret = json_out_dump(doc, out);
	json_decref(doc);
	return ret;
}
