/* buildinfo_scan: the Go executables named on a command line, found the
 * way `go version` finds them: a file is read, a directory is walked in
 * filepath.WalkDir order (entries sorted bytewise, symlinked directories
 * not followed, names cleaned as filepath.Clean does), and only its Go
 * executables are reported.
 */
#ifndef PREFLIGHT_BUILDINFO_SCAN_H
#define PREFLIGHT_BUILDINFO_SCAN_H

#include "base/err.h"
#include "facts/buildinfo.h"

struct buildinfo_sink {
	/* A Go executable and its build info (borrowed for the call). */
	void (*found)(void *ctx, const char *file, const struct gobuild *b);
	/* A named file or directory that could not be read; code is a
	 * negative errno or -PF_E*, msg one line naming it. Files met while
	 * walking are skipped silently, as Go skips them. */
	void (*failed)(void *ctx, int code, const char *msg);
	void *ctx;
};

/* Scans one operand. */
void buildinfo_scan(const char *arg, const struct buildinfo_sink *sink);

#endif
