/*
 * log.h: one line per event on stderr (nginx or systemd keeps it).
 * Never pass a password, code, token or cookie to these functions.
 */
#ifndef STAFFDESK_LOG_H
#define STAFFDESK_LOG_H

#include "conf.h"

/* Set once at start-up. */
void	log_init(const char *prog, int level);
void	log_msg(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
