/* Fuzzes the checklist loader: libyaml events -> ytree -> validation
 * against the registry. Any input must either load or fail with a
 * positioned message naming the input; never crash, leak or hang. A
 * loaded item's params all pass the registry's rules (bounds, integers,
 * versions, warn/fail order), so a check never sees a value it refuses;
 * a `verify:` item carries a whole spec of its kind (argv, URL, resolved
 * promql server, compilable regex) and no check; owners are people when
 * `people:` exists; alert channels exist; and the JSON forms build. */
#include <math.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/checklist.h"

static double effective(const struct param_def *p, json_t *params)
{
	json_t *j = json_object_get(params, p->name);

	return j ? json_number_value(j) : param_has_default(p) ? p->num : NAN;
}

static void params_valid(const struct checklist_item *it)
{
	char why[384], norm[64];
	const char *name;
	json_t *v;

	json_object_foreach(it->params, name, v) {
		const struct param_def *p = check_param_find(it->def, name);

		if (!p)
			abort();
		if (p->type == PARAM_NUM) {
			if (!json_is_number(v) ||
			    param_check_num(p, json_number_value(v), json_is_integer(v), "x", why, sizeof(why)) != 0)
				abort();
		} else if (p->kind == PK_VERSION) {
			if (!json_is_string(v) ||
			    param_check_version(p, json_string_value(v), norm, sizeof(norm), why, sizeof(why)) != 0 ||
			    strcmp(norm, json_string_value(v)) != 0)
				abort();
		} else if (!json_is_string(v) || param_check_str(p, json_string_value(v), why, sizeof(why)) != 0) {
			abort();
		}
	}
	/* Required params are set, and the check's own rules hold. */
	for (const struct param_def *p = it->def->params; p && p->name; p++)
		if (p->required && !json_object_get(it->params, p->name))
			abort();
	if (check_validator(it->def)) {
		const char *at = NULL;

		if (check_validator(it->def)(it->params, why, sizeof(why), &at) != 0)
			abort();
	}
	for (const struct param_def *p = it->def->params; p && p->name; p++) {
		const struct param_def *o = p->order != ORDER_NONE ? check_param_find(it->def, p->other) : NULL;

		if (o && param_check_order(p, effective(p, it->params), false, o, effective(o, it->params), false, why,
					   sizeof(why)) != 0)
			abort();
	}
}

static bool http_url(const char *u)
{
	return u && (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8)) && strlen(u) <= 2047;
}

static void verify_valid(const struct checklist *c, const struct checklist_item *it)
{
	regex_t re;

	switch (it->verify) {
	case VERIFY_CHECK:
		if (!it->def || !it->check || strcmp(it->check, it->def->id) != 0)
			abort();
		params_valid(it);
		return;
	case VERIFY_EXEC:
		if (!it->exec.argv || !it->exec.argv[0] || !(it->exec.timeout_s > 0))
			abort();
		break;
	case VERIFY_HTTP:
		if (!http_url(it->http.url) || !it->http.method || it->http.expect_status < 100 ||
		    it->http.expect_status > 599 || !(it->http.timeout_s > 0))
			abort();
		if (it->http.body_regex) {
			if (regcomp(&re, it->http.body_regex, REG_EXTENDED | REG_NOSUB) != 0)
				abort();
			regfree(&re);
		}
		break;
	case VERIFY_PROMQL:
		if (!it->promql.server || !it->promql.query || !it->promql.op || !isfinite(it->promql.value) ||
		    !(it->promql.step_s > 0) || !(it->promql.timeout_s > 0) || !c->prometheus ||
		    !it->promql.server_url ||
		    !json_string_value(json_object_get(c->prometheus, it->promql.server)) ||
		    strcmp(it->promql.server_url, json_string_value(json_object_get(c->prometheus, it->promql.server))))
			abort();
		break;
	case VERIFY_MANUAL:
		break;
	default:
		abort();
	}
	if (it->def || it->check || json_object_size(it->params) != 0)
		abort();
}

static void loaded_valid(const struct checklist *c)
{
	json_t *j;

	if (c->n_items == 0 || c->n_items > CHECKLIST_MAX_ITEMS || c->version != 1 || c->max_parallel < 1 ||
	    c->max_parallel > 256)
		abort();
	for (size_t i = 0; i < c->n_items; i++) {
		const struct checklist_item *it = &c->items[i];

		if (!it->id || !it->title || !json_is_object(it->params))
			abort();
		if (it->due_relative != (it->due && it->due[0] == '+'))
			abort();
		if (c->people && it->owner && !checklist_person(c, it->owner))
			abort();
		verify_valid(c, it);
	}
	if (c->people && c->owner && !checklist_person(c, c->owner))
		abort();
	for (size_t i = 0; i < c->n_channels; i++)
		if (!c->channels[i].name || !c->channels[i].kind || !c->channels[i].url_env == !c->channels[i].url_file)
			abort();
	for (size_t i = 0; c->alerts.channels && c->alerts.channels[i]; i++) {
		bool found = false;

		for (size_t k = 0; k < c->n_channels && !found; k++)
			found = strcmp(c->channels[k].name, c->alerts.channels[i]) == 0;
		if (!found)
			abort();
	}
	j = checklist_to_json(c);
	if (!j)
		abort();
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checklist c;
	struct err e = { { 0 } };
	int r;

	r = checklist_load_mem((const char *)data, size, "fuzz", &c, &e);
	if (r == 0) {
		loaded_valid(&c);
	} else {
		if (r == -PF_EPARSE && strncmp(e.msg, "fuzz:", 5) != 0)
			abort();        /* every refusal names the input */
		if (c.items || c.n_items || c.people || c.channels || c.prometheus || c.jira)
			abort();        /* failure leaves *ret empty */
	}
	checklist_release(&c);
	return 0;
}
