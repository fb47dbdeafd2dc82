/* The target's network namespace: telling it from ours, and making
 * sockets and opening sysctls in it (collect/netns.h, io/netns.h). The
 * parts that need another namespace create one in a child (root only;
 * skipped otherwise); t0220 runs a whole check against one. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "collect/netns.h"
#include "collect/sockdiag.h"
#include "collect/sysctl.h"
#include "io/netns.h"

static void test_own_namespace(void **state)
{
	struct netns ns;
	struct netns_facts nf;
	char mine[64];
	ssize_t n;

	(void)state;
	n = readlink("/proc/self/ns/net", mine, sizeof(mine) - 1);
	assert_true(n > 0);
	mine[n] = '\0';
	assert_int_equal(target_netns_open("", getpid(), &ns, &nf), 0);
	assert_int_equal(nf.whose, NETNS_OWN);
	assert_string_equal(nf.id, mine);
	assert_int_equal(ns.fd, -1);
	assert_false(fact_err_failed(&nf.err));
	assert_int_equal(strncmp(nf.desc, "host (net:[", 11), 0);
	netns_close(&ns);   /* closing what was never opened is fine */

	/* A fixture tree has no namespaces; neither has "no target". */
	assert_int_equal(target_netns_open("/nonexistent-root", 7, &ns, &nf), 0);
	assert_int_equal(nf.whose, NETNS_OWN);
	assert_string_equal(nf.desc, "host");
	assert_int_equal(target_netns_open("", 0, &ns, &nf), 0);
	assert_int_equal(nf.whose, NETNS_OWN);
}

/* A link that cannot be read: ours is read, and the evidence says the
 * target's is unknown and why. */
static void test_unknown_namespace(void **state)
{
	struct netns ns;
	struct netns_facts nf;
	pid_t gone = 0x3ffffff0;   /* above any pid_max */

	(void)state;
	assert_int_equal(target_netns_open("", gone, &ns, &nf), 0);
	assert_int_equal(nf.whose, NETNS_UNKNOWN);
	assert_int_equal(nf.unknown.code, -ENOENT);
	assert_non_null(strstr(nf.unknown.msg, "/proc/1073741808/ns/net: No such file or directory"));
	assert_non_null(strstr(nf.desc, "the target's is unknown: /proc/1073741808/ns/net"));
	assert_false(fact_err_failed(&nf.err));
}

static void test_open_errors(void **state)
{
	struct netns ns;
	struct err e = { "" };

	(void)state;
	assert_int_equal(netns_open(&ns, "/nonexistent/ns/net", &e), -ENOENT);
	assert_string_equal(e.msg, "/nonexistent/ns/net: No such file or directory");
	assert_int_equal(ns.fd, -1);
	/* Not a namespace: setns refuses it. */
	assert_int_equal(netns_open(&ns, "/dev/null", &e), -EINVAL);
	assert_int_equal(ns.fd, -1);
	assert_int_equal(ns.home_fd, -1);
}

/* A child in a fresh network namespace (lo down), until we kill it. */
static pid_t spawn_in_new_netns(void)
{
	int p[2];
	char c = 0;
	pid_t pid;

	if (geteuid() != 0 || pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		c = unshare(CLONE_NEWNET) == 0 ? 'y' : 'n';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		close(p[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1 || c != 'y') {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		pid = -1;
	}
	close(p[0]);
	return pid;
}

static int bind_loopback(int fd, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	return bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ? -errno : 0;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t n = sizeof(a);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
	return ntohs(a.sin_port);
}

static int count_all(const struct sock_entry *s, void *arg)
{
	(void)s;
	(*(size_t *)arg)++;
	return 0;
}

static pid_t child = -1;

static int kill_child(void **state)
{
	(void)state;
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	child = -1;
	return 0;
}

static void test_other_namespace(void **state)
{
	struct netns ns;
	struct netns_facts nf;
	struct sockdiag_source src = { 0 };
	struct sysctl_facts in_ns, ours;
	struct err e = { "" };
	size_t n_there = 0, n_here = 0;
	int fd, here;
	uint16_t port;

	(void)state;
	child = spawn_in_new_netns();
	if (child < 0) {
		print_message("cannot create a network namespace here (not root?): skipped\n");
		skip();
	}
	assert_int_equal(target_netns_open("", child, &ns, &nf), 1);
	assert_int_equal(nf.whose, NETNS_TARGET);
	assert_int_equal(strncmp(nf.desc, "target (net:[", 13), 0);
	assert_true(ns.fd >= 0);

	/* A listener of ours on 127.0.0.1:port... */
	here = netns_socket(NULL, AF_INET, SOCK_STREAM, 0, &e);
	assert_true(here >= 0);
	assert_int_equal(bind_loopback(here, 0), 0);
	assert_int_equal(listen(here, 1), 0);
	port = local_port(here);
	/* ...and a socket made there binds the same address: it lives in
	 * another namespace. One made here cannot. */
	fd = netns_socket(&ns, AF_INET, SOCK_STREAM, 0, &e);
	assert_true(fd >= 0);
	assert_int_equal(bind_loopback(fd, port), 0);
	close(fd);
	fd = netns_socket(NULL, AF_INET, SOCK_STREAM, 0, &e);
	assert_true(fd >= 0);
	assert_int_equal(bind_loopback(fd, port), -EADDRINUSE);
	close(fd);

	/* The census there sees none of our sockets, the listener above
	 * included; ours sees it. */
	src.netns = &ns;
	assert_int_equal(sockdiag_dump_from(&src, ~0u, count_all, &n_there, &e), 0);
	assert_int_equal(n_there, 0);
	assert_int_equal(sockdiag_dump(~0u, count_all, &n_here, &e), 0);
	assert_true(n_here >= 1);
	close(here);

	/* The sysctls are read there too; fs.* stay host-wide. */
	assert_int_equal(sysctl_collect_in("", &ns, &in_ns), 0);
	assert_true(in_ns.somaxconn.set);
	assert_true(in_ns.port_lo.set);
	assert_int_equal(sysctl_collect("", &ours), 0);
	assert_int_equal(in_ns.file_max.v, ours.file_max.v);

	netns_close(&ns);
	assert_int_equal(ns.fd, -1);
	netns_close(&ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_namespace),
		cmocka_unit_test(test_unknown_namespace),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_teardown(test_other_namespace, kill_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
