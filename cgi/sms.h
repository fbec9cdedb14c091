/*
 * sms.h: sending a text message, as the config says: to sms_command
 * (run with the number as argv[1] and the message on stdin) or to the
 * sms_log file (one "NUMBER<TAB>MESSAGE" line). The message is never
 * written to staffdesk's own log: it may carry a secret.
 */
#ifndef STAFFDESK_SMS_H
#define STAFFDESK_SMS_H

#define SMS_MAX		480	/* bytes: three SMS segments */

struct conf;

/* 0 when delivered to the configured channel; -1 otherwise (logged). */
int	 sms_deliver(const struct conf *, const char *number, const char *text);

#endif
