/* The board's frame (head, top bar, footer) and the small writers every
 * page uses (board.h). */
#include "serve/board.h"

#include <inttypes.h>
#include <string.h>

#include "report/launch_common.h"
#include "report/launch_svg.h"
#include "serve/board_assets.h"

void board_text(FILE *out, const char *s)
{
	launch_html_text(out, s && *s ? s : "-");
}

void board_alert_slot(FILE *out, const char *message)
{
	if (message) {
		fputs("<div class=\"alert\" role=\"alert\">", out);
		launch_html_text(out, message);
		fputs("</div>", out);
	} else {
		fputs("<div class=\"alert\"></div>", out);
	}
}

void board_meta(FILE *out, const char *term, const char *value)
{
	fprintf(out, "<div><dt>%s</dt><dd>", term);
	board_text(out, value);
	fputs("</dd></div>", out);
}

void board_url_part(FILE *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			fputc(*p, out);
		else
			fprintf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

void board_badge(FILE *out, enum item_status s)
{
	static const char *const symbol[ITEM_STATUS_COUNT] = {
		[ITEM_PENDING] = "\xe2\x97\x8b",   /* ○ */
		[ITEM_RUNNING] = "\xe2\x96\xb6",   /* ▶ */
		[ITEM_PASS] = "\xe2\x9c\x93",      /* ✓ */
		[ITEM_FAIL] = "\xe2\x9c\x97",      /* ✗ */
		[ITEM_SKIP] = "\xe2\x86\xb7",      /* ↷ */
	};
	const char *name = item_status_name(s);

	fprintf(out, "<span class=\"badge st-%s\">%s %s</span>", name,
		(unsigned)s < ITEM_STATUS_COUNT ? symbol[s] : "?", name);
}

void board_span(int64_t ms, char *buf, size_t len)
{
	static const struct {
		int64_t ms;
		const char *unit;
	} units[] = { { 86400000, "d" }, { 3600000, "h" }, { 60000, "m" }, { 1000, "s" } };
	size_t used = 0, shown = 0;

	if (ms < 1000) {
		snprintf(buf, len, "0s");
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && shown < 2; i++) {
		int64_t n = ms / units[i].ms;

		if (!n && !shown)
			continue;
		ms -= n * units[i].ms;
		shown++;
		if (!n)
			break;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%" PRId64 "%s",
					 used ? " " : "", n, units[i].unit);
		if (used >= len)
			break;
	}
}

void board_time(FILE *out, int64_t ms)
{
	char iso[40], human[40];

	if (!ms) {
		fputs("-", out);
		return;
	}
	launch_time_rfc3339(ms, iso, sizeof(iso));
	launch_time_human(ms, human, sizeof(human));
	fprintf(out, "<time datetime=\"%s\">%s</time>", iso, human);
}

void board_time_short(FILE *out, int64_t ms, int64_t now_ms)
{
	char iso[40], human[40];
	int64_t d = ms > now_ms ? ms - now_ms : now_ms - ms;

	if (!ms) {
		fputs("-", out);
		return;
	}
	launch_time_rfc3339(ms, iso, sizeof(iso));
	launch_time_human(ms, human, sizeof(human));
	/* "2026-11-26 10:00 UTC": within a day of now, "10:00 UTC" says it */
	fprintf(out, "<time datetime=\"%s\" title=\"%s\">%s</time>", iso, human,
		d < 20 * 3600 * 1000LL && strlen(human) > 11 ? human + 11 : human);
}

void board_form_hidden(FILE *out, const struct board_ctx *c, const char *back)
{
	fputs("<input type=\"hidden\" name=\"csrf\" value=\"", out);
	launch_html_text(out, c->csrf ? c->csrf : "");
	fputs("\"/><input type=\"hidden\" name=\"back\" value=\"", out);
	launch_html_text(out, back);
	fputs("\"/>", out);
}

bool board_local_path(const char *p)
{
	if (!p || p[0] != '/' || p[1] == '/' || p[1] == '\\')
		return false;
	for (const unsigned char *c = (const unsigned char *)p; *c; c++)
		if (*c < 0x20 || *c == 0x7f || *c == '\\')
			return false;
	return true;
}

/* "/assets/NAME?v=VERSION": the URL of an asset as it is now. */
static void asset_url(FILE *out, const char *name)
{
	const struct board_asset *a = board_asset_find(name);

	fprintf(out, "/assets/%s?v=%s", name, a ? a->version : "0");
}

void board_head(FILE *out, const struct board_ctx *c, const char *title, const char *body_class)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	      "<meta name=\"referrer\" content=\"same-origin\"/>\n", out);
	if (c && c->csrf) {
		fputs("<meta name=\"csrf-token\" content=\"", out);
		launch_html_text(out, c->csrf);
		fputs("\"/>\n", out);
	}
	fputs("<title>", out);
	launch_html_text(out, title);
	fputs(" \xe2\x80\x94 preflight board</title>\n", out);
	fputs("<link rel=\"stylesheet\" href=\"", out);
	asset_url(out, "board.css");
	fputs("\"/>\n<link rel=\"icon\" type=\"image/svg+xml\" href=\"", out);
	asset_url(out, "favicon.svg");
	fputs("\"/>\n<script defer=\"defer\" src=\"", out);
	asset_url(out, "board.js");
	fputs("\"></script>\n", out);
	fprintf(out, "</head>\n<body class=\"%s\">\n<header class=\"top\">\n"
		     "<a class=\"brand\" href=\"/\">preflight board</a>\n"
		     "<nav><a href=\"/\">Runs</a><a href=\"/followups\">Follow-ups</a></nav>\n"
		     "<span id=\"live-state\" class=\"live\" data-state=\"off\">static</span>\n",
		body_class ? body_class : "");
	if (c && c->actor) {
		fputs("<div class=\"who\"><span>signed in as <b>", out);
		launch_html_text(out, c->actor);
		fputs("</b></span>", out);
		if (c->csrf) {
			fputs("<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"",
			      out);
			launch_html_text(out, c->csrf);
			fputs("\"/><button type=\"submit\">Log out</button></form>", out);
		}
		fputs("</div>\n", out);
	} else if (c) {
		fputs("<div class=\"who\"><a href=\"/login\">Log in</a></div>\n", out);
	}
	fputs("</header>\n<main>\n", out);
}

void board_tail(FILE *out)
{
	fputs("</main>\n<footer>preflight " PREFLIGHT_VERSION
	      " \xe2\x80\x94 read from the store's event log; times are UTC.</footer>\n</body>\n</html>\n", out);
}
