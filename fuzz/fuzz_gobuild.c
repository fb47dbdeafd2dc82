/* libFuzzer target for the Go build-info reader: the input is read both as
 * an ELF image and as modinfo text, and whatever is parsed is printed back
 * the way `preflight buildinfo` prints it. Seeds: fuzz/corpus/gobuild/. */
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "collect/gobuild.h"
#include "goruntime/modinfo.h"
#include "report/buildinfo_text.h"

static void exercise(const struct gobuild *b)
{
	struct buf out = BUF_INIT(1u << 24);

	gobuild_string(b, &out);
	gobuild_setting(b, "CGO_ENABLED");
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gobuild b = { 0 };
	struct err e;

	if (gobuild_read_mem(data, size, &b, &e) == 0)
		exercise(&b);
	gobuild_release(&b);

	if (gobuild_parse_modinfo((const char *)data, size, &b, &e) == 0) {
		struct gobuild again = { 0 };
		struct buf text = BUF_INIT(1u << 24);

		exercise(&b);
		/* What we print must parse back to the same text (Go's
		 * String/ParseBuildInfo round trip). */
		if (gobuild_string(&b, &text) == 0 &&
		    gobuild_parse_modinfo(buf_str(&text), text.len, &again, &e) == 0) {
			struct buf text2 = BUF_INIT(1u << 24);

			if (gobuild_string(&again, &text2) == 0 &&
			    (text2.len != text.len || __builtin_memcmp(text2.data, text.data, text.len)))
				__builtin_trap();
			buf_release(&text2);
		}
		gobuild_release(&again);
		buf_release(&text);
	}
	gobuild_release(&b);
	return 0;
}
