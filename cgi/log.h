/*
 * log.h: one line per event, and one per request, on stderr (systemd's
 * journal or the stack's log file keeps it). Every line is key=value
 * pairs (logfmt), so journalctl, grep and log shippers read the same
 * fields:
 *
 *   time=2026-12-01T21:35:00.123Z level=warn prog=staffdesk.fcgi pid=4242
 *   request_id=0f3c...e1 msg="db: execute Q_USER_BY_UPN: error 2013"
 *
 * A value is written bare when it is made of printable ASCII without
 * spaces, quotes, backslashes or '='; otherwise in double quotes with
 * '"' and '\' escaped and every control character (C0, DEL, C1, U+2028
 * and U+2029, and bytes that are not UTF-8) as \n, \r, \t, \xHH or
 * \uHHHH, so nothing a client sends can start a second line or drive a
 * terminal. A line is written with one write(2) (lines of concurrent
 * workers do not interleave) and is at most LOG_LINE_MAX bytes: a longer
 * one is cut and ends in "cut=1".
 *
 * Never pass a password, code, token or cookie to these functions.
 */
#ifndef STAFFDESK_LOG_H
#define STAFFDESK_LOG_H

#include <stddef.h>

#include "conf.h"

#define LOG_LINE_MAX	2048	/* bytes of a line, its newline included */
#define LOG_MSG_MAX	1024	/* bytes of a message before escaping */
#define LOG_ID_LEN	32	/* a request id: hex digits */

/* A line being built (on the stack: no allocation per line). */
struct log_line {
	char	buf[LOG_LINE_MAX];
	size_t	len;
	int	cut;		/* a value did not fit */
};

/* Set once at start-up. */
void	log_init(const char *prog, int level);
/* 1 when lines of level are written. */
int	log_enabled(int level);
/*
 * The request a worker is serving (LOG_ID_LEN hex digits), written as
 * request_id= into every line until it is set to NULL at the end of
 * the request; so an event can be traced to its request, its page and
 * its audit row.
 */
void	log_request_id(const char *id);

/* An event: msg="..." after the common fields. */
void	log_msg(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * A line of one's own (the worker's request line): log_begin writes
 * time, level, prog, pid and the request id; log_kv and log_kv_int add
 * fields; log_end writes the line (one write(2)).
 */
void	log_begin(struct log_line *, int level);
void	log_kv(struct log_line *, const char *key, const char *value);
void	log_kv_int(struct log_line *, const char *key, long long value);
void	log_end(struct log_line *);

/*
 * value as a logfmt value into out[outsz] (bare, or quoted and escaped
 * as above), NUL-terminated. Returns its length, or -1 (and out holds
 * nothing) when it does not fit. Pure.
 */
int	log_value(char *out, size_t outsz, const char *value);

#endif
