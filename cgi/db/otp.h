/*
 * otp.h: the rows of one-time codes (auth/otp.h says what a code is).
 * Both functions run inside the caller's transaction, so that a code
 * and its text (sms_queue), or a try and its audit row, commit together.
 */
#ifndef STAFFDESK_DB_OTP_H
#define STAFFDESK_DB_OTP_H

#include "auth/otp.h"

struct db;

/*
 * Draws a new code for user_id and purpose into code[OTP_SIZE] and
 * stores its keyed hash (key: conf->otp_key, CONF_KEY_BYTES), valid OTP_TTL_SECONDS,
 * replacing the previous code of that user and purpose. DB_OK or a
 * db_err (code wiped).
 */
int	 db_otp_issue(struct db *, const unsigned char *key,
	    const char *user_id, enum otp_purpose, char code[OTP_SIZE]);

/*
 * Tries typed (as typed: otp_normalise() applies) against the code of
 * user_id and purpose, with the row locked: *verdict says how it went.
 * OTP_OK deletes the code (single use); a wrong code counts one try
 * (OTP_KILLED: that was the last). A malformed code counts as wrong.
 * DB_OK with *verdict, or a db_err.
 */
int	 db_otp_check(struct db *, const unsigned char *key,
	    const char *user_id, enum otp_purpose, const char *typed,
	    enum otp_verdict *verdict);

#endif
