/* verify_items: exec items (exit codes, timeouts that end within bounded
 * time and leave no zombie and no orphan, the output cap, a command that
 * cannot start, max_parallel), http items against a real server on
 * 127.0.0.1 (status, body match, method/body/headers, redirects not
 * followed, the 1 MiB cap, timeouts, refused), the promql judge on real
 * Prometheus answers (tests/fixtures/promql) and promql items end to end
 * against a server serving them, and check items (the mapping of check
 * statuses, target checks without a target). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/err.h"
#include "base/utf8.h"
#include "check/check.h"
#include "config/checklist.h"
#include "verify/promql.h"
#include "verify/verify.h"
#include "verify/verify_run.h"

/* ---- recording what verify_items reports --------------------------------- */

#define MAX_ITEMS 64

struct rec {
	int running, max_running;
	size_t n_start, n_done;
	size_t start_order[MAX_ITEMS], done_order[MAX_ITEMS];
	bool started[MAX_ITEMS], done[MAX_ITEMS];
	enum item_status status[MAX_ITEMS];
	char summary[MAX_ITEMS][512];
	json_t *ev[MAX_ITEMS];
	int64_t duration_ms[MAX_ITEMS];
};

static void on_start(void *arg, size_t i)
{
	struct rec *r = arg;

	assert_true(i < MAX_ITEMS);
	assert_false(r->started[i]);
	r->started[i] = true;
	r->start_order[r->n_start++] = i;
	if (++r->running > r->max_running)
		r->max_running = r->running;
}

static void on_done(void *arg, size_t i, const struct verify_result *res)
{
	struct rec *r = arg;

	assert_true(i < MAX_ITEMS);
	assert_true(r->started[i]);
	assert_false(r->done[i]);
	r->done[i] = true;
	r->done_order[r->n_done++] = i;
	r->running--;
	r->status[i] = res->status;
	snprintf(r->summary[i], sizeof(r->summary[i]), "%s", res->summary);
	assert_non_null(res->evidence);
	r->ev[i] = json_incref(res->evidence);
	r->duration_ms[i] = res->duration_ms;
	assert_true(res->started_ms > 0);
	assert_true(res->duration_ms >= 0);
}

static void rec_release(struct rec *r)
{
	for (size_t i = 0; i < MAX_ITEMS; i++)
		json_decref(r->ev[i]);
}

/* Runs every item of cl; asserts each automatic one started and ended once. */
static void run_all(struct checklist *cl, struct rec *rec, unsigned parallel, const struct verify_target *t)
{
	size_t idx[MAX_ITEMS];
	struct verify_opts o = { .max_parallel = parallel, .on_start = on_start, .on_done = on_done, .arg = rec };
	struct err e = { "" };
	size_t autos = 0;

	memset(rec, 0, sizeof(*rec));
	if (t)
		o.target = *t;
	for (size_t i = 0; i < cl->n_items; i++) {
		idx[i] = i;
		autos += cl->items[i].verify != VERIFY_MANUAL;
	}
	assert_int_equal(verify_items(cl, idx, cl->n_items, &o, &e), 0);
	assert_int_equal(rec->n_start, autos);
	assert_int_equal(rec->n_done, autos);
	assert_int_equal(rec->running, 0);
}

static const char *jev_str(json_t *ev, const char *key)
{
	json_t *v = json_object_get(ev, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_int_t jev_int(json_t *ev, const char *key)
{
	json_t *v = json_object_get(ev, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* No child of ours is left, running or a zombie. */
static void assert_no_children(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* The process is gone (or a zombie of someone else's, already dead), within 5 s. */
static bool process_gone(pid_t pid)
{
	for (int i = 0; i < 500; i++) {
		char path[64], buf[512];
		FILE *f;
		char *p;

		if (kill(pid, 0) < 0 && errno == ESRCH)
			return true;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		if (!f)
			return true;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		p = p ? strrchr(buf, ')') : NULL;
		if (p && p[1] == ' ' && p[2] == 'Z')
			return true;
		usleep(10000);
	}
	return false;
}

static char scratch[] = "/tmp/test_verify.XXXXXX";

/* ---- exec ---------------------------------------------------------------- */

static struct checklist_item exec_item(char **argv, double timeout_s, int expect, size_t cap)
{
	struct checklist_item it = { .id = "x", .verify = VERIFY_EXEC };

	it.exec.argv = argv;
	it.exec.timeout_s = timeout_s;
	it.exec.expect_exit = expect;
	it.exec.output_cap = cap;
	return it;
}

/* The summary goes into the store as text: a long line of multibyte
 * characters is cut between characters, and bytes that are not UTF-8
 * become '?' (PostgreSQL refused the event otherwise). */
static void test_exec_summary_is_utf8(void **state)
{
	char *zh[] = { "/bin/sh", "-c", "i=0; while [ $i -lt 80 ]; do printf '\346\225\260'; i=$((i+1)); done; exit 1",
		       NULL };
	char *bad[] = { "/bin/sh", "-c", "printf 'bad \377\376 byte\n'; exit 1", NULL };
	struct checklist_item items[] = { exec_item(zh, 5, 0, 4096), exec_item(bad, 5, 0, 4096) };
	struct checklist cl = { .items = items, .n_items = 2, .max_parallel = 2 };
	struct rec rec;

	(void)state;
	run_all(&cl, &rec, 0, NULL);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rec.status[i], ITEM_FAIL);
		assert_true(utf8_valid(rec.summary[i], strlen(rec.summary[i])));
	}
	assert_non_null(strstr(rec.summary[0], "\346\225\260"));
	assert_non_null(strstr(rec.summary[1], ": bad ?? byte"));
	rec_release(&rec);
}

/* Whatever cut the summary ("%.4s", the buffer's end), it stays UTF-8. */
static void test_job_summary_cut_stays_utf8(void **state)
{
	struct verify_job j = { 0 };

	(void)state;
	verify_job_set(&j, ITEM_FAIL, "body lacks \"%.4s\"", "\346\225\260\346\215\256");
	assert_true(utf8_valid(j.res.summary, strlen(j.res.summary)));
	assert_string_equal(j.res.summary, "body lacks \"\346\225\260?\"");
}

static void test_exec_pass_fail(void **state)
{
	char *t[] = { "true", NULL };
	char *boom[] = { "/bin/sh", "-c", "echo; echo boom; echo more >&2; exit 3", NULL };
	char *sig[] = { "/bin/sh", "-c", "kill -SEGV $$", NULL };
	char *nf[] = { "/bin/sh", "-c", "no-such-command-here 2>/dev/null", NULL };
	char *cat[] = { "cat", NULL };
	struct checklist_item items[] = {
		exec_item(t, 5, 0, 4096),
		exec_item(boom, 5, 0, 4096),
		exec_item(boom, 5, 3, 4096),
		exec_item(sig, 5, 0, 4096),
		exec_item(nf, 5, 0, 4096),
		exec_item(cat, 5, 0, 4096),   /* stdin is /dev/null: ends at once */
		{ .id = "m", .verify = VERIFY_MANUAL },
	};
	struct checklist cl = { .items = items, .n_items = 7, .max_parallel = 8 };
	struct rec rec;
	json_t *cmd;

	(void)state;
	run_all(&cl, &rec, 0, NULL);
	assert_false(rec.started[6]);   /* manual items are not run */

	assert_int_equal(rec.status[0], ITEM_PASS);
	assert_true(!strncmp(rec.summary[0], "exit 0 in ", 10));
	assert_int_equal(jev_int(rec.ev[0], "exit_code"), 0);
	assert_true(json_is_false(json_object_get(rec.ev[0], "timed_out")));
	cmd = json_object_get(rec.ev[0], "command");
	assert_true(json_is_array(cmd) && json_array_size(cmd) == 1);
	assert_string_equal(json_string_value(json_array_get(cmd, 0)), "true");

	/* stdout and stderr in one stream, in order; the first line with
	 * something on it in the summary */
	assert_int_equal(rec.status[1], ITEM_FAIL);
	assert_true(!strncmp(rec.summary[1], "exit 3, want 0, after ", 22));
	assert_non_null(strstr(rec.summary[1], ": boom"));
	assert_string_equal(jev_str(rec.ev[1], "output"), "\nboom\nmore\n");
	assert_true(json_is_false(json_object_get(rec.ev[1], "output_truncated")));
	assert_int_equal(jev_int(rec.ev[1], "exit_code"), 3);
	assert_int_equal(rec.status[2], ITEM_PASS);   /* expect_exit: 3 */

	assert_int_equal(rec.status[3], ITEM_FAIL);
	assert_non_null(strstr(rec.summary[3], "killed by SIGSEGV"));
	assert_string_equal(jev_str(rec.ev[3], "signal"), "SIGSEGV");
	assert_null(json_object_get(rec.ev[3], "exit_code"));

	assert_int_equal(rec.status[4], ITEM_FAIL);
	assert_true(!strncmp(rec.summary[4], "exit 127 (command not found), want 0, after ", 44));

	assert_int_equal(rec.status[5], ITEM_PASS);
	assert_string_equal(jev_str(rec.ev[5], "output"), "");
	rec_release(&rec);
	assert_no_children();
}

/* A command past its timeout: its whole group gets SIGTERM (SIGKILL if it
 * ignores that), the item fails within bounded time, nothing is left. */
static void test_exec_timeout(void **state)
{
	char pidfile[128], pidfile2[128];
	char *sl[] = { "sleep", "30", NULL };
	char script[256], script2[256];
	char *bg[] = { "/bin/sh", "-c", script, NULL };
	char *stubborn[] = { "/bin/sh", "-c", script2, NULL };
	struct checklist_item items[3];
	struct checklist cl = { .items = items, .n_items = 3, .max_parallel = 8 };
	struct rec rec;
	time_t t0 = time(NULL);
	FILE *f;
	int gpid = 0, gpid2 = 0;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/bg.pid", scratch);
	snprintf(pidfile2, sizeof(pidfile2), "%s/stubborn.pid", scratch);
	/* a grandchild in the background: killed with its group */
	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s; wait", pidfile);
	/* ignores SIGTERM: SIGKILL after the grace */
	snprintf(script2, sizeof(script2), "trap '' TERM; sleep 30 & echo $! > %s; while :; do wait; done",
		 pidfile2);
	items[0] = exec_item(sl, 0.3, 0, 4096);
	items[1] = exec_item(bg, 0.3, 0, 4096);
	items[2] = exec_item(stubborn, 0.3, 0, 4096);
	run_all(&cl, &rec, 0, NULL);
	/* A hang guard, not a timing assertion: 30 s sleeps ended long before. */
	assert_true(time(NULL) - t0 < 20);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rec.status[i], ITEM_FAIL);
		assert_true(json_is_true(json_object_get(rec.ev[i], "timed_out")));
		assert_non_null(strstr(rec.summary[i], "timed out after 300ms"));
	}
	assert_string_equal(jev_str(rec.ev[0], "signal"), "SIGTERM");
	assert_non_null(strstr(rec.summary[2], "stopped with SIGKILL"));
	assert_string_equal(jev_str(rec.ev[2], "signal"), "SIGKILL");
	assert_no_children();
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &gpid), 1);
	fclose(f);
	f = fopen(pidfile2, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &gpid2), 1);
	fclose(f);
	assert_true(process_gone(gpid));
	assert_true(process_gone(gpid2));
	rec_release(&rec);
}

/* A command that ends leaving a process behind in its group: the item
 * passes at once (no wait for the leftover's pipe) and the leftover is killed. */
static void test_exec_leftover_killed(void **state)
{
	char pidfile[128], script[256];
	char *bg[] = { "/bin/sh", "-c", script, NULL };
	struct checklist_item items[1];
	struct checklist cl = { .items = items, .n_items = 1, .max_parallel = 8 };
	struct rec rec;
	FILE *f;
	int gpid = 0;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/left.pid", scratch);
	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s; echo started", pidfile);
	items[0] = exec_item(bg, 20, 0, 4096);
	run_all(&cl, &rec, 0, NULL);
	assert_int_equal(rec.status[0], ITEM_PASS);
	assert_true(rec.duration_ms[0] < 15000);
	assert_string_equal(jev_str(rec.ev[0], "output"), "started\n");
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &gpid), 1);
	fclose(f);
	assert_true(process_gone(gpid));
	assert_no_children();
	rec_release(&rec);
}

static void test_exec_output_cap(void **state)
{
	char *big[] = { "/bin/sh", "-c", "head -c 300000 /dev/zero | tr '\\0' a; echo tail", NULL };
	char *small[] = { "/bin/sh", "-c", "printf 12345", NULL };
	struct checklist_item items[] = { exec_item(big, 10, 0, 1000), exec_item(small, 10, 0, 5) };
	struct checklist cl = { .items = items, .n_items = 2, .max_parallel = 8 };
	struct rec rec;
	const char *out;

	(void)state;
	run_all(&cl, &rec, 0, NULL);
	assert_int_equal(rec.status[0], ITEM_PASS);   /* the pipe never filled: the rest was read and dropped */
	out = jev_str(rec.ev[0], "output");
	assert_int_equal(strlen(out), 1000);
	assert_int_equal(strspn(out, "a"), 1000);     /* the head is kept */
	assert_true(json_is_true(json_object_get(rec.ev[0], "output_truncated")));
	assert_int_equal(jev_int(rec.ev[0], "output_bytes"), 300005);
	/* exactly the cap: nothing cut */
	assert_string_equal(jev_str(rec.ev[1], "output"), "12345");
	assert_true(json_is_false(json_object_get(rec.ev[1], "output_truncated")));
	rec_release(&rec);
	assert_no_children();
}

static void test_exec_cannot_start(void **state)
{
	char *missing[] = { "/nonexistent/preflight-cmd", NULL };
	char *nopath[] = { "preflight-no-such-command", NULL };
	char *pwd[] = { "pwd", NULL };
	struct checklist_item items[] = { exec_item(missing, 5, 0, 100), exec_item(nopath, 5, 0, 100),
					  exec_item(pwd, 5, 0, 100), exec_item(pwd, 5, 0, 100) };
	struct checklist cl = { .items = items, .n_items = 4, .max_parallel = 8 };
	struct rec rec;

	(void)state;
	items[2].exec.workdir = "/";
	items[3].exec.workdir = "/nonexistent-dir";
	run_all(&cl, &rec, 0, NULL);
	assert_int_equal(rec.status[0], ITEM_FAIL);
	assert_string_equal(rec.summary[0], "cannot run '/nonexistent/preflight-cmd': No such file or directory");
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec.ev[0], "command"), 0)),
			    "/nonexistent/preflight-cmd");
	assert_int_equal(rec.status[1], ITEM_FAIL);
	assert_string_equal(rec.summary[1], "cannot run 'preflight-no-such-command': No such file or directory");
	assert_int_equal(rec.status[2], ITEM_PASS);
	assert_string_equal(jev_str(rec.ev[2], "output"), "/\n");
	assert_int_equal(rec.status[3], ITEM_FAIL);
	assert_non_null(strstr(rec.summary[3], "in '/nonexistent-dir'"));
	rec_release(&rec);
	assert_no_children();
}

/* A caller that ignores SIGCHLD: the kernel reaps the command, its status
 * is gone; the item fails saying so instead of waiting forever. */
static void test_exec_sigchld_ignored(void **state)
{
	char *t[] = { "true", NULL };
	struct checklist_item items[] = { exec_item(t, 5, 0, 100) };
	struct checklist cl = { .items = items, .n_items = 1, .max_parallel = 8 };
	struct rec rec;
	void (*old)(int) = signal(SIGCHLD, SIG_IGN);

	(void)state;
	run_all(&cl, &rec, 0, NULL);
	signal(SIGCHLD, old);
	assert_int_equal(rec.status[0], ITEM_FAIL);
	assert_string_equal(rec.summary[0], "its exit status was lost (SIGCHLD is ignored in this process)");
	rec_release(&rec);
	assert_no_children();
}

/* 8 items with parallel 4: never more than 4 at once, and 4 at once
 * indeed (the 5th starts only after one ended). */
static void test_exec_parallel_limit(void **state)
{
	char *sl[] = { "sleep", "0.2", NULL };
	struct checklist_item items[8];
	struct checklist cl = { .items = items, .n_items = 8, .max_parallel = 8 };
	struct rec rec;

	(void)state;
	for (int i = 0; i < 8; i++)
		items[i] = exec_item(sl, 10, 0, 100);
	run_all(&cl, &rec, 4, NULL);
	assert_int_equal(rec.max_running, 4);
	for (int i = 0; i < 8; i++)
		assert_int_equal(rec.status[i], ITEM_PASS);
	rec_release(&rec);

	/* the checklist's own `parallel:` when the caller gives none */
	cl.max_parallel = 3;
	run_all(&cl, &rec, 0, NULL);
	assert_int_equal(rec.max_running, 3);
	rec_release(&rec);
	assert_no_children();
}

/* ---- a real HTTP server on 127.0.0.1 -------------------------------------- */

static int http_port;

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void respond(int fd, int status, const char *extra, const char *body)
{
	char head[512];

	snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status,
		 strlen(body), extra);
	send_all(fd, head, strlen(head));
	send_all(fd, body, strlen(body));
}

static void *serve_one(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char req[8192], path[512] = "", method[16] = "", *hend, *body;
	size_t len = 0, clen = 0;
	ssize_t got;

	while (len < sizeof(req) - 1 && (got = recv(fd, req + len, sizeof(req) - 1 - len, 0)) > 0) {
		len += (size_t)got;
		req[len] = '\0';
		hend = strstr(req, "\r\n\r\n");
		if (hend) {
			char *cl = strcasestr(req, "\r\nContent-Length:");

			clen = cl && cl < hend ? strtoul(cl + 17, NULL, 10) : 0;
			if (len >= (size_t)(hend + 4 - req) + clen)
				break;
		}
	}
	req[len] = '\0';
	hend = strstr(req, "\r\n\r\n");
	body = hend ? hend + 4 : req + len;
	sscanf(req, "%15s %511s", method, path);
	if (!strcmp(path, "/ok")) {
		respond(fd, 200, "", "hello world, all is well");
	} else if (!strncmp(path, "/status/", 8)) {
		respond(fd, atoi(path + 8), "", "status");
	} else if (!strcmp(path, "/redirect")) {
		respond(fd, 302, "Location: /ok\r\n", "");
	} else if (!strcmp(path, "/echo")) {
		char out[2048], hv[128] = "";
		char *h = strcasestr(req, "\r\nX-Test:");

		if (h && h < hend)
			sscanf(h + 9, " %127[^\r]", hv);
		snprintf(out, sizeof(out), "%s [%s] [%s]", method, body, hv);
		respond(fd, 200, "", out);
	} else if (!strcmp(path, "/big")) {
		/* 2 MiB without a length: read until the cap */
		static char chunk[65536];
		const char *head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";

		memset(chunk, 'x', sizeof(chunk));
		memcpy(chunk, "needle ", 7);
		send_all(fd, head, strlen(head));
		for (int i = 0; i < 32; i++)
			send_all(fd, chunk, sizeof(chunk));
	} else if (!strcmp(path, "/slow")) {
		sleep(3);
		respond(fd, 200, "", "late");
	} else if (!strncmp(path, "/fx/", 4)) {
		/* /fx/NAME/api/v1/query(_range): a captured Prometheus answer */
		char name[256] = "", file[1024], *data = NULL;
		const char *base = getenv("FIXTURES");
		FILE *f;
		long n = 0;

		sscanf(path + 4, "%255[^/]", name);
		snprintf(file, sizeof(file), "%s/promql/%s.json", base ? base : "tests/fixtures", name);
		f = fopen(file, "rb");
		if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
		    (data = calloc(1, (size_t)n + 1)) && fread(data, 1, (size_t)n, f) == (size_t)n)
			respond(fd, strncmp(name, "error", 5) ? 200 : 400, "Content-Type: application/json\r\n", data);
		else
			respond(fd, 404, "", "no fixture");
		free(data);
		if (f)
			fclose(f);
	} else {
		respond(fd, 404, "", "not found");
	}
	close(fd);
	return NULL;
}

static void *serve(void *arg)
{
	int ls = (int)(intptr_t)arg;

	for (;;) {
		int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		pthread_t t;

		if (fd < 0)
			continue;
		if (pthread_create(&t, NULL, serve_one, (void *)(intptr_t)fd) == 0)
			pthread_detach(t);
		else
			close(fd);
	}
	return NULL;
}

static void start_server(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pthread_t t;

	assert_true(ls >= 0);
	assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(ls, 128), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&a, &al), 0);
	http_port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&t, NULL, serve, (void *)(intptr_t)ls), 0);
	pthread_detach(t);
}

static int closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	port = ntohs(a.sin_port);
	close(s);   /* bound, never listening, closed: refused */
	return port;
}

static char urls[16][128];

static struct checklist_item http_item(int n, const char *path, long expect)
{
	struct checklist_item it = { .id = "h", .verify = VERIFY_HTTP };

	snprintf(urls[n], sizeof(urls[n]), "http://127.0.0.1:%d%s", http_port, path);
	it.http.url = urls[n];
	it.http.expect_status = expect;
	it.http.timeout_s = 5;
	return it;
}

static void test_http(void **state)
{
	static char *hdrs[] = { "X-Test: forty-two", NULL };
	static char *env_hdrs[] = { "X-Test: tok-${T_VERIFY_TOKEN}-end", NULL };
	static char *unset_hdrs[] = { "X-Test: ${T_VERIFY_UNSET}", NULL };
	struct checklist_item items[13];
	struct checklist cl = { .items = items, .n_items = 13, .max_parallel = 8 };
	struct rec rec;
	const char *ex;

	(void)state;
	items[0] = http_item(0, "/ok", 200);
	items[0].http.body_contains = "all is well";
	items[1] = http_item(1, "/ok", 200);
	items[1].http.body_contains = "all is bad";
	items[2] = http_item(2, "/ok", 200);
	items[2].http.body_regex = "^hello (world|there),";
	items[3] = http_item(3, "/ok", 200);
	items[3].http.body_regex = "^world";
	items[4] = http_item(4, "/status/503", 200);
	items[5] = http_item(5, "/redirect", 200);   /* not followed */
	items[6] = http_item(6, "/echo", 200);
	items[6].http.method = "PUT";
	items[6].http.body = "payload";
	items[6].http.headers = hdrs;
	items[6].http.body_contains = "PUT [payload] [forty-two]";
	items[7] = http_item(7, "/big", 200);
	items[7].http.body_contains = "needle";
	items[8] = http_item(8, "/slow", 200);
	items[8].http.timeout_s = 0.3;
	items[9] = http_item(9, "", 200);
	snprintf(urls[9], sizeof(urls[9]), "http://127.0.0.1:%d/", closed_port());
	items[10] = http_item(10, "/status/204", 204);
	/* ${VAR} in a header is read from the environment when the item runs */
	setenv("T_VERIFY_TOKEN", "s3cr3t", 1);
	unsetenv("T_VERIFY_UNSET");
	items[11] = http_item(11, "/echo", 200);
	items[11].http.method = "PUT";
	items[11].http.body = "payload";
	items[11].http.headers = env_hdrs;
	items[11].http.body_contains = "PUT [payload] [tok-s3cr3t-end]";
	items[12] = http_item(12, "/echo", 200);
	items[12].http.headers = unset_hdrs;
	run_all(&cl, &rec, 4, NULL);
	assert_true(rec.max_running <= 4);

	assert_int_equal(rec.status[0], ITEM_PASS);
	assert_true(!strncmp(rec.summary[0], "HTTP 200 in ", 12));
	assert_string_equal(jev_str(rec.ev[0], "url"), urls[0]);
	assert_int_equal(jev_int(rec.ev[0], "status"), 200);
	assert_string_equal(jev_str(rec.ev[0], "body_excerpt"), "hello world, all is well");
	assert_true(json_is_null(json_object_get(rec.ev[0], "error")));
	assert_true(json_is_integer(json_object_get(rec.ev[0], "elapsed_ms")));

	assert_int_equal(rec.status[1], ITEM_FAIL);
	assert_string_equal(rec.summary[1], "HTTP 200, but the body does not contain \"all is bad\"");
	assert_int_equal(rec.status[2], ITEM_PASS);
	assert_int_equal(rec.status[3], ITEM_FAIL);
	assert_string_equal(rec.summary[3], "HTTP 200, but the body does not match /^world/");
	assert_int_equal(rec.status[4], ITEM_FAIL);
	assert_string_equal(rec.summary[4], "HTTP 503, want 200");
	assert_int_equal(jev_int(rec.ev[4], "status"), 503);
	assert_int_equal(rec.status[5], ITEM_FAIL);
	assert_string_equal(rec.summary[5], "HTTP 302, want 200");
	assert_int_equal(rec.status[6], ITEM_PASS);
	assert_string_equal(jev_str(rec.ev[6], "method"), "PUT");

	/* 2 MiB: judged on its first MiB, the excerpt 512 bytes */
	assert_int_equal(rec.status[7], ITEM_PASS);
	assert_true(json_is_true(json_object_get(rec.ev[7], "body_truncated")));
	ex = jev_str(rec.ev[7], "body_excerpt");
	assert_int_equal(strlen(ex), 512);
	assert_true(!strncmp(ex, "needle x", 8));

	assert_int_equal(rec.status[8], ITEM_FAIL);
	assert_non_null(strstr(rec.summary[8], "no answer within 300ms"));
	assert_true(json_is_null(json_object_get(rec.ev[8], "status")));
	assert_non_null(jev_str(rec.ev[8], "error"));

	assert_int_equal(rec.status[9], ITEM_FAIL);
	assert_non_null(strstr(rec.summary[9], "GET http://127.0.0.1:"));
	assert_non_null(strstr(rec.summary[9], "onnect"));   /* curl's "Couldn't connect to server" */
	assert_int_equal(rec.status[10], ITEM_PASS);

	assert_int_equal(rec.status[11], ITEM_PASS);
	/* the request's headers are not evidence (the echo's body is the server's) */
	assert_null(json_object_get(rec.ev[11], "headers"));
	assert_int_equal(rec.status[12], ITEM_FAIL);
	assert_string_equal(rec.summary[12], "header 'X-Test': environment variable 'T_VERIFY_UNSET' is not set");
	rec_release(&rec);
}

/* ---- promql ---------------------------------------------------------------- */

static char *fixture(const char *name, size_t *len)
{
	char path[1024];
	const char *base = getenv("FIXTURES");
	FILE *f;
	char *data;
	long n;

	snprintf(path, sizeof(path), "%s/promql/%s.json", base ? base : "tests/fixtures", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	data = calloc(1, (size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

static int judge(const char *name, const char *op, double value, struct promql_verdict *v, struct err *e)
{
	enum promql_op o;
	size_t len;
	char *data = fixture(name, &len);
	int r;

	assert_int_equal(promql_op_parse(op, &o), 0);
	r = promql_judge(data, len, o, value, v, e);
	free(data);
	return r;
}

static void test_promql_judge(void **state)
{
	struct promql_verdict v;
	struct err e = { "" };
	enum promql_op o;

	(void)state;
	assert_int_equal(promql_op_parse("=<", &o), -EINVAL);
	assert_int_equal(promql_op_parse(NULL, &o), -EINVAL);

	assert_int_equal(judge("vector-up", "==", 1, &v, &e), 0);
	assert_string_equal(v.result_type, "vector");
	assert_int_equal(v.series, 1);
	assert_int_equal(v.samples, 1);
	assert_int_equal(v.failing_samples, 0);
	assert_string_equal(v.worst_value, "1");
	assert_string_equal(json_string_value(json_object_get(v.worst_labels, "job")), "self");
	promql_verdict_release(&v);
	assert_int_equal(judge("vector-up", "<", 1, &v, &e), 0);
	assert_int_equal(v.failing_samples, 1);
	assert_int_equal(v.failing_series, 1);
	promql_verdict_release(&v);

	/* a matrix: every sample; the worst names its series and time */
	assert_int_equal(judge("matrix-up", ">=", 1, &v, &e), 0);
	assert_string_equal(v.result_type, "matrix");
	assert_int_equal(v.samples, 5);
	assert_int_equal(v.failing_samples, 0);
	assert_true(v.last_at - v.first_at == 8);
	promql_verdict_release(&v);
	assert_int_equal(judge("matrix-rate", "<", 0.9, &v, &e), 0);
	assert_true(v.series >= 2);
	assert_true(v.failing_samples > 0);
	assert_int_equal(v.failing_series, 1);
	assert_string_equal(json_string_value(json_object_get(v.worst_labels, "handler")), "/metrics");
	assert_string_equal(v.worst_value, "1");   /* the largest: 1 (0.9995... is smaller) */
	promql_verdict_release(&v);

	/* scalars; NaN satisfies only != */
	assert_int_equal(judge("scalar", "<=", 1, &v, &e), 0);
	assert_string_equal(v.result_type, "scalar");
	assert_int_equal(v.series, 1);
	assert_int_equal(json_object_size(v.worst_labels), 0);
	promql_verdict_release(&v);
	assert_int_equal(judge("scalar-nan", "<", 1, &v, &e), 0);
	assert_int_equal(v.failing_samples, 1);
	assert_string_equal(v.worst_value, "NaN");
	promql_verdict_release(&v);
	assert_int_equal(judge("scalar-nan", ">=", 1, &v, &e), 0);
	assert_int_equal(v.failing_samples, 1);
	promql_verdict_release(&v);
	assert_int_equal(judge("scalar-nan", "!=", 1, &v, &e), 0);
	assert_int_equal(v.failing_samples, 0);
	promql_verdict_release(&v);
	assert_int_equal(judge("vector-inf", ">", 1e308, &v, &e), 0);
	assert_int_equal(v.failing_samples, 0);
	assert_string_equal(v.worst_value, "+Inf");
	promql_verdict_release(&v);
	assert_int_equal(judge("vector-inf", "<", 1, &v, &e), 0);
	assert_int_equal(v.failing_samples, 1);
	promql_verdict_release(&v);
	assert_int_equal(judge("vector-neginf", "<", -1e308, &v, &e), 0);
	assert_int_equal(v.failing_samples, 0);
	assert_string_equal(v.worst_value, "-Inf");
	promql_verdict_release(&v);

	assert_int_equal(judge("vector-empty", "<", 1, &v, &e), 0);
	assert_int_equal(v.series, 0);
	assert_int_equal(v.samples, 0);
	assert_false(v.has_worst);
	promql_verdict_release(&v);

	/* Prometheus's own errors are its words */
	assert_int_equal(judge("error-bad-data", "<", 1, &v, &e), -EREMOTEIO);
	assert_string_equal(e.msg, "bad_data: invalid parameter \"query\": 1:4: parse error: unexpected end of "
				   "input inside braces");
	assert_int_equal(judge("error-too-many-points", "<", 1, &v, &e), -EREMOTEIO);
	assert_true(!strncmp(e.msg, "bad_data: exceeded maximum resolution", 37));
	assert_int_equal(judge("string", "<", 1, &v, &e), -EDOM);
}

static void test_promql_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"<html><body>Prometheus</body></html>",
		"[]",
		"{\"status\":\"success\"}",
		"{\"status\":\"ok\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":{}}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[1]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":[],\"value\":[1,\"1\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,1]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"x\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[\"1\",\"1\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"1\",2]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"1e999\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"value\":[1,\"1\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"table\",\"result\":[]}}",
	};
	struct promql_verdict v;
	struct err e = { "" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = promql_judge(bad[i], strlen(bad[i]), PROMQL_LT, 1, &v, &e);

		if (r != -PF_EPARSE)
			fail_msg("case %zu: %d, want -PF_EPARSE: %s", i, r, bad[i]);
		assert_null(v.worst_labels);
	}
	/* native histograms cannot be compared: said so */
	{
		const char *h = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
				"\"histogram\":[1,{\"count\":\"1\"}]}]}}";

		assert_int_equal(promql_judge(h, strlen(h), PROMQL_LT, 1, &v, &e), -EDOM);
		assert_non_null(strstr(e.msg, "native histograms"));
	}
	/* the error shape without its fields */
	assert_int_equal(promql_judge("{\"status\":\"error\"}", 18, PROMQL_LT, 1, &v, &e), -EREMOTEIO);
	assert_string_equal(e.msg, "error: (no message)");
}

static struct checklist_item promql_item(const char *fx, const char *query, const char *op, double value,
					 double hold)
{
	static char server_urls[16][128];
	static int n;
	struct checklist_item it = { .id = "p", .verify = VERIFY_PROMQL };

	snprintf(server_urls[n], sizeof(server_urls[n]), "http://127.0.0.1:%d/fx/%s/", http_port, fx);
	it.promql.server = "main";
	it.promql.server_url = server_urls[n++ % 16];
	it.promql.query = (char *)query;
	it.promql.op = (char *)op;
	it.promql.value = value;
	it.promql.hold_s = hold;
	it.promql.timeout_s = 5;
	return it;
}

static void test_promql_items(void **state)
{
	struct checklist_item items[8];
	struct checklist cl = { .items = items, .n_items = 8, .max_parallel = 8 };
	struct rec rec;
	json_t *worst;

	(void)state;
	items[0] = promql_item("vector-up", "up", "==", 1, 0);
	items[1] = promql_item("matrix-rate", "rate(prometheus_http_requests_total[5s])", "<", 0.9, 8);
	items[1].promql.step_s = 2;
	items[2] = promql_item("vector-empty", "nosuch_metric", "<", 1, 0);
	items[3] = promql_item("vector-empty", "nosuch_metric", "<", 1, 0);
	items[3].promql.empty_ok = true;
	items[4] = promql_item("error-bad-data", "up{", "<", 1, 0);
	items[5] = promql_item("matrix-up", "up", "==", 1, 8);
	items[5].promql.step_s = 2;
	/* the data covers 8 s of a 60 s hold: not shown */
	items[6] = promql_item("matrix-up", "up", "==", 1, 60);
	items[6].promql.step_s = 2;
	items[7] = promql_item("vector-up", "up", "==", 1, 0);
	items[7].promql.server_url = NULL;
	run_all(&cl, &rec, 0, NULL);

	assert_int_equal(rec.status[0], ITEM_PASS);
	assert_non_null(strstr(rec.summary[0], "every sample == 1 (1 series, 1 samples; worst 1)"));
	assert_string_equal(jev_str(rec.ev[0], "query"), "up");
	assert_string_equal(jev_str(rec.ev[0], "server"), "main");
	assert_int_equal(jev_int(rec.ev[0], "series"), 1);

	assert_int_equal(rec.status[1], ITEM_FAIL);
	assert_non_null(strstr(rec.summary[1], "handler=\"/metrics\""));
	assert_non_null(strstr(rec.summary[1], "is not < 0.9"));
	assert_non_null(strstr(rec.summary[1], "over 8s"));
	worst = json_object_get(rec.ev[1], "worst");
	assert_string_equal(jev_str(worst, "value"), "1");
	assert_string_equal(jev_str(json_object_get(worst, "labels"), "handler"), "/metrics");
	assert_non_null(strstr(jev_str(worst, "at"), "T"));

	assert_int_equal(rec.status[2], ITEM_FAIL);
	assert_string_equal(rec.summary[2], "no series");
	assert_int_equal(rec.status[3], ITEM_PASS);
	assert_int_equal(rec.status[4], ITEM_FAIL);
	assert_true(!strncmp(rec.summary[4], "prometheus: bad_data: invalid parameter", 39));
	assert_int_equal(rec.status[5], ITEM_PASS);
	assert_int_equal(rec.status[6], ITEM_FAIL);
	assert_string_equal(rec.summary[6], "the data covers only 8s of the 1m the condition must hold");
	assert_int_equal(rec.status[7], ITEM_FAIL);
	assert_string_equal(rec.summary[7], "no prometheus server 'main' in the checklist");
	rec_release(&rec);
}

/* ---- check items ---------------------------------------------------------- */

static struct checklist_item check_item(const char *id)
{
	struct checklist_item it = { .id = (char *)id, .verify = VERIFY_CHECK, .check = (char *)id };

	it.def = registry_find(id);
	assert_non_null(it.def);
	it.params = json_object();
	return it;
}

static void test_check_items(void **state)
{
	struct checklist_item items[3] = { check_item("fd.system"), check_item("cpu.gomaxprocs"),
					   check_item("go.version") };
	struct checklist cl = { .items = items, .n_items = 3, .max_parallel = 8 };
	struct verify_target t = { .pid = 0, .window_s = 0, .timeout_s = 1 };
	struct rec rec;
	const char *st;

	(void)state;
	run_all(&cl, &rec, 0, &t);
	/* a host check judges; its evidence is the check's JSON result */
	st = jev_str(rec.ev[0], "status");
	assert_non_null(st);
	assert_string_equal(jev_str(rec.ev[0], "check"), "fd.system");
	assert_true(json_is_object(json_object_get(rec.ev[0], "evidence")));
	if (!strcmp(st, "pass"))
		assert_int_equal(rec.status[0], ITEM_PASS);
	else if (!strcmp(st, "warn"))
		assert_true(rec.status[0] == ITEM_PASS && !strncmp(rec.summary[0], "warn: ", 6));
	else
		assert_int_equal(rec.status[0], ITEM_FAIL);
	/* target checks without a target: not run, failed, saying what to pass */
	assert_int_equal(rec.status[1], ITEM_FAIL);
	assert_string_equal(rec.summary[1], "needs a target: pass --pid or --process");
	assert_int_equal(rec.status[2], ITEM_FAIL);
	rec_release(&rec);

	/* this test process is not a Go program: the Go check skips, and a
	 * skip is "not verified" (a person must confirm it) */
	t.pid = getpid();
	run_all(&cl, &rec, 0, &t);
	assert_int_equal(rec.status[2], ITEM_FAIL);
	assert_true(!strncmp(rec.summary[2], "not verified: ", 14));
	assert_string_equal(jev_str(rec.ev[2], "status"), "skip");
	rec_release(&rec);
	for (int i = 0; i < 3; i++)
		json_decref(items[i].params);
}

static int setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(scratch))
		return -1;
	start_server();
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", scratch);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_pass_fail),
		cmocka_unit_test(test_exec_summary_is_utf8),
		cmocka_unit_test(test_job_summary_cut_stays_utf8),
		cmocka_unit_test(test_exec_timeout),
		cmocka_unit_test(test_exec_leftover_killed),
		cmocka_unit_test(test_exec_output_cap),
		cmocka_unit_test(test_exec_cannot_start),
		cmocka_unit_test(test_exec_sigchld_ignored),
		cmocka_unit_test(test_exec_parallel_limit),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_promql_judge),
		cmocka_unit_test(test_promql_malformed),
		cmocka_unit_test(test_promql_items),
		cmocka_unit_test(test_check_items),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
