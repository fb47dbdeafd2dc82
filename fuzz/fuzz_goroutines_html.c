/* libFuzzer target for the html page of `preflight goroutines` (report/
 * goroutines_html.c): the input is parsed as a dump, analysed alone and,
 * split in two, as a series, filtered by a --match, and rendered as HTML.
 * Whatever the dump's names hold, the page must carry no control byte but
 * tab and newline, no '<' that the renderer did not write (each element
 * it writes is from a fixed set), one <details> per group, and end with
 * </html>. Seeds: fuzz/corpus/goroutines/. */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/leak.h"
#include "goruntime/goroutine.h"
#include "report/goroutines.h"

/* Every tag the page may hold. */
static const char *const tags[] = {
	"!DOCTYPE html>", "html", "/html>", "head>", "/head>", "meta ", "title>", "/title>", "style>", "/style>",
	"body>", "/body>", "h1>", "/h1>", "h2>", "/h2>", "p>", "p ", "/p>", "table", "/table>", "thead>",
	"/thead>", "tbody>", "/tbody>", "tr>", "/tr>", "th>", "th ", "/th>", "td>", "td ", "/td>", "ol", "/ol>",
	"li>", "li ", "/li>", "a ", "/a>", "code>", "code ", "/code>", "span ", "/span>", "strong>", "/strong>",
	"details ", "/details>", "summary>", "/summary>", "div ", "/div>", "dl>", "/dl>", "dt>", "/dt>",
	"dd>", "/dd>", "button ", "/button>", "script>", "/script>", "svg ", "/svg>", "polyline ",
};

static void check_page(const char *page, size_t len, const struct gr_analysis *an)
{
	size_t details = 0;

	if (len < 8 || strcmp(page + len - 8, "</html>\n"))
		abort();
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)page[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			abort();
		if (c == '<') {
			bool known = false;

			for (size_t k = 0; k < sizeof(tags) / sizeof(tags[0]) && !known; k++)
				known = !strncmp(page + i + 1, tags[k], strlen(tags[k]));
			if (!known)
				abort();
			details += !strncmp(page + i + 1, "details ", 8);
		}
	}
	if (details != an->n_rows)
		abort();
}

static void render(const struct gr_snapshot *snaps, size_t n, const char *match)
{
	struct gr_analysis an;
	struct err e = { "" };
	struct gr_view v = { 0 };
	regex_t re;
	char *page = NULL;
	size_t len = 0;
	FILE *m;

	if (gr_analyze(snaps, n, NULL, &an, &e) != 0)
		return;
	if (match && regcomp(&re, match, REG_EXTENDED | REG_NOSUB) == 0) {
		gr_analysis_match(&an, &re);
		regfree(&re);
		v.match = match;
	}
	v.snaps = snaps;
	v.n_snaps = n;
	v.an = &an;
	m = open_memstream(&page, &len);
	if (m) {
		int r = gr_render(&v, "html", m);

		fclose(m);
		if (r == 0)
			check_page(page, len, &an);
		free(page);
	}
	gr_analysis_release(&an);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_snapshot whole, half[2];
	struct err e = { "" };
	size_t mid = size / 2;
	int r0, r1;

	if (gr_parse((const char *)data, size, "fuzz<&\">", &whole, &e) == 0) {
		render(&whole, 1, NULL);
		render(&whole, 1, "main|chan|<");
		gr_snapshot_release(&whole);
	}
	r0 = gr_parse((const char *)data, mid, "a", &half[0], &e);
	r1 = gr_parse((const char *)data + mid, size - mid, "b", &half[1], &e);
	if (r0 == 0 && r1 == 0)
		render(half, 2, "[a-z]+\\.go:[0-9]+$");
	if (r0 == 0)
		gr_snapshot_release(&half[0]);
	if (r1 == 0)
		gr_snapshot_release(&half[1]);
	return 0;
}
