#include "collect/netstat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fileio.h"
#include "base/parse.h"

/* The real file is about 6 KiB. */
#define NETSTAT_MAX (1u << 20)

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Walks one header/value pair in step; -PF_EPARSE when the two lines do
 * not have the same number of fields or a wanted value is not a number. */
static int parse_pair(char *names, char *values, struct netstat_facts *ret, bool *got_ovf, bool *got_drops)
{
	char *sn = NULL, *sv = NULL;
	char *n = strtok_r(names, " ", &sn), *v = strtok_r(values, " ", &sv);

	for (; n && v; n = strtok_r(NULL, " ", &sn), v = strtok_r(NULL, " ", &sv)) {
		uint64_t *dst = NULL;
		bool *got = NULL;

		if (strcmp(n, "ListenOverflows") == 0) {
			dst = &ret->listen_overflows;
			got = got_ovf;
		} else if (strcmp(n, "ListenDrops") == 0) {
			dst = &ret->listen_drops;
			got = got_drops;
		}
		if (dst) {
			if (parse_u64(v, dst) < 0)
				return -PF_EPARSE;
			*got = true;
		}
	}
	return n || v ? -PF_EPARSE : 0;
}

int netstat_parse(const char *text, struct netstat_facts *ret)
{
	char *copy = strdup(text), *save = NULL, *line, *header = NULL;
	bool got_ovf = false, got_drops = false;
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	if (!copy) {
		r = -ENOMEM;
		goto out;
	}
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!starts_with(line, "TcpExt:"))
			continue;
		if (!header) {
			header = line;
			continue;
		}
		r = parse_pair(header, line, ret, &got_ovf, &got_drops);
		if (r < 0)
			goto out;
		header = NULL;
	}
	if (header) {
		r = -PF_EPARSE;
		goto out;
	}
	ret->set = got_ovf && got_drops;
out:
	free(copy);
	if (r < 0) {
		memset(ret, 0, sizeof(*ret));
		fact_err_setf(&ret->err, r, "/proc/net/netstat is malformed");
	}
	return r;
}

int netstat_collect_file(const char *root, const char *path, struct netstat_facts *ret)
{
	struct buf b = BUF_INIT(NETSTAT_MAX);
	int r;

	memset(ret, 0, sizeof(*ret));
	r = read_file(root, path, &b);
	if (r < 0)
		fact_err_setf(&ret->err, r, "cannot read %s: %s", path, err_str(r));
	else if ((r = netstat_parse(b.data, ret)) == -PF_EPARSE)
		fact_err_setf(&ret->err, r, "%s is malformed", path);
	buf_release(&b);
	return r;
}

int netstat_collect(const char *root, struct netstat_facts *ret)
{
	return netstat_collect_file(root, "/proc/net/netstat", ret);
}
