/* mhd: libmicrohttpd, loaded when `preflight serve` starts (dlopen), the
 * way libcurl (src/io/http.c) and libpq (src/store/db_pg.c) are loaded.
 *
 * Why: linked, libmicrohttpd brings GnuTLS and its nine libraries into
 * every command, and the dynamic loader's work for them doubled the start
 * of `preflight --version` (docs/serve.md, "Loading libmicrohttpd"), though
 * only `serve` speaks HTTP as a server. The code under src/serve calls the
 * library by its usual names: after the header, each name below stands
 * for the loaded function.
 */
#ifndef PREFLIGHT_SERVE_MHD_H
#define PREFLIGHT_SERVE_MHD_H

#include <microhttpd.h>

#include "base/err.h"

#define MHD_SONAME "libmicrohttpd.so.12"
#define MHD_PACKAGE "libmicrohttpd12"

struct mhd_lib {
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_create_post_processor) *create_post_processor;
	__typeof__(MHD_create_response_from_buffer_with_free_callback) *create_response_from_buffer_with_free_callback;
	__typeof__(MHD_create_response_from_callback) *create_response_from_callback;
	__typeof__(MHD_destroy_post_processor) *destroy_post_processor;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_get_connection_info) *get_connection_info;
	__typeof__(MHD_get_connection_values) *get_connection_values;
	__typeof__(MHD_get_daemon_info) *get_daemon_info;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
	__typeof__(MHD_post_process) *post_process;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_quiesce_daemon) *quiesce_daemon;
	__typeof__(MHD_resume_connection) *resume_connection;
	__typeof__(MHD_set_connection_option) *set_connection_option;
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_suspend_connection) *suspend_connection;
};
extern struct mhd_lib mhd_lib;

/* Loads the library once (thread-safe). 0, or -ELIBACC with
 * "'libmicrohttpd.so.12' cannot be loaded: <why>; install libmicrohttpd12"
 * in e (the words of a missing libcurl). */
int mhd_load(struct err *e);

#define MHD_add_response_header (mhd_lib.add_response_header)
#define MHD_create_post_processor (mhd_lib.create_post_processor)
#define MHD_create_response_from_buffer_with_free_callback (mhd_lib.create_response_from_buffer_with_free_callback)
#define MHD_create_response_from_callback (mhd_lib.create_response_from_callback)
#define MHD_destroy_post_processor (mhd_lib.destroy_post_processor)
#define MHD_destroy_response (mhd_lib.destroy_response)
#define MHD_get_connection_info (mhd_lib.get_connection_info)
#define MHD_get_connection_values (mhd_lib.get_connection_values)
#define MHD_get_daemon_info (mhd_lib.get_daemon_info)
#define MHD_lookup_connection_value (mhd_lib.lookup_connection_value)
#define MHD_post_process (mhd_lib.post_process)
#define MHD_queue_response (mhd_lib.queue_response)
#define MHD_quiesce_daemon (mhd_lib.quiesce_daemon)
#define MHD_resume_connection (mhd_lib.resume_connection)
#define MHD_set_connection_option (mhd_lib.set_connection_option)
#define MHD_start_daemon (mhd_lib.start_daemon)
#define MHD_stop_daemon (mhd_lib.stop_daemon)
#define MHD_suspend_connection (mhd_lib.suspend_connection)

#endif
