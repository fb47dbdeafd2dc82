/* An item's `verify:` (docs/checklist.md, "Verify kinds"): exactly one of
 * exec, http, promql or manual, each checked whole when the file loads so
 * a run never starts with an item it cannot judge. */
#include "config/checklist_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "base/quote.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kinds[] = { "exec", "http", "promql", "manual" };
static const char *const exec_keys[] = { "command", "expect_exit", "timeout", "output_cap", "workdir" };
static const char *const http_keys[] = { "url",		  "method",	"headers", "body",    "expect_status",
					 "body_contains", "body_regex", "timeout", "insecure" };
static const char *const promql_keys[] = { "server", "query", "condition", "for", "step", "empty_ok", "timeout" };
static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };

/* Bounds on what a person would mean. */
#define TIMEOUT_MAX (24.0 * 3600)
#define OUTPUT_CAP_MAX (1 << 20)
#define ARGV_MAX 256
#define HEADERS_MAX 64
#define PROMQL_HOLD_MAX (7.0 * 86400)
/* Prometheus refuses a range query of more than 11,000 points. */
#define PROMQL_POINTS_MAX 11000

const char *verify_kind_name(enum verify_kind k)
{
	switch (k) {
	case VERIFY_CHECK:
		return "check";
	case VERIFY_EXEC:
		return "exec";
	case VERIFY_HTTP:
		return "http";
	case VERIFY_PROMQL:
		return "promql";
	case VERIFY_MANUAL:
		return "manual";
	}
	return "unknown";
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void clv_release(struct checklist_item *it)
{
	free_strv(it->exec.argv);
	free(it->exec.workdir);
	free(it->http.method);
	free(it->http.url);
	free_strv(it->http.headers);
	free(it->http.body);
	free(it->http.body_contains);
	free(it->http.body_regex);
	free(it->promql.server);
	free(it->promql.query);
	free(it->promql.op);
	memset(&it->exec, 0, sizeof(it->exec));
	memset(&it->http, 0, sizeof(it->http));
	memset(&it->promql, 0, sizeof(it->promql));
}

static int set_str(const struct clctx *c, const struct ynode *v, const char *what, char **dst)
{
	const char *s;
	int r = cl_string(c, v, what, &s);

	if (r < 0)
		return r;
	if (strlen(s) != v->len)
		return cl_err(c, v, "%s contains a NUL byte", what);
	return cl_dup(s, dst);
}

static int require(const struct clctx *c, const struct ynode *m, const char *key, const char *kind)
{
	if (ynode_get(m, key))
		return 0;
	return cl_err(c, m, "verify %s needs '%s'", kind, key);
}

/* command: "a string for /bin/sh -c" or [argv, ...] */
static int exec_command(const struct clctx *c, const struct ynode *v, struct verify_exec *x)
{
	size_t n = v->kind == YNODE_SEQ ? v->n_kids : 3;
	int r;

	if (v->kind != YNODE_SCALAR && v->kind != YNODE_SEQ)
		return cl_err(c, v, "exec 'command' must be a string (run by /bin/sh -c) or a list of arguments, not %s",
			      ynode_describe(v));
	if (v->kind == YNODE_SEQ && v->n_kids == 0)
		return cl_err(c, v, "exec 'command' is an empty list; give the program and its arguments");
	if (n > ARGV_MAX)
		return cl_err(c, v->kids[ARGV_MAX], "exec 'command' has more than %d arguments", ARGV_MAX);
	x->argv = calloc(n + 1, sizeof(*x->argv));
	if (!x->argv)
		return -ENOMEM;
	if (v->kind == YNODE_SCALAR) {
		r = set_str(c, v, "exec 'command'", &x->argv[2]);
		if (r < 0)
			return r;
		return cl_dup("/bin/sh", &x->argv[0]) < 0 || cl_dup("-c", &x->argv[1]) < 0 ? -ENOMEM : 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ynode *a = v->kids[i];

		/* An empty argument is legitimate ("" to a program); a
		 * mapping or null is a mistake. */
		if (a->kind != YNODE_SCALAR || ynode_scalar_type(a) == YSCALAR_NULL)
			return cl_err(c, a, "exec 'command' arguments must be strings, not %s", ynode_describe(a));
		if (a->len > 0) {
			r = set_str(c, a, "an exec argument", &x->argv[i]);
			if (r < 0)
				return r;
		} else if (cl_dup("", &x->argv[i]) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

static int parse_exec(const struct clctx *c, const struct ynode *m, struct verify_exec *x)
{
	long long ll;
	int r;

	if (m->kind != YNODE_MAP)
		return cl_err(c, m, "verify exec must be a mapping with 'command', not %s", ynode_describe(m));
	x->timeout_s = 60;
	x->output_cap = 4096;
	r = cl_check_keys(c, m, "in verify exec", exec_keys, N_OF(exec_keys));
	if (r == 0)
		r = require(c, m, "command", "exec");
	for (size_t i = 0; r == 0 && i + 1 < m->n_kids; i += 2) {
		const struct ynode *k = m->kids[i], *v = m->kids[i + 1];

		if (cl_key_is(k, "command")) {
			r = exec_command(c, v, x);
		} else if (cl_key_is(k, "expect_exit")) {
			r = cl_int(c, v, "exec 'expect_exit'", 0, 255, &ll);
			x->expect_exit = (int)ll;
		} else if (cl_key_is(k, "timeout")) {
			r = cl_duration(c, v, "exec 'timeout'", 0.001, TIMEOUT_MAX, &x->timeout_s);
		} else if (cl_key_is(k, "output_cap")) {
			r = cl_int(c, v, "exec 'output_cap'", 0, OUTPUT_CAP_MAX, &ll);
			x->output_cap = (size_t)ll;
		} else if (cl_key_is(k, "workdir")) {
			r = set_str(c, v, "exec 'workdir'", &x->workdir);
		}
	}
	return r;
}

/* Header names that carry credentials: their values must come from the
 * environment (${VAR}), since secrets never go in the checklist, which a
 * run copies into the store and its reports show. */
static bool header_is_secret(const char *name)
{
	static const char *const words[] = { "authorization", "cookie", "token", "secret", "key", "password",
					     "auth" };
	char low[128];
	size_t n = strlen(name);

	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

/* Checks the ${VAR} references of a header value (VAR: letters, digits
 * and _, not starting with a digit); returns how many there are, or -1
 * with *bad at the first malformed one. A '$' not followed by '{' is
 * taken as written. */
static int header_refs(const char *value, const char **bad)
{
	int n = 0;

	for (const char *p = strchr(value, '$'); p; p = strchr(p + 1, '$')) {
		const char *q;

		if (p[1] != '{')
			continue;
		q = p + 2;
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || *q == '_')) {
			*bad = p;
			return -1;
		}
		while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_')
			q++;
		if (*q != '}') {
			*bad = p;
			return -1;
		}
		n++;
		p = q;
	}
	return n;
}

/* headers: {Name: value}: token names, values on one line (a newline
 * would start another header). A value may name environment variables,
 * "Bearer ${API_TOKEN}", read when the item runs; a header that carries
 * credentials must (header_is_secret). */
static int http_headers(const struct clctx *c, const struct ynode *v, struct verify_http *h)
{
	char ex[QUOTE_SIZE];
	size_t n;

	if (v->kind != YNODE_MAP)
		return cl_err(c, v, "http 'headers' must be a mapping of Name: value, not %s", ynode_describe(v));
	n = v->n_kids / 2;
	if (n > HEADERS_MAX)
		return cl_err(c, v->kids[2 * HEADERS_MAX], "http 'headers' has more than %d headers", HEADERS_MAX);
	h->headers = calloc(n + 1, sizeof(*h->headers));
	if (!h->headers)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct ynode *k = v->kids[2 * i], *val = v->kids[2 * i + 1];
		const char *name, *value;
		int r = cl_string(c, k, "a header name", &name);

		if (r < 0)
			return r;
		if (strlen(name) != k->len || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
							 "0123456789!#$%&'*+-.^_`|~") != k->len)
			return cl_err(c, k, "bad header name '%s' (letters, digits and -)",
				      quote_for_message(k->text, k->len, ex));
		r = cl_string(c, val, "a header value", &value);
		if (r < 0)
			return r;
		if (strlen(value) != val->len || strpbrk(value, "\r\n"))
			return cl_err(c, val, "header '%s' has a line break in its value", name);
		{
			const char *bad = NULL;
			int refs = header_refs(value, &bad);

			if (refs < 0)
				return cl_err(c, val, "header '%s': a malformed ${VAR} reference (at byte %zu); write "
					      "${NAME}, NAME of letters, digits and _", name, (size_t)(bad - value) + 1);
			/* The value is not quoted back: it may be the very secret. */
			if (refs == 0 && header_is_secret(name))
				return cl_err(c, val, "header '%s' carries a credential: secrets never go in the checklist; "
					      "write it as ${VAR} (for example 'Bearer ${API_TOKEN}'), read from the "
					      "environment when the item runs", name);
		}
		if (asprintf(&h->headers[i], "%s: %s", name, value) < 0) {
			h->headers[i] = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

static int http_method(const struct clctx *c, const struct ynode *v, struct verify_http *h)
{
	char ex[QUOTE_SIZE], list[128];
	const char *s, *hint;
	int r = cl_string(c, v, "http 'method'", &s);

	if (r < 0)
		return r;
	for (size_t i = 0; i < N_OF(methods); i++)
		if (cl_key_is(v, methods[i]))
			return cl_dup(methods[i], &h->method);
	quote_for_message(v->text, v->len, ex);
	cl_join(list, sizeof(list), methods, N_OF(methods));
	hint = cl_suggest(v->text, v->len, methods, N_OF(methods));
	if (hint)
		return cl_err(c, v, "unknown http method '%s' (did you mean '%s'? valid: %s)", ex, hint, list);
	return cl_err(c, v, "unknown http method '%s' (valid: %s)", ex, list);
}

/* Compiled once here so a typo is found when the file loads, not at run
 * time; the error points at the value. */
static int http_regex(const struct clctx *c, const struct ynode *v, struct verify_http *h)
{
	char why[160];
	regex_t re;
	int r = set_str(c, v, "http 'body_regex'", &h->body_regex);

	if (r < 0)
		return r;
	r = regcomp(&re, h->body_regex, REG_EXTENDED | REG_NOSUB);
	if (r != 0) {
		regerror(r, &re, why, sizeof(why));
		regfree(&re);
		return cl_err(c, v, "bad http 'body_regex': %s (a POSIX extended regular expression)", why);
	}
	regfree(&re);
	return 0;
}

static int parse_http(const struct clctx *c, const struct ynode *m, struct verify_http *h)
{
	const char *s;
	long long ll;
	int r;

	if (m->kind != YNODE_MAP)
		return cl_err(c, m, "verify http must be a mapping with 'url', not %s", ynode_describe(m));
	h->expect_status = 200;
	h->timeout_s = 10;
	r = cl_check_keys(c, m, "in verify http", http_keys, N_OF(http_keys));
	if (r == 0)
		r = require(c, m, "url", "http");
	for (size_t i = 0; r == 0 && i + 1 < m->n_kids; i += 2) {
		const struct ynode *k = m->kids[i], *v = m->kids[i + 1];

		if (cl_key_is(k, "url")) {
			r = cl_url(c, v, "http 'url'", &s);
			if (r == 0)
				r = cl_dup(s, &h->url);
		} else if (cl_key_is(k, "method")) {
			r = http_method(c, v, h);
		} else if (cl_key_is(k, "headers")) {
			r = http_headers(c, v, h);
		} else if (cl_key_is(k, "body")) {
			r = set_str(c, v, "http 'body'", &h->body);
		} else if (cl_key_is(k, "expect_status")) {
			r = cl_int(c, v, "http 'expect_status'", 100, 599, &ll);
			h->expect_status = (long)ll;
		} else if (cl_key_is(k, "body_contains")) {
			r = set_str(c, v, "http 'body_contains'", &h->body_contains);
		} else if (cl_key_is(k, "body_regex")) {
			r = http_regex(c, v, h);
		} else if (cl_key_is(k, "timeout")) {
			r = cl_duration(c, v, "http 'timeout'", 0.001, TIMEOUT_MAX, &h->timeout_s);
		} else if (cl_key_is(k, "insecure")) {
			r = cl_bool(c, v, "http 'insecure'", &h->insecure);
		}
	}
	if (r == 0 && !h->method)
		r = cl_dup("GET", &h->method);
	return r;
}

/* "< 0.01", ">= 5", "== 0": an operator, then a finite number. */
static int promql_condition(const struct clctx *c, const struct ynode *v, struct verify_promql *p)
{
	static const char *const ops[] = { "<=", ">=", "==", "!=", "<", ">" };
	char ex[QUOTE_SIZE];
	const char *s, *num;
	size_t ol = 0;
	int r = cl_string(c, v, "promql 'condition'", &s);

	if (r < 0)
		return r;
	quote_for_message(v->text, v->len, ex);
	s += strspn(s, " ");
	for (size_t i = 0; i < N_OF(ops) && !ol; i++)
		if (strncmp(s, ops[i], strlen(ops[i])) == 0)
			ol = strlen(ops[i]);
	num = s + ol;
	num += strspn(num, " ");
	if (!ol || strlen(v->text) != v->len || !*num || parse_double_exact(num, &p->value) < 0 ||
	    !isfinite(p->value) || strchr(num, 'x') || strchr(num, 'X'))
		return cl_err(c, v, "bad promql 'condition' '%s' (an operator <, <=, >, >=, == or != and a number, "
			      "such as \"< 0.01\"; quote it in YAML)", ex);
	p->op = strndup(s, ol);
	return p->op ? 0 : -ENOMEM;
}

static int promql_server(const struct clctx *c, const struct ynode *v, const json_t *prometheus,
			 struct verify_promql *p)
{
	char ex[QUOTE_SIZE], list[256];
	const char *names[64], *key, *hint;
	json_t *val;
	size_t n = 0;
	int r = set_str(c, v, "promql 'server'", &p->server);

	if (r < 0)
		return r;
	quote_for_message(v->text, v->len, ex);
	if (!prometheus)
		return cl_err(c, v, "unknown promql server '%s' (the checklist has no 'prometheus:' section naming "
			      "servers)", ex);
	val = json_object_get(prometheus, p->server);
	if (val) {
		p->server_url = json_string_value(val);
		return 0;
	}
	json_object_foreach((json_t *)prometheus, key, val) {
		if (n < N_OF(names))
			names[n++] = key;
	}
	cl_join(list, sizeof(list), names, n);
	hint = cl_suggest(v->text, v->len, names, n);
	if (hint)
		return cl_err(c, v, "unknown promql server '%s' (did you mean '%s'? valid: %s)", ex, hint, list);
	return cl_err(c, v, "unknown promql server '%s' (not in 'prometheus:'; valid: %s)", ex, list);
}

static int parse_promql(const struct clctx *c, const struct ynode *m, const json_t *prometheus,
			struct verify_promql *p)
{
	const struct ynode *step = NULL;
	int r;

	if (m->kind != YNODE_MAP)
		return cl_err(c, m, "verify promql must be a mapping with 'server', 'query' and 'condition', not %s",
			      ynode_describe(m));
	p->timeout_s = 10;
	r = cl_check_keys(c, m, "in verify promql", promql_keys, N_OF(promql_keys));
	if (r == 0)
		r = require(c, m, "server", "promql");
	if (r == 0)
		r = require(c, m, "query", "promql");
	if (r == 0)
		r = require(c, m, "condition", "promql");
	for (size_t i = 0; r == 0 && i + 1 < m->n_kids; i += 2) {
		const struct ynode *k = m->kids[i], *v = m->kids[i + 1];

		if (cl_key_is(k, "server")) {
			r = promql_server(c, v, prometheus, p);
		} else if (cl_key_is(k, "query")) {
			r = set_str(c, v, "promql 'query'", &p->query);
		} else if (cl_key_is(k, "condition")) {
			r = promql_condition(c, v, p);
		} else if (cl_key_is(k, "for")) {
			r = cl_duration(c, v, "promql 'for'", 0, PROMQL_HOLD_MAX, &p->hold_s);
		} else if (cl_key_is(k, "step")) {
			r = cl_duration(c, v, "promql 'step'", 0.001, PROMQL_HOLD_MAX, &p->step_s);
			step = v;
		} else if (cl_key_is(k, "empty_ok")) {
			r = cl_bool(c, v, "promql 'empty_ok'", &p->empty_ok);
		} else if (cl_key_is(k, "timeout")) {
			r = cl_duration(c, v, "promql 'timeout'", 0.001, TIMEOUT_MAX, &p->timeout_s);
		}
	}
	if (r < 0)
		return r;
	if (!step) {
		p->step_s = p->hold_s / 30 >= 1 ? p->hold_s / 30 : 1;
	} else if (p->hold_s > 0 && p->hold_s / p->step_s > PROMQL_POINTS_MAX) {
		return cl_err(c, step, "promql 'step' is too small for 'for': more than %d points (Prometheus "
			      "refuses the query)", PROMQL_POINTS_MAX);
	}
	return 0;
}

static int unknown_kind(const struct clctx *c, const struct ynode *k)
{
	char ex[QUOTE_SIZE], list[64];
	const char *hint = cl_suggest(k->text, k->len, kinds, N_OF(kinds));

	quote_for_message(k->text, k->len, ex);
	cl_join(list, sizeof(list), kinds, N_OF(kinds));
	if (hint)
		return cl_err(c, k, "unknown verify kind '%s' (did you mean '%s'? valid: %s)", ex, hint, list);
	return cl_err(c, k, "unknown verify kind '%s' (valid: %s)", ex, list);
}

int clv_parse_verify(const struct clctx *c, const struct ynode *v, const json_t *prometheus,
		     struct checklist_item *it)
{
	const struct ynode *k, *spec;

	/* verify: manual */
	if (v->kind == YNODE_SCALAR) {
		if (cl_key_is(v, "manual")) {
			it->verify = VERIFY_MANUAL;
			return 0;
		}
		for (size_t i = 0; i < N_OF(kinds); i++)
			if (cl_key_is(v, kinds[i]))
				return cl_err(c, v, "verify %s needs its settings: 'verify: {%s: {...}}'", kinds[i],
					      kinds[i]);
		if (ynode_scalar_type(v) == YSCALAR_NULL)
			return cl_err(c, v, "'verify' has no value; give one of exec, http, promql, manual");
		return unknown_kind(c, v);
	}
	if (v->kind != YNODE_MAP)
		return cl_err(c, v, "'verify' must be a mapping with one kind (exec, http, promql) or 'manual', not %s",
			      ynode_describe(v));
	if (v->n_kids == 0)
		return cl_err(c, v, "'verify' is empty; give one of exec, http, promql, manual");
	for (size_t i = 0; i + 1 < v->n_kids; i += 2) {
		bool known = false;

		for (size_t j = 0; j < N_OF(kinds) && !known; j++)
			known = cl_key_is(v->kids[i], kinds[j]);
		if (!known)
			return unknown_kind(c, v->kids[i]);
	}
	if (v->n_kids > 2)
		return cl_err(c, v->kids[2], "'verify' takes exactly one kind; found '%s' and '%s'", v->kids[0]->text,
			      v->kids[2]->text);
	k = v->kids[0];
	spec = v->kids[1];
	if (cl_key_is(k, "exec")) {
		it->verify = VERIFY_EXEC;
		return parse_exec(c, spec, &it->exec);
	}
	if (cl_key_is(k, "http")) {
		it->verify = VERIFY_HTTP;
		return parse_http(c, spec, &it->http);
	}
	if (cl_key_is(k, "promql")) {
		it->verify = VERIFY_PROMQL;
		return parse_promql(c, spec, prometheus, &it->promql);
	}
	/* manual: {} or manual: ~ */
	if (!(spec->kind == YNODE_MAP && spec->n_kids == 0) &&
	    !(spec->kind == YNODE_SCALAR && ynode_scalar_type(spec) == YSCALAR_NULL))
		return cl_err(c, spec, "verify manual takes no settings ('verify: manual')");
	it->verify = VERIFY_MANUAL;
	return 0;
}
