/* err: one place for a human-readable error message.
 *
 * Library code never prints. A function that fails fills a struct err (if
 * the caller passed one) and returns a negative code; the command prints
 * the message once. Messages follow git's style: lowercase, no full stop,
 * the subject in single quotes.
 */
#ifndef PREFLIGHT_ERR_H
#define PREFLIGHT_ERR_H

/* Our own negative codes, beyond errno values. */
enum {
	PF_EPARSE = 4096,    /* outside input is malformed */
	PF_ENOTGO,           /* the executable carries no Go build info */
	PF_EUSAGE,           /* the user asked for something impossible */
	PF_ENOTFOUND,        /* an HTTP 404 or a missing profile */
	PF_EAMBIGUOUS,       /* a process name matched more than one process */
	PF_EUNTRUSTED,       /* a TLS certificate did not verify (or the CA bundle could not be used) */
	PF_ETLS,             /* no TLS session: the handshake failed */
};

struct err {
	char msg[1024];
};

/* Sets e->msg (when e is not NULL) and returns code, which should be < 0. */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like err_set, with ": strerror(-code)" appended. */
int err_errno(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The message for a code when no struct err was filled. */
const char *err_str(int code);

#endif
