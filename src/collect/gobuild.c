/* gobuild: read the Go linker's build-info blob out of an ELF image.
 *
 * This follows Go's debug/buildinfo (Go 1.26) step by step so that our
 * answer matches `go version -m` on the same file; the places where we
 * knowingly differ are marked "deviation" and listed in docs/buildinfo.md.
 * The ELF side (headers, segments, where the blob lies) is collect/elf.c;
 * the module text inside the blob is parsed by goruntime/modinfo.c. This
 * file finds the blob and takes its two strings apart; every read goes
 * through elf_vaddr(), which checks bounds.
 */
#include "collect/gobuild.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collect/elf.h"
#include "goruntime/modinfo.h"

/* The largest file gobuild_read_file maps; Go binaries are rarely past
 * a few hundred MiB. */
#define GOBUILD_MAX_FILE (1ull << 30)

static const uint8_t magic[14] = "\xff Go buildinf:";
enum {
	BI_ALIGN = 16,
	BI_HEADER = 32,
	SEARCH_CHUNK = 1 << 20,   /* debug/buildinfo's searchChunkSize */
	MAX_VARINT = 10,
};

static int not_go(const struct elf_image *im, struct err *e)
{
	return err_set(e, -PF_ENOTGO, "'%s' is not a Go executable (no .go.buildinfo)", im->name);
}

/* searchMagic: the first 16-byte-aligned magic in [start, start+size).
 * Go 1.18-1.22 looked only at the first 64 KiB; since Go 1.23 the whole
 * range is searched, and so do we. The linker puts the blob first, so the
 * two agree on every real binary. */
static int search_magic(const struct elf_image *im, uint64_t start, uint64_t size, uint64_t *ret,
			struct err *e)
{
	uint64_t end = start + size;

	if (end < start)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: the data segment wraps around", im->name);
	if (start > UINT64_MAX - (BI_ALIGN - 1))
		return not_go(im, e);
	start = (start + BI_ALIGN - 1) & ~(uint64_t)(BI_ALIGN - 1);
	while (start < end) {
		uint64_t remaining = end - start, chunk = remaining < SEARCH_CHUNK ? remaining : SEARCH_CHUNK;
		uint64_t avail, n;
		const uint8_t *p = elf_vaddr(im, start, &avail);

		/* Deviation: Go calls a search that runs past the file-backed
		 * part of the segment (into .bss) an unrecognized format; the
		 * file is a fine ELF without build info, so we say that. */
		if (!p)
			return not_go(im, e);
		n = avail < chunk ? avail : chunk;
		for (uint64_t i = 0; i + sizeof(magic) <= n; i += BI_ALIGN) {
			if (memcmp(p + i, magic, sizeof(magic)))
				continue;
			if (remaining - i < BI_HEADER)
				return not_go(im, e);
			*ret = start + i;
			return 0;
		}
		start += chunk;
	}
	return not_go(im, e);
}

/* Go's binary.Uvarint: n > 0 bytes used, 0 when buf is too short, < 0 on
 * overflow. */
static int uvarint(const uint8_t *p, size_t len, uint64_t *ret)
{
	uint64_t x = 0;
	unsigned s = 0;

	for (size_t i = 0; i < len; i++) {
		if (i == MAX_VARINT)
			return -(int)(i + 1);
		if (p[i] < 0x80) {
			if (i == MAX_VARINT - 1 && p[i] > 1)
				return -(int)(i + 1);
			*ret = x | (uint64_t)p[i] << s;
			return (int)i + 1;
		}
		x |= (uint64_t)(p[i] & 0x7f) << s;
		s += 7;
	}
	return 0;
}

/* decodeString: a uvarint length and that many bytes, read through the
 * segments starting at *addr, which moves past the string. */
static int decode_string(const struct elf_image *im, uint64_t *addr, const uint8_t **ret, uint64_t *ret_len,
			 struct err *e)
{
	uint64_t avail, len = 0;
	const uint8_t *p = elf_vaddr(im, *addr, &avail);
	int n;

	if (!p)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: the build info runs past its segment", im->name);
	n = uvarint(p, avail < MAX_VARINT ? avail : MAX_VARINT, &len);
	if (n <= 0)
		return not_go(im, e);
	*addr += (uint64_t)n;
	p = elf_vaddr(im, *addr, &avail);
	if (!p)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: the build info runs past its segment", im->name);
	if (avail < len)
		return not_go(im, e);
	*ret = p;
	*ret_len = len;
	*addr += len;
	return 0;
}

static uint64_t rd_ptr(const uint8_t *p, unsigned ptrsize, bool be)
{
	return ptrsize == 8 ? elf_rd64(p, be) : elf_rd32(p, be);
}

/* readString (pointer format): a Go string header {data, len} at addr.
 * Like Go, any failure yields the empty string. */
static void read_go_string(const struct elf_image *im, unsigned ptrsize, bool be, uint64_t addr,
			   const uint8_t **ret, uint64_t *ret_len)
{
	uint64_t avail, data, len;
	const uint8_t *p = elf_vaddr(im, addr, &avail);

	*ret = NULL;
	*ret_len = 0;
	if (!p || avail < 2 * ptrsize)
		return;
	data = rd_ptr(p, ptrsize, be);
	len = rd_ptr(p + ptrsize, ptrsize, be);
	p = elf_vaddr(im, data, &avail);
	if (!p || avail < len)
		return;
	*ret = p;
	*ret_len = len;
}

static int read_image(const uint8_t *data, size_t len, const char *name, struct gobuild *ret, struct err *e)
{
	struct elf_image im;
	struct gobuild bi = { 0 };
	struct err perr;
	uint64_t start = 0, size = 0, addr = 0, vlen = 0, mlen = 0;
	const uint8_t *hdr, *vers = NULL, *mod = NULL;
	int r;

	r = elf_image_open(&im, data, len, name, e);
	if (r < 0)
		goto out;
	elf_buildinfo_range(&im, &start, &size);
	if (!size) {
		r = not_go(&im, e);
		goto out;
	}
	r = search_magic(&im, start, size, &addr, e);
	if (r < 0)
		goto out;
	hdr = elf_vaddr(&im, addr, &size);
	if (!hdr || size < BI_HEADER) {
		r = not_go(&im, e);
		goto out;
	}
	if (hdr[15] & 0x2) {
		/* Go 1.18+: both strings inline after the header. */
		addr += BI_HEADER;
		r = decode_string(&im, &addr, &vers, &vlen, e);
		if (r >= 0)
			r = decode_string(&im, &addr, &mod, &mlen, e);
		if (r < 0)
			goto out;
	} else {
		/* Go 1.13-1.17: addresses of two Go string headers. */
		unsigned ptrsize = hdr[14];
		bool be = hdr[15] & 0x1;

		if (ptrsize != 4 && ptrsize != 8) {
			r = not_go(&im, e);
			goto out;
		}
		read_go_string(&im, ptrsize, be, rd_ptr(hdr + 16, ptrsize, be), &vers, &vlen);
		read_go_string(&im, ptrsize, be, rd_ptr(hdr + 16 + ptrsize, ptrsize, be), &mod, &mlen);
	}
	if (!vlen) {
		r = not_go(&im, e);
		goto out;
	}
	if (memchr(vers, '\0', vlen)) {
		r = err_set(e, -PF_EPARSE, "'%s' is malformed: its Go version string contains a NUL byte", name);
		goto out;
	}
	bi.go_version = strndup((const char *)vers, vlen);
	if (!bi.go_version) {
		r = err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	/* Strip the 16-byte sentinels around modinfo without looking at
	 * them, as Go does; anything else means "no module information". */
	if (mlen >= 33 && mod[mlen - 17] == '\n') {
		r = gobuild_parse_modinfo((const char *)mod + 16, mlen - 32, &bi, &perr);
		if (r < 0) {
			err_set(e, r, "'%s' has malformed Go build info: %s", name, perr.msg);
			goto out;
		}
	}
	*ret = bi;
	memset(&bi, 0, sizeof(bi));
	r = 0;
out:
	gobuild_release(&bi);
	elf_image_release(&im);
	return r;
}

int gobuild_read_mem(const uint8_t *data, size_t len, struct gobuild *ret, struct err *e)
{
	return read_image(data, len, "<memory>", ret, e);
}

int gobuild_read_file(const char *path, struct gobuild *ret, struct err *e)
{
	struct elf_map m;
	int r = elf_map(path, GOBUILD_MAX_FILE, &m, e);

	if (r < 0)
		return r;
	r = read_image(m.d, m.n, path, ret, e);
	elf_unmap(&m);
	return r;
}
