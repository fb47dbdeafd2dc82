/* buildinfo: a Go executable's embedded build information as plain data
 * (collect/gobuild.h reads it, goruntime/modinfo.h parses its module
 * text, report/buildinfo_text.h prints it).
 *
 * Ownership: struct gobuild owns every string; gobuild_release() frees them.
 */
#ifndef PREFLIGHT_FACTS_BUILDINFO_H
#define PREFLIGHT_FACTS_BUILDINFO_H

#include <stddef.h>

struct gobuild_module {
	char *path, *version, *sum;      /* sum may be "" */
	/* The "=>" replacement, if any (rep_path NULL when none). */
	char *rep_path, *rep_version, *rep_sum;
};

struct gobuild_setting {
	char *key, *value;               /* unquoted */
};

struct gobuild {
	char *go_version;                /* "go1.26.8"; NULL when not read */
	char *path;                      /* main package path ("path" line) */
	struct gobuild_module main;      /* "mod" line; fields NULL when absent */
	struct gobuild_module *deps;
	size_t n_deps;
	struct gobuild_setting *settings;
	size_t n_settings;
};

void gobuild_release(struct gobuild *b);
/* Frees m's strings and zeroes it. */
void gobuild_module_release(struct gobuild_module *m);

/* The value of a build setting, or NULL. */
const char *gobuild_setting(const struct gobuild *b, const char *key);

#endif
