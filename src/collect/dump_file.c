#include "collect/dump_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/fileio.h"
#include "goruntime/goroutine.h"

int dump_file_read(const char *path, struct gr_snapshot *ret, struct err *e)
{
	FILE *f;
	int r;

	if (!strcmp(path, "-"))
		return gr_parse_stream(fileio_stream_read, stdin, "-", ret, e);
	f = fopen(path, "re");
	if (!f)
		return err_errno(e, -errno, "cannot open '%s'", path);
	r = gr_parse_stream(fileio_stream_read, f, path, ret, e);
	fclose(f);
	return r;
}
