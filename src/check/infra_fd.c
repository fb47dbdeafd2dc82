/* File descriptor limits of the process and the host. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "check/checks.h"
#include "check/goversion.h"

CHECK_FN(check_fd_process)
{
	const struct process_facts *pr = &f->proc;
	double warn = param_num(p, "warn"), fail = param_num(p, "fail");
	double expected = param_num(p, "expected_connections"), headroom = param_num(p, "headroom");
	bool unlimited;
	double ratio;

	if (!pr->has_nofile) {
		result_set(r, STATUS_ERROR, "could not read the limits of pid %d: %s", (int)pr->pid,
			   pr->limits_err.msg[0] ? pr->limits_err.msg : "no 'Max open files' line");
		return;
	}
	unlimited = pr->nofile_soft == UINT64_MAX;
	ev_int(r, "open", pr->fd_err.code ? -1 : (long long)pr->open_fds);
	ev_json(r, "soft", unlimited ? json_string("unlimited") : json_integer((json_int_t)pr->nofile_soft));
	ev_json(r, "hard", pr->nofile_hard == UINT64_MAX ? json_string("unlimited")
							  : json_integer((json_int_t)pr->nofile_hard));
	ev_int(r, "expected_connections", (long long)expected);
	if (pr->fd_err.code) {
		result_set(r, STATUS_ERROR, "could not count the open fds of pid %d: %s", (int)pr->pid, pr->fd_err.msg);
		return;
	}
	ratio = unlimited || !pr->nofile_soft ? 0 : (double)pr->open_fds / (double)pr->nofile_soft;
	ev_real(r, "ratio", ratio);
	if (ratio > fail)
		result_set(r, STATUS_FAIL, "%llu of %llu fds open (%.0f%%; fail above %.0f%%; soft limit from /proc/%d/limits)",
			   (unsigned long long)pr->open_fds, (unsigned long long)pr->nofile_soft, ratio * 100, fail * 100,
			   (int)pr->pid);
	else if (ratio > warn)
		result_set(r, STATUS_WARN, "%llu of %llu fds open (%.0f%%; warn above %.0f%%; soft limit from /proc/%d/limits)",
			   (unsigned long long)pr->open_fds, (unsigned long long)pr->nofile_soft, ratio * 100, warn * 100,
			   (int)pr->pid);
	else if (!unlimited && (double)pr->nofile_soft < expected * headroom)
		result_set(r, STATUS_WARN,
			   "fd soft limit %llu (/proc/%d/limits) is below %.0f (expected_connections %.0f x %.1f "
			   "headroom); %llu open",
			   (unsigned long long)pr->nofile_soft, (int)pr->pid, expected * headroom, expected, headroom,
			   (unsigned long long)pr->open_fds);
	else if (unlimited)
		result_set(r, STATUS_PASS, "%llu fds open, no soft limit", (unsigned long long)pr->open_fds);
	else
		result_set(r, STATUS_PASS, "%llu of %llu fds open (%.1f%%)", (unsigned long long)pr->open_fds,
			   (unsigned long long)pr->nofile_soft, ratio * 100);
	if (r->status != STATUS_PASS) {
		/* Enough for the expected peak and twice what is open now, in
		 * whole KiB-sized steps. */
		double want = expected * headroom > 2.0 * (double)pr->open_fds ? expected * headroom
										: 2.0 * (double)pr->open_fds;
		unsigned long long n = ((unsigned long long)ceil(want) + 1023) / 1024 * 1024;
		struct go_version gv;
		bool is_go = pr->gobuild.go_version && go_version_parse(pr->gobuild.go_version, &gv) == 0;
		bool go119 = is_go && go_version_at_least(&gv, 19);

		result_remedy(r,
			      "every connection costs an fd. Raise the limit where the service is started, no "
			      "rebuild: systemd LimitNOFILE=%llu in its unit ('systemctl edit UNIT'; sets soft and "
			      "hard), 'ulimit -n %llu' in its start script, 'docker run --ulimit nofile=%llu:%llu' "
			      "(Kubernetes takes the container runtime's default: LimitNOFILE= in containerd's or "
			      "dockerd's unit); for the running process until it restarts, 'prlimit --pid %d "
			      "--nofile=%llu:%llu'. %s If open fds keep growing, look for a leak (net.close-wait, "
			      "unclosed files and response bodies)",
			      n, n, n, n, (int)pr->pid, n, n,
			      go119 ? "Go >= 1.19 (this binary) raises its own soft limit to the hard limit at start, "
				      "so the hard limit is the one that counts."
			      : is_go ? "Go before 1.19 (this binary) keeps the soft limit it is given; in code, "
					"syscall.Setrlimit can raise it to the hard limit."
				      : "");
	}
}

CHECK_FN(check_fd_system)
{
	const struct sysctl_facts *s = &f->sysctl;
	const struct process_facts *pr = &f->proc;
	double warn = param_num(p, "warn"), share = param_num(p, "soft_share"), ratio;

	if (!s->file_max.set || !s->file_allocated.set) {
		result_set(r, STATUS_ERROR, "could not read fs.file-max and fs.file-nr");
		return;
	}
	ratio = s->file_max.v > 0 ? (double)s->file_allocated.v / (double)s->file_max.v : 0;
	ev_int(r, "file_max", s->file_max.v);
	ev_int(r, "allocated", s->file_allocated.v);
	if (s->nr_open.set)
		ev_int(r, "nr_open", s->nr_open.v);
	ev_real(r, "ratio", ratio);
	if (pr->present && pr->has_nofile && pr->nofile_soft != UINT64_MAX)
		ev_int(r, "process_soft", (long long)pr->nofile_soft);
	if (ratio > warn) {
		result_set(r, STATUS_WARN, "%lld of %lld system file handles allocated (%.0f%%; warn above %.0f%%)",
			   (long long)s->file_allocated.v, (long long)s->file_max.v, ratio * 100, warn * 100);
		result_remedy(r, "raise fs.file-max (sysctl -w fs.file-max=...) and find the process holding "
				 "the handles ('ls /proc/*/fd | wc -l' per process)");
		return;
	}
	if (pr->present && pr->has_nofile && pr->nofile_soft != UINT64_MAX) {
		if (s->nr_open.set && pr->nofile_soft > (uint64_t)s->nr_open.v) {
			result_set(r, STATUS_WARN, "process soft limit %llu is above fs.nr_open=%lld",
				   (unsigned long long)pr->nofile_soft, (long long)s->nr_open.v);
			result_remedy(r, "a limit above fs.nr_open cannot be set again after a restart: raise "
					 "fs.nr_open or lower the service's LimitNOFILE");
			return;
		}
		if ((double)pr->nofile_soft > share * (double)s->file_max.v) {
			result_set(r, STATUS_WARN,
				   "process soft limit %llu is above %.0f%% of fs.file-max=%lld: one process can "
				   "exhaust the host's file handles",
				   (unsigned long long)pr->nofile_soft, share * 100, (long long)s->file_max.v);
			result_remedy(r, "raise fs.file-max well above the sum of the services' fd limits");
			return;
		}
	}
	result_set(r, STATUS_PASS, "%lld of %lld system file handles allocated (%.2f%%)",
		   (long long)s->file_allocated.v, (long long)s->file_max.v, ratio * 100);
}
