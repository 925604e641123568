/*
 * Unit tests for hub/ingest/transit: the order of steps, a batch step
 * that drops and replaces events, steps left out or failing to load, and
 * a reload while a worker holds the previous transit.  The steps here are
 * made up for the test; the real ones have tests of their own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "transit.h"

/* What the made-up steps did, for the tests to look at. */
static int inits, frees, wnews, wfrees, fail_init, fail_worker;

struct st {
	int	 gen;		/* which load made it */
};

static int
tag_init(const struct transit_opts *o, void **state, char *err,
    size_t errlen)
{
	struct st *s;

	(void)o;
	if (fail_init) {
		snprintf(err, errlen, "tag.yml:3: broken");
		return -1;
	}
	if ((s = calloc(1, sizeof *s)) == NULL)
		return -1;
	s->gen = ++inits;
	*state = s;
	return 0;
}

static void
tag_free(void *state)
{
	if (state != NULL)
		frees++;
	free(state);
}

static void *
tag_worker_new(void *state, char *err, size_t errlen)
{
	(void)state;
	if (fail_worker) {
		snprintf(err, errlen, "no worker");
		return NULL;
	}
	wnews++;
	return malloc(1);
}

static void
tag_worker_free(void *state, void *w)
{
	(void)state;
	if (w != NULL)
		wfrees++;
	free(w);
}

/* Appends "gen N" to the event's tags; says it changed a field when the
   event has "change". */
static int
tag_event(void *state, void *w, json_t *ev, const struct transit_ctx *ctx)
{
	struct st *s = state;
	char	 t[16];

	(void)w, (void)ctx;
	snprintf(t, sizeof t, "gen %d", s->gen);
	if (json_array_append_new(json_object_get(ev, "tags"),
	    json_string(t)) == -1)
		return -1;
	return json_object_get(ev, "change") != NULL;
}

/* Drops events with "drop", replaces those with "replace". */
static int
drop_batch(void *state, void *w, json_t **evs, size_t n,
    unsigned char *flags, const struct transit_ctx *ctx)
{
	size_t	 i;

	(void)state, (void)w, (void)ctx;
	for (i = 0; i < n; i++) {
		/* a dropped event is never seen again */
		if (json_object_get(evs[i], "seen_by_batch") != NULL)
			fail_msg("event %zu given twice", i);
		json_object_set_new(evs[i], "seen_by_batch", json_true());
		if (json_object_get(evs[i], "drop") != NULL)
			flags[i] |= TRANSIT_DROP;
		else if (json_object_get(evs[i], "replace") != NULL) {
			json_decref(evs[i]);
			evs[i] = json_pack("{s:[s], s:b}", "tags", "new",
			    "seen_by_batch", 1);
			flags[i] |= TRANSIT_CHANGED;
		}
	}
	return 0;
}

/* Leaves itself out: nothing to do. */
static int
off_init(const struct transit_opts *o, void **state, char *err,
    size_t errlen)
{
	(void)o, (void)err, (void)errlen;
	*state = NULL;
	return 0;
}

static int
off_event(void *state, void *w, json_t *ev, const struct transit_ctx *ctx)
{
	(void)state, (void)w, (void)ev, (void)ctx;
	fail_msg("a step that left itself out ran");
	return 0;
}

static const struct transit_step tag = {
	.name = "tag", .init = tag_init, .free = tag_free,
	.worker_new = tag_worker_new, .worker_free = tag_worker_free,
	.event = tag_event,
};
static const struct transit_step drop = {
	.name = "drop", .batch = drop_batch,
};
static const struct transit_step off = {
	.name = "off", .init = off_init, .event = off_event,
};
static const struct transit_step *const table[] = { &off, &tag, &drop, &tag };

static void
reset(void)
{
	inits = frees = wnews = wfrees = fail_init = fail_worker = 0;
}

static json_t *
ev(const char *s)
{
	json_t	*j = json_loads(s, 0, NULL);

	assert_non_null(j);
	return j;
}

static void
runs_steps_in_order(void **state)
{
	struct transit_opts o = { 0 };
	struct transit_ctx ctx = { 0 };
	struct transit *t;
	struct transit_worker *w;
	json_t	*evs[4];
	unsigned char flags[4] = { 0 };
	char	 err[128];
	size_t	 i;

	(void)state;
	reset();
	assert_non_null(t = transit_new_steps(table, 4, &o, err, sizeof err));
	assert_int_equal(transit_nsteps(t), 3);	/* "off" is left out */
	assert_int_equal(inits, 2);
	assert_non_null(w = transit_worker_new(t, err, sizeof err));
	assert_int_equal(wnews, 2);
	evs[0] = ev("{\"tags\":[]}");
	evs[1] = ev("{\"tags\":[],\"drop\":1}");
	evs[2] = ev("{\"tags\":[],\"replace\":1}");
	evs[3] = ev("{\"tags\":[],\"change\":1}");
	assert_int_equal(transit_run(w, evs, 4, flags, &ctx), 0);
	/* both per-event steps ran before the batch step, in table order */
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    evs[0], "tags"), 1)), "gen 2");
	assert_int_equal(json_array_size(json_object_get(evs[0], "tags")), 2);
	assert_int_equal(flags[0], 0);
	assert_int_equal(flags[1], TRANSIT_DROP);
	assert_int_equal(flags[2], TRANSIT_CHANGED);
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    evs[2], "tags"), 0)), "new");
	assert_int_equal(flags[3], TRANSIT_CHANGED);
	for (i = 0; i < 4; i++)
		assert_non_null(json_object_get(evs[i], "seen_by_batch"));
	for (i = 0; i < 4; i++)
		json_decref(evs[i]);
	transit_worker_free(w);
	assert_int_equal(wfrees, 2);
	transit_unref(t);
	assert_int_equal(frees, 2);
}

static void
reports_a_step_that_does_not_load(void **state)
{
	struct transit_opts o = { 0 };
	struct transit *t;
	char	 err[128] = "";

	(void)state;
	reset();
	fail_init = 1;
	t = transit_new_steps(table, 4, &o, err, sizeof err);
	assert_null(t);
	assert_string_equal(err, "tag.yml:3: broken");
	fail_init = 0;
	/* none of its worker states: a worker of a NULL transit does nothing */
	{
		struct transit_worker *w;
		struct transit_ctx ctx = { 0 };
		json_t	*e = ev("{\"tags\":[]}");
		unsigned char f = 0;

		assert_non_null(w = transit_worker_new(NULL, err, sizeof err));
		assert_int_equal(transit_run(w, &e, 1, &f, &ctx), 0);
		assert_int_equal(json_array_size(json_object_get(e, "tags")), 0);
		json_decref(e);
		transit_worker_free(w);
	}
}

static void
moves_workers_on_reload(void **state)
{
	struct transit_opts o = { 0 };
	struct transit_ctx ctx = { 0 };
	struct transit *t1, *t2, *t3;
	struct transit_slot *slot;
	struct transit_worker *w;
	unsigned char f = 0;
	json_t	*e;
	char	 err[128];

	(void)state;
	reset();
	assert_non_null(t1 = transit_new_steps(table, 4, &o, err, sizeof err));
	assert_non_null(slot = transit_slot_new(t1));
	assert_non_null(w = transit_slot_worker(slot, err, sizeof err));
	transit_unref(t1);		/* the slot and the worker hold it */
	assert_int_equal(frees, 0);

	/* a reload: the worker keeps the old transit until it syncs */
	assert_non_null(t2 = transit_new_steps(table, 4, &o, err, sizeof err));
	transit_slot_set(slot, t2);
	transit_unref(t2);
	assert_int_equal(frees, 0);
	e = ev("{\"tags\":[]}");
	assert_int_equal(transit_run(w, &e, 1, &f, &ctx), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(e,
	    "tags"), 0)), "gen 1");
	json_decref(e);
	transit_worker_sync(w);
	assert_int_equal(frees, 2);	/* the last holder left the first */
	e = ev("{\"tags\":[]}");
	assert_int_equal(transit_run(w, &e, 1, &f, &ctx), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(e,
	    "tags"), 0)), "gen 3");
	json_decref(e);

	/* a worker state that cannot be made: the worker stays where it is */
	assert_non_null(t3 = transit_new_steps(table, 4, &o, err, sizeof err));
	transit_slot_set(slot, t3);
	transit_unref(t3);
	fail_worker = 1;
	transit_worker_sync(w);
	fail_worker = 0;
	e = ev("{\"tags\":[]}");
	assert_int_equal(transit_run(w, &e, 1, &f, &ctx), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(e,
	    "tags"), 0)), "gen 3");
	json_decref(e);
	transit_worker_sync(w);		/* and moves once it can */
	e = ev("{\"tags\":[]}");
	assert_int_equal(transit_run(w, &e, 1, &f, &ctx), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(e,
	    "tags"), 0)), "gen 5");
	json_decref(e);

	transit_worker_free(w);
	transit_slot_free(slot);
	assert_int_equal(frees, inits);
	assert_int_equal(wfrees, wnews);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runs_steps_in_order),
		cmocka_unit_test(reports_a_step_that_does_not_load),
		cmocka_unit_test(moves_workers_on_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
