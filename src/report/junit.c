/* JUnit XML, in the shape Jenkins (junit and xunit plugins) and GitLab
 * read: one <testsuite> of one <testcase> per checklist item.
 *
 * JUnit knows passed, failed, errored and skipped; a warning has no place
 * of its own. It follows --fail-on, so the CI page and the exit code agree:
 * under --fail-on warn a warning is a <failure>, otherwise the test case
 * passes and carries the warning in <system-out>. */
#include "report/report.h"

#include "base/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Writes s as XML 1.0 character data or an attribute value: &, < and >
 * always as references, quotes too in attributes (text stays readable;
 * evidence JSON is full of quotes). Characters XML 1.0 cannot carry at all
 * (C0 controls other than tab, LF and CR, U+FFFE, U+FFFF) and bytes that
 * are not UTF-8 become U+FFFD. In attributes, tab, LF and CR are written
 * as references, which survive attribute value normalisation; CR is one in
 * text too, or a parser would turn it into LF. */
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
	default: return cp < 0x20 || cp == 0xfffe || cp == 0xffff ? UTF8_REPLACEMENT : NULL;
	}
}

static void xml_put(FILE *out, const char *s, bool attr)
{
	utf8_write_escaped(out, s, xml_escape, &attr);
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
	}
	fputs("    </properties>\n", out);
}

/* <failure>, <error> or <skipped>, with the summary as the message and the
 * remedy as the text a person reads first on the CI page. */
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

	if (c->evidence)
		ev = json_dumps(c->evidence, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	else
		ev = strdup("{}");
	if (!ev)
		return -ENOMEM;
	snprintf(cls, sizeof(cls), "preflight.%s", layer);
	fputs("    <testcase", out);
	attr(out, "classname", cls);
	attr(out, "name", report_item_id(c));
	fprintf(out, " time=\"%.3f\">\n", seconds(c->duration_ms));
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
	size_t failures;
	double total_ms = 0;
	char stamp[32];
	int ret = 0;

	report_count(r, counts);
	failures = counts[STATUS_FAIL];
	if (report_is_finding(STATUS_WARN, r->fail_on))
		failures += counts[STATUS_WARN];
	for (size_t i = 0; i < r->n_results; i++)
		total_ms += seconds(r->results[i].duration_ms) * 1000;
	/* Ant's timestamp form, no zone suffix (the form the common JUnit
	 * schemas accept); the time is UTC. */
	ret = report_time_utc(r->started_at, stamp, sizeof(stamp));
	if (ret < 0)
		goto out;
	stamp[strlen(stamp) - 1] = '\0';

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"preflight\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
		r->n_results, failures, counts[STATUS_ERROR], total_ms / 1000);
	fprintf(out, "  <testsuite name=\"preflight\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\" timestamp=\"%s\"",
		r->n_results, failures, counts[STATUS_ERROR], counts[STATUS_SKIP], total_ms / 1000, stamp);
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
