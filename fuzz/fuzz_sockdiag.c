/* libFuzzer target for the sock_diag reply parser: raw bytes as one
 * datagram of a dump answer. The kernel is trusted, but recorded answers
 * replayed by tests are files, and a parser that walks lengths must not
 * read past them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/sockdiag.h"

static int visit(const struct sock_entry *s, void *arg)
{
	uint64_t *n = arg;
	char addr[64];

	sock_format_addr(s, 0, addr, sizeof(addr));
	sock_format_addr(s, 1, addr, sizeof(addr));
	(*n)++;
	return *n > 100000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	uint64_t n = 0;
	uint32_t seq = 0;
	/* A heap copy of exactly size bytes, so ASan sees any over-read. */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (size >= 12)
		memcpy(&seq, data + 8, sizeof(seq));   /* let some inputs match the sequence */
	sockdiag_parse(copy, size, seq, visit, &n, &e);
	free(copy);
	return 0;
}
