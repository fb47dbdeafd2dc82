/* goversion: Go release strings ("go1.26.8", "go1.22rc1", "devel ...")
 * and the runtime defaults that depend on them. */
#ifndef PREFLIGHT_GOVERSION_H
#define PREFLIGHT_GOVERSION_H

#include <stdbool.h>
#include <stddef.h>

struct go_version {
	int major, minor, patch;
	bool devel;       /* a development build: newer than any release */
};

/* Parses "go1.26.8", "go1.21", "go1.22rc1", "go1.26.8 X:boringcrypto",
 * "devel go1.27-abc". Returns 0 or -EINVAL. */
int go_version_parse(const char *s, struct go_version *ret);
/* <0, 0, >0 like strcmp; devel sorts after everything. */
int go_version_cmp(const struct go_version *a, const struct go_version *b);
/* True when the release is at least 1.minor. */
bool go_version_at_least(const struct go_version *v, int minor);

/* Looks key up in a GODEBUG-style "k=v,k2=v2" list; copies the value
 * into out and returns true when found. The last occurrence wins, as in
 * the runtime. */
bool godebug_lookup(const char *list, const char *key, char *out, size_t n);

#endif
