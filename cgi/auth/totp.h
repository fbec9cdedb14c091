/*
 * HOTP (RFC 4226) and TOTP (RFC 6238) one-time passwords, and the RFC 4648
 * base32 encoding authenticator apps use for the shared secret.
 */
#ifndef STAFFDESK_AUTH_TOTP_H
#define STAFFDESK_AUTH_TOTP_H

#include <stddef.h>
#include <stdint.h>

enum totp_alg { TOTP_SHA1, TOTP_SHA256, TOTP_SHA512 };

#define TOTP_STEP        30	/* seconds per step, RFC 6238 §4 X */
#define TOTP_DIGITS      6	/* digits in a code a user types */
#define TOTP_DRIFT_STEPS 1	/* steps accepted either side of now, §5.2 */

/* Never a valid HOTP value (those are < 10^8): returned on bad arguments. */
#define HOTP_INVALID     UINT32_MAX

/*
 * RFC 4226 §5.3: HMAC(key, counter as 8 big-endian bytes), dynamic
 * truncation, mod 10^digits. Returns the value, or HOTP_INVALID when
 * digits is outside 6..8 or HMAC fails.
 */
uint32_t hotp(enum totp_alg alg, const unsigned char *key, size_t keylen,
    uint64_t counter, int digits);

/*
 * RFC 6238 §4: hotp() at T = floor(unix_time / step), T0 = 0. Returns
 * HOTP_INVALID as hotp() does, and when unix_time < 0 or step <= 0.
 */
uint32_t totp_at(enum totp_alg alg, const unsigned char *key, size_t keylen,
    int64_t unix_time, int step, int digits);

/*
 * Checks a code typed by a user: exactly TOTP_DIGITS ASCII digits, SHA-1,
 * TOTP_STEP seconds, accepted at the step of `now` or TOTP_DRIFT_STEPS
 * either side (RFC 6238 §5.2). Steps <= last_step are refused as replays
 * (§5.2, "MUST NOT accept the second attempt"); pass -1 when no code has
 * been accepted yet. The code is compared with CRYPTO_memcmp.
 * Returns 0 and sets *matched_step (the lowest matching step) to be stored
 * as the next last_step; -1 for anything else.
 */
int totp_verify(const unsigned char *key, size_t keylen, const char *code,
    int64_t now, int64_t last_step, int64_t *matched_step);

/*
 * RFC 4648 §6 base32, upper case, without '=' padding; out is
 * NUL-terminated. Returns the number of characters written (excluding the
 * NUL), or -1 when out is too small.
 */
int base32_encode(const unsigned char *in, size_t len, char *out,
    size_t outsz);

/*
 * RFC 4648 §6 base32 decode: either case, spaces ignored anywhere, '='
 * only as trailing padding. Refuses (RFC 4648 §3.3, §3.5) any other
 * character, a final group that cannot come from an encoder, and non-zero
 * pad bits. Returns the number of bytes written, or -1 (bad input, out
 * too small); on -1 any bytes already written are wiped.
 */
int base32_decode(const char *in, unsigned char *out, size_t outsz);

#endif /* STAFFDESK_AUTH_TOTP_H */
