/*
 * mfa.h: TOTP secrets (sealed with the data key, bound to the user id)
 * and recovery codes (stored as SHA-256; they are random, 60 bits).
 */
#ifndef STAFFDESK_DB_MFA_H
#define STAFFDESK_DB_MFA_H

#include <stddef.h>
#include <stdint.h>

#include "auth/codes.h"

#define TOTP_SECRET_BYTES	20	/* 160 bits, RFC 4226 §4 R6 */
#define RECOVERY_CODES		10

struct db;
struct arena;

struct totp_row {
	unsigned char	secret[TOTP_SECRET_BYTES];
	size_t		len;
	int64_t		last_step;
	int		confirmed;
};

/* DB_OK (secret opened), DB_NONE, or DB_ERR also when it will not open. */
int	 db_totp_get(struct db *, struct arena *, const unsigned char *key,
	    const char *user_id, struct totp_row *);
/* Replaces the user's secret with a confirmed one (CLI provisioning). */
int	 db_totp_store(struct db *, const unsigned char *key,
	    const char *user_id, const unsigned char *secret, size_t len);
/*
 * Confirms an enrolment with the step its code matched: DB_OK stored,
 * DB_NONE when the user has a confirmed secret already (left alone), or
 * a db_err.
 */
int	 db_totp_enrol(struct db *, const unsigned char *key,
	    const char *user_id, const unsigned char *secret, size_t len,
	    int64_t step);
/* Replaces the user's recovery codes with RECOVERY_CODES new ones. */
int	 db_recovery_new(struct db *, const char *user_id,
	    char codes[RECOVERY_CODES][CODE_RECOVERY_SIZE]);
/* DB_OK when the typed code was an unused one of the user's (now used),
 * else DB_NONE, or a db_err. */
int	 db_recovery_use(struct db *, const char *user_id, const char *typed);

#endif
