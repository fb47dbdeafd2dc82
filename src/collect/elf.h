/* elf: a bounds-checked view of an ELF executable, enough to find the Go
 * build info in it: ELF32 and ELF64, either byte order, program headers
 * (PT_LOAD segments map virtual addresses to file bytes), section headers
 * with extended numbering, the section name table.
 *
 * The checks follow Go's debug/elf.NewFile, so a file Go calls malformed
 * is malformed here too; the deviations are marked in elf.c and listed in
 * docs/buildinfo.md. No read ever leaves [d, d+n): every accessor checks
 * bounds, so a truncated or hostile file yields an error, never a fault.
 *
 * Ownership: struct elf_image borrows the bytes (d) and the name; it owns
 * segs, freed by elf_image_release(). struct elf_map owns a read-only
 * mapping of a file, released by elf_unmap().
 */
#ifndef PREFLIGHT_COLLECT_ELF_H
#define PREFLIGHT_COLLECT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct elf_seg {
	uint32_t type, flags;
	uint64_t off, vaddr, filesz, memsz;
};

struct elf_image {
	const uint8_t *d;
	size_t n;
	const char *name;                /* for messages: "'NAME' is malformed: ..." */
	bool is64, be;
	struct elf_seg *segs;            /* every program header */
	size_t nsegs;
	/* The validated section header table (NULL when there is none) and
	 * the section name table (NULL when there is none). */
	const uint8_t *sh;
	uint64_t shnum;
	unsigned shentsize;
	const uint8_t *strtab;
	uint64_t strtab_len;
};

/* A file mapped read-only, whole. */
struct elf_map {
	const uint8_t *d;
	size_t n;
};

/* Maps the regular file at path, up to max bytes, read-only.
 * Returns 0; -EISDIR for a directory; -PF_EPARSE for anything that is not
 * a regular file, or for a file too short to be ELF; -EFBIG past max; or a
 * negative errno from open/fstat/mmap. e names path. ret is written only
 * on success. */
int elf_map(const char *path, uint64_t max, struct elf_map *ret, struct err *e);
void elf_unmap(struct elf_map *m);

/* Parses the ELF header, the program headers and the section headers of
 * the n bytes at d (elf.NewFile's checks). name is used in messages and
 * must outlive im. Returns 0 or -PF_EPARSE / -ENOMEM; on failure im still
 * needs elf_image_release(). */
int elf_image_open(struct elf_image *im, const uint8_t *d, size_t n, const char *name, struct err *e);
void elf_image_release(struct elf_image *im);

/* Where the Go linker put the build info (debug/buildinfo's
 * elfExe.DataStart): the section named .go.buildinfo, else the first
 * PT_LOAD segment that is writable and not executable. *ret_size is 0
 * when there is neither. */
void elf_buildinfo_range(const struct elf_image *im, uint64_t *ret_addr, uint64_t *ret_size);

/* The file bytes behind virtual address addr, up to the end of the PT_LOAD
 * segment that holds them (*avail bytes), or NULL. */
const uint8_t *elf_vaddr(const struct elf_image *im, uint64_t addr, uint64_t *avail);

/* Integers in either byte order. */
uint32_t elf_rd32(const uint8_t *p, bool be);
uint64_t elf_rd64(const uint8_t *p, bool be);

#endif
