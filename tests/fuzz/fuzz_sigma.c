/*
 * fuzz_sigma — libFuzzer target for the Sigma rule loader and matcher.
 * The input is YAML rule text, optionally followed by a line "#EVENTS"
 * and NDJSON events; every rule that loads is run over the events (and
 * over a few fixed ones) through the index, the direct evaluation (which
 * must agree) and a correlator, with deadman ticks.
 *
 *   make build/fuzz/fuzz_sigma && build/fuzz/fuzz_sigma -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "correlate.h"
#include "sigma.h"

static const char *const fixed[] = {
	"{\"utctimestamp\": \"2026-11-27T10:00:00Z\", \"receivedtimestamp\": "
	"\"2026-11-27T12:00:00Z\", \"processname\": \"sshd\", \"hostname\": "
	"\"web1\", \"summary\": \"Failed password for invalid user admin from "
	"203.0.113.7 port 52211 ssh2\", \"tags\": [\"a\", 1, null], "
	"\"details\": {\"sourceipaddress\": \"203.0.113.7\", \"username\": "
	"\"admin\", \"success\": false, \"n\": 5, \"x\": {\"y\": [1.5]}}}",
	"{\"summary\": \"\", \"details\": {\"a.b\": \"c\"}}",
	"{}",
};

static void
sink(void *arg, const struct rule_match *m)
{
	size_t *n = arg;

	*n += m->nids + strlen(m->summary) + strlen(m->group);
}

static void
run(struct ruleset *rs, struct correlator *c, struct sigma_scratch *s,
    json_t *ev, int64_t id, size_t *n)
{
	const size_t *hits;
	size_t nh, i, k = 0;

	nh = sigma_match(rs, s, ev, &hits);
	{
		size_t *copy = malloc((nh + 1) * sizeof(*copy));

		if (copy == NULL)
			return;
		memcpy(copy, hits, nh * sizeof(*copy));
		for (i = 0; i < ruleset_count(rs); i++)
			if (sigma_rule_matches(rs, s, ruleset_rule(rs, i), ev)) {
				if (k >= nh || copy[k] != i)
					abort();	/* the index lost a match */
				k++;
			}
		if (k != nh)
			abort();
		free(copy);
	}
	correlator_feed(c, ev, id, 1795773600000000LL + id * 1000000, sink, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs;
	struct correlator *c;
	struct sigma_scratch *s;
	const char *text = (const char *)data, *ev_at, *p, *nl;
	size_t ylen = size, i, n = 0;
	json_t *ev;
	int64_t id = 0;

	ev_at = memmem(data, size, "\n#EVENTS\n", 9);
	if (ev_at != NULL)
		ylen = ev_at - text;
	rs = ruleset_load_string(text, ylen, "fuzz.yml", NULL, NULL, NULL);
	if (rs == NULL)
		return 0;
	c = correlator_new(rs);
	s = sigma_scratch_new(rs);
	if (c == NULL || s == NULL)
		goto done;
	for (i = 0; i < sizeof(fixed) / sizeof(*fixed); i++) {
		if ((ev = json_loads(fixed[i], 0, NULL)) == NULL)
			abort();
		run(rs, c, s, ev, ++id, &n);
		json_decref(ev);
	}
	if (ev_at != NULL) {
		for (p = ev_at + 9; p < text + size; p = nl + 1) {
			nl = memchr(p, '\n', text + size - p);
			if (nl == NULL)
				nl = text + size;
			ev = json_loadb(p, nl - p, JSON_DECODE_ANY, NULL);
			if (ev != NULL && json_is_object(ev))
				run(rs, c, s, ev, ++id, &n);
			json_decref(ev);
		}
	}
	correlator_tick(c, 1795773600000000LL + 86400000000LL, sink, &n);
	correlator_tick(c, 1795773600000000LL + 2 * 86400000000LL, sink, &n);
done:
	sigma_scratch_free(s);
	correlator_free(c);
	ruleset_free(rs);
	return 0;
}
