/*
 * otp.c: see otp.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/codes.h"
#include "auth/otp.h"
#include "util.h"

static const char *const purpose_ids[OTP__MAX] = {
	[OTP_SIGNIN] = "signin",
	[OTP_MFA] = "mfa",
	[OTP_RESET] = "reset",
};

/* What the text calls the code. */
static const char *const purpose_words[OTP__MAX] = {
	[OTP_SIGNIN] = "sign-in code",
	[OTP_MFA] = "verification code",
	[OTP_RESET] = "password reset code",
};

const char *
otp_purpose_id(enum otp_purpose p)
{
	return (unsigned)p < OTP__MAX ? purpose_ids[p] : "unknown";
}

int
otp_new(char out[OTP_SIZE])
{
	return code_random("0123456789", OTP_DIGITS, out, OTP_SIZE);
}

int
otp_normalise(const char *in, char out[OTP_SIZE])
{
	size_t	n = 0;

	for (; in != NULL && *in != '\0'; in++) {
		if (*in == ' ' || *in == '-')
			continue;
		if (*in < '0' || *in > '9' || n == OTP_DIGITS)
			goto bad;
		out[n++] = *in;
	}
	if (n != OTP_DIGITS)
		goto bad;
	out[n] = '\0';
	return 0;
bad:
	explicit_bzero(out, OTP_SIZE);
	return -1;
}

int
otp_hash(const unsigned char *key, size_t keylen, const char *salt_hex,
    const char *user_id, enum otp_purpose p, const char *code,
    char out[OTP_HASH_HEX])
{
	char		msg[OTP_SALT_HEX + UUID_LEN + 16 + OTP_SIZE + 4];
	unsigned char	mac[EVP_MAX_MD_SIZE];
	unsigned int	maclen = 0;
	int		n, rc = -1;

	n = snprintf(msg, sizeof(msg), "%s:%s:%s:%s", salt_hex, user_id,
	    otp_purpose_id(p), code);
	if (n < 0 || (size_t)n >= sizeof(msg))
		goto out;
	if (HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)msg,
	    (size_t)n, mac, &maclen) == NULL || maclen != 32)
		goto out;
	hex_encode(mac, maclen, out);
	rc = 0;
out:
	if (rc != 0)
		explicit_bzero(out, OTP_HASH_HEX);
	explicit_bzero(msg, sizeof(msg));
	explicit_bzero(mac, sizeof(mac));
	return rc;
}

int
otp_digit_runs(const char *s, size_t n)
{
	size_t	run = 0;
	int	runs = 0;

	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			run++;
			continue;
		}
		if (run >= n)
			runs++;
		run = 0;
		if (*s == '\0')
			return runs;
	}
}

int
otp_message(const char *site, enum otp_purpose p, const char *code,
    char *out, size_t outsz)
{
	int	n;

	if (site == NULL || otp_digit_runs(site, OTP_DIGITS) > 0)
		site = OTP_SITE;
	n = snprintf(out, outsz, "%s: %s is your %s. It works once, for %d "
	    "minutes. Never share this code with anyone.", site, code,
	    purpose_words[(unsigned)p < OTP__MAX ? p : OTP_SIGNIN],
	    OTP_TTL_SECONDS / 60);
	if (n < 0 || (size_t)n >= outsz) {
		explicit_bzero(out, outsz);
		return -1;
	}
	return n;
}

static const char *const verdict_codes[] = {
	[OTP_OK] = "ok",
	[OTP_WRONG] = "bad_code",
	[OTP_KILLED] = "code_killed",
	[OTP_DEAD] = "code_dead",
	[OTP_EXPIRED] = "code_expired",
	[OTP_NONE] = "no_code",
};

const char *
otp_verdict_code(enum otp_verdict v)
{
	return (unsigned)v < NELEM(verdict_codes) ? verdict_codes[v] :
	    "unknown";
}

int64_t
otp_expires(int64_t now)
{
	return now + OTP_TTL_SECONDS;
}

enum otp_verdict
otp_judge(int64_t expires, int64_t tries, int64_t now, int match)
{
	if (tries >= OTP_TRIES_MAX)
		return OTP_DEAD;
	if (now >= expires)
		return OTP_EXPIRED;
	if (match)
		return OTP_OK;
	return tries + 1 >= OTP_TRIES_MAX ? OTP_KILLED : OTP_WRONG;
}
