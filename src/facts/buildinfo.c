/* The release and lookup of struct gobuild (facts/buildinfo.h): pure. */
#include "facts/buildinfo.h"

#include <stdlib.h>
#include <string.h>

void gobuild_module_release(struct gobuild_module *m)
{
	free(m->path);
	free(m->version);
	free(m->sum);
	free(m->rep_path);
	free(m->rep_version);
	free(m->rep_sum);
	memset(m, 0, sizeof(*m));
}

void gobuild_release(struct gobuild *b)
{
	if (!b)
		return;
	free(b->go_version);
	free(b->path);
	gobuild_module_release(&b->main);
	for (size_t i = 0; i < b->n_deps; i++)
		gobuild_module_release(&b->deps[i]);
	free(b->deps);
	for (size_t i = 0; i < b->n_settings; i++) {
		free(b->settings[i].key);
		free(b->settings[i].value);
	}
	free(b->settings);
	memset(b, 0, sizeof(*b));
}

const char *gobuild_setting(const struct gobuild *b, const char *key)
{
	for (size_t i = 0; i < b->n_settings; i++)
		if (!strcmp(b->settings[i].key, key))
			return b->settings[i].value;
	return NULL;
}
