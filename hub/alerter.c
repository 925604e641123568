/* Placeholder until the alerting engine is wired: drops every job. */
#include <stdlib.h>

#include "alerter.h"

struct alerter {
	int	 unused;
};

struct alerter *
alerter_new(struct hub *h, const struct alerter_opts *o, char *err,
    size_t errlen)
{
	return calloc(1, sizeof(struct alerter));
}

void
alerter_submit(struct alerter *a, struct job *j)
{
	job_free(j);
}

void
alerter_reload(struct alerter *a)
{
}

void
alerter_free(struct alerter *a)
{
	free(a);
}
