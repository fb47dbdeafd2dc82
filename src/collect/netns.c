#include "collect/netns.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* readlink of a namespace link: "net:[4026531833]". */
static int ns_id(const char *path, char *out, size_t n)
{
	ssize_t len = readlink(path, out, n - 1);

	if (len < 0)
		return -errno;
	out[len] = '\0';
	return 0;
}

void target_netns_describe(struct netns_facts *ret)
{
	switch (ret->whose) {
	case NETNS_TARGET:
		snprintf(ret->desc, sizeof(ret->desc), "target (%s)", ret->id);
		break;
	case NETNS_OWN:
		snprintf(ret->desc, sizeof(ret->desc), "host%s%s%s", ret->id[0] ? " (" : "", ret->id,
			 ret->id[0] ? ")" : "");
		break;
	case NETNS_UNKNOWN:
		break;   /* target_netns_open wrote why */
	}
}

int target_netns_open(const char *root, pid_t pid, struct netns *ns, struct netns_facts *ret)
{
	char path[64], mine[32];
	struct err e = { "" };
	int r;

	memset(ret, 0, sizeof(*ret));
	ns->fd = ns->home_fd = -1;
	ret->whose = NETNS_OWN;
	if ((root && root[0]) || pid <= 0) {
		target_netns_describe(ret);
		return 0;
	}
	if (ns_id("/proc/thread-self/ns/net", mine, sizeof(mine)) < 0)
		mine[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	r = ns_id(path, ret->id, sizeof(ret->id));
	if (r < 0 || !mine[0]) {
		/* Without ptrace access to the target the link is unreadable:
		 * what was read is ours, and the evidence says it may not be
		 * the target's. */
		ret->whose = NETNS_UNKNOWN;
		snprintf(ret->id, sizeof(ret->id), "%s", mine);
		if (r == -EACCES || r == -EPERM)
			fact_err_setf(&ret->unknown, r, "%s: %s %s", path, strerror(-r), PROC_PRIVILEGE_HINT);
		else if (r < 0)
			fact_err_setf(&ret->unknown, r, "%s: %s", path, strerror(-r));
		else
			fact_err_setf(&ret->unknown, -ENOENT, "/proc/thread-self/ns/net: unreadable");
		snprintf(ret->desc, sizeof(ret->desc), "host (%s); the target's is unknown: %s", mine[0] ? mine : "?",
			 ret->unknown.msg);
		return 0;
	}
	if (!strcmp(ret->id, mine)) {
		target_netns_describe(ret);
		return 0;
	}
	ret->whose = NETNS_TARGET;
	target_netns_describe(ret);
	r = netns_open(ns, path, &e);
	if (r < 0) {
		fact_err_set(&ret->err, r, &e);
		return r;
	}
	return 1;
}
