/* gobuild: read the Go linker's build-info blob out of an ELF image.
 *
 * This follows Go's debug/buildinfo (Go 1.26) step by step so that our
 * answer matches `go version -m` on the same file; the places where we
 * knowingly differ are marked "deviation" and listed in docs/buildinfo.md.
 * Every read from the image goes through img_at()/seg_find(), which check
 * bounds, so a truncated or hostile file yields an error, never a fault.
 */
#include "collect/gobuild.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"

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

/* ---- ELF image ---------------------------------------------------------- */

struct seg {
	uint32_t type, flags;
	uint64_t off, vaddr, filesz, memsz;
};

struct img {
	const uint8_t *d;
	size_t n;
	const char *name;
	bool is64, be;
	struct seg *segs;
	size_t nsegs;
};

static uint16_t rd16(const uint8_t *p, bool be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t rd32(const uint8_t *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t rd64(const uint8_t *p, bool be)
{
	return be ? (uint64_t)rd32(p, true) << 32 | rd32(p + 4, true)
		  : (uint64_t)rd32(p + 4, false) << 32 | rd32(p, false);
}

/* A word of the image's class: 4 bytes for ELF32, 8 for ELF64. */
static uint64_t rdw(const struct img *im, const uint8_t *p)
{
	return im->is64 ? rd64(p, im->be) : rd32(p, im->be);
}

/* The bytes [off, off+len) of the file, or NULL when they are not all there. */
static const uint8_t *img_at(const struct img *im, uint64_t off, uint64_t len)
{
	if (off > im->n || len > im->n - off)
		return NULL;
	return im->d + off;
}

/* The file bytes behind virtual address addr, up to the end of the PT_LOAD
 * segment that holds it (debug/buildinfo's elfExe.DataReader). Deviation:
 * Go consults every program header, whatever its type, and a zero-sized
 * one at address 0 (PT_GNU_STACK) then matches every address; we use
 * PT_LOAD segments with file data only. */
static const uint8_t *seg_find(const struct img *im, uint64_t addr, uint64_t *avail)
{
	for (size_t i = 0; i < im->nsegs; i++) {
		const struct seg *s = &im->segs[i];

		if (s->type != PT_LOAD || !s->filesz)
			continue;
		if (addr < s->vaddr || addr - s->vaddr >= s->filesz)
			continue;
		/* load_segments() checked that every PT_LOAD lies in the file. */
		*avail = s->filesz - (addr - s->vaddr);
		return im->d + s->off + (addr - s->vaddr);
	}
	return NULL;
}

static int load_segments(struct img *im, uint64_t phoff, unsigned phentsize, unsigned phnum,
			 struct err *e)
{
	const uint8_t *ph;

	if (!phnum)
		return 0;
	if (phentsize < (im->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return err_set(e, -PF_EPARSE, "'%s' is malformed: program header entry size %u is too small",
			       im->name, phentsize);
	ph = img_at(im, phoff, (uint64_t)phnum * phentsize);
	if (!ph)
		return err_set(e, -PF_EPARSE, "'%s' is truncated: its program headers lie past the end of the file",
			       im->name);
	im->segs = calloc(phnum, sizeof(*im->segs));
	if (!im->segs)
		return err_set(e, -ENOMEM, "out of memory");
	for (unsigned i = 0; i < phnum; i++, ph += phentsize) {
		struct seg *s = &im->segs[i];

		s->type = rd32(ph, im->be);
		if (im->is64) {
			s->flags = rd32(ph + offsetof(Elf64_Phdr, p_flags), im->be);
			s->off = rd64(ph + offsetof(Elf64_Phdr, p_offset), im->be);
			s->vaddr = rd64(ph + offsetof(Elf64_Phdr, p_vaddr), im->be);
			s->filesz = rd64(ph + offsetof(Elf64_Phdr, p_filesz), im->be);
			s->memsz = rd64(ph + offsetof(Elf64_Phdr, p_memsz), im->be);
		} else {
			s->flags = rd32(ph + offsetof(Elf32_Phdr, p_flags), im->be);
			s->off = rd32(ph + offsetof(Elf32_Phdr, p_offset), im->be);
			s->vaddr = rd32(ph + offsetof(Elf32_Phdr, p_vaddr), im->be);
			s->filesz = rd32(ph + offsetof(Elf32_Phdr, p_filesz), im->be);
			s->memsz = rd32(ph + offsetof(Elf32_Phdr, p_memsz), im->be);
		}
		if ((int64_t)s->off < 0 || (int64_t)s->filesz < 0)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: program header %u has an invalid offset or size",
				       im->name, i);
		/* Go reads past-the-end segments lazily and short; we refuse the
		 * whole file up front, so a cut-off copy is always reported as
		 * truncated rather than as "not Go". */
		if (s->type == PT_LOAD && !img_at(im, s->off, s->filesz))
			return err_set(e, -PF_EPARSE,
				       "'%s' is truncated: segment %u ends at byte %llu, past the end of the file (%zu bytes)",
				       im->name, i, (unsigned long long)(s->off + s->filesz), im->n);
	}
	im->nsegs = phnum;
	return 0;
}

/* Go's getString: a NUL-terminated name inside the string table. */
static const char *strtab_name(const uint8_t *tab, uint64_t len, uint32_t idx)
{
	if (idx >= len || !memchr(tab + idx, '\0', len - idx))
		return NULL;
	return (const char *)tab + idx;
}

/* Walks the section headers with elf.NewFile's checks and, when there is
 * a section named .go.buildinfo, returns its address and size. */
static int find_section(const struct img *im, uint64_t shoff, unsigned shentsize, uint64_t shnum,
			uint64_t shstrndx, uint64_t *ret_addr, uint64_t *ret_size, bool *found,
			struct err *e)
{
	const size_t want = im->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	const uint8_t *sh, *tab = NULL;
	uint64_t tablen = 0;

	*found = false;
	if (!shnum)
		return 0;
	if (shentsize < want)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: section header entry size %u is too small",
			       im->name, shentsize);
	if (shnum > im->n / shentsize || !(sh = img_at(im, shoff, shnum * shentsize)))
		return err_set(e, -PF_EPARSE, "'%s' is truncated: its section headers lie past the end of the file",
			       im->name);
	if (shstrndx) {
		const uint8_t *s = sh + shstrndx * shentsize;
		uint32_t type = rd32(s + 4, im->be);
		uint64_t flags, off;

		flags = im->is64 ? rd64(s + offsetof(Elf64_Shdr, sh_flags), im->be)
				 : rd32(s + offsetof(Elf32_Shdr, sh_flags), im->be);
		off = rdw(im, s + (im->is64 ? offsetof(Elf64_Shdr, sh_offset) : offsetof(Elf32_Shdr, sh_offset)));
		tablen = rdw(im, s + (im->is64 ? offsetof(Elf64_Shdr, sh_size) : offsetof(Elf32_Shdr, sh_size)));
		if (type != SHT_STRTAB)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: the section name table has type %u",
				       im->name, type);
		/* Deviation: Go would inflate a compressed name table; no
		 * linker writes one. */
		if (flags & SHF_COMPRESSED)
			return err_set(e, -PF_EPARSE, "'%s' has a compressed section name table, which is not supported",
				       im->name);
		tab = img_at(im, off, tablen);
		if (!tab)
			return err_set(e, -PF_EPARSE, "'%s' is truncated: its section name table lies past the end of the file",
				       im->name);
	}
	for (uint64_t i = 0; i < shnum; i++, sh += shentsize) {
		uint32_t name = rd32(sh, im->be);
		uint64_t flags, addr, off, size;
		const char *s;

		if (im->is64) {
			flags = rd64(sh + offsetof(Elf64_Shdr, sh_flags), im->be);
			addr = rd64(sh + offsetof(Elf64_Shdr, sh_addr), im->be);
			off = rd64(sh + offsetof(Elf64_Shdr, sh_offset), im->be);
			size = rd64(sh + offsetof(Elf64_Shdr, sh_size), im->be);
		} else {
			flags = rd32(sh + offsetof(Elf32_Shdr, sh_flags), im->be);
			addr = rd32(sh + offsetof(Elf32_Shdr, sh_addr), im->be);
			off = rd32(sh + offsetof(Elf32_Shdr, sh_offset), im->be);
			size = rd32(sh + offsetof(Elf32_Shdr, sh_size), im->be);
		}
		if ((int64_t)off < 0 || (int64_t)size < 0)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: section %llu has an invalid offset or size",
				       im->name, (unsigned long long)i);
		if (flags & SHF_COMPRESSED) {
			/* The size that counts is the uncompressed one, in the
			 * compression header at the start of the data. */
			const uint8_t *ch = img_at(im, off, im->is64 ? sizeof(Elf64_Chdr) : sizeof(Elf32_Chdr));

			if (!ch)
				return err_set(e, -PF_EPARSE, "'%s' is truncated: section %llu lies past the end of the file",
					       im->name, (unsigned long long)i);
			size = im->is64 ? rd64(ch + offsetof(Elf64_Chdr, ch_size), im->be)
					: rd32(ch + offsetof(Elf32_Chdr, ch_size), im->be);
		}
		if (!tab)
			continue;
		s = strtab_name(tab, tablen, name);
		if (!s)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: section %llu has a bad name index",
				       im->name, (unsigned long long)i);
		if (!*found && !strcmp(s, ".go.buildinfo")) {
			*found = true;
			*ret_addr = addr;
			*ret_size = size;
		}
	}
	return 0;
}

/* Parses the ELF headers (elf.NewFile) and returns where the build info
 * should start (debug/buildinfo's elfExe.DataStart). */
static int img_open(struct img *im, uint64_t *ret_addr, uint64_t *ret_size, struct err *e)
{
	const uint8_t *h = im->d;
	uint64_t phoff, shoff, shnum, shstrndx;
	unsigned phentsize, phnum, shentsize;
	bool found;
	int r;

	if (im->n < EI_NIDENT || memcmp(h, ELFMAG, SELFMAG))
		return err_set(e, -PF_EPARSE, "'%s' is not an ELF file", im->name);
	if (h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: unknown ELF class %u", im->name, h[EI_CLASS]);
	if (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: unknown ELF data encoding %u", im->name, h[EI_DATA]);
	if (h[EI_VERSION] != EV_CURRENT)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: unknown ELF version %u", im->name, h[EI_VERSION]);
	im->is64 = h[EI_CLASS] == ELFCLASS64;
	im->be = h[EI_DATA] == ELFDATA2MSB;
	if (im->n < (im->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return err_set(e, -PF_EPARSE, "'%s' is truncated: the ELF header is incomplete", im->name);
	if (im->is64) {
		if (rd32(h + offsetof(Elf64_Ehdr, e_version), im->be) != EV_CURRENT)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: mismatched ELF version", im->name);
		phoff = rd64(h + offsetof(Elf64_Ehdr, e_phoff), im->be);
		shoff = rd64(h + offsetof(Elf64_Ehdr, e_shoff), im->be);
		phentsize = rd16(h + offsetof(Elf64_Ehdr, e_phentsize), im->be);
		phnum = rd16(h + offsetof(Elf64_Ehdr, e_phnum), im->be);
		shentsize = rd16(h + offsetof(Elf64_Ehdr, e_shentsize), im->be);
		shnum = rd16(h + offsetof(Elf64_Ehdr, e_shnum), im->be);
		shstrndx = rd16(h + offsetof(Elf64_Ehdr, e_shstrndx), im->be);
	} else {
		if (rd32(h + offsetof(Elf32_Ehdr, e_version), im->be) != EV_CURRENT)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: mismatched ELF version", im->name);
		phoff = rd32(h + offsetof(Elf32_Ehdr, e_phoff), im->be);
		shoff = rd32(h + offsetof(Elf32_Ehdr, e_shoff), im->be);
		phentsize = rd16(h + offsetof(Elf32_Ehdr, e_phentsize), im->be);
		phnum = rd16(h + offsetof(Elf32_Ehdr, e_phnum), im->be);
		shentsize = rd16(h + offsetof(Elf32_Ehdr, e_shentsize), im->be);
		shnum = rd16(h + offsetof(Elf32_Ehdr, e_shnum), im->be);
		shstrndx = rd16(h + offsetof(Elf32_Ehdr, e_shstrndx), im->be);
	}
	if ((int64_t)shoff < 0 || (int64_t)phoff < 0)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: invalid header table offset", im->name);
	if (!shoff && shnum)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: %llu sections but no section header table",
			       im->name, (unsigned long long)shnum);
	if (shnum && shstrndx >= shnum)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: invalid section name table index", im->name);
	r = load_segments(im, phoff, phentsize, phnum, e);
	if (r < 0)
		return r;
	if (shoff && !shnum) {
		/* Extended numbering: the real count (and maybe the name table
		 * index) live in section header 0. */
		const uint8_t *s0 = img_at(im, shoff, im->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));

		if (!s0)
			return err_set(e, -PF_EPARSE, "'%s' is truncated: its section headers lie past the end of the file",
				       im->name);
		if (rd32(s0 + 4, im->be) != SHT_NULL)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: invalid type of the initial section", im->name);
		shnum = rdw(im, s0 + (im->is64 ? offsetof(Elf64_Shdr, sh_size) : offsetof(Elf32_Shdr, sh_size)));
		if (shnum < SHN_LORESERVE)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: invalid extended section count", im->name);
		if (shstrndx == SHN_XINDEX) {
			shstrndx = rd32(s0 + (im->is64 ? offsetof(Elf64_Shdr, sh_link) : offsetof(Elf32_Shdr, sh_link)),
					im->be);
			if (shstrndx < SHN_LORESERVE)
				return err_set(e, -PF_EPARSE, "'%s' is malformed: invalid extended name table index",
					       im->name);
		}
		if (shstrndx >= shnum)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: invalid section name table index", im->name);
	}
	r = find_section(im, shoff, shentsize, shnum, shstrndx, ret_addr, ret_size, &found, e);
	if (r < 0 || found)
		return r;
	/* No section headers (sstrip) or no such section: the linker put the
	 * blob near the start of the first writable, non-executable segment. */
	*ret_addr = *ret_size = 0;
	for (size_t i = 0; i < im->nsegs; i++) {
		if (im->segs[i].type == PT_LOAD && (im->segs[i].flags & (PF_X | PF_W)) == PF_W) {
			*ret_addr = im->segs[i].vaddr;
			*ret_size = im->segs[i].memsz;
			break;
		}
	}
	return 0;
}

static int not_go(const struct img *im, struct err *e)
{
	return err_set(e, -PF_ENOTGO, "'%s' is not a Go executable (no .go.buildinfo)", im->name);
}

/* searchMagic: the first 16-byte-aligned magic in [start, start+size).
 * Go 1.18-1.22 looked only at the first 64 KiB; since Go 1.23 the whole
 * range is searched, and so do we. The linker puts the blob first, so the
 * two agree on every real binary. */
static int search_magic(const struct img *im, uint64_t start, uint64_t size, uint64_t *ret, struct err *e)
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
		const uint8_t *p = seg_find(im, start, &avail);

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
static int decode_string(const struct img *im, uint64_t *addr, const uint8_t **ret, uint64_t *ret_len,
			 struct err *e)
{
	uint64_t avail, len = 0;
	const uint8_t *p = seg_find(im, *addr, &avail);
	int n;

	if (!p)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: the build info runs past its segment", im->name);
	n = uvarint(p, avail < MAX_VARINT ? avail : MAX_VARINT, &len);
	if (n <= 0)
		return not_go(im, e);
	*addr += (uint64_t)n;
	p = seg_find(im, *addr, &avail);
	if (!p)
		return err_set(e, -PF_EPARSE, "'%s' is malformed: the build info runs past its segment", im->name);
	if (avail < len)
		return not_go(im, e);
	*ret = p;
	*ret_len = len;
	*addr += len;
	return 0;
}

/* readString (pointer format): a Go string header {data, len} at addr.
 * Like Go, any failure yields the empty string. */
static void read_go_string(const struct img *im, unsigned ptrsize, bool be, uint64_t addr,
			   const uint8_t **ret, uint64_t *ret_len)
{
	uint64_t avail, data, len;
	const uint8_t *p = seg_find(im, addr, &avail);

	*ret = NULL;
	*ret_len = 0;
	if (!p || avail < 2 * ptrsize)
		return;
	data = ptrsize == 8 ? rd64(p, be) : rd32(p, be);
	len = ptrsize == 8 ? rd64(p + 8, be) : rd32(p + 4, be);
	p = seg_find(im, data, &avail);
	if (!p || avail < len)
		return;
	*ret = p;
	*ret_len = len;
}

/* ---- modinfo text ------------------------------------------------------- */

/* Go's utf8.DecodeRune: invalid or short input is U+FFFD of width 1. */
static uint32_t utf8_decode(const uint8_t *s, size_t n, size_t *width)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xbf;
	size_t need;
	uint32_t r;

	*width = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		r = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		r = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		r = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0xfffd;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return 0xfffd;
	r = r << 6 | (s[1] & 0x3f);
	for (size_t i = 2; i < need; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0xfffd;
		r = r << 6 | (s[i] & 0x3f);
	}
	*width = need;
	return r;
}

static int utf8_append(struct buf *b, uint32_t r)
{
	uint8_t o[4];
	size_t n;

	if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		r = 0xfffd;
	if (r < 0x80) {
		o[0] = (uint8_t)r;
		n = 1;
	} else if (r < 0x800) {
		o[0] = (uint8_t)(0xc0 | r >> 6);
		o[1] = (uint8_t)(0x80 | (r & 0x3f));
		n = 2;
	} else if (r < 0x10000) {
		o[0] = (uint8_t)(0xe0 | r >> 12);
		o[1] = (uint8_t)(0x80 | (r >> 6 & 0x3f));
		o[2] = (uint8_t)(0x80 | (r & 0x3f));
		n = 3;
	} else {
		o[0] = (uint8_t)(0xf0 | r >> 18);
		o[1] = (uint8_t)(0x80 | (r >> 12 & 0x3f));
		o[2] = (uint8_t)(0x80 | (r >> 6 & 0x3f));
		o[3] = (uint8_t)(0x80 | (r & 0x3f));
		n = 4;
	}
	return buf_append(b, o, n);
}

static int unhex(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* strconv.UnquoteChar for a double-quoted string: one character or escape
 * at s, appended to out as Go would. Returns the bytes used, or 0 for a
 * syntax error. */
static size_t unquote_char(const uint8_t *s, size_t n, struct buf *out, int *r)
{
	uint32_t v = 0;
	size_t w, digits = 0;

	*r = 0;
	if (!n || s[0] == '"')
		return 0;
	if (s[0] >= 0x80) {
		v = utf8_decode(s, n, &w);
		*r = utf8_append(out, v);
		return w;
	}
	if (s[0] != '\\') {
		*r = buf_append(out, s, 1);
		return 1;
	}
	if (n < 2)
		return 0;
	switch (s[1]) {
	case 'a': v = '\a'; break;
	case 'b': v = '\b'; break;
	case 'f': v = '\f'; break;
	case 'n': v = '\n'; break;
	case 'r': v = '\r'; break;
	case 't': v = '\t'; break;
	case 'v': v = '\v'; break;
	case '\\': v = '\\'; break;
	case '"': v = '"'; break;
	case 'x': digits = 2; break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		if (n < 4)
			return 0;
		v = s[1] - '0';
		for (size_t j = 2; j < 4; j++) {
			if (s[j] < '0' || s[j] > '7')
				return 0;
			v = v << 3 | (uint32_t)(s[j] - '0');
		}
		if (v > 255)
			return 0;
		*r = buf_append(out, &(uint8_t){ (uint8_t)v }, 1);
		return 4;
	default:
		return 0;
	}
	if (!digits) {
		*r = buf_append(out, &(uint8_t){ (uint8_t)v }, 1);
		return 2;
	}
	if (n < 2 + digits)
		return 0;
	for (size_t j = 0; j < digits; j++) {
		int x = unhex(s[2 + j]);

		if (x < 0)
			return 0;
		v = v << 4 | (uint32_t)x;
	}
	if (digits == 2) {
		/* \xNN is a single byte, which need not be UTF-8. */
		*r = buf_append(out, &(uint8_t){ (uint8_t)v }, 1);
	} else {
		if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return 0;
		*r = utf8_append(out, v);
	}
	return 2 + digits;
}

static bool utf8_valid(const uint8_t *s, size_t n)
{
	for (size_t i = 0, w; i < n; i += w)
		if (utf8_decode(s + i, n - i, &w) == 0xfffd && w == 1)
			return false;
	return true;
}

/* strconv's unquote for the `...` and "..." forms: the quoted string at
 * the start of s, unescaped into out; *used is its length with quotes.
 * Returns 0, -EINVAL on a syntax error, or a buffer error. */
static int go_unquote(const char *cs, size_t n, struct buf *out, size_t *used)
{
	const uint8_t *s = (const uint8_t *)cs, *q;
	size_t end, i;
	int r = 0;

	buf_reset(out);
	if (n < 2 || (s[0] != '`' && s[0] != '"'))
		return -EINVAL;
	q = memchr(s + 1, s[0], n - 1);
	if (!q)
		return -EINVAL;
	end = (size_t)(q - s) + 1;
	if (s[0] == '`') {
		/* Raw strings drop carriage returns and nothing else. */
		for (i = 1; i < end - 1 && r >= 0; i++)
			if (s[i] != '\r')
				r = buf_append(out, s + i, 1);
		*used = end;
		return r < 0 ? r : 0;
	}
	if (!memchr(s, '\\', end) && !memchr(s, '\n', end) && utf8_valid(s + 1, end - 2)) {
		*used = end;
		return buf_append(out, s + 1, end - 2);
	}
	for (i = 1; i < n && s[i] != '"';) {
		size_t w;

		if (s[i] == '\n')
			return -EINVAL;
		w = unquote_char(s + i, n - i, out, &r);
		if (r < 0)
			return r;
		if (!w)
			return -EINVAL;
		i += w;
	}
	if (i >= n)
		return -EINVAL;
	*used = i + 1;
	return 0;
}

/* strconv.IsPrint: which runes strconv.Quote leaves as they are. The table
 * is generated by tests/targets/buildinfo/isprintgen from the Go toolchain
 * (see there); a newer Unicode adds a few ranges, rarely seen in build
 * settings. */
static const struct rune_range {
	uint32_t lo, hi;
} printable[] = {
	/* strconv.IsPrint above U+007F: go1.26.8, Unicode 15.0.0, 710 ranges */
	{ 0xa1, 0xac }, { 0xae, 0x377 }, { 0x37a, 0x37f }, { 0x384, 0x38a }, { 0x38c, 0x38c },
	{ 0x38e, 0x3a1 }, { 0x3a3, 0x52f }, { 0x531, 0x556 }, { 0x559, 0x58a }, { 0x58d, 0x58f },
	{ 0x591, 0x5c7 }, { 0x5d0, 0x5ea }, { 0x5ef, 0x5f4 }, { 0x606, 0x61b }, { 0x61d, 0x6dc },
	{ 0x6de, 0x70d }, { 0x710, 0x74a }, { 0x74d, 0x7b1 }, { 0x7c0, 0x7fa }, { 0x7fd, 0x82d },
	{ 0x830, 0x83e }, { 0x840, 0x85b }, { 0x85e, 0x85e }, { 0x860, 0x86a }, { 0x870, 0x88e },
	{ 0x898, 0x8e1 }, { 0x8e3, 0x983 }, { 0x985, 0x98c }, { 0x98f, 0x990 }, { 0x993, 0x9a8 },
	{ 0x9aa, 0x9b0 }, { 0x9b2, 0x9b2 }, { 0x9b6, 0x9b9 }, { 0x9bc, 0x9c4 }, { 0x9c7, 0x9c8 },
	{ 0x9cb, 0x9ce }, { 0x9d7, 0x9d7 }, { 0x9dc, 0x9dd }, { 0x9df, 0x9e3 }, { 0x9e6, 0x9fe },
	{ 0xa01, 0xa03 }, { 0xa05, 0xa0a }, { 0xa0f, 0xa10 }, { 0xa13, 0xa28 }, { 0xa2a, 0xa30 },
	{ 0xa32, 0xa33 }, { 0xa35, 0xa36 }, { 0xa38, 0xa39 }, { 0xa3c, 0xa3c }, { 0xa3e, 0xa42 },
	{ 0xa47, 0xa48 }, { 0xa4b, 0xa4d }, { 0xa51, 0xa51 }, { 0xa59, 0xa5c }, { 0xa5e, 0xa5e },
	{ 0xa66, 0xa76 }, { 0xa81, 0xa83 }, { 0xa85, 0xa8d }, { 0xa8f, 0xa91 }, { 0xa93, 0xaa8 },
	{ 0xaaa, 0xab0 }, { 0xab2, 0xab3 }, { 0xab5, 0xab9 }, { 0xabc, 0xac5 }, { 0xac7, 0xac9 },
	{ 0xacb, 0xacd }, { 0xad0, 0xad0 }, { 0xae0, 0xae3 }, { 0xae6, 0xaf1 }, { 0xaf9, 0xaff },
	{ 0xb01, 0xb03 }, { 0xb05, 0xb0c }, { 0xb0f, 0xb10 }, { 0xb13, 0xb28 }, { 0xb2a, 0xb30 },
	{ 0xb32, 0xb33 }, { 0xb35, 0xb39 }, { 0xb3c, 0xb44 }, { 0xb47, 0xb48 }, { 0xb4b, 0xb4d },
	{ 0xb55, 0xb57 }, { 0xb5c, 0xb5d }, { 0xb5f, 0xb63 }, { 0xb66, 0xb77 }, { 0xb82, 0xb83 },
	{ 0xb85, 0xb8a }, { 0xb8e, 0xb90 }, { 0xb92, 0xb95 }, { 0xb99, 0xb9a }, { 0xb9c, 0xb9c },
	{ 0xb9e, 0xb9f }, { 0xba3, 0xba4 }, { 0xba8, 0xbaa }, { 0xbae, 0xbb9 }, { 0xbbe, 0xbc2 },
	{ 0xbc6, 0xbc8 }, { 0xbca, 0xbcd }, { 0xbd0, 0xbd0 }, { 0xbd7, 0xbd7 }, { 0xbe6, 0xbfa },
	{ 0xc00, 0xc0c }, { 0xc0e, 0xc10 }, { 0xc12, 0xc28 }, { 0xc2a, 0xc39 }, { 0xc3c, 0xc44 },
	{ 0xc46, 0xc48 }, { 0xc4a, 0xc4d }, { 0xc55, 0xc56 }, { 0xc58, 0xc5a }, { 0xc5d, 0xc5d },
	{ 0xc60, 0xc63 }, { 0xc66, 0xc6f }, { 0xc77, 0xc8c }, { 0xc8e, 0xc90 }, { 0xc92, 0xca8 },
	{ 0xcaa, 0xcb3 }, { 0xcb5, 0xcb9 }, { 0xcbc, 0xcc4 }, { 0xcc6, 0xcc8 }, { 0xcca, 0xccd },
	{ 0xcd5, 0xcd6 }, { 0xcdd, 0xcde }, { 0xce0, 0xce3 }, { 0xce6, 0xcef }, { 0xcf1, 0xcf3 },
	{ 0xd00, 0xd0c }, { 0xd0e, 0xd10 }, { 0xd12, 0xd44 }, { 0xd46, 0xd48 }, { 0xd4a, 0xd4f },
	{ 0xd54, 0xd63 }, { 0xd66, 0xd7f }, { 0xd81, 0xd83 }, { 0xd85, 0xd96 }, { 0xd9a, 0xdb1 },
	{ 0xdb3, 0xdbb }, { 0xdbd, 0xdbd }, { 0xdc0, 0xdc6 }, { 0xdca, 0xdca }, { 0xdcf, 0xdd4 },
	{ 0xdd6, 0xdd6 }, { 0xdd8, 0xddf }, { 0xde6, 0xdef }, { 0xdf2, 0xdf4 }, { 0xe01, 0xe3a },
	{ 0xe3f, 0xe5b }, { 0xe81, 0xe82 }, { 0xe84, 0xe84 }, { 0xe86, 0xe8a }, { 0xe8c, 0xea3 },
	{ 0xea5, 0xea5 }, { 0xea7, 0xebd }, { 0xec0, 0xec4 }, { 0xec6, 0xec6 }, { 0xec8, 0xece },
	{ 0xed0, 0xed9 }, { 0xedc, 0xedf }, { 0xf00, 0xf47 }, { 0xf49, 0xf6c }, { 0xf71, 0xf97 },
	{ 0xf99, 0xfbc }, { 0xfbe, 0xfcc }, { 0xfce, 0xfda }, { 0x1000, 0x10c5 }, { 0x10c7, 0x10c7 },
	{ 0x10cd, 0x10cd }, { 0x10d0, 0x1248 }, { 0x124a, 0x124d }, { 0x1250, 0x1256 }, { 0x1258, 0x1258 },
	{ 0x125a, 0x125d }, { 0x1260, 0x1288 }, { 0x128a, 0x128d }, { 0x1290, 0x12b0 }, { 0x12b2, 0x12b5 },
	{ 0x12b8, 0x12be }, { 0x12c0, 0x12c0 }, { 0x12c2, 0x12c5 }, { 0x12c8, 0x12d6 }, { 0x12d8, 0x1310 },
	{ 0x1312, 0x1315 }, { 0x1318, 0x135a }, { 0x135d, 0x137c }, { 0x1380, 0x1399 }, { 0x13a0, 0x13f5 },
	{ 0x13f8, 0x13fd }, { 0x1400, 0x167f }, { 0x1681, 0x169c }, { 0x16a0, 0x16f8 }, { 0x1700, 0x1715 },
	{ 0x171f, 0x1736 }, { 0x1740, 0x1753 }, { 0x1760, 0x176c }, { 0x176e, 0x1770 }, { 0x1772, 0x1773 },
	{ 0x1780, 0x17dd }, { 0x17e0, 0x17e9 }, { 0x17f0, 0x17f9 }, { 0x1800, 0x180d }, { 0x180f, 0x1819 },
	{ 0x1820, 0x1878 }, { 0x1880, 0x18aa }, { 0x18b0, 0x18f5 }, { 0x1900, 0x191e }, { 0x1920, 0x192b },
	{ 0x1930, 0x193b }, { 0x1940, 0x1940 }, { 0x1944, 0x196d }, { 0x1970, 0x1974 }, { 0x1980, 0x19ab },
	{ 0x19b0, 0x19c9 }, { 0x19d0, 0x19da }, { 0x19de, 0x1a1b }, { 0x1a1e, 0x1a5e }, { 0x1a60, 0x1a7c },
	{ 0x1a7f, 0x1a89 }, { 0x1a90, 0x1a99 }, { 0x1aa0, 0x1aad }, { 0x1ab0, 0x1ace }, { 0x1b00, 0x1b4c },
	{ 0x1b50, 0x1b7e }, { 0x1b80, 0x1bf3 }, { 0x1bfc, 0x1c37 }, { 0x1c3b, 0x1c49 }, { 0x1c4d, 0x1c88 },
	{ 0x1c90, 0x1cba }, { 0x1cbd, 0x1cc7 }, { 0x1cd0, 0x1cfa }, { 0x1d00, 0x1f15 }, { 0x1f18, 0x1f1d },
	{ 0x1f20, 0x1f45 }, { 0x1f48, 0x1f4d }, { 0x1f50, 0x1f57 }, { 0x1f59, 0x1f59 }, { 0x1f5b, 0x1f5b },
	{ 0x1f5d, 0x1f5d }, { 0x1f5f, 0x1f7d }, { 0x1f80, 0x1fb4 }, { 0x1fb6, 0x1fc4 }, { 0x1fc6, 0x1fd3 },
	{ 0x1fd6, 0x1fdb }, { 0x1fdd, 0x1fef }, { 0x1ff2, 0x1ff4 }, { 0x1ff6, 0x1ffe }, { 0x2010, 0x2027 },
	{ 0x2030, 0x205e }, { 0x2070, 0x2071 }, { 0x2074, 0x208e }, { 0x2090, 0x209c }, { 0x20a0, 0x20c0 },
	{ 0x20d0, 0x20f0 }, { 0x2100, 0x218b }, { 0x2190, 0x2426 }, { 0x2440, 0x244a }, { 0x2460, 0x2b73 },
	{ 0x2b76, 0x2b95 }, { 0x2b97, 0x2cf3 }, { 0x2cf9, 0x2d25 }, { 0x2d27, 0x2d27 }, { 0x2d2d, 0x2d2d },
	{ 0x2d30, 0x2d67 }, { 0x2d6f, 0x2d70 }, { 0x2d7f, 0x2d96 }, { 0x2da0, 0x2da6 }, { 0x2da8, 0x2dae },
	{ 0x2db0, 0x2db6 }, { 0x2db8, 0x2dbe }, { 0x2dc0, 0x2dc6 }, { 0x2dc8, 0x2dce }, { 0x2dd0, 0x2dd6 },
	{ 0x2dd8, 0x2dde }, { 0x2de0, 0x2e5d }, { 0x2e80, 0x2e99 }, { 0x2e9b, 0x2ef3 }, { 0x2f00, 0x2fd5 },
	{ 0x2ff0, 0x2ffb }, { 0x3001, 0x303f }, { 0x3041, 0x3096 }, { 0x3099, 0x30ff }, { 0x3105, 0x312f },
	{ 0x3131, 0x318e }, { 0x3190, 0x31e3 }, { 0x31f0, 0x321e }, { 0x3220, 0xa48c }, { 0xa490, 0xa4c6 },
	{ 0xa4d0, 0xa62b }, { 0xa640, 0xa6f7 }, { 0xa700, 0xa7ca }, { 0xa7d0, 0xa7d1 }, { 0xa7d3, 0xa7d3 },
	{ 0xa7d5, 0xa7d9 }, { 0xa7f2, 0xa82c }, { 0xa830, 0xa839 }, { 0xa840, 0xa877 }, { 0xa880, 0xa8c5 },
	{ 0xa8ce, 0xa8d9 }, { 0xa8e0, 0xa953 }, { 0xa95f, 0xa97c }, { 0xa980, 0xa9cd }, { 0xa9cf, 0xa9d9 },
	{ 0xa9de, 0xa9fe }, { 0xaa00, 0xaa36 }, { 0xaa40, 0xaa4d }, { 0xaa50, 0xaa59 }, { 0xaa5c, 0xaac2 },
	{ 0xaadb, 0xaaf6 }, { 0xab01, 0xab06 }, { 0xab09, 0xab0e }, { 0xab11, 0xab16 }, { 0xab20, 0xab26 },
	{ 0xab28, 0xab2e }, { 0xab30, 0xab6b }, { 0xab70, 0xabed }, { 0xabf0, 0xabf9 }, { 0xac00, 0xd7a3 },
	{ 0xd7b0, 0xd7c6 }, { 0xd7cb, 0xd7fb }, { 0xf900, 0xfa6d }, { 0xfa70, 0xfad9 }, { 0xfb00, 0xfb06 },
	{ 0xfb13, 0xfb17 }, { 0xfb1d, 0xfb36 }, { 0xfb38, 0xfb3c }, { 0xfb3e, 0xfb3e }, { 0xfb40, 0xfb41 },
	{ 0xfb43, 0xfb44 }, { 0xfb46, 0xfbc2 }, { 0xfbd3, 0xfd8f }, { 0xfd92, 0xfdc7 }, { 0xfdcf, 0xfdcf },
	{ 0xfdf0, 0xfe19 }, { 0xfe20, 0xfe52 }, { 0xfe54, 0xfe66 }, { 0xfe68, 0xfe6b }, { 0xfe70, 0xfe74 },
	{ 0xfe76, 0xfefc }, { 0xff01, 0xffbe }, { 0xffc2, 0xffc7 }, { 0xffca, 0xffcf }, { 0xffd2, 0xffd7 },
	{ 0xffda, 0xffdc }, { 0xffe0, 0xffe6 }, { 0xffe8, 0xffee }, { 0xfffc, 0xfffd }, { 0x10000, 0x1000b },
	{ 0x1000d, 0x10026 }, { 0x10028, 0x1003a }, { 0x1003c, 0x1003d }, { 0x1003f, 0x1004d }, { 0x10050, 0x1005d },
	{ 0x10080, 0x100fa }, { 0x10100, 0x10102 }, { 0x10107, 0x10133 }, { 0x10137, 0x1018e }, { 0x10190, 0x1019c },
	{ 0x101a0, 0x101a0 }, { 0x101d0, 0x101fd }, { 0x10280, 0x1029c }, { 0x102a0, 0x102d0 }, { 0x102e0, 0x102fb },
	{ 0x10300, 0x10323 }, { 0x1032d, 0x1034a }, { 0x10350, 0x1037a }, { 0x10380, 0x1039d }, { 0x1039f, 0x103c3 },
	{ 0x103c8, 0x103d5 }, { 0x10400, 0x1049d }, { 0x104a0, 0x104a9 }, { 0x104b0, 0x104d3 }, { 0x104d8, 0x104fb },
	{ 0x10500, 0x10527 }, { 0x10530, 0x10563 }, { 0x1056f, 0x1057a }, { 0x1057c, 0x1058a }, { 0x1058c, 0x10592 },
	{ 0x10594, 0x10595 }, { 0x10597, 0x105a1 }, { 0x105a3, 0x105b1 }, { 0x105b3, 0x105b9 }, { 0x105bb, 0x105bc },
	{ 0x10600, 0x10736 }, { 0x10740, 0x10755 }, { 0x10760, 0x10767 }, { 0x10780, 0x10785 }, { 0x10787, 0x107b0 },
	{ 0x107b2, 0x107ba }, { 0x10800, 0x10805 }, { 0x10808, 0x10808 }, { 0x1080a, 0x10835 }, { 0x10837, 0x10838 },
	{ 0x1083c, 0x1083c }, { 0x1083f, 0x10855 }, { 0x10857, 0x1089e }, { 0x108a7, 0x108af }, { 0x108e0, 0x108f2 },
	{ 0x108f4, 0x108f5 }, { 0x108fb, 0x1091b }, { 0x1091f, 0x10939 }, { 0x1093f, 0x1093f }, { 0x10980, 0x109b7 },
	{ 0x109bc, 0x109cf }, { 0x109d2, 0x10a03 }, { 0x10a05, 0x10a06 }, { 0x10a0c, 0x10a13 }, { 0x10a15, 0x10a17 },
	{ 0x10a19, 0x10a35 }, { 0x10a38, 0x10a3a }, { 0x10a3f, 0x10a48 }, { 0x10a50, 0x10a58 }, { 0x10a60, 0x10a9f },
	{ 0x10ac0, 0x10ae6 }, { 0x10aeb, 0x10af6 }, { 0x10b00, 0x10b35 }, { 0x10b39, 0x10b55 }, { 0x10b58, 0x10b72 },
	{ 0x10b78, 0x10b91 }, { 0x10b99, 0x10b9c }, { 0x10ba9, 0x10baf }, { 0x10c00, 0x10c48 }, { 0x10c80, 0x10cb2 },
	{ 0x10cc0, 0x10cf2 }, { 0x10cfa, 0x10d27 }, { 0x10d30, 0x10d39 }, { 0x10e60, 0x10e7e }, { 0x10e80, 0x10ea9 },
	{ 0x10eab, 0x10ead }, { 0x10eb0, 0x10eb1 }, { 0x10efd, 0x10f27 }, { 0x10f30, 0x10f59 }, { 0x10f70, 0x10f89 },
	{ 0x10fb0, 0x10fcb }, { 0x10fe0, 0x10ff6 }, { 0x11000, 0x1104d }, { 0x11052, 0x11075 }, { 0x1107f, 0x110bc },
	{ 0x110be, 0x110c2 }, { 0x110d0, 0x110e8 }, { 0x110f0, 0x110f9 }, { 0x11100, 0x11134 }, { 0x11136, 0x11147 },
	{ 0x11150, 0x11176 }, { 0x11180, 0x111df }, { 0x111e1, 0x111f4 }, { 0x11200, 0x11211 }, { 0x11213, 0x11241 },
	{ 0x11280, 0x11286 }, { 0x11288, 0x11288 }, { 0x1128a, 0x1128d }, { 0x1128f, 0x1129d }, { 0x1129f, 0x112a9 },
	{ 0x112b0, 0x112ea }, { 0x112f0, 0x112f9 }, { 0x11300, 0x11303 }, { 0x11305, 0x1130c }, { 0x1130f, 0x11310 },
	{ 0x11313, 0x11328 }, { 0x1132a, 0x11330 }, { 0x11332, 0x11333 }, { 0x11335, 0x11339 }, { 0x1133b, 0x11344 },
	{ 0x11347, 0x11348 }, { 0x1134b, 0x1134d }, { 0x11350, 0x11350 }, { 0x11357, 0x11357 }, { 0x1135d, 0x11363 },
	{ 0x11366, 0x1136c }, { 0x11370, 0x11374 }, { 0x11400, 0x1145b }, { 0x1145d, 0x11461 }, { 0x11480, 0x114c7 },
	{ 0x114d0, 0x114d9 }, { 0x11580, 0x115b5 }, { 0x115b8, 0x115dd }, { 0x11600, 0x11644 }, { 0x11650, 0x11659 },
	{ 0x11660, 0x1166c }, { 0x11680, 0x116b9 }, { 0x116c0, 0x116c9 }, { 0x11700, 0x1171a }, { 0x1171d, 0x1172b },
	{ 0x11730, 0x11746 }, { 0x11800, 0x1183b }, { 0x118a0, 0x118f2 }, { 0x118ff, 0x11906 }, { 0x11909, 0x11909 },
	{ 0x1190c, 0x11913 }, { 0x11915, 0x11916 }, { 0x11918, 0x11935 }, { 0x11937, 0x11938 }, { 0x1193b, 0x11946 },
	{ 0x11950, 0x11959 }, { 0x119a0, 0x119a7 }, { 0x119aa, 0x119d7 }, { 0x119da, 0x119e4 }, { 0x11a00, 0x11a47 },
	{ 0x11a50, 0x11aa2 }, { 0x11ab0, 0x11af8 }, { 0x11b00, 0x11b09 }, { 0x11c00, 0x11c08 }, { 0x11c0a, 0x11c36 },
	{ 0x11c38, 0x11c45 }, { 0x11c50, 0x11c6c }, { 0x11c70, 0x11c8f }, { 0x11c92, 0x11ca7 }, { 0x11ca9, 0x11cb6 },
	{ 0x11d00, 0x11d06 }, { 0x11d08, 0x11d09 }, { 0x11d0b, 0x11d36 }, { 0x11d3a, 0x11d3a }, { 0x11d3c, 0x11d3d },
	{ 0x11d3f, 0x11d47 }, { 0x11d50, 0x11d59 }, { 0x11d60, 0x11d65 }, { 0x11d67, 0x11d68 }, { 0x11d6a, 0x11d8e },
	{ 0x11d90, 0x11d91 }, { 0x11d93, 0x11d98 }, { 0x11da0, 0x11da9 }, { 0x11ee0, 0x11ef8 }, { 0x11f00, 0x11f10 },
	{ 0x11f12, 0x11f3a }, { 0x11f3e, 0x11f59 }, { 0x11fb0, 0x11fb0 }, { 0x11fc0, 0x11ff1 }, { 0x11fff, 0x12399 },
	{ 0x12400, 0x1246e }, { 0x12470, 0x12474 }, { 0x12480, 0x12543 }, { 0x12f90, 0x12ff2 }, { 0x13000, 0x1342f },
	{ 0x13440, 0x13455 }, { 0x14400, 0x14646 }, { 0x16800, 0x16a38 }, { 0x16a40, 0x16a5e }, { 0x16a60, 0x16a69 },
	{ 0x16a6e, 0x16abe }, { 0x16ac0, 0x16ac9 }, { 0x16ad0, 0x16aed }, { 0x16af0, 0x16af5 }, { 0x16b00, 0x16b45 },
	{ 0x16b50, 0x16b59 }, { 0x16b5b, 0x16b61 }, { 0x16b63, 0x16b77 }, { 0x16b7d, 0x16b8f }, { 0x16e40, 0x16e9a },
	{ 0x16f00, 0x16f4a }, { 0x16f4f, 0x16f87 }, { 0x16f8f, 0x16f9f }, { 0x16fe0, 0x16fe4 }, { 0x16ff0, 0x16ff1 },
	{ 0x17000, 0x187f7 }, { 0x18800, 0x18cd5 }, { 0x18d00, 0x18d08 }, { 0x1aff0, 0x1aff3 }, { 0x1aff5, 0x1affb },
	{ 0x1affd, 0x1affe }, { 0x1b000, 0x1b122 }, { 0x1b132, 0x1b132 }, { 0x1b150, 0x1b152 }, { 0x1b155, 0x1b155 },
	{ 0x1b164, 0x1b167 }, { 0x1b170, 0x1b2fb }, { 0x1bc00, 0x1bc6a }, { 0x1bc70, 0x1bc7c }, { 0x1bc80, 0x1bc88 },
	{ 0x1bc90, 0x1bc99 }, { 0x1bc9c, 0x1bc9f }, { 0x1cf00, 0x1cf2d }, { 0x1cf30, 0x1cf46 }, { 0x1cf50, 0x1cfc3 },
	{ 0x1d000, 0x1d0f5 }, { 0x1d100, 0x1d126 }, { 0x1d129, 0x1d172 }, { 0x1d17b, 0x1d1ea }, { 0x1d200, 0x1d245 },
	{ 0x1d2c0, 0x1d2d3 }, { 0x1d2e0, 0x1d2f3 }, { 0x1d300, 0x1d356 }, { 0x1d360, 0x1d378 }, { 0x1d400, 0x1d454 },
	{ 0x1d456, 0x1d49c }, { 0x1d49e, 0x1d49f }, { 0x1d4a2, 0x1d4a2 }, { 0x1d4a5, 0x1d4a6 }, { 0x1d4a9, 0x1d4ac },
	{ 0x1d4ae, 0x1d4b9 }, { 0x1d4bb, 0x1d4bb }, { 0x1d4bd, 0x1d4c3 }, { 0x1d4c5, 0x1d505 }, { 0x1d507, 0x1d50a },
	{ 0x1d50d, 0x1d514 }, { 0x1d516, 0x1d51c }, { 0x1d51e, 0x1d539 }, { 0x1d53b, 0x1d53e }, { 0x1d540, 0x1d544 },
	{ 0x1d546, 0x1d546 }, { 0x1d54a, 0x1d550 }, { 0x1d552, 0x1d6a5 }, { 0x1d6a8, 0x1d7cb }, { 0x1d7ce, 0x1da8b },
	{ 0x1da9b, 0x1da9f }, { 0x1daa1, 0x1daaf }, { 0x1df00, 0x1df1e }, { 0x1df25, 0x1df2a }, { 0x1e000, 0x1e006 },
	{ 0x1e008, 0x1e018 }, { 0x1e01b, 0x1e021 }, { 0x1e023, 0x1e024 }, { 0x1e026, 0x1e02a }, { 0x1e030, 0x1e06d },
	{ 0x1e08f, 0x1e08f }, { 0x1e100, 0x1e12c }, { 0x1e130, 0x1e13d }, { 0x1e140, 0x1e149 }, { 0x1e14e, 0x1e14f },
	{ 0x1e290, 0x1e2ae }, { 0x1e2c0, 0x1e2f9 }, { 0x1e2ff, 0x1e2ff }, { 0x1e4d0, 0x1e4f9 }, { 0x1e7e0, 0x1e7e6 },
	{ 0x1e7e8, 0x1e7eb }, { 0x1e7ed, 0x1e7ee }, { 0x1e7f0, 0x1e7fe }, { 0x1e800, 0x1e8c4 }, { 0x1e8c7, 0x1e8d6 },
	{ 0x1e900, 0x1e94b }, { 0x1e950, 0x1e959 }, { 0x1e95e, 0x1e95f }, { 0x1ec71, 0x1ecb4 }, { 0x1ed01, 0x1ed3d },
	{ 0x1ee00, 0x1ee03 }, { 0x1ee05, 0x1ee1f }, { 0x1ee21, 0x1ee22 }, { 0x1ee24, 0x1ee24 }, { 0x1ee27, 0x1ee27 },
	{ 0x1ee29, 0x1ee32 }, { 0x1ee34, 0x1ee37 }, { 0x1ee39, 0x1ee39 }, { 0x1ee3b, 0x1ee3b }, { 0x1ee42, 0x1ee42 },
	{ 0x1ee47, 0x1ee47 }, { 0x1ee49, 0x1ee49 }, { 0x1ee4b, 0x1ee4b }, { 0x1ee4d, 0x1ee4f }, { 0x1ee51, 0x1ee52 },
	{ 0x1ee54, 0x1ee54 }, { 0x1ee57, 0x1ee57 }, { 0x1ee59, 0x1ee59 }, { 0x1ee5b, 0x1ee5b }, { 0x1ee5d, 0x1ee5d },
	{ 0x1ee5f, 0x1ee5f }, { 0x1ee61, 0x1ee62 }, { 0x1ee64, 0x1ee64 }, { 0x1ee67, 0x1ee6a }, { 0x1ee6c, 0x1ee72 },
	{ 0x1ee74, 0x1ee77 }, { 0x1ee79, 0x1ee7c }, { 0x1ee7e, 0x1ee7e }, { 0x1ee80, 0x1ee89 }, { 0x1ee8b, 0x1ee9b },
	{ 0x1eea1, 0x1eea3 }, { 0x1eea5, 0x1eea9 }, { 0x1eeab, 0x1eebb }, { 0x1eef0, 0x1eef1 }, { 0x1f000, 0x1f02b },
	{ 0x1f030, 0x1f093 }, { 0x1f0a0, 0x1f0ae }, { 0x1f0b1, 0x1f0bf }, { 0x1f0c1, 0x1f0cf }, { 0x1f0d1, 0x1f0f5 },
	{ 0x1f100, 0x1f1ad }, { 0x1f1e6, 0x1f202 }, { 0x1f210, 0x1f23b }, { 0x1f240, 0x1f248 }, { 0x1f250, 0x1f251 },
	{ 0x1f260, 0x1f265 }, { 0x1f300, 0x1f6d7 }, { 0x1f6dc, 0x1f6ec }, { 0x1f6f0, 0x1f6fc }, { 0x1f700, 0x1f776 },
	{ 0x1f77b, 0x1f7d9 }, { 0x1f7e0, 0x1f7eb }, { 0x1f7f0, 0x1f7f0 }, { 0x1f800, 0x1f80b }, { 0x1f810, 0x1f847 },
	{ 0x1f850, 0x1f859 }, { 0x1f860, 0x1f887 }, { 0x1f890, 0x1f8ad }, { 0x1f8b0, 0x1f8b1 }, { 0x1f900, 0x1fa53 },
	{ 0x1fa60, 0x1fa6d }, { 0x1fa70, 0x1fa7c }, { 0x1fa80, 0x1fa88 }, { 0x1fa90, 0x1fabd }, { 0x1fabf, 0x1fac5 },
	{ 0x1face, 0x1fadb }, { 0x1fae0, 0x1fae8 }, { 0x1faf0, 0x1faf8 }, { 0x1fb00, 0x1fb92 }, { 0x1fb94, 0x1fbca },
	{ 0x1fbf0, 0x1fbf9 }, { 0x20000, 0x2a6df }, { 0x2a700, 0x2b739 }, { 0x2b740, 0x2b81d }, { 0x2b820, 0x2cea1 },
	{ 0x2ceb0, 0x2ebe0 }, { 0x2f800, 0x2fa1d }, { 0x30000, 0x3134a }, { 0x31350, 0x323af }, { 0xe0100, 0xe01ef },
};

static bool rune_printable(uint32_t r)
{
	size_t lo = 0, hi = sizeof(printable) / sizeof(printable[0]);

	if (r < 0x80)
		return r >= 0x20 && r < 0x7f;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r < printable[mid].lo)
			hi = mid;
		else if (r > printable[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* strconv.Quote. */
static int go_quote(struct buf *b, const char *cs)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *s = (const uint8_t *)cs;
	size_t n = strlen(cs);
	int r = buf_append(b, "\"", 1);

	for (size_t i = 0, w; i < n && r >= 0; i += w) {
		uint32_t c = utf8_decode(s + i, n - i, &w);
		char esc[11];

		if (c == 0xfffd && w == 1) {
			r = buf_printf(b, "\\x%c%c", hex[s[i] >> 4], hex[s[i] & 15]);
			continue;
		}
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			r = buf_append(b, esc, 2);
			continue;
		}
		if (rune_printable(c)) {
			r = buf_append(b, s + i, w);
			continue;
		}
		switch (c) {
		case '\a': r = buf_puts(b, "\\a"); break;
		case '\b': r = buf_puts(b, "\\b"); break;
		case '\f': r = buf_puts(b, "\\f"); break;
		case '\n': r = buf_puts(b, "\\n"); break;
		case '\r': r = buf_puts(b, "\\r"); break;
		case '\t': r = buf_puts(b, "\\t"); break;
		case '\v': r = buf_puts(b, "\\v"); break;
		default:
			if (c < ' ' || c == 0x7f)
				r = buf_printf(b, "\\x%c%c", hex[c >> 4], hex[c & 15]);
			else if (c < 0x10000)
				r = buf_printf(b, "\\u%04x", c);
			else
				r = buf_printf(b, "\\U%08x", c);
		}
	}
	return r < 0 ? r : buf_append(b, "\"", 1);
}

static bool has_any(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(set, s[i]) && s[i])
			return true;
	return false;
}

/* runtime/debug's quoteKey and quoteValue. */
static bool quote_key(const char *s, size_t n)
{
	return !n || has_any(s, n, "= \t\r\n\"`");
}

static bool quote_value(const char *s, size_t n)
{
	return has_any(s, n, " \t\r\n\"`");
}

static void module_release(struct gobuild_module *m)
{
	free(m->path);
	free(m->version);
	free(m->sum);
	free(m->rep_path);
	free(m->rep_version);
	free(m->rep_sum);
	memset(m, 0, sizeof(*m));
}

void gobuild_release(struct gobuild *b)
{
	if (!b)
		return;
	free(b->go_version);
	free(b->path);
	module_release(&b->main);
	for (size_t i = 0; i < b->n_deps; i++)
		module_release(&b->deps[i]);
	free(b->deps);
	for (size_t i = 0; i < b->n_settings; i++) {
		free(b->settings[i].key);
		free(b->settings[i].value);
	}
	free(b->settings);
	memset(b, 0, sizeof(*b));
}

/* Splits [s, s+n) on tabs into at most 3 columns (strdup'd into col) and
 * returns how many columns there are, which may be more than 3. */
static int split_cols(const char *s, size_t n, char *col[3], size_t *ncols)
{
	size_t start = 0, k = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '\t')
			continue;
		if (k < 3) {
			col[k] = strndup(s + start, i - start);
			if (!col[k])
				return -ENOMEM;
		}
		k++;
		start = i + 1;
	}
	*ncols = k;
	return 0;
}

/* One mod/dep/=> line's columns, as readModuleLine wants them. */
static int module_line(const char *s, size_t n, bool replacement, char *ret[3], int line, struct err *e)
{
	char *col[3] = { NULL, NULL, NULL };
	size_t k;
	int r = split_cols(s, n, col, &k);

	if (r < 0) {
		err_set(e, r, "out of memory");
		goto out;
	}
	if (replacement && k != 3) {
		r = err_set(e, -PF_EPARSE, "line %d: expected 3 columns for replacement; got %zu", line, k);
		goto out;
	}
	if (k != 2 && k != 3) {
		r = err_set(e, -PF_EPARSE, "line %d: expected 2 or 3 columns; got %zu", line, k);
		goto out;
	}
	if (!col[2] && !(col[2] = strdup(""))) {
		r = err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(ret, col, sizeof(col));
	return 0;
out:
	for (int i = 0; i < 3; i++)
		free(col[i]);
	return r;
}

static int build_line(const char *kv, size_t n, struct gobuild_setting *ret, int line, struct err *e)
{
	struct buf key = BUF_INIT(n + 1), val = BUF_INIT(n + 1);
	const char *raw;
	size_t used, rawlen;
	int r;

	if (!n) {
		r = err_set(e, -PF_EPARSE, "line %d: build line missing '='", line);
		goto out;
	}
	if (kv[0] == '=') {
		r = err_set(e, -PF_EPARSE, "line %d: build line with missing key", line);
		goto out;
	}
	if (kv[0] == '`' || kv[0] == '"') {
		r = go_unquote(kv, n, &key, &used);
		if (r == -EINVAL) {
			r = err_set(e, -PF_EPARSE, "line %d: invalid quoted key in build line", line);
			goto out;
		}
		if (r < 0) {
			err_set(e, r, "out of memory");
			goto out;
		}
		if (used == n) {
			r = err_set(e, -PF_EPARSE, "line %d: build line missing '=' after quoted key", line);
			goto out;
		}
		if (kv[used] != '=') {
			r = err_set(e, -PF_EPARSE, "line %d: unexpected character after quoted key: '%c'", line,
				    kv[used]);
			goto out;
		}
		raw = kv + used + 1;
	} else {
		const char *eq = memchr(kv, '=', n);

		if (!eq) {
			r = err_set(e, -PF_EPARSE, "line %d: build line missing '=' after key", line);
			goto out;
		}
		if (quote_key(kv, (size_t)(eq - kv))) {
			r = err_set(e, -PF_EPARSE, "line %d: unquoted key '%.*s' must be quoted", line,
				    (int)(eq - kv), kv);
			goto out;
		}
		r = buf_append(&key, kv, (size_t)(eq - kv));
		if (r < 0) {
			err_set(e, r, "out of memory");
			goto out;
		}
		raw = eq + 1;
	}
	rawlen = n - (size_t)(raw - kv);
	if (rawlen && (raw[0] == '`' || raw[0] == '"')) {
		r = go_unquote(raw, rawlen, &val, &used);
		if (r == -EINVAL || (!r && used != rawlen)) {
			r = err_set(e, -PF_EPARSE, "line %d: invalid quoted value in build line", line);
			goto out;
		}
		if (r < 0) {
			err_set(e, r, "out of memory");
			goto out;
		}
	} else {
		if (quote_value(raw, rawlen)) {
			r = err_set(e, -PF_EPARSE, "line %d: unquoted value '%.*s' must be quoted", line,
				    (int)rawlen, raw);
			goto out;
		}
		r = buf_append(&val, raw, rawlen);
		if (r < 0) {
			err_set(e, r, "out of memory");
			goto out;
		}
	}
	/* Escapes can produce NUL bytes (\x00), which a C string cannot hold. */
	if (strlen(buf_str(&key)) != key.len || strlen(buf_str(&val)) != val.len) {
		r = err_set(e, -PF_EPARSE, "line %d: build setting contains a NUL byte", line);
		goto out;
	}
	ret->key = key.len ? buf_detach(&key) : strdup("");
	ret->value = val.len ? buf_detach(&val) : strdup("");
	r = 0;
	if (!ret->key || !ret->value) {
		free(ret->key);
		free(ret->value);
		ret->key = ret->value = NULL;
		r = err_set(e, -ENOMEM, "out of memory");
	}
out:
	buf_release(&key);
	buf_release(&val);
	return r;
}

/* Makes room for one more element, growing at powers of two; n is the count before the append. */
static int grow(void **arr, size_t n, size_t size)
{
	void *p;

	if (n & (n - 1))
		return 0;
	if (n > SIZE_MAX / 2 / size)
		return -ENOMEM;
	p = realloc(*arr, (n ? 2 * n : 1) * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

static void set_module(struct gobuild_module *m, char *col[3])
{
	module_release(m);
	m->path = col[0];
	m->version = col[1];
	m->sum = col[2];
}

/* runtime/debug.ParseBuildInfo, into a fresh struct. */
static int parse_modinfo(const char *text, size_t len, struct gobuild *bi, struct err *e)
{
	/* last: 0 none, 1 main, 2+i deps[i]; an index because deps moves. */
	size_t last = 0;
	int line = 1, r = 0;

	if (memchr(text, '\0', len))
		return err_set(e, -PF_EPARSE, "the module information contains a NUL byte");
	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t n;
		char *col[3];

		if (!nl)
			break;
		n = (size_t)(nl - text);
		if (n >= 5 && !memcmp(text, "path\t", 5)) {
			char *p = strndup(text + 5, n - 5);

			if (!p)
				return err_set(e, -ENOMEM, "out of memory");
			free(bi->path);
			bi->path = p;
		} else if (n >= 4 && !memcmp(text, "mod\t", 4)) {
			r = module_line(text + 4, n - 4, false, col, line, e);
			if (r < 0)
				return r;
			set_module(&bi->main, col);
			last = 1;
		} else if (n >= 4 && !memcmp(text, "dep\t", 4)) {
			r = module_line(text + 4, n - 4, false, col, line, e);
			if (r < 0)
				return r;
			if (grow((void **)&bi->deps, bi->n_deps, sizeof(*bi->deps)) < 0) {
				for (int i = 0; i < 3; i++)
					free(col[i]);
				return err_set(e, -ENOMEM, "out of memory");
			}
			memset(&bi->deps[bi->n_deps], 0, sizeof(*bi->deps));
			set_module(&bi->deps[bi->n_deps], col);
			last = 2 + bi->n_deps++;
		} else if (n >= 3 && !memcmp(text, "=>\t", 3)) {
			struct gobuild_module *m;

			r = module_line(text + 3, n - 3, true, col, line, e);
			if (r < 0)
				return r;
			if (!last) {
				for (int i = 0; i < 3; i++)
					free(col[i]);
				return err_set(e, -PF_EPARSE, "line %d: replacement with no module on previous line",
					       line);
			}
			m = last == 1 ? &bi->main : &bi->deps[last - 2];
			free(m->rep_path);
			free(m->rep_version);
			free(m->rep_sum);
			m->rep_path = col[0];
			m->rep_version = col[1];
			m->rep_sum = col[2];
			last = 0;
		} else if (n >= 6 && !memcmp(text, "build\t", 6)) {
			if (grow((void **)&bi->settings, bi->n_settings, sizeof(*bi->settings)) < 0)
				return err_set(e, -ENOMEM, "out of memory");
			r = build_line(text + 6, n - 6, &bi->settings[bi->n_settings], line, e);
			if (r < 0)
				return r;
			bi->n_settings++;
		}
		len -= n + 1;
		text = nl + 1;
		line++;
	}
	return 0;
}

int gobuild_parse_modinfo(const char *text, size_t len, struct gobuild *ret, struct err *e)
{
	struct gobuild bi = { 0 };
	int r = parse_modinfo(text, len, &bi, e);

	if (r < 0)
		goto out;
	/* Keep ret's go_version; replace the rest. */
	bi.go_version = ret->go_version;
	ret->go_version = NULL;
	gobuild_release(ret);
	*ret = bi;
	return 0;
out:
	gobuild_release(&bi);
	return r;
}

static int read_image(const uint8_t *data, size_t len, const char *name, struct gobuild *ret, struct err *e)
{
	struct img im = { .d = data, .n = len, .name = name };
	struct gobuild bi = { 0 };
	struct err perr;
	uint64_t start = 0, size = 0, addr = 0, vlen = 0, mlen = 0;
	const uint8_t *hdr, *vers = NULL, *mod = NULL;
	int r;

	r = img_open(&im, &start, &size, e);
	if (r < 0)
		goto out;
	if (!size) {
		r = not_go(&im, e);
		goto out;
	}
	r = search_magic(&im, start, size, &addr, e);
	if (r < 0)
		goto out;
	hdr = seg_find(&im, addr, &size);
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
		read_go_string(&im, ptrsize, be, ptrsize == 8 ? rd64(hdr + 16, be) : rd32(hdr + 16, be), &vers,
			       &vlen);
		read_go_string(&im, ptrsize, be,
			       ptrsize == 8 ? rd64(hdr + 16 + 8, be) : rd32(hdr + 16 + 4, be), &mod, &mlen);
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
		r = parse_modinfo((const char *)mod + 16, mlen - 32, &bi, &perr);
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
	free(im.segs);
	return r;
}

int gobuild_read_mem(const uint8_t *data, size_t len, struct gobuild *ret, struct err *e)
{
	return read_image(data, len, "<memory>", ret, e);
}

int gobuild_read_file(const char *path, struct gobuild *ret, struct err *e)
{
	struct stat st;
	void *map = MAP_FAILED;
	int fd, r;

	/* O_NONBLOCK so that a FIFO given by mistake cannot hang us before
	 * fstat() tells us it is not a regular file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return err_errno(e, -errno, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0) {
		r = err_errno(e, -errno, "cannot stat '%s'", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = err_set(e, -EISDIR, "'%s' is a directory", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = err_set(e, -PF_EPARSE, "'%s' is not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > GOBUILD_MAX_FILE) {
		r = err_set(e, -EFBIG, "'%s' is larger than %llu MiB", path, GOBUILD_MAX_FILE >> 20);
		goto out;
	}
	if (st.st_size < EI_NIDENT) {
		r = err_set(e, -PF_EPARSE, "'%s' is not an ELF file", path);
		goto out;
	}
	/* A private read-only map; the file is only looked at, never copied
	 * whole. A file truncated under us while mapped would raise SIGBUS,
	 * which is why we only read executables, not files being written. */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		r = err_errno(e, -errno, "cannot map '%s'", path);
		goto out;
	}
	r = read_image(map, (size_t)st.st_size, path, ret, e);
out:
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return r;
}

const char *gobuild_setting(const struct gobuild *b, const char *key)
{
	for (size_t i = 0; i < b->n_settings; i++)
		if (!strcmp(b->settings[i].key, key))
			return b->settings[i].value;
	return NULL;
}

static int format_module(struct buf *b, const char *word, const struct gobuild_module *m)
{
	int r = buf_printf(b, "%s\t%s\t%s", word, m->path ? m->path : "", m->version ? m->version : "");

	if (r < 0)
		return r;
	if (!m->rep_path)
		return buf_printf(b, "\t%s\n", m->sum ? m->sum : "");
	/* Go's formatMod recurses for the replacement and both levels end
	 * the line, so a blank line follows every "=>" line; `go version -m`
	 * prints it as a lone tab, and so must we. */
	return buf_printf(b, "\n=>\t%s\t%s\t%s\n\n", m->rep_path, m->rep_version ? m->rep_version : "",
			  m->rep_sum ? m->rep_sum : "");
}

int gobuild_string(const struct gobuild *b, struct buf *out)
{
	const struct gobuild_module *m = &b->main;
	int r = 0;

	if (b->path && *b->path)
		r = buf_printf(out, "path\t%s\n", b->path);
	/* debug.BuildInfo.String skips a main module equal to Module{}. */
	if (r >= 0 && ((m->path && *m->path) || (m->version && *m->version) || (m->sum && *m->sum) ||
		       m->rep_path))
		r = format_module(out, "mod", m);
	for (size_t i = 0; r >= 0 && i < b->n_deps; i++)
		r = format_module(out, "dep", &b->deps[i]);
	for (size_t i = 0; r >= 0 && i < b->n_settings; i++) {
		const char *k = b->settings[i].key, *v = b->settings[i].value;

		r = buf_puts(out, "build\t");
		if (r >= 0)
			r = quote_key(k, strlen(k)) ? go_quote(out, k) : buf_puts(out, k);
		if (r >= 0)
			r = buf_puts(out, "=");
		if (r >= 0)
			r = quote_value(v, strlen(v)) ? go_quote(out, v) : buf_puts(out, v);
		if (r >= 0)
			r = buf_puts(out, "\n");
	}
	return r;
}
