/* watch_store: the directory `preflight watch` saves its events to.
 *
 * An event is a set of files sharing one stem, "20261126T100000Z-REASON"
 * (with "-2", "-3"... when that stem is taken):
 *
 *   heap-STEM.pb.gz           the heap profile as the runtime serves it (debug=0)
 *   goroutine-STEM.txt        the goroutine profile, debug=1
 *   goroutine-STEM.debug2.txt the goroutine profile, debug=2 (when affordable)
 *   memstats-STEM.json        /debug/vars at the sample that crossed
 *   meta-STEM.json            what was taken and why, and the event's incident
 *
 * Files are written as ".NAME.partial" and renamed into place only when
 * the whole event is in, so a reader (or a stop mid-event) never sees a
 * partial file. The directory is locked (flock) while open: two watchers
 * never prune each other's events. Only names of this pattern are ever
 * pruned or cleaned up; anything else in the directory is left alone.
 *
 * Retention keeps the first capture of every incident: beyond keep, the
 * middle captures of incidents go first (neither an incident's first nor
 * its latest), oldest first; then the other captures that are not an
 * incident's first, oldest first; an incident's first capture only when
 * nothing else is left to delete, oldest first. An event's incident is
 * read from its meta file; an event without one (an older preflight's)
 * counts as the first capture of an incident of its own.
 */
#ifndef PREFLIGHT_WATCH_STORE_H
#define PREFLIGHT_WATCH_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define WATCH_STEM_MAX 64
#define WATCH_NAME_MAX 96
#define WATCH_EVENT_FILES 5
/* A meta file larger than this is not ours. */
#define WATCH_META_MAX (64u << 10)

struct watch_store {
	char *dir;
	int dirfd;                         /* O_DIRECTORY, holds the flock */
	unsigned keep;                     /* events kept; 0 = all */
	/* The last stem's second and sequence number: a stem freed by
	 * pruning is not handed out again, so stems keep their order. */
	char last_stamp[32];
	int last_seq;
	/* The event being written. */
	char stem[WATCH_STEM_MAX];
	char names[WATCH_EVENT_FILES][WATCH_NAME_MAX];
	size_t n_names;
};

/* Opens (creating it, mode 0700, when missing) and locks dir, and removes
 * partial files a killed watcher left. -EBUSY when another watcher holds
 * it. */
int watch_store_open(struct watch_store *s, const char *dir, unsigned keep, struct err *e);
void watch_store_close(struct watch_store *s);

/* Starts an event: picks a free stem from the UTC time and the reason. */
int watch_store_begin(struct watch_store *s, double wall, const char *reason, struct err *e);
/* Writes one file of the event (kind "heap", "goroutine", "memstats";
 * suffix ".pb.gz", ".txt", ".debug2.txt", ".json") under its partial
 * name, mode 0600. The final name is s->names[i] after commit. */
int watch_store_put(struct watch_store *s, const char *kind, const char *suffix, const void *data, size_t len,
		    struct err *e);
/* Renames the event's files into place. */
int watch_store_commit(struct watch_store *s, struct err *e);
/* Drops the event's partial files. */
void watch_store_abort(struct watch_store *s);
/* An event as retention sees it. */
struct watch_capture_info {
	char stem[WATCH_STEM_MAX];
	char incident[WATCH_STEM_MAX];     /* the incident's id; the stem when unknown */
	unsigned capture;                  /* its number in the incident, from 1 */
	bool first;                        /* the first capture of an incident (of any of its crossings) */
};

/* The incident of an event from its meta file's text (the "incident"
 * member: {"id": "...", "capture": N, "first": true|false}). Returns 0,
 * or -PF_EPARSE when the text is not such a document; ret keeps the stem
 * the caller put there and is then the first capture of its own incident. */
int watch_meta_parse(const char *text, size_t n, struct watch_capture_info *ret);

/* The retention plan (pure): of n events in the order they were made,
 * marks in del[] those to delete so that at most keep remain (0 = keep
 * all), by the rule above. Returns how many are marked. */
size_t watch_store_plan_prune(const struct watch_capture_info *c, size_t n, unsigned keep, bool *del);

/* Deletes the events beyond keep by that plan; *ret_removed (may be
 * NULL; free() it) gets what was deleted, oldest first, and *ret_n how
 * many. */
int watch_store_prune(struct watch_store *s, struct watch_capture_info **ret_removed, size_t *ret_n,
		      struct err *e);

/* Whether name is a file of an event ("heap-20261126T100000Z-gc-cpu.pb.gz");
 * its stem goes to stem (WATCH_STEM_MAX bytes) when not NULL. */
bool watch_store_parse_name(const char *name, char *stem);

#endif
