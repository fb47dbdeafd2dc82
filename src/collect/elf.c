/* elf: the ELF side of reading Go build info, following Go's debug/elf
 * (NewFile) and debug/buildinfo (elfExe) step by step; the places where we
 * knowingly differ are marked "deviation" and listed in docs/buildinfo.md.
 */
#include "collect/elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint16_t rd16(const uint8_t *p, bool be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

uint32_t elf_rd32(const uint8_t *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

uint64_t elf_rd64(const uint8_t *p, bool be)
{
	return be ? (uint64_t)elf_rd32(p, true) << 32 | elf_rd32(p + 4, true)
		  : (uint64_t)elf_rd32(p + 4, false) << 32 | elf_rd32(p, false);
}

/* A word of the image's class: 4 bytes for ELF32, 8 for ELF64. */
static uint64_t rdw(const struct elf_image *im, const uint8_t *p)
{
	return im->is64 ? elf_rd64(p, im->be) : elf_rd32(p, im->be);
}

/* The bytes [off, off+len) of the file, or NULL when they are not all there. */
static const uint8_t *img_at(const struct elf_image *im, uint64_t off, uint64_t len)
{
	if (off > im->n || len > im->n - off)
		return NULL;
	return im->d + off;
}

/* debug/buildinfo's elfExe.DataReader. Deviation: Go consults every
 * program header, whatever its type, and a zero-sized one at address 0
 * (PT_GNU_STACK) then matches every address; we use PT_LOAD segments with
 * file data only. */
const uint8_t *elf_vaddr(const struct elf_image *im, uint64_t addr, uint64_t *avail)
{
	for (size_t i = 0; i < im->nsegs; i++) {
		const struct elf_seg *s = &im->segs[i];

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

static int load_segments(struct elf_image *im, uint64_t phoff, unsigned phentsize, unsigned phnum,
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
		struct elf_seg *s = &im->segs[i];

		s->type = elf_rd32(ph, im->be);
		if (im->is64) {
			s->flags = elf_rd32(ph + offsetof(Elf64_Phdr, p_flags), im->be);
			s->off = elf_rd64(ph + offsetof(Elf64_Phdr, p_offset), im->be);
			s->vaddr = elf_rd64(ph + offsetof(Elf64_Phdr, p_vaddr), im->be);
			s->filesz = elf_rd64(ph + offsetof(Elf64_Phdr, p_filesz), im->be);
			s->memsz = elf_rd64(ph + offsetof(Elf64_Phdr, p_memsz), im->be);
		} else {
			s->flags = elf_rd32(ph + offsetof(Elf32_Phdr, p_flags), im->be);
			s->off = elf_rd32(ph + offsetof(Elf32_Phdr, p_offset), im->be);
			s->vaddr = elf_rd32(ph + offsetof(Elf32_Phdr, p_vaddr), im->be);
			s->filesz = elf_rd32(ph + offsetof(Elf32_Phdr, p_filesz), im->be);
			s->memsz = elf_rd32(ph + offsetof(Elf32_Phdr, p_memsz), im->be);
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

/* The fields of the section header at sh that we use. */
static void section(const struct elf_image *im, const uint8_t *sh, uint64_t *flags, uint64_t *addr, uint64_t *off,
		    uint64_t *size)
{
	if (im->is64) {
		*flags = elf_rd64(sh + offsetof(Elf64_Shdr, sh_flags), im->be);
		*addr = elf_rd64(sh + offsetof(Elf64_Shdr, sh_addr), im->be);
		*off = elf_rd64(sh + offsetof(Elf64_Shdr, sh_offset), im->be);
		*size = elf_rd64(sh + offsetof(Elf64_Shdr, sh_size), im->be);
	} else {
		*flags = elf_rd32(sh + offsetof(Elf32_Shdr, sh_flags), im->be);
		*addr = elf_rd32(sh + offsetof(Elf32_Shdr, sh_addr), im->be);
		*off = elf_rd32(sh + offsetof(Elf32_Shdr, sh_offset), im->be);
		*size = elf_rd32(sh + offsetof(Elf32_Shdr, sh_size), im->be);
	}
}

/* Validates the section headers with elf.NewFile's checks and keeps the
 * table and the name table in im for elf_buildinfo_range(). */
static int load_sections(struct elf_image *im, uint64_t shoff, unsigned shentsize, uint64_t shnum,
			 uint64_t shstrndx, struct err *e)
{
	const size_t want = im->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	const uint8_t *sh, *tab = NULL;
	uint64_t tablen = 0;

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
		uint32_t type = elf_rd32(s + 4, im->be);
		uint64_t flags, off;

		flags = im->is64 ? elf_rd64(s + offsetof(Elf64_Shdr, sh_flags), im->be)
				 : elf_rd32(s + offsetof(Elf32_Shdr, sh_flags), im->be);
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
	for (uint64_t i = 0; i < shnum; i++) {
		const uint8_t *p = sh + i * shentsize;
		uint64_t flags, addr, off, size;

		section(im, p, &flags, &addr, &off, &size);
		if ((int64_t)off < 0 || (int64_t)size < 0)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: section %llu has an invalid offset or size",
				       im->name, (unsigned long long)i);
		if ((flags & SHF_COMPRESSED) && !img_at(im, off, im->is64 ? sizeof(Elf64_Chdr) : sizeof(Elf32_Chdr)))
			return err_set(e, -PF_EPARSE, "'%s' is truncated: section %llu lies past the end of the file",
				       im->name, (unsigned long long)i);
		if (tab && !strtab_name(tab, tablen, elf_rd32(p, im->be)))
			return err_set(e, -PF_EPARSE, "'%s' is malformed: section %llu has a bad name index",
				       im->name, (unsigned long long)i);
	}
	im->sh = sh;
	im->shnum = shnum;
	im->shentsize = shentsize;
	im->strtab = tab;
	im->strtab_len = tablen;
	return 0;
}

int elf_image_open(struct elf_image *im, const uint8_t *d, size_t n, const char *name, struct err *e)
{
	const uint8_t *h = d;
	uint64_t phoff, shoff, shnum, shstrndx;
	unsigned phentsize, phnum, shentsize;
	int r;

	*im = (struct elf_image){ .d = d, .n = n, .name = name };
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
		if (elf_rd32(h + offsetof(Elf64_Ehdr, e_version), im->be) != EV_CURRENT)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: mismatched ELF version", im->name);
		phoff = elf_rd64(h + offsetof(Elf64_Ehdr, e_phoff), im->be);
		shoff = elf_rd64(h + offsetof(Elf64_Ehdr, e_shoff), im->be);
		phentsize = rd16(h + offsetof(Elf64_Ehdr, e_phentsize), im->be);
		phnum = rd16(h + offsetof(Elf64_Ehdr, e_phnum), im->be);
		shentsize = rd16(h + offsetof(Elf64_Ehdr, e_shentsize), im->be);
		shnum = rd16(h + offsetof(Elf64_Ehdr, e_shnum), im->be);
		shstrndx = rd16(h + offsetof(Elf64_Ehdr, e_shstrndx), im->be);
	} else {
		if (elf_rd32(h + offsetof(Elf32_Ehdr, e_version), im->be) != EV_CURRENT)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: mismatched ELF version", im->name);
		phoff = elf_rd32(h + offsetof(Elf32_Ehdr, e_phoff), im->be);
		shoff = elf_rd32(h + offsetof(Elf32_Ehdr, e_shoff), im->be);
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
		if (elf_rd32(s0 + 4, im->be) != SHT_NULL)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: invalid type of the initial section", im->name);
		shnum = rdw(im, s0 + (im->is64 ? offsetof(Elf64_Shdr, sh_size) : offsetof(Elf32_Shdr, sh_size)));
		if (shnum < SHN_LORESERVE)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: invalid extended section count", im->name);
		if (shstrndx == SHN_XINDEX) {
			shstrndx = elf_rd32(s0 + (im->is64 ? offsetof(Elf64_Shdr, sh_link) : offsetof(Elf32_Shdr, sh_link)),
					im->be);
			if (shstrndx < SHN_LORESERVE)
				return err_set(e, -PF_EPARSE, "'%s' is malformed: invalid extended name table index",
					       im->name);
		}
		if (shstrndx >= shnum)
			return err_set(e, -PF_EPARSE, "'%s' is malformed: invalid section name table index", im->name);
	}
	return load_sections(im, shoff, shentsize, shnum, shstrndx, e);
}

void elf_image_release(struct elf_image *im)
{
	free(im->segs);
	im->segs = NULL;
	im->nsegs = 0;
}

void elf_buildinfo_range(const struct elf_image *im, uint64_t *ret_addr, uint64_t *ret_size)
{
	/* elf_image_open() validated every header read here. */
	for (uint64_t i = 0; im->strtab && i < im->shnum; i++) {
		const uint8_t *p = im->sh + i * im->shentsize;
		uint64_t flags, addr, off, size;

		section(im, p, &flags, &addr, &off, &size);
		if (strcmp(strtab_name(im->strtab, im->strtab_len, elf_rd32(p, im->be)), ".go.buildinfo"))
			continue;
		if (flags & SHF_COMPRESSED) {
			/* The size that counts is the uncompressed one, in the
			 * compression header at the start of the data. */
			const uint8_t *ch = im->d + off;

			size = im->is64 ? elf_rd64(ch + offsetof(Elf64_Chdr, ch_size), im->be)
					: elf_rd32(ch + offsetof(Elf32_Chdr, ch_size), im->be);
		}
		*ret_addr = addr;
		*ret_size = size;
		return;
	}
	/* No section headers (sstrip) or no such section: the linker put the
	 * blob near the start of the first writable, non-executable segment. */
	*ret_addr = *ret_size = 0;
	for (size_t i = 0; i < im->nsegs; i++) {
		if (im->segs[i].type == PT_LOAD && (im->segs[i].flags & (PF_X | PF_W)) == PF_W) {
			*ret_addr = im->segs[i].vaddr;
			*ret_size = im->segs[i].memsz;
			return;
		}
	}
}

int elf_map(const char *path, uint64_t max, struct elf_map *ret, struct err *e)
{
	struct stat st;
	void *map;
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
	if ((uint64_t)st.st_size > max) {
		r = err_set(e, -EFBIG, "'%s' is larger than %llu MiB", path, (unsigned long long)(max >> 20));
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
	ret->d = map;
	ret->n = (size_t)st.st_size;
	r = 0;
out:
	close(fd);
	return r;
}

void elf_unmap(struct elf_map *m)
{
	if (m->d)
		munmap((void *)m->d, m->n);
	m->d = NULL;
	m->n = 0;
}
