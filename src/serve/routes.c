/* routes: the route tables the server tries, in this order (serve.h).
 * A table joins the list when its file lands: hub_routes (hub.c),
 * api_routes (api*.c), board_routes (board*.c). Keep it a plain list. */
#include "serve/serve_internal.h"

const struct route *const route_tables[] = {
	metrics_routes,
	auth_routes,
	hub_routes,
	api_routes,
	board_routes,
	NULL,
};
