#include "collect/source_lines.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/array.h"
#include "base/buf.h"

#define SOURCE_FILE_MAX (8u << 20)

/* Reads a .go file named by a dump, under root. The path comes from
 * outside: only a regular file is read (a FIFO or a device would block or
 * never end), and only so much of it. */
static int read_source(const char *root, const char *path, struct buf *b)
{
	char full[4096];
	struct stat st;
	size_t n = strlen(path);
	int fd, r = 0;

	if (n < 4 || strcmp(path + n - 3, ".go") ||
	    snprintf(full, sizeof(full), "%s%s%s", root, root[0] && path[0] != '/' ? "/" : "", path) >=
		    (int)sizeof(full))
		return -EINVAL;
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)SOURCE_FILE_MAX) {
		r = -EINVAL;
		goto out;
	}
	for (;;) {
		char chunk[16384];
		ssize_t got = read(fd, chunk, sizeof(chunk));

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r = got < 0 ? -errno : 0;
			break;
		}
		r = buf_append(b, chunk, (size_t)got);
		if (r < 0)
			break;
	}
out:
	close(fd);
	return r;
}

/* The text from line `line` on, at most SOURCE_SNIPPET_LINES lines. */
static char *snippet_of(const struct buf *b, int line)
{
	const char *s = b->data, *end = b->data + b->len, *from, *nl;

	for (int i = 1; i < line && s < end; i++) {
		nl = memchr(s, '\n', (size_t)(end - s));
		s = nl ? nl + 1 : end;
	}
	if (s >= end)
		return NULL;
	from = s;
	for (int i = 0; i < SOURCE_SNIPPET_LINES && s < end; i++) {
		nl = memchr(s, '\n', (size_t)(end - s));
		s = nl ? nl + 1 : end;
	}
	return strndup(from, (size_t)(s - from));
}

struct site {
	const char *file;
	int line;
};

static int site_cmp(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

int source_lines_collect(const char *root, const struct gr_snapshot *snaps, size_t n, struct source_lines *ret)
{
	struct site *sites = NULL;
	size_t n_sites = 0, cap = 0;
	struct buf b = BUF_INIT(SOURCE_FILE_MAX);
	const char *loaded = NULL;
	bool loaded_ok = false;
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	/* Biggest groups of the newest snapshot first, then the others. */
	for (size_t k = n; k-- > 0 && n_sites < SOURCE_LINES_MAX_SITES;) {
		for (size_t i = 0; i < snaps[k].n_groups && n_sites < SOURCE_LINES_MAX_SITES; i++) {
			const struct gr_frame *f = gr_group_site(&snaps[k].groups[i]);

			if (!f || f->line < 1 || !f->file || !f->file[0])
				continue;
			r = array_reserve(&sites, &cap, n_sites, sizeof(*sites), 32);
			if (r < 0)
				goto out;
			sites[n_sites++] = (struct site){ f->file, f->line };
		}
	}
	if (!n_sites)
		goto out;
	qsort(sites, n_sites, sizeof(*sites), site_cmp);
	ret->v = calloc(n_sites, sizeof(*ret->v));
	if (!ret->v) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_sites; i++) {
		struct source_snippet *sn;
		char *text;

		if (i && !site_cmp(&sites[i], &sites[i - 1]))
			continue;
		if (!loaded || strcmp(loaded, sites[i].file)) {
			buf_reset(&b);
			loaded = sites[i].file;
			loaded_ok = read_source(root ? root : "", loaded, &b) == 0 && b.data;
		}
		if (!loaded_ok || !(text = snippet_of(&b, sites[i].line)))
			continue;
		sn = &ret->v[ret->n];
		sn->file = strdup(sites[i].file);
		sn->line = sites[i].line;
		sn->text = text;
		if (!sn->file) {
			free(text);
			r = -ENOMEM;
			goto out;
		}
		ret->n++;
	}
out:
	if (r < 0)
		source_lines_release(ret);
	free(sites);
	buf_release(&b);
	return r;
}
