/* verify exec: commands as child processes, watched from one poll loop.
 *
 * Each command runs in its own process group, stdin /dev/null, stdout and
 * stderr into one pipe whose head (output_cap bytes) is kept; the rest is
 * read and counted, so a chatty command never blocks on a full pipe. The
 * loop waits on each child's pipe and on its pidfd (its exit), with the
 * nearest deadline as the poll timeout: no sleeps. A command past its
 * timeout gets SIGTERM on its whole group, and SIGKILL after a grace.
 * When a command ends, whatever it left running in its group is killed
 * (before the command is reaped, so the group id cannot be reused), and
 * every child is reaped: no zombie, no orphan of ours outlives the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json_text.h"
#include "base/utf8.h"
#include "verify/verify_run.h"

extern char **environ;

/* Time a command has to end after SIGTERM before its group gets SIGKILL. */
#define EXEC_KILL_GRACE_S 1.0
/* Time to read what is left in the pipe once the command has ended (its
 * group is killed by then; only a process that left the group holds it). */
#define EXEC_DRAIN_S 1.0
#ifndef PIDFD_OPEN_FALLBACK_TICK_MS
/* Without pidfds (kernels before 5.3) exits are noticed by this tick. */
#define PIDFD_OPEN_FALLBACK_TICK_MS 20
#endif

struct child {
	struct verify_job job;
	const struct verify_exec *spec;
	pid_t pid;
	int out_fd;        /* the pipe's read end; -1 once at EOF */
	int pidfd;         /* -1 when pidfds are not available */
	struct buf out;    /* the head of the output */
	size_t out_total;
	double deadline;   /* monotonic: SIGTERM then */
	double kill_at;    /* monotonic: SIGKILL then (0: not yet due) */
	double drain_until;
	bool timed_out, killed, exited;
	bool status_lost;  /* reaped by the kernel (SIGCHLD ignored): no exit status */
	int wstatus;
	int last_signal;   /* the signal we last sent (for the summary) */
};

static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static const char *signal_name(int sig, char buf[16])
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, 16, "SIG%s", abbrev);
	else
		snprintf(buf, 16, "signal %d", sig);
	return buf;
}

static void signal_group(struct child *c, int sig)
{
	/* The group's id is the command's pid, still ours (not reaped). */
	kill(-c->pid, sig);
	c->last_signal = sig;
}

/* Starts c's command. Returns 0, or a negative errno with the job's
 * verdict set (a command that cannot start is a failed item). */
static int child_start(struct child *c, double now)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int p[2] = { -1, -1 }, r;

	c->out_fd = c->pidfd = -1;
	buf_init(&c->out, c->spec->output_cap);
	if (!c->spec->argv || !c->spec->argv[0]) {
		verify_job_set(&c->job, ITEM_FAIL, "no command to run");
		return -EINVAL;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = -errno;
		verify_job_set(&c->job, ITEM_FAIL, "cannot run '%s': pipe: %s", c->spec->argv[0], strerror(-r));
		return r;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (c->spec->workdir)
		posix_spawn_file_actions_addchdir_np(&fa, c->spec->workdir);
	r = -posix_spawnp(&c->pid, c->spec->argv[0], &fa, &at, c->spec->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		if (c->spec->workdir)
			verify_job_set(&c->job, ITEM_FAIL, "cannot run '%s' in '%s': %s", c->spec->argv[0],
				       c->spec->workdir, strerror(-r));
		else
			verify_job_set(&c->job, ITEM_FAIL, "cannot run '%s': %s", c->spec->argv[0], strerror(-r));
		return r;
	}
	c->out_fd = p[0];
	fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
	c->pidfd = pidfd_open_(c->pid);
	c->deadline = now + (c->spec->timeout_s > 0 ? c->spec->timeout_s : 60);
	return 0;
}

/* Reads what the pipe holds now; closes it at EOF. */
static void child_read(struct child *c)
{
	char chunk[16384];

	for (;;) {
		ssize_t got = read(c->out_fd, chunk, sizeof(chunk));

		if (got > 0) {
			size_t room = c->out.max > c->out.len ? c->out.max - c->out.len : 0;

			buf_append(&c->out, chunk, (size_t)got < room ? (size_t)got : room);
			c->out_total += (size_t)got;
			continue;
		}
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return;
		close(c->out_fd);   /* EOF, or an error that will not go away */
		c->out_fd = -1;
		return;
	}
}

/* Whether the command has ended; if so, kills what it left in its group and reaps it. */
static bool child_reap(struct child *c)
{
	siginfo_t si = { 0 };

	if (c->exited)
		return true;
	/* WNOWAIT first: the group is killed while the command is still a
	 * zombie, so its id cannot have been reused by then. */
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		if (errno != ECHILD)
			return false;
		/* SIGCHLD ignored by our caller: the kernel reaped it, its status is gone. */
		c->exited = c->status_lost = true;
		return true;
	}
	if (si.si_pid != c->pid)
		return false;
	kill(-c->pid, SIGKILL);
	while (waitpid(c->pid, &c->wstatus, 0) < 0 && errno == EINTR)
		;
	c->exited = true;
	if (c->pidfd >= 0) {
		close(c->pidfd);
		c->pidfd = -1;
	}
	return true;
}

static json_t *argv_json(char **argv)
{
	json_t *a = json_array();

	for (size_t i = 0; a && argv && argv[i]; i++)
		json_array_append_new(a, json_text(argv[i]));
	return a;
}

/* The first line of the output with something on it, cut for a summary. */
static void first_line(const struct buf *b, char *out, size_t n)
{
	const char *s = buf_str(b), *end;
	size_t len;

	while (*s == '\n' || *s == '\r' || *s == ' ' || *s == '\t')
		s++;
	end = strpbrk(s, "\r\n");
	len = end ? (size_t)(end - s) : strlen(s);
	/* A summary is one line of UTF-8 text (the store's PostgreSQL refuses
	 * anything else): whole characters only, a byte that is not one and a
	 * control character become '?'. */
	for (size_t i = 0, o = 0;; ) {
		unsigned cp;
		size_t k = i < len ? utf8_next(s + i, len - i, &cp) : 0;

		if (i >= len || o + (k ? k : 1) >= n) {
			out[o] = '\0';
			return;
		}
		if (!k || cp < 0x20 || cp == 0x7f) {
			out[o++] = '?';
			i += k ? k : 1;
			continue;
		}
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
}

static void child_verdict(struct child *c)
{
	const struct verify_exec *x = c->spec;
	json_t *ev = json_object();
	char took[32], sig[16], line[160];
	int code = -1;

	verify_format_duration(verify_mono() - c->job.t0, took, sizeof(took));
	first_line(&c->out, line, sizeof(line));
	if (c->status_lost) {
		/* neither exit_code nor signal */
	} else if (WIFEXITED(c->wstatus)) {
		code = WEXITSTATUS(c->wstatus);
		json_object_set_new(ev, "exit_code", json_integer(code));
	} else if (WIFSIGNALED(c->wstatus)) {
		json_object_set_new(ev, "signal", json_string(signal_name(WTERMSIG(c->wstatus), sig)));
	}
	json_object_set_new(ev, "timed_out", json_boolean(c->timed_out));
	json_object_set_new(ev, "output", json_text(buf_str(&c->out)));
	json_object_set_new(ev, "output_truncated", json_boolean(c->out_total > c->out.len));
	json_object_set_new(ev, "output_bytes", json_integer((json_int_t)c->out_total));
	json_object_set_new(ev, "command", argv_json(x->argv));
	if (x->workdir)
		json_object_set_new(ev, "workdir", json_text(x->workdir));
	c->job.res.evidence = ev;

	if (c->status_lost) {
		verify_job_set(&c->job, ITEM_FAIL, "its exit status was lost (SIGCHLD is ignored in this process)");
	} else if (c->timed_out) {
		char limit[32];

		verify_format_duration(x->timeout_s, limit, sizeof(limit));
		verify_job_set(&c->job, ITEM_FAIL, "timed out after %s; stopped with %s", limit,
			       signal_name(c->last_signal, sig));
	} else if (WIFSIGNALED(c->wstatus)) {
		verify_job_set(&c->job, ITEM_FAIL, "killed by %s after %s%s%s", signal_name(WTERMSIG(c->wstatus), sig),
			       took, line[0] ? ": " : "", line);
	} else if (code == x->expect_exit) {
		verify_job_set(&c->job, ITEM_PASS, "exit %d in %s", code, took);
	} else {
		verify_job_set(&c->job, ITEM_FAIL, "exit %d%s, want %d, after %s%s%s", code,
			       code == 127 ? " (command not found)" : code == 126 ? " (cannot execute)" : "",
			       x->expect_exit, took, line[0] ? ": " : "", line);
	}
}

static void child_release(struct child *c)
{
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->out_fd = c->pidfd = -1;
	buf_release(&c->out);
}

/* Ends a child whose command started: verdict, callback, release. */
static void child_finish(const struct verify_run *run, struct child *c)
{
	child_verdict(c);
	child_release(c);
	verify_job_done(run, &c->job);
}

int verify_exec_phase(const struct verify_run *run, const size_t *idx, size_t n, struct err *e)
{
	size_t cap = run->max_parallel < n ? run->max_parallel : n;
	struct child *kids = calloc(cap ? cap : 1, sizeof(*kids));
	struct pollfd *pfds = calloc(2 * (cap ? cap : 1), sizeof(*pfds));
	bool *live = calloc(cap ? cap : 1, sizeof(*live));
	size_t next = 0, running = 0;
	int r = 0;

	if (!kids || !pfds || !live) {
		r = err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	while (next < n || running) {
		double now = verify_mono(), wake = -1;
		int timeout_ms, np = 0;
		bool tick = false;

		/* Start commands into free slots. */
		for (size_t s = 0; s < cap && next < n; s++) {
			struct child *c = &kids[s];

			if (live[s])
				continue;
			memset(c, 0, sizeof(*c));
			c->spec = &run->cl->items[idx[next]].exec;
			verify_job_start(run, &c->job, idx[next]);
			next++;
			if (child_start(c, verify_mono()) < 0) {
				c->job.res.evidence = json_object();
				json_object_set_new(c->job.res.evidence, "command", argv_json(c->spec->argv));
				child_release(c);
				verify_job_done(run, &c->job);
				s--;   /* the slot is still free */
				continue;
			}
			live[s] = true;
			running++;
		}
		if (!running)
			continue;

		/* Wait for output, an exit or the nearest deadline. */
		now = verify_mono();
		for (size_t s = 0; s < cap; s++) {
			struct child *c = &kids[s];
			double due;

			if (!live[s])
				continue;
			if (c->out_fd >= 0)
				pfds[np++] = (struct pollfd){ .fd = c->out_fd, .events = POLLIN };
			if (!c->exited && c->pidfd >= 0)
				pfds[np++] = (struct pollfd){ .fd = c->pidfd, .events = POLLIN };
			else if (!c->exited)
				tick = true;
			due = c->exited ? c->drain_until : c->kill_at > 0 ? c->kill_at : c->deadline;
			if (wake < 0 || due < wake)
				wake = due;
		}
		timeout_ms = wake < 0 ? 0 : wake <= now ? 0 : (int)((wake - now) * 1000) + 1;
		if (tick && timeout_ms > PIDFD_OPEN_FALLBACK_TICK_MS)
			timeout_ms = PIDFD_OPEN_FALLBACK_TICK_MS;
		if (poll(pfds, (nfds_t)np, timeout_ms) < 0 && errno != EINTR) {
			r = err_errno(e, -errno, "poll");
			goto out;
		}

		/* Read, reap, enforce deadlines, finish. */
		now = verify_mono();
		for (size_t s = 0; s < cap; s++) {
			struct child *c = &kids[s];

			if (!live[s])
				continue;
			if (c->out_fd >= 0)
				child_read(c);
			if (!c->exited && child_reap(c)) {
				c->drain_until = now + EXEC_DRAIN_S;
				if (c->out_fd >= 0)
					child_read(c);
			}
			if (!c->exited) {
				if (!c->timed_out && now >= c->deadline) {
					c->timed_out = true;
					signal_group(c, SIGTERM);
					c->kill_at = now + EXEC_KILL_GRACE_S;
				} else if (c->timed_out && !c->killed && now >= c->kill_at) {
					c->killed = true;
					signal_group(c, SIGKILL);
					c->kill_at = now + 3600;   /* nothing more to send; the exit comes */
				}
				continue;
			}
			if (c->out_fd >= 0 && now < c->drain_until)
				continue;
			child_finish(run, c);
			live[s] = false;
			running--;
		}
	}
out:
	/* Only on a broken run: nothing may outlive it. */
	for (size_t s = 0; kids && live && s < cap; s++)
		if (live[s]) {
			struct child *c = &kids[s];

			if (!c->exited) {
				kill(-c->pid, SIGKILL);
				while (waitpid(c->pid, &c->wstatus, 0) < 0 && errno == EINTR)
					;
			}
			c->exited = true;
			verify_job_set(&c->job, ITEM_FAIL, "not run to its end: %s", e ? e->msg : "the run broke");
			child_release(c);
			verify_job_done(run, &c->job);
		}
	free(kids);
	free(pfds);
	free(live);
	return r;
}
