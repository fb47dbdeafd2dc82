/* The Prometheus text format (0.0.4) for node_exporter's textfile
 * collector, so a fleet's results reach Prometheus and its alerting.
 *
 * A check's status is a state set, the shape node_exporter uses for
 * systemd units and kube-state-metrics for pod phases: one series per
 * check per possible status, 1 for the current one and 0 for the others.
 * The label sets stay the same from run to run (no series appear and
 * vanish when a status changes), and an alert is a plain selector,
 * preflight_check_status{status="fail"} == 1, with no numeric code to
 * remember. No sample carries a timestamp: the textfile collector rejects
 * them. Metric names, labels and semantics are documented in
 * docs/report-formats.md and are stable. */
#include "report/report.h"

#include "base/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Label values: '\\', '"' and newline escaped as the format requires;
 * bytes that are not UTF-8 (the format is UTF-8) become U+FFFD. */
static const char *label_escape(unsigned cp, char scratch[8], void *arg)
{
	switch (cp) {
	case '\\': return "\\\\";
	case '"': return "\\\"";
	case '\n': return "\\n";
	default: return NULL;
	}
}

static void label_value(FILE *out, const char *s)
{
	utf8_write_escaped(out, s, label_escape, NULL);
}

static void label(FILE *out, bool first, const char *name, const char *value)
{
	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	label_value(out, value);
	fputc('"', out);
}

/* The shortest decimal form that reads back as the same double. */
static void number(FILE *out, double v)
{
	char b[40];

	if (isnan(v)) {
		fputs("NaN", out);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "+Inf" : "-Inf", out);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(b, sizeof(b), "%.*g", prec, v);
		if (strtod(b, NULL) == v)
			break;
	}
	fputs(b, out);
}

static void family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* Opens a sample with the labels every per-check series shares. */
static void check_sample(FILE *out, const char *name, const struct check_result *c)
{
	fprintf(out, "%s{", name);
	label(out, true, "id", report_item_id(c));
}

static void status_family(const struct report *r, FILE *out)
{
	family(out, "preflight_check_status",
	       "Status of each checklist item as a state set: 1 for its status in the last run, 0 for the others.");
	for (size_t i = 0; i < r->n_results; i++) {
		const struct check_result *c = &r->results[i];

		for (int s = 0; s < STATUS_COUNT; s++) {
			check_sample(out, "preflight_check_status", c);
			label(out, false, "check", report_check_id(c));
			label(out, false, "layer", layer_name(c->def ? c->def->layer : LAYER_COUNT));
			label(out, false, "status", status_name((enum pf_status)s));
			fprintf(out, "} %d\n", c->status == (enum pf_status)s);
		}
	}
}

/* Metadata lives in its own series, joined on id when an alert needs it,
 * so that editing a title or an owner does not start new status series. */
static void info_family(const struct report *r, FILE *out)
{
	family(out, "preflight_check_info", "Checklist item metadata; always 1.");
	for (size_t i = 0; i < r->n_results; i++) {
		const struct check_result *c = &r->results[i];

		check_sample(out, "preflight_check_info", c);
		label(out, false, "check", report_check_id(c));
		label(out, false, "layer", layer_name(c->def ? c->def->layer : LAYER_COUNT));
		label(out, false, "title", report_title(c));
		label(out, false, "severity", c->meta.severity);
		label(out, false, "owner", c->meta.owner);
		fputs("} 1\n", out);
	}
}

static void duration_family(const struct report *r, FILE *out)
{
	family(out, "preflight_check_duration_seconds", "How long each check took in the last run.");
	for (size_t i = 0; i < r->n_results; i++) {
		const struct check_result *c = &r->results[i];
		double ms = isfinite(c->duration_ms) && c->duration_ms > 0 ? c->duration_ms : 0;

		check_sample(out, "preflight_check_duration_seconds", c);
		fputs("} ", out);
		number(out, round(ms * 1000) / 1e6);
		fputc('\n', out);
	}
}

/* Top-level numbers and booleans of the evidence; strings, arrays and
 * objects have no value to plot. */
static bool numeric(json_t *v)
{
	return json_is_number(v) || json_is_boolean(v);
}

static void evidence_family(const struct report *r, FILE *out)
{
	bool any = false;
	const char *key;
	json_t *v;

	for (size_t i = 0; i < r->n_results && !any; i++)
		json_object_foreach(r->results[i].evidence, key, v)
			if (numeric(v)) {
				any = true;
				break;
			}
	if (!any)
		return;
	family(out, "preflight_check_evidence",
	       "Numeric evidence a check judged, by evidence key (booleans as 0 or 1).");
	for (size_t i = 0; i < r->n_results; i++) {
		const struct check_result *c = &r->results[i];

		json_object_foreach(c->evidence, key, v) {
			if (!numeric(v))
				continue;
			check_sample(out, "preflight_check_evidence", c);
			label(out, false, "key", key);
			fputs("} ", out);
			if (json_is_integer(v))
				fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			else if (json_is_real(v))
				number(out, json_real_value(v));
			else
				fputc(json_is_true(v) ? '1' : '0', out);
			fputc('\n', out);
		}
	}
}

static void run_families(const struct report *r, FILE *out)
{
	size_t counts[STATUS_COUNT];

	report_count(r, counts);
	family(out, "preflight_checks", "Number of checks per status in the last run.");
	for (int s = 0; s < STATUS_COUNT; s++) {
		fputs("preflight_checks{", out);
		label(out, true, "status", status_name((enum pf_status)s));
		fprintf(out, "} %zu\n", counts[s]);
	}
	family(out, "preflight_last_run_timestamp_seconds",
	       "Unix time the last preflight run started.");
	fprintf(out, "preflight_last_run_timestamp_seconds %lld\n", (long long)r->started_at);
	if (isfinite(r->duration_s) && r->duration_s > 0) {
		family(out, "preflight_last_run_duration_seconds",
		       "Wall time of the last preflight run: collection, the sampling window and the checks.");
		fputs("preflight_last_run_duration_seconds ", out);
		number(out, round(r->duration_s * 1e6) / 1e6);
		fputc('\n', out);
	}
	if (r->pid) {
		char pid[32];

		snprintf(pid, sizeof(pid), "%ld", (long)r->pid);
		family(out, "preflight_target_info", "The process the last run checked; always 1.");
		fputs("preflight_target_info{", out);
		label(out, true, "pid", pid);
		label(out, false, "exe", r->exe);
		label(out, false, "comm", r->comm);
		fputs("} 1\n", out);
	}
}

int report_prom(const struct report *r, FILE *out)
{
	status_family(r, out);
	info_family(r, out);
	duration_family(r, out);
	evidence_family(r, out);
	run_families(r, out);
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}
