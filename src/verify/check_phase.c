/* verify check: items naming a built-in check, judged as `preflight check`
 * judges them (collect/check_items.h): one collection of the host and the
 * target for all of them, then each check over those facts.
 *
 * A check's verdict becomes the item's: pass passes; warn passes with the
 * note "warn: ..." (fails under warn_fails); fail and error fail; skip
 * fails with "not verified: <reason>", since an item the automation could
 * not show working needs a person (who can confirm it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collect/check_items.h"
#include "facts/facts.h"
#include "report/report.h"
#include "verify/verify_run.h"

static void judge(struct verify_job *j, const struct checklist_item *it, const struct facts *f,
		  const struct verify_target *t)
{
	struct check_result cr;
	const char *s;

	check_item_judge(it, f, &cr);
	s = cr.summary ? cr.summary : "";
	j->res.evidence = report_check_to_json(&cr);
	switch (cr.status) {
	case STATUS_PASS: verify_job_set(j, ITEM_PASS, "%s", s); break;
	case STATUS_WARN: verify_job_set(j, t->warn_fails ? ITEM_FAIL : ITEM_PASS, "warn: %s", s); break;
	case STATUS_SKIP: verify_job_set(j, ITEM_FAIL, "not verified: %s", s); break;
	case STATUS_ERROR: verify_job_set(j, ITEM_FAIL, "error: %s", s); break;
	default: verify_job_set(j, ITEM_FAIL, "%s", s); break;
	}
	result_release(&cr);
}

int verify_check_phase(const struct verify_run *run, const size_t *idx, size_t n, struct err *e)
{
	const struct verify_target *t = &run->o->target;
	const struct checklist_item *items = run->cl->items;
	struct verify_job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	size_t *judged = calloc(n ? n : 1, sizeof(*judged));
	struct facts f = { 0 };
	struct err ce = { "" };
	size_t m = 0;
	int r = 0;

	if (!jobs || !judged) {
		free(jobs);
		free(judged);
		return err_set(e, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		verify_job_start(run, &jobs[i], idx[i]);
	/* Without a target, target checks are not judged at all: no
	 * collection can show them working. */
	for (size_t i = 0; i < n; i++) {
		const struct checklist_item *it = &items[idx[i]];

		if (!it->def) {
			verify_job_set(&jobs[i], ITEM_FAIL, "no built-in check named '%s'", it->check ? it->check : "");
			verify_job_done(run, &jobs[i]);
		} else if (!t->pid && (it->def->flags & CHECK_NEEDS_TARGET)) {
			verify_job_set(&jobs[i], ITEM_FAIL, "needs a target: pass --pid or --process");
			verify_job_done(run, &jobs[i]);
		} else {
			judged[m++] = i;
		}
	}
	if (m) {
		size_t *sub = calloc(m, sizeof(*sub));
		struct collect_opts o = { "", t->pid, t->window_s, (long)((t->timeout_s > 0 ? t->timeout_s : 2) * 1000),
					  20000, NULL, t->metrics_url, false };

		if (!sub) {
			r = err_set(e, -ENOMEM, "out of memory");
		} else {
			for (size_t k = 0; k < m; k++)
				sub[k] = idx[judged[k]];
			r = check_items_collect(&f, &o, items, sub, m, &ce);
			free(sub);
		}
		for (size_t k = 0; k < m; k++) {
			struct verify_job *j = &jobs[judged[k]];

			if (r == -ENOMEM)
				verify_job_set(j, ITEM_FAIL, "not run: out of memory");
			else if (r < 0)
				verify_job_set(j, ITEM_FAIL, "%s", ce.msg);
			else
				judge(j, &items[j->index], &f, t);
			verify_job_done(run, j);
		}
		/* A target that is gone fails its items; only a broken run is an error. */
		r = r == -ENOMEM ? r : 0;
	}
	facts_release(&f);
	free(jobs);
	free(judged);
	return r;
}
