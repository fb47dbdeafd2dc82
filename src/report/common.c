/* What every reporter shares: the format table, counts, names and the
 * UTF-8 decoding each format needs to sanitise outside strings. */
#include "report/report.h"

#include <errno.h>
#include <string.h>

static const struct {
	const char *name;
	report_fn fn;
} formats[] = {
	{ "tty", report_tty },
	{ "json", report_json },
	{ "junit", report_junit },
	{ "markdown", report_markdown },
	{ "prom", report_prom },
};

const char *const report_formats[] = { "tty", "json", "junit", "markdown", "prom", NULL };

report_fn report_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(name, formats[i].name) == 0)
			return formats[i].fn;
	return NULL;
}

const char *report_format_list(void)
{
	return "tty, json, junit, markdown, prom";
}

void report_count(const struct report *r, size_t counts[STATUS_COUNT])
{
	for (int i = 0; i < STATUS_COUNT; i++)
		counts[i] = 0;
	for (size_t i = 0; i < r->n_results; i++)
		if ((unsigned)r->results[i].status < STATUS_COUNT)
			counts[r->results[i].status]++;
}

const char *report_check_id(const struct check_result *c)
{
	return c->def && c->def->id ? c->def->id : "";
}

const char *report_item_id(const struct check_result *c)
{
	return c->item_id ? c->item_id : report_check_id(c);
}

const char *report_title(const struct check_result *c)
{
	if (c->title)
		return c->title;
	return c->def && c->def->title ? c->def->title : "";
}

/* The status enum is ordered by badness, so "at or above --fail-on" is
 * one comparison for warn and fail. An error (a check that could not read what it needed) is a finding
 * whatever --fail-on says: a run that could not look must not go green
 * (docs/architecture.md, exit codes). */
bool report_is_finding(enum pf_status s, enum pf_status fail_on)
{
	if (s == STATUS_ERROR)
		return true;
	return s >= fail_on && s != STATUS_SKIP && s != STATUS_PASS;
}

int report_time_utc(time_t t, char *buf, size_t n)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	if (strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -EINVAL;
	return 0;
}

