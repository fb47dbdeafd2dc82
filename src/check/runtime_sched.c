/* GOMAXPROCS and GOMEMLIMIT against what the container grants. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "check/checks.h"
#include "check/goversion.h"

static struct cpuset usable_cpus(const struct process_facts *p)
{
	struct cpuset s = p->affinity;

	if (p->cgroup.has_cpuset && cpuset_count(&p->cgroup.cpus) > 0)
		cpuset_and(&s, &p->cgroup.cpus);
	return s;
}

/* GOMAXPROCS as the runtime reads it: strconv.ParseInt(s, 10, 32), so an
 * optional sign, decimal digits only, no spaces. */
static int parse_go_int32(const char *s, int64_t *ret)
{
	bool neg = *s == '-';
	const char *digits = (*s == '+' || *s == '-') ? s + 1 : s;
	uint64_t u;
	int r = parse_u64_n(digits, strlen(digits), &u);

	if (r < 0)
		return r;
	if (u > (uint64_t)INT32_MAX + neg)
		return -ERANGE;
	*ret = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

/* The GODEBUG value in force for key: the environment overrides the
 * binary's DefaultGODEBUG, as in the runtime. */
static bool effective_godebug(const struct process_facts *pr, const char *key, char *out, size_t n)
{
	if (pr->env_godebug && godebug_lookup(pr->env_godebug, key, out, n))
		return true;
	return godebug_lookup(gobuild_setting(&pr->gobuild, "DefaultGODEBUG"), key, out, n);
}

CHECK_FN(check_cpu_gomaxprocs)
{
	const struct process_facts *pr = &f->proc;
	const struct cgroup_facts *cg = &pr->cgroup;
	double under = param_num(p, "under_ratio");
	struct cpuset usable = usable_cpus(pr);
	unsigned n_usable = cpuset_count(&usable), n_affinity = cpuset_count(&pr->affinity);
	long long quota_cpus = 0, effective = 0, capacity;
	char source[160] = "";
	struct go_version gv;
	bool have_gv = pr->gobuild.go_version && go_version_parse(pr->gobuild.go_version, &gv) == 0;

	if (!pr->has_affinity) {
		result_set(r, STATUS_ERROR, "could not read the CPU affinity of pid %d: %s", (int)pr->pid,
			   pr->status_err.msg[0] ? pr->status_err.msg : "no Cpus_allowed_list in /proc/PID/status");
		return;
	}
	if (cg->has_quota && cg->quota_us > 0 && cg->period_us > 0)
		quota_cpus = (long long)ceil((double)cg->quota_us / (double)cg->period_us);

	if (pr->reported_gomaxprocs > 0) {
		effective = pr->reported_gomaxprocs;
		snprintf(source, sizeof(source), "service (%s)", pr->reported_gomaxprocs_from);
	} else if (pr->env_gomaxprocs) {
		int64_t v;

		if (parse_go_int32(pr->env_gomaxprocs, &v) == 0 && v > 0) {
			effective = v;
			snprintf(source, sizeof(source), "env GOMAXPROCS");
		}
		/* The runtime ignores a malformed GOMAXPROCS and uses its default. */
	}
	if (!effective && pr->gobuild_err.code == -PF_ENOTGO) {
		result_set(r, STATUS_SKIP, "GOMAXPROCS unknown: not set in the environment, not reported by "
					   "the service, and %s", pr->gobuild_err.msg);
		return;
	}
	if (!effective && fact_err_failed(&pr->environ_err)) {
		/* The derived default would be a guess: the environment may set it. */
		result_set(r, STATUS_ERROR, "GOMAXPROCS unknown: %s%s%s", pr->environ_err.msg,
			   fact_err_failed(&pr->sockets_err) ? "; and the service's own metrics: " : "",
			   fact_err_failed(&pr->sockets_err) ? pr->sockets_err.msg : "");
		return;
	}
	if (!effective && pr->gobuild_err.code) {
		result_set(r, STATUS_ERROR, "GOMAXPROCS unknown: not set in the environment, not reported by the "
					   "service, and the binary's Go version is unknown: %s", pr->gobuild_err.msg);
		return;
	}
	if (!effective) {
		char val[16];

		if (have_gv && go_version_at_least(&gv, 25) &&
		    !(effective_godebug(pr, "containermaxprocs", val, sizeof(val)) && !strcmp(val, "0"))) {
			/* The runtime reads the quota of its own (leaf) cgroup only, not a
			 * tighter one above it. */
			long long leaf_cpus = cg->has_quota && cg->leaf_quota_us > 0 && cg->leaf_period_us > 0
				? (long long)ceil((double)cg->leaf_quota_us / (double)cg->leaf_period_us) : 0;

			effective = n_affinity;
			if (leaf_cpus) {
				long long limit = leaf_cpus < 2 ? 2 : leaf_cpus;

				if (limit < effective)
					effective = limit;
			}
			snprintf(source, sizeof(source), "derived: %s container-aware default, min(affinity, quota)",
				 pr->gobuild.go_version);
		} else {
			effective = n_affinity;
			snprintf(source, sizeof(source), "derived: %s default = CPUs in the affinity mask%s",
				 have_gv ? pr->gobuild.go_version : "Go",
				 have_gv && go_version_at_least(&gv, 25) ? " (containermaxprocs=0)" : "");
		}
	}
	capacity = n_usable;
	if (quota_cpus && quota_cpus < capacity)
		capacity = quota_cpus;
	ev_int(r, "effective", effective);
	ev_str(r, "source", source);
	ev_int(r, "usable_cpus", n_usable);
	if (quota_cpus)
		ev_int(r, "quota_cpus", quota_cpus);
	else
		ev_json(r, "quota_cpus", json_null());
	if (effective > 2 * capacity)
		result_set(r, STATUS_FAIL, "GOMAXPROCS=%lld is more than twice the %lld CPU(s) the process can use (%s)",
			   effective, capacity, source);
	else if (effective > capacity)
		result_set(r, STATUS_WARN, "GOMAXPROCS=%lld is above the %lld CPU(s) the process can use (%s)",
			   effective, capacity, source);
	else if ((double)effective < under * (double)capacity)
		result_set(r, STATUS_WARN, "GOMAXPROCS=%lld uses less than %.0f%% of the %lld CPUs available (%s)",
			   effective, under * 100, capacity, source);
	else
		result_set(r, STATUS_PASS, "GOMAXPROCS=%lld for %lld usable CPU(s)%s (%s)", effective, capacity,
			   quota_cpus ? " (quota)" : "", source);
	if (r->status == STATUS_PASS)
		return;
	if (effective > capacity)
		result_remedy(r, "more Ps than CPUs makes the Go scheduler run goroutines the kernel then "
				 "throttles (CFS quota) or time-slices: set GOMAXPROCS=%lld, build with Go >= 1.25 "
				 "and a go >= 1.25 line in go.mod (container-aware default), or use "
				 "go.uber.org/automaxprocs", capacity);
	else
		result_remedy(r, "the service leaves CPUs idle: unset GOMAXPROCS or raise it to %lld", capacity);
}

/* Parses a GOMEMLIMIT value: bytes with an optional B/KiB/MiB/GiB/TiB
 * suffix; "off" or "" means no limit (returns 0 with *ret = 0), as in the runtime. */
static int parse_gomemlimit(const char *s, uint64_t *ret)
{
	static const struct { const char *suffix; uint64_t mult; } units[] = {
		{ "TiB", 1ull << 40 }, { "GiB", 1ull << 30 }, { "MiB", 1ull << 20 }, { "KiB", 1ull << 10 }, { "B", 1 },
	};
	size_t len = strlen(s);
	uint64_t mult = 1, v;

	if (!*s || !strcmp(s, "off")) {
		*ret = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t sl = strlen(units[i].suffix);

		if (len > sl && !strcmp(s + len - sl, units[i].suffix)) {
			len -= sl;
			mult = units[i].mult;
			break;
		}
	}
	/* The runtime keeps the limit in an int64. */
	if (parse_u64_n(s, len, &v) < 0 || (v && mult > (uint64_t)INT64_MAX / v))
		return -EINVAL;
	*ret = v * mult;
	return 0;
}

CHECK_FN(check_mem_gomemlimit)
{
	const struct process_facts *pr = &f->proc;
	const struct cgroup_facts *cg = &pr->cgroup;
	double low = param_num(p, "low_ratio");
	uint64_t limit = cg->has_limit ? cg->limit_bytes : 0, gml = 0;
	const char *source = NULL;
	char a[32], b[32];
	struct go_version gv;

	/* "No memory limit" must have been read, not assumed. */
	if (!cg->has_memory && fact_err_failed(&cg->err)) {
		result_set(r, STATUS_ERROR, "memory limit unknown: could not read the cgroup of pid %d: %s",
			   (int)pr->pid, cg->err.msg);
		return;
	}
	ev_int(r, "limit_bytes", (long long)limit);
	if (pr->env_gomemlimit && pr->reported_gomemlimit <= 0 && pr->gobuild.go_version &&
	    go_version_parse(pr->gobuild.go_version, &gv) == 0 && !go_version_at_least(&gv, 19)) {
		ev_str(r, "env", pr->env_gomemlimit);
		result_set(r, STATUS_WARN, "GOMEMLIMIT='%s' is set but %s ignores it (added in Go 1.19)",
			   pr->env_gomemlimit, pr->gobuild.go_version);
		result_remedy(r, "rebuild with a supported Go release");
		return;
	}
	if (pr->reported_gomemlimit > 0 && pr->reported_gomemlimit < INT64_MAX) {
		gml = (uint64_t)pr->reported_gomemlimit;
		source = "service";
	} else if (fact_err_failed(&pr->environ_err)) {
		result_set(r, STATUS_ERROR, "GOMEMLIMIT unknown: %s%s%s", pr->environ_err.msg,
			   fact_err_failed(&pr->sockets_err) ? "; and the service's own metrics: " : "",
			   fact_err_failed(&pr->sockets_err) ? pr->sockets_err.msg : "");
		return;
	} else if (pr->env_gomemlimit) {
		if (parse_gomemlimit(pr->env_gomemlimit, &gml) < 0) {
			ev_str(r, "env", pr->env_gomemlimit);
			result_set(r, STATUS_FAIL, "GOMEMLIMIT='%s' is malformed; the Go runtime refuses to start "
						   "with it", pr->env_gomemlimit);
			return;
		}
		source = "env GOMEMLIMIT";
	}
	ev_int(r, "gomemlimit_bytes", (long long)gml);
	ev_str(r, "source", source);
	if (!limit) {
		if (gml)
			result_set(r, STATUS_PASS, "GOMEMLIMIT=%s and no container memory limit", fmt_bytes(gml, a));
		else
			result_set(r, STATUS_PASS, "no container memory limit and no GOMEMLIMIT");
		return;
	}
	ev_real(r, "ratio", (double)gml / (double)limit);
	if (!gml) {
		result_set(r, STATUS_WARN, "memory limit %s but no GOMEMLIMIT: the GC paces only by GOGC and "
					   "can run into the OOM killer", fmt_bytes(limit, a));
		result_remedy(r, "set GOMEMLIMIT to 90-95%% of the limit (about %s) so the GC works harder "
				 "before the kernel kills the process", fmt_bytes(limit / 100 * 92, b));
	} else if (gml > limit) {
		result_set(r, STATUS_FAIL, "GOMEMLIMIT=%s is above the memory limit %s: the OOM killer comes first",
			   fmt_bytes(gml, a), fmt_bytes(limit, b));
		result_remedy(r, "set GOMEMLIMIT to 90-95%% of the limit; the runtime does not count C "
				 "allocations, the binary's mappings or kernel memory");
	} else if ((double)gml < low * (double)limit) {
		result_set(r, STATUS_WARN, "GOMEMLIMIT=%s is below %.0f%% of the memory limit %s: the GC will "
					   "run far more often than it needs to", fmt_bytes(gml, a), low * 100,
			   fmt_bytes(limit, b));
		result_remedy(r, "raise GOMEMLIMIT to 90-95%% of the limit unless other processes share it");
	} else {
		result_set(r, STATUS_PASS, "GOMEMLIMIT=%s is %.0f%% of the memory limit %s", fmt_bytes(gml, a),
			   100.0 * (double)gml / (double)limit, fmt_bytes(limit, b));
	}
}
