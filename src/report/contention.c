#include "report/contention.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_text.h"
#include "report/escape.h"
#include "report/json_out.h"
#include "report/report.h"
#include "report/term.h"

const char *const contention_formats[] = { "tty", "json", "markdown", NULL };

static const char mutex_remedy[] =
	"call runtime.SetMutexProfileFraction(n) in the service (n = 10 samples about 1 in 10 contended "
	"unlocks at little cost; 0 turns it off)";
static const char block_remedy[] =
	"call runtime.SetBlockProfileRate(ns) in the service (ns = 10000 records blocking of 10 µs and "
	"more and samples shorter waits; 1 records every event, which costs more)";
static const char mutex_note[] =
	"mutex sites are where the lock was released: the end of the critical section others waited for.";

const char *contention_enable_remedy(int kind)
{
	return kind == 'm' ? mutex_remedy : block_remedy;
}

static size_t shown(const struct contention_report *r, const struct contention_view *v)
{
	return r->top && r->top < v->n_ranks ? r->top : v->n_ranks;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The remedy to show: the profile is off, or (block) has nothing yet. */
static const char *remedy_of(const struct contention_profile *p)
{
	if (!p->enabled || (p->kind == 'b' && !p->n_sites))
		return contention_enable_remedy(p->kind);
	return NULL;
}

static bool has_mutex_sites(const struct contention_report *r)
{
	for (size_t i = 0; i < r->n_profiles; i++)
		if (r->profiles[i].p->kind == 'm' && r->profiles[i].n_ranks)
			return true;
	return false;
}

/* ---- tty ------------------------------------------------------------------ */

static int tty_site(FILE *out, const struct contention_rank *k, size_t rank)
{
	fprintf(out, "  %5zu %11.6f %6.1f%% %10llu  ", rank, k->delay_s, k->share * 100, (unsigned long long)k->count);
	if (k->site && k->site->func[0]) {
		term_puts(out, k->site->func);
		fputc(' ', out);
		term_puts(out, base_name(k->site->file));
		fprintf(out, ":%d", k->site->line);
	} else {
		fputs("(unknown function)", out);
	}
	if (k->runtime_internal)
		fputs("  [runtime-internal lock]", out);
	if (k->n_stacks > 1)
		fprintf(out, "  [%zu stacks]", k->n_stacks);
	fputc('\n', out);
	return 0;
}

static int tty_profile(const struct contention_report *r, const struct contention_view *v, FILE *out)
{
	const struct contention_profile *p = v->p;
	bool mutex = p->kind == 'm';
	const char *bold = r->color ? "\033[1m" : "", *reset = r->color ? "\033[0m" : "";
	int ret = 0;

	fprintf(out, "%s%s profile%s  ", bold, v->name, reset);
	term_puts(out, v->url ? v->url : v->file ? v->file : "");
	fputc('\n', out);
	if (!p->n_sites) {
		const char *lead = mutex && p->enabled ? NULL
				   : mutex	      ? "  disabled (sampling period 0): "
						      : "  disabled, or nothing has blocked since it was enabled: ";

		if (!lead) {
			fprintf(out, "  no contention recorded (sampling period %lld)\n\n", (long long)p->sampling_period);
			return 0;
		}
		fputs(lead, out);
		term_wrap(out, contention_enable_remedy(p->kind), r->width, (unsigned)strlen(lead), 4);
		fputs("\n\n", out);
		return 0;
	}
	fprintf(out, "  %.3f s %s in %llu events, %zu stacks, %zu call sites", p->total_delay_s,
		mutex ? "waited for locks" : "blocked", (unsigned long long)p->total_count, p->n_sites, v->n_ranks);
	if (mutex)
		fprintf(out, ", sampling period %lld", (long long)p->sampling_period);
	fputc('\n', out);
	if (mutex && !p->enabled) {
		static const char lead[] = "  profiling is off now (sampling period 0): these events were recorded before; ";

		fputs(lead, out);
		term_wrap(out, mutex_remedy, r->width, sizeof(lead) - 1, 4);
		fputc('\n', out);
	}
	fprintf(out, "  %5s %11s %7s %10s  %s\n", "rank", "delay_s", "share", "count", "site");
	for (size_t i = 0; ret == 0 && i < shown(r, v); i++)
		ret = tty_site(out, &v->ranks[i], i + 1);
	if (shown(r, v) < v->n_ranks)
		fprintf(out, "  ... %zu more (--top 0 shows all)\n", v->n_ranks - shown(r, v));
	fputc('\n', out);
	return ret;
}

static int render_tty(const struct contention_report *r, FILE *out)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < r->n_profiles; i++)
		ret = tty_profile(r, &r->profiles[i], out);
	if (ret == 0 && has_mutex_sites(r)) {
		term_wrap(out, mutex_note, r->width, 0, 0);
		fputc('\n', out);
	}
	return ret;
}

/* ---- json ----------------------------------------------------------------- */

static json_t *json_round(double v, double scale)
{
	return json_real(isfinite(v) ? round(v * scale) / scale : 0);
}

static json_t *json_count(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Sets k = v (stolen); false when v is NULL or the set failed. */
static bool put(json_t *o, const char *k, json_t *v)
{
	return v && json_object_set_new(o, k, v) == 0;
}

static json_t *json_frame(const struct gr_frame *f)
{
	json_t *o = json_object();

	if (!o || !put(o, "function", json_text(f->func)) || !put(o, "file", json_text(f->file)) ||
	    !put(o, "line", json_integer(f->line))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *json_site(const struct contention_rank *k, size_t rank)
{
	json_t *o = json_object(), *stack = json_array();
	const struct gr_frame *f = k->site;
	bool ok = o && stack;

	for (size_t i = 0; ok && k->top && i < k->top->n_frames; i++)
		ok = json_array_append_new(stack, json_frame(&k->top->frames[i])) == 0;
	ok = ok && put(o, "rank", json_integer((json_int_t)rank)) &&
	     put(o, "function", f ? json_text(f->func) : json_null()) &&
	     put(o, "file", f ? json_text(f->file) : json_null()) &&
	     put(o, "line", f ? json_integer(f->line) : json_null()) &&
	     put(o, "delay_seconds", json_round(k->delay_s, 1e9)) && put(o, "count", json_count(k->count)) &&
	     put(o, "share", json_round(k->share, 1e6)) && put(o, "stacks", json_integer((json_int_t)k->n_stacks)) &&
	     put(o, "runtime_internal", json_boolean(k->runtime_internal)) && put(o, "stack", json_incref(stack));
	json_decref(stack);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *json_profile(const struct contention_report *r, const struct contention_view *v)
{
	const struct contention_profile *p = v->p;
	const char *remedy = remedy_of(p);
	json_t *o = json_object(), *sites = json_array();
	bool ok = o && sites;

	for (size_t i = 0; ok && i < shown(r, v); i++)
		ok = json_array_append_new(sites, json_site(&v->ranks[i], i + 1)) == 0;
	ok = ok && put(o, "url", json_text(v->url));
	if (ok && v->file)
		ok = put(o, "file", json_text(v->file));
	ok = ok && put(o, "enabled", json_boolean(p->enabled)) &&
	     put(o, "sampling_period", p->sampling_period >= 0 ? json_integer(p->sampling_period) : json_null()) &&
	     put(o, "cycles_per_second", json_count(p->cycles_per_second)) &&
	     put(o, "total_delay_seconds", json_round(p->total_delay_s, 1e9)) &&
	     put(o, "total_count", json_count(p->total_count)) &&
	     put(o, "n_stacks", json_integer((json_int_t)p->n_sites)) &&
	     put(o, "n_sites", json_integer((json_int_t)v->n_ranks)) && put(o, "sites", json_incref(sites)) &&
	     put(o, "remedy", remedy ? json_string(remedy) : json_null());
	json_decref(sites);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *contention_to_json(const struct contention_report *r)
{
	json_t *doc = json_object();
	bool ok = doc && put(doc, "url", json_text(r->url));

	for (size_t i = 0; ok && i < r->n_profiles; i++)
		ok = put(doc, r->profiles[i].name, json_profile(r, &r->profiles[i]));
	if (!ok) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* ---- markdown ------------------------------------------------------------- */

static void md_profile(const struct contention_report *r, const struct contention_view *v, FILE *out)
{
	const struct contention_profile *p = v->p;
	const char *remedy = remedy_of(p);

	fprintf(out, "\n## %s profile\n\n", v->name);
	report_md_code(out, v->url ? v->url : v->file ? v->file : "");
	fputs("\n\n", out);
	if (p->n_sites) {
		fprintf(out, "%.3f s %s in %llu events, %zu stacks, %zu call sites", p->total_delay_s,
			p->kind == 'm' ? "waited for locks" : "blocked", (unsigned long long)p->total_count, p->n_sites,
			v->n_ranks);
		if (p->kind == 'm')
			fprintf(out, ", sampling period %lld", (long long)p->sampling_period);
		fputs(".\n", out);
	} else if (p->kind == 'm' && p->enabled) {
		fprintf(out, "No contention recorded (sampling period %lld).\n", (long long)p->sampling_period);
	}
	if (remedy) {
		fputs(p->n_sites ? "\n**Profiling is off now:** " : "**Disabled:** ", out);
		report_md_text(out, remedy);
		fputc('\n', out);
	}
	if (!v->n_ranks)
		return;
	fputs("\n| rank | delay (s) | share | count | site |\n|---:|---:|---:|---:|---|\n", out);
	for (size_t i = 0; i < shown(r, v); i++) {
		const struct contention_rank *k = &v->ranks[i];

		fprintf(out, "| %zu | %.6f | %.1f%% | %llu | ", i + 1, k->delay_s, k->share * 100,
			(unsigned long long)k->count);
		if (k->site && k->site->func[0]) {
			report_md_code(out, k->site->func);
			fputc(' ', out);
			report_md_text(out, base_name(k->site->file));
			fprintf(out, ":%d", k->site->line);
		} else {
			fputs("(unknown function)", out);
		}
		if (k->runtime_internal)
			fputs(" (runtime-internal lock)", out);
		if (k->n_stacks > 1)
			fprintf(out, " (%zu stacks)", k->n_stacks);
		fputs(" |\n", out);
	}
	if (shown(r, v) < v->n_ranks)
		fprintf(out, "\n%zu more sites (`--top 0` shows all).\n", v->n_ranks - shown(r, v));
}

static void render_markdown(const struct contention_report *r, FILE *out)
{
	fputs("# preflight contention\n", out);
	for (size_t i = 0; i < r->n_profiles; i++)
		md_profile(r, &r->profiles[i], out);
	if (has_mutex_sites(r)) {
		fputc('\n', out);
		report_md_text(out, mutex_note);
		fputc('\n', out);
	}
}

int contention_render(const struct contention_report *r, const char *format, FILE *out)
{
	int ret = 0;

	if (!strcmp(format, "json")) {
		json_t *doc = contention_to_json(r);

		if (!doc)
			return -ENOMEM;
		ret = json_out_dump(doc, out);
		json_decref(doc);
		return ret;
	}
	if (!strcmp(format, "markdown"))
		render_markdown(r, out);
	else if (!strcmp(format, "tty"))
		ret = render_tty(r, out);
	else
		return -EINVAL;
	if (ret == 0 && (fflush(out) == EOF || ferror(out)))
		ret = -EIO;
	return ret;
}
