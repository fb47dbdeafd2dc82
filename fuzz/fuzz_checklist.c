/* Fuzzes the checklist loader: libyaml events -> ytree -> validation
 * against the registry. Any input must either load or fail with a
 * positioned message naming the input; never crash, leak or hang. A
 * loaded item's params all pass the registry's rules (bounds, integers,
 * versions, warn/fail order), so a check never sees a value it refuses. */
#include <math.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checklist c;
	struct err e = { { 0 } };
	int r;

	r = checklist_load_mem((const char *)data, size, "fuzz", &c, &e);
	if (r == 0) {
		if (c.n_items == 0 || c.n_items > CHECKLIST_MAX_ITEMS)
			abort();
		for (size_t i = 0; i < c.n_items; i++)
			if (!c.items[i].def || !c.items[i].id || !c.items[i].title || !json_is_object(c.items[i].params))
				abort();
		for (size_t i = 0; i < c.n_items; i++)
			params_valid(&c.items[i]);
	} else {
		if (r == -PF_EPARSE && strncmp(e.msg, "fuzz:", 5) != 0)
			abort();        /* every refusal names the input */
		if (c.items || c.n_items)
			abort();        /* failure leaves *ret empty */
	}
	checklist_release(&c);
	return 0;
}
