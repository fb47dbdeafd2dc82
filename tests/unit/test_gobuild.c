/* Unit tests for the Go build-info reader: modinfo parsing and quoting,
 * synthetic ELF images in the pre-1.18 pointer format and the inline
 * format, and hostile input (truncation at every length, non-ELF). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "collect/gobuild.h"
#include "goruntime/modinfo.h"
#include "report/buildinfo_text.h"

static const char sentinel_start[] = "\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
static const char sentinel_end[] = "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";

/* ---- modinfo text ------------------------------------------------------ */

static int parse(const char *text, struct gobuild *b, struct err *e)
{
	memset(b, 0, sizeof(*b));
	return gobuild_parse_modinfo(text, strlen(text), b, e);
}

static void test_modinfo_basic(void **state)
{
	const char *text = "path\texample.com/svc/cmd/svc\n"
			   "mod\texample.com/svc\tv1.2.3\th1:abc=\n"
			   "dep\tgolang.org/x/sys\tv0.1.0\th1:sys=\n"
			   "dep\texample.com/two\tv0.0.1\n"
			   "dep\texample.com/old\tv1.0.0\n"
			   "=>\t../old\t\t\n"
			   "build\t-buildmode=exe\n"
			   "build\tCGO_ENABLED=0\n"
			   "build\tvcs.modified=true\n";
	struct gobuild b;
	struct err e = { "" };

	(void)state;
	assert_int_equal(parse(text, &b, &e), 0);
	assert_string_equal(b.path, "example.com/svc/cmd/svc");
	assert_string_equal(b.main.path, "example.com/svc");
	assert_string_equal(b.main.version, "v1.2.3");
	assert_string_equal(b.main.sum, "h1:abc=");
	assert_null(b.main.rep_path);
	assert_int_equal(b.n_deps, 3);
	assert_string_equal(b.deps[0].path, "golang.org/x/sys");
	assert_string_equal(b.deps[0].sum, "h1:sys=");
	/* Two columns: the sum is empty, not missing. */
	assert_string_equal(b.deps[1].version, "v0.0.1");
	assert_string_equal(b.deps[1].sum, "");
	assert_null(b.deps[1].rep_path);
	assert_string_equal(b.deps[2].rep_path, "../old");
	assert_string_equal(b.deps[2].rep_version, "");
	assert_string_equal(b.deps[2].rep_sum, "");
	assert_int_equal(b.n_settings, 3);
	assert_string_equal(gobuild_setting(&b, "CGO_ENABLED"), "0");
	assert_string_equal(gobuild_setting(&b, "vcs.modified"), "true");
	assert_null(gobuild_setting(&b, "-race"));
	assert_null(b.go_version);
	gobuild_release(&b);
}

static void test_modinfo_quoting(void **state)
{
	const char *text = "build\t-ldflags=\"-s -w -X main.v=1\"\n"
			   "build\t\"a key\"=plain\n"
			   "build\t`raw=key`=`raw \"value\"`\n"
			   "build\tesc=\"tab\\there \\x41\\101\\u00e9\\U0001F600 q\\\"\\\\\"\n"
			   "build\tempty=\n"
			   "build\t\"\"=v\n"
			   "build\tcr=`a\rb c`\n";
	struct gobuild b;
	struct err e = { "" };

	(void)state;
	assert_int_equal(parse(text, &b, &e), 0);
	assert_int_equal(b.n_settings, 7);
	assert_string_equal(b.settings[0].key, "-ldflags");
	assert_string_equal(b.settings[0].value, "-s -w -X main.v=1");
	assert_string_equal(b.settings[1].key, "a key");
	assert_string_equal(b.settings[1].value, "plain");
	assert_string_equal(b.settings[2].key, "raw=key");
	assert_string_equal(b.settings[2].value, "raw \"value\"");
	assert_string_equal(b.settings[3].key, "esc");
	assert_string_equal(b.settings[3].value, "tab\there AA\xc3\xa9\xf0\x9f\x98\x80 q\"\\");
	assert_string_equal(b.settings[4].value, "");
	assert_string_equal(b.settings[5].key, "");
	/* Raw strings lose their carriage returns, as in Go. */
	assert_string_equal(b.settings[6].value, "ab c");
	gobuild_release(&b);
}

static void expect_parse_error(const char *text, const char *msg)
{
	struct gobuild b;
	struct err e = { "" };

	assert_int_equal(parse(text, &b, &e), -PF_EPARSE);
	if (!strstr(e.msg, msg))
		fail_msg("'%s': got '%s', want '%s'", text, e.msg, msg);
	/* Nothing is left behind on failure. */
	assert_null(b.path);
	assert_int_equal(b.n_deps, 0);
}

static void test_modinfo_errors(void **state)
{
	(void)state;
	expect_parse_error("dep\ta\tb\tc\td\n", "line 1: expected 2 or 3 columns; got 4");
	expect_parse_error("path\tx\nmod\tonly\n", "line 2: expected 2 or 3 columns; got 1");
	expect_parse_error("dep\ta\tv1\n=>\tb\tv2\n", "expected 3 columns for replacement; got 2");
	expect_parse_error("=>\tb\tv2\t\n", "replacement with no module on previous line");
	expect_parse_error("dep\ta\tv1\n=>\tb\tv2\t\n=>\tc\tv3\t\n", "line 3: replacement with no module");
	expect_parse_error("build\t\n", "build line missing '='");
	expect_parse_error("build\t=v\n", "build line with missing key");
	expect_parse_error("build\tkey\n", "missing '=' after key");
	expect_parse_error("build\t\"k\n", "invalid quoted key");
	expect_parse_error("build\t\"k\"\n", "missing '=' after quoted key");
	expect_parse_error("build\t\"k\"x=1\n", "unexpected character after quoted key");
	expect_parse_error("build\tk=a b\n", "unquoted value 'a b' must be quoted");
	expect_parse_error("build\tk=\"a\"b\n", "invalid quoted value");
	expect_parse_error("build\tk=\"\\q\"\n", "invalid quoted value");
	expect_parse_error("build\tk=\"\\xZZ\"\n", "invalid quoted value");
	expect_parse_error("build\tk=\"\\uD800\"\n", "invalid quoted value");
	expect_parse_error("build\tk=\"\\400\"\n", "invalid quoted value");
	expect_parse_error("build\tk=\"\\x00\"\n", "NUL byte");
	expect_parse_error("build\tk=`unterminated\n", "invalid quoted value");
}

static void test_modinfo_lenient(void **state)
{
	/* Unknown lines are skipped, an unterminated last line is ignored,
	 * a later mod line replaces the earlier one, and a replacement binds
	 * to the last mod/dep line even across other lines, all as in Go. */
	const char *text = "go\tgo1.99\nwhatever\nmod\ta\tv1\t\nmod\tb\tv2\t\nbuild\tk=v\n=>\tc\tv3\th\npath\tlost";
	struct gobuild b;
	struct err e = { "" };

	(void)state;
	assert_int_equal(parse(text, &b, &e), 0);
	assert_null(b.path);
	assert_string_equal(b.main.path, "b");
	assert_string_equal(b.main.rep_path, "c");
	assert_string_equal(b.main.rep_sum, "h");
	gobuild_release(&b);

	memset(&b, 0, sizeof(b));
	assert_int_equal(gobuild_parse_modinfo("path\ta\0b\n", 9, &b, &e), -PF_EPARSE);
}

static void test_modinfo_roundtrip(void **state)
{
	/* Text as the go command writes it comes back byte for byte... */
	const char *text = "path\texample.com/svc\n"
			   "mod\texample.com/svc\t(devel)\t\n"
			   "dep\texample.com/lib\tv0.0.0-00010101000000-000000000000\n"
			   "=>\t../lib\t(devel)\t\n"
			   "dep\tgolang.org/x/sys\tv0.1.0\th1:x=\n"
			   "build\t-buildmode=exe\n"
			   "build\t-ldflags=\"-s -w\"\n"
			   "build\tDefaultGODEBUG=panicnil=1,tls10server=1\n"
			   "build\tCGO_CFLAGS=\"-O2 -g\"\n"
			   "build\tvcs.time=2026-11-26T10:00:00Z\n";
	/* ...except for the empty line Go's String() puts after "=>". */
	const char *want = "path\texample.com/svc\n"
			   "mod\texample.com/svc\t(devel)\t\n"
			   "dep\texample.com/lib\tv0.0.0-00010101000000-000000000000\n"
			   "=>\t../lib\t(devel)\t\n"
			   "\n"
			   "dep\tgolang.org/x/sys\tv0.1.0\th1:x=\n"
			   "build\t-buildmode=exe\n"
			   "build\t-ldflags=\"-s -w\"\n"
			   "build\tDefaultGODEBUG=panicnil=1,tls10server=1\n"
			   "build\tCGO_CFLAGS=\"-O2 -g\"\n"
			   "build\tvcs.time=2026-11-26T10:00:00Z\n";
	struct buf out = BUF_INIT(1 << 20);
	struct gobuild b;
	struct err e = { "" };

	(void)state;
	assert_int_equal(parse(text, &b, &e), 0);
	assert_int_equal(gobuild_string(&b, &out), 0);
	assert_string_equal(buf_str(&out), want);
	buf_reset(&out);
	/* And the printed form parses back to the same thing. */
	gobuild_release(&b);
	assert_int_equal(parse(want, &b, &e), 0);
	assert_int_equal(gobuild_string(&b, &out), 0);
	assert_string_equal(buf_str(&out), want);
	buf_release(&out);
	gobuild_release(&b);
}

static void test_modinfo_requote(void **state)
{
	/* Values come back in strconv.Quote form whatever quoting they came in. */
	const char *text = "build\tk=`a b`\n"
			   "build\tc=\"\\x01\\x7f\\t\\u00e9\\u00a0\\xff\"\n"
			   "build\t`x=y`=1\n";
	const char *want = "build\tk=\"a b\"\n"
			   "build\tc=\"\\x01\\x7f\\t\xc3\xa9\\u00a0\\xff\"\n"
			   "build\t\"x=y\"=1\n";
	struct buf out = BUF_INIT(1 << 20);
	struct gobuild b;
	struct err e = { "" };

	(void)state;
	assert_int_equal(parse(text, &b, &e), 0);
	assert_int_equal(gobuild_string(&b, &out), 0);
	assert_string_equal(buf_str(&out), want);
	buf_release(&out);
	gobuild_release(&b);
}

/* ---- synthetic ELF images ---------------------------------------------- */

struct image {
	uint8_t d[4096];
	size_t len;
	bool is64, be;
};

static void put(struct image *im, size_t off, uint64_t v, int size)
{
	for (int i = 0; i < size; i++)
		im->d[off + (size_t)i] = (uint8_t)(v >> (8 * (im->be ? size - 1 - i : i)));
}

static void put_word(struct image *im, size_t off, uint64_t v)
{
	put(im, off, v, im->is64 ? 8 : 4);
}

enum { TEXT_VADDR = 0x10000, DATA_OFF = 0x100, DATA_VADDR = 0x20100 };

struct layout {
	bool is64, be;
	bool sections;      /* section headers with .go.buildinfo */
	bool inline_fmt;    /* Go 1.18+ format instead of pointers */
	bool rw_segment;    /* give the blob a writable, non-executable segment */
	const char *version;
	const char *modinfo; /* text without sentinels; NULL for none */
};

static size_t modinfo_blob(char *out, const char *text)
{
	size_t n = strlen(text);

	memcpy(out, sentinel_start, 16);
	memcpy(out + 16, text, n);
	memcpy(out + 16 + n, sentinel_end, 16);
	return n + 32;
}

static size_t put_uvarint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* An executable in the shape the Go linker gives it: a text segment with
 * the headers, then a data segment that starts with the 32-byte blob. */
static void build_image(struct image *im, const struct layout *l)
{
	const size_t ehsize = l->is64 ? 64 : 52, phentsize = l->is64 ? 56 : 32;
	const size_t shentsize = l->is64 ? 64 : 40, ptr = l->is64 ? 8 : 4;
	char mod[2048];
	size_t modlen = l->modinfo ? modinfo_blob(mod, l->modinfo) : 0, vlen = strlen(l->version);
	size_t off = DATA_OFF, data_end, shstr_off, sh_off;
	static const char shstr[] = "\0.go.buildinfo\0.shstrtab";

	memset(im, 0, sizeof(*im));
	im->is64 = l->is64;
	im->be = l->be;
	memcpy(im->d, "\x7f" "ELF", 4);
	im->d[4] = l->is64 ? 2 : 1;
	im->d[5] = l->be ? 2 : 1;
	im->d[6] = 1;
	put(im, 16, 2, 2);                          /* ET_EXEC */
	put(im, 18, l->is64 ? 62 : 3, 2);           /* machine */
	put(im, 20, 1, 4);                          /* e_version */
	put_word(im, 24, TEXT_VADDR + DATA_OFF);        /* e_entry, unused */
	put_word(im, l->is64 ? 32 : 28, ehsize);        /* e_phoff */
	put(im, l->is64 ? 52 : 40, ehsize, 2);
	put(im, l->is64 ? 54 : 42, phentsize, 2);
	put(im, l->is64 ? 56 : 44, 2, 2);           /* e_phnum */
	put(im, l->is64 ? 58 : 46, shentsize, 2);

	/* The blob. */
	memcpy(im->d + off, "\xff Go buildinf:", 14);
	im->d[off + 14] = (uint8_t)ptr;
	im->d[off + 15] = (uint8_t)((l->be ? 1 : 0) | (l->inline_fmt ? 2 : 0));
	if (l->inline_fmt) {
		size_t p = off + 32;

		p += put_uvarint(im->d + p, vlen);
		memcpy(im->d + p, l->version, vlen);
		p += vlen;
		p += put_uvarint(im->d + p, modlen);
		memcpy(im->d + p, mod, modlen);
		p += modlen;
		data_end = (p + 15) & ~(size_t)15;
	} else {
		/* Two string headers at +32 and +32+2*ptr, the bytes after. */
		size_t hv = off + 32, hm = hv + 2 * ptr, sv = hm + 2 * ptr, sm = sv + vlen;

		put_word(im, off + 16, DATA_VADDR + (hv - DATA_OFF));
		put_word(im, off + 16 + ptr, DATA_VADDR + (hm - DATA_OFF));
		put_word(im, hv, DATA_VADDR + (sv - DATA_OFF));
		put_word(im, hv + ptr, vlen);
		put_word(im, hm, DATA_VADDR + (sm - DATA_OFF));
		put_word(im, hm + ptr, modlen);
		memcpy(im->d + sv, l->version, vlen);
		memcpy(im->d + sm, mod, modlen);
		data_end = sm + modlen;
	}

	/* Program headers: text R+X over the headers, data R+W (or R+X). */
	size_t ph = ehsize;
	put(im, ph, 1, 4);                                   /* PT_LOAD */
	if (l->is64) {
		put(im, ph + 4, 5, 4);
		put_word(im, ph + 8, 0);
		put_word(im, ph + 16, TEXT_VADDR);
		put_word(im, ph + 32, DATA_OFF);
		put_word(im, ph + 40, DATA_OFF);
	} else {
		put_word(im, ph + 4, 0);
		put_word(im, ph + 8, TEXT_VADDR);
		put_word(im, ph + 16, DATA_OFF);
		put_word(im, ph + 20, DATA_OFF);
		put(im, ph + 24, 5, 4);
	}
	ph += phentsize;
	put(im, ph, 1, 4);
	if (l->is64) {
		put(im, ph + 4, l->rw_segment ? 6 : 5, 4);
		put_word(im, ph + 8, DATA_OFF);
		put_word(im, ph + 16, DATA_VADDR);
		put_word(im, ph + 32, data_end - DATA_OFF);
		put_word(im, ph + 40, data_end - DATA_OFF + 0x1000);  /* some .bss */
	} else {
		put_word(im, ph + 4, DATA_OFF);
		put_word(im, ph + 8, DATA_VADDR);
		put_word(im, ph + 16, data_end - DATA_OFF);
		put_word(im, ph + 20, data_end - DATA_OFF + 0x1000);
		put(im, ph + 24, l->rw_segment ? 6 : 5, 4);
	}
	im->len = data_end;
	if (!l->sections)
		return;

	/* [0] null, [1] .go.buildinfo, [2] .shstrtab */
	shstr_off = data_end;
	memcpy(im->d + shstr_off, shstr, sizeof(shstr));
	sh_off = (shstr_off + sizeof(shstr) + 7) & ~(size_t)7;
	put_word(im, l->is64 ? 40 : 32, sh_off);
	put(im, l->is64 ? 60 : 48, 3, 2);
	put(im, l->is64 ? 62 : 50, 2, 2);
	for (int i = 1; i <= 2; i++) {
		size_t s = sh_off + (size_t)i * shentsize;
		uint64_t name = i == 1 ? 1 : 15, type = i == 1 ? 1 : 3, flags = i == 1 ? 3 : 0;
		uint64_t addr = i == 1 ? DATA_VADDR : 0, o = i == 1 ? DATA_OFF : shstr_off;
		uint64_t size = i == 1 ? 32 : sizeof(shstr);

		put(im, s, name, 4);
		put(im, s + 4, type, 4);
		if (l->is64) {
			put(im, s + 8, flags, 8);
			put(im, s + 16, addr, 8);
			put(im, s + 24, o, 8);
			put(im, s + 32, size, 8);
		} else {
			put(im, s + 8, flags, 4);
			put(im, s + 12, addr, 4);
			put(im, s + 16, o, 4);
			put(im, s + 20, size, 4);
		}
	}
	im->len = sh_off + 3 * shentsize;
	assert_true(im->len <= sizeof(im->d));
}

static const char *small_modinfo = "path\texample.com/old\n"
				   "mod\texample.com/old\t(devel)\t\n"
				   "dep\tgithub.com/pkg/errors\tv0.9.1\th1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n";

static void check_small(const struct image *im, const char *version)
{
	struct gobuild b = { 0 };
	struct err e = { "" };
	int r = gobuild_read_mem(im->d, im->len, &b, &e);

	if (r)
		fail_msg("read_mem: %d %s", r, e.msg);
	assert_string_equal(b.go_version, version);
	assert_string_equal(b.path, "example.com/old");
	assert_string_equal(b.main.version, "(devel)");
	assert_int_equal(b.n_deps, 1);
	assert_string_equal(b.deps[0].path, "github.com/pkg/errors");
	assert_string_equal(b.deps[0].version, "v0.9.1");
	assert_int_equal(b.n_settings, 0);
	gobuild_release(&b);
}

static void test_pointer_elf32_le(void **state)
{
	struct layout l = { .is64 = false, .be = false, .sections = true, .rw_segment = true,
			    .version = "go1.16.15", .modinfo = small_modinfo };
	struct image im;

	(void)state;
	build_image(&im, &l);
	check_small(&im, "go1.16.15");
	/* Without section headers the first RW, non-X segment is searched. */
	l.sections = false;
	build_image(&im, &l);
	check_small(&im, "go1.16.15");
}

static void test_pointer_elf64_be(void **state)
{
	struct layout l = { .is64 = true, .be = true, .sections = true, .rw_segment = true,
			    .version = "go1.13", .modinfo = small_modinfo };
	struct image im;

	(void)state;
	build_image(&im, &l);
	check_small(&im, "go1.13");
	l.sections = false;
	build_image(&im, &l);
	check_small(&im, "go1.13");
}

static void test_inline_formats(void **state)
{
	struct layout l = { .sections = true, .rw_segment = true, .inline_fmt = true,
			    .version = "go1.26.8", .modinfo = small_modinfo };
	struct image im;

	(void)state;
	for (int v = 0; v < 4; v++) {
		l.is64 = v & 1;
		l.be = v & 2;
		build_image(&im, &l);
		check_small(&im, "go1.26.8");
	}
}

static void test_no_module_info(void **state)
{
	/* Built outside module mode: a version but no framed modinfo. A
	 * modinfo that is too short or lacks the '\n' at len-17 counts as
	 * none, without an error. */
	struct layout l = { .is64 = true, .sections = true, .rw_segment = true, .version = "go1.15",
			    .modinfo = NULL };
	struct gobuild b = { 0 };
	struct err e = { "" };
	struct image im;

	(void)state;
	build_image(&im, &l);
	assert_int_equal(gobuild_read_mem(im.d, im.len, &b, &e), 0);
	assert_string_equal(b.go_version, "go1.15");
	assert_null(b.path);
	assert_null(b.main.path);
	gobuild_release(&b);

	l.modinfo = "path\tx";          /* no trailing newline before the end sentinel */
	build_image(&im, &l);
	assert_int_equal(gobuild_read_mem(im.d, im.len, &b, &e), 0);
	assert_null(b.path);
	gobuild_release(&b);
}

static void test_not_go(void **state)
{
	struct layout l = { .is64 = true, .sections = false, .rw_segment = false, .version = "go1.16",
			    .modinfo = small_modinfo };
	struct gobuild b = { 0 };
	struct err e = { "" };
	struct image im;

	(void)state;
	/* The blob sits in an executable segment and there is no section to
	 * point at it: Go does not look there, so neither do we. */
	build_image(&im, &l);
	assert_int_equal(gobuild_read_mem(im.d, im.len, &b, &e), -PF_ENOTGO);
	assert_string_equal(e.msg, "'<memory>' is not a Go executable (no .go.buildinfo)");

	/* A writable segment without the magic. */
	l.rw_segment = true;
	build_image(&im, &l);
	im.d[DATA_OFF] = 0;
	assert_int_equal(gobuild_read_mem(im.d, im.len, &b, &e), -PF_ENOTGO);

	/* Magic present but misaligned by 8: not accepted. */
	build_image(&im, &l);
	memmove(im.d + DATA_OFF + 8, im.d + DATA_OFF, 14);
	memset(im.d + DATA_OFF, 0, 8);
	assert_int_equal(gobuild_read_mem(im.d, im.len, &b, &e), -PF_ENOTGO);

	/* A pointer size other than 4 or 8. */
	build_image(&im, &l);
	im.d[DATA_OFF + 14] = 2;
	assert_int_equal(gobuild_read_mem(im.d, im.len, &b, &e), -PF_ENOTGO);

	/* An empty version string. */
	l.version = "";
	build_image(&im, &l);
	assert_int_equal(gobuild_read_mem(im.d, im.len, &b, &e), -PF_ENOTGO);

	/* A version pointer into nowhere reads as empty. */
	l.version = "go1.16";
	build_image(&im, &l);
	put(&im, DATA_OFF + 16, 0x7777777, 8);
	assert_int_equal(gobuild_read_mem(im.d, im.len, &b, &e), -PF_ENOTGO);
}

static void test_not_elf(void **state)
{
	static const uint8_t script[] = "#!/bin/sh\necho this is not an executable image\n";
	static const uint8_t elf_bad_class[20] = "\x7f" "ELF\x03\x01\x01";
	struct gobuild b = { 0 };
	struct err e = { "" };

	(void)state;
	assert_int_equal(gobuild_read_mem(script, sizeof(script), &b, &e), -PF_EPARSE);
	assert_string_equal(e.msg, "'<memory>' is not an ELF file");
	assert_int_equal(gobuild_read_mem(script, 0, &b, &e), -PF_EPARSE);
	assert_int_equal(gobuild_read_mem(elf_bad_class, sizeof(elf_bad_class), &b, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "unknown ELF class"));
}

static void test_truncated_every_length(void **state)
{
	struct layout layouts[] = {
		{ .is64 = false, .be = false, .sections = true, .rw_segment = true, .version = "go1.16.15",
		  .modinfo = small_modinfo },
		{ .is64 = true, .be = true, .sections = true, .rw_segment = true, .version = "go1.13",
		  .modinfo = small_modinfo },
		{ .is64 = true, .be = false, .sections = false, .rw_segment = true, .inline_fmt = true,
		  .version = "go1.26.8", .modinfo = small_modinfo },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(layouts) / sizeof(layouts[0]); k++) {
		struct image im;

		build_image(&im, &layouts[k]);
		for (size_t n = 0; n < im.len; n++) {
			struct gobuild b = { 0 };
			struct err e = { "" };
			/* A fresh heap copy of exactly n bytes lets ASan catch
			 * any read past the end. */
			uint8_t *copy = malloc(n ? n : 1);
			int r;

			assert_non_null(copy);
			memcpy(copy, im.d, n);
			r = gobuild_read_mem(copy, n, &b, &e);
			free(copy);
			if (r >= 0)
				fail_msg("layout %zu cut at %zu of %zu bytes: accepted", k, n, im.len);
			if (r != -PF_EPARSE && r != -PF_ENOTGO)
				fail_msg("layout %zu cut at %zu: unexpected code %d", k, n, r);
			assert_true(e.msg[0] != '\0');
			assert_null(b.go_version);
		}
	}
}

static void test_truncated_is_parse_error(void **state)
{
	/* Once the headers are in, a cut into the data segment is reported
	 * as truncation, not as "not Go". */
	struct layout l = { .is64 = true, .sections = false, .rw_segment = true, .inline_fmt = true,
			    .version = "go1.26.8", .modinfo = small_modinfo };
	struct gobuild b = { 0 };
	struct err e = { "" };
	struct image im;

	(void)state;
	build_image(&im, &l);
	assert_int_equal(gobuild_read_mem(im.d, im.len - 1, &b, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "is truncated"));
}

static void test_malformed_modinfo_in_image(void **state)
{
	struct layout l = { .is64 = true, .sections = true, .rw_segment = true, .inline_fmt = true,
			    .version = "go1.26.8", .modinfo = "dep\ta\tb\tc\td\n" };
	struct gobuild b = { 0 };
	struct err e = { "" };
	struct image im;

	(void)state;
	build_image(&im, &l);
	assert_int_equal(gobuild_read_mem(im.d, im.len, &b, &e), -PF_EPARSE);
	assert_string_equal(e.msg, "'<memory>' has malformed Go build info: line 1: expected 2 or 3 columns; got 4");
}

static void test_read_file(void **state)
{
	struct layout l = { .is64 = true, .sections = true, .rw_segment = true, .inline_fmt = true,
			    .version = "go1.26.8", .modinfo = small_modinfo };
	char path[] = "/tmp/test_gobuild.XXXXXX", dir[] = "/tmp/test_gobuild_dir.XXXXXX", fifo[64];
	struct gobuild b = { 0 };
	struct err e = { "" };
	struct image im;
	int fd;

	(void)state;
	assert_int_equal(gobuild_read_file("/nonexistent/preflight-test", &b, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "'/nonexistent/preflight-test'"));
	assert_int_equal(gobuild_read_file("/tmp", &b, &e), -EISDIR);
	assert_int_equal(gobuild_read_file("/dev/null", &b, &e), -PF_EPARSE);

	/* A FIFO without a writer must be refused, not waited on. */
	assert_true(mkdtemp(dir) != NULL);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(gobuild_read_file(fifo, &b, &e), -PF_EPARSE);
	assert_non_null(strstr(e.msg, "is not a regular file"));
	unlink(fifo);
	rmdir(dir);

	build_image(&im, &l);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, im.d, im.len), (ssize_t)im.len);
	close(fd);
	assert_int_equal(gobuild_read_file(path, &b, &e), 0);
	assert_string_equal(b.go_version, "go1.26.8");
	gobuild_release(&b);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modinfo_basic),
		cmocka_unit_test(test_modinfo_quoting),
		cmocka_unit_test(test_modinfo_errors),
		cmocka_unit_test(test_modinfo_lenient),
		cmocka_unit_test(test_modinfo_roundtrip),
		cmocka_unit_test(test_modinfo_requote),
		cmocka_unit_test(test_pointer_elf32_le),
		cmocka_unit_test(test_pointer_elf64_be),
		cmocka_unit_test(test_inline_formats),
		cmocka_unit_test(test_no_module_info),
		cmocka_unit_test(test_not_go),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_truncated_is_parse_error),
		cmocka_unit_test(test_malformed_modinfo_in_image),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
