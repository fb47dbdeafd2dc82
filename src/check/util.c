#include <stdio.h>
#include <string.h>

#include "base/err.h"

#include "check/checks.h"

const char *fmt_bytes(unsigned long long v, char out[32])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, 32, "%llu B", v);
	else
		snprintf(out, 32, "%.1f %s", d, units[u]);
	return out;
}

bool skip_not_go(const struct facts *f, struct check_result *r)
{
	const struct process_facts *pr = &f->proc;

	if (pr->gobuild_err.code != -PF_ENOTGO)
		return false;
	ev_str(r, "exe", pr->exe);
	result_set(r, STATUS_SKIP, "not a Go binary (%s)", pr->exe[0] ? pr->exe : "executable unreadable");
	return true;
}

static const char *const psi_names[PSI_NRES] = { "cpu", "memory", "io" };

bool psi_rate(const struct psi_resource *res, bool full, struct psi_rate *ret)
{
	const struct psi_line *a = full ? &res->start.full : &res->start.some;
	const struct psi_line *b = full ? &res->end.full : &res->end.some;
	double dt = res->t_end - res->t_start;

	memset(ret, 0, sizeof(*ret));
	if (res->state != PSI_OK || !a->set)
		return false;
	ret->avg10 = a->avg10;
	ret->avg60 = a->avg60;
	ret->avg300 = a->avg300;
	ret->share = a->avg10;
	/* The window's own rate: microseconds stalled over microseconds
	 * elapsed. Under half a second the two reads' own timing jitter
	 * weighs too much; the kernel's 10 s average is then the figure. */
	if (res->has_end && b->set && dt >= 0.5 && b->total_us >= a->total_us) {
		double s = (double)(b->total_us - a->total_us) / (dt * 1e6);

		ret->window = true;
		ret->window_s = dt;
		ret->share = s > 1 ? 1 : s;
		ret->window_share = ret->share;
		/* The end's averages are newer. */
		ret->avg10 = b->avg10;
		ret->avg60 = b->avg60;
		ret->avg300 = b->avg300;
	}
	return true;
}

bool psi_felt(const struct facts *f, enum psi_res res, bool full, struct psi_rate *ret, char *desc, size_t n)
{
	const struct psi_scope *s = NULL;

	if (f->proc.present && f->psi.cgroup.attempted && f->psi.cgroup.res[res].state == PSI_OK &&
	    psi_rate(&f->psi.cgroup.res[res], full, ret))
		s = &f->psi.cgroup;
	else if (f->psi.host.attempted && psi_rate(&f->psi.host.res[res], full, ret))
		s = &f->psi.host;
	if (!s)
		return false;
	ret->scope = s == &f->psi.cgroup ? "cgroup" : "host";
	if (ret->window)
		snprintf(desc, n, "%s %s %.1f%% over the %.1f s window, avg60 %.1f%% (%s)", psi_names[res],
			 full ? "full" : "some", ret->share * 100, ret->window_s, ret->avg60 * 100, ret->scope);
	else
		snprintf(desc, n, "%s %s avg10 %.1f%%, avg60 %.1f%% (%s)", psi_names[res], full ? "full" : "some",
			 ret->avg10 * 100, ret->avg60 * 100, ret->scope);
	return true;
}

void describe_thread_affinity(const struct process_facts *pr, char *out, size_t n)
{
	const struct thread_affinity_facts *t = &pr->thread_affinity;
	char list[256];
	size_t len = 0;
	int w;

	out[0] = '\0';
	if (!t->read || !t->threads_read)
		return;
	if (!t->differ) {
		cpuset_format(&t->union_cpus, list, sizeof(list));
		if (t->threads_read == 1)
			snprintf(out, n, "the only thread %s", list);
		else
			snprintf(out, n, "all %u threads %s", t->threads_read, list);
		return;
	}
	if (t->has_main) {
		cpuset_format(&t->main_cpus, list, sizeof(list));
		w = snprintf(out, n, "main thread %s", list);
		len = w > 0 && (size_t)w < n ? (size_t)w : n - 1;
	}
	for (unsigned i = 0; i < t->n_groups && len + 1 < n; i++) {
		cpuset_format(&t->groups[i].cpus, list, sizeof(list));
		w = snprintf(out + len, n - len, "%s%u %sthread%s %s", len ? ", " : "", t->groups[i].threads,
			     t->has_main ? "other " : "", t->groups[i].threads == 1 ? "" : "s", list);
		len += w > 0 && (size_t)w < n - len ? (size_t)w : n - len - 1;
	}
	if (t->others_ungrouped && len + 1 < n)
		snprintf(out + len, n - len, ", %u more threads with other masks", t->others_ungrouped);
}
