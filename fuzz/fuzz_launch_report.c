/* libFuzzer target for the renderings of a checklist run (report/
 * launch_*.c): the input, split at NUL bytes, gives every outside string
 * of a run (name, owner, item ids, titles, notes, reasons, follow-ups)
 * and, from its first bytes, the items' statuses and times. Every format
 * is rendered; whatever the strings hold, tty, markdown, junit and html
 * carry no control byte but newline (and tab in XML text), the html page
 * holds no element the renderer does not write and ends with </html>,
 * and json parses back. Seeds: fuzz/corpus/launch_report/. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/launch_report.h"

/* Every element the page may hold. */
static const char *const tags[] = {
	"!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "dl", "dt", "dd",
	"div", "b", "section", "svg", "rect", "text", "g", "p", "table", "thead", "tbody", "tr", "th", "td",
	"code", "br", "span", "em", "details", "summary", "pre", "ul", "li", "footer",
};

static void check_text(const char *s, size_t len, bool tab_ok)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && !(tab_ok && c == '\t')) || c == 0x7f)
			abort();
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f)
			abort();
	}
}

static void check_html(const char *s, size_t len)
{
	if (len < 8 || strcmp(s + len - 8, "</html>\n"))
		abort();
	for (size_t i = 0; i < len; i++) {
		const char *t = s + i + 1;
		bool known = false;

		if (s[i] != '<')
			continue;
		if (*t == '/')
			t++;
		for (size_t k = 0; k < sizeof(tags) / sizeof(tags[0]) && !known; k++) {
			size_t n = strlen(tags[k]);

			known = !strncmp(t, tags[k], n) && (t[n] == '>' || t[n] == ' ' || t[n] == '/');
		}
		if (!known)
			abort();
	}
}

static char *render(const struct run_view *v, const char *format, size_t *len)
{
	static const struct launch_render_opts o = { false, 80, "fuzz" };
	char *p = NULL;
	FILE *m = open_memstream(&p, len);

	if (!m)
		return NULL;
	if (launch_render_with(m, v, NULL, format, &o) != 0)
		abort();
	fclose(m);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum { N_STR = 24, N_ITEMS = 4 };
	char *buf, *str[N_STR];
	struct item_view items[N_ITEMS];
	struct followup_view fu;
	struct run_view v;
	size_t k = 0, head = size < 8 ? size : 8;
	static const char *const formats[] = { "tty", "markdown", "junit", "html", "json" };

	buf = malloc(size - head + 1);
	if (!buf)
		return 0;
	memcpy(buf, data + head, size - head);
	buf[size - head] = '\0';
	for (char *p = buf; k < N_STR; k++) {
		str[k] = p;
		p += strlen(p);
		if (p < buf + (size - head))
			p++;
	}
	memset(&v, 0, sizeof(v));
	memset(items, 0, sizeof(items));
	memset(&fu, 0, sizeof(fu));
	v.id = 1;
	v.name = str[0];
	v.owner = str[1];
	v.env = str[2];
	v.source = str[3];
	v.opened_ms = 1795687200000LL;
	v.now_ms = v.opened_ms + (head > 0 ? data[0] : 0) * 60000LL;
	v.items = items;
	v.n_items = head > 1 ? data[1] % (N_ITEMS + 1) : 1;
	for (size_t i = 0; i < v.n_items; i++) {
		struct item_view *it = &items[i];
		uint8_t b = head > 2 + i ? data[2 + i] : 0;

		it->id = str[4 + 5 * i];
		it->title = str[5 + 5 * i];
		it->owner = str[6 + 5 * i];
		it->module = i % 2 ? NULL : str[7 + 5 * i];
		it->note = str[8 + 5 * i];
		it->env = v.env;
		it->verify_kind = "manual";
		it->executor = v.owner;
		it->status = (enum item_status)(b % ITEM_STATUS_COUNT);
		it->status_seq = b & 8;
		it->due_ms = b & 16 ? v.opened_ms + (b >> 5) * 600000LL : 0;
		it->overdue = item_status_open(it->status) && it->due_ms && v.now_ms > it->due_ms;
		it->skip_reason = it->status == ITEM_SKIP ? it->note : NULL;
		it->delay_reason = b & 128 ? it->title : NULL;
		it->closed_ms = item_status_open(it->status) ? 0 : v.opened_ms + b * 1000LL;
		it->duration_ms = b & 4 ? b : -1;
		v.count[it->status]++;
		v.n_overdue += it->overdue;
	}
	if (head > 6 && data[6] & 1) {
		fu = (struct followup_view){ .id = 1, .item_id = items[0].id, .owner = str[1], .summary = str[2],
					     .rca = str[3], .closed = data[6] & 2, .rca_due_ms = v.opened_ms };
		v.followups = &fu;
		v.n_followups = 1;
	}
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		size_t len = 0;
		char *out = render(&v, formats[f], &len);

		if (!out)
			continue;
		if (!strcmp(formats[f], "json")) {
			json_t *doc = json_loadb(out, len, 0, NULL);

			if (!doc)
				abort();
			json_decref(doc);
		} else {
			/* XML text may hold a tab; tty and Markdown turn it into an escape or a space */
			check_text(out, len, !strcmp(formats[f], "html") || !strcmp(formats[f], "junit"));
			if (!strcmp(formats[f], "html"))
				check_html(out, len);
		}
		free(out);
	}
	free(buf);
	return 0;
}
