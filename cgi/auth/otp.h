/*
 * otp.h: one-time codes sent by SMS. A code is OTP_DIGITS
 * digits from OpenSSL's RNG, bound to one user and one purpose, stored
 * only as a keyed hash (HMAC-SHA256 under the data key, over a per-code
 * salt, the user, the purpose and the code), valid OTP_TTL_SECONDS,
 * used once, dead after OTP_TRIES_MAX wrong tries. A new code of the
 * same user and purpose replaces the previous one (one row each:
 * sql/009_otp.sql). Everything here is pure but otp_new()'s draw;
 * db/otp.h keeps the rows.
 */
#ifndef STAFFDESK_AUTH_OTP_H
#define STAFFDESK_AUTH_OTP_H

#include <stddef.h>
#include <stdint.h>

#define OTP_DIGITS		6
#define OTP_SIZE		(OTP_DIGITS + 1)
#define OTP_TTL_SECONDS		600	/* 10 minutes */
#define OTP_TRIES_MAX		5	/* wrong tries, then the code is dead */
#define OTP_SALT_BYTES		16
#define OTP_SALT_HEX		(2 * OTP_SALT_BYTES + 1)
#define OTP_HASH_HEX		65	/* HMAC-SHA256 as hex, and its NUL */
#define OTP_SITE		"staffdesk"	/* the name a text starts with */

/* What a code is for: otp_codes.purpose. */
enum otp_purpose { OTP_SIGNIN, OTP_MFA, OTP_RESET, OTP__MAX };

/* "signin", "mfa", "reset". */
const char	*otp_purpose_id(enum otp_purpose);

/* A fresh code (OTP_DIGITS digits, uniform) into out[OTP_SIZE]; 0 or -1. */
int		 otp_new(char out[OTP_SIZE]);

/*
 * The stored form of a typed code: spaces and dashes dropped, exactly
 * OTP_DIGITS ASCII digits left. 0 with out[OTP_SIZE] filled, else -1
 * (out wiped).
 */
int		 otp_normalise(const char *in, char out[OTP_SIZE]);

/*
 * HMAC-SHA256(key, salt_hex ":" user_id ":" purpose ":" code) as hex
 * into out[OTP_HASH_HEX]. 0, or -1 (out wiped).
 */
int		 otp_hash(const unsigned char *key, size_t keylen,
		    const char *salt_hex, const char *user_id,
		    enum otp_purpose, const char *code,
		    char out[OTP_HASH_HEX]);

/*
 * The text that carries code: the site name, the code as the text's
 * only run of digits of OTP_DIGITS or more, how long it is valid and
 * "Never share this code". A site name holding a run of OTP_DIGITS
 * digits or more is replaced by OTP_SITE. Returns the length, or -1
 * when out is too small (out wiped).
 */
int		 otp_message(const char *site, enum otp_purpose,
		    const char *code, char *out, size_t outsz);

/* How many runs of at least n digits s holds (the tests' and the page's check). */
int		 otp_digit_runs(const char *s, size_t n);

/* What a try of a stored code comes to. */
enum otp_verdict {
	OTP_OK,		/* right, in time, tries left: spend it */
	OTP_WRONG,	/* wrong; tries are left */
	OTP_KILLED,	/* wrong, and that was the last try: now dead */
	OTP_DEAD,	/* no tries left (even a right code is refused) */
	OTP_EXPIRED,	/* past its time */
	OTP_NONE,	/* no code (never sent, used, superseded) */
};

/* "ok", "bad_code", "code_killed", "code_dead", "code_expired", "no_code". */
const char	*otp_verdict_code(enum otp_verdict);

/* When a code made at now (s) stops working. */
int64_t		 otp_expires(int64_t now);

/*
 * The verdict on a try at now of a code that expires at expires and has
 * had tries wrong tries; match: the typed code's hash is the stored one.
 * Dead before expired before right.
 */
enum otp_verdict otp_judge(int64_t expires, int64_t tries, int64_t now,
		    int match);

#endif
