/* buildinfo_text: runtime/debug.BuildInfo.String (Go 1.26), byte for byte;
 * t0100-gobuild-diff holds it against `go version -m`. */
#include "report/buildinfo_text.h"

#include <string.h>

#include "base/goquote.h"
#include "goruntime/modinfo.h"

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
