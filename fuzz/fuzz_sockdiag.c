/* libFuzzer target for the sock_diag reply parser: raw bytes as one
 * datagram of a dump answer, or, when they start with the recording magic
 * ("PFNLREC\n", io/netlink.h), as a whole recording replayed through
 * sockdiag_dump_from. The kernel is trusted, but recorded answers replayed
 * by tests and by PREFLIGHT_NETLINK_REPLAY are files, and a parser that
 * walks lengths must not read past them. Every socket parsed also goes
 * through the TIME_WAIT owner classes (collect/tw_owner.h), odd inodes as
 * the target's. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/sockdiag.h"
#include "collect/tw_owner.h"
#include "io/netlink.h"

static struct tw_census tw;

/* Classifies what the walk noted, with and without a port range. */
static void tw_done(void)
{
	static const struct opt_i64 lo = { true, 32768 }, hi = { true, 60999 };
	struct tw_split split;

	tw_census_split(&tw, &lo, &hi, &split);
	tw_census_split(&tw, NULL, NULL, &split);
	tw_census_release(&tw);
}

static int visit(const struct sock_entry *s, void *arg)
{
	uint64_t *n = arg;
	char addr[64];

	sock_format_addr(s, 0, addr, sizeof(addr));
	sock_format_addr(s, 1, addr, sizeof(addr));
	tw_census_note(&tw, s, s->inode & 1);
	(*n)++;
	return *n > 100000;
}

static void replay(const uint8_t *data, size_t size)
{
	struct sockdiag_source src = { 0 };
	struct err e;
	uint64_t n = 0;
	FILE *f = fmemopen((void *)data, size, "rb");

	if (!f)
		return;
	src.replay_stream = f;
	/* Every state, then LISTEN only: the user-space state filter too. */
	sockdiag_dump_from(&src, ~0u, visit, &n, &e);
	tw_done();
	rewind(f);
	sockdiag_dump_from(&src, 1u << TCPS_LISTEN, visit, &n, &e);
	tw_done();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	uint64_t n = 0;
	uint32_t seq = 0;
	uint8_t *copy;

	if (size >= 8 && !memcmp(data, NETLINK_RECORD_MAGIC, 8)) {
		replay(data, size);
		return 0;
	}
	/* A heap copy of exactly size bytes, so ASan sees any over-read. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (size >= 12)
		memcpy(&seq, data + 8, sizeof(seq));   /* let some inputs match the sequence */
	sockdiag_parse(copy, size, seq, visit, &n, &e);
	tw_done();
	free(copy);
	return 0;
}
