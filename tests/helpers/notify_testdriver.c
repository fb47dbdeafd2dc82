/* notify_testdriver: opens runs and fails items through the store API for
 * the notify scenarios (t104x, bench/outbox.sh), so they need no other command. Test-only.
 *
 *   notify_testdriver DB open CHECKLIST DUE_AGO_S   -> prints the run id;
 *       every item is due DUE_AGO_S seconds ago (negative: in the future)
 *   notify_testdriver DB fail RUN ITEM SUMMARY      -> fails the item and
 *       opens its follow-up (notify_followup_open); prints the follow-up id
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/checklist.h"
#include "notify/notify.h"
#include "store/store.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_run(struct store *s, const char *path, double due_ago_s, struct err *e)
{
	struct checklist c;
	struct run_open o = { 0 };
	json_t *items = json_array();
	int64_t t = now_ms(), id;

	if (checklist_load_file(path, &c, e) < 0)
		return -1;
	for (size_t i = 0; i < c.n_items; i++)
		json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s?,s:I,s:o}", "id", c.items[i].id, "title",
						       c.items[i].title ? c.items[i].title : c.items[i].id, "verify_kind",
						       verify_kind_name(c.items[i].verify), "owner", c.items[i].owner,
						       "due_ms", (json_int_t)(t - (int64_t)(due_ago_s * 1000)),
						       "definition", checklist_item_to_json(&c.items[i])));
	o.name = c.name ? c.name : "checklist";
	o.source = path;
	o.env = "prod";
	o.owner = c.owner;
	o.opened_by = "tester";
	o.host = "testhost";
	o.parent_ticket = getenv("PARENT_TICKET");
	o.opened_ms = t;
	o.checklist = checklist_to_json(&c);
	o.items = items;
	id = store_run_create(s, &o, e);
	json_decref(o.checklist);
	json_decref(items);
	checklist_release(&c);
	if (id < 0)
		return -1;
	printf("%lld\n", (long long)id);
	return 0;
}

static int fail_item(struct store *s, int64_t run, const char *item, const char *summary, struct err *e)
{
	struct run_view v;
	struct event ev = { 0 };
	struct item_view *it;
	int64_t t = now_ms(), fid;

	if (store_begin_write(s, e) < 0)
		return -1;
	if (store_run_view(s, run, t, &v, e) < 0) {
		store_rollback(s);
		return -1;
	}
	it = run_view_item(&v, item);
	ev.run_id = run;
	ev.item_id = (char *)item;
	ev.kind = EV_ITEM_FAIL;
	ev.status = ITEM_FAIL;
	ev.actor = "tester";
	ev.reason = (char *)summary;
	ev.at_ms = t;
	ev.data = json_object();
	if (!it || store_append(s, &ev, e) < 0 ||
	    (fid = notify_followup_open(s, &v, it, summary, "tester", t, e)) < 0) {
		json_decref(ev.data);
		free(ev.host);
		store_rollback(s);
		run_view_release(&v);
		return -1;
	}
	json_decref(ev.data);
	free(ev.host);
	run_view_release(&v);
	if (store_commit(s, e) < 0)
		return -1;
	printf("%lld\n", (long long)fid);
	return 0;
}

int main(int argc, char **argv)
{
	struct store *s;
	struct err e = { "" };
	int r = -1;

	if (argc < 4) {
		fprintf(stderr, "usage: notify_testdriver DB open CHECKLIST DUE_AGO_S | DB fail RUN ITEM SUMMARY\n");
		return 2;
	}
	if (store_open(argv[1], &s, &e) < 0) {
		fprintf(stderr, "notify_testdriver: %s\n", e.msg);
		return 2;
	}
	if (strcmp(argv[2], "open") == 0 && argc == 5)
		r = open_run(s, argv[3], atof(argv[4]), &e);
	else if (strcmp(argv[2], "fail") == 0 && argc == 6)
		r = fail_item(s, atoll(argv[3]), argv[4], argv[5], &e);
	else
		snprintf(e.msg, sizeof(e.msg), "bad arguments");
	store_close(s);
	if (r < 0)
		fprintf(stderr, "notify_testdriver: %s\n", e.msg);
	return r < 0 ? 1 : 0;
}
