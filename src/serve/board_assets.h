/* board_assets: the board's static files (src/serve/assets/), compiled
 * into the binary at build time (cmake/embed-assets.cmake writes
 * board_assets.c in the build directory), so `preflight serve` needs no
 * file beside it and fetches nothing from the network. */
#ifndef PREFLIGHT_SERVE_BOARD_ASSETS_H
#define PREFLIGHT_SERVE_BOARD_ASSETS_H

#include <stddef.h>

struct board_asset {
	const char *name;            /* "board.css": served at /assets/NAME */
	const char *content_type;    /* "text/css; charset=utf-8" */
	const unsigned char *data;
	size_t len;
	const char *etag;            /* "\"<16 hex of the SHA-256>\"", with the quotes */
	const char *version;         /* the same 16 hex: pages link /assets/NAME?v=VERSION */
};

/* The assets, ended by a { NULL } entry. */
extern const struct board_asset board_assets[];

/* The asset called name, or NULL. */
const struct board_asset *board_asset_find(const char *name);

#endif
