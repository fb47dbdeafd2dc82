#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int err_errno(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
		n = strlen(e->msg);
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", err_str(code));
	}
	return code;
}

const char *err_str(int code)
{
	if (code >= 0 || code < -PF_ETLS)
		return "unknown error";
	switch (-code) {
	case PF_EPARSE: return "malformed input";
	case PF_ENOTGO: return "not a Go executable";
	case PF_EUSAGE: return "usage error";
	case PF_ENOTFOUND: return "not found";
	case PF_EAMBIGUOUS: return "ambiguous";
	case PF_EUNTRUSTED: return "TLS certificate not verified";
	case PF_ETLS: return "TLS handshake failed";
	default: return strerror(-code);
	}
}
