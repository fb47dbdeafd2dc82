#include "collect/clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fileio.h"
#include "base/parse.h"

#define CS_DIR "/sys/devices/system/clocksource/clocksource0"

/* comm is cut at 15 characters, so "systemd-timesyncd" shows as
 * "systemd-timesyn". The order here is the order of the report. */
static const struct {
	const char *comm, *name;
} time_daemons[] = {
	{ "chronyd", "chronyd" },
	{ "ntpd", "ntpd" },
	{ "systemd-timesyn", "systemd-timesyncd" },
	{ "ptp4l", "ptp4l" },
	{ "phc2sys", "phc2sys" },
};
#define N_DAEMONS (sizeof(time_daemons) / sizeof(time_daemons[0]))

void clock_fill_adjtimex(struct clock_facts *f, int state, const struct timex *tx)
{
	f->adjtimex_ok = state >= 0;
	if (state < 0)
		return;
	f->state = state;
	f->status = tx->status;
	f->maxerror_us = tx->maxerror;
	f->esterror_us = tx->esterror;
	f->offset_us = (tx->status & STA_NANO) ? tx->offset / 1000 : tx->offset;
}

static bool is_pid(const char *s)
{
	uint64_t v;

	return parse_u64_n(s, strlen(s), &v) == 0;
}

/* Processes come and go while we scan, so unreadable entries are skipped
 * rather than reported. */
static void scan_daemons(const char *root, struct clock_facts *ret)
{
	bool seen[N_DAEMONS] = { false };
	char dirpath[4096];
	size_t used = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	if (path_join(dirpath, sizeof(dirpath), root, "/proc") < 0)
		return;
	fd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char path[300], comm[64];

		if (!is_pid(de->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (read_line(root, path, comm, sizeof(comm)) < 0)
			continue;
		for (size_t i = 0; i < N_DAEMONS; i++)
			if (strcmp(comm, time_daemons[i].comm) == 0)
				seen[i] = true;
	}
	closedir(d);
	for (size_t i = 0; i < N_DAEMONS; i++) {
		int w;

		if (!seen[i])
			continue;
		w = snprintf(ret->daemons + used, sizeof(ret->daemons) - used, "%s%s", used ? "," : "",
			     time_daemons[i].name);
		if (w > 0 && (size_t)w < sizeof(ret->daemons) - used)
			used += (size_t)w;
	}
}

int clock_collect(const char *root, struct clock_facts *ret)
{
	struct err e = { { 0 } };
	int r;

	memset(ret, 0, sizeof(*ret));
	r = read_line(root, CS_DIR "/current_clocksource", ret->current, sizeof(ret->current));
	if (r < 0) {
		err_errno(&e, r, "could not read '%s'", CS_DIR "/current_clocksource");
		goto out;
	}
	rstrip(ret->current);
	/* The kernel ends the list with a space; an unreadable list is not
	 * worth failing for when the current source is known. */
	if (read_line(root, CS_DIR "/available_clocksource", ret->available, sizeof(ret->available)) == 0)
		rstrip(ret->available);
	if (!root || !*root) {
		struct timex tx;

		memset(&tx, 0, sizeof(tx));
		tx.modes = 0;
		clock_fill_adjtimex(ret, adjtimex(&tx), &tx);
	}
	scan_daemons(root, ret);
out:
	if (r < 0)
		fact_err_set(&ret->err, r, &e);
	return r;
}
