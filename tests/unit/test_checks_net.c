/* infra checks on the network, judged on hand-built facts: the TCP census,
 * TIME_WAIT and CLOSE_WAIT, listen queues, kernel settings and ephemeral
 * ports. Each threshold is tried on both sides of its boundary and exactly
 * on it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_checks.h"

/* ---- net.tcp-states ---- */

static const char *const state_keys[] = {
	"established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2", "time_wait",
	"close", "close_wait", "last_ack", "listen", "closing",
};

static void test_tcp_states_host_census(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* Distinct counts so a key mapped to the wrong state shows. */
	for (int s = 1; s < TCP_STATE_MAX; s++)
		t->f->tcp.states[s] = 1000 + (uint64_t)s;
	r = expect(t, "net.tcp-states", NULL, STATUS_PASS);
	for (int i = 0; i < 11; i++)
		assert_int_equal(ev_i(r, state_keys[i]), 1000 + i + 1);
	/* Exactly the eleven states: NEW_SYN_RECV is folded into syn_recv
	 * and there is no target object without a target. */
	assert_int_equal(json_object_size(r->evidence), 11);
	assert_contains(r->summary, "1001 established, 1006 time_wait, 1008 close_wait, 1010 listen");
}

static void test_tcp_states_target_census(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	json_t *tg;

	target_on(t->f);
	t->f->tcp.states[TCPS_ESTABLISHED] = 5000;
	t->f->tcp.states[TCPS_TIME_WAIT] = 3000;
	t->f->proc.tcp_states[TCPS_ESTABLISHED] = 40;
	t->f->proc.tcp_states[TCPS_CLOSE_WAIT] = 7;
	t->f->proc.tcp_states[TCPS_LISTEN] = 2;
	r = expect(t, "net.tcp-states", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "established"), 5000);
	assert_int_equal(ev_i(r, "time_wait"), 3000);
	tg = ev(r, "target");
	assert_int_equal(json_object_size(tg), 11);
	assert_int_equal(json_integer_value(json_object_get(tg, "established")), 40);
	assert_int_equal(json_integer_value(json_object_get(tg, "close_wait")), 7);
	assert_int_equal(json_integer_value(json_object_get(tg, "listen")), 2);
	assert_contains(r->summary, "pid 4242: 40 established, 7 close_wait, 2 listen");

	fact_err_setf(&t->f->tcp.err, -EPERM, "netlink sock_diag: Operation not permitted");
	r = expect(t, "net.tcp-states", NULL, STATUS_ERROR);
	assert_contains(r->summary, "Operation not permitted");
}

/* ---- net.timewait-ratio ---- */

static void tw(struct facts *f, uint64_t time_wait, uint64_t est)
{
	f->tcp.states[TCPS_TIME_WAIT] = time_wait;
	f->tcp.states[TCPS_ESTABLISHED] = est;
}

static void test_timewait_ratio_boundaries(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	t->f->sysctl.tcp_max_tw_buckets = (struct opt_i64){ true, 262144 };
	tw(t->f, 140, 1000);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "time_wait"), 140);
	assert_int_equal(ev_i(r, "established"), 1000);
	assert_near(ev_d(r, "ratio"), 0.14);
	assert_int_equal(ev_i(r, "tcp_max_tw_buckets"), 262144);
	tw(t->f, 150, 1000);
	expect(t, "net.timewait-ratio", NULL, STATUS_PASS);
	tw(t->f, 160, 1000);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_WARN);
	assert_contains(r->summary, "0.16");
	assert_contains(r->remedy, "keep-alive");
	expect(t, "net.timewait-ratio", "{\"warn\": 0.2}", STATUS_PASS);
}

static void test_timewait_near_buckets_fails(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	/* Plenty of ESTABLISHED, so only the bucket limit can fail it. */
	t->f->sysctl.tcp_max_tw_buckets = (struct opt_i64){ true, 10000 };
	tw(t->f, 8000, 1000000);
	expect(t, "net.timewait-ratio", NULL, STATUS_PASS);
	tw(t->f, 8001, 1000000);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_FAIL);
	assert_contains(r->summary, "tcp_max_tw_buckets=10000");
	assert_contains(r->summary, "skip TIME_WAIT");
	expect(t, "net.timewait-ratio", "{\"buckets_fail\": 0.9}", STATUS_PASS);
	/* Without the sysctl only the ratio is judged. */
	t->f->sysctl.tcp_max_tw_buckets.set = false;
	r = expect(t, "net.timewait-ratio", NULL, STATUS_PASS);
	assert_false(ev_has(r, "tcp_max_tw_buckets"));
}

static void test_timewait_no_established(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	tw(t->f, 0, 0);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_PASS);
	assert_true(ev_null(r, "ratio"));
	assert_string_equal(ev_s(r, "judged"), "host");
	tw(t->f, 120, 0);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_WARN);
	assert_true(ev_null(r, "ratio"));
	assert_contains(r->summary, "host-wide: 120 TIME_WAIT and no ESTABLISHED");
	assert_contains(r->remedy, "--pid");
	t->f->tcp.err.code = -EPERM;
	expect(t, "net.timewait-ratio", NULL, STATUS_ERROR);
}

/* A handful of TIME_WAIT sockets is no pressure whatever the ratio:
 * min_time_wait (100) on both sides. */
static void test_timewait_min_count(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	tw(t->f, 99, 10);                                           /* ratio 9.9 */
	r = expect(t, "net.timewait-ratio", NULL, STATUS_PASS);
	assert_contains(r->summary, "min_time_wait 100");
	tw(t->f, 100, 10);
	expect(t, "net.timewait-ratio", NULL, STATUS_WARN);
	tw(t->f, 99, 0);
	expect(t, "net.timewait-ratio", NULL, STATUS_PASS);
	expect(t, "net.timewait-ratio", "{\"min_time_wait\": 99}", STATUS_WARN);
	expect(t, "net.timewait-ratio", "{\"min_time_wait\": 0}", STATUS_WARN);
}

/* With a target the service is judged by the TIME_WAIT the census could
 * attribute to it, against its own ESTABLISHED connections; the host's
 * other TIME_WAIT sockets are evidence, not blame. */
static void tw_split(struct facts *f, uint64_t in, uint64_t out, uint64_t clients, uint64_t others, uint64_t un)
{
	f->tcp.tw_split = (struct tw_split){ true, in, out, clients, others, un };
	f->tcp.states[TCPS_TIME_WAIT] = in + out + clients + others + un;
}

static void test_timewait_split_by_owner(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	json_t *o;

	target_on(t->f);
	t->f->tcp.states[TCPS_ESTABLISHED] = 2000;
	t->f->proc.tcp_states[TCPS_ESTABLISHED] = 1000;
	/* 5000 TIME_WAIT on the host, 150 of them the service's: 0.15, not above. */
	tw_split(t->f, 100, 50, 10, 3000, 1840);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "judged"), "service");
	assert_int_equal(ev_i(r, "time_wait"), 5000);              /* host-wide keys stay host-wide */
	assert_near(ev_d(r, "ratio"), 2.5);
	assert_int_equal(ev_i(r, "service_time_wait"), 150);
	assert_int_equal(ev_i(r, "service_established"), 1000);
	assert_near(ev_d(r, "service_ratio"), 0.15);
	assert_string_equal(ev_s(r, "time_wait_split"), "service: 150, clients of the service on this host: 10, "
							 "other processes: 3000, unattributed: 1840");
	o = ev(r, "time_wait_owners");
	assert_int_equal(json_integer_value(json_object_get(o, "service_inbound")), 100);
	assert_int_equal(json_integer_value(json_object_get(o, "service_outbound")), 50);
	assert_int_equal(json_integer_value(json_object_get(o, "clients_of_service")), 10);
	assert_int_equal(json_integer_value(json_object_get(o, "other_servers")), 3000);
	assert_int_equal(json_integer_value(json_object_get(o, "unattributed")), 1840);
	assert_contains(r->summary, "service: TIME_WAIT/ESTABLISHED = 0.15 (150/1000)");
	assert_contains(r->summary, "host's 5000 TIME_WAIT by owner: service: 150");

	/* One more of the service's: above 0.15. */
	tw_split(t->f, 101, 50, 10, 3000, 1840);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_WARN);
	assert_contains(r->summary, "service: TIME_WAIT/ESTABLISHED = 0.15 (151/1000; warn above 0.15)");
	/* Mostly inbound: the service closes accepted connections first. */
	assert_contains(r->remedy, "closes accepted connections first");
	assert_contains(r->remedy, "keepalive");
	/* Mostly outbound: the pool knob and tcp_tw_reuse before the code change. */
	tw_split(t->f, 10, 141, 10, 3000, 1840);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_WARN);
	assert_contains(r->remedy, "outbound connections per request");
	assert_true(strstr(r->remedy, "tcp_tw_reuse=1") < strstr(r->remedy, "MaxIdleConnsPerHost"));

	/* The same host without the service's share: no blame. */
	tw_split(t->f, 0, 0, 10, 100000, 50000);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "service_time_wait"), 0);

	/* The service's share with no ESTABLISHED connection of its own. */
	t->f->proc.tcp_states[TCPS_ESTABLISHED] = 0;
	tw_split(t->f, 100, 0, 0, 0, 0);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_WARN);
	assert_true(ev_null(r, "service_ratio"));
	assert_contains(r->summary, "service: 100 TIME_WAIT and no ESTABLISHED");
	tw_split(t->f, 99, 0, 0, 0, 0);
	expect(t, "net.timewait-ratio", NULL, STATUS_PASS);
}

/* The bucket limit is the host's: it fails whoever holds the sockets, and
 * says it is host-wide; the service is named in the remedy only when it
 * holds most of them. */
static void test_timewait_buckets_host_wide_with_target(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	target_on(t->f);
	t->f->sysctl.tcp_max_tw_buckets = (struct opt_i64){ true, 10000 };
	t->f->tcp.states[TCPS_ESTABLISHED] = 1000000;
	t->f->proc.tcp_states[TCPS_ESTABLISHED] = 1000;
	tw_split(t->f, 0, 0, 0, 8000, 0);
	expect(t, "net.timewait-ratio", NULL, STATUS_PASS);
	tw_split(t->f, 0, 0, 0, 8001, 0);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_FAIL);
	assert_contains(r->summary, "host-wide: 8001 TIME_WAIT");
	assert_contains(r->summary, "other processes: 8001");
	assert_contains(r->remedy, "host-wide");
	assert_contains(r->remedy, "tcp_max_tw_buckets");
	tw_split(t->f, 8001, 0, 0, 0, 0);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_FAIL);
	assert_contains(r->remedy, "closes accepted connections first");
	/* Fails even when the pid's share is unknown: the limit is the host's. */
	t->f->tcp.tw_split.set = false;
	fact_err_setf(&t->f->proc.sockets_err, -EACCES, "sockets of pid 4242 unknown: cannot read /proc/4242/fd");
	expect(t, "net.timewait-ratio", NULL, STATUS_FAIL);
}

/* The pid's share could not be read: unknown, an error quoting why,
 * never the host's sockets blamed on it nor a pass. */
static void test_timewait_target_unknown(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	target_on(t->f);
	tw(t->f, 10, 1000);
	fact_err_setf(&t->f->proc.sockets_err, -EACCES,
		      "sockets of pid 4242 unknown (the census needs its socket inodes): cannot read /proc/4242/fd: "
		      "Permission denied " PROC_PRIVILEGE_HINT);
	r = expect(t, "net.timewait-ratio", NULL, STATUS_ERROR);
	assert_contains(r->summary, "TIME_WAIT of pid 4242 unknown");
	assert_contains(r->summary, "CAP_SYS_PTRACE");
	assert_int_equal(ev_i(r, "time_wait"), 10);
}

/* ---- net.close-wait ---- */

static void test_close_wait_boundaries(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	expect(t, "net.close-wait", NULL, STATUS_SKIP);             /* no target */
	target_on(t->f);
	t->f->tcp.states[TCPS_CLOSE_WAIT] = 500;                    /* other processes' */
	r = expect(t, "net.close-wait", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "close_wait"), 0);
	assert_int_equal(ev_i(r, "host_close_wait"), 500);
	t->f->proc.tcp_states[TCPS_CLOSE_WAIT] = 1;
	r = expect(t, "net.close-wait", NULL, STATUS_WARN);
	assert_contains(r->remedy, "Close");
	t->f->proc.tcp_states[TCPS_CLOSE_WAIT] = 100;
	expect(t, "net.close-wait", NULL, STATUS_WARN);
	t->f->proc.tcp_states[TCPS_CLOSE_WAIT] = 101;
	r = expect(t, "net.close-wait", NULL, STATUS_FAIL);
	assert_int_equal(ev_i(r, "close_wait"), 101);
	assert_contains(r->summary, "101 CLOSE_WAIT");
	expect(t, "net.close-wait", "{\"fail\": 1000}", STATUS_WARN);
	t->f->proc.tcp_states[TCPS_CLOSE_WAIT] = 3;
	expect(t, "net.close-wait", "{\"warn\": 5}", STATUS_PASS);
}

static void test_close_wait_errors(void **state)
{
	struct tc *t = *state;

	target_on(t->f);
	fact_err_setf(&t->f->proc.fd_err, -EACCES, "cannot read /proc/4242/fd: Permission denied");
	/* The message names the file the check needed, not another one. */
	fact_err_setf(&t->f->proc.exe_err, -EACCES, "cannot read /proc/4242/exe: Permission denied");
	assert_non_null(strstr(expect(t, "net.close-wait", NULL, STATUS_ERROR)->summary, "/proc/4242/fd"));
	t->f->proc.fd_err.code = 0;
	t->f->tcp.err.code = -EPERM;
	expect(t, "net.close-wait", NULL, STATUS_ERROR);
}

/* ---- net.listen-queue ---- */

static void listeners(struct facts *f, size_t n)
{
	target_on(f);
	f->proc.listeners = calloc(n, sizeof(*f->proc.listeners));
	assert_non_null(f->proc.listeners);
	f->proc.n_listeners = n;
}

static void listener(struct facts *f, size_t i, const char *addr, uint32_t queue, uint32_t backlog)
{
	snprintf(f->proc.listeners[i].addr, sizeof(f->proc.listeners[i].addr), "%s", addr);
	f->proc.listeners[i].sock.state = TCPS_LISTEN;
	f->proc.listeners[i].sock.rqueue = queue;
	f->proc.listeners[i].sock.wqueue = backlog;
}

static void test_listen_queue_backlog_and_queue(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	json_t *arr;

	t->f->sysctl.somaxconn = (struct opt_i64){ true, 4096 };
	listeners(t->f, 1);
	listener(t->f, 0, "0.0.0.0:8080", 0, 4096);
	r = expect(t, "net.listen-queue", NULL, STATUS_PASS);
	arr = ev(r, "listeners");
	assert_int_equal(json_array_size(arr), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "addr")), "0.0.0.0:8080");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "backlog")), 4096);
	assert_int_equal(ev_i(r, "somaxconn"), 4096);
	assert_false(ev_has(r, "listen_overflows_delta"));          /* not sampled */

	listener(t->f, 0, "0.0.0.0:8080", 2047, 4096);
	expect(t, "net.listen-queue", NULL, STATUS_PASS);
	listener(t->f, 0, "0.0.0.0:8080", 2048, 4096);              /* half full */
	expect(t, "net.listen-queue", NULL, STATUS_WARN);
	listener(t->f, 0, "0.0.0.0:8080", 4096, 4096);              /* full is not over */
	expect(t, "net.listen-queue", NULL, STATUS_WARN);
	listener(t->f, 0, "0.0.0.0:8080", 4097, 4096);
	r = expect(t, "net.listen-queue", NULL, STATUS_FAIL);
	assert_contains(r->summary, "accept queue is full");
	assert_contains(r->remedy, "somaxconn");
}

static void test_listen_queue_small_backlog(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	t->f->sysctl.somaxconn = (struct opt_i64){ true, 128 };
	listeners(t->f, 2);
	listener(t->f, 0, "127.0.0.1:6060", 0, 1024);
	listener(t->f, 1, "0.0.0.0:8080", 0, 128);
	r = expect(t, "net.listen-queue", NULL, STATUS_WARN);
	assert_contains(r->summary, "0.0.0.0:8080 listens with backlog 128");
	assert_contains(r->summary, "capped by net.core.somaxconn");
	assert_false(ev_has(r, "tcp_syncookies"));
	assert_null(strstr(r->summary, "syncookies"));             /* unknown: not claimed */
	assert_contains(r->remedy, "restart the service");
	expect(t, "net.listen-queue", "{\"min_backlog\": 128}", STATUS_PASS);
	/* What a small backlog means for the SYN queue depends on tcp_syncookies. */
	t->f->sysctl.tcp_syncookies = (struct opt_i64){ true, 1 };
	r = expect(t, "net.listen-queue", NULL, STATUS_WARN);
	assert_int_equal(ev_i(r, "tcp_syncookies"), 1);
	assert_contains(r->summary, "answers with cookies, but a full accept queue still drops");
	t->f->sysctl.tcp_syncookies.v = 0;
	r = expect(t, "net.listen-queue", NULL, STATUS_WARN);
	assert_contains(r->summary, "tcp_syncookies=0: a full SYN queue drops connection attempts too");
	/* A backlog below today's somaxconn is not "capped": the service asked
	 * for less, or somaxconn was raised after it started listening. */
	t->f->sysctl.somaxconn.v = 4096;
	r = expect(t, "net.listen-queue", NULL, STATUS_WARN);
	assert_contains(r->summary, "below net.core.somaxconn: the service passed a smaller listen() backlog, or "
				    "somaxconn was raised after it started listening");
	t->f->sysctl.somaxconn.v = 64;
	r = expect(t, "net.listen-queue", NULL, STATUS_WARN);
	assert_contains(r->summary, "above today's net.core.somaxconn");
	t->f->sysctl.somaxconn.v = 128;
	t->f->sysctl.tcp_syncookies.set = false;

	/* A full queue on one listener outranks a small backlog on another. */
	listener(t->f, 0, "127.0.0.1:6060", 1025, 1024);
	r = expect(t, "net.listen-queue", NULL, STATUS_FAIL);
	assert_contains(r->summary, "127.0.0.1:6060");
}

static void test_listen_queue_overflows_in_window(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	listeners(t->f, 1);
	listener(t->f, 0, "0.0.0.0:8080", 0, 4096);
	t->f->window_s = 2;
	t->f->netstat_before = (struct netstat_facts){ .set = true, .listen_overflows = 100, .listen_drops = 120 };
	t->f->netstat_after = (struct netstat_facts){ .set = true, .listen_overflows = 100, .listen_drops = 120 };
	r = expect(t, "net.listen-queue", NULL, STATUS_PASS);
	assert_int_equal(ev_i(r, "listen_overflows_delta"), 0);
	assert_contains(r->summary, "no listen overflows in the window");
	t->f->netstat_after.listen_overflows = 103;
	t->f->netstat_after.listen_drops = 123;
	r = expect(t, "net.listen-queue", NULL, STATUS_FAIL);
	assert_int_equal(ev_i(r, "listen_overflows_delta"), 3);
	assert_int_equal(ev_i(r, "listen_drops_delta"), 3);
	assert_near(ev_d(r, "window_s"), 2);
	/* Old overflows alone (the lifetime counter) never fail the check. */
	t->f->window_s = 0;
	expect(t, "net.listen-queue", NULL, STATUS_PASS);
}

static void test_listen_queue_no_listeners(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	expect(t, "net.listen-queue", NULL, STATUS_SKIP);
	target_on(t->f);
	r = expect(t, "net.listen-queue", NULL, STATUS_PASS);
	assert_contains(r->summary, "no TCP listeners");
}

/* No listeners seen because the census could not attribute sockets to the
 * pid is "unknown", an error naming the file and the privilege; the same
 * facts with the inodes read are a pass. */
static void test_listen_queue_unknown_listeners(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	target_on(t->f);
	expect(t, "net.listen-queue", NULL, STATUS_PASS);
	fact_err_setf(&t->f->proc.sockets_err, -EACCES, "sockets of pid 4242 unknown (the census needs its socket inodes): cannot read /proc/4242/fd: Permission denied " PROC_PRIVILEGE_HINT);
	r = expect(t, "net.listen-queue", NULL, STATUS_ERROR);
	assert_contains(r->summary, "listeners unknown");
	assert_contains(r->summary, "/proc/4242/fd: Permission denied");
	assert_contains(r->summary, "CAP_SYS_PTRACE");
	/* tcp-states still reports the host, and the pid as unknown, not zeros. */
	r = expect(t, "net.tcp-states", NULL, STATUS_PASS);
	assert_contains(r->summary, "pid 4242: unknown (");
	assert_true(ev_null(r, "target"));
	assert_contains(ev_s(r, "target_error"), "/proc/4242/fd");
}

/* ---- net.sysctl ---- */

static void good_sysctls(struct facts *f)
{
	f->sysctl.tcp_tw_reuse = (struct opt_i64){ true, 2 };
	f->sysctl.tcp_fin_timeout = (struct opt_i64){ true, 60 };
	f->sysctl.somaxconn = (struct opt_i64){ true, 4096 };
	f->sysctl.tcp_max_syn_backlog = (struct opt_i64){ true, 4096 };
	f->sysctl.tcp_syncookies = (struct opt_i64){ true, 1 };
	f->sysctl.port_lo = (struct opt_i64){ true, 32768 };
	f->sysctl.port_hi = (struct opt_i64){ true, 60999 };
}

static void test_sysctl_reported_with_advice(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	good_sysctls(t->f);
	r = expect(t, "net.sysctl", NULL, STATUS_PASS);
	assert_contains(r->summary, "tcp_max_syn_backlog=4096 tcp_syncookies=1 ");
	assert_int_equal(ev_i(r, "tcp_tw_reuse"), 2);
	assert_contains(ev_s(r, "tcp_tw_reuse_meaning"), "loopback");
	assert_int_equal(ev_i(r, "tcp_fin_timeout"), 60);
	assert_int_equal(ev_i(r, "somaxconn"), 4096);
	assert_int_equal(ev_i(r, "tcp_max_syn_backlog"), 4096);
	assert_string_equal(ev_s(r, "ip_local_port_range"), "32768-60999");
	/* Advice on tcp_tw_reuse, with the caveats, even on a pass. */
	assert_contains(r->remedy, "outgoing");
	assert_contains(r->remedy, "timestamps");
	assert_contains(r->remedy, "NAT");
	assert_contains(r->remedy, "tcp_tw_recycle");

	t->f->sysctl.tcp_tw_reuse.v = 1;
	r = expect(t, "net.sysctl", NULL, STATUS_PASS);
	assert_contains(ev_s(r, "tcp_tw_reuse_meaning"), "outgoing");
	assert_null(r->remedy);
	t->f->sysctl.tcp_tw_reuse.v = 0;
	r = expect(t, "net.sysctl", NULL, STATUS_PASS);
	assert_string_equal(ev_s(r, "tcp_tw_reuse_meaning"), "disabled");
}

static void test_sysctl_boundaries(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	good_sysctls(t->f);
	t->f->sysctl.somaxconn.v = 4095;
	t->f->sysctl.tcp_max_syn_backlog.v = 4095;
	r = expect(t, "net.sysctl", NULL, STATUS_WARN);
	assert_contains(r->summary, "somaxconn=4095 below 4096");
	expect(t, "net.sysctl", "{\"min_somaxconn\": 1024}", STATUS_PASS);

	/* tcp_max_syn_backlog is the kernel's only with tcp_syncookies=0. */
	good_sysctls(t->f);
	t->f->sysctl.tcp_max_syn_backlog.v = 128;                   /* far below somaxconn */
	r = expect(t, "net.sysctl", NULL, STATUS_PASS);             /* cookies: nothing dropped */
	assert_int_equal(ev_i(r, "tcp_syncookies"), 1);
	assert_contains(ev_s(r, "tcp_syncookies_meaning"), "not used");
	t->f->sysctl.tcp_syncookies.v = 2;
	r = expect(t, "net.sysctl", NULL, STATUS_PASS);
	assert_contains(r->remedy, "tcp_syncookies=2");
	assert_contains(ev_s(r, "tcp_syncookies_meaning"), "always");
	t->f->sysctl.tcp_syncookies.v = 0;
	r = expect(t, "net.sysctl", NULL, STATUS_WARN);
	assert_contains(r->summary, "tcp_syncookies=0 and tcp_max_syn_backlog=128");
	assert_contains(r->summary, "dropped past 96 half-open connections, below somaxconn=4096");
	assert_contains(r->remedy, "tcp_syncookies=1");
	assert_contains(r->remedy, "at least 5461");
	/* Without cookies the drop point is 3/4 of tcp_max_syn_backlog: 5462
	 * gives 5462 - 1365 = 4097 >= 4096; 5460 gives 4095. */
	t->f->sysctl.tcp_max_syn_backlog.v = 5462;
	r = expect(t, "net.sysctl", NULL, STATUS_PASS);
	assert_contains(r->remedy, "tcp_syncookies=0");              /* still advised */
	t->f->sysctl.tcp_max_syn_backlog.v = 5461;                  /* 5461 - 1365 = 4096: not below */
	expect(t, "net.sysctl", NULL, STATUS_PASS);
	t->f->sysctl.tcp_max_syn_backlog.v = 5460;                  /* 5460 - 1365 = 4095 */
	expect(t, "net.sysctl", NULL, STATUS_WARN);
	/* Unreadable is judged as 0 (a kernel without CONFIG_SYN_COOKIES has none), and said. */
	t->f->sysctl.tcp_syncookies.set = false;
	r = expect(t, "net.sysctl", NULL, STATUS_WARN);
	assert_contains(r->summary, "tcp_syncookies unreadable (judged as 0)");
	assert_true(ev_null(r, "tcp_syncookies"));
	t->f->sysctl.tcp_max_syn_backlog.v = 5461;
	expect(t, "net.sysctl", NULL, STATUS_PASS);

	good_sysctls(t->f);
	t->f->sysctl.port_lo.v = 49152;
	t->f->sysctl.port_hi.v = 65535;                             /* 16384 ports */
	expect(t, "net.sysctl", NULL, STATUS_PASS);
	t->f->sysctl.port_lo.v = 49153;                             /* 16383 ports */
	r = expect(t, "net.sysctl", NULL, STATUS_WARN);
	assert_contains(r->summary, "only 16383 ephemeral ports");

	good_sysctls(t->f);
	t->f->sysctl.tcp_fin_timeout.v = 61;
	r = expect(t, "net.sysctl", NULL, STATUS_WARN);
	assert_contains(r->summary, "tcp_fin_timeout=61");
	expect(t, "net.sysctl", "{\"max_fin_timeout\": 120}", STATUS_PASS);
}

/* An unreadable value is not judged: with nothing else wrong the check
 * skips naming it (never "somaxconn=0 ... ports=0-0" as a pass); a problem
 * among the values that were read still warns. */
static void test_sysctl_unreadable(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	r = expect(t, "net.sysctl", NULL, STATUS_SKIP);          /* nothing readable */
	assert_contains(r->summary, "could not read net.core.somaxconn, net.ipv4.tcp_max_syn_backlog, "
				    "net.ipv4.tcp_tw_reuse, net.ipv4.tcp_fin_timeout, net.ipv4.ip_local_port_range");
	assert_null(strstr(r->summary, "=0"));
	good_sysctls(t->f);
	r = expect(t, "net.sysctl", NULL, STATUS_PASS);          /* all read: judged */
	assert_false(ev_has(r, "unreadable"));
	t->f->sysctl.port_hi.set = false;
	r = expect(t, "net.sysctl", NULL, STATUS_SKIP);          /* one missing */
	assert_string_equal(ev_s(r, "unreadable"), "net.ipv4.ip_local_port_range");
	t->f->sysctl.somaxconn.v = 100;
	r = expect(t, "net.sysctl", NULL, STATUS_WARN);          /* what was read is still judged */
	assert_contains(r->summary, "somaxconn=100");
}

/* ---- net.ephemeral-ports ---- */

static void test_ephemeral_ports_boundaries(void **state)
{
	struct tc *t = *state;
	struct check_result *r;
	static const struct {
		uint64_t conns;
		enum pf_status want;
	} cases[] = {
		{ 4900, STATUS_PASS }, { 5000, STATUS_PASS }, { 5001, STATUS_WARN }, { 5100, STATUS_WARN },
		{ 8000, STATUS_WARN }, { 8001, STATUS_FAIL }, { 8100, STATUS_FAIL },
	};

	/* 10000 ports: 0.49 / 0.51 / 0.81 of the range. */
	t->f->sysctl.port_lo = (struct opt_i64){ true, 10000 };
	t->f->sysctl.port_hi = (struct opt_i64){ true, 19999 };
	snprintf(t->f->tcp.busiest_dst, sizeof(t->f->tcp.busiest_dst), "10.0.0.1 -> 10.0.0.5:5432");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t->f->tcp.busiest_count = cases[i].conns;
		r = expect(t, "net.ephemeral-ports", NULL, cases[i].want);
		assert_int_equal(ev_i(r, "connections"), cases[i].conns);
		assert_int_equal(ev_i(r, "range_width"), 10000);
		assert_near(ev_d(r, "ratio"), cases[i].conns / 10000.0);
		assert_string_equal(ev_s(r, "busiest_destination"), "10.0.0.1 -> 10.0.0.5:5432");
	}
	r = expect(t, "net.ephemeral-ports", "{\"fail\": 0.9}", STATUS_WARN);
	assert_contains(r->remedy, "ip_local_port_range");
}

static void test_ephemeral_ports_idle_and_errors(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	expect(t, "net.ephemeral-ports", NULL, STATUS_SKIP);        /* no port range */
	t->f->sysctl.port_lo = (struct opt_i64){ true, 32768 };
	t->f->sysctl.port_hi = (struct opt_i64){ true, 60999 };
	r = expect(t, "net.ephemeral-ports", NULL, STATUS_PASS);
	assert_true(ev_null(r, "busiest_destination"));
	assert_int_equal(ev_i(r, "range_width"), 28232);
	t->f->tcp.err.code = -EPERM;
	expect(t, "net.ephemeral-ports", NULL, STATUS_ERROR);
}

/* ---- the network namespace read ---- */

/* A target's namespace that could not be entered: the net.* sysctls read
 * would be ours, so net.sysctl is an error naming it, whatever ours say. */
static void test_sysctl_namespace_not_entered(void **state)
{
	struct tc *t = *state;
	struct check_result *r;

	good_sysctls(t->f);
	expect(t, "net.sysctl", NULL, STATUS_PASS);
	fact_err_setf(&t->f->sysctl.net_err, -EPERM, "/proc/4242/ns/net: Operation not permitted (needs CAP_SYS_ADMIN)");
	r = expect(t, "net.sysctl", NULL, STATUS_ERROR);
	assert_string_equal(r->summary, "could not read the target's net.* sysctls: /proc/4242/ns/net: Operation not "
					"permitted (needs CAP_SYS_ADMIN)");
	assert_false(ev_has(r, "somaxconn"));
}

/* With a target, the per-namespace checks say whose namespace was read;
 * host-wide ones and runs without a target do not. */
static void test_netns_evidence(void **state)
{
	struct tc *t = *state;
	static const char *const per_ns[] = { "net.tcp-states", "net.timewait-ratio", "net.sysctl",
					      "net.ephemeral-ports" };
	struct check_result *r;

	good_sysctls(t->f);
	snprintf(t->f->netns.desc, sizeof(t->f->netns.desc), "target (net:[4026532281])");
	t->f->netns.whose = NETNS_TARGET;
	for (size_t i = 0; i < sizeof(per_ns) / sizeof(per_ns[0]); i++) {
		r = tc_run(t, per_ns[i], NULL);
		assert_false(ev_has(r, "netns"));          /* no target: no evidence */
	}
	target_on(t->f);
	for (size_t i = 0; i < sizeof(per_ns) / sizeof(per_ns[0]); i++) {
		r = tc_run(t, per_ns[i], NULL);
		assert_string_equal(ev_s(r, "netns"), "target (net:[4026532281])");
	}
	r = tc_run(t, "fd.system", NULL);
	assert_false(ev_has(r, "netns"));
	r = tc_run(t, "clock.source", NULL);
	assert_false(ev_has(r, "netns"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TC(test_sysctl_namespace_not_entered),
		TC(test_netns_evidence),
		TC(test_tcp_states_host_census),
		TC(test_tcp_states_target_census),
		TC(test_timewait_ratio_boundaries),
		TC(test_timewait_near_buckets_fails),
		TC(test_timewait_no_established),
		TC(test_timewait_min_count),
		TC(test_timewait_split_by_owner),
		TC(test_timewait_buckets_host_wide_with_target),
		TC(test_timewait_target_unknown),
		TC(test_close_wait_boundaries),
		TC(test_close_wait_errors),
		TC(test_listen_queue_backlog_and_queue),
		TC(test_listen_queue_small_backlog),
		TC(test_listen_queue_overflows_in_window),
		TC(test_listen_queue_no_listeners),
		TC(test_listen_queue_unknown_listeners),
		TC(test_sysctl_reported_with_advice),
		TC(test_sysctl_boundaries),
		TC(test_sysctl_unreadable),
		TC(test_ephemeral_ports_boundaries),
		TC(test_ephemeral_ports_idle_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
