/* JUnit XML, in the shape Jenkins (junit and xunit plugins) and GitLab
 * read: one <testsuite> of one <testcase> per checklist item.
 *
 * JUnit knows passed, failed, errored and skipped; preflight has five
 * statuses. The mapping follows --fail-on, so that a CI page is red
 * exactly when the exit status is non-zero (docs/report-formats.md):
 * fail is a <failure>; warn is a <failure> under --fail-on warn and
 * otherwise passes with the warning in <system-out>; error (the check
 * could not judge) is always an <error>, as it always makes the run exit
 * 1; skip is <skipped>. Times are real: each testcase the check's own duration, the
 * suite the whole run's wall time (collection and the sampling window
 * included), which is what a CI timeline should show. */
#include "report/report.h"

#include "base/utf8.h"
#include "report/json_out.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Writes s as XML 1.0 character data or an attribute value: &, < and >
 * always as references, quotes too in attributes (text stays readable;
 * evidence JSON is full of quotes). Characters XML 1.0 cannot carry at all
 * (C0 controls other than tab, LF and CR, U+FFFE, U+FFFF) and bytes that
 * are not UTF-8 become U+FFFD; so do DEL and the C1 controls, which XML
 * 1.0 allows but discourages (section 2.2) and which a CI console that
 * prints the message would obey (U+009B is CSI). In attributes, tab, LF
 * and CR are written as references, which survive attribute value
 * normalisation; CR is one in text too, or a parser would turn it into LF. */
static const char *xml_escape(unsigned cp, char scratch[8], void *arg)
{
	bool in_attr = *(const bool *)arg;

	switch (cp) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return in_attr ? "&quot;" : NULL;
	case '\'': return in_attr ? "&apos;" : NULL;
	case '\t': return in_attr ? "&#9;" : NULL;
	case '\n': return in_attr ? "&#10;" : NULL;
	case '\r': return "&#13;";
	default:
		return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff ? UTF8_REPLACEMENT
											     : NULL;
	}
}

static void xml_put(FILE *out, const char *s, bool attr)
{
	utf8_write_escaped(out, s, xml_escape, &attr);
}

void report_xml_text(FILE *out, const char *s, bool in_attr)
{
	xml_put(out, s, in_attr);
}

static void attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	xml_put(out, value, true);
	fputc('"', out);
}

static void property(FILE *out, const char *name, const char *value)
{
	fputs("      <property", out);
	attr(out, "name", name);
	attr(out, "value", value);
	fputs("/>\n", out);
}

static double seconds(double ms)
{
	return isfinite(ms) && ms > 0 ? ms / 1000 : 0;
}

/* A time attribute: xs:decimal in the schemas (no exponent), to the
 * microsecond, without trailing zeros: "0.00025", "2.041", "0.0". */
static void put_time(FILE *out, double s)
{
	char b[48];
	size_t n;

	if (!isfinite(s) || s < 0 || s > 1e12)
		s = 0;
	snprintf(b, sizeof(b), "%.6f", s);
	n = strlen(b);
	while (n > 2 && b[n - 1] == '0' && b[n - 2] != '.')
		b[--n] = '\0';
	fprintf(out, " time=\"%s\"", b);
}

static void properties(const struct report *r, FILE *out)
{
	char pid[32];

	fputs("    <properties>\n", out);
	property(out, "preflight_version", r->preflight_version);
	property(out, "checklist", r->checklist_source);
	if (r->checklist_name)
		property(out, "checklist_name", r->checklist_name);
	property(out, "fail_on", status_name(r->fail_on));
	if (r->pid) {
		snprintf(pid, sizeof(pid), "%ld", (long)r->pid);
		property(out, "target_pid", pid);
		property(out, "target_exe", r->exe);
		property(out, "target_comm", r->comm);
		for (size_t i = 0; i < r->n_listeners; i++)
			property(out, "target_listener", r->listeners[i]);
		if (r->netns && r->netns_other)
			property(out, "target_netns", r->netns);
	}
	fputs("    </properties>\n", out);
}

/* <failure> or <error>, with the summary as the message and the remedy as
 * the text a person reads first on the CI page. */
static void verdict(FILE *out, const char *elem, const struct check_result *c)
{
	fprintf(out, "      <%s", elem);
	attr(out, "message", c->summary);
	attr(out, "type", status_name(c->status));
	if (c->remedy && *c->remedy) {
		fputc('>', out);
		xml_put(out, c->remedy, false);
		fprintf(out, "</%s>\n", elem);
	} else {
		fputs("/>\n", out);
	}
}

static int testcase(const struct report *r, const struct check_result *c, FILE *out)
{
	const char *layer = layer_name(c->def ? c->def->layer : LAYER_COUNT);
	char *ev = NULL;
	char cls[64];

	/* The same numbers as the JSON report: shortest exact reals. */
	ev = c->evidence && json_object_size(c->evidence) ? json_out_dumps(c->evidence) : strdup("{}");
	if (!ev)
		return -ENOMEM;
	snprintf(cls, sizeof(cls), "preflight.%s", layer);
	fputs("    <testcase", out);
	attr(out, "classname", cls);
	attr(out, "name", report_item_id(c));
	put_time(out, seconds(c->duration_ms));
	fputs(">\n", out);
	switch (c->status) {
	case STATUS_FAIL:
		verdict(out, "failure", c);
		break;
	case STATUS_ERROR:
		verdict(out, "error", c);
		break;
	case STATUS_SKIP:
		fputs("      <skipped", out);
		attr(out, "message", c->summary);
		fputs("/>\n", out);
		break;
	case STATUS_WARN:
		if (report_is_finding(STATUS_WARN, r->fail_on))
			verdict(out, "failure", c);
		break;
	default:
		break;
	}
	fputs("      <system-out>check: ", out);
	xml_put(out, report_check_id(c), false);
	fputs("\ntitle: ", out);
	xml_put(out, report_title(c), false);
	fprintf(out, "\nstatus: %s\nsummary: ", status_name(c->status));
	xml_put(out, c->summary, false);
	if (c->remedy && *c->remedy && c->status != STATUS_PASS) {
		fputs("\nremedy: ", out);
		xml_put(out, c->remedy, false);
	}
	fputs("\nevidence: ", out);
	xml_put(out, ev, false);
	fputs("\n</system-out>\n    </testcase>\n", out);
	free(ev);
	return 0;
}

int report_junit(const struct report *r, FILE *out)
{
	size_t counts[STATUS_COUNT];
	size_t failures, errors, skipped;
	double total_s = r->duration_s;
	char stamp[32];
	int ret = 0;

	report_count(r, counts);
	failures = counts[STATUS_FAIL];
	if (report_is_finding(STATUS_WARN, r->fail_on))
		failures += counts[STATUS_WARN];
	errors = counts[STATUS_ERROR];
	skipped = counts[STATUS_SKIP];
	/* A caller that did not time the run: at least the checks' own time. */
	if (!(isfinite(total_s) && total_s > 0)) {
		total_s = 0;
		for (size_t i = 0; i < r->n_results; i++)
			total_s += seconds(r->results[i].duration_ms);
	}
	/* Ant's timestamp form, no zone suffix (the form the common JUnit
	 * schemas accept); the time is UTC. */
	ret = report_time_utc(r->started_at, stamp, sizeof(stamp));
	if (ret < 0)
		goto out;
	stamp[strlen(stamp) - 1] = '\0';

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"preflight\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"",
		r->n_results, failures, errors);
	put_time(out, total_s);
	fputs(">\n", out);
	fprintf(out, "  <testsuite name=\"preflight\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"",
		r->n_results, failures, errors, skipped);
	put_time(out, total_s);
	fprintf(out, " timestamp=\"%s\"", stamp);
	attr(out, "hostname", r->hostname);
	fputs(">\n", out);
	properties(r, out);
	for (size_t i = 0; i < r->n_results; i++) {
		ret = testcase(r, &r->results[i], out);
		if (ret < 0)
			goto out;
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	if (fflush(out) == EOF || ferror(out))
		ret = -EIO;
out:
	return ret;
}
