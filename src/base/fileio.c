#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"

int path_join(char *out, size_t n, const char *root, const char *path)
{
	int w = snprintf(out, n, "%s%s", root ? root : "", path);

	if (w < 0 || (size_t)w >= n)
		return -ENAMETOOLONG;
	return 0;
}

int read_file(const char *root, const char *path, struct buf *b)
{
	char full[4096], chunk[16384];
	int fd, r = 0;
	ssize_t n;

	buf_reset(b);
	r = path_join(full, sizeof(full), root, path);
	if (r < 0)
		return r;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		r = buf_append(b, chunk, (size_t)n);
		if (r < 0)
			break;
	}
	close(fd);
	if (r == 0 && !b->data)
		r = buf_append(b, "", 0);
	return r;
}

int read_line(const char *root, const char *path, char *out, size_t n)
{
	struct buf b = BUF_INIT(65536);
	char *nl;
	int r;

	r = read_file(root, path, &b);
	if (r < 0)
		goto out;
	nl = strchr(b.data, '\n');
	if (nl)
		*nl = '\0';
	if (strlen(b.data) >= n) {
		r = -ENOSPC;
		goto out;
	}
	memcpy(out, b.data, strlen(b.data) + 1);
out:
	buf_release(&b);
	return r;
}

int read_u64(const char *root, const char *path, uint64_t *ret)
{
	char line[128];
	int r = read_line(root, path, line, sizeof(line));

	return r < 0 ? r : parse_u64(line, ret);
}

int read_i64(const char *root, const char *path, int64_t *ret)
{
	char line[128];
	int r = read_line(root, path, line, sizeof(line));

	return r < 0 ? r : parse_i64(line, ret);
}

ssize_t fileio_stream_read(void *ctx, char *buf, size_t n)
{
	FILE *f = ctx;
	size_t got = fread(buf, 1, n, f);

	if (got == 0 && ferror(f))
		return errno ? -errno : -EIO;
	return (ssize_t)got;
}
