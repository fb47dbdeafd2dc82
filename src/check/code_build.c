/* How the binary was built, from its embedded build info. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "check/checks.h"
#include "check/goversion.h"

/* Skips (not a Go binary) or errors (unreadable) when there is no build
 * info; returns true when the check can go on. */
static bool need_buildinfo(const struct facts *f, struct check_result *r)
{
	const struct process_facts *pr = &f->proc;

	/* check_run already skips a non-Go target for every CHECK_GO check;
	 * kept so the function holds its contract when called directly. */
	if (skip_not_go(f, r))
		return false;
	if (pr->gobuild_err.code) {
		result_set(r, STATUS_ERROR, "could not read the build info: %s", pr->gobuild_err.msg);
		return false;
	}
	return true;
}

CHECK_FN(check_go_buildinfo)
{
	const struct gobuild *b = &f->proc.gobuild;
	json_t *settings;

	if (!need_buildinfo(f, r))
		return;
	settings = json_object();
	for (size_t i = 0; i < b->n_settings; i++)
		json_object_set_new(settings, b->settings[i].key, json_string(b->settings[i].value));
	ev_str(r, "go_version", b->go_version);
	ev_str(r, "path", b->path);
	ev_str(r, "main_path", b->main.path);
	ev_str(r, "main_version", b->main.version);
	ev_json(r, "settings", settings);
	ev_int(r, "deps", (long long)b->n_deps);
	result_set(r, STATUS_PASS, "%s, %s %s, %zu dependenc%s", b->go_version,
		   b->main.path ? b->main.path : (b->path ? b->path : "(no module)"),
		   b->main.version ? b->main.version : "", b->n_deps, b->n_deps == 1 ? "y" : "ies");
}

CHECK_FN(check_go_version)
{
	const struct gobuild *b = &f->proc.gobuild;
	const char *min = param_str(p, "min_version");
	struct go_version have, want;

	if (!need_buildinfo(f, r))
		return;
	ev_str(r, "go_version", b->go_version);
	ev_str(r, "min_version", min);
	if (go_version_parse(min, &want) < 0) {
		result_set(r, STATUS_ERROR, "parameter min_version='%s' is not a Go version like go1.26", min);
		return;
	}
	if (go_version_parse(b->go_version, &have) < 0) {
		result_set(r, STATUS_SKIP, "unrecognised Go version '%s'", b->go_version);
		return;
	}
	if (go_version_cmp(&have, &want) < 0) {
		result_set(r, STATUS_WARN, "built with %s, older than the oldest supported release %s", b->go_version,
			   min);
		result_remedy(r, "unsupported Go releases get no security fixes: rebuild with a supported "
				 "release (the two newest major versions)");
	} else {
		result_set(r, STATUS_PASS, "built with %s (minimum %s)", b->go_version, min);
	}
}

CHECK_FN(check_go_race)
{
	const struct gobuild *b = &f->proc.gobuild;
	const char *race;

	if (!need_buildinfo(f, r))
		return;
	race = gobuild_setting(b, "-race");
	ev_bool(r, "race", race && !strcmp(race, "true"));
	if (race && !strcmp(race, "true")) {
		result_set(r, STATUS_FAIL, "built with -race: the race detector typically costs 5-10x the memory "
					   "and 2-20x the CPU (Go's race detector documentation)");
		result_remedy(r, "run the race detector in tests (go test -race), ship a binary built without it");
	} else {
		result_set(r, STATUS_PASS, "built without the race detector");
	}
}

CHECK_FN(check_go_cgo)
{
	const struct gobuild *b = &f->proc.gobuild;
	const char *cgo;

	if (!need_buildinfo(f, r))
		return;
	cgo = gobuild_setting(b, "CGO_ENABLED");
	ev_str(r, "cgo_enabled", cgo);
	if (cgo && !strcmp(cgo, "1"))
		result_set(r, STATUS_PASS, "CGO_ENABLED=1: each blocking C call holds an OS thread, and the "
					   "binary links libc dynamically");
	else if (cgo)
		result_set(r, STATUS_PASS, "CGO_ENABLED=%s: pure Go, static binary", cgo);
	else
		result_set(r, STATUS_SKIP, "the build info has no CGO_ENABLED setting (built before Go 1.18)");
}

CHECK_FN(check_go_vcs_modified)
{
	const struct gobuild *b = &f->proc.gobuild;
	const char *vcs, *mod, *rev;

	if (!need_buildinfo(f, r))
		return;
	vcs = gobuild_setting(b, "vcs");
	mod = gobuild_setting(b, "vcs.modified");
	rev = gobuild_setting(b, "vcs.revision");
	ev_str(r, "vcs", vcs);
	ev_str(r, "revision", rev);
	ev_str(r, "modified", mod);
	if (!mod) {
		result_set(r, STATUS_SKIP, "no VCS stamp in the build info (built outside a repository, with "
					   "-buildvcs=false, or before Go 1.18)");
		return;
	}
	if (!strcmp(mod, "true")) {
		result_set(r, STATUS_WARN, "built from a modified %s tree at %.12s: the binary matches no commit",
			   vcs ? vcs : "VCS", rev ? rev : "?");
		result_remedy(r, "build releases from a clean checkout (CI) so the revision identifies the code");
	} else {
		result_set(r, STATUS_PASS, "built from a clean %s tree at %.12s", vcs ? vcs : "VCS", rev ? rev : "?");
	}
}
