/* Clocksource speed and clock discipline. */
#include <string.h>
#include <sys/timex.h>

#include "check/checks.h"

CHECK_FN(check_clock_source)
{
	const struct clock_facts *c = &f->clock;
	static const char *const fast[] = { "tsc", "kvm-clock", "arch_sys_counter", "hyperv_clocksource_tsc_page",
					    "xen", "timebase", NULL };
	static const char *const slow[] = { "hpet", "acpi_pm", "jiffies", "refined-jiffies", "pit", NULL };

	if (!c->current[0] && fact_err_failed(&c->err)) {
		result_set(r, STATUS_ERROR, "no clocksource information: %s", c->err.msg);
		return;
	}
	if (!c->current[0]) {
		result_set(r, STATUS_SKIP, "no clocksource information%s%s", c->err.msg[0] ? ": " : "", c->err.msg);
		return;
	}
	ev_str(r, "current", c->current);
	ev_str(r, "available", c->available);
	for (int i = 0; slow[i]; i++)
		if (!strcmp(c->current, slow[i])) {
			result_set(r, STATUS_WARN, "clocksource is %s: every time read is a slow hardware access",
				   c->current);
			result_remedy(r, "Go reads the clock on every timer, deadline and scheduler tick; look for "
					 "\"clocksource: Marking clocksource 'tsc' as unstable\" in dmesg, and if the TSC "
					 "is good switch back (echo tsc > /sys/devices/system/clocksource/clocksource0/"
					 "current_clocksource; tsc=reliable on the kernel command line)");
			return;
		}
	for (int i = 0; fast[i]; i++)
		if (!strcmp(c->current, fast[i])) {
			result_set(r, STATUS_PASS, "clocksource is %s", c->current);
			return;
		}
	result_set(r, STATUS_PASS, "clocksource is %s (not one preflight knows; not judged)", c->current);
}

CHECK_FN(check_clock_sync)
{
	const struct clock_facts *c = &f->clock;
	double warn_us = param_num(p, "maxerror_warn_ms") * 1000.0;
	bool synced;

	if (!c->adjtimex_ok) {
		result_set(r, STATUS_ERROR, "adjtimex failed%s%s", c->err.msg[0] ? ": " : "", c->err.msg);
		return;
	}
	synced = c->state != TIME_ERROR && !(c->status & STA_UNSYNC);
	ev_bool(r, "synced", synced);
	ev_int(r, "maxerror_us", c->maxerror_us);
	ev_int(r, "esterror_us", c->esterror_us);
	ev_int(r, "offset_us", c->offset_us);
	ev_int(r, "state", c->state);
	ev_int(r, "status", c->status);
	ev_str(r, "daemons", c->daemons);
	if (!synced) {
		result_set(r, STATUS_FAIL, "the kernel clock is not synchronised (%s%s); time daemons: %s",
			   c->state == TIME_ERROR ? "TIME_ERROR" : "", (c->status & STA_UNSYNC) ? " STA_UNSYNC" : "",
			   c->daemons[0] ? c->daemons : "none running");
		result_remedy(r, "run and check a time daemon (chronyc tracking / timedatectl "
				 "timesync-status); unsynchronised clocks break TLS validity, token expiry, "
				 "distributed rate limits and log ordering");
		return;
	}
	if ((double)c->maxerror_us > warn_us) {
		result_set(r, STATUS_WARN, "clock synchronised but max error is %.1f ms (warn above %.0f ms)",
			   c->maxerror_us / 1000.0, warn_us / 1000);
		result_remedy(r, "the time daemon has not corrected the clock recently: check its sources "
				 "(chronyc sources -v)");
		return;
	}
	result_set(r, STATUS_PASS, "clock synchronised, max error %.1f ms, offset %lld us; daemons: %s",
		   c->maxerror_us / 1000.0, (long long)c->offset_us, c->daemons[0] ? c->daemons : "none seen");
}
