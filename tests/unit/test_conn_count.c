/* Unit tests for collect/conn_count.c on the test process itself: its
 * loopback connections counted as `ss` would list them (both ends are
 * ours), the owner of a listener found by its port, and the errors for a
 * process that is not there. Loopback only. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "collect/conn_count.h"

#define N_CONNS 5

static int listen_loopback(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int connect_loopback(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static uint64_t count_self(void)
{
	struct err e = { "" };
	uint64_t n = 0;
	int r = conn_count_established("", getpid(), NULL, &n, &e);

	if (r)
		fail_msg("conn_count_established: %s", e.msg);
	return n;
}

static void test_counts_own_connections(void **state)
{
	int lfd, client[N_CONNS], server[N_CONNS];
	uint16_t port;
	uint64_t before, with;

	(void)state;
	lfd = listen_loopback(&port);
	before = count_self();
	for (int i = 0; i < N_CONNS; i++) {
		client[i] = connect_loopback(port);
		server[i] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		assert_true(server[i] >= 0);
	}
	with = count_self();
	/* both ends of each connection are this process's */
	assert_int_equal(with - before, 2 * N_CONNS);
	/* a connection queued but not yet accepted is established too, and
	 * its client end is ours; the server end is in no fd yet */
	{
		int extra = connect_loopback(port);

		assert_int_equal(count_self(), with + 1);
		close(extra);
	}
	for (int i = 0; i < N_CONNS; i++) {
		close(client[i]);
		close(server[i]);
	}
	assert_int_equal(count_self(), before);
	close(lfd);
}

static void test_listener_owner(void **state)
{
	struct err e = { "" };
	uint16_t port;
	pid_t owner = 0;
	int lfd;

	(void)state;
	lfd = listen_loopback(&port);
	assert_int_equal(conn_listener_owner("", port, &owner, &e), 0);
	assert_int_equal(owner, getpid());
	close(lfd);
	/* nobody listens there any more */
	assert_int_equal(conn_listener_owner("", port, &owner, &e), -ESRCH);
	assert_non_null(strstr(e.msg, "no TCP listener"));
}

static void test_errors(void **state)
{
	struct err e = { "" };
	uint64_t n = 7;

	(void)state;
	/* above pid_max (2^22): never a process */
	assert_int_equal(conn_count_established("", 4194304 + 1, NULL, &n, &e), -ESRCH);
	assert_non_null(strstr(e.msg, "pid 4194305"));
	assert_int_equal(n, 7);
	/* a root with no /proc in it */
	assert_int_equal(conn_count_established("/nonexistent-root", getpid(), NULL, &n, &e), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_own_connections),
		cmocka_unit_test(test_listener_owner),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
