#include "report/output.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int output_open(struct output *o, const char *path, struct err *e)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		o->is_stdout = true;
		return 0;
	}
	/* A device or a pipe (/dev/null, a FIFO, /dev/stderr) is written in
	 * place: renaming over it would replace the node itself. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (!(o->f = fopen(path, "we")))
			return err_errno(e, -errno, "cannot write '%s'", path);
		o->direct = true;
		return 0;
	}
	o->path = strdup(path);
	if (!o->path || asprintf(&o->partial, "%s.partial-%d", path, (int)getpid()) < 0) {
		free(o->path);
		o->path = NULL;
		o->partial = NULL;
		return err_set(e, -ENOMEM, "out of memory");
	}
	fd = open(o->partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		int r = err_errno(e, -errno, "cannot write '%s'", path);

		if (fd >= 0) {
			close(fd);
			unlink(o->partial);
		}
		free(o->path);
		free(o->partial);
		memset(o, 0, sizeof(*o));
		return r;
	}
	return 0;
}

static void output_release(struct output *o)
{
	free(o->path);
	free(o->partial);
	memset(o, 0, sizeof(*o));
}

/* The rename is durable only once the directory entry is on disk. */
static void fsync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int output_commit(struct output *o, struct err *e)
{
	int r = 0;

	if (!o->f)
		return 0;
	if (o->direct) {
		if (fflush(o->f) != 0 || ferror(o->f))
			r = err_errno(e, errno ? -errno : -EIO, "cannot write the output");
		if (fclose(o->f) != 0 && r == 0)
			r = err_errno(e, errno ? -errno : -EIO, "cannot write the output");
		output_release(o);
		return r;
	}
	if (o->is_stdout) {
		if (fflush(stdout) != 0 || ferror(stdout))
			r = err_errno(e, errno ? -errno : -EIO, "cannot write to standard output");
		output_release(o);
		return r;
	}
	if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) < 0)
		r = err_errno(e, errno ? -errno : -EIO, "cannot write '%s'", o->path);
	if (fclose(o->f) != 0 && r == 0)
		r = err_errno(e, errno ? -errno : -EIO, "cannot write '%s'", o->path);
	o->f = NULL;
	if (r == 0 && rename(o->partial, o->path) < 0)
		r = err_errno(e, -errno, "cannot replace '%s'", o->path);
	if (r < 0)
		unlink(o->partial);
	else
		fsync_parent(o->path);
	output_release(o);
	return r;
}

void output_abort(struct output *o)
{
	if (o->f && o->direct)
		fclose(o->f);
	else if (o->f && !o->is_stdout) {
		fclose(o->f);
		unlink(o->partial);
	}
	output_release(o);
}
