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

/* searchMagic: the first 16-byte-aligned magic in [start, start+size). */
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

/* strconv.IsPrint outside ASCII, approximately: Go escapes controls,
 * spaces other than ' ', format characters, private use and unassigned
 * code points. We know the first four; unassigned code points (a moving
 * target with each Unicode version) we print as they are. */
static bool rune_printable(uint32_t r)
{
	static const struct { uint32_t lo, hi; } not_print[] = {
		{ 0x0080, 0x00a0 }, { 0x00ad, 0x00ad }, { 0x0600, 0x0605 }, { 0x061c, 0x061c },
		{ 0x06dd, 0x06dd }, { 0x070f, 0x070f }, { 0x0890, 0x0891 }, { 0x08e2, 0x08e2 },
		{ 0x1680, 0x1680 }, { 0x180e, 0x180e }, { 0x2000, 0x200f }, { 0x2028, 0x202f },
		{ 0x205f, 0x206f }, { 0x3000, 0x3000 }, { 0xd800, 0xf8ff }, { 0xfeff, 0xfeff },
		{ 0xfff9, 0xfffb }, { 0xfffe, 0xffff }, { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
		{ 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a }, { 0xe0000, 0xe00ff },
		{ 0xf0000, 0x10ffff },
	};

	if (r < 0x80)
		return r >= 0x20 && r < 0x7f;
	for (size_t i = 0; i < sizeof(not_print) / sizeof(not_print[0]); i++)
		if (r >= not_print[i].lo && r <= not_print[i].hi)
			return false;
	return true;
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
		if (r < 0)
			goto oom;
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
		if (r < 0)
			goto oom;
		raw = eq + 1;
	}
	rawlen = n - (size_t)(raw - kv);
	if (rawlen && (raw[0] == '`' || raw[0] == '"')) {
		r = go_unquote(raw, rawlen, &val, &used);
		if (r == -EINVAL || (!r && used != rawlen)) {
			r = err_set(e, -PF_EPARSE, "line %d: invalid quoted value in build line", line);
			goto out;
		}
		if (r < 0)
			goto oom;
	} else {
		if (quote_value(raw, rawlen)) {
			r = err_set(e, -PF_EPARSE, "line %d: unquoted value '%.*s' must be quoted", line,
				    (int)rawlen, raw);
			goto out;
		}
		r = buf_append(&val, raw, rawlen);
		if (r < 0)
			goto oom;
	}
	/* Escapes can produce NUL bytes (\x00), which a C string cannot hold. */
	if (strlen(buf_str(&key)) != key.len || strlen(buf_str(&val)) != val.len) {
		r = err_set(e, -PF_EPARSE, "line %d: build setting contains a NUL byte", line);
		goto out;
	}
	ret->key = key.len ? buf_detach(&key) : strdup("");
	ret->value = val.len ? buf_detach(&val) : strdup("");
	if (!ret->key || !ret->value) {
		free(ret->key);
		free(ret->value);
		ret->key = ret->value = NULL;
		r = -ENOMEM;
		goto oom;
	}
	r = 0;
	goto out;
oom:
	r = err_set(e, r, "out of memory");
out:
	buf_release(&key);
	buf_release(&val);
	return r;
}

/* Appends go at powers of two; n is the count before the append. */
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
	uint64_t start = 0, size = 0, addr, vlen = 0, mlen = 0;
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

	fd = open(path, O_RDONLY | O_CLOEXEC);
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
	return buf_printf(b, "\n=>\t%s\t%s\t%s\n", m->rep_path, m->rep_version ? m->rep_version : "",
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
