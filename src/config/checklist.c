/* The checklist file: YAML (through ytree) validated against the check
 * registry. The format is documented in docs/checklist.md. */
#include "base/quote.h"
#include "config/checklist.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/fileio.h"
#include "config/checklist_parse.h"
#include "config/clvalue.h"
#include "config/ytree.h"

static const char *const top_keys[] = { "version", "name",   "owner",	"people", "notify", "alerts",
					"prometheus", "jira", "parallel", "defaults", "items" };
static const char *const default_keys[] = { "owner", "due", "severity", "tags", "env", "module" };
static const char *const item_keys[] = { "id",	 "check",    "verify", "title", "params", "owner", "due",
					 "severity", "tags", "rollback", "env",	  "module", "change" };

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* What "defaults:" gives every item; strings borrowed from the tree. */
struct defaults {
	const char *owner, *due, *severity, *env, *module;
	const struct ynode *owner_node;     /* where a defaulted owner is written */
	bool due_relative;
	double due_offset_s;
	json_t *tags;
};

/* Where each item's id came from, for duplicate reports. */
struct id_origin {
	const struct ynode *node;       /* the id: value, or the check: value it defaulted to */
	bool explicit_id;
	size_t index;
};

static void item_release(struct checklist_item *it)
{
	free(it->id);
	free(it->title);
	free(it->check);
	json_decref(it->params);
	free(it->owner);
	free(it->due);
	free(it->severity);
	free(it->rollback);
	free(it->env);
	free(it->module);
	free(it->change);
	json_decref(it->tags);
	clv_release(it);
}

void checklist_release(struct checklist *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_items; i++)
		item_release(&c->items[i]);
	free(c->items);
	clp_release(c);
	free(c->source);
	free(c->name);
	memset(c, 0, sizeof(*c));
}

/* A mapping of tag name -> string, merged over base (item tags win). */
static int parse_tags(const struct clctx *c, const struct ynode *v, const json_t *base, json_t **ret)
{
	json_t *tags = NULL, *s;
	const char *key, *val;
	char what[QUOTE_SIZE + 8];
	int r;

	if (v->kind != YNODE_MAP)
		return cl_err(c, v, "'tags' must be a mapping of name: value, not %s", ynode_describe(v));
	tags = base ? json_copy((json_t *)base) : json_object();
	if (!tags)
		return -ENOMEM;
	for (size_t i = 0; i + 1 < v->n_kids; i += 2) {
		r = cl_tag_key(c, v->kids[i], &key);
		if (r < 0)
			goto fail;
		snprintf(what, sizeof(what), "tag '%s'", key);
		r = cl_string(c, v->kids[i + 1], what, &val);
		if (r < 0)
			goto fail;
		s = json_string(val);
		if (!s || json_object_set_new(tags, key, s) < 0) {
			r = -ENOMEM;
			goto fail;
		}
	}
	*ret = tags;
	return 0;
fail:
	json_decref(tags);
	return r;
}

static int parse_defaults(const struct clctx *c, const struct ynode *v, struct defaults *d)
{
	int r;

	if (v->kind != YNODE_MAP)
		return cl_err(c, v, "'defaults' must be a mapping, not %s", ynode_describe(v));
	r = cl_check_keys(c, v, "in 'defaults'", default_keys, N_OF(default_keys));
	if (r < 0)
		return r;
	for (size_t i = 0; i + 1 < v->n_kids; i += 2) {
		const struct ynode *k = v->kids[i], *val = v->kids[i + 1];

		if (cl_key_is(k, "owner")) {
			r = cl_string(c, val, "'owner'", &d->owner);
			d->owner_node = val;
		} else if (cl_key_is(k, "due")) {
			r = cl_due_any(c, val, &d->due, &d->due_relative, &d->due_offset_s);
		} else if (cl_key_is(k, "env")) {
			r = cl_ident(c, val, "env", &d->env);
		} else if (cl_key_is(k, "module")) {
			r = cl_ident(c, val, "module", &d->module);
		}
		else if (cl_key_is(k, "severity"))
			r = cl_severity(c, val, &d->severity);
		else if (cl_key_is(k, "tags"))
			r = parse_tags(c, val, NULL, &d->tags);
		if (r < 0)
			return r;
	}
	return 0;
}

static int unknown_check(const struct clctx *c, const struct ynode *v, const char *id)
{
	const struct check_def *all;
	const char **ids, *hint;
	char ex[QUOTE_SIZE];
	size_t n;

	all = registry_all(&n);
	ids = malloc(n * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		ids[i] = all[i].id;
	hint = cl_suggest(id, v->len, ids, n);
	quote_for_message(v->text, v->len, ex);
	free(ids);
	if (hint)
		return cl_err(c, v, "unknown check '%s' (did you mean '%s'?)", ex, hint);
	return cl_err(c, v, "unknown check '%s' ('preflight list-checks' lists them)", ex);
}

static int unknown_param(const struct clctx *c, const struct ynode *k, const struct check_def *def)
{
	const char *names[32], *hint;
	char ex[QUOTE_SIZE], list[512];
	size_t n = 0;

	quote_for_message(k->text, k->len, ex);
	if (!def->params || !def->params[0].name)
		return cl_err(c, k, "unknown param '%s': '%s' takes no params", ex, def->id);
	for (const struct param_def *p = def->params; p->name && n < N_OF(names); p++)
		names[n++] = p->name;
	cl_join(list, sizeof(list), names, n);
	hint = cl_suggest(k->text, k->len, names, n);
	if (hint)
		return cl_err(c, k, "unknown param '%s' for '%s' (did you mean '%s'? valid: %s)", ex, def->id, hint,
			      list);
	return cl_err(c, k, "unknown param '%s' for '%s' (valid: %s)", ex, def->id, list);
}

/* The value node of params key `name`, or NULL. */
static const struct ynode *param_node(const struct ynode *m, const char *name)
{
	for (size_t i = 0; i + 1 < m->n_kids; i += 2)
		if (cl_key_is(m->kids[i], name))
			return m->kids[i + 1];
	return NULL;
}

/* A number param: the YAML number rules (cl_number), then the registry's
 * kind and bounds. */
static int param_number(const struct clctx *c, const struct ynode *val, const struct check_def *def,
			const struct param_def *p, const char *what, json_t **ret)
{
	char ex[QUOTE_SIZE], why[384];
	json_t *j;
	int r;

	r = cl_number(c, val, what, &j);
	if (r < 0)
		return r;
	quote_for_message(val->text, val->len, ex);
	if (param_check_num(p, json_number_value(j), json_is_integer(j), ex, why, sizeof(why)) < 0) {
		json_decref(j);
		return cl_err(c, val, "%s.%s: %s", def->id, p->name, why);
	}
	*ret = j;
	return 0;
}

/* A version param: a string (an unquoted 1.20 is the number 1.2 to any
 * other YAML reader, so it is refused), stored normalised ("go1.20"). */
static int param_version(const struct clctx *c, const struct ynode *val, const struct check_def *def,
			 const struct param_def *p, const char *what, json_t **ret)
{
	char ex[QUOTE_SIZE], why[384], valid[128], norm[64], as_num[64] = "";
	const char *s;
	int r;

	if (val->kind == YNODE_SCALAR && val->plain &&
	    (ynode_scalar_type(val) == YSCALAR_INT || ynode_scalar_type(val) == YSCALAR_FLOAT)) {
		char *end;
		double d = strtod(val->text, &end);

		quote_for_message(val->text, val->len, ex);
		param_describe(p, valid, sizeof(valid));
		snprintf(as_num, sizeof(as_num), "%.15g", d);
		/* ".inf" is a YAML number strtod does not read: no "(x to YAML)". */
		if (end == val->text + val->len && isfinite(d) && strcmp(as_num, ex) != 0)
			return cl_err(c, val, "%s.%s: %s is a number (%s to YAML), write the version as a string "
				      "(\"%s\"); valid: %s", def->id, p->name, ex, as_num, ex, valid);
		return cl_err(c, val, "%s.%s: %s is a number, write the version as a string (\"%s\"); valid: %s",
			      def->id, p->name, ex, ex, valid);
	}
	r = cl_string(c, val, what, &s);
	if (r < 0)
		return r;
	if (param_check_version(p, s, norm, sizeof(norm), why, sizeof(why)) < 0)
		return cl_err(c, val, "%s.%s: %s", def->id, p->name, why);
	*ret = json_string(norm);
	return *ret ? 0 : -ENOMEM;
}

static double effective_num(const struct param_def *p, const json_t *out, bool *is_default)
{
	json_t *j = json_object_get(out, p->name);

	*is_default = !j;
	return j ? json_number_value(j) : p->num;
}

/* warn <= fail and the like, on the values the check will run with: an
 * override against the other's default counts too. */
static int check_orders(const struct clctx *c, const struct ynode *v, const struct check_def *def,
			const json_t *out)
{
	char why[384];

	for (const struct param_def *p = def->params; p && p->name; p++) {
		const struct param_def *o;
		const struct ynode *at;
		bool pd, od;
		double pv, ov;

		if (p->order == ORDER_NONE || !(o = check_param_find(def, p->other)))
			continue;
		pv = effective_num(p, out, &pd);
		ov = effective_num(o, out, &od);
		if ((pd && od) || param_check_order(p, pv, pd, o, ov, od, why, sizeof(why)) == 0)
			continue;
		at = pd ? param_node(v, o->name) : param_node(v, p->name);
		if (!at)
			at = v;
		return cl_err(c, at, "%s.%s: %s", def->id, pd ? o->name : p->name, why);
	}
	return 0;
}

static int parse_params(const struct clctx *c, const struct ynode *v, const struct check_def *def, json_t *out)
{
	char what[128];
	const struct param_def *p;
	const char *s;
	json_t *j = NULL;
	int r;

	if (v->kind != YNODE_MAP)
		return cl_err(c, v, "'params' must be a mapping of name: value, not %s", ynode_describe(v));
	for (size_t i = 0; i + 1 < v->n_kids; i += 2) {
		const struct ynode *k = v->kids[i], *val = v->kids[i + 1];

		p = strlen(k->text) == k->len ? check_param_find(def, k->text) : NULL;
		if (!p)
			return unknown_param(c, k, def);
		snprintf(what, sizeof(what), "param '%s' of '%s'", p->name, def->id);
		if (p->type == PARAM_NUM) {
			r = param_number(c, val, def, p, what, &j);
		} else if (p->kind == PK_VERSION) {
			r = param_version(c, val, def, p, what, &j);
		} else {
			char why[512];

			r = cl_string(c, val, what, &s);
			if (r == 0 && param_check_str(p, s, why, sizeof(why)) < 0)
				r = cl_err(c, val, "%s.%s: %s", def->id, p->name, why);
			if (r == 0) {
				j = json_string(s);
				r = j ? 0 : -ENOMEM;
			}
		}
		if (r < 0)
			return r;
		if (json_object_set_new(out, p->name, j) < 0)
			return -ENOMEM;
	}
	return check_orders(c, v, def, out);
}

/* Parameters without a default that the item must set, then the check's
 * own rules across its parameters; pointing at the parameter concerned,
 * else at 'params:', else at 'check:'. */
static int check_required(const struct clctx *c, const struct ynode *item, const struct check_def *def,
			  const json_t *params)
{
	const struct ynode *pm = ynode_get(item, "params"), *at;
	const char *name = NULL;
	char why[384];

	at = pm ? pm : ynode_get(item, "check");
	for (const struct param_def *p = def->params; p && p->name; p++)
		if (p->required && !json_object_get(params, p->name))
			return cl_err(c, at, "%s needs param '%s' (%s)", def->id, p->name, p->help);
	check_validate_fn validate = check_validator(def);

	if (!validate || validate(params, why, sizeof(why), &name) == 0)
		return 0;
	if (pm && pm->kind == YNODE_MAP && name && param_node(pm, name))
		at = param_node(pm, name);
	return cl_err(c, at, "%s.%s: %s", def->id, name ? name : "params", why);
}

/* "item 'fd-limit'" or, without an id, "item 3" (1-based). */
static void item_name(const struct ynode *m, size_t index, char *out, size_t n)
{
	const struct ynode *id = ynode_get(m, "id");
	char ex[QUOTE_SIZE];

	if (id && id->kind == YNODE_SCALAR && id->len)
		snprintf(out, n, "item '%s'", quote_for_message(id->text, id->len, ex));
	else
		snprintf(out, n, "item %zu", index + 1);
}

/* check: a registered check; the id defaults to the check's id. */
static int item_check(const struct clctx *c, const struct ynode *check_node, struct checklist_item *it,
		      const char **default_id)
{
	const char *s = NULL;
	int r;

	r = cl_string(c, check_node, "'check'", &s);
	if (r < 0)
		return r;
	it->def = strlen(s) == check_node->len ? registry_find(s) : NULL;
	if (!it->def)
		return unknown_check(c, check_node, s);
	it->verify = VERIFY_CHECK;
	*default_id = it->def->id;
	return cl_dup(it->def->id, &it->check);
}

/* What `defaults:` gives an item that does not set its own. */
static int apply_defaults(const struct defaults *d, struct checklist_item *it)
{
	if (!it->due && d->due) {
		it->due_relative = d->due_relative;
		it->due_offset_s = d->due_offset_s;
	}
	if ((!it->owner && cl_dup(d->owner, &it->owner) < 0) || (!it->due && cl_dup(d->due, &it->due) < 0) ||
	    (!it->severity && cl_dup(d->severity, &it->severity) < 0) || (!it->env && cl_dup(d->env, &it->env) < 0) ||
	    (!it->module && cl_dup(d->module, &it->module) < 0))
		return -ENOMEM;
	if (!it->tags && d->tags) {
		it->tags = json_copy(d->tags);
		if (!it->tags)
			return -ENOMEM;
	}
	return 0;
}

/* One item; on failure the caller releases whatever was filled in. */
static int parse_item(const struct clctx *c, const struct ynode *m, const struct defaults *d,
		      const struct checklist *cl, size_t index, struct checklist_item *it, struct id_origin *origin)
{
	const struct ynode *check_node, *verify_node, *id_node, *params_node, *owner_node;
	const char *s = NULL, *default_id = NULL;
	char name[QUOTE_SIZE + 16];
	int r;

	if (m->kind != YNODE_MAP)
		return cl_err(c, m, "an item must be a mapping with at least 'check', not %s", ynode_describe(m));
	it->line = m->line;
	it->column = m->col;
	r = cl_check_keys(c, m, "in an item", item_keys, N_OF(item_keys));
	if (r < 0)
		return r;
	item_name(m, index, name, sizeof(name));
	check_node = ynode_get(m, "check");
	verify_node = ynode_get(m, "verify");
	id_node = ynode_get(m, "id");
	params_node = ynode_get(m, "params");
	if (check_node && verify_node)
		return cl_err(c, verify_node, "%s has both 'check' and 'verify'; give one", name);
	if (!check_node && !verify_node)
		return cl_err(c, m, "%s has no 'check' (the id of a registered check) or 'verify' (exec, http, promql, "
			      "manual)", name);
	if (check_node) {
		r = item_check(c, check_node, it, &default_id);
	} else {
		if (!id_node)
			return cl_err(c, m, "%s has no 'id' (an item with 'verify' needs one)", name);
		if (!ynode_get(m, "title"))
			return cl_err(c, m, "%s has no 'title' (an item with 'verify' needs one)", name);
		if (params_node)
			return cl_err(c, params_node,
				      "%s: 'params' belong to 'check' items; a 'verify' item carries its settings "
				      "under its kind", name);
		r = clv_parse_verify(c, verify_node, cl->prometheus, it);
	}
	if (r < 0)
		return r;

	*origin = (struct id_origin){ id_node ? id_node : check_node, id_node != NULL, 0 };
	if (id_node) {
		r = cl_item_id(c, id_node, &s);
		if (r < 0)
			return r;
	} else {
		s = default_id;
	}
	if (cl_dup(s, &it->id) < 0)
		return -ENOMEM;
	it->params = json_object();
	if (!it->params)
		return -ENOMEM;

	for (size_t i = 0; i + 1 < m->n_kids; i += 2) {
		const struct ynode *k = m->kids[i], *v = m->kids[i + 1];
		char **dst = NULL;

		s = NULL;
		if (cl_key_is(k, "title")) {
			r = cl_string(c, v, "'title'", &s);
			dst = &it->title;
		} else if (cl_key_is(k, "params")) {
			r = parse_params(c, v, it->def, it->params);
		} else if (cl_key_is(k, "owner")) {
			r = cl_string(c, v, "'owner'", &s);
			dst = &it->owner;
		} else if (cl_key_is(k, "due")) {
			r = cl_due_any(c, v, &s, &it->due_relative, &it->due_offset_s);
			dst = &it->due;
		} else if (cl_key_is(k, "severity")) {
			r = cl_severity(c, v, &s);
			dst = &it->severity;
		} else if (cl_key_is(k, "rollback")) {
			r = cl_string(c, v, "'rollback'", &s);
			dst = &it->rollback;
		} else if (cl_key_is(k, "tags")) {
			r = parse_tags(c, v, d->tags, &it->tags);
		} else if (cl_key_is(k, "env")) {
			r = cl_ident(c, v, "env", &s);
			dst = &it->env;
		} else if (cl_key_is(k, "module")) {
			r = cl_ident(c, v, "module", &s);
			dst = &it->module;
		} else if (cl_key_is(k, "change")) {
			r = cl_ident(c, v, "change", &s);
			dst = &it->change;
		}
		if (r < 0)
			return r;
		if (dst && cl_dup(s, dst) < 0)
			return -ENOMEM;
	}

	if (it->def) {
		r = check_required(c, m, it->def, it->params);
		if (r < 0)
			return r;
		if (!it->title && cl_dup(it->def->title, &it->title) < 0)
			return -ENOMEM;
	}
	owner_node = ynode_get(m, "owner") ? ynode_get(m, "owner") : d->owner_node;
	r = apply_defaults(d, it);
	if (r == 0 && owner_node)
		r = clp_check_owner(c, cl, owner_node, it->owner);
	return r;
}

struct id_ref {
	const char *id;
	size_t index;
};

static int id_ref_cmp(const void *pa, const void *pb)
{
	const struct id_ref *a = pa, *b = pb;
	int r = strcmp(a->id, b->id);

	if (r)
		return r;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Reports the repeated id that comes first in the file; sorted, since a
 * checklist may hold 10,000 items. */
static int check_unique_ids(const struct clctx *c, const struct checklist_item *items,
			    const struct id_origin *origins, size_t n)
{
	struct id_ref *refs;
	size_t dup = n, first = n;

	if (n < 2)
		return 0;
	refs = malloc(n * sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct id_ref){ items[i].id, i };
	qsort(refs, n, sizeof(*refs), id_ref_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(refs[i - 1].id, refs[i].id) == 0 && (i < 2 || strcmp(refs[i - 2].id, refs[i].id) != 0) &&
		    (dup == n || refs[i].index < dup)) {
			dup = refs[i].index;
			first = refs[i - 1].index;
		}
	free(refs);
	if (dup == n)
		return 0;
	return cl_err(c, origins[dup].node, "duplicate item id '%s' (first at %u:%u)%s", items[dup].id,
		      origins[first].node->line, origins[first].node->col,
		      origins[dup].explicit_id ? ""
					       : "; an item without 'id' takes its check's id, so give "
						 "repeated checks an 'id' each");
}

static int parse_version(const struct clctx *c, const struct ynode *root)
{
	const struct ynode *v = ynode_get(root, "version");
	char ex[QUOTE_SIZE];

	if (!v)
		return cl_err(c, root, "missing 'version' (this preflight reads 'version: 1')");
	if (v->kind == YNODE_SCALAR && ynode_scalar_type(v) == YSCALAR_INT) {
		if (strcmp(v->text, "1") == 0)
			return 0;
		return cl_err(c, v, "unsupported checklist version %s (this preflight reads version 1)",
			      quote_for_message(v->text, v->len, ex));
	}
	return cl_err(c, v, "'version' must be the number 1, not %s", ynode_describe(v));
}

static int parse_items(const struct clctx *c, const struct ynode *v, const struct defaults *d,
		       struct checklist *cl)
{
	struct id_origin *origins = NULL;
	int r = 0;

	if (v->kind != YNODE_SEQ)
		return cl_err(c, v, "'items' must be a sequence of items, not %s", ynode_describe(v));
	if (v->n_kids == 0)
		return cl_err(c, v, "'items' is empty; list at least one check");
	if (v->n_kids > CHECKLIST_MAX_ITEMS)
		return cl_err(c, v->kids[CHECKLIST_MAX_ITEMS], "more than %d items", CHECKLIST_MAX_ITEMS);
	cl->items = calloc(v->n_kids, sizeof(*cl->items));
	origins = calloc(v->n_kids, sizeof(*origins));
	if (!cl->items || !origins) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < v->n_kids; i++) {
		/* Counted before parsing so a half-filled item is released. */
		cl->n_items = i + 1;
		r = parse_item(c, v->kids[i], d, cl, i, &cl->items[i], &origins[i]);
		if (r < 0)
			goto out;
	}
	r = check_unique_ids(c, cl->items, origins, cl->n_items);
out:
	free(origins);
	return r;
}

/* The run-wide sections, before the items that refer to them (owners to
 * people, promql servers to prometheus, alert channels to notify). */
static int parse_sections(const struct clctx *c, const struct ynode *root, struct checklist *cl)
{
	const struct ynode *v;
	const char *s;
	long long ll;
	int r = 0;

	if ((v = ynode_get(root, "people")))
		r = clp_parse_people(c, v, cl);
	if (r == 0 && (v = ynode_get(root, "owner"))) {
		r = cl_string(c, v, "'owner'", &s);
		if (r == 0)
			r = cl_dup(s, &cl->owner);
		if (r == 0)
			r = clp_check_owner(c, cl, v, cl->owner);
	}
	if (r == 0 && (v = ynode_get(root, "prometheus")))
		r = clp_parse_prometheus(c, v, cl);
	if (r == 0 && (v = ynode_get(root, "notify")))
		r = clp_parse_notify(c, v, cl);
	if (r == 0 && (v = ynode_get(root, "alerts")))
		r = clp_parse_alerts(c, v, cl);
	if (r == 0 && (v = ynode_get(root, "jira")))
		r = clp_parse_jira(c, v, cl);
	if (r == 0 && (v = ynode_get(root, "parallel"))) {
		r = cl_int(c, v, "'parallel'", 1, 256, &ll);
		cl->max_parallel = (unsigned)ll;
	}
	return r;
}

static int validate(const struct clctx *c, const struct ynode *root, struct checklist *cl)
{
	struct defaults d = { 0 };
	const struct ynode *v;
	const char *s;
	int r;

	if (!root || (root->kind == YNODE_SCALAR && ynode_scalar_type(root) == YSCALAR_NULL)) {
		struct ynode start = { .line = root ? root->line : 1, .col = root ? root->col : 1 };

		return cl_err(c, &start, "checklist is empty");
	}
	if (root->kind != YNODE_MAP)
		return cl_err(c, root, "the top level must be a mapping with 'version' and 'items', not %s",
			      ynode_describe(root));
	r = parse_version(c, root);
	if (r < 0)
		goto out;
	cl->version = 1;
	r = cl_check_keys(c, root, "at the top level", top_keys, N_OF(top_keys));
	if (r < 0)
		goto out;
	v = ynode_get(root, "name");
	if (v) {
		r = cl_string(c, v, "'name'", &s);
		if (r < 0 || (r = cl_dup(s, &cl->name)) < 0)
			goto out;
	}
	r = parse_sections(c, root, cl);
	if (r < 0)
		goto out;
	v = ynode_get(root, "defaults");
	if (v) {
		r = parse_defaults(c, v, &d);
		if (r < 0)
			goto out;
	}
	v = ynode_get(root, "items");
	if (!v) {
		r = cl_err(c, root, "missing 'items' (the list of checks to run)");
		goto out;
	}
	r = parse_items(c, v, &d, cl);
out:
	json_decref(d.tags);
	return r;
}

int checklist_load_mem(const char *data, size_t len, const char *name, struct checklist *ret, struct err *e)
{
	struct checklist cl = { 0 };
	struct clctx c = { name ? name : "<checklist>", e };
	struct ynode *root = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (len > CHECKLIST_MAX_BYTES) {
		r = err_set(e, -PF_EPARSE, "%s: checklist is larger than 1 MiB (%zu bytes)", c.name, len);
		goto out;
	}
	r = ytree_parse(data, len, c.name, &root, e);
	if (r < 0)
		goto out;
	r = cl_dup(c.name, &cl.source);
	if (r < 0)
		goto out;
	clp_set_defaults(&cl);
	r = validate(&c, root, &cl);
	if (r == -ENOMEM)
		err_set(e, r, "%s: out of memory", c.name);
out:
	ytree_free(root);
	if (r < 0)
		checklist_release(&cl);
	else
		*ret = cl;
	return r;
}

int checklist_load_file(const char *path, struct checklist *ret, struct err *e)
{
	struct buf b = BUF_INIT(CHECKLIST_MAX_BYTES);
	int r;

	memset(ret, 0, sizeof(*ret));
	/* "-": standard input (a checklist rendered by a pipeline), bounded
	 * like a file; messages still name it "-". */
	r = read_file(NULL, strcmp(path, "-") ? path : "/dev/stdin", &b);
	if (r == -E2BIG) {
		r = err_set(e, -PF_EPARSE, "%s: checklist is larger than 1 MiB", path);
		goto out;
	}
	if (r < 0) {
		r = err_errno(e, r, "cannot read checklist '%s'", path);
		goto out;
	}
	r = checklist_load_mem(b.data, b.len, path, ret, e);
out:
	buf_release(&b);
	return r;
}

bool checklist_builtin(const struct check_def *d)
{
	for (const struct param_def *p = d->params; p && p->name; p++)
		if (p->required)
			return false;
	return true;
}

int checklist_default(struct checklist *ret)
{
	struct checklist cl = { 0 };
	const struct check_def *all;
	size_t n;
	int r = -ENOMEM;

	memset(ret, 0, sizeof(*ret));
	all = registry_all(&n);
	clp_set_defaults(&cl);
	cl.version = 1;
	cl.items = calloc(n, sizeof(*cl.items));
	if (!cl.items || cl_dup("built-in", &cl.source) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct checklist_item *it = &cl.items[cl.n_items];

		/* A check that needs a param without a default (the metric to
		 * judge) runs only from a checklist item that gives it. */
		if (!checklist_builtin(&all[i]))
			continue;
		cl.n_items++;
		it->def = &all[i];
		it->params = json_object();
		if (!it->params || cl_dup(all[i].id, &it->id) < 0 || cl_dup(all[i].id, &it->check) < 0 ||
		    cl_dup(all[i].title, &it->title) < 0)
			goto out;
	}
	r = 0;
out:
	if (r < 0)
		checklist_release(&cl);
	else
		*ret = cl;
	return r;
}
