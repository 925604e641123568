/*
 * fuzz_actions — libFuzzer target for the response actions file
 * (DATA/actions.yml, hub/rules/actions.c): any input either parses or is refused
 * with a "name:line: reason"; what parses is asked which actions a few
 * fixed alerts would run.
 *
 *   make build/fuzz/fuzz_actions && build/fuzz/fuzz_actions -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "actions.h"

static const char *const alerts[] = {
	"{\"id\":1,\"rule\":\"SSH brute force\",\"rule_id\":\"x\","
	    "\"severity\":\"high\",\"change\":\"new\"}",
	"{\"id\":2,\"rule\":\"Root login\",\"rule_id\":\"y\","
	    "\"severity\":\"low\",\"change\":\"update\"}",
	"{\"id\":3,\"severity\":\"critical\",\"change\":\"escalated\"}",
	"{}",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct action_set *set;
	char	 err[512], names[1024];
	size_t	 i, n;

	err[0] = '\0';
	set = action_set_parse((const char *)data, size, "fuzz.yml", err,
	    sizeof err);
	if (set == NULL) {
		if (err[0] == '\0')
			abort();	/* a refusal must say why */
		return 0;
	}
	n = action_set_count(set);
	for (i = 0; i < sizeof alerts / sizeof *alerts; i++) {
		json_t	*a = json_loads(alerts[i], 0, NULL);

		if (action_set_select(set, a, names, sizeof names) > n)
			abort();	/* never more than it holds */
		json_decref(a);
	}
	action_set_free(set);
	return 0;
}
