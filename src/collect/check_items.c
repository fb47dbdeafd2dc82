/* check_items: collect once, judge each item (check_items.h). */
#include "collect/check_items.h"

#include <stdlib.h>
#include <string.h>

int check_items_collect(struct facts *f, struct collect_opts *o, const struct checklist_item *items,
			const size_t *idx, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		const struct checklist_item *it = &items[idx ? idx[i] : i];

		if (it->def && (it->def->flags & CHECK_READS_METRICS))
			o->metrics_doc = true;
	}
	return facts_collect(f, o, e);
}

void check_item_judge(const struct checklist_item *it, const struct facts *f, struct check_result *r)
{
	result_init(r, it->def);
	r->item_id = strdup(it->id);
	r->title = strdup(it->title ? it->title : it->def->title);
	r->meta.owner = it->owner;
	r->meta.due = it->due;
	r->meta.severity = it->severity;
	r->meta.rollback = it->rollback;
	r->meta.tags = it->tags;
	check_run(it->def, f, it->params, r);
}
