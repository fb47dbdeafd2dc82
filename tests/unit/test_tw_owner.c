/* tw_owner: TIME_WAIT sockets attributed by their addresses, one class per
 * rule of collect/tw_owner.h, each with the case next to it that must not
 * match, on sockets built the way the census reports them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "collect/tw_owner.h"

/* "a.b.c.d" or "v6" addresses, family from the text. */
static struct sock_entry sock(int state, const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct sock_entry s = { .state = (uint8_t)state, .sport = sport, .dport = dport };
	bool v6 = strchr(src, ':') != NULL;

	s.family = v6 ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(s.family, src, s.src), 1);
	assert_int_equal(inet_pton(s.family, dst, s.dst), 1);
	return s;
}

struct world {
	struct tw_census c;
	struct tw_split split;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	*state = w;
	return w ? 0 : -1;
}

static int teardown(void **state)
{
	struct world *w = *state;

	tw_census_release(&w->c);
	free(w);
	return 0;
}

static void note(struct world *w, int st, const char *src, uint16_t sp, const char *dst, uint16_t dp, bool target)
{
	struct sock_entry s = sock(st, src, sp, dst, dp);

	assert_int_equal(tw_census_note(&w->c, &s, target), 0);
}

static const struct opt_i64 lo = { true, 32768 }, hi = { true, 60999 };

static void split(struct world *w)
{
	tw_census_split(&w->c, &lo, &hi, &w->split);
	assert_true(w->split.set);
}

/* The service listens on 0.0.0.0:8080 and closed accepted connections
 * first: their TIME_WAIT has local port 8080. Another process's listener
 * on :9090 did the same. Order of the dump does not matter: the
 * TIME_WAIT sockets come before the listeners here. */
static void test_inbound_service_and_other_servers(void **state)
{
	struct world *w = *state;

	note(w, TCPS_TIME_WAIT, "10.0.0.5", 8080, "10.0.0.9", 40001, false);
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 8080, "10.0.0.9", 40002, false);
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 9090, "10.0.0.9", 40003, false);
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 8081, "10.0.0.9", 40004, false);   /* no listener: unattributed */
	note(w, TCPS_LISTEN, "0.0.0.0", 8080, "0.0.0.0", 0, true);
	note(w, TCPS_LISTEN, "0.0.0.0", 9090, "0.0.0.0", 0, false);
	split(w);
	assert_int_equal(w->split.service_inbound, 2);
	assert_int_equal(w->split.other_servers, 1);
	assert_int_equal(w->split.unattributed, 1);
	assert_int_equal(w->split.service_outbound, 0);
	assert_int_equal(w->split.clients_of_service, 0);
}

/* A specific listener address matches only itself; 0.0.0.0 takes IPv4
 * and IPv4-mapped sockets but not IPv6; [::] takes both. */
static void test_listener_addresses(void **state)
{
	struct world *w = *state;

	note(w, TCPS_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0, true);
	note(w, TCPS_LISTEN, "0.0.0.0", 7070, "0.0.0.0", 0, true);
	note(w, TCPS_LISTEN, "::", 6060, "::", 0, true);
	note(w, TCPS_TIME_WAIT, "127.0.0.1", 8080, "127.0.0.1", 50000, false);  /* service */
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 8080, "10.0.0.9", 50001, false);    /* other address: not */
	note(w, TCPS_TIME_WAIT, "::ffff:10.0.0.5", 7070, "::ffff:10.0.0.9", 50002, false); /* mapped: service */
	note(w, TCPS_TIME_WAIT, "2001:db8::5", 7070, "2001:db8::9", 50003, false); /* v6 on 0.0.0.0: not */
	note(w, TCPS_TIME_WAIT, "2001:db8::5", 6060, "2001:db8::9", 50004, false); /* [::]: service */
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 6060, "10.0.0.9", 50005, false);    /* [::] takes v4 too */
	split(w);
	assert_int_equal(w->split.service_inbound, 4);
	assert_int_equal(w->split.unattributed, 2);
}

/* Outbound: the service holds ESTABLISHED connections to a database at
 * 10.0.0.7:5432; TIME_WAIT sockets from an ephemeral port to it are
 * probably the service's. One to another port of the same host, one from a
 * port outside ip_local_port_range, and one to a destination only
 * reached through an accepted connection are not. */
static void test_outbound_probable(void **state)
{
	struct world *w = *state;

	note(w, TCPS_LISTEN, "0.0.0.0", 8080, "0.0.0.0", 0, true);
	note(w, TCPS_ESTABLISHED, "10.0.0.5", 40100, "10.0.0.7", 5432, true);    /* outbound */
	note(w, TCPS_ESTABLISHED, "10.0.0.5", 8080, "10.0.0.9", 41000, true);    /* accepted */
	note(w, TCPS_ESTABLISHED, "10.0.0.5", 40200, "10.0.0.8", 6379, false);   /* another process */
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 40101, "10.0.0.7", 5432, false);     /* service, probably */
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 32768, "10.0.0.7", 5432, false);     /* range start: in */
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 60999, "10.0.0.7", 5432, false);     /* range end: in */
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 32767, "10.0.0.7", 5432, false);     /* below the range */
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 61000, "10.0.0.7", 5432, false);     /* above it */
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 40102, "10.0.0.7", 5433, false);     /* another port */
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 40103, "10.0.0.8", 6379, false);     /* not the target's */
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 40104, "10.0.0.9", 41000, false);    /* the accepted peer */
	split(w);
	assert_int_equal(w->split.service_outbound, 3);
	assert_int_equal(w->split.unattributed, 5);
	/* Without the port range, the destination alone decides. */
	tw_census_split(&w->c, &(struct opt_i64){ false, 0 }, &hi, &w->split);
	assert_int_equal(w->split.service_outbound, 5);
	assert_int_equal(w->split.unattributed, 3);
}

/* Clients of the service on this host closed first: the remote end is
 * the target's listener and the remote address is this host's (loopback,
 * or an address some socket is bound to). The same port on another host
 * is not the service. */
static void test_clients_of_service(void **state)
{
	struct world *w = *state;

	note(w, TCPS_LISTEN, "0.0.0.0", 8080, "0.0.0.0", 0, true);
	note(w, TCPS_ESTABLISHED, "10.0.0.5", 8080, "10.0.0.9", 41000, true);    /* makes 10.0.0.5 local */
	note(w, TCPS_TIME_WAIT, "127.0.0.1", 45000, "127.0.0.1", 8080, false);
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 45001, "10.0.0.5", 8080, false);
	note(w, TCPS_TIME_WAIT, "::1", 45002, "::1", 8080, false);              /* v6 loopback to 0.0.0.0: not */
	note(w, TCPS_TIME_WAIT, "10.0.0.5", 45003, "10.0.0.77", 8080, false);   /* another host */
	split(w);
	assert_int_equal(w->split.clients_of_service, 2);
	assert_int_equal(w->split.unattributed, 2);
	assert_int_equal(w->split.service_inbound + w->split.service_outbound, 0);
}

/* A service that calls its own listener holds ESTABLISHED connections to
 * it: its TIME_WAIT to that listener is then its own (outbound) before it
 * is "a client on this host". */
static void test_self_client(void **state)
{
	struct world *w = *state;

	note(w, TCPS_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0, true);
	note(w, TCPS_ESTABLISHED, "127.0.0.1", 40000, "127.0.0.1", 8080, true);
	note(w, TCPS_ESTABLISHED, "127.0.0.1", 8080, "127.0.0.1", 40000, true);
	note(w, TCPS_TIME_WAIT, "127.0.0.1", 40001, "127.0.0.1", 8080, false);
	split(w);
	assert_int_equal(w->split.service_outbound, 1);
	assert_int_equal(w->split.clients_of_service, 0);
}

/* Nothing noted: a split of zeros, and it still says it was made. */
static void test_empty(void **state)
{
	struct world *w = *state;

	split(w);
	assert_int_equal(w->split.service_inbound + w->split.service_outbound + w->split.clients_of_service +
				 w->split.other_servers + w->split.unattributed,
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inbound_service_and_other_servers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbound_probable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clients_of_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_self_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
