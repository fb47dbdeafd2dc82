/* Comparing goroutine snapshots and naming leak suspects: rows per stack
 * key with a count per snapshot, the two suspect rules (growth, long
 * waits) and the leak patterns with their remedies. The heuristics are
 * documented in docs/goroutines.md; keep the two in step. */
#include "check/leak.h"
#include "goruntime/goroutine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

/* ---- a key index over one snapshot ---------------------------------------- */

/* A row's identity: the group's own (goroutine_group.c: the stack, its
 * frames beyond the key, and in debug=2 its creator) when every snapshot
 * is of one kind; a series mixing debug=1 and debug=2 dumps aligns on the
 * key, which both kinds share (debug=1 shows no creator, and older Go
 * cuts its stacks at 32 frames). */
static uint64_t ident(const struct gr_group *g, bool exact)
{
	/* groups built elsewhere than the parser may leave ident 0 */
	return exact && g->ident ? g->ident : g->key;
}

struct key_ref {
	uint64_t key;
	const struct gr_group *g;
};

static int key_ref_cmp(const void *pa, const void *pb)
{
	const struct key_ref *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	/* among groups of one identity, the biggest first */
	return a->g->count > b->g->count ? -1 : a->g->count < b->g->count;
}

static struct key_ref *index_snapshot(const struct gr_snapshot *s, bool exact)
{
	struct key_ref *ix = malloc((s->n_groups ? s->n_groups : 1) * sizeof(*ix));

	if (!ix)
		return NULL;
	for (size_t i = 0; i < s->n_groups; i++)
		ix[i] = (struct key_ref){ ident(&s->groups[i], exact), &s->groups[i] };
	qsort(ix, s->n_groups, sizeof(*ix), key_ref_cmp);
	return ix;
}

/* The biggest group of that identity. */
static const struct gr_group *index_find(const struct key_ref *ix, size_t n, uint64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ix[lo].key == key ? ix[lo].g : NULL;
}

/* ---- what a stack shows -------------------------------------------------- */

static bool has_frame(const struct gr_group *g, const char *func)
{
	for (size_t i = 0; g && i < g->n_frames; i++)
		if (!strcmp(g->frames[i].func, func))
			return true;
	return false;
}

static bool has_frame_prefix(const struct gr_group *g, const char *prefix)
{
	size_t n = strlen(prefix);

	for (size_t i = 0; g && i < g->n_frames; i++)
		if (!strncmp(g->frames[i].func, prefix, n))
			return true;
	return false;
}

static bool state_is(const char *state, const char *prefix)
{
	return state && !strncmp(state, prefix, strlen(prefix));
}

/* The states the wait rule looks at: blocked on a channel, select, lock,
 * IO or sleep. "select (no cases)" is `select {}`, a deliberate forever. */
static bool state_waits(const char *st)
{
	static const char *const waits[] = {
		"chan receive", "chan send", "select", "sync.Mutex.Lock", "sync.RWMutex.", "semacquire",
		"sync.Cond.Wait", "sync.WaitGroup.Wait", "IO wait", "sleep",
	};

	if (state_is(st, "select (no cases)"))
		return false;
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
		if (state_is(st, waits[i]))
			return true;
	return false;
}

/* Goroutines whose job is to wait as long as it takes: accept loops and
 * the signal loop. Long waits there are health, not leaks. */
static bool waits_by_design(const struct gr_group *g)
{
	return has_frame(g, "net.(*TCPListener).Accept") || has_frame(g, "net.(*UnixListener).Accept") ||
	       has_frame(g, "net/http.(*Server).Serve") || has_frame_prefix(g, "os/signal.");
}

static bool http_client_call(const struct gr_group *g)
{
	return has_frame(g, "net/http.(*persistConn).roundTrip") || has_frame(g, "net/http.(*Transport).roundTrip") ||
	       has_frame(g, "net/http.(*Client).do");
}

/* A transport's readLoop parked reading the socket (waiting for a
 * response, or an idle connection kept for reuse), as opposed to parked
 * until the caller reads or closes the response body. */
static bool readloop_reading(const struct gr_group *g)
{
	return has_frame(g, "net/http.(*persistConn).Read") || has_frame(g, "net.(*conn).Read");
}

/* ---- goroutines that follow connections ---------------------------------- */

/* Code that runs one goroutine or more per connection or per stream of a
 * server or client transport: net/http's server connections (HTTP/1 and
 * the bundled HTTP/2), gRPC's transports (server and client: loopyWriter,
 * controlBuffer, keepalive, the reader, recvBufferReader) and per-stream
 * handlers (serveStreams, handleStream, processStreamingRPC), cmux's
 * readers, and etcd's watch and lease-keepalive streams. Their count is
 * the target's connection and stream count: a dump full of them is a busy
 * service, and clients that stay connected for hours keep them parked for
 * hours. net/http's client side (persistConn) is left out: its goroutines
 * pile up exactly when bodies are left open or requests have no timeout,
 * the leaks the patterns below name. */
static const char *const conn_prefixes[] = {
	"net/http.(*conn).serve",
	"net/http.(*http2serverConn)",
	"net/http.(*http2Server).ServeConn",
	"golang.org/x/net/http2.(*serverConn)",
	"golang.org/x/net/http2.(*Server).ServeConn",
	"google.golang.org/grpc/internal/transport.",
	"google.golang.org/grpc.(*Server).serveStreams",
	"google.golang.org/grpc.(*Server).handleStream",
	"google.golang.org/grpc.(*Server).handleRawConn",
	"google.golang.org/grpc.(*Server).processStreamingRPC",
	"google.golang.org/grpc.(*Server).processUnaryRPC",
	"github.com/soheilhy/cmux.",
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*serverWatchStream)",
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*watchServer).Watch",
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*LeaseServer).leaseKeepAlive",
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*LeaseServer).LeaseKeepAlive",
};

/* Exactly one goroutine per connection: their growth is the connection
 * growth, when the caller could not count connections. */
static const char *const conn_anchors[] = {
	"net/http.(*conn).serve",
	"google.golang.org/grpc/internal/transport.(*http2Server).keepalive",
	"google.golang.org/grpc/internal/transport.(*http2Client).reader",
	"google.golang.org/grpc/internal/transport.(*http2Client).keepalive",
	"google.golang.org/grpc.(*Server).serveStreams",
};

static bool text_has_prefix(const char *s, const char *const *pre, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strncmp(s, pre[i], strlen(pre[i])))
			return true;
	return false;
}

static bool frames_have_prefix(const struct gr_group *g, const char *const *pre, size_t n)
{
	for (size_t i = 0; g && i < g->n_frames; i++)
		if (text_has_prefix(g->frames[i].func, pre, n))
			return true;
	return false;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* By its frames, or by its creator when a debug=2 dump names it. */
static bool follows_connections(const struct gr_group *g, const struct gr_group *d)
{
	return frames_have_prefix(g, conn_prefixes, N_OF(conn_prefixes)) ||
	       (d && text_has_prefix(d->created_by, conn_prefixes, N_OF(conn_prefixes)));
}

static bool conn_anchor(const struct gr_group *g)
{
	/* the outermost frame but the runtime's (debug=1 ends stacks in
	 * runtime.goexit): the function the goroutine was started in */
	for (size_t i = g ? g->n_frames : 0; i-- > 0;)
		if (strncmp(g->frames[i].func, "runtime.", 8))
			return text_has_prefix(g->frames[i].func, conn_anchors, N_OF(conn_anchors));
	return false;
}

/* The most a series rose above its first value. */
static uint64_t rise(const uint64_t *v, size_t n)
{
	uint64_t top = 0;

	for (size_t i = 1; i < n; i++)
		if (v[i] > v[0] && v[i] - v[0] > top)
			top = v[i] - v[0];
	return top;
}

/* ---- patterns ------------------------------------------------------------ */

struct pattern {
	const char *name, *remedy;
};

static const struct pattern P_HTTP_NO_TIMEOUT = {
	"HTTP client with no timeout",
	"give the http.Client a Timeout (or every request a context with a deadline) and its Transport a "
	"ResponseHeaderTimeout and IdleConnTimeout; http.DefaultClient and http.Get have no timeout at all",
};
static const struct pattern P_BODY_NOT_CLOSED = {
	"connection never closed",
	"close every response body (defer resp.Body.Close() right after the error check, and read it to EOF "
	"to reuse the connection); each body left open pins a connection and its readLoop/writeLoop goroutines",
};
static const struct pattern P_SERVER_CONN = {
	"connection never closed",
	"set the http.Server's ReadHeaderTimeout, ReadTimeout and IdleTimeout so that idle and slow clients' "
	"connections are closed instead of kept forever",
};
static const struct pattern P_LOCK = {
	"lock never released",
	"find the path that returns or panics without Unlock (call defer mu.Unlock() right after Lock) and "
	"never hold a lock across a blocking call; 'preflight contention' shows where the mutex is held",
};
static const struct pattern P_WAITGROUP = {
	"WaitGroup never done",
	"call wg.Add before the go statement and defer wg.Done() first thing in the goroutine, on every path",
};
static const struct pattern P_COND = {
	"condition never signalled",
	"call Signal or Broadcast after every change the waiters wait for, and wait in a loop that re-checks "
	"the condition",
};
static const struct pattern P_TICKER = {
	"ticker never stopped",
	"stop the ticker (defer t.Stop()) and give the loop a way out: select on ctx.Done() or a quit "
	"channel next to <-t.C; time.Tick cannot be stopped, use time.NewTicker",
};
static const struct pattern P_SLEEP = {
	"sleep in a loop",
	"replace the time.Sleep loop by a time.Ticker or time.After in a select that also watches ctx.Done(), "
	"so the goroutine can be stopped",
};
static const struct pattern P_RECV = {
	"receive on a channel nobody sends to",
	"close the channel when the producer is done, or receive in a select together with ctx.Done() or a "
	"timeout; a receive on a nil channel blocks forever",
};
static const struct pattern P_SEND = {
	"send with no receiver",
	"give the channel a buffer for results a caller may abandon (make(chan T, 1)), or send in a select "
	"together with ctx.Done()",
};
static const struct pattern P_SELECT = {
	"select with no ready case",
	"add a case on ctx.Done() or a quit channel to the select, and make sure something closes it",
};
static const struct pattern P_NET = {
	"network I/O with no deadline",
	"set a deadline before every blocking read or write (conn.SetDeadline), or close the connection "
	"when its owner is done",
};
static const struct pattern P_GENERIC = {
	"blocked goroutines accumulating",
	"find what creates these goroutines (created_by) and what should wake them, and give each a way out "
	"(context cancellation, a closed channel, a deadline)",
};

/* ---- the program's source, when a collector could read it ------------- */

/* A ticker on this line that nobody can stop: time.Tick, which cannot be
 * stopped at all, or time.NewTicker(d).C, whose ticker has no name to
 * call Stop on. A ticker held in a variable may be stopped anywhere else
 * in the function (a defer above the loop, another goroutine), which the
 * lines at the site do not show: it is not claimed. */
static bool line_leaves_ticker(const char *s, size_t n)
{
	const char *t = memmem(s, n, "time.Tick(", 10);
	const char *nt = memmem(s, n, "NewTicker(", 10);

	if (t)
		return true;
	return nt && memmem(nt, n - (size_t)(nt - s), ").C", 3) != NULL;
}

/* Whether the site's line (or, for a select, the select's block) shows a
 * ticker left running. False when no collector read the line. */
static bool source_says_ticker(const struct source_lines *src, const struct gr_frame *f)
{
	const char *s, *end, *nl;
	int depth = 0;

	if (!src || !f || f->line < 1 || !(s = source_lines_find(src, f->file, f->line)))
		return false;
	end = s + strlen(s);
	for (int i = 0; i < SOURCE_SNIPPET_LINES && s < end; i++) {
		size_t n;

		nl = memchr(s, '\n', (size_t)(end - s));
		n = (size_t)((nl ? nl : end) - s);
		if (line_leaves_ticker(s, n))
			return true;
		/* only a select spreads what it waits on over the lines below */
		if (i == 0 && !memmem(s, n, "select", 6))
			break;
		for (size_t k = 0; k < n; k++)
			depth += s[k] == '{' ? 1 : s[k] == '}' ? -1 : 0;
		if (i > 0 && depth <= 0)
			break;
		s = nl ? nl + 1 : end;
	}
	return false;
}

/* What the other suspects say about HTTP transports: a writeLoop
 * accumulates both when bodies are left open and when responses never
 * come, and its own stack cannot tell which. */
struct context {
	bool body_wait, client_wait;
	const struct source_lines *source;
};

static const struct pattern *classify(const struct gr_group *g, const struct gr_group *d, const struct context *c)
{
	const char *st = d ? d->state : g->state;
	bool chan_wait = !st[0] || state_is(st, "chan receive") || state_is(st, "select");

	if (http_client_call(g))
		return &P_HTTP_NO_TIMEOUT;
	if (has_frame(g, "net/http.(*persistConn).readLoop"))
		return readloop_reading(g) ? &P_HTTP_NO_TIMEOUT : &P_BODY_NOT_CLOSED;
	if (has_frame(g, "net/http.(*persistConn).writeLoop"))
		return c->client_wait && !c->body_wait ? &P_HTTP_NO_TIMEOUT : &P_BODY_NOT_CLOSED;
	if (has_frame(g, "net/http.(*conn).serve") && (!st[0] || state_is(st, "IO wait")))
		return &P_SERVER_CONN;
	if (state_is(st, "sync.Mutex.Lock") || state_is(st, "sync.RWMutex.") || has_frame(g, "sync.(*Mutex).Lock") ||
	    has_frame(g, "sync.(*RWMutex).Lock") || has_frame(g, "sync.(*RWMutex).RLock"))
		return &P_LOCK;
	if (state_is(st, "sync.WaitGroup.Wait") || has_frame(g, "sync.(*WaitGroup).Wait"))
		return &P_WAITGROUP;
	if (state_is(st, "sync.Cond.Wait") || has_frame(g, "sync.(*Cond).Wait"))
		return &P_COND;
	/* A leaked ticker loop parks in a plain receive or select: the
	 * ticker itself is off the stack, and a dump shows it exactly like
	 * a receive nobody sends to. The pattern is a function of the stack
	 * and of the source alone, so that one stack gets one pattern on
	 * every run: which members happened to be caught awake, or a
	 * function's name, say nothing of a ticker being left running (a
	 * gRPC keepalive loop wakes on timers it stops in a defer). Only the
	 * source line can show a ticker nobody can stop. */
	if (chan_wait && source_says_ticker(c->source, gr_group_site(g)))
		return &P_TICKER;
	if (state_is(st, "sleep") || has_frame(g, "time.Sleep"))
		return &P_SLEEP;
	if (state_is(st, "chan receive"))
		return &P_RECV;
	if (state_is(st, "chan send"))
		return &P_SEND;
	if (state_is(st, "select"))
		return &P_SELECT;
	if (state_is(st, "IO wait") || has_frame(g, "internal/poll.runtime_pollWait"))
		return &P_NET;
	return &P_GENERIC;
}

/* ---- the analysis -------------------------------------------------------- */

void gr_analysis_release(struct gr_analysis *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_rows; i++)
		free(a->rows[i].counts);
	free(a->rows);
	for (size_t i = 0; i < a->n_suspects; i++)
		free(a->suspects[i].site);
	for (size_t i = 0; i < a->n_suspects; i++)
		free(a->suspects[i].created_by);
	free(a->suspects);
	memset(a, 0, sizeof(*a));
}

static int row_cmp(const void *pa, const void *pb, void *n_snapshots)
{
	const struct gr_row *a = pa, *b = pb;
	size_t last = *(const size_t *)n_snapshots - 1;
	uint64_t ca = a->counts[last], cb = b->counts[last];

	if (ca != cb)
		return ca > cb ? -1 : 1;
	return a->group->key < b->group->key ? -1 : a->group->key > b->group->key;
}

static int suspect_cmp(const void *pa, const void *pb)
{
	const struct gr_suspect *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->growth != b->growth)
		return a->growth > b->growth ? -1 : 1;
	return a->group->key < b->group->key ? -1 : a->group->key > b->group->key;
}

/* Every key of every snapshot, with its count in each. */
static int build_rows(const struct gr_snapshot *snaps, size_t n, bool exact, struct gr_analysis *a)
{
	size_t total = 0, n_slots = 64;
	uint32_t *slots = NULL;
	int r = 0;

	for (size_t i = 0; i < n; i++)
		total += snaps[i].n_groups;
	while (n_slots < total * 2)
		n_slots *= 2;
	slots = calloc(n_slots, sizeof(*slots));
	a->rows = calloc(total ? total : 1, sizeof(*a->rows));
	if (!slots || !a->rows) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < snaps[i].n_groups; k++) {
			const struct gr_group *g = &snaps[i].groups[k];
			uint64_t id = ident(g, exact);
			size_t j = (size_t)id & (n_slots - 1);
			struct gr_row *row;

			while (slots[j] && ident(a->rows[slots[j] - 1].group, exact) != id)
				j = (j + 1) & (n_slots - 1);
			if (!slots[j]) {
				row = &a->rows[a->n_rows];
				row->counts = calloc(n, sizeof(*row->counts));
				if (!row->counts) {
					r = -ENOMEM;
					goto out;
				}
				a->n_rows++;
				slots[j] = (uint32_t)a->n_rows;
			}
			row = &a->rows[slots[j] - 1];
			row->group = g;
			row->counts[i] += g->count;
		}
out:
	free(slots);
	return r;
}

static int attach_from(const struct gr_snapshot *s, bool exact, struct gr_analysis *a)
{
	struct key_ref *ix = index_snapshot(s, exact);

	if (!ix)
		return -ENOMEM;
	for (size_t k = 0; k < a->n_rows; k++)
		if (!a->rows[k].detail)
			a->rows[k].detail = index_find(ix, s->n_groups, ident(a->rows[k].group, exact));
	free(ix);
	return 0;
}

/* The detail of each row: the same stack in p->detail, or else in the
 * latest debug=2 snapshot of the series that has it. */
static int attach_detail(const struct gr_snapshot *snaps, size_t n, const struct gr_snapshot *detail,
			 bool exact, struct gr_analysis *a)
{
	int r = 0;

	if (detail)
		return detail->debug == 2 ? attach_from(detail, exact, a) : 0;
	for (size_t i = n; i-- > 0 && r == 0;)
		if (snaps[i].debug == 2)
			r = attach_from(&snaps[i], exact, a);
	return r;
}

static char *site_text(const struct gr_group *g)
{
	const struct gr_frame *f = gr_group_site(g);
	char *s = NULL;

	if (!f)
		return strdup("");
	if (asprintf(&s, "%s (%s:%d)", f->func, f->file, f->line) < 0)
		return NULL;
	return s;
}

static char *creator_text(const struct gr_group *g)
{
	char *s = NULL;

	if (!g || !g->created_by[0])
		return strdup("");
	if (!g->created_at[0])
		return strdup(g->created_by);
	if (asprintf(&s, "%s (%s)", g->created_by, g->created_at) < 0)
		return NULL;
	return s;
}

struct verdict {
	bool grows, strict, waits;
};

/* How many of first's goroutines are still in last, in the same call:
 * same id and the same argument values (both sorted by id). */
static size_t survivors(const struct gr_group *first, const struct gr_group *last)
{
	size_t i = 0, j = 0, n = 0;

	while (i < first->n_members && j < last->n_members) {
		const struct gr_member *a = &first->members[i], *b = &last->members[j];

		if (a->id == b->id) {
			n += a->args == b->args;
			i++;
			j++;
		} else if (a->id < b->id) {
			i++;
		} else {
			j++;
		}
	}
	return n;
}

/* Growth is confirmed unless two debug=2 dumps show the group's members
 * being replaced or reused: a leak keeps every goroutine it ever started,
 * parked in the same call (allow one in ten to have been released by a
 * timeout or a late sender, or to show new arguments because the GC moved
 * its stack); a pool that scales up replaces its workers, and a keep-alive
 * connection's goroutine comes back to the same handler with a new
 * request. A stack missing from the dump taken after the last snapshot
 * has no goroutine left: it was in flight, not leaked. */
static bool members_stay(const struct gr_row *row, const struct gr_leak_params *p)
{
	const struct gr_group *last = row->detail, *first = NULL;

	if (!p->detail_first || !p->detail)
		return true;
	if (!last)
		return p->detail->truncated;
	if (!last->members)
		return true;
	for (size_t i = 0; i < p->detail_first->n_groups && !first; i++)
		if (p->detail_first->groups[i].key == row->group->key &&
		    p->detail_first->groups[i].ident == last->ident)
			first = &p->detail_first->groups[i]; /* the same stack from the same go statement */
	if (!first || !first->n_members)
		return true;
	return survivors(first, last) * 10 >= first->n_members * 9;
}

/* What the window says about the target's connections: how much they
 * rose, from the caller's count when it has one, else from the goroutines
 * that exist once per connection. */
static uint64_t connection_rise(const struct gr_analysis *a, const struct gr_leak_params *p)
{
	uint64_t top = 0;

	if (p->conns && p->n_conns >= 2)
		return rise(p->conns, p->n_conns);
	for (size_t i = 0; i < a->n_rows; i++)
		if (conn_anchor(a->rows[i].group)) {
			uint64_t r = rise(a->rows[i].counts, a->n_snapshots);

			top = r > top ? r : top;
		}
	return top;
}

static struct verdict judge(const struct gr_row *row, size_t n, const struct gr_leak_params *p, uint64_t conn_rise)
{
	struct verdict v = { false, false, false };
	const struct gr_group *d = row->detail;
	unsigned present = 0;
	bool nondecreasing = true, strict = true, conn = follows_connections(row->group, d);
	uint64_t need = p->min_growth, growth;

	for (size_t i = 0; i < n; i++) {
		present += row->counts[i] > 0;
		if (i && row->counts[i] < row->counts[i - 1])
			nondecreasing = false;
		if (i && row->counts[i] <= row->counts[i - 1])
			strict = false;
	}
	growth = nondecreasing ? row->counts[n - 1] - row->counts[0] : 0;
	/* Goroutines that follow connections grow with them: only growth
	 * well beyond the connections' own (several new streams per new
	 * connection, all staying) outlasts the traffic. */
	if (conn && conn_rise > 0) {
		uint64_t beyond = conn_rise > (UINT64_MAX - need) / GR_CONN_FACTOR ? UINT64_MAX
										    : conn_rise * GR_CONN_FACTOR + need;

		need = beyond;
	}
	/* A stack with no frame but runtime.goexit is a goroutine the
	 * concurrent goroutine profile caught as it started or exited: it
	 * names no site, and is never a leak; nor is a stack of frames the
	 * runtime could not name, which no one could act on. */
	if (gr_group_site(row->group) && n >= p->min_snapshots && present >= p->min_snapshots && nondecreasing &&
	    growth >= need && members_stay(row, p)) {
		v.grows = true;
		v.strict = strict;
	}
	/* The wait rule: a long wait alone is what every goroutine a
	 * program starts once does (main waiting for shutdown, a signal
	 * loop, a purge loop, a fixed pool's idle workers), and what
	 * connection goroutines of long-lived clients do. It names a leak
	 * only for a group that is not following connections and that also
	 * grew over the snapshots, or is too big to be a program's own
	 * fixed set (wait_min_count). One dump shows no growth: there only
	 * big groups can be suspects. */
	v.waits = d && d->wait_minutes_max >= p->wait_minutes && state_waits(d->state) && !waits_by_design(d) &&
		  !conn && (v.grows || d->count >= p->wait_min_count || row->counts[n - 1] >= p->wait_min_count);
	return v;
}

static int add_suspect(struct gr_analysis *a, const struct gr_row *row, size_t n, struct verdict v)
{
	struct gr_suspect *s = &a->suspects[a->n_suspects];
	const struct gr_group *d = row->detail;
	uint64_t first = row->counts[0], last = row->counts[n - 1];

	memset(s, 0, sizeof(*s));
	s->group = row->group;
	s->counts = row->counts;
	s->count = last ? last : (d ? d->count : row->group->count);
	s->growth = (int64_t)(last - first);
	s->wait_minutes = d ? d->wait_minutes_max : 0;
	s->site = site_text(row->group);
	s->created_by = creator_text(d ? d : row->group);
	a->n_suspects++;
	if (!s->site || !s->created_by)
		return -ENOMEM;
	if (v.grows && v.waits)
		snprintf(s->reason_buf, sizeof(s->reason_buf), "%s and blocked for %llu minutes",
			 v.strict ? "grows in every snapshot" : "only grows", (unsigned long long)s->wait_minutes);
	else if (v.grows && v.strict)
		snprintf(s->reason_buf, sizeof(s->reason_buf), "grows in every snapshot (%llu to %llu)",
			 (unsigned long long)first, (unsigned long long)last);
	else if (v.grows)
		snprintf(s->reason_buf, sizeof(s->reason_buf), "grew from %llu to %llu and never fell",
			 (unsigned long long)first, (unsigned long long)last);
	else
		snprintf(s->reason_buf, sizeof(s->reason_buf), "blocked for %llu minutes on %s",
			 (unsigned long long)s->wait_minutes, d->state);
	return 0;
}

int gr_analyze(const struct gr_snapshot *snaps, size_t n, const struct gr_leak_params *params,
	       struct gr_analysis *ret, struct err *e)
{
	struct gr_leak_params p = {
		.min_growth = GR_DEFAULT_MIN_GROWTH,
		.wait_minutes = GR_DEFAULT_WAIT_MINUTES,
		.min_snapshots = GR_DEFAULT_MIN_SNAPSHOTS,
		.wait_min_count = GR_DEFAULT_WAIT_MIN_COUNT,
	};
	uint64_t conn_rise;
	bool exact;
	struct gr_analysis a;
	struct context c = { false, false, NULL };
	struct verdict *v = NULL;
	int r;

	memset(&a, 0, sizeof(a));
	if (params) {
		p.min_growth = params->min_growth ? params->min_growth : p.min_growth;
		p.wait_minutes = params->wait_minutes ? params->wait_minutes : p.wait_minutes;
		p.min_snapshots = params->min_snapshots ? params->min_snapshots : p.min_snapshots;
		p.detail = params->detail;
		p.wait_min_count = params->wait_min_count ? params->wait_min_count : p.wait_min_count;
		p.detail_first = params->detail_first;
		p.conns = params->conns;
		p.n_conns = params->n_conns;
		c.source = params->source;
	}
	if (!snaps || n == 0) {
		r = err_set(e, -EINVAL, "no goroutine snapshot to analyse");
		goto out;
	}
	a.n_snapshots = n;
	exact = p.detail == NULL || p.detail->debug == snaps[0].debug;
	for (size_t i = 0; i < n; i++)
		exact &= snaps[i].debug == snaps[0].debug;
	r = build_rows(snaps, n, exact, &a);
	if (r == 0)
		r = attach_detail(snaps, n, p.detail, exact, &a);
	if (r < 0)
		goto out;
	qsort_r(a.rows, a.n_rows, sizeof(*a.rows), row_cmp, &n);

	v = calloc(a.n_rows ? a.n_rows : 1, sizeof(*v));
	a.suspects = calloc(a.n_rows ? a.n_rows : 1, sizeof(*a.suspects));
	if (!v || !a.suspects) {
		r = -ENOMEM;
		goto out;
	}
	conn_rise = connection_rise(&a, &p);
	for (size_t i = 0; i < a.n_rows; i++) {
		const struct gr_group *g = a.rows[i].group;

		v[i] = judge(&a.rows[i], n, &p, conn_rise);
		if (!v[i].grows && !v[i].waits)
			continue;
		if (has_frame(g, "net/http.(*persistConn).readLoop") && !readloop_reading(g))
			c.body_wait = true;
		if (http_client_call(g))
			c.client_wait = true;
	}
	for (size_t i = 0; i < a.n_rows && r == 0; i++) {
		const struct pattern *pt;

		if (!v[i].grows && !v[i].waits)
			continue;
		r = add_suspect(&a, &a.rows[i], n, v[i]);
		pt = classify(a.rows[i].group, a.rows[i].detail, &c);
		a.suspects[a.n_suspects - 1].pattern = pt->name;
		a.suspects[a.n_suspects - 1].remedy = pt->remedy;
	}
	if (r < 0)
		goto out;
	qsort(a.suspects, a.n_suspects, sizeof(*a.suspects), suspect_cmp);
	/* reason points into each suspect, so only once they stay put */
	for (size_t i = 0; i < a.n_suspects; i++)
		a.suspects[i].reason = a.suspects[i].reason_buf;
	*ret = a;
	memset(&a, 0, sizeof(a));
out:
	if (r == -ENOMEM)
		err_set(e, r, "out of memory comparing goroutine snapshots");
	free(v);
	gr_analysis_release(&a);
	return r;
}

/* ---- --match ------------------------------------------------------------- */

static bool text_matches(const regex_t *re, const char *s)
{
	return s && s[0] && regexec(re, s, 0, NULL, 0) == 0;
}

bool gr_row_matches(const struct gr_row *row, const regex_t *re)
{
	const struct gr_group *g = row->group, *info = row->detail ? row->detail : g;
	const struct gr_frame *site = gr_group_site(g);

	if (site) {
		char *where = NULL;
		bool hit;

		if (text_matches(re, site->func))
			return true;
		if (asprintf(&where, "%s:%d", site->file, site->line) < 0)
			return false;
		hit = text_matches(re, where);
		free(where);
		if (hit)
			return true;
	}
	return text_matches(re, info->state) || text_matches(re, info->created_by) ||
	       text_matches(re, info->created_at);
}

void gr_analysis_match(struct gr_analysis *a, const regex_t *re)
{
	size_t kept = 0, kept_s = 0;

	a->n_rows_all = a->n_rows;
	a->n_suspects_all = a->n_suspects;
	/* which suspects stay is decided by their rows, before rows move */
	for (size_t i = 0; i < a->n_suspects; i++) {
		struct gr_suspect *s = &a->suspects[i];
		bool keep = false;

		for (size_t k = 0; k < a->n_rows && !keep; k++)
			keep = a->rows[k].group == s->group && gr_row_matches(&a->rows[k], re);
		if (!keep) {
			free(s->site);
			free(s->created_by);
			continue;
		}
		a->suspects[kept_s] = *s;
		/* reason points into the suspect itself */
		a->suspects[kept_s].reason = a->suspects[kept_s].reason_buf;
		kept_s++;
	}
	a->n_suspects = kept_s;
	for (size_t i = 0; i < a->n_rows; i++) {
		if (!gr_row_matches(&a->rows[i], re)) {
			free(a->rows[i].counts);
			continue;
		}
		a->rows[kept++] = a->rows[i];
	}
	a->n_rows = kept;
}
