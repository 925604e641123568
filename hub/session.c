/* Placeholder until the session layer lands: refuses every WebSocket. */
#include "session.h"

int
sessions_start(struct hub *h, char *err, size_t errlen)
{
	return 0;
}

void
sessions_stop(struct hub *h)
{
}

int
session_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	if (reason == LWS_CALLBACK_ESTABLISHED)
		return -1;
	return 0;
}

size_t
session_pss_size(void)
{
	return 16;
}

void
sessions_wake(struct hub *h)
{
}

void
sessions_events(struct hub *h, const struct job *j)
{
}
