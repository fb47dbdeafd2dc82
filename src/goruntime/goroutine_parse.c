/* Parsing goroutine dumps: the debug=1 count format and the debug=2 (and
 * crash log) traceback format, line by line, so that a file of any size
 * is read through one bounded chunk (docs/goroutines.md has the formats).
 *
 * Every line may be malformed: a line that fits no rule is counted and
 * skipped. What is kept of a record (one goroutine, or one counted stack)
 * is referred to where it lies in the input until the record ends and is
 * added to its group: the stream keeps the record's bytes in its chunk.
 * A record too long for that is copied into a bounded scratch area
 * instead. Only a new group copies its strings for good.
 */
#include "base/array.h"
#include "base/buf.h"
#include "base/parse.h"
#include "goruntime/goroutine.h"
#include "goruntime/goroutine_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GR_CHUNK (1u << 20)            /* stream read size; also the longest line kept */
#define GR_RECORD_MAX (1u << 20)       /* bytes kept of one record */
#define GR_FIELD_MAX 4096u             /* bytes kept of one name, path or label set */
#define GR_FRAMES_MAX 1024u            /* frames kept of one record */
#define GR_RUNTIME_CAP (64u << 20)     /* the runtime's debug=2 buffer cap */
/* How far into the input a goroutine dump must have shown itself (a
 * "goroutine profile:" header, a "COUNT @" record or a "goroutine N [" header):
 * a crash log's text before its goroutines is a few lines, and without a
 * bound, endless input that is no dump (/dev/urandom, `yes`) is read for ever. */
#define GR_PREFIX_MAX (1u << 20)

enum fmt { FMT_UNKNOWN, FMT_DEBUG1, FMT_DEBUG2 };
enum expect { EXPECT_FUNC, EXPECT_FILE, EXPECT_CREATED_AT };

/* A piece of the record: in the input (at an offset from the start of the
 * input, since the stream's chunk moves) or in the scratch area. */
struct span {
	uint64_t off;
	uint32_t len;
	bool scratch;
};

struct pframe {
	struct span func, file;
	int line;
};

struct parser {
	const char *source;
	struct err *e;
	int err;
	enum fmt fmt;
	bool started;           /* the first non-blank line was seen */
	bool record_dropped;    /* the input ended inside a record, left out */
	char first[48];         /* its head, for the error when nothing else fits */
	bool header_total_ok;
	uint64_t header_total, sum_counts, n_goroutines, malformed;
	struct gr_builder b;

	/* the record being read */
	bool in_record, frames_done, has_created_by, stack_unavailable;
	enum expect expect;
	uint64_t goid, args_hash;
	struct buf scratch;            /* at most GR_RECORD_MAX */
	/* where the input is: in_ptr holds the byte at offset in_off; the
	 * line being fed starts at line_off */
	const char *in_ptr;
	uint64_t in_off, line_off, rec_off;
	const char *line_ptr;
	bool copy_mode;          /* the record no longer fits the chunk */
	struct pframe *frames;
	size_t n_frames, frames_cap;
	struct span state, created_by, created_at, labels;
	bool has_labels, elided, awake, locked;
	uint64_t count, wait_minutes;
	uint64_t key, key_all, deep;
	unsigned key_n, all_n, deep_n;
	struct gr_rframe *rframes;  /* the record handed to the builder */
	size_t rframes_cap;
};

static void parser_init(struct parser *p, const char *source, struct err *e)
{
	memset(p, 0, sizeof(*p));
	p->source = source ? source : "";
	p->e = e;
	gr_builder_init(&p->b);
	/* Allocated up front so that spans always point into something. */
	buf_init(&p->scratch, GR_RECORD_MAX);
	if (buf_append(&p->scratch, "", 0) < 0)
		p->err = err_set(e, -ENOMEM, "out of memory reading '%s'", p->source);
}

static void parser_release(struct parser *p)
{
	gr_builder_release(&p->b);
	buf_release(&p->scratch);
	free(p->frames);
	free(p->rframes);
}

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(s, prefix, k);
}

static bool ends(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

static size_t digits(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

static size_t digits_back(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[n - 1 - i] >= '0' && s[n - 1 - i] <= '9')
		i++;
	return i;
}

/* Where a span's bytes are now. An input span is always at or after the
 * window's start: the stream keeps the open record's bytes. */
static const char *ptr(const struct parser *p, struct span sp)
{
	return sp.scratch ? p->scratch.data + sp.off : p->in_ptr + (sp.off - p->in_off);
}

/* A full scratch area (-E2BIG) is not an error: the span comes back empty. */
static struct span to_scratch(struct parser *p, const char *s, size_t n)
{
	struct span sp = { 0, 0, true };
	size_t off = p->scratch.len;
	int r = buf_append(&p->scratch, s, n);

	if (r == -ENOMEM)
		p->err = err_set(p->e, -ENOMEM, "out of memory reading '%s'", p->source);
	if (r < 0)
		return sp;
	sp.off = off;
	sp.len = (uint32_t)n;
	return sp;
}

/* Keeps s (a piece of the line being fed, at most GR_FIELD_MAX bytes of
 * it) for the rest of the record. A record past GR_RECORD_MAX of copies
 * keeps what it has: the span comes back empty. */
static struct span keep(struct parser *p, const char *s, size_t n)
{
	struct span sp;

	if (n == 0)
		return (struct span){ 0, 0, true }; /* s may be a literal "" */
	if (n > GR_FIELD_MAX)
		n = GR_FIELD_MAX;
	if (p->copy_mode)
		return to_scratch(p, s, n);
	sp.off = p->line_off + (uint64_t)(s - p->line_ptr);
	sp.len = (uint32_t)n;
	sp.scratch = false;
	return sp;
}

static void materialize_one(struct parser *p, struct span *sp)
{
	if (!sp->scratch)
		*sp = to_scratch(p, ptr(p, *sp), sp->len);
}

/* The stream is about to drop the record's bytes: copy what the record
 * refers to, and copy from now on. */
static void materialize(struct parser *p)
{
	for (size_t i = 0; i < p->n_frames; i++) {
		materialize_one(p, &p->frames[i].func);
		materialize_one(p, &p->frames[i].file);
	}
	materialize_one(p, &p->state);
	materialize_one(p, &p->created_by);
	materialize_one(p, &p->created_at);
	materialize_one(p, &p->labels);
	p->copy_mode = true;
}

static void record_reset(struct parser *p)
{
	p->in_record = true;
	p->frames_done = p->has_created_by = p->stack_unavailable = false;
	p->expect = EXPECT_FUNC;
	p->goid = 0;
	p->args_hash = GR_KEY_SEED;
	buf_reset(&p->scratch);
	p->copy_mode = false;
	p->rec_off = p->line_off;
	p->n_frames = 0;
	/* empty, and in the scratch area, which always exists */
	p->state = (struct span){ 0, 0, true };
	p->created_by = p->created_at = p->labels = p->state;
	p->has_labels = p->elided = p->awake = p->locked = false;
	p->count = 1;
	p->wait_minutes = 0;
	p->key = GR_KEY_SEED;
	p->key_all = GR_KEY_SEED ^ 1;
	p->key_n = p->all_n = p->deep_n = 0;
	p->deep = GR_KEY_SEED ^ 2;
}

/* Folds a finished frame into the key: see gr_frames_key(). */
static void key_frame(struct parser *p, const char *func, size_t func_len, const char *file, size_t file_len,
		      int line)
{
	uint64_t h;

	if (p->key_n >= GR_KEY_FRAMES) {
		/* Beyond the key: not for aligning dumps of two kinds (debug=1
		 * of older Go cuts stacks at 32 frames), but what tells two
		 * deep stacks apart within one dump (a recursion blocked at
		 * depths 30 and 40). */
		if (gr_frame_in_key(func, func_len, file, file_len)) {
			p->deep = gr_key_mix(p->deep, gr_frame_hash(func, func_len, file, file_len, line));
			p->deep_n++;
		}
		return;
	}
	h = gr_frame_hash(func, func_len, file, file_len, line);
	if (p->all_n < GR_KEY_FRAMES) {
		p->key_all = gr_key_mix(p->key_all, h);
		p->all_n++;
	}
	if (gr_frame_in_key(func, func_len, file, file_len)) {
		p->key = gr_key_mix(p->key, h);
		p->key_n++;
	}
}

static struct pframe *frame_push(struct parser *p)
{
	if (p->n_frames >= GR_FRAMES_MAX) {
		p->elided = true;
		return NULL;
	}
	if (array_reserve(&p->frames, &p->frames_cap, p->n_frames, sizeof(*p->frames), 64) < 0) {
		p->err = err_set(p->e, -ENOMEM, "out of memory reading '%s'", p->source);
		return NULL;
	}
	return &p->frames[p->n_frames++];
}

/* A frame whose file line is known (debug=1: at once). */
static void frame_add(struct parser *p, const char *func, size_t func_len, const char *file, size_t file_len,
		      int line)
{
	struct pframe *f;

	key_frame(p, func, func_len, file, file_len, line);
	f = frame_push(p);
	if (!f)
		return;
	f->func = keep(p, func, func_len);
	f->file = keep(p, file, file_len);
	f->line = line;
}

/* A function line whose file line never came: the frame counts without
 * a position. */
static void pending_frame_flush(struct parser *p)
{
	const struct pframe *f;

	if (p->expect != EXPECT_FILE)
		return;
	f = &p->frames[p->n_frames - 1];
	key_frame(p, ptr(p, f->func), f->func.len, "", 0, 0);
	p->expect = EXPECT_FUNC;
}

static void record_end(struct parser *p)
{
	struct gr_record r;

	/* "0 @ ..." never comes from the runtime: nothing to count */
	if (!p->in_record || p->err || p->count == 0)
		goto out;
	pending_frame_flush(p);
	if (p->n_frames &&
	    array_reserve(&p->rframes, &p->rframes_cap, p->n_frames - 1, sizeof(*p->rframes), 64) < 0) {
		p->err = err_set(p->e, -ENOMEM, "out of memory reading '%s'", p->source);
		goto out;
	}
	for (size_t i = 0; i < p->n_frames; i++) {
		const struct pframe *f = &p->frames[i];

		p->rframes[i] = (struct gr_rframe){ ptr(p, f->func), ptr(p, f->file), f->func.len, f->file.len,
						    f->line };
	}
	memset(&r, 0, sizeof(r));
	r.frames = p->rframes;
	r.n_frames = p->n_frames;
	r.key = p->key_n ? p->key : p->key_all;
	r.deep = p->deep_n ? p->deep : 0;
	r.state = ptr(p, p->state);
	r.state_len = p->state.len;
	r.created_by = ptr(p, p->created_by);
	r.created_by_len = p->created_by.len;
	r.created_at = ptr(p, p->created_at);
	r.created_at_len = p->created_at.len;
	r.labels = ptr(p, p->labels);
	r.labels_len = p->labels.len;
	r.has_labels = p->has_labels;
	r.count = p->count;
	r.wait_minutes = p->wait_minutes;
	r.elided = p->elided;
	r.awake = p->awake;
	r.goid = p->goid;
	r.args_hash = p->args_hash;
	p->err = gr_builder_add(&p->b, &r, p->e);
out:
	p->in_record = false;
}

/* ---- debug=1 ------------------------------------------------------------ */

/* "<count> @ 0x... 0x..." */
static bool d1_record_start(struct parser *p, const char *s, size_t n)
{
	size_t d = digits(s, n);
	uint64_t count;

	if (d == 0 || !starts(s + d, n - d, " @") || parse_u64_n(s, d, &count) < 0)
		return false;
	record_end(p);
	record_reset(p);
	p->count = count;
	p->sum_counts = p->sum_counts > UINT64_MAX - count ? UINT64_MAX : p->sum_counts + count;
	return true;
}

/* "#\t0x<pc>\t<func>+0x<off>\t<file>:<line>", the columns padded with runs
 * of tabs by text/tabwriter; "#\t0x<pc>" alone for an unknown function. */
static bool d1_frame(struct parser *p, const char *s, size_t n)
{
	const char *end = s + n, *q = s + 1, *tok[3];
	size_t len[3], k = 0;
	const char *plus, *colon;
	uint64_t line = 0;

	while (k < 3) {
		while (q < end && (*q == '\t' || *q == ' '))
			q++;
		if (q == end)
			break;
		tok[k] = q;
		while (q < end && *q != '\t')
			q++;
		len[k] = (size_t)(q - tok[k]);
		k++;
	}
	if (k == 0 || !starts(tok[0], len[0], "0x"))
		return false;
	if (k == 1) {
		frame_add(p, "", 0, "", 0, 0);
		return true;
	}
	if (k < 3)
		return false;
	plus = NULL;
	for (const char *c = tok[1] + len[1]; c > tok[1]; c--)
		if (c[-1] == '+') {
			plus = c - 1;
			break;
		}
	colon = NULL;
	for (const char *c = tok[2] + len[2]; c > tok[2]; c--)
		if (c[-1] == ':') {
			colon = c - 1;
			break;
		}
	if (!plus || !colon || parse_u64_n(colon + 1, (size_t)(tok[2] + len[2] - colon - 1), &line) < 0 ||
	    line > INT32_MAX)
		return false;
	frame_add(p, tok[1], (size_t)(plus - tok[1]), tok[2], (size_t)(colon - tok[2]), (int)line);
	return true;
}

static void d1_line(struct parser *p, const char *s, size_t n)
{
	if (n == 0) {
		record_end(p);
		return;
	}
	if (s[0] >= '0' && s[0] <= '9' && d1_record_start(p, s, n))
		return;
	if (p->in_record && starts(s, n, "# labels: ")) {
		p->labels = keep(p, s + 10, n - 10);
		p->has_labels = true;
		return;
	}
	if (p->in_record && starts(s, n, "#\t") && d1_frame(p, s, n))
		return;
	p->malformed++;
}

/* ---- debug=2 ------------------------------------------------------------ */

static const char *find(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle));
}

/* The state field: "chan receive", "IO wait, 7 minutes, locked to thread",
 * "select labels:{...}" (Go 1.26 with GODEBUG=tracebacklabels=1). */
static void d2_status(struct parser *p, const char *s, size_t n)
{
	/* memchr first: most headers have no labels, and this is per goroutine */
	const char *lab = memchr(s, '{', n) ? find(s, n, " labels:") : NULL;
	size_t st;

	if (lab) {
		p->labels = keep(p, lab + 8, (size_t)(s + n - lab - 8));
		p->has_labels = true;
		n = (size_t)(lab - s);
	}
	for (st = 0; st < n && s[st] != ','; st++)
		;
	/* "(scan)" is the GC passing by, not a state of the goroutine. */
	if (ends(s, st, " (scan)"))
		p->state = keep(p, s, st - 7);
	else
		p->state = keep(p, s, st);
	p->awake = starts(s, st, "runnable") || starts(s, st, "running");
	while (st < n) {
		const char *item = s + st + 1, *next;
		size_t len;

		while (item < s + n && *item == ' ')
			item++;
		next = memchr(item, ',', (size_t)(s + n - item));
		len = (size_t)((next ? next : s + n) - item);
		if (ends(item, len, " minutes") || ends(item, len, " minute")) {
			uint64_t m;

			if (parse_u64_n(item, digits(item, len), &m) == 0)
				p->wait_minutes = m;
		} else if (len == 16 && !memcmp(item, "locked to thread", 16)) {
			p->locked = true;
		}
		st = (size_t)((next ? next : s + n) - s);
	}
}

/* "goroutine <id>[ gp=... m=... mp=...] [<status>...]<labels>:" */
static bool d2_header(struct parser *p, const char *s, size_t n)
{
	const char *open, *close, *end = s + n;
	size_t d = digits(s + 10, n - 10);
	uint64_t goid;

	if (d == 0 || parse_u64_n(s + 10, d, &goid) < 0 || n < 10 + d + 4 || end[-1] != ':')
		return false;
	open = memchr(s + 10 + d, '[', n - 10 - d);
	if (!open)
		return false;
	if (end[-2] == ']') {
		close = end - 2;
	} else {
		/* Labels after the bracket, as Go 1.27 is said to print them. */
		close = find(open, (size_t)(end - open), "] ");
		if (!close)
			return false;
	}
	record_end(p);
	record_reset(p);
	p->goid = goid;
	p->n_goroutines++;
	d2_status(p, open + 1, (size_t)(close - open - 1));
	if (close + 1 < end - 1) {
		const char *l = close + 1, *le = end - 1;

		while (l < le && *l == ' ')
			l++;
		if (l < le) {
			p->labels = keep(p, l, (size_t)(le - l));
			p->has_labels = true;
		}
	}
	return true;
}

/* The last space-separated token of [b, q), when it is short enough to
 * be a PC offset or a crash log's fp/sp/pc ("+0x1f", "pc=0x4a3b2c"). */
static const char *short_token(const char *b, const char *q)
{
	const char *t = q, *stop = q - b > 24 ? q - 24 : b;

	while (t > stop && t[-1] != ' ')
		t--;
	return t > b && t[-1] == ' ' ? t : NULL;
}

/* "\t<file>:<line>[ +0x<off>][ fp=0x... sp=0x... pc=0x...]" (crash logs
 * carry fp/sp/pc): the position's file and line. */
static bool d2_position(const char *s, size_t n, const char **file, size_t *file_len, int *line)
{
	const char *b = s + 1, *q = s + n, *colon, *t = short_token(b, q);
	uint64_t v;

	if (t && starts(t, (size_t)(q - t), "pc=")) {
		static const char *const crash[] = { "sp=", "fp=" };

		q = t - 1;
		for (size_t i = 0; i < 2 && (t = short_token(b, q)) && starts(t, (size_t)(q - t), crash[i]); i++)
			q = t - 1;
		t = short_token(b, q);
	}
	if (t && starts(t, (size_t)(q - t), "+0x"))
		q = t - 1;
	colon = q > b ? memrchr(b, ':', (size_t)(q - b)) : NULL;
	if (!colon || parse_u64_n(colon + 1, (size_t)(q - colon - 1), &v) < 0 || v > INT32_MAX)
		return false;
	*file = b;
	*file_len = (size_t)(colon - b);
	*line = (int)v;
	return true;
}

/* "<func>(<args>)": the arguments start at the first '(' that does not
 * open a receiver type ("main.(*T).m(0x1)"); argument lists hold no
 * parenthesis. */
static bool d2_function(struct parser *p, const char *s, size_t n)
{
	const char *paren;
	struct pframe *f;

	if (n < 3 || s[n - 1] != ')')
		return false;
	paren = memchr(s, '(', n - 1);
	while (paren && paren[1] == '*')
		paren = memchr(paren + 1, '(', (size_t)(s + n - 1 - paren - 1));
	if (!paren || paren == s || memchr(s, ' ', (size_t)(paren - s)))
		return false;
	if (p->expect == EXPECT_FILE) {
		pending_frame_flush(p);
		p->malformed++;
	}
	/* The argument values say whether the goroutine is still in the same
	 * call when two dumps are compared (see struct gr_member); only
	 * in-memory parses keep members, so streaming ones skip the hash. */
	if (p->b.keep_ids)
		p->args_hash = gr_key_mix(p->args_hash, gr_frame_hash(paren, (size_t)(s + n - paren), "", 0, 0));
	f = frame_push(p);
	if (!f) {
		/* Past GR_FRAMES_MAX: only the key could still want it, and the
		 * key is full long before. */
		return true;
	}
	f->func = keep(p, s, (size_t)(paren - s));
	f->file = (struct span){ 0, 0, true };
	f->line = 0;
	p->expect = EXPECT_FILE;
	return true;
}

static void d2_tab_line(struct parser *p, const char *s, size_t n)
{
	const char *file;
	size_t file_len;
	int line;

	if (p->expect == EXPECT_FILE && d2_position(s, n, &file, &file_len, &line)) {
		struct pframe *f = &p->frames[p->n_frames - 1];

		f->file = keep(p, file, file_len);
		f->line = line;
		key_frame(p, ptr(p, f->func), f->func.len, file, file_len, line);
		p->expect = EXPECT_FUNC;
		return;
	}
	if (p->expect == EXPECT_CREATED_AT && d2_position(s, n, &file, &file_len, &line)) {
		/* "file:line" without the PC offset */
		size_t k = (size_t)(file + file_len - s - 1);

		k += 1 + digits(file + file_len + 1, n - (size_t)(file + file_len + 1 - s));
		p->created_at = keep(p, s + 1, k);
		p->expect = EXPECT_FUNC;
		return;
	}
	if (starts(s, n, "\tgoroutine running on other thread")) {
		p->stack_unavailable = true;
		return;
	}
	p->malformed++;
}

static void d2_line(struct parser *p, const char *s, size_t n)
{
	if (n == 0) {
		record_end(p);
		return;
	}
	if (s[0] == 'g' && starts(s, n, "goroutine ") && d2_header(p, s, n))
		return;
	if (!p->in_record)
		return; /* text around the goroutines of a crash log */
	if (p->frames_done) {
		/* Ancestor tracebacks: not this goroutine's stack. */
		if (p->expect == EXPECT_CREATED_AT || starts(s, n, "created by "))
			p->expect = EXPECT_FUNC;
		return;
	}
	if (s[0] == '\t') {
		d2_tab_line(p, s, n);
		return;
	}
	if (starts(s, n, "created by ")) {
		/* "created by F in goroutine N" (Go 1.21+) or "created by F" */
		size_t d = digits_back(s, n), len = n - 11;

		if (d && n - d >= 11 + 14 && !memcmp(s + n - d - 14, " in goroutine ", 14))
			len = n - d - 14 - 11;

		if (p->expect == EXPECT_FILE) {
			pending_frame_flush(p);
			p->malformed++;
		}
		if (!p->has_created_by) {
			p->created_by = keep(p, s + 11, len);
			p->has_created_by = true;
		}
		p->expect = EXPECT_CREATED_AT;
		return;
	}
	if (s[0] == '.' && starts(s, n, "...") && ends(s, n, "elided...")) {
		p->elided = true;
		return;
	}
	if (s[0] == '[' && starts(s, n, "[originating from goroutine ")) {
		p->frames_done = true;
		return;
	}
	if (d2_function(p, s, n))
		return;
	p->malformed++;
}

/* ---- detection ---------------------------------------------------------- */

/* The first line that is not blank decides the format, or rejects the
 * input with a reason a person can act on. */
static void detect(struct parser *p, const char *s, size_t n)
{
	static const char *const other[][2] = {
		{ "--- mutex:", "a mutex profile" },
		{ "--- contention:", "a block or mutex profile" },
		{ "heap profile:", "a heap profile" },
		{ "threadcreate profile:", "a threadcreate profile" },
	};
	size_t k;

	p->started = true;
	if ((n >= 2 && (unsigned char)s[0] == 0x1f && (unsigned char)s[1] == 0x8b) || memchr(s, '\0', n)) {
		p->err = err_set(p->e, -PF_EPARSE,
				 "'%s': not a goroutine profile: binary data (a gzipped protobuf profile? ask for ?debug=1 or ?debug=2)",
				 p->source);
		return;
	}
	if (s[0] == '<') {
		p->err = err_set(p->e, -PF_EPARSE, "'%s': not a goroutine profile: looks like HTML", p->source);
		return;
	}
	if (s[0] == '{') {
		p->err = err_set(p->e, -PF_EPARSE, "'%s': not a goroutine profile: looks like JSON", p->source);
		return;
	}
	if (starts(s, n, "goroutine profile: total ") || starts(s, n, "goroutineleak profile: total ")) {
		const char *t = memchr(s, ':', n) + 8;

		p->fmt = FMT_DEBUG1;
		p->header_total_ok = parse_u64_n(t, (size_t)(s + n - t), &p->header_total) == 0;
		if (!p->header_total_ok)
			p->malformed++;
		return;
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (starts(s, n, other[i][0])) {
			p->err = err_set(p->e, -PF_EPARSE, "'%s': not a goroutine profile: %s", p->source, other[i][1]);
			return;
		}
	k = digits(s, n);
	if (k > 0 && starts(s + k, n - k, " @ ")) {
		/* A debug=1 profile cut at its head. */
		p->fmt = FMT_DEBUG1;
		d1_line(p, s, n);
		return;
	}
	/* Anything else may be the text a crash log carries before its
	 * goroutines; finish() rejects it if no goroutine follows. */
	p->fmt = FMT_DEBUG2;
	for (k = 0; k < n && k < sizeof(p->first) - 1; k++)
		p->first[k] = isprint((unsigned char)s[k]) && s[k] != '\'' ? s[k] : '?';
	p->first[k] = '\0';
	d2_line(p, s, n);
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

/* Whether off bytes of input went by without a goroutine dump showing
 * itself; sets the error then. */
static bool prefix_exhausted(struct parser *p, uint64_t off)
{
	if (off < GR_PREFIX_MAX || p->fmt == FMT_DEBUG1 || p->n_goroutines || p->err)
		return p->err != 0;
	if (!p->started)
		p->err = err_set(p->e, -PF_EPARSE, "'%s': not a goroutine profile: only blank lines in its first %u MiB",
				 p->source, GR_PREFIX_MAX >> 20);
	else
		p->err = err_set(p->e, -PF_EPARSE,
				 "'%s': not a goroutine profile: no 'goroutine N [state]:' line in its first %u MiB, "
				 "and it starts with '%s'",
				 p->source, GR_PREFIX_MAX >> 20, p->first);
	return true;
}

/* Feeds one line (without its newline) that starts at offset off of the
 * input. */
static void feed(struct parser *p, const char *s, size_t n, uint64_t off)
{
	if (p->err || prefix_exhausted(p, off))
		return;
	p->line_ptr = s;
	p->line_off = off;
	if (n && s[n - 1] == '\r')
		n--;
	switch (p->fmt) {
	case FMT_DEBUG2:
		d2_line(p, s, n);
		return;
	case FMT_DEBUG1:
		d1_line(p, s, n);
		return;
	default:
		if (!p->started && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
			s += 3, n -= 3;
		if (!blank(s, n))
			detect(p, s, n);
		return;
	}
}

/* Whether the record still open at the end of the input was cut short.
 * The runtime ends every debug=1 record with a blank line, so one still
 * open is cut (possibly at a line end, between two of its frames). */
static bool open_record_cut(const struct parser *p)
{
	if (!p->in_record)
		return false;
	if (p->fmt == FMT_DEBUG1)
		return true;
	if (p->expect != EXPECT_FUNC || (p->n_frames == 0 && !p->stack_unavailable))
		return true;
	/* Every goroutine but main has a creator line, except those of
	 * threads cgo created, which are locked or in a syscall. */
	return !p->has_created_by && p->goid > 1 && !p->locked && !p->frames_done &&
	       !starts(ptr(p, p->state), p->state.len, "syscall");
}

static int finish(struct parser *p, uint64_t total_len, bool ends_newline, struct gr_snapshot *ret)
{
	bool cut;

	if (p->err)
		return p->err;
	if (!p->started)
		return err_set(p->e, -PF_EPARSE, "'%s': not a goroutine profile: %s", p->source,
			       total_len ? "only blank lines" : "empty");
	if (p->fmt == FMT_DEBUG2 && p->n_goroutines == 0)
		return err_set(p->e, -PF_EPARSE,
			       "'%s': not a goroutine profile: no 'goroutine N [state]:' line, and it starts with '%s'",
			       p->source, p->first);
	cut = open_record_cut(p) || (total_len && !ends_newline);
	/* A record the input ends inside has a partial stack: under its own
	 * key it would be a group of its own, with a site one frame short (or
	 * none: "4 goroutines at (:0)"). It is left out, and said so. Text
	 * after a crash log's last goroutine follows a blank line, which
	 * closed the record: cutting that text leaves the record whole. */
	if (cut && p->in_record) {
		p->in_record = false;
		p->record_dropped = true;
		if (p->fmt == FMT_DEBUG1)
			p->sum_counts -= p->count < p->sum_counts ? p->count : p->sum_counts;
		else if (p->n_goroutines)
			p->n_goroutines--;
	}
	record_end(p);
	if (p->err)
		return p->err;
	memset(ret, 0, sizeof(*ret));
	ret->source = strdup(p->source);
	if (!ret->source)
		return err_set(p->e, -ENOMEM, "out of memory reading '%s'", p->source);
	ret->debug = p->fmt == FMT_DEBUG1 ? 1 : 2;
	if (p->fmt == FMT_DEBUG1) {
		ret->total = p->header_total_ok ? p->header_total : p->sum_counts;
		ret->truncated = cut || !p->header_total_ok || p->sum_counts < p->header_total;
	} else {
		ret->total = p->n_goroutines;
		ret->truncated = cut || total_len == GR_RUNTIME_CAP;
	}
	ret->malformed = p->malformed;
	ret->record_dropped = p->record_dropped;
	ret->truncated = ret->truncated || p->record_dropped;
	gr_builder_finish(&p->b, ret);
	return 0;
}

int gr_parse(const char *data, size_t len, const char *source, struct gr_snapshot *ret, struct err *e)
{
	struct parser p;
	const char *s = data, *end = data + len;
	int r;

	parser_init(&p, source, e);
	/* In memory the dump is bounded (a fetch cap, or the runtime's 64 MiB):
	 * keeping members costs 16 bytes a goroutine. */
	p.b.keep_ids = true;
	p.in_ptr = data;
	p.in_off = 0;
	while (s < end && !p.err) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);

		feed(&p, s, n > GR_CHUNK ? GR_CHUNK : n, (uint64_t)(s - data));
		s = nl ? nl + 1 : end;
	}
	r = finish(&p, len, len && data[len - 1] == '\n', ret);
	parser_release(&p);
	return r;
}

int gr_parse_stream_chunk(gr_read_fn read_fn, void *ctx, size_t chunk_size, const char *source, struct gr_snapshot *ret,
			  struct err *e)
{
	struct parser p;
	char *chunk;
	size_t have = 0, scan = 0;   /* bytes in the chunk; where unread lines start */
	uint64_t total = 0, base = 0; /* input offset of chunk[0] */
	bool skip_long = false, ends_newline = false;
	int r;

	if (chunk_size < 2)
		chunk_size = 2;
	parser_init(&p, source, e);
	chunk = malloc(chunk_size);
	if (!chunk) {
		r = err_set(e, -ENOMEM, "out of memory reading '%s'", p.source);
		goto out;
	}
	p.in_ptr = chunk;
	while (!p.err) {
		ssize_t got_or_err = read_fn(ctx, chunk + have, chunk_size - have);
		const char *s, *end, *keep_from;
		size_t got;

		if (got_or_err < 0) {
			r = err_errno(e, (int)got_or_err, "cannot read '%s'", p.source);
			goto out;
		}
		if (got_or_err == 0)
			break;
		got = (size_t)got_or_err;
		total += got;
		have += got;
		s = chunk + scan;
		end = chunk + have;
		ends_newline = end[-1] == '\n';
		if (skip_long) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));

			if (prefix_exhausted(&p, total))
				break;
			if (!nl) {
				base += have;
				have = scan = 0;
				p.in_off = base;
				continue;
			}
			s = nl + 1;
			skip_long = false;
		}
		for (;;) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));

			if (!nl)
				break;
			feed(&p, s, (size_t)(nl - s), base + (uint64_t)(s - chunk));
			s = nl + 1;
		}
		/* Keep the unread line, and the open record the parser refers
		 * to while it fits in half the chunk. */
		keep_from = s;
		if (s == chunk && have == chunk_size) {
			/* One line longer than the chunk: its head is all we read. */
			feed(&p, chunk, chunk_size, base);
			if (p.in_record && !p.copy_mode)
				materialize(&p);
			keep_from = s = end;
			skip_long = true;
		} else if (p.in_record && !p.copy_mode) {
			const char *rec = chunk + (p.rec_off - base);

			if ((size_t)(end - rec) <= chunk_size / 2)
				keep_from = rec;
			else
				materialize(&p);
		}
		if (keep_from != chunk) {
			memmove(chunk, keep_from, (size_t)(end - keep_from));
			base += (uint64_t)(keep_from - chunk);
		}
		have = (size_t)(end - keep_from);
		scan = (size_t)(s - keep_from);
		p.in_off = base;
	}
	if (have > scan && !skip_long && !p.err)
		feed(&p, chunk + scan, have - scan, base + scan);
	r = finish(&p, total, ends_newline, ret);
out:
	free(chunk);
	parser_release(&p);
	return r;
}

int gr_parse_stream(gr_read_fn read_fn, void *ctx, const char *source, struct gr_snapshot *ret, struct err *e)
{
	return gr_parse_stream_chunk(read_fn, ctx, GR_CHUNK, source, ret, e);
}
