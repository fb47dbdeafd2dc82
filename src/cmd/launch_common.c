/* launch_common: the pieces run, item, status and runs share
 * (launch_common.h). */
#include "cmd/launch_common.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/parse.h"
#include "base/utf8.h"
#include "cmd/cmd.h"
#include "report/output.h"
#include "report/term.h"

int launch_store_error(const char *cmd, int r, const struct err *e)
{
	const char *msg = e && e->msg[0] ? e->msg : err_str(r);

	if (r == -PF_ESTORE_UNREACHABLE || r == -PF_ESTORE_NEWER || r == -PF_ESTORE_CONFLICT || r == -PF_EPARSE ||
	    r == -PF_EUSAGE)
		return cmd_usage_error(cmd, "%s", msg);
	return cmd_error(cmd, EXIT_INTERNAL, "%s", msg);
}

int launch_store_open(const char *cmd, const char *url, struct store **ret)
{
	struct err e = { "" };
	int r = store_open(url, ret, &e);

	if (r < 0) {
		*ret = NULL;
		/* A store that cannot be made where it belongs (no HOME, a
		 * directory that cannot be created) is the user's to fix too. */
		if (r == -ENOENT || r == -EACCES || r == -EPERM || r == -ENOTDIR || r == -EROFS ||
		    r == -ENAMETOOLONG)
			return cmd_usage_error(cmd, "%s", e.msg[0] ? e.msg : err_str(r));
		return launch_store_error(cmd, r, &e);
	}
	return 0;
}

const char *launch_actor(const char *by)
{
	const char *u;
	struct passwd *pw;

	if (by && by[0])
		return by;
	u = getenv("USER");
	if (u && u[0])
		return u;
	u = getlogin();
	if (u && u[0])
		return u;
	pw = getpwuid(geteuid());
	return pw && pw->pw_name && pw->pw_name[0] ? pw->pw_name : NULL;
}

int64_t launch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int launch_resolve_run(const char *cmd, struct store *s, const char *arg, int64_t *ret)
{
	struct err e = { "" };
	int64_t id;

	if (!arg) {
		id = store_latest_run(s, &e);
		if (id < 0)
			return launch_store_error(cmd, (int)id, &e);
		if (id == 0)
			return cmd_usage_error(cmd, "no runs in '%s' yet; open one with 'preflight run CHECKLIST'",
					       store_name(s));
		*ret = id;
		return 0;
	}
	if (parse_i64(arg, &id) < 0 || id <= 0 || !isdigit((unsigned char)arg[0]))
		return cmd_usage_error(cmd, "'%s' is not a run id (a number, as 'preflight runs' lists them)", arg);
	*ret = id;
	return 0;
}

int launch_check_text(const char *cmd, const char *option, const char *text, size_t max, bool multiline)
{
	struct err e = { "" };
	char name[64];

	snprintf(name, sizeof(name), "--%s", option);
	return launch_text_check(name, text, max, multiline, &e) < 0 ? cmd_usage_error(cmd, "%s", e.msg) : 0;
}

int64_t launch_append(struct store *s, struct event *ev, struct err *e)
{
	return store_append(s, ev, e);
}

int launch_run_view(const char *cmd, struct store *s, int64_t run_id, int64_t now_ms, struct run_view *ret)
{
	struct err e = { "" };
	struct run_summary *runs = NULL;
	size_t n = 0, used = 0;
	char known[160] = "";
	int r = store_run_view(s, run_id, now_ms, ret, &e);

	if (r != -PF_ESTORE_CONFLICT)
		return r < 0 ? launch_store_error(cmd, r, &e) : 0;
	if (store_runs(s, now_ms, 8, &runs, &n, NULL) < 0)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(known + used, sizeof(known) - used, "%s%" PRId64, i ? ", " : "", runs[i].id);

		if (w > 0 && (size_t)w < sizeof(known) - used)
			used += (size_t)w;
		run_summary_release(&runs[i]);
	}
	free(runs);
	if (!n)
		return cmd_usage_error(cmd, "no run %" PRId64 " in '%s': it holds no runs yet", run_id, store_name(s));
	return cmd_usage_error(cmd, "no run %" PRId64 " in '%s'; its newest runs: %s", run_id, store_name(s), known);
}

int launch_lock_run(const char *cmd, struct store *s, const char *arg, int64_t *now_ms, struct run_view *ret)
{
	struct err e = { "" };
	int64_t run_id;
	int r = launch_resolve_run(cmd, s, arg, &run_id);

	if (r)
		return r;
	r = store_begin_write(s, &e);
	if (r < 0)
		return launch_store_error(cmd, r, &e);
	*now_ms = launch_now_ms();
	r = launch_run_view(cmd, s, run_id, *now_ms, ret);
	if (r)
		store_rollback(s);
	return r;
}

/* "YYYY-MM-DD" at s: fills tm's date. */
static int parse_date(const char *s, struct tm *tm)
{
	uint64_t y, mo, d;

	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-' || parse_u64_n(s, 4, &y) < 0 ||
	    parse_u64_n(s + 5, 2, &mo) < 0 || parse_u64_n(s + 8, 2, &d) < 0 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -EINVAL;
	tm->tm_year = (int)y - 1900;
	tm->tm_mon = (int)mo - 1;
	tm->tm_mday = (int)d;
	return 0;
}

/* An RFC 3339 date-time (the forms docs/checklist.md accepts) in ms. */
static int parse_rfc3339(const char *s, int64_t *ret)
{
	struct tm tm = { 0 };
	uint64_t h, mi, sec, oh, om;
	const char *p = s + 19;
	int64_t frac_ms = 0, off_s = 0, t;

	if (parse_date(s, &tm) < 0 || strlen(s) < 20 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
	    s[16] != ':' || parse_u64_n(s + 11, 2, &h) < 0 || parse_u64_n(s + 14, 2, &mi) < 0 ||
	    parse_u64_n(s + 17, 2, &sec) < 0 || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	if (*p == '.') {
		int scale = 100;

		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			frac_ms += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if ((*p == 'Z' || *p == 'z') && !p[1]) {
		off_s = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' && parse_u64_n(p + 1, 2, &oh) == 0 &&
		   parse_u64_n(p + 4, 2, &om) == 0 && oh < 24 && om < 60) {
		off_s = (int64_t)(oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
	} else {
		return -EINVAL;
	}
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)sec;
	t = (int64_t)timegm(&tm);
	*ret = (t - off_s) * 1000 + frac_ms;
	return 0;
}

int launch_due_ms(const struct checklist_item *it, int64_t opened_ms, int64_t *ret)
{
	struct tm tm = { 0 };

	*ret = 0;
	if (it->due_relative) {
		*ret = opened_ms + (int64_t)(it->due_offset_s * 1000.0);
		return 0;
	}
	if (!it->due)
		return 0;
	if (strlen(it->due) == 10) {
		if (parse_date(it->due, &tm) < 0)
			return -EINVAL;
		/* a day: due by its end */
		*ret = ((int64_t)timegm(&tm) + 86400) * 1000;
		return 0;
	}
	return parse_rfc3339(it->due, ret);
}

void launch_format_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%" PRId64 "ms", ms);
}

int launch_render_to(const char *cmd, const char *output, const char *format, const char *color,
		     const struct run_view *v, const struct launch_filter *f)
{
	struct output out;
	struct term t;
	struct err e = { "" };
	int r;

	if (output_open(&out, output, &e) < 0)
		return cmd_usage_error(cmd, "%s", e.msg);
	term_detect(out.f, term_color_mode_of(color ? color : "auto"), &t);
	r = launch_render(out.f, v, f, format, t.color && !strcmp(format, "tty"));
	if (r < 0) {
		output_abort(&out);
		return cmd_error(cmd, EXIT_INTERNAL, "cannot write the report: %s", err_str(r));
	}
	if (output_commit(&out, &e) < 0)
		return cmd_error(cmd, EXIT_INTERNAL, "%s", e.msg);
	return 0;
}
