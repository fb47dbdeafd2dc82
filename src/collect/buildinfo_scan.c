#include "collect/buildinfo_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/array.h"
#include "base/buf.h"
#include "collect/gobuild.h"

/* A named file: every failure is reported. */
static void scan_file(const struct buildinfo_sink *o, const char *file)
{
	struct gobuild b = { 0 };
	struct err e = { "" };
	int r = gobuild_read_file(file, &b, &e);

	if (r < 0) {
		o->failed(o->ctx, r, e.msg[0] ? e.msg : err_str(r));
		return;
	}
	o->found(o->ctx, file, &b);
	gobuild_release(&b);
}

/* A file met while walking a directory: like `go version`, print it when
 * it is a Go executable and say nothing otherwise. Symlinks count when
 * they lead to a regular file; FIFOs and devices are never opened. */
static void scan_quiet(const struct buildinfo_sink *o, const char *file, const struct stat *lst)
{
	struct gobuild b = { 0 };
	struct stat st;

	if (S_ISLNK(lst->st_mode) && (stat(file, &st) < 0 || !S_ISREG(st.st_mode)))
		return;
	if (!S_ISLNK(lst->st_mode) && !S_ISREG(lst->st_mode))
		return;
	if (gobuild_read_file(file, &b, NULL) < 0)
		return;
	o->found(o->ctx, file, &b);
	gobuild_release(&b);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The names in dir, sorted bytewise as os.ReadDir sorts them. */
static int list_dir(const char *dir, char ***ret, size_t *ret_n)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = NULL;
	int fd, r = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		goto out;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = array_reserve(&names, &cap, n, sizeof(*names), 64);
		if (r < 0)
			goto out;
		if (!(names[n] = strdup(de->d_name))) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	/* An empty directory leaves names NULL, which qsort must not get. */
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*ret = names;
	*ret_n = n;
	names = NULL;
	n = 0;
out:
	if (d)
		closedir(d);
	free_names(names, n);
	return r;
}

/* filepath.WalkDir order: entries sorted bytewise, directories entered
 * where they sort, symlinked directories not followed. Unreadable
 * directories below a named one are skipped silently, as Go does; a named
 * directory that cannot be read is an error, or the user would take the
 * silence for "no Go executables here". */
static void walk_dir(const struct buildinfo_sink *o, const char *dir, bool named)
{
	char **names = NULL;
	size_t n = 0;
	int r = list_dir(dir, &names, &n);

	if (r == -ENOMEM || (r < 0 && named)) {
		char msg[PATH_MAX + 64];

		snprintf(msg, sizeof(msg), "cannot read directory '%s': %s", dir, strerror(-r));
		o->failed(o->ctx, r, msg);
	}
	for (size_t i = 0; i < n; i++) {
		struct buf path = BUF_INIT(PATH_MAX * 4);
		struct stat lst;

		/* dir is clean, so joining needs no further cleaning except
		 * at "." and "/". */
		if (buf_printf(&path, "%s%s%s", strcmp(dir, ".") ? dir : "",
			       !strcmp(dir, ".") || !strcmp(dir, "/") ? "" : "/", names[i]) == 0 &&
		    lstat(path.data, &lst) == 0) {
			if (S_ISDIR(lst.st_mode))
				walk_dir(o, path.data, false);
			else
				scan_quiet(o, path.data, &lst);
		}
		buf_release(&path);
	}
	free_names(names, n);
}

/* Go's filepath.Clean, which WalkDir's joins apply to the names it prints. */
static char *clean_path(const char *p)
{
	size_t n = strlen(p), r = 0, w = 0, dotdot = 0;
	bool rooted = n && p[0] == '/';
	char *out = malloc(n + 2);

	if (!out)
		return NULL;
	if (rooted) {
		out[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && p[r] != '/'; r++)
				out[w++] = p[r];
		}
	}
	if (!w)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

void buildinfo_scan(const char *arg, const struct buildinfo_sink *o)
{
	struct stat st, lst;
	char *root;

	if (stat(arg, &st) < 0) {
		char msg[PATH_MAX + 64];
		int r = -errno;

		snprintf(msg, sizeof(msg), "cannot stat '%s': %s", arg, strerror(-r));
		o->failed(o->ctx, r, msg);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		scan_file(o, arg);
		return;
	}
	/* WalkDir does not follow a symlink even at the root, so a link to a
	 * directory lists nothing, as with `go version`. */
	if (lstat(arg, &lst) < 0 || !S_ISDIR(lst.st_mode))
		return;
	root = clean_path(arg);
	if (!root) {
		o->failed(o->ctx, -ENOMEM, "out of memory");
		return;
	}
	walk_dir(o, root, true);
	free(root);
}

