/* libFuzzer target for the netlink recording reader (io/netlink.c) and
 * what reads through it: a recording replayed as a TCP census. Inputs that
 * start with the magic are read as whole files, so the header checks are
 * covered by the seeds; any other input gets a valid header in front, so
 * the fuzzer spends its time on the records (lengths, cut files) and the
 * datagrams inside them rather than on guessing the magic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "collect/sockdiag.h"
#include "io/netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t counts[TCP_STATE_MAX];
	struct sockdiag_source src = { 0 };
	struct err e;
	uint8_t *buf;
	size_t len = size;
	FILE *f;

	if (size >= 8 && !memcmp(data, NETLINK_RECORD_MAGIC, 8)) {
		buf = malloc(size ? size : 1);
		if (!buf)
			return 0;
		memcpy(buf, data, size);
	} else {
		/* version 1, host byte order, NETLINK_SOCK_DIAG */
		uint8_t h[NETLINK_RECORD_HEADER] = { 0 };

		memcpy(h, NETLINK_RECORD_MAGIC, 8);
		h[8] = 1;
		h[10] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 'l' : 'b';
		h[12] = NETLINK_SOCK_DIAG;
		len = sizeof(h) + size;
		buf = malloc(len);
		if (!buf)
			return 0;
		memcpy(buf, h, sizeof(h));
		if (size)
			memcpy(buf + sizeof(h), data, size);
	}
	/* fmemopen of 0 bytes is refused by older glibc. */
	f = len ? fmemopen(buf, len, "rb") : NULL;
	if (f) {
		src.replay_stream = f;
		sockdiag_census_from(&src, counts, &e);
		fclose(f);
	}
	free(buf);
	return 0;
}
