/* facts: everything the collectors learned, as plain structs.
 *
 * Collectors fill these; checks read them and never touch /proc, /sys,
 * netlink or the network themselves. Each part carries its own error, a
 * struct fact_err (facts/fact_err.h), so a check can say "could not read
 * X: reason" instead of guessing.
 *
 * Ownership: struct facts owns every pointer inside it; facts_release()
 * frees them all.
 */
#ifndef PREFLIGHT_FACTS_H
#define PREFLIGHT_FACTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/cpuset.h"
#include "facts/buildinfo.h"
#include "facts/fact_err.h"
#include "facts/sockets.h"
#include "facts/goroutines.h"
#include "facts/runtime.h"

#define NUMA_MAX_NODES 64

/* What lets a reader past the ptrace access check on /proc/PID/{fd,environ,exe},
 * quoted after "Permission denied" so the user knows how to rerun. */
#define PROC_PRIVILEGE_HINT "(run as the service's user or root, or with CAP_SYS_PTRACE)"

/* A value read from the system, or absent (with no error to report). */
struct opt_i64 {
	bool set;
	int64_t v;
};

struct numa_facts {
	struct fact_err err;
	unsigned nodes;                   /* nodes with at least one CPU */
	struct cpuset node_cpus[NUMA_MAX_NODES];
	unsigned node_ids[NUMA_MAX_NODES];
	struct cpuset online;             /* /sys/devices/system/cpu/online */
	unsigned threads_per_core;        /* 1 = no SMT; from thread_siblings_list of cpu0 */
	bool smt_active;                  /* /sys/devices/system/cpu/smt/active, else threads_per_core > 1 */
};

/* The cgroup a process lives in, as seen by its CPU and memory controllers.
 * On a hybrid host (v1 controllers plus a v2 mount beside them) each
 * controller is read from whichever hierarchy it is attached to. */
struct cgroup_facts {
	struct fact_err err;
	int cpu_version;                  /* 1, 2, or 0 when no cpu controller was found */
	int memory_version;
	char cpu_dir[512];                /* absolute directory of the cpu controller's cgroup */
	char memory_dir[512];
	/* The process's cgroup v2 directory ("" when it is in none): where its
	 * pressure (PSI) files are. Resolved here once, for every reader. */
	char unified_dir[512];
	/* The memory cgroup is the top of the hierarchy the process sees (the
	 * host's root, or a container's whole cgroup under a cgroup namespace). */
	bool memory_is_top;
	/* The ancestor (or the cgroup itself) whose limit binds; "" when none
	 * does. cpu.stat is read from cpu_limit_dir, since a cgroup without a
	 * quota of its own records no periods even while its parent throttles it. */
	char cpu_limit_dir[512];
	char memory_limit_dir[512];
	/* CPU bandwidth: quota/period in microseconds; quota < 0 = unlimited. */
	bool has_quota;
	int64_t quota_us, period_us;
	/* The quota of the process's own (leaf) cgroup only, which is all the
	 * Go >= 1.25 runtime reads for its GOMAXPROCS default (cgroup_linux.go);
	 * leaf_quota_us <= 0 = the leaf sets none. */
	int64_t leaf_quota_us, leaf_period_us;
	/* Throttling counters (cpu.stat); cumulative since the cgroup was made. */
	bool has_cpu_stat;
	uint64_t nr_periods, nr_throttled, throttled_usec;
	/* cpuset granted (effective) to the cgroup; has_cpuset false = no cpuset controller. */
	bool has_cpuset;
	struct cpuset cpus, mems;
	/* Memory: limit_bytes 0 or has_limit false = unlimited. */
	bool has_memory;
	bool has_limit;
	uint64_t limit_bytes, usage_bytes;
	bool has_oom_kills;
	uint64_t oom_kills;
};

/* Whose network namespace the per-namespace facts were read in: the TCP
 * census, the target's listeners and the probes of them, TcpExt counters
 * and the net.* sysctls (docs/collectors.md, "Containers"). */
enum netns_whose {
	NETNS_OWN,        /* preflight's own, which the target shares (or no target) */
	NETNS_TARGET,     /* the target's, entered with setns: it is not ours */
	NETNS_UNKNOWN,    /* the target's could not be told apart from ours: ours was read */
};

struct netns_facts {
	enum netns_whose whose;
	char id[32];                      /* "net:[4026532281]" of the namespace read; "" = unknown */
	char desc[FACTS_ERR_MAX];         /* evidence "netns": "host (net:[...])", "target (net:[...])" */
	/* The target's namespace is another one and could not be entered:
	 * every per-namespace fact is unread, with this as the reason. */
	struct fact_err err;
	struct fact_err unknown;          /* NETNS_UNKNOWN: why the target's could not be told */
};

/* Host-wide kernel settings we judge. Absent ones have set = false. */
struct sysctl_facts {
	struct opt_i64 tcp_tw_reuse, tcp_fin_timeout, somaxconn, tcp_max_syn_backlog;
	struct opt_i64 port_lo, port_hi;              /* net.ipv4.ip_local_port_range */
	struct opt_i64 tcp_max_tw_buckets;
	struct opt_i64 tcp_syncookies;                /* 0 never, 1 when a SYN queue overflows, 2 always */
	struct opt_i64 file_max, file_allocated, nr_open;   /* fs.file-max, fs.file-nr[0], fs.nr_open */
	/* The net.* values are per network namespace: set when the target's
	 * could not be entered, so they are unread, not absent. */
	struct fact_err net_err;
};

/* TcpExt counters from /proc/net/netstat. */
struct netstat_facts {
	struct fact_err err;
	bool set;
	uint64_t listen_overflows, listen_drops;
};

struct clock_facts {
	struct fact_err err;
	char current[64];                 /* current_clocksource */
	char available[512];              /* available_clocksource, trimmed */
	bool adjtimex_ok;
	int state;                        /* adjtimex return: TIME_OK .. TIME_ERROR */
	int status;                       /* STA_* bits */
	int64_t maxerror_us, esterror_us, offset_us;
	char daemons[128];                /* running time daemons, comma-separated: "chronyd,ntpd" */
};

/* What an HTTP listener of the target answered to our probes. */
struct endpoint_facts {
	char addr[64];                    /* "127.0.0.1:6060", "[::]:8080" */
	char url_base[96];                /* "http://127.0.0.1:6060" (wildcard -> loopback);
	                                   * "https://..." when it speaks TLS */
	bool loopback_only;               /* bound to 127.0.0.0/8 or ::1 only */
	bool http;                        /* answered HTTP at all */
	bool pprof, expvar, metrics;      /* /debug/pprof/, /debug/vars, /metrics answered 200 */
	struct fact_err probe_err;        /* why the first failed probe failed (timeout, refused...) */
	/* HTTP over TLS: found by https probes that do not verify (what is
	 * served is seen whoever signed the certificate), then one request
	 * with the run's trust (system CAs or --cacert). */
	bool tls;
	bool tls_verified;                /* the certificate verified; false under --insecure */
	struct fact_err tls_err;          /* why it did not verify ("URL: curl's words"); empty when it
	                                   * did or when --insecure asked for no verification */
};

struct listener_facts {
	struct sock_entry sock;           /* state LISTEN; rqueue = accept queue, wqueue = backlog */
	char addr[64];
};

/* Pressure stall information (PSI): the share of time tasks stalled on
 * a resource, as the kernel prints it in /proc/pressure/{cpu,memory,io}
 * and in a cgroup v2 directory's {cpu,memory,io}.pressure
 * (collect/psi.h). */
enum psi_res { PSI_CPU, PSI_MEMORY, PSI_IO, PSI_NRES };

struct psi_line {
	bool set;                         /* the line was in the file */
	double avg10, avg60, avg300;      /* ratios 0..1 (the kernel prints percent) */
	uint64_t total_us;                /* cumulative stall time, microseconds */
};

/* One pressure file: "some" always; "full" absent for cpu on kernels
 * before 5.13. */
struct psi_record {
	struct psi_line some, full;
};

enum psi_state {
	PSI_ABSENT,                       /* no such file (CONFIG_PSI off, psi=0, cgroup v1) */
	PSI_OK,                           /* read at the window's start */
	PSI_FAILED,                       /* the file is there but could not be read or parsed */
};

struct psi_resource {
	enum psi_state state;
	struct fact_err err;              /* PSI_FAILED: why */
	struct psi_record start, end;     /* at the window's start and end */
	bool has_end;                     /* end read too (a window was given) */
	double t_start, t_end;            /* CLOCK_MONOTONIC seconds of the two reads */
};

struct psi_scope {
	bool attempted;                   /* this scope was looked for */
	char dir[512];                    /* "/proc/pressure" or the cgroup v2 directory */
	/* Why the scope has no pressure files at all ("" when it has). */
	char absent[FACTS_ERR_MAX];
	struct psi_resource res[PSI_NRES];
};

struct psi_facts {
	struct psi_scope host;            /* /proc/pressure */
	struct psi_scope cgroup;          /* the target's cgroup v2 directory */
};

/* The CPU affinity of every thread of the target: `taskset -p PID` (no
 * -a) changes the main thread only, and /proc/PID/status shows only the
 * main thread. Distinct masks among the other threads, most common first. */
#define THREAD_AFFINITY_GROUPS 8
struct thread_affinity_facts {
	struct fact_err err;              /* /proc/PID/task could not be listed */
	bool read;                        /* the task directory was listed */
	unsigned threads;                 /* threads listed */
	unsigned threads_read;            /* of them, whose status was read (bounded) */
	bool has_main;
	struct cpuset main_cpus;          /* the main thread's (tid == pid) */
	struct cpuset union_cpus;         /* every thread read, main included */
	unsigned others;                  /* other threads read */
	unsigned n_groups;                /* distinct masks among them (at most THREAD_AFFINITY_GROUPS kept) */
	struct {
		struct cpuset cpus;
		unsigned threads;
	} groups[THREAD_AFFINITY_GROUPS];
	unsigned others_ungrouped;        /* other threads whose mask did not fit in groups */
	bool differ;                      /* some thread's mask is not the main thread's */
};

/* Who else the memory cgroup's usage counts (collect/procfs.c). */
struct memshare_facts {
	struct fact_err err;              /* cgroup.procs could not be read */
	bool known;                       /* procs was read */
	uint64_t procs;                   /* processes in the target's own memory cgroup */
	bool is_root;                     /* the target sits in the root of the hierarchy it sees */
	/* Usage of memory_limit_dir when the binding limit is an ancestor's:
	 * that usage, not the leaf's, is what the limit is judged against. */
	bool has_limit_usage;
	uint64_t limit_usage_bytes;
};

struct process_facts {
	bool present;                     /* a target was given and found */
	pid_t pid;
	struct fact_err exited;       /* the process exited during the check */
	/* Why a part of /proc/PID could not be read (code 0 when it was), so
	 * each check quotes the file it depends on. */
	struct fact_err status_err, limits_err, fd_err, environ_err, exe_err;
	char comm[64];
	char exe[1024];                   /* readlink of /proc/PID/exe; "" if unreadable */
	char *cmdline;                    /* arguments joined by spaces */
	/* Go-relevant environment; environ_err set when /proc/PID/environ was unreadable. */
	char *env_gomaxprocs, *env_gomemlimit, *env_gogc, *env_godebug;
	/* The process-wide CPU affinity: the mask most of the threads other
	 * than the main one hold, which new threads inherit and Go's runtime
	 * counts (see thread_affinity and docs/collectors.md); the main
	 * thread's Cpus_allowed_list when there are no other threads or they
	 * could not be read. */
	struct cpuset affinity;
	struct cpuset mems_allowed;       /* Mems_allowed_list */
	bool has_affinity, has_mems;
	struct thread_affinity_facts thread_affinity;
	/* The process's own memory from /proc/PID/status, bytes. */
	bool has_rss;
	uint64_t vm_rss, rss_anon, rss_file, rss_shmem;
	/* RLIMIT_NOFILE; UINT64_MAX = unlimited. */
	bool has_nofile;
	uint64_t nofile_soft, nofile_hard;
	uint64_t open_fds;                /* valid when fd_err.code is 0 */
	uint64_t *socket_inodes;          /* sorted, from /proc/PID/fd links "socket:[N]" */
	size_t n_socket_inodes;
	struct cgroup_facts cgroup;
	struct memshare_facts memshare;
	/* Sockets of this process (matched by inode). */
	uint64_t tcp_states[TCP_STATE_MAX];
	/* Set when the process's sockets could not be told apart from the
	 * host's (its socket inodes in /proc/PID/fd unreadable, or the
	 * sock_diag census failed): tcp_states and listeners are then
	 * unknown, not empty, and every check that reads them reports this. */
	struct fact_err sockets_err;
	struct listener_facts *listeners;
	size_t n_listeners;
	struct endpoint_facts *endpoints; /* one per listener, same order */
	size_t n_endpoints;
	/* Why the listeners could not be asked anything over HTTP (0 and "" when
	 * they could): -ELIBACC when libcurl.so.4 cannot be loaded. Every check
	 * that reads the target over HTTP reports this as its error. */
	int http_err;
	char http_errmsg[FACTS_ERR_MAX];
	/* GOMAXPROCS the service itself reports (go_sched_gomaxprocs_threads); 0 = none. */
	int64_t reported_gomaxprocs;
	char reported_gomaxprocs_from[128];
	/* GOMEMLIMIT the service reports (go_gc_gomemlimit_bytes); 0 = none. */
	int64_t reported_gomemlimit;
	/* Build info read from the executable. */
	struct fact_err gobuild_err;      /* code -PF_ENOTGO for non-Go binaries */
	struct gobuild gobuild;
};

/* The host's TIME_WAIT sockets by owner, as far as their addresses tell
 * (collect/tw_owner.h has the rules). set is false when no target was
 * given or its sockets are unknown. */
struct tw_split {
	bool set;
	uint64_t service_inbound;         /* local addr:port is a listener of the target */
	uint64_t service_outbound;        /* to a destination the target holds ESTABLISHED connections to */
	uint64_t clients_of_service;      /* remote addr:port is the target's listener, client on this host */
	uint64_t other_servers;           /* local addr:port is another process's listener */
	uint64_t unattributed;
};

struct tcp_facts {
	struct fact_err err;
	uint64_t states[TCP_STATE_MAX];   /* host-wide, IPv4 + IPv6, index = kernel state number */
	/* The busiest outbound destination: most sockets from one local address
	 * to one remote address:port with the local port in the ephemeral range. */
	char busiest_dst[96];
	uint64_t busiest_count;
	struct tw_split tw_split;
};

/* The Go runtime as its own debug surfaces show it, sampled over the
 * window (see collect/goruntime_collect.c). */
struct goruntime_facts {
	bool attempted;                   /* a listener of the target serves pprof, expvar or metrics */
	char pprof_url[96], vars_url[96], metrics_url[96];   /* bases used; "" when none */
	/* memstats, one sample per tick (200 ms); from expvar, else /metrics */
	struct go_memstats *samples;
	double *sample_times;             /* unix seconds of each sample */
	size_t n_samples;
	size_t cap_samples, cap_sample_times;   /* allocated, for the collector's appends */
	double process_start_unix;        /* when the target started (0 = unknown), for GC CPU rates */
	struct fact_err memstats_err;
	/* goroutine profile debug=1 snapshots, oldest first */
	struct gr_snapshot *snaps;
	size_t n_snaps, cap_snaps;
	uint64_t index_goroutines;        /* from the /debug/pprof/ index page; 0 = unknown */
	bool has_dump2;                   /* a debug=2 dump at the end, when the count was low enough */
	struct gr_snapshot dump2;
	bool has_dump2_first;             /* and one at the start, to confirm growth */
	struct gr_snapshot dump2_first;
	/* Why there is none: as often a choice (too many goroutines to stop
	 * the target for) as a failure, so a note for the evidence rather
	 * than a struct fact_err. */
	char dump2_note[FACTS_ERR_MAX];
	struct fact_err goroutine_err;
	/* The target's ESTABLISHED TCP connections at each debug=1 snapshot
	 * (collect/conn_count.h), when the sampler was given its pid; a
	 * series with a hole is dropped whole: n_conns == n_snaps or unused. */
	uint64_t *conns;
	size_t n_conns, cap_conns;
	struct fact_err conns_err;
	/* The lines of the target's source at the groups' sites, read through
	 * /proc/PID/root when the files are there (collect/source_lines.h). */
	struct source_lines source;
	/* Contention profiles at the start [0] and the end [1] of the window;
	 * has_*[i] tells which were read. The profiles are cumulative, so the
	 * difference is what the window added. */
	bool has_mutex[2], has_block[2];
	struct contention_profile mutex[2], block[2];
	struct fact_err mutex_err, block_err;
	double contention_t[2];           /* CLOCK_MONOTONIC seconds of each read */
	/* The /metrics page, whole, at the start [0] and the end [1] of the
	 * window, for the metric.* checks (read only when the checklist has
	 * one; [1] only with a window). */
	bool metrics_doc_asked;
	char metrics_doc_url[256];        /* the page read; "" when none was found */
	bool has_metrics_doc[2];
	struct prom_doc metrics_doc[2];
	double metrics_doc_t[2];          /* CLOCK_MONOTONIC seconds of each read */
	struct fact_err metrics_doc_err;
};

struct facts {
	const char *root;                 /* path prefix for /proc and /sys; "" = live */
	double window_s;                  /* sampling window; 0 disables sampling */
	unsigned online_cpus;
	struct numa_facts numa;
	struct cgroup_facts host_cgroup;  /* cgroup of preflight itself, unused when a target is given */
	struct netns_facts netns;         /* where the per-namespace facts below were read */
	struct sysctl_facts sysctl;
	struct netstat_facts netstat_before, netstat_after;
	struct clock_facts clock;
	struct tcp_facts tcp;
	struct process_facts proc;
	struct goruntime_facts go;
	struct psi_facts psi;
	/* Cumulative cgroup CPU counters at the start of the window (for throttling deltas). */
	bool has_cpu_stat_before;
	uint64_t nr_periods_before, nr_throttled_before;
};

void facts_release(struct facts *f);

#endif
