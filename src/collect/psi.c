#include "collect/psi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/fileio.h"
#include "base/parse.h"
#include "collect/cgroup.h"

/* A pressure file is two lines of under 80 bytes; anything longer than
 * this is not one. */
#define PSI_FILE_MAX 4096

static const char *const res_names[PSI_NRES] = { "cpu", "memory", "io" };

const char *psi_res_name(enum psi_res r)
{
	return (unsigned)r < PSI_NRES ? res_names[r] : "?";
}

/* "12.34" as the kernel prints a percentage (%lu.%02lu): digits, an
 * optional fraction, 0..100. Into a ratio. */
static int parse_percent(const char *s, size_t n, double *ret)
{
	uint64_t ip = 0, fp = 0;
	size_t il = 0, fl = 0;
	double v;

	if (parse_u64_prefix(s, n, &ip, &il) < 0 || il > 3)
		return -PF_EPARSE;
	if (il < n) {
		if (s[il] != '.' || il + 1 >= n || n - il - 1 > 6)
			return -PF_EPARSE;
		if (parse_u64_n(s + il + 1, n - il - 1, &fp) < 0)
			return -PF_EPARSE;
		fl = n - il - 1;
	}
	v = (double)fp;
	for (size_t i = 0; i < fl; i++)
		v /= 10;
	v += (double)ip;
	if (v > 100)
		return -PF_EPARSE;
	*ret = v / 100;
	return 0;
}

/* One line after its "some "/"full " word: space-separated key=value. */
static int parse_line(const char *s, size_t n, struct psi_line *ret)
{
	unsigned seen = 0;
	size_t i = 0;

	memset(ret, 0, sizeof(*ret));
	while (i < n) {
		size_t start = i, eq = 0, klen;
		const char *v;
		size_t vlen;

		while (i < n && s[i] != ' ')
			i++;
		for (size_t k = start; k < i; k++)
			if (s[k] == '=') {
				eq = k;
				break;
			}
		if (i == start || !eq)
			return -PF_EPARSE;
		klen = eq - start;
		v = s + eq + 1;
		vlen = i - eq - 1;
		if (klen == 5 && !memcmp(s + start, "avg10", 5)) {
			if (seen & 1 || parse_percent(v, vlen, &ret->avg10) < 0)
				return -PF_EPARSE;
			seen |= 1;
		} else if (klen == 5 && !memcmp(s + start, "avg60", 5)) {
			if (seen & 2 || parse_percent(v, vlen, &ret->avg60) < 0)
				return -PF_EPARSE;
			seen |= 2;
		} else if (klen == 6 && !memcmp(s + start, "avg300", 6)) {
			if (seen & 4 || parse_percent(v, vlen, &ret->avg300) < 0)
				return -PF_EPARSE;
			seen |= 4;
		} else if (klen == 5 && !memcmp(s + start, "total", 5)) {
			if (seen & 8 || parse_u64_n(v, vlen, &ret->total_us) < 0)
				return -PF_EPARSE;
			seen |= 8;
		}
		/* One space between fields, none at the end. */
		if (i < n) {
			i++;
			if (i == n)
				return -PF_EPARSE;
		}
	}
	if (seen != 15)
		return -PF_EPARSE;
	ret->set = true;
	return 0;
}

int psi_parse(const char *text, struct psi_record *ret)
{
	const char *p = text;

	memset(ret, 0, sizeof(*ret));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct psi_line *dst;

		if (len == 0) {
			p += nl ? 1 : 0;
			if (!nl)
				break;
			continue;
		}
		if (len > 5 && !memcmp(p, "some ", 5))
			dst = &ret->some;
		else if (len > 5 && !memcmp(p, "full ", 5))
			dst = &ret->full;
		else
			goto bad;
		if (dst->set || parse_line(p + 5, len - 5, dst) < 0)
			goto bad;
		p += len + (nl ? 1 : 0);
	}
	if (ret->some.set)
		return 0;
bad:
	/* Nothing half-filled on failure. */
	memset(ret, 0, sizeof(*ret));
	return -PF_EPARSE;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int file_path(const struct psi_scope *s, enum psi_res r, bool host, char *out, size_t n)
{
	size_t dl = strlen(s->dir);
	int w = host ? snprintf(out, n, "%s/%s", s->dir, res_names[r])
		     : snprintf(out, n, "%s%s%s.pressure", s->dir, dl && s->dir[dl - 1] == '/' ? "" : "/",
				res_names[r]);

	return w < 0 || (size_t)w >= n ? -ENAMETOOLONG : 0;
}

/* Reads one file into rec; 0, or -ENOENT/-EOPNOTSUPP for "not there",
 * another negative code with fe filled otherwise. */
static int read_one(const char *root, const struct psi_scope *s, enum psi_res r, bool host,
		    struct psi_record *rec, struct fact_err *fe, struct buf *b)
{
	char path[600];
	int rc = file_path(s, r, host, path, sizeof(path));

	if (rc == 0)
		rc = read_file(root, path, b);
	if (rc == -ENOENT || rc == -EOPNOTSUPP)
		return rc;
	if (rc < 0) {
		fact_err_setf(fe, rc, "cannot read '%s': %s%s", path, strerror(-rc),
			      rc == -EACCES || rc == -EPERM ? " (run as root)" : "");
		return rc;
	}
	if (psi_parse(buf_str(b), rec) < 0) {
		fact_err_setf(fe, -PF_EPARSE, "'%s' is not a pressure file (no \"some avg10=.. avg60=.. "
					      "avg300=.. total=..\" line)", path);
		return -PF_EPARSE;
	}
	return 0;
}

static void scope_start(const char *root, struct psi_scope *s, bool host, struct buf *b)
{
	unsigned absent = 0, unsupported = 0;

	s->attempted = true;
	for (int r = 0; r < PSI_NRES; r++) {
		struct psi_resource *pr = &s->res[r];
		int rc = read_one(root, s, (enum psi_res)r, host, &pr->start, &pr->err, b);

		pr->t_start = mono_now();
		if (rc == 0)
			pr->state = PSI_OK;
		else if (rc == -ENOENT || rc == -EOPNOTSUPP) {
			pr->state = PSI_ABSENT;
			absent++;
			unsupported += rc == -EOPNOTSUPP;
		} else {
			pr->state = PSI_FAILED;
		}
	}
	if (absent < PSI_NRES)
		return;
	if (unsupported)
		snprintf(s->absent, sizeof(s->absent), "pressure accounting is turned off for '%s' (reads "
			 "answer EOPNOTSUPP: psi=0, or cgroup.pressure set to 0)", s->dir);
	else if (host)
		snprintf(s->absent, sizeof(s->absent), "PSI not available (kernel built without CONFIG_PSI or "
			 "psi=0 boot param): no %s", s->dir);
	else
		snprintf(s->absent, sizeof(s->absent), "no pressure files in the cgroup '%s' (PSI off: "
			 "CONFIG_PSI, psi=0)", s->dir);
}

/* The target's cgroup v2 directory, from what cgroup_collect resolved
 * (one resolution for every reader: the namespace and mount rules live
 * there). */
static void cgroup_dir(pid_t pid, const struct cgroup_facts *cg, struct psi_scope *s)
{
	s->attempted = true;
	if (fact_err_failed(&cg->err)) {
		/* Not PSI's own failure: the cgroup checks report it. Marked failed
		 * so the pressure check does not call it absent. */
		for (int i = 0; i < PSI_NRES; i++) {
			s->res[i].state = PSI_FAILED;
			fact_err_setf(&s->res[i].err, cg->err.code, "cannot find the cgroup of pid %d: %s", (int)pid,
				      cg->err.msg);
		}
		return;
	}
	if (!cg->unified_dir[0]) {
		snprintf(s->absent, sizeof(s->absent), "pid %d is in no cgroup v2 hierarchy (cgroup v1 has no "
			 "pressure files)", (int)pid);
		return;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", cg->unified_dir);
}

void psi_collect_start(const char *root, pid_t pid, const struct cgroup_facts *cg, struct psi_facts *ret)
{
	struct buf b = BUF_INIT(PSI_FILE_MAX);

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->host.dir, sizeof(ret->host.dir), "/proc/pressure");
	scope_start(root, &ret->host, true, &b);
	if (pid > 0 && cg) {
		cgroup_dir(pid, cg, &ret->cgroup);
		if (ret->cgroup.dir[0])
			scope_start(root, &ret->cgroup, false, &b);
	}
	buf_release(&b);
}

static void scope_end(const char *root, struct psi_scope *s, bool host, struct buf *b)
{
	for (int r = 0; r < PSI_NRES; r++) {
		struct psi_resource *pr = &s->res[r];
		struct fact_err ignore = { 0 };

		if (pr->state != PSI_OK)
			continue;
		/* A second read that fails leaves the start's figures standing:
		 * the averages are still the kernel's, only the window rate is lost. */
		pr->has_end = read_one(root, s, (enum psi_res)r, host, &pr->end, &ignore, b) == 0;
		pr->t_end = mono_now();
	}
}

void psi_collect_end(const char *root, struct psi_facts *f)
{
	struct buf b = BUF_INIT(PSI_FILE_MAX);

	if (f->host.attempted && !f->host.absent[0])
		scope_end(root, &f->host, true, &b);
	if (f->cgroup.attempted && f->cgroup.dir[0] && !f->cgroup.absent[0])
		scope_end(root, &f->cgroup, false, &b);
	buf_release(&b);
}
