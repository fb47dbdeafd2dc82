#include "io/watch_store.h"

#include <ctype.h>
#include <jansson.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/array.h"
#include "base/parse.h"
#include "check/watch_trigger.h"

#define PARTIAL_SUFFIX ".partial"
/* Stems taken in one second before we give up: more than one event per
 * reason per second needs a cooldown under a second. */
#define STEM_TRIES 1000

static const char *const kinds[] = { "heap-", "goroutine-", "memstats-", "meta-" };
/* Longest first: ".debug2.txt" must win over ".txt". */
static const char *const suffixes[] = { ".debug2.txt", ".pb.gz", ".json", ".txt", ".pb" };

static size_t starts(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) ? 0 : n;
}

static bool ends(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* "20261126T100000Z-REASON" or "...-REASON-N" with N a number >= 2. */
static bool valid_stem(const char *s, size_t len)
{
	static const char shape[] = "ddddddddTddddddZ-";
	size_t n = sizeof(shape) - 1, rl;
	const char *rest;

	if (len <= n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	rest = s + n;
	rl = len - n;
	for (int r = 0; r < WATCH_N_REASONS; r++) {
		const char *name = watch_reason_name((enum watch_reason)r);
		size_t nl = strlen(name), i;

		if (rl < nl || memcmp(rest, name, nl))
			continue;
		if (rl == nl)
			return true;
		if (rest[nl] != '-' || rl == nl + 1 || rest[nl + 1] == '0')
			continue;
		for (i = nl + 1; i < rl && isdigit((unsigned char)rest[i]); i++)
			;
		if (i == rl)
			return true;
	}
	return false;
}

bool watch_store_parse_name(const char *name, char *stem)
{
	size_t k = 0, len = strlen(name), sl;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !k; i++)
		k = starts(name, kinds[i]);
	if (!k)
		return false;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (!ends(name, len, suffixes[i]))
			continue;
		if (len < k + strlen(suffixes[i]))
			return false;
		sl = len - k - strlen(suffixes[i]);
		if (sl >= WATCH_STEM_MAX || !valid_stem(name + k, sl))
			continue;
		if (stem) {
			memcpy(stem, name + k, sl);
			stem[sl] = '\0';
		}
		return true;
	}
	return false;
}

/* ".NAME.partial" for an event file NAME. */
static bool is_our_partial(const char *name)
{
	char inner[WATCH_NAME_MAX + 16];
	size_t len = strlen(name), pl = strlen(PARTIAL_SUFFIX);

	if (name[0] != '.' || !ends(name, len, PARTIAL_SUFFIX) || len - 1 - pl >= sizeof(inner))
		return false;
	memcpy(inner, name + 1, len - 1 - pl);
	inner[len - 1 - pl] = '\0';
	return watch_store_parse_name(inner, NULL);
}

static void remove_partials(struct watch_store *s)
{
	int fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	/* Best effort: a partial left behind is never read as an event, and
	 * the next open tries again. */
	while ((de = readdir(d)))
		if (is_our_partial(de->d_name))
			(void)unlinkat(s->dirfd, de->d_name, 0);
	closedir(d);
}

int watch_store_open(struct watch_store *s, const char *dir, unsigned keep, struct err *e)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->dirfd = -1;
	s->keep = keep;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_errno(e, -errno, "'%s': cannot create the directory", dir);
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return err_errno(e, -errno, "'%s': cannot open the directory", dir);
	if (flock(s->dirfd, LOCK_EX | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (r == -EBUSY)
			err_set(e, r, "'%s': another preflight watch writes to this directory", dir);
		else
			err_errno(e, r, "'%s': cannot lock the directory", dir);
		goto fail;
	}
	s->dir = strdup(dir);
	if (!s->dir) {
		r = err_errno(e, -ENOMEM, "'%s'", dir);
		goto fail;
	}
	remove_partials(s);
	return 0;
fail:
	close(s->dirfd);
	s->dirfd = -1;
	return r;
}

void watch_store_close(struct watch_store *s)
{
	watch_store_abort(s);
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
	free(s->dir);
	s->dir = NULL;
}

static bool stem_taken(const struct watch_store *s, const char *stem)
{
	char name[WATCH_NAME_MAX];
	struct stat st;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t x = 0; x < sizeof(suffixes) / sizeof(suffixes[0]); x++) {
			snprintf(name, sizeof(name), "%s%s%s", kinds[k], stem, suffixes[x]);
			if (fstatat(s->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
				return true;
		}
	return false;
}

int watch_store_begin(struct watch_store *s, double wall, const char *reason, struct err *e)
{
	time_t secs = (time_t)floor(wall);
	struct tm tm;
	char stamp[32];

	watch_store_abort(s);
	if (!gmtime_r(&secs, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
		return err_set(e, -EINVAL, "cannot format the time %.0f", wall);
	for (int i = strcmp(stamp, s->last_stamp) ? 1 : s->last_seq + 1; i <= STEM_TRIES; i++) {
		int w = i == 1 ? snprintf(s->stem, sizeof(s->stem), "%s-%s", stamp, reason)
			       : snprintf(s->stem, sizeof(s->stem), "%s-%s-%d", stamp, reason, i);

		/* A cut stem would name another event's files. */
		if (w < 0 || (size_t)w >= sizeof(s->stem)) {
			s->stem[0] = '\0';
			return err_set(e, -ENAMETOOLONG, "'%s-%s': event name too long", stamp, reason);
		}
		if (!stem_taken(s, s->stem)) {
			snprintf(s->last_stamp, sizeof(s->last_stamp), "%s", stamp);
			s->last_seq = i;
			return 0;
		}
	}
	s->stem[0] = '\0';
	return err_set(e, -EEXIST, "'%s': no free name for an event at %s", s->dir, stamp);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int watch_store_put(struct watch_store *s, const char *kind, const char *suffix, const void *data, size_t len,
		    struct err *e)
{
	char *name, partial[WATCH_NAME_MAX + 16];
	int fd, r;

	if (!s->stem[0] || s->n_names == WATCH_EVENT_FILES)
		return err_set(e, -EINVAL, "no event to add '%s%s' to", kind, suffix);
	name = s->names[s->n_names];
	if ((size_t)snprintf(name, WATCH_NAME_MAX, "%s-%s%s", kind, s->stem, suffix) >= WATCH_NAME_MAX)
		return err_set(e, -ENAMETOOLONG, "'%s-%s%s': name too long", kind, s->stem, suffix);
	snprintf(partial, sizeof(partial), ".%s" PARTIAL_SUFFIX, name);
	fd = openat(s->dirfd, partial, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_errno(e, -errno, "'%s/%s': cannot create", s->dir, partial);
	/* Counted before the write, so an abort removes a half-written file. */
	s->n_names++;
	r = write_all(fd, data, len);
	if (r == 0 && fdatasync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		return err_errno(e, r, "'%s/%s': cannot write", s->dir, partial);
	return 0;
}

int watch_store_commit(struct watch_store *s, struct err *e)
{
	char partial[WATCH_NAME_MAX + 16];
	int r = 0;

	for (size_t i = 0; i < s->n_names; i++) {
		snprintf(partial, sizeof(partial), ".%s" PARTIAL_SUFFIX, s->names[i]);
		if (renameat(s->dirfd, partial, s->dirfd, s->names[i]) < 0 && r == 0)
			r = err_errno(e, -errno, "'%s/%s': cannot rename into place", s->dir, s->names[i]);
	}
	/* The renames are only durable once the directory is: without this a
	 * crash can leave the event's files unnamed, or the partials back. */
	if (r == 0 && s->n_names && fsync(s->dirfd) < 0)
		r = err_errno(e, -errno, "'%s': cannot sync the directory", s->dir);
	s->n_names = 0;
	s->stem[0] = '\0';
	return r;
}

void watch_store_abort(struct watch_store *s)
{
	char partial[WATCH_NAME_MAX + 16];

	for (size_t i = 0; i < s->n_names; i++) {
		snprintf(partial, sizeof(partial), ".%s" PARTIAL_SUFFIX, s->names[i]);
		(void)unlinkat(s->dirfd, partial, 0);   /* best effort, as in remove_partials() */
	}
	s->n_names = 0;
	s->stem[0] = '\0';
}

/* The "-N" of a stem, 1 when it has none. */
static uint64_t stem_seq(const char *stem, size_t *ret_base_len)
{
	const char *d = strrchr(stem, '-');
	uint64_t seq;

	*ret_base_len = strlen(stem);
	if (!d || parse_u64_n(d + 1, strlen(d + 1), &seq) < 0)
		return 1;
	*ret_base_len = (size_t)(d - stem);
	return seq;
}

/* Stems order as they were made: by their second, then by their "-N"
 * (one sequence per second across reasons), then by reason. */
static int stem_cmp(const void *pa, const void *pb)
{
	const char *a = *(char *const *)pa, *b = *(char *const *)pb;
	size_t la, lb;
	uint64_t na = stem_seq(a, &la), nb = stem_seq(b, &lb);
	/* "20261126T100000Z": every stem starts with it (valid_stem). */
	int c = strncmp(a, b, 16);

	if (c)
		return c;
	if (na != nb)
		return na < nb ? -1 : 1;
	c = strncmp(a, b, la < lb ? la : lb);
	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}

static int scan_stems(struct watch_store *s, char ***ret, size_t *ret_n, struct err *e)
{
	int fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	char **stems = NULL, stem[WATCH_STEM_MAX];
	size_t n = 0, cap = 0;
	struct dirent *de;
	int r = 0;

	if (!d) {
		r = err_errno(e, -errno, "'%s': cannot list", s->dir);
		if (fd >= 0)
			close(fd);
		return r;
	}
	while ((de = readdir(d))) {
		bool seen = false;

		if (!watch_store_parse_name(de->d_name, stem))
			continue;
		for (size_t i = 0; i < n && !seen; i++)
			seen = !strcmp(stems[i], stem);
		if (seen)
			continue;
		if (array_reserve(&stems, &cap, n, sizeof(*stems), 32) < 0) {
			r = err_errno(e, -ENOMEM, "'%s': cannot list", s->dir);
			goto out;
		}
		stems[n] = strdup(stem);
		if (!stems[n]) {
			r = err_errno(e, -ENOMEM, "'%s': cannot list", s->dir);
			goto out;
		}
		n++;
	}
out:
	closedir(d);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(stems[i]);
		free(stems);
		return r;
	}
	*ret = stems;
	*ret_n = n;
	return 0;
}

static int remove_stem(struct watch_store *s, const char *stem, struct err *e)
{
	char name[WATCH_NAME_MAX];
	int r = 0;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t x = 0; x < sizeof(suffixes) / sizeof(suffixes[0]); x++) {
			snprintf(name, sizeof(name), "%s%s%s", kinds[k], stem, suffixes[x]);
			if (unlinkat(s->dirfd, name, 0) < 0 && errno != ENOENT && r == 0)
				r = err_errno(e, -errno, "'%s/%s': cannot remove", s->dir, name);
		}
	return r;
}

int watch_meta_parse(const char *text, size_t n, struct watch_capture_info *ret)
{
	json_t *doc = json_loadb(text, n, JSON_REJECT_DUPLICATES, NULL);
	json_t *inc = json_is_object(doc) ? json_object_get(doc, "incident") : NULL;
	json_t *id = json_object_get(inc, "id"), *cap = json_object_get(inc, "capture"),
	       *first = json_object_get(inc, "first");
	int r = -PF_EPARSE;

	if (json_is_string(id) && json_string_length(id) > 0 && json_string_length(id) < sizeof(ret->incident) &&
	    !memchr(json_string_value(id), '\0', json_string_length(id)) && json_is_integer(cap) &&
	    json_integer_value(cap) >= 1 && json_integer_value(cap) <= (json_int_t)UINT32_MAX && json_is_boolean(first)) {
		memcpy(ret->incident, json_string_value(id), json_string_length(id) + 1);
		ret->capture = (unsigned)json_integer_value(cap);
		/* The first capture of the event's own incident is first
		 * whatever the flag says. */
		ret->first = json_is_true(first) || ret->capture == 1;
		r = 0;
	} else {
		snprintf(ret->incident, sizeof(ret->incident), "%s", ret->stem);
		ret->capture = 1;
		ret->first = true;
	}
	json_decref(doc);
	return r;
}

size_t watch_store_plan_prune(const struct watch_capture_info *c, size_t n, unsigned keep, bool *del)
{
	size_t excess, marked = 0;

	for (size_t i = 0; i < n; i++)
		del[i] = false;
	if (!keep || n <= keep)
		return 0;
	excess = n - keep;
	/* 1: middle captures, neither first nor the latest of their incident. */
	for (size_t i = 0; i < n && marked < excess; i++) {
		bool later = false;

		if (c[i].first)
			continue;
		for (size_t j = i + 1; j < n && !later; j++)
			later = !strcmp(c[j].incident, c[i].incident);
		if (later) {
			del[i] = true;
			marked++;
		}
	}
	/* 2: any other capture that is not an incident's first. */
	for (size_t i = 0; i < n && marked < excess; i++)
		if (!del[i] && !c[i].first) {
			del[i] = true;
			marked++;
		}
	/* 3: first captures, only when nothing else is left. */
	for (size_t i = 0; i < n && marked < excess; i++)
		if (!del[i]) {
			del[i] = true;
			marked++;
		}
	return marked;
}

/* The event's incident from its meta file; an event without a readable
 * one is the first capture of an incident of its own. */
static void read_meta(struct watch_store *s, struct watch_capture_info *c)
{
	char name[WATCH_NAME_MAX], *text = NULL;
	size_t len = 0;
	int fd;

	snprintf(name, sizeof(name), "meta-%s.json", c->stem);
	fd = openat(s->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (text = malloc(WATCH_META_MAX))) {
		for (;;) {
			ssize_t k = read(fd, text + len, WATCH_META_MAX - len);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			len += (size_t)k;
			if (len == WATCH_META_MAX)
				break;
		}
	}
	if (fd >= 0)
		close(fd);
	if (!text || len == WATCH_META_MAX || watch_meta_parse(text, len, c) < 0)
		(void)watch_meta_parse("", 0, c);
	free(text);
}

int watch_store_prune(struct watch_store *s, struct watch_capture_info **ret_removed, size_t *ret_n,
		      struct err *e)
{
	char **stems = NULL;
	struct watch_capture_info *info = NULL, *removed = NULL;
	bool *del = NULL;
	size_t n = 0, n_removed = 0;
	int r;

	if (ret_removed)
		*ret_removed = NULL;
	if (ret_n)
		*ret_n = 0;
	if (s->keep == 0)
		return 0;
	r = scan_stems(s, &stems, &n, e);
	if (r < 0)
		return r;
	if (n <= s->keep)
		goto out;
	qsort(stems, n, sizeof(*stems), stem_cmp);
	info = calloc(n, sizeof(*info));
	del = calloc(n, sizeof(*del));
	removed = calloc(n, sizeof(*removed));
	if (!info || !del || !removed) {
		r = err_errno(e, -ENOMEM, "'%s': cannot prune", s->dir);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(info[i].stem, sizeof(info[i].stem), "%s", stems[i]);
		read_meta(s, &info[i]);
	}
	watch_store_plan_prune(info, n, s->keep, del);
	for (size_t i = 0; i < n; i++) {
		int q;

		if (!del[i])
			continue;
		q = remove_stem(s, stems[i], e);
		if (q < 0 && r == 0)
			r = q;
		removed[n_removed++] = info[i];
	}
out:
	for (size_t i = 0; i < n; i++)
		free(stems[i]);
	free(stems);
	free(info);
	free(del);
	if (ret_removed && n_removed) {
		*ret_removed = removed;
		removed = NULL;
	}
	if (ret_n)
		*ret_n = n_removed;
	free(removed);
	return r;
}
