#include "report/checks_list.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "report/json_out.h"

const char *const checks_list_formats[] = { "tty", "json", "markdown", NULL };

static json_t *to_json(const struct check_def *d, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++) {
		json_t *params = json_object();

		for (const struct param_def *p = d[i].params; params && p && p->name; p++)
			json_object_set_new(params, p->name, !param_has_default(p) ? json_null()
							     : p->type == PARAM_NUM ? json_real(p->num)
										    : json_string(p->str));
		bool builtin = true;

		/* A check with a required param runs only from a checklist item. */
		for (const struct param_def *p = d[i].params; p && p->name; p++)
			builtin = builtin && !p->required;
		if (json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o*, s:b, s:b}", "id", d[i].id, "layer",
							 layer_name(d[i].layer), "title", d[i].title, "params", params,
							 "needs_target", (d[i].flags & CHECK_NEEDS_TARGET) != 0,
							 "builtin", builtin)) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int checks_list_render(const struct check_def *d, size_t n, const char *format, FILE *out)
{
	if (!strcmp(format, "json")) {
		json_t *arr = to_json(d, n);
		int r;

		if (!arr)
			return -ENOMEM;
		r = json_out_dump(arr, out);
		json_decref(arr);
		return r;
	}
	if (!strcmp(format, "markdown")) {
		fputs("| id | layer | title | parameters |\n|---|---|---|---|\n", out);
		for (size_t i = 0; i < n; i++) {
			fprintf(out, "| `%s` | %s | %s | ", d[i].id, layer_name(d[i].layer), d[i].title);
			for (const struct param_def *p = d[i].params; p && p->name; p++) {
				if (!param_has_default(p))
					fprintf(out, "%s`%s` (%s)", p == d[i].params ? "" : ", ", p->name,
						p->required ? "required" : "optional");
				else if (p->type == PARAM_NUM)
					fprintf(out, "%s`%s`=%g", p == d[i].params ? "" : ", ", p->name, p->num);
				else
					fprintf(out, "%s`%s`=%s", p == d[i].params ? "" : ", ", p->name, p->str);
			}
			fputs(" |\n", out);
		}
		return 0;
	}
	if (strcmp(format, "tty"))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%-20s %-8s %s\n", d[i].id, layer_name(d[i].layer), d[i].title);
		for (const struct param_def *p = d[i].params; p && p->name; p++) {
			if (!param_has_default(p))
				fprintf(out, "    %-22s %-10s %s\n", p->name, p->required ? "(required)" : "(none)",
					p->help);
			else if (p->type == PARAM_NUM)
				fprintf(out, "    %-22s %-10g %s\n", p->name, p->num, p->help);
			else
				fprintf(out, "    %-22s %-10s %s\n", p->name, p->str, p->help);
		}
	}
	return 0;
}
