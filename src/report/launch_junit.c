/* The junit format of a run: one <testsuite> for the run, one <testcase>
 * per item (classname: its module), for CI dashboards that show a launch
 * beside the builds that led to it.
 *
 * pass passes; fail is a <failure type="fail">; skip is <skipped> with the
 * reason as its message. An item still pending or running when the report
 * is written is not a pass and must not look like one: it is a <failure>
 * of type "pending" or "running" (and says when it is overdue), so a CI
 * page is green only when every item was closed by a pass or a reasoned
 * skip. Times: a testcase's time is its automatic verification's duration
 * (0 for manual items), the suite's is the run's age at the report. */
#include "report/launch_common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/json_out.h"
#include "report/report.h"

static void attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	report_xml_text(out, value ? value : "", true);
	fputc('"', out);
}

static void property(FILE *out, const char *name, const char *value)
{
	if (!value)
		return;
	fputs("      <property", out);
	attr(out, "name", name);
	attr(out, "value", value);
	fputs("/>\n", out);
}

static void put_time(FILE *out, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	fprintf(out, " time=\"%" PRId64 ".%03" PRId64 "\"", ms / 1000, ms % 1000);
}

static void properties(FILE *out, const struct run_view *v, const struct launch_render_opts *o)
{
	char b[40];

	fputs("    <properties>\n", out);
	property(out, "preflight_version", o->preflight_version);
	snprintf(b, sizeof(b), "%lld", (long long)v->id);
	property(out, "run_id", b);
	property(out, "run_name", v->name);
	property(out, "checklist", v->source);
	property(out, "env", v->env);
	property(out, "owner", v->owner);
	property(out, "opened_by", v->opened_by);
	property(out, "parent_ticket", v->parent_ticket);
	launch_time_rfc3339(v->closed_ms, b, sizeof(b));
	property(out, "closed_at", v->closed_ms ? b : NULL);
	launch_time_rfc3339(v->now_ms, b, sizeof(b));
	property(out, "as_of", b);
	fputs("    </properties>\n", out);
}

/* The message of an unfinished item's <failure>. */
static void unfinished_message(const struct run_view *v, const struct item_view *it, char *buf, size_t n)
{
	char d[32], due[32];

	launch_time_rfc3339(it->due_ms, due, sizeof(due));
	if (it->overdue) {
		launch_duration(launch_item_late_ms(v, it), d, sizeof(d));
		snprintf(buf, n, "%s at report time, overdue %s (due %s)", item_status_name(it->status), d, due);
	} else if (it->due_ms) {
		snprintf(buf, n, "%s at report time (due %s)", item_status_name(it->status), due);
	} else {
		snprintf(buf, n, "%s at report time", item_status_name(it->status));
	}
}

static int testcase(FILE *out, const struct run_view *v, const struct item_view *it)
{
	const char *change = launch_item_change(it);
	char msg[160], when[32];
	char *ev = NULL;

	fputs("    <testcase", out);
	attr(out, "classname", it->module && *it->module ? it->module : "(no module)");
	attr(out, "name", it->id);
	put_time(out, it->duration_ms);
	fputs(">\n", out);
	switch (it->status) {
	case ITEM_FAIL:
		fputs("      <failure type=\"fail\"", out);
		attr(out, "message", it->note && *it->note ? it->note : "failed");
		fputs("/>\n", out);
		break;
	case ITEM_SKIP:
		fputs("      <skipped", out);
		attr(out, "message", it->skip_reason ? it->skip_reason : it->note);
		fputs("/>\n", out);
		break;
	case ITEM_PENDING:
	case ITEM_RUNNING:
		unfinished_message(v, it, msg, sizeof(msg));
		fprintf(out, "      <failure type=\"%s\"", item_status_name(it->status));
		attr(out, "message", msg);
		fputs("/>\n", out);
		break;
	default:
		break;
	}
	if (it->evidence && !(ev = json_out_dumps(it->evidence)))
		return -ENOMEM;
	fputs("      <system-out>title: ", out);
	report_xml_text(out, it->title, false);
	fprintf(out, "\nstatus: %s", item_status_name(it->status));
	if (it->overdue)
		fputs(" (overdue)", out);
	fputs("\nowner: ", out);
	report_xml_text(out, it->owner ? it->owner : "-", false);
	fputs("\nenv: ", out);
	report_xml_text(out, it->env ? it->env : "-", false);
	fputs("\nverify: ", out);
	report_xml_text(out, it->verify_kind ? it->verify_kind : "-", false);
	launch_time_rfc3339(it->due_ms, when, sizeof(when));
	fprintf(out, "\ndue: %s", *when ? when : "-");
	fputs("\nexecutor: ", out);
	report_xml_text(out, it->status_seq && it->executor ? it->executor : "-", false);
	fputs("\nnote: ", out);
	report_xml_text(out, it->note ? it->note : "", false);
	fputs("\nchange: ", out);
	report_xml_text(out, change ? change : "-", false);
	if (it->delay_reason) {
		fputs("\ndelay reason: ", out);
		report_xml_text(out, it->delay_reason, false);
	}
	if (ev) {
		fputs("\nevidence: ", out);
		report_xml_text(out, ev, false);
	}
	fputs("\n</system-out>\n    </testcase>\n", out);
	free(ev);
	return 0;
}

int launch_junit(FILE *out, const struct launch_sel *s, const struct launch_render_opts *o)
{
	const struct run_view *v = s->v;
	unsigned failures = s->count[ITEM_FAIL] + s->count[ITEM_PENDING] + s->count[ITEM_RUNNING];
	int64_t age = (v->closed_ms ? v->closed_ms : v->now_ms) - v->opened_ms;
	char stamp[32], name[64];
	int ret;

	/* Ant's timestamp form has no zone suffix; the time is UTC. */
	launch_time_rfc3339(v->opened_ms, stamp, sizeof(stamp));
	if (*stamp)
		stamp[strlen(stamp) - 1] = '\0';
	snprintf(name, sizeof(name), "preflight run %lld", (long long)v->id);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"preflight launch\" tests=\"%zu\" failures=\"%u\" errors=\"0\"", s->n,
		failures);
	put_time(out, age);
	fputs(">\n  <testsuite", out);
	attr(out, "name", v->name ? v->name : name);
	fprintf(out, " tests=\"%zu\" failures=\"%u\" errors=\"0\" skipped=\"%u\"", s->n, failures,
		s->count[ITEM_SKIP]);
	put_time(out, age);
	if (*stamp)
		fprintf(out, " timestamp=\"%s\"", stamp);
	attr(out, "hostname", v->host ? v->host : "");
	fputs(">\n", out);
	properties(out, v, o);
	for (size_t i = 0; i < s->n; i++) {
		ret = testcase(out, v, s->items[i]);
		if (ret < 0)
			return ret;
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	return 0;
}
