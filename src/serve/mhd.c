/* mhd: loading libmicrohttpd on first use (mhd.h says why). */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

/* The real declarations, not the names mhd.h redirects. */
#include "serve/mhd.h"

struct mhd_lib mhd_lib;

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static bool mhd_loaded;
static char mhd_load_errmsg[200];

static void load(void)
{
	void *h = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *why = dlerror();

		snprintf(mhd_load_errmsg, sizeof(mhd_load_errmsg), "%s", why ? why : "not found");
		return;
	}
#define SYM(field, name) \
	if (!(*(void **)&mhd_lib.field = dlsym(h, name))) { \
		snprintf(mhd_load_errmsg, sizeof(mhd_load_errmsg), "it has no '%s'", name); \
		return; \
	}
	SYM(add_response_header, "MHD_add_response_header");
	SYM(create_post_processor, "MHD_create_post_processor");
	SYM(create_response_from_buffer_with_free_callback, "MHD_create_response_from_buffer_with_free_callback");
	SYM(create_response_from_callback, "MHD_create_response_from_callback");
	SYM(destroy_post_processor, "MHD_destroy_post_processor");
	SYM(destroy_response, "MHD_destroy_response");
	SYM(get_connection_info, "MHD_get_connection_info");
	SYM(get_connection_values, "MHD_get_connection_values");
	SYM(get_daemon_info, "MHD_get_daemon_info");
	SYM(lookup_connection_value, "MHD_lookup_connection_value");
	SYM(post_process, "MHD_post_process");
	SYM(queue_response, "MHD_queue_response");
	SYM(quiesce_daemon, "MHD_quiesce_daemon");
	SYM(resume_connection, "MHD_resume_connection");
	SYM(set_connection_option, "MHD_set_connection_option");
	SYM(start_daemon, "MHD_start_daemon");
	SYM(stop_daemon, "MHD_stop_daemon");
	SYM(suspend_connection, "MHD_suspend_connection");
#undef SYM
	mhd_loaded = true;
}

int mhd_load(struct err *e)
{
	pthread_once(&mhd_once, load);
	if (mhd_loaded)
		return 0;
	/* like a missing libcurl: the installation is incomplete (exit 3), not the request wrong */
	return err_set(e, -ELIBACC, "'%s' cannot be loaded: %s; install %s", MHD_SONAME, mhd_load_errmsg, MHD_PACKAGE);
}
