#include "collect/cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/parse.h"

static const char *const ctl_names[CGROUP_NCTL] = { "cpu", "cpuset", "memory" };

/* The largest cgroup interface file we read (a cpuset list of 4096
 * scattered CPUs stays well below this). */
#define CGROUP_FILE_MAX 65536

/* v1 stores "no limit" as PAGE_COUNTER_MAX pages and prints it as a huge
 * page-aligned number (9223372036854771712 with 4 KiB pages); the exact
 * value depends on the page size, so anything this large means unlimited. */
#define V1_UNLIMITED (1ull << 62)

/* Decodes the kernel's octal escapes (\040 space, \011 tab, \012 newline,
 * \134 backslash) in place; anything else is left as it is. */
static void unescape_octal(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

int mountinfo_parse_line(char *line, struct mountinfo_entry *ret)
{
	char *head[6], *tail[3], *tok, *p = line;
	size_t nhead = 0, ntail = 0;
	bool sep = false;

	/* Fields are separated by exactly one space (an empty source would
	 * otherwise shift everything), and the optional fields before " - "
	 * come in any number. */
	while ((tok = strsep(&p, " ")) != NULL) {
		if (nhead < 6)
			head[nhead++] = tok;
		else if (!sep)
			sep = strcmp(tok, "-") == 0;
		else if (ntail < 3)
			tail[ntail++] = tok;
	}
	/* The root may be "net:[4026532281]" for nsfs, but a mount point is
	 * always absolute. */
	if (nhead < 6 || !sep || ntail < 3 || head[4][0] != '/')
		return -PF_EPARSE;
	unescape_octal(head[3]);
	unescape_octal(head[4]);
	ret->root = head[3];
	ret->mountpoint = head[4];
	ret->fstype = tail[0];
	ret->super_opts = tail[2];
	return 0;
}

static bool list_has(const char *list, char sep, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, sep);
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && memcmp(p, name, n) == 0)
			return true;
		if (!end)
			return false;
		p = end + 1;
	}
}

/* The kernel shows a cgroup outside the reader's cgroup namespace as
 * "/../..", which no mount can show. */
static bool has_dotdot(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, "..")) != NULL) {
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
		p += 2;
	}
	return false;
}

/* A mount shows the cgroup at path when its root is path or an ancestor of
 * it (bind mounts and cgroup namespaces mount a subtree); *rel is then the
 * rest of path below the mount point. */
static bool mount_shows(const char *mroot, const char *path, const char **rel)
{
	size_t n;

	if (path[0] != '/' || has_dotdot(path))
		return false;
	if (strcmp(mroot, "/") == 0) {
		*rel = path;
		return true;
	}
	n = strlen(mroot);
	if (strncmp(path, mroot, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return false;
	*rel = path + n;
	return true;
}

static int loc_set(struct cgroup_loc *loc, int version, const char *mountpoint, const char *rel,
		   struct err *e)
{
	int w;

	if (strcmp(rel, "/") == 0)
		rel = "";
	if (strcmp(mountpoint, "/") == 0)
		w = snprintf(loc->dir, sizeof(loc->dir), "%s", *rel ? rel : "/");
	else
		w = snprintf(loc->dir, sizeof(loc->dir), "%s%s", mountpoint, rel);
	if (w < 0 || (size_t)w >= sizeof(loc->dir))
		return err_set(e, -ENAMETOOLONG, "cgroup directory '%s%s' is too long", mountpoint, rel);
	w = snprintf(loc->top, sizeof(loc->top), "%s", mountpoint);
	if (w < 0 || (size_t)w >= sizeof(loc->top))
		return err_set(e, -ENAMETOOLONG, "cgroup mount point '%s' is too long", mountpoint);
	loc->version = version;
	return 0;
}

/* Picks, among the cgroup mounts that show path, the one with the shortest
 * root: it shows the most ancestors, which the ancestor rule needs. A mount
 * hidden by a later cgroup mount on the same mount point is skipped. Returns the
 * index, or -ENOENT when no mount shows path. */
static long pick_mount(const struct mountinfo_entry *m, size_t n, bool v2, const char *ctl,
		       const char *path, const char **ret_rel)
{
	long best = -ENOENT;
	const char *rel;

	for (size_t i = 0; i < n; i++) {
		bool hidden = false;

		if (strcmp(m[i].fstype, v2 ? "cgroup2" : "cgroup") != 0)
			continue;
		if (!v2 && !list_has(m[i].super_opts, ',', ctl))
			continue;
		if (!mount_shows(m[i].root, path, &rel))
			continue;
		for (size_t j = i + 1; j < n && !hidden; j++)
			hidden = strcmp(m[j].mountpoint, m[i].mountpoint) == 0;
		if (hidden)
			continue;
		if (best < 0 || strlen(m[i].root) < strlen(m[best].root)) {
			best = (long)i;
			*ret_rel = rel;
		}
	}
	return best;
}

/* Iterates over the non-empty lines of text, splitting it in place. */
#define FOR_EACH_LINE(text, line, save) \
	for (char *line = strtok_r((text), "\n", &(save)); line; line = strtok_r(NULL, "\n", &(save)))

int cgroup_resolve(const char *proc_cgroup, const char *mountinfo, struct cgroup_paths *ret,
		   struct err *e)
{
	struct cgroup_paths res;
	struct mountinfo_entry *mounts = NULL;
	size_t nmounts = 0, cap = 0, lineno = 0;
	const char *v1path[CGROUP_NCTL] = { NULL }, *v2path = NULL;
	char *cg = NULL, *mi = NULL, *save = NULL;
	int r = 0;

	memset(&res, 0, sizeof(res));
	cg = strdup(proc_cgroup);
	mi = strdup(mountinfo);
	if (!cg || !mi) {
		r = -ENOMEM;
		goto out;
	}

	/* "ID:CONTROLLERS:PATH"; the path may itself contain colons. */
	FOR_EACH_LINE(cg, line, save) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		uint64_t id;

		lineno++;
		if (!c2 || parse_u64_n(line, (size_t)(c1 - line), &id) < 0 || c2[1] != '/') {
			r = err_set(e, -PF_EPARSE, "line %zu of the cgroup list is malformed", lineno);
			goto out;
		}
		*c1 = *c2 = '\0';
		if (id == 0 && c1[1] == '\0') {
			v2path = c2 + 1;
			continue;
		}
		for (int i = 0; i < CGROUP_NCTL; i++)
			if (list_has(c1 + 1, ',', ctl_names[i]))
				v1path[i] = c2 + 1;
	}

	save = NULL;
	lineno = 0;
	FOR_EACH_LINE(mi, line, save) {
		struct mountinfo_entry ent;

		lineno++;
		if (mountinfo_parse_line(line, &ent) < 0) {
			r = err_set(e, -PF_EPARSE, "line %zu of mountinfo is malformed", lineno);
			goto out;
		}
		if (strcmp(ent.fstype, "cgroup") != 0 && strcmp(ent.fstype, "cgroup2") != 0)
			continue;
		if (array_reserve(&mounts, &cap, nmounts, sizeof(*mounts), 16) < 0) {
			r = -ENOMEM;
			goto out;
		}
		mounts[nmounts++] = ent;
	}

	if (v2path) {
		const char *rel;
		long m = pick_mount(mounts, nmounts, true, NULL, v2path, &rel);

		if (m >= 0) {
			r = loc_set(&res.unified, 2, mounts[m].mountpoint, rel, e);
			if (r < 0)
				goto out;
		}
	}
	for (int i = 0; i < CGROUP_NCTL; i++) {
		const char *rel;
		long m;

		if (!v1path[i]) {
			/* Not bound to a v1 hierarchy, so it can only be on v2. */
			if (res.unified.version == 2)
				res.ctl[i] = res.unified;
			continue;
		}
		m = pick_mount(mounts, nmounts, false, ctl_names[i], v1path[i], &rel);
		if (m < 0)
			continue;
		r = loc_set(&res.ctl[i], 1, mounts[m].mountpoint, rel, e);
		if (r < 0)
			goto out;
	}
	*ret = res;
out:
	free(mounts);
	free(cg);
	free(mi);
	return r;
}

static int read_cg(const char *root, const char *dir, const char *name, struct buf *b)
{
	char path[CGROUP_PATH_MAX + 64];
	size_t dl = strlen(dir);
	int w = snprintf(path, sizeof(path), "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name);

	if (w < 0 || (size_t)w >= sizeof(path))
		return -ENAMETOOLONG;
	return read_file(root, path, b);
}

/* Moves dir one level up; false once dir is the mount point top (or "/",
 * so the walk ends whatever top is). */
static bool cg_parent(char *dir, const char *top)
{
	size_t tl = strlen(top);
	char *slash;

	if (strlen(dir) <= tl || strcmp(dir, "/") == 0)
		return false;
	slash = strrchr(dir, '/');
	if (!slash)
		return false;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (strlen(dir) < tl)
		snprintf(dir, CGROUP_PATH_MAX, "%s", top);
	return true;
}

/* Finds "key value" in a flat keyed file (cpu.stat, memory.events,
 * memory.oom_control); keys are matched by name, since new ones appear
 * over time. */
static int kv_find(const char *text, const char *key, uint64_t *ret)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > kl && memcmp(p, key, kl) == 0 && p[kl] == ' ')
			return parse_u64_n(p + kl + 1, len - kl - 1, ret);
		if (!nl)
			break;
		p = nl + 1;
	}
	return -ENOENT;
}

/* quota/period of one level: q < 0 when the level sets no limit. */
static int read_quota(const char *root, int version, const char *dir, struct buf *b, int64_t *q,
		      int64_t *p)
{
	char *f[3];
	int r;

	if (version == 2) {
		r = read_cg(root, dir, "cpu.max", b);
		if (r < 0)
			return r;
		if (split_fields(b->data, " \t\n", f, 3) != 2)
			return -PF_EPARSE;
		if (strcmp(f[0], "max") == 0)
			*q = -1;
		else if (parse_i64(f[0], q) < 0 || *q <= 0)
			return -PF_EPARSE;
		if (parse_i64(f[1], p) < 0 || *p <= 0)
			return -PF_EPARSE;
		return 0;
	}
	r = read_cg(root, dir, "cpu.cfs_quota_us", b);
	if (r < 0)
		return r;
	if (parse_i64(b->data, q) < 0)
		return -PF_EPARSE;
	if (*q <= 0)
		*q = -1;
	r = read_cg(root, dir, "cpu.cfs_period_us", b);
	if (r < 0)
		return r;
	if (parse_i64(b->data, p) < 0 || *p <= 0)
		return -PF_EPARSE;
	return 0;
}

/* q1/p1 < q2/p2, without rounding: the CPUs a quota grants is the ratio. */
static bool quota_tighter(int64_t q1, int64_t p1, int64_t q2, int64_t p2)
{
	return (unsigned __int128)q1 * (unsigned __int128)p2 < (unsigned __int128)q2 * (unsigned __int128)p1;
}

static void collect_cpu(const char *root, const struct cgroup_loc *loc, struct cgroup_facts *ret,
			struct buf *b)
{
	char cur[CGROUP_PATH_MAX];
	const char *stat_dir;
	uint64_t periods, throttled, tusec;

	/* The ancestor rule: a child without a quota of its own still runs
	 * inside its parent's bandwidth, so the limit the process lives under
	 * is the tightest quota/period among the cgroup and every ancestor we
	 * can see (up to the mount point). */
	snprintf(cur, sizeof(cur), "%s", loc->dir);
	do {
		int64_t q, p;

		if (read_quota(root, loc->version, cur, b, &q, &p) < 0)
			continue;
		if (!strcmp(cur, loc->dir)) {
			ret->leaf_quota_us = q;
			ret->leaf_period_us = p;
		}
		if (!ret->has_quota) {
			ret->has_quota = true;
			ret->quota_us = -1;
			ret->period_us = p;
		}
		if (q > 0 && (ret->quota_us < 0 || quota_tighter(q, p, ret->quota_us, ret->period_us))) {
			ret->quota_us = q;
			ret->period_us = p;
			snprintf(ret->cpu_limit_dir, sizeof(ret->cpu_limit_dir), "%s", cur);
		}
	} while (cg_parent(cur, loc->top));

	/* Throttling is counted where the quota is enforced. */
	stat_dir = ret->cpu_limit_dir[0] ? ret->cpu_limit_dir : loc->dir;
	if (read_cg(root, stat_dir, "cpu.stat", b) < 0)
		return;
	if (kv_find(b->data, "nr_periods", &periods) < 0 || kv_find(b->data, "nr_throttled", &throttled) < 0)
		return;
	if (kv_find(b->data, "throttled_usec", &tusec) < 0) {
		/* v1 reports throttled_time in nanoseconds. */
		if (kv_find(b->data, "throttled_time", &tusec) < 0)
			return;
		tusec /= 1000;
	}
	ret->has_cpu_stat = true;
	ret->nr_periods = periods;
	ret->nr_throttled = throttled;
	ret->throttled_usec = tusec;
}

static int read_cpuset_file(const char *root, const char *dir, const char *name, struct buf *b,
			    struct cpuset *set)
{
	int r = read_cg(root, dir, name, b);

	return r < 0 ? r : cpuset_parse_list(b->data, set);
}

static void collect_cpuset(const char *root, const struct cgroup_loc *loc, struct cgroup_facts *ret,
			   struct buf *b)
{
	char cur[CGROUP_PATH_MAX];

	/* On v2 a cgroup without the cpuset controller enabled has no cpuset
	 * files and gets what its nearest ancestor with them grants. */
	snprintf(cur, sizeof(cur), "%s", loc->dir);
	do {
		struct cpuset cpus, mems;

		if (loc->version == 2) {
			if (read_cpuset_file(root, cur, "cpuset.cpus.effective", b, &cpus) < 0 ||
			    read_cpuset_file(root, cur, "cpuset.mems.effective", b, &mems) < 0)
				continue;
		} else {
			/* effective_* appeared in 4.x; before, cpus/mems were what applied. */
			if (read_cpuset_file(root, cur, "cpuset.effective_cpus", b, &cpus) < 0 &&
			    read_cpuset_file(root, cur, "cpuset.cpus", b, &cpus) < 0)
				continue;
			if (read_cpuset_file(root, cur, "cpuset.effective_mems", b, &mems) < 0 &&
			    read_cpuset_file(root, cur, "cpuset.mems", b, &mems) < 0)
				continue;
		}
		ret->has_cpuset = true;
		ret->cpus = cpus;
		ret->mems = mems;
		return;
	} while (cg_parent(cur, loc->top));
}

/* One level's memory limit; 0 with *limited false when it sets none. */
static int read_mem_limit(const char *root, int version, const char *dir, struct buf *b, bool *limited,
			  uint64_t *v)
{
	int r = read_cg(root, dir, version == 2 ? "memory.max" : "memory.limit_in_bytes", b);

	if (r < 0)
		return r;
	*limited = false;
	if (version == 2 && strcmp(rstrip(b->data), "max") == 0)
		return 0;
	if (parse_u64(b->data, v) < 0)
		return -PF_EPARSE;
	*limited = version == 2 || *v < V1_UNLIMITED;
	return 0;
}

static void collect_memory(const char *root, const struct cgroup_loc *loc, struct cgroup_facts *ret,
			   struct buf *b)
{
	char cur[CGROUP_PATH_MAX];
	uint64_t v;
	bool any = false;

	/* The ancestor rule, as for CPU: the process is OOM-killed when any
	 * ancestor's limit is reached, so the smallest one binds. (v1 with
	 * use_hierarchy=0, gone since 5.x, ignored parents; we do not.) */
	snprintf(cur, sizeof(cur), "%s", loc->dir);
	do {
		bool limited;

		if (read_mem_limit(root, loc->version, cur, b, &limited, &v) < 0)
			continue;
		any = true;
		if (limited && (!ret->has_limit || v < ret->limit_bytes)) {
			ret->has_limit = true;
			ret->limit_bytes = v;
			snprintf(ret->memory_limit_dir, sizeof(ret->memory_limit_dir), "%s", cur);
		}
	} while (cg_parent(cur, loc->top));

	if (read_cg(root, loc->dir, loc->version == 2 ? "memory.current" : "memory.usage_in_bytes", b) == 0 &&
	    parse_u64(b->data, &v) == 0) {
		any = true;
		ret->usage_bytes = v;
	}
	/* v2 memory.events counts kills in the cgroup and its descendants;
	 * v1 memory.oom_control has the oom_kill line since 4.13 only. */
	if (read_cg(root, loc->dir, loc->version == 2 ? "memory.events" : "memory.oom_control", b) == 0 &&
	    kv_find(b->data, "oom_kill", &v) == 0) {
		ret->has_oom_kills = true;
		ret->oom_kills = v;
	}
	ret->has_memory = any;
}

/* Keeps only the v2 controllers that the visible top of the unified
 * hierarchy lists in cgroup.controllers: on a hybrid host a controller
 * bound to no hierarchy at all is neither v1 nor v2. An unreadable list
 * leaves the guess in place; the interface files will then tell. */
static void confirm_v2(const char *root, struct cgroup_paths *paths, struct buf *b)
{
	if (paths->unified.version != 2 || read_cg(root, paths->unified.top, "cgroup.controllers", b) < 0)
		return;
	rstrip(b->data);
	for (int i = 0; i < CGROUP_NCTL; i++)
		if (paths->ctl[i].version == 2 && !list_has(b->data, ' ', ctl_names[i]))
			paths->ctl[i].version = 0;
}

/* The mountinfo to resolve pid's cgroup paths with. /proc/PID/cgroup
 * shows paths relative to the reader's cgroup namespace, and the files
 * are read in the reader's mount namespace: on the live system that is
 * our own mountinfo, whatever the target's mount namespace (a container
 * mounts its cgroup at /sys/fs/cgroup, which in ours is the host's root
 * cgroup; `ip netns exec` leaves no cgroup mount at all). A fixture tree
 * has only the target's. */
static void mountinfo_for(const char *root, pid_t pid, char *out, size_t n)
{
	if (pid == 0 || !root || !root[0])
		snprintf(out, n, "/proc/self/mountinfo");
	else
		snprintf(out, n, "/proc/%d/mountinfo", (int)pid);
}

/* The first cgroup path of /proc/PID/cgroup that lies outside the
 * reader's cgroup namespace ("0::/../../other"), or NULL. */
static const char *outside_path(const char *cg, char *out, size_t n)
{
	const char *p = strstr(cg, ":/..");

	if (!p)
		return NULL;
	snprintf(out, n, "%.*s", (int)strcspn(p + 1, "\n"), p + 1);
	return out;
}

int cgroup_collect(const char *root, pid_t pid, struct cgroup_facts *ret)
{
	struct buf cg = BUF_INIT(FILEIO_MAX_KERNEL_FILE), mi = BUF_INIT(FILEIO_MAX_KERNEL_FILE);
	struct buf b = BUF_INIT(CGROUP_FILE_MAX);
	struct cgroup_paths *paths = NULL;
	char cg_path[64], mi_path[64];
	struct err e = { { 0 } };
	int r;

	memset(ret, 0, sizeof(*ret));
	if (pid < 0) {
		r = err_set(&e, -EINVAL, "pid %d is not valid", (int)pid);
		goto out;
	}
	if (pid == 0)
		snprintf(cg_path, sizeof(cg_path), "/proc/self/cgroup");
	else
		snprintf(cg_path, sizeof(cg_path), "/proc/%d/cgroup", (int)pid);
	mountinfo_for(root, pid, mi_path, sizeof(mi_path));
	r = read_file(root, cg_path, &cg);
	if (r < 0) {
		err_errno(&e, r, "could not read '%s'", cg_path);
		goto out;
	}
	r = read_file(root, mi_path, &mi);
	if (r < 0) {
		err_errno(&e, r, "could not read '%s'", mi_path);
		goto out;
	}
	paths = malloc(sizeof(*paths));
	if (!paths) {
		r = err_set(&e, -ENOMEM, "out of memory");
		goto out;
	}
	r = cgroup_resolve(cg.data, mi.data, paths, &e);
	if (r < 0) {
		struct err why = e;

		err_set(&e, r, "could not resolve the cgroups of '%.*s': %s", (int)(strlen(cg_path) - 7),
			cg_path, why.msg[0] ? why.msg : err_str(r));
		goto out;
	}
	confirm_v2(root, paths, &b);
	/* A cgroup above our cgroup namespace's root is shown as "/..": no
	 * mount of ours shows it, and "no controller" would read as no limit. */
	if (!paths->ctl[CGROUP_CPU].version && !paths->ctl[CGROUP_MEMORY].version) {
		char outside[CGROUP_PATH_MAX];

		if (outside_path(cg.data, outside, sizeof(outside))) {
			r = err_set(&e, -EXDEV,
				    "the cgroup '%s' of pid %d lies outside preflight's cgroup namespace: run preflight "
				    "in the host's cgroup namespace (or in the target's)", outside, (int)pid);
			goto out;
		}
	}

	ret->cpu_version = paths->ctl[CGROUP_CPU].version;
	ret->memory_version = paths->ctl[CGROUP_MEMORY].version;
	if (ret->cpu_version) {
		snprintf(ret->cpu_dir, sizeof(ret->cpu_dir), "%s", paths->ctl[CGROUP_CPU].dir);
		collect_cpu(root, &paths->ctl[CGROUP_CPU], ret, &b);
	}
	if (paths->ctl[CGROUP_CPUSET].version)
		collect_cpuset(root, &paths->ctl[CGROUP_CPUSET], ret, &b);
	if (ret->memory_version) {
		snprintf(ret->memory_dir, sizeof(ret->memory_dir), "%s", paths->ctl[CGROUP_MEMORY].dir);
		ret->memory_is_top = !strcmp(paths->ctl[CGROUP_MEMORY].dir, paths->ctl[CGROUP_MEMORY].top);
		collect_memory(root, &paths->ctl[CGROUP_MEMORY], ret, &b);
	}
	if (paths->unified.version == 2)
		snprintf(ret->unified_dir, sizeof(ret->unified_dir), "%s", paths->unified.dir);
out:
	if (r < 0)
		fact_err_set(&ret->err, r, &e);
	free(paths);
	buf_release(&cg);
	buf_release(&mi);
	buf_release(&b);
	return r;
}
