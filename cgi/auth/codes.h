/*
 * Random one-time codes (SMS codes, recovery codes, temporary passwords)
 * and the account lockout schedule.
 */
#ifndef STAFFDESK_AUTH_CODES_H
#define STAFFDESK_AUTH_CODES_H

#include <stddef.h>

/* No 0/o, 1/l/i: nothing that reads as something else. */
#define CODE_RECOVERY_ALPHABET "abcdefghjkmnpqrstuvwxyz23456789"
#define CODE_RECOVERY_GROUP    4	/* characters between dashes */
#define CODE_RECOVERY_CHARS    12	/* characters without the dashes */
#define CODE_RECOVERY_SIZE     15	/* "xxxx-xxxx-xxxx" and its NUL */

#define LOCKOUT_MAX_SECONDS  3600	/* the longest lock */

/*
 * n characters drawn uniformly from alphabet (1..256 distinct bytes) by
 * rejection sampling over RAND_bytes, NUL-terminated in out (outsz > n).
 * Returns 0, or -1 (bad arguments, RNG failure; out is then wiped).
 */
/* Temporary passwords: no look-alikes (0 O o, 1 l I). */
#define TEMP_PW_ALPHABET "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#define TEMP_PW_LEN      14	/* 14 of 55 characters: 80 bits */

/* A random temporary password of TEMP_PW_LEN characters; 0 or -1. */
int code_temp_password(char *out, size_t outsz);

int code_random(const char *alphabet, size_t n, char *out, size_t outsz);

/*
 * A recovery code "xxxx-xxxx-xxxx" from CODE_RECOVERY_ALPHABET (about
 * 59 bits). outsz >= CODE_RECOVERY_SIZE. Returns 0 or -1.
 */
int code_recovery(char *out, size_t outsz);

/*
 * A typed recovery code in the form stored: ASCII lower-cased, spaces and
 * dashes dropped. Returns CODE_RECOVERY_CHARS, or -1 when anything else is
 * outside CODE_RECOVERY_ALPHABET, the length is not CODE_RECOVERY_CHARS or
 * out is smaller than CODE_RECOVERY_CHARS + 1 (out is then wiped).
 */
int code_recovery_normalise(const char *in, char *out, size_t outsz);

/*
 * Seconds an account stays locked after `failures` consecutive failures:
 * 0 below threshold (lockout.threshold), base seconds at it
 * (lockout.seconds), doubling with each further failure, at most
 * LOCKOUT_MAX_SECONDS. Pure.
 */
long lockout_delay(int failures, int threshold, long base);

#endif /* STAFFDESK_AUTH_CODES_H */
