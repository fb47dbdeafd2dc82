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

/* Go's own default for this binary and where it comes from (why). The
 * runtime reads the quota of its own (leaf) cgroup only, not a tighter one
 * above it, and never less than 2 (cgroup_linux.go, Go >= 1.25). */
static long long go_default_maxprocs(const struct process_facts *pr, unsigned n_affinity, char *why, size_t n)
{
	const struct cgroup_facts *cg = &pr->cgroup;
	struct go_version gv;
	bool have_gv = pr->gobuild.go_version && go_version_parse(pr->gobuild.go_version, &gv) == 0;
	char val[16];

	if (have_gv && go_version_at_least(&gv, 25) &&
	    !(effective_godebug(pr, "containermaxprocs", val, sizeof(val)) && !strcmp(val, "0"))) {
		long long leaf_cpus = cg->has_quota && cg->leaf_quota_us > 0 && cg->leaf_period_us > 0
			? (long long)ceil((double)cg->leaf_quota_us / (double)cg->leaf_period_us) : 0;
		long long v = n_affinity;

		if (leaf_cpus && (leaf_cpus < 2 ? 2 : leaf_cpus) < v)
			v = leaf_cpus < 2 ? 2 : leaf_cpus;
		snprintf(why, n, "Go's default for %s: its container-aware rule, min(CPUs in the affinity mask, "
				 "its own cgroup's CPU quota, at least 2); derived, cgroup-aware since Go 1.25",
			 pr->gobuild.go_version);
		return v;
	}
	if (have_gv && go_version_at_least(&gv, 25))
		snprintf(why, n, "Go's default for %s with containermaxprocs=0: the CPUs in the affinity mask; "
				 "derived", pr->gobuild.go_version);
	else
		snprintf(why, n, "Go's default for %s: the CPUs in the affinity mask; derived, the quota is "
				 "ignored before Go 1.25", have_gv ? pr->gobuild.go_version : "this binary");
	return n_affinity;
}

/* Where the value the runtime runs with was set, for the remedy: the
 * operator's knob (the environment), the service's code, or Go's default. */
enum maxprocs_origin { ORIGIN_ENV, ORIGIN_CODE, ORIGIN_DEFAULT, ORIGIN_UNKNOWN };

static const char *origin_name(enum maxprocs_origin o)
{
	switch (o) {
	case ORIGIN_ENV: return "environment";
	case ORIGIN_CODE: return "code";
	case ORIGIN_DEFAULT: return "default";
	default: return "unknown";
	}
}

static void gomaxprocs_remedy(struct check_result *r, const struct process_facts *pr, enum maxprocs_origin origin,
			      long long effective, long long capacity, bool over)
{
	const struct cgroup_facts *cg = &pr->cgroup;
	struct go_version gv;
	bool go125 = pr->gobuild.go_version && go_version_parse(pr->gobuild.go_version, &gv) == 0 &&
		     go_version_at_least(&gv, 25);
	char val[16];
	bool maxprocs_off = go125 && effective_godebug(pr, "containermaxprocs", val, sizeof(val)) && !strcmp(val, "0");
	const char *why = over ? "more Ps than CPUs makes the Go scheduler run goroutines the kernel then "
				 "throttles (CFS quota) or time-slices"
			       : "the service leaves CPUs idle";

	switch (origin) {
	case ORIGIN_ENV:
		result_remedy(r, "%s. GOMAXPROCS=%lld comes from the service's environment: where the service "
				 "is started, set it to %lld (systemd: Environment=GOMAXPROCS=%lld in the unit, "
				 "via 'systemctl edit UNIT'; containers: the env of the pod spec or 'docker run -e') "
				 "%s; no rebuild needed",
			      why, effective, capacity, capacity,
			      go125 && !maxprocs_off ? "or unset it, so Go's container-aware default (Go >= 1.25, "
						       "which this binary is) follows the quota"
						     : "or, once the binary is built with Go >= 1.25, unset it so "
						       "the container-aware default applies");
		return;
	case ORIGIN_CODE:
		result_remedy(r, "%s. The service sets GOMAXPROCS=%lld itself (runtime.GOMAXPROCS in its code, "
				 "or a library such as automaxprocs): use its own flag or setting for it if it has "
				 "one — the GOMAXPROCS environment variable does not override a runtime.GOMAXPROCS "
				 "call — else change the code to %lld, or drop the call and let Go >= 1.25's "
				 "container-aware default decide",
			      why, effective, capacity);
		return;
	case ORIGIN_UNKNOWN:
		result_remedy(r, "%s. Set GOMAXPROCS=%lld where the service is started (systemd "
				 "Environment=GOMAXPROCS=%lld in the unit; containers: the env of the pod spec), no "
				 "rebuild needed — unless its code sets the value (runtime.GOMAXPROCS), which the "
				 "environment does not override: then its own flag or setting, or the code. Who set "
				 "%lld could not be told: the environment was unreadable",
			      why, capacity, capacity, effective);
		return;
	case ORIGIN_DEFAULT:
		break;
	}
	if (!over) {
		result_remedy(r, "%s: set GOMAXPROCS=%lld in the service's environment (systemd "
				 "Environment=GOMAXPROCS=%lld; containers: the env of the pod spec)",
			      why, capacity, capacity);
	} else if (maxprocs_off) {
		result_remedy(r, "%s. containermaxprocs=0 turns off Go's container-aware default: remove it from "
				 "GODEBUG in the service's environment (or the binary's //go:debug / go.mod godebug "
				 "line), or set GOMAXPROCS=%lld there (systemd Environment=GOMAXPROCS=%lld; "
				 "containers: the env of the pod spec)",
			      why, capacity, capacity);
	} else if (go125) {
		result_remedy(r, "%s. Go reads only its own cgroup's quota, and the one that binds is on an "
				 "ancestor (%s): set GOMAXPROCS=%lld in the service's environment (systemd "
				 "Environment=GOMAXPROCS=%lld; containers: the env of the pod spec), or put the quota "
				 "on the service's own cgroup (systemd CPUQuota= on its unit)",
			      why, cg->cpu_limit_dir[0] ? cg->cpu_limit_dir : "above the process's cgroup", capacity,
			      capacity);
	} else {
		result_remedy(r, "%s. Go before 1.25 ignores the CPU quota: set GOMAXPROCS=%lld in the service's "
				 "environment (systemd Environment=GOMAXPROCS=%lld in the unit; containers: the env "
				 "of the pod spec or 'docker run -e'), no rebuild needed; in the code, build with "
				 "Go >= 1.25 and a go >= 1.25 line in go.mod (container-aware default), or use "
				 "go.uber.org/automaxprocs",
			      why, capacity, capacity);
	}
}

CHECK_FN(check_cpu_gomaxprocs)
{
	const struct process_facts *pr = &f->proc;
	const struct cgroup_facts *cg = &pr->cgroup;
	double under = param_num(p, "under_ratio");
	struct cpuset usable = usable_cpus(pr);
	unsigned n_usable = cpuset_count(&usable), n_affinity = cpuset_count(&pr->affinity);
	long long quota_cpus = 0, effective = 0, capacity, env_v = 0;
	char source[320] = "", deflt[200] = "";
	enum maxprocs_origin origin = ORIGIN_DEFAULT;
	bool known_default;

	if (!pr->has_affinity) {
		result_set(r, STATUS_ERROR, "could not read the CPU affinity of pid %d: %s", (int)pr->pid,
			   pr->status_err.msg[0] ? pr->status_err.msg : "no Cpus_allowed_list in /proc/PID/status");
		return;
	}
	if (cg->has_quota && cg->quota_us > 0 && cg->period_us > 0)
		quota_cpus = (long long)ceil((double)cg->quota_us / (double)cg->period_us);
	if (pr->env_gomaxprocs) {
		int64_t v;

		/* The runtime ignores a malformed GOMAXPROCS and uses its default. */
		if (parse_go_int32(pr->env_gomaxprocs, &v) == 0 && v > 0)
			env_v = v;
	}
	known_default = !pr->gobuild_err.code;
	if (pr->reported_gomaxprocs > 0) {
		long long d = known_default ? go_default_maxprocs(pr, n_affinity, deflt, sizeof(deflt)) : 0;

		effective = pr->reported_gomaxprocs;
		/* The value is what the runtime runs with; who chose it is told by
		 * comparing it with the environment and Go's default. */
		if (fact_err_failed(&pr->environ_err)) {
			origin = ORIGIN_UNKNOWN;
			snprintf(source, sizeof(source), "from the service's own metric %s; who set it is unknown (%s)",
				 pr->reported_gomaxprocs_from, pr->environ_err.msg);
		} else if (env_v && env_v == effective) {
			origin = ORIGIN_ENV;
			snprintf(source, sizeof(source), "from the environment (/proc/%d/environ), as the service's own "
				 "metric %s confirms", (int)pr->pid, pr->reported_gomaxprocs_from);
		} else if (env_v || (known_default && !fact_err_failed(&pr->environ_err) && d != effective)) {
			origin = ORIGIN_CODE;
			snprintf(source, sizeof(source), "from the service's own metric %s; set by its code (%s %lld)",
				 pr->reported_gomaxprocs_from, env_v ? "the environment says" : "Go's default would be",
				 env_v ? env_v : d);
		} else {
			snprintf(source, sizeof(source), "from the service's own metric %s%s", pr->reported_gomaxprocs_from,
				 known_default && d == effective ? ", Go's default for this binary" : "");
		}
	} else if (env_v) {
		effective = env_v;
		origin = ORIGIN_ENV;
		snprintf(source, sizeof(source), "from the environment (/proc/%d/environ)", (int)pr->pid);
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
		effective = go_default_maxprocs(pr, n_affinity, deflt, sizeof(deflt));
		snprintf(source, sizeof(source), "from %s", deflt);
	}
	capacity = n_usable;
	if (quota_cpus && quota_cpus < capacity)
		capacity = quota_cpus;
	ev_int(r, "effective", effective);
	/* The evidence without the summary's "from " (every branch above
	 * writes one; checked, so a new branch cannot read past the text). */
	ev_str(r, "source", strncmp(source, "from ", 5) ? source : source + 5);
	ev_str(r, "origin", origin_name(origin));
	ev_int(r, "usable_cpus", n_usable);
	if (quota_cpus)
		ev_int(r, "quota_cpus", quota_cpus);
	else
		ev_json(r, "quota_cpus", json_null());
	if (effective > 2 * capacity)
		result_set(r, STATUS_FAIL, "GOMAXPROCS=%lld %s is more than twice the %lld CPU(s) the process can use",
			   effective, source, capacity);
	else if (effective > capacity)
		result_set(r, STATUS_WARN, "GOMAXPROCS=%lld %s is above the %lld CPU(s) the process can use",
			   effective, source, capacity);
	else if ((double)effective < under * (double)capacity)
		result_set(r, STATUS_WARN, "GOMAXPROCS=%lld %s uses less than %.0f%% of the %lld CPUs available",
			   effective, source, under * 100, capacity);
	else
		result_set(r, STATUS_PASS, "GOMAXPROCS=%lld %s, for %lld usable CPU(s)%s", effective, source, capacity,
			   quota_cpus ? " (quota)" : "");
	if (r->status != STATUS_PASS)
		gomaxprocs_remedy(r, pr, origin, effective, capacity, effective > capacity);
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

/* Where the service's GOMEMLIMIT is set, for the remedy's first knob. */
static void gomemlimit_remedy(struct check_result *r, enum maxprocs_origin origin, uint64_t limit, const char *what)
{
	/* An integer MiB the runtime parses ("236MiB"): 92% of the limit. */
	unsigned long long mib = (unsigned long long)(limit / 100 * 92) >> 20;

	if (origin == ORIGIN_CODE)
		result_remedy(r, "%s. The service sets its limit itself (debug.SetMemoryLimit in its code, or a "
				 "flag of its own): use that flag or setting if it has one — a SetMemoryLimit call "
				 "overrides GOMEMLIMIT from the environment — else change the code to about %lluMiB "
				 "(90-95%% of the limit); or change the memory limit itself (systemd MemoryMax= on the "
				 "unit, the pod's resources.limits.memory)",
			      what, mib);
	else
		result_remedy(r, "%s. Set GOMEMLIMIT=%lluMiB (90-95%% of the limit) %s the service's environment "
				 "— systemd: Environment=GOMEMLIMIT=%lluMiB in the unit ('systemctl edit UNIT'); "
				 "containers: the env of the pod spec or 'docker run -e' — and restart it; no rebuild "
				 "needed. The runtime does not count C allocations, the binary's mappings or kernel "
				 "memory, hence the margin; in code the same is debug.SetMemoryLimit%s",
			      what, mib, origin == ORIGIN_ENV ? "in place of the one in" : "in", mib,
			      origin == ORIGIN_UNKNOWN ? ". If the service's code sets the limit (debug.SetMemoryLimit), "
							 "that overrides the environment: use its own flag or setting"
						       : "");
}

CHECK_FN(check_mem_gomemlimit)
{
	const struct process_facts *pr = &f->proc;
	const struct cgroup_facts *cg = &pr->cgroup;
	double low = param_num(p, "low_ratio");
	uint64_t limit = cg->has_limit ? cg->limit_bytes : 0, gml = 0, env_gml = 0;
	const char *source = NULL;        /* where the number was read: "service", "env GOMEMLIMIT" */
	enum maxprocs_origin origin = ORIGIN_DEFAULT;
	char a[32], b[32], from[256] = "", none[256] = "";
	struct go_version gv;
	bool env_ok = false, serves_metrics = false;

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
		result_set(r, STATUS_WARN, "GOMEMLIMIT='%s' is set in the environment (/proc/%d/environ) but %s "
					   "ignores it (added in Go 1.19)",
			   pr->env_gomemlimit, (int)pr->pid, pr->gobuild.go_version);
		result_remedy(r, "only a rebuild with a supported Go release makes the limit work; until then "
				 "the heap is paced by GOGC alone (GOGC in the service's environment)");
		return;
	}
	for (size_t i = 0; i < pr->n_endpoints; i++)
		serves_metrics |= pr->endpoints[i].metrics;
	if (pr->env_gomemlimit && parse_gomemlimit(pr->env_gomemlimit, &env_gml) == 0)
		env_ok = true;
	if (pr->reported_gomemlimit > 0 && pr->reported_gomemlimit < INT64_MAX) {
		gml = (uint64_t)pr->reported_gomemlimit;
		if (fact_err_failed(&pr->environ_err)) {
			origin = ORIGIN_UNKNOWN;
			source = "service";
			snprintf(from, sizeof(from), " from the service's own metric go_gc_gomemlimit_bytes; who set it "
				 "is unknown (/proc/%d/environ unreadable)", (int)pr->pid);
		} else if (env_ok && env_gml == gml) {
			origin = ORIGIN_ENV;
			source = "service";
			snprintf(from, sizeof(from), " from the environment (/proc/%d/environ), as the service's own "
				 "metric go_gc_gomemlimit_bytes confirms", (int)pr->pid);
		} else {
			origin = ORIGIN_CODE;
			source = "service";
			snprintf(from, sizeof(from), " from the service's own metric go_gc_gomemlimit_bytes; set by its "
				 "code (%s%s%s)", pr->env_gomemlimit ? "the environment says '" : "not in the environment",
				 pr->env_gomemlimit ? pr->env_gomemlimit : "", pr->env_gomemlimit ? "'" : "");
		}
	} else if (fact_err_failed(&pr->environ_err)) {
		result_set(r, STATUS_ERROR, "GOMEMLIMIT unknown: %s%s%s", pr->environ_err.msg,
			   fact_err_failed(&pr->sockets_err) ? "; and the service's own metrics: " : "",
			   fact_err_failed(&pr->sockets_err) ? pr->sockets_err.msg : "");
		return;
	} else if (pr->env_gomemlimit) {
		if (!env_ok) {
			ev_str(r, "env", pr->env_gomemlimit);
			result_set(r, STATUS_FAIL, "GOMEMLIMIT='%s' in the environment (/proc/%d/environ) is "
						   "malformed; the Go runtime refuses to start with it",
				   pr->env_gomemlimit, (int)pr->pid);
			result_remedy(r, "write it as bytes with an optional KiB, MiB, GiB or TiB suffix (\"900MiB\"), "
					 "or \"off\", where the service's environment is set (the unit's "
					 "Environment= line, the container's env)");
			return;
		}
		gml = env_gml;
		if (gml) {
			origin = ORIGIN_ENV;
			source = "env GOMEMLIMIT";
			snprintf(from, sizeof(from), " from the environment (/proc/%d/environ)", (int)pr->pid);
		}
	}
	if (!gml)
		snprintf(none, sizeof(none), "no GOMEMLIMIT (%s in the environment, /proc/%d/environ; %s)",
			 pr->env_gomemlimit ? "'off' or empty" : "none", (int)pr->pid,
			 serves_metrics ? "the service's /metrics shows none either"
					: "one set in code, debug.SetMemoryLimit, would not show: no /metrics");
	ev_int(r, "gomemlimit_bytes", (long long)gml);
	ev_str(r, "source", source);
	ev_str(r, "origin", !gml ? "none" : origin_name(origin));
	if (!limit) {
		if (gml)
			result_set(r, STATUS_PASS, "GOMEMLIMIT=%s%s and no container memory limit", fmt_bytes(gml, a), from);
		else
			result_set(r, STATUS_PASS, "no container memory limit and %s", none);
		return;
	}
	ev_real(r, "ratio", (double)gml / (double)limit);
	if (!gml) {
		result_set(r, STATUS_WARN, "memory limit %s but %s: the GC paces only by GOGC and can run into "
					   "the OOM killer", fmt_bytes(limit, a), none);
		gomemlimit_remedy(r, ORIGIN_DEFAULT, limit, "without a limit the GC works no harder as the heap "
							    "nears the container's limit");
	} else if (gml > limit) {
		result_set(r, STATUS_FAIL, "GOMEMLIMIT=%s%s is above the memory limit %s: the OOM killer comes first",
			   fmt_bytes(gml, a), from, fmt_bytes(limit, b));
		gomemlimit_remedy(r, origin, limit, "the kernel kills the process before the GC defends the limit");
	} else if ((double)gml < low * (double)limit) {
		result_set(r, STATUS_WARN, "GOMEMLIMIT=%s%s is below %.0f%% of the memory limit %s: the GC will "
					   "run far more often than it needs to", fmt_bytes(gml, a), from, low * 100,
			   fmt_bytes(limit, b));
		gomemlimit_remedy(r, origin, limit, "raise it unless other processes share the limit");
	} else {
		result_set(r, STATUS_PASS, "GOMEMLIMIT=%s%s is %.0f%% of the memory limit %s", fmt_bytes(gml, a), from,
			   100.0 * (double)gml / (double)limit, fmt_bytes(limit, b));
	}
}
