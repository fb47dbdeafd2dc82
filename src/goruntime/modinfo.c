/* modinfo: runtime/debug.ParseBuildInfo (Go 1.26), rule for rule, except
 * where marked "deviation" (listed in docs/buildinfo.md). */
#include "base/quote.h"
#include "goruntime/modinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/buf.h"
#include "base/goquote.h"

static bool has_any(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(set, s[i]) && s[i])
			return true;
	return false;
}

bool modinfo_key_needs_quote(const char *s, size_t n)
{
	return !n || has_any(s, n, "= \t\r\n\"`");
}

bool modinfo_value_needs_quote(const char *s, size_t n)
{
	return has_any(s, n, " \t\r\n\"`");
}

/* Splits [s, s+n) on tabs into at most 3 columns (strdup'd into col) and
 * returns how many columns there are, which may be more than 3. */
static int split_cols(const char *s, size_t n, char *col[3], size_t *ncols)
{
	size_t start = 0, k = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '\t')
			continue;
		if (k < 3) {
			col[k] = strndup(s + start, i - start);
			if (!col[k])
				return -ENOMEM;
		}
		k++;
		start = i + 1;
	}
	*ncols = k;
	return 0;
}

/* One mod/dep/=> line's columns, as readModuleLine wants them. */
static int module_line(const char *s, size_t n, bool replacement, char *ret[3], int line, struct err *e)
{
	char *col[3] = { NULL, NULL, NULL };
	size_t k;
	int r = split_cols(s, n, col, &k);

	if (r < 0) {
		err_set(e, r, "out of memory");
		goto out;
	}
	if (replacement && k != 3) {
		r = err_set(e, -PF_EPARSE, "line %d: expected 3 columns for replacement; got %zu", line, k);
		goto out;
	}
	if (k != 2 && k != 3) {
		r = err_set(e, -PF_EPARSE, "line %d: expected 2 or 3 columns; got %zu", line, k);
		goto out;
	}
	if (!col[2] && !(col[2] = strdup(""))) {
		r = err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(ret, col, sizeof(col));
	return 0;
out:
	for (int i = 0; i < 3; i++)
		free(col[i]);
	return r;
}

static int build_line(const char *kv, size_t n, struct gobuild_setting *ret, int line, struct err *e)
{
	struct buf key = BUF_INIT(n + 1), val = BUF_INIT(n + 1);
	char q[QUOTE_SIZE];
	const char *raw;
	size_t used, rawlen;
	int r;

	if (!n) {
		r = err_set(e, -PF_EPARSE, "line %d: build line missing '='", line);
		goto out;
	}
	if (kv[0] == '=') {
		r = err_set(e, -PF_EPARSE, "line %d: build line with missing key", line);
		goto out;
	}
	if (kv[0] == '`' || kv[0] == '"') {
		r = go_unquote(kv, n, &key, &used);
		if (r == -EINVAL) {
			r = err_set(e, -PF_EPARSE, "line %d: invalid quoted key in build line", line);
			goto out;
		}
		if (r < 0) {
			err_set(e, r, "out of memory");
			goto out;
		}
		if (used == n) {
			r = err_set(e, -PF_EPARSE, "line %d: build line missing '=' after quoted key", line);
			goto out;
		}
		if (kv[used] != '=') {
			r = err_set(e, -PF_EPARSE, "line %d: unexpected character after quoted key: '%s'", line,
				    quote_for_message(kv + used, 1, q));
			goto out;
		}
		raw = kv + used + 1;
	} else {
		const char *eq = memchr(kv, '=', n);

		if (!eq) {
			r = err_set(e, -PF_EPARSE, "line %d: build line missing '=' after key", line);
			goto out;
		}
		if (modinfo_key_needs_quote(kv, (size_t)(eq - kv))) {
			r = err_set(e, -PF_EPARSE, "line %d: unquoted key '%s' must be quoted", line,
				    quote_for_message(kv, (size_t)(eq - kv), q));
			goto out;
		}
		r = buf_append(&key, kv, (size_t)(eq - kv));
		if (r < 0) {
			err_set(e, r, "out of memory");
			goto out;
		}
		raw = eq + 1;
	}
	rawlen = n - (size_t)(raw - kv);
	if (rawlen && (raw[0] == '`' || raw[0] == '"')) {
		r = go_unquote(raw, rawlen, &val, &used);
		if (r == -EINVAL || (!r && used != rawlen)) {
			r = err_set(e, -PF_EPARSE, "line %d: invalid quoted value in build line", line);
			goto out;
		}
		if (r < 0) {
			err_set(e, r, "out of memory");
			goto out;
		}
	} else {
		if (modinfo_value_needs_quote(raw, rawlen)) {
			r = err_set(e, -PF_EPARSE, "line %d: unquoted value '%s' must be quoted", line,
				    quote_for_message(raw, rawlen, q));
			goto out;
		}
		r = buf_append(&val, raw, rawlen);
		if (r < 0) {
			err_set(e, r, "out of memory");
			goto out;
		}
	}
	/* Escapes can produce NUL bytes (\x00), which a C string cannot hold. */
	if (strlen(buf_str(&key)) != key.len || strlen(buf_str(&val)) != val.len) {
		r = err_set(e, -PF_EPARSE, "line %d: build setting contains a NUL byte", line);
		goto out;
	}
	ret->key = key.len ? buf_detach(&key) : strdup("");
	ret->value = val.len ? buf_detach(&val) : strdup("");
	r = 0;
	if (!ret->key || !ret->value) {
		free(ret->key);
		free(ret->value);
		ret->key = ret->value = NULL;
		r = err_set(e, -ENOMEM, "out of memory");
	}
out:
	buf_release(&key);
	buf_release(&val);
	return r;
}

static void set_module(struct gobuild_module *m, char *col[3])
{
	gobuild_module_release(m);
	m->path = col[0];
	m->version = col[1];
	m->sum = col[2];
}

/* runtime/debug.ParseBuildInfo, into a zeroed struct. */
static int parse_modinfo(const char *text, size_t len, struct gobuild *bi, struct err *e)
{
	/* last: 0 none, 1 main, 2+i deps[i]; an index because deps moves. */
	size_t last = 0, cap_deps = 0, cap_settings = 0;
	int line = 1, r = 0;

	if (memchr(text, '\0', len))
		return err_set(e, -PF_EPARSE, "the module information contains a NUL byte");
	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t n;
		char *col[3];

		if (!nl)
			break;
		n = (size_t)(nl - text);
		if (n >= 5 && !memcmp(text, "path\t", 5)) {
			char *p = strndup(text + 5, n - 5);

			if (!p)
				return err_set(e, -ENOMEM, "out of memory");
			free(bi->path);
			bi->path = p;
		} else if (n >= 4 && !memcmp(text, "mod\t", 4)) {
			r = module_line(text + 4, n - 4, false, col, line, e);
			if (r < 0)
				return r;
			set_module(&bi->main, col);
			last = 1;
		} else if (n >= 4 && !memcmp(text, "dep\t", 4)) {
			r = module_line(text + 4, n - 4, false, col, line, e);
			if (r < 0)
				return r;
			if (array_reserve(&bi->deps, &cap_deps, bi->n_deps, sizeof(*bi->deps), 16) < 0) {
				for (int i = 0; i < 3; i++)
					free(col[i]);
				return err_set(e, -ENOMEM, "out of memory");
			}
			memset(&bi->deps[bi->n_deps], 0, sizeof(*bi->deps));
			set_module(&bi->deps[bi->n_deps], col);
			last = 2 + bi->n_deps++;
		} else if (n >= 3 && !memcmp(text, "=>\t", 3)) {
			struct gobuild_module *m;

			r = module_line(text + 3, n - 3, true, col, line, e);
			if (r < 0)
				return r;
			if (!last) {
				for (int i = 0; i < 3; i++)
					free(col[i]);
				return err_set(e, -PF_EPARSE, "line %d: replacement with no module on previous line",
					       line);
			}
			m = last == 1 ? &bi->main : &bi->deps[last - 2];
			free(m->rep_path);
			free(m->rep_version);
			free(m->rep_sum);
			m->rep_path = col[0];
			m->rep_version = col[1];
			m->rep_sum = col[2];
			last = 0;
		} else if (n >= 6 && !memcmp(text, "build\t", 6)) {
			if (array_reserve(&bi->settings, &cap_settings, bi->n_settings, sizeof(*bi->settings), 16) < 0)
				return err_set(e, -ENOMEM, "out of memory");
			r = build_line(text + 6, n - 6, &bi->settings[bi->n_settings], line, e);
			if (r < 0)
				return r;
			bi->n_settings++;
		}
		len -= n + 1;
		text = nl + 1;
		line++;
	}
	return 0;
}

int gobuild_parse_modinfo(const char *text, size_t len, struct gobuild *ret, struct err *e)
{
	struct gobuild bi = { 0 };
	int r = parse_modinfo(text, len, &bi, e);

	if (r < 0)
		goto out;
	/* Keep ret's go_version; replace the rest. */
	bi.go_version = ret->go_version;
	ret->go_version = NULL;
	gobuild_release(ret);
	*ret = bi;
	return 0;
out:
	gobuild_release(&bi);
	return r;
}
