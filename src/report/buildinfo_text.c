/* buildinfo_text: runtime/debug.BuildInfo.String (Go 1.26), byte for byte;
 * t0100-gobuild-diff holds it against `go version -m`. */
#include "report/buildinfo_text.h"

#include <errno.h>

#include <jansson.h>

#include <string.h>

#include "base/goquote.h"
#include "goruntime/modinfo.h"
#include "base/json_text.h"
#include "report/escape.h"
#include "report/json_out.h"

static int format_module(struct buf *b, const char *word, const struct gobuild_module *m)
{
	int r = buf_printf(b, "%s\t%s\t%s", word, m->path ? m->path : "", m->version ? m->version : "");

	if (r < 0)
		return r;
	if (!m->rep_path)
		return buf_printf(b, "\t%s\n", m->sum ? m->sum : "");
	/* Go's formatMod recurses for the replacement and both levels end
	 * the line, so a blank line follows every "=>" line; `go version -m`
	 * prints it as a lone tab, and so must we. */
	return buf_printf(b, "\n=>\t%s\t%s\t%s\n\n", m->rep_path, m->rep_version ? m->rep_version : "",
			  m->rep_sum ? m->rep_sum : "");
}

int gobuild_string(const struct gobuild *b, struct buf *out)
{
	const struct gobuild_module *m = &b->main;
	int r = 0;

	if (b->path && *b->path)
		r = buf_printf(out, "path\t%s\n", b->path);
	/* debug.BuildInfo.String skips a main module equal to Module{}. */
	if (r >= 0 && ((m->path && *m->path) || (m->version && *m->version) || (m->sum && *m->sum) ||
		       m->rep_path))
		r = format_module(out, "mod", m);
	for (size_t i = 0; r >= 0 && i < b->n_deps; i++)
		r = format_module(out, "dep", &b->deps[i]);
	for (size_t i = 0; r >= 0 && i < b->n_settings; i++) {
		const char *k = b->settings[i].key, *v = b->settings[i].value;

		r = buf_puts(out, "build\t");
		if (r >= 0)
			r = modinfo_key_needs_quote(k, strlen(k)) ? go_quote(out, k) : buf_puts(out, k);
		if (r >= 0)
			r = buf_puts(out, "=");
		if (r >= 0)
			r = modinfo_value_needs_quote(v, strlen(v)) ? go_quote(out, v) : buf_puts(out, v);
		if (r >= 0)
			r = buf_puts(out, "\n");
	}
	return r;
}

/* ---- the buildinfo command's output ---------------------------------- */

/* The text of one file's build info; modinfo of real binaries is a few
 * KiB, the largest we have seen well under 1 MiB. */
#define BUILDINFO_MAX_TEXT (64u << 20)

const char *const buildinfo_formats[] = { "tty", "json", NULL };

static json_t *module_json(const struct gobuild_module *m)
{
	json_t *o = json_object(), *rep = m->rep_path ? json_object() : json_null();

	if (!o || !rep)
		goto fail;
	if (m->rep_path && (json_object_set_new(rep, "path", json_text(m->rep_path)) ||
			    json_object_set_new(rep, "version", json_text(m->rep_version)) ||
			    json_object_set_new(rep, "sum", json_text(m->rep_sum))))
		goto fail;
	if (json_object_set_new(o, "path", json_text(m->path)) || json_object_set_new(o, "version", json_text(m->version)) ||
	    json_object_set_new(o, "sum", json_text(m->sum)))
		goto fail;
	/* set_new takes rep whether or not it succeeds. */
	if (json_object_set_new(o, "replace", rep)) {
		json_decref(o);
		return NULL;
	}
	return o;
fail:
	json_decref(rep);
	json_decref(o);
	return NULL;
}

static json_t *buildinfo_json(const char *file, const struct gobuild *b)
{
	json_t *o = json_object(), *deps = json_array(), *settings = json_object();
	json_t *main_mod = b->main.path ? module_json(&b->main) : json_null();

	if (!o || !deps || !settings || !main_mod)
		goto fail;
	for (size_t i = 0; i < b->n_deps; i++)
		if (json_array_append_new(deps, module_json(&b->deps[i])))
			goto fail;
	for (size_t i = 0; i < b->n_settings; i++) {
		json_t *k = json_text(b->settings[i].key);

		/* A duplicated key keeps its first place and its last value. */
		if (!k || json_object_set_new(settings, json_string_value(k), json_text(b->settings[i].value))) {
			json_decref(k);
			goto fail;
		}
		json_decref(k);
	}
	if (json_object_set_new(o, "file", json_text(file)) || json_object_set_new(o, "go_version", json_text(b->go_version)) ||
	    json_object_set_new(o, "path", json_text(b->path)))
		goto fail;
	if (json_object_set_new(o, "main", main_mod)) {
		main_mod = NULL;
		goto fail;
	}
	main_mod = NULL;
	if (json_object_set_new(o, "deps", deps)) {
		deps = NULL;
		goto fail;
	}
	deps = NULL;
	if (json_object_set_new(o, "settings", settings)) {
		settings = NULL;
		goto fail;
	}
	return o;
fail:
	json_decref(main_mod);
	json_decref(deps);
	json_decref(settings);
	json_decref(o);
	return NULL;
}

/* `go version -m`: "FILE: goVERSION", then the modinfo lines, each
 * behind a tab. */
static int print_text(FILE *out, bool escape, const char *file, const struct gobuild *b)
{
	struct buf s = BUF_INIT(BUILDINFO_MAX_TEXT);
	int r = gobuild_string(b, &s);
	const char *p, *end;

	if (r < 0)
		goto out;
	if (escape)
		term_puts(out, file);
	else
		fputs(file, out);
	fprintf(out, ": %s\n", b->go_version ? b->go_version : "");
	for (p = s.data, end = s.data + s.len; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		fputc('\t', out);
		if (escape)
			term_putn(out, p, n);
		else
			fwrite(p, 1, n, out);
		fputc('\n', out);
		p += n + 1;
	}
out:
	buf_release(&s);
	return r;
}

int buildinfo_render(FILE *out, const char *format, bool escape, const char *file, const struct gobuild *b)
{
	json_t *j;
	int r;

	if (!strcmp(format, "tty"))
		return print_text(out, escape, file, b);
	if (strcmp(format, "json"))
		return -EINVAL;
	j = buildinfo_json(file, b);
	if (!j)
		return -ENOMEM;
	r = json_out_dump_compact(j, out);
	json_decref(j);
	return r;
}
