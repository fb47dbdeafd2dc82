/* The checklist as JSON: what a run stores when it opens, so the notifier
 * and the reports never read the file again. No line numbers (they say
 * nothing once the file changes), and no secrets: a channel keeps only
 * the names of the variables or files that hold its URL and secret. */
#include "config/checklist.h"

#include <errno.h>
#include <stdbool.h>

/* Sets key to v (taking it); false when out of memory (v NULL). */
static bool put(json_t *o, const char *key, json_t *v)
{
	if (!o || !v) {
		json_decref(v);
		return false;
	}
	return json_object_set_new(o, key, v) == 0;
}

/* Optional strings are left out when absent, so readers test presence. */
static bool put_opt(json_t *o, const char *key, const char *s)
{
	return !s || put(o, key, json_string(s));
}

static json_t *strv(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a && v && v[i]; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *exec_json(const struct verify_exec *x)
{
	json_t *o = json_object();
	bool ok = put(o, "command", strv(x->argv)) && put(o, "expect_exit", json_integer(x->expect_exit)) &&
		  put(o, "timeout_s", json_real(x->timeout_s)) &&
		  put(o, "output_cap", json_integer((json_int_t)x->output_cap)) && put_opt(o, "workdir", x->workdir);

	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *http_json(const struct verify_http *h)
{
	json_t *o = json_object();
	bool ok = put(o, "method", json_string(h->method)) && put(o, "url", json_string(h->url)) &&
		  (!h->headers || put(o, "headers", strv(h->headers))) && put_opt(o, "body", h->body) &&
		  put(o, "expect_status", json_integer(h->expect_status)) &&
		  put_opt(o, "body_contains", h->body_contains) && put_opt(o, "body_regex", h->body_regex) &&
		  put(o, "timeout_s", json_real(h->timeout_s)) && put(o, "insecure", json_boolean(h->insecure));

	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *promql_json(const struct verify_promql *p)
{
	json_t *o = json_object();
	bool ok = put(o, "server", json_string(p->server)) && put_opt(o, "server_url", p->server_url) &&
		  put(o, "query", json_string(p->query)) && put(o, "op", json_string(p->op)) &&
		  put(o, "value", json_real(p->value)) && put(o, "for_s", json_real(p->hold_s)) &&
		  put(o, "step_s", json_real(p->step_s)) && put(o, "empty_ok", json_boolean(p->empty_ok)) &&
		  put(o, "timeout_s", json_real(p->timeout_s));

	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *checklist_item_to_json(const struct checklist_item *it)
{
	json_t *o = json_object();
	bool ok;

	ok = put(o, "id", json_string(it->id)) && put_opt(o, "title", it->title) &&
	     put(o, "verify", json_string(verify_kind_name(it->verify)));
	switch (it->verify) {
	case VERIFY_CHECK:
		ok = ok && put(o, "check", json_string(it->check)) &&
		     put(o, "params", it->params ? json_deep_copy(it->params) : json_object());
		break;
	case VERIFY_EXEC:
		ok = ok && put(o, "exec", exec_json(&it->exec));
		break;
	case VERIFY_HTTP:
		ok = ok && put(o, "http", http_json(&it->http));
		break;
	case VERIFY_PROMQL:
		ok = ok && put(o, "promql", promql_json(&it->promql));
		break;
	case VERIFY_MANUAL:
		break;
	}
	ok = ok && put_opt(o, "owner", it->owner) && put_opt(o, "due", it->due);
	if (ok && it->due && it->due_relative)
		ok = put(o, "due_offset_s", json_real(it->due_offset_s));
	ok = ok && put_opt(o, "env", it->env) && put_opt(o, "module", it->module) && put_opt(o, "change", it->change) &&
	     put_opt(o, "severity", it->severity) && (!it->tags || put(o, "tags", json_deep_copy(it->tags))) &&
	     put_opt(o, "rollback", it->rollback);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *person_json(const struct checklist_person *p)
{
	json_t *o = json_object();

	if (!(put_opt(o, "name", p->display) && put_opt(o, "mobile", p->mobile) && put_opt(o, "slack", p->slack) &&
	      put_opt(o, "email", p->email))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *channel_json(const struct checklist_channel *ch)
{
	json_t *o = json_object();

	if (!(put(o, "name", json_string(ch->name)) && put(o, "kind", json_string(ch->kind)) &&
	      put_opt(o, "url_env", ch->url_env) && put_opt(o, "url_file", ch->url_file) &&
	      put_opt(o, "secret_env", ch->secret_env) && put_opt(o, "secret_file", ch->secret_file) &&
	      put_opt(o, "format", ch->format) && put(o, "rate_per_min", json_integer(ch->rate_per_min)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *alerts_json(const struct checklist_alerts *a)
{
	json_t *o = json_object();

	if (!(put(o, "remind_every_s", json_real(a->remind_every_s)) &&
	      put(o, "escalate_after", json_integer(a->escalate_after)) && put(o, "rca_due_s", json_real(a->rca_due_s)) &&
	      (!a->channels || put(o, "channels", strv(a->channels))))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *checklist_to_json(const struct checklist *c)
{
	json_t *o = json_object(), *items = json_array(), *people = NULL, *chans = NULL;
	bool ok = o && items;

	for (size_t i = 0; ok && i < c->n_items; i++) {
		json_t *it = checklist_item_to_json(&c->items[i]);

		ok = it && json_array_append_new(items, it) == 0;
	}
	if (ok && c->people) {
		people = json_object();
		for (size_t i = 0; ok && people && i < c->n_people; i++)
			ok = put(people, c->people[i].name, person_json(&c->people[i]));
		ok = ok && people;
	}
	if (ok && c->channels) {
		chans = json_array();
		for (size_t i = 0; ok && chans && i < c->n_channels; i++) {
			json_t *ch = channel_json(&c->channels[i]);

			ok = ch && json_array_append_new(chans, ch) == 0;
		}
		ok = ok && chans;
	}
	ok = ok && put_opt(o, "source", c->source) && put_opt(o, "name", c->name) &&
	     put(o, "version", json_integer(c->version)) && put_opt(o, "owner", c->owner) &&
	     (!people || put(o, "people", json_incref(people))) &&
	     (!chans || put(o, "notify", json_pack("{s:O}", "channels", chans))) &&
	     put(o, "alerts", alerts_json(&c->alerts)) &&
	     (!c->prometheus || put(o, "prometheus", json_deep_copy(c->prometheus))) &&
	     (!c->jira || put(o, "jira", json_deep_copy(c->jira))) &&
	     put(o, "parallel", json_integer(c->max_parallel)) && put(o, "items", json_incref(items));
	json_decref(items);
	json_decref(people);
	json_decref(chans);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}
