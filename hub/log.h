/* log — the hub's one place to report what happens, to standard error. */
#ifndef WARD_LOG_H
#define WARD_LOG_H

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Only messages at or above this level (in importance) are written. */
void	log_set_level(enum log_level);
/* Write one line "2026-11-27T17:42:33Z wardd[pid]: level: message".
   Safe from any thread. */
void	log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Also hand each error and warning (the message alone) to fn(arg,
 * level, msg), on the thread that logs it, never from inside fn itself
 * (hub/selflog.c).  fn NULL: none.  After it returns no call of the
 * previous fn is running.
 */
void	log_set_hook(void (*fn)(void *, enum log_level, const char *),
	    void *arg);

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
