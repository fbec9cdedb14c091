/*
 * HOTP (RFC 4226), TOTP (RFC 6238) and RFC 4648 base32.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/totp.h"

#define HOTP_DIGITS_MIN 6
#define HOTP_DIGITS_MAX 8

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* The digest behind alg, or NULL for a value outside the enum. */
static const EVP_MD *
totp_md(enum totp_alg alg)
{
	switch (alg) {
	case TOTP_SHA1:
		return EVP_sha1();
	case TOTP_SHA256:
		return EVP_sha256();
	case TOTP_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

/* 10^digits for digits in HOTP_DIGITS_MIN..HOTP_DIGITS_MAX. */
static uint32_t
hotp_modulus(int digits)
{
	uint32_t m = 1;

	while (digits-- > 0)
		m *= 10;
	return m;
}

/*
 * RFC 4226 §5.3 dynamic truncation: the 31-bit big-endian number at the
 * offset given by the low nibble of the last byte. mdlen >= 20.
 */
static uint32_t
hotp_truncate(const unsigned char *md, size_t mdlen)
{
	size_t off = md[mdlen - 1] & 0x0f;

	return (uint32_t)(md[off] & 0x7f) << 24 |
	    (uint32_t)md[off + 1] << 16 |
	    (uint32_t)md[off + 2] << 8 |
	    (uint32_t)md[off + 3];
}

uint32_t
hotp(enum totp_alg alg, const unsigned char *key, size_t keylen,
    uint64_t counter, int digits)
{
	static const unsigned char empty_key[1];
	const EVP_MD *md = totp_md(alg);
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	uint32_t value = HOTP_INVALID;
	int i;

	if (md == NULL || digits < HOTP_DIGITS_MIN || digits > HOTP_DIGITS_MAX ||
	    keylen > INT_MAX || (key == NULL && keylen > 0))
		return HOTP_INVALID;
	if (key == NULL)
		key = empty_key;

	for (i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	if (HMAC(md, key, (int)keylen, msg, sizeof(msg), mac, &maclen) == NULL ||
	    maclen < 20)
		goto out;
	value = hotp_truncate(mac, maclen) % hotp_modulus(digits);
out:
	explicit_bzero(mac, sizeof(mac));
	explicit_bzero(msg, sizeof(msg));
	return value;
}

/* RFC 6238 §4: T = floor((unix_time - T0) / step) with T0 = 0. */
uint32_t
totp_at(enum totp_alg alg, const unsigned char *key, size_t keylen,
    int64_t unix_time, int step, int digits)
{
	if (unix_time < 0 || step <= 0)
		return HOTP_INVALID;
	return hotp(alg, key, keylen, (uint64_t)(unix_time / step), digits);
}

/* 1 when code is exactly TOTP_DIGITS ASCII digits, else 0. */
static int
totp_code_wellformed(const char *code)
{
	size_t i;

	if (code == NULL)
		return 0;
	for (i = 0; i < TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return code[TOTP_DIGITS] == '\0';
}

/*
 * 1 when code (well-formed) is the SHA-1 code of `step`, compared in
 * constant time over the formatted digits; 0 otherwise.
 */
static int
totp_code_matches(const unsigned char *key, size_t keylen, const char *code,
    int64_t step)
{
	char want[TOTP_DIGITS + 1];
	uint32_t value;
	int n, match = 0;

	value = hotp(TOTP_SHA1, key, keylen, (uint64_t)step, TOTP_DIGITS);
	if (value == HOTP_INVALID)
		return 0;
	n = snprintf(want, sizeof(want), "%0*u", TOTP_DIGITS, (unsigned)value);
	if (n == TOTP_DIGITS)
		match = CRYPTO_memcmp(want, code, TOTP_DIGITS) == 0;
	explicit_bzero(want, sizeof(want));
	explicit_bzero(&value, sizeof(value));
	return match;
}

/*
 * RFC 6238 §5.2: every step in now ± TOTP_DRIFT_STEPS above last_step is
 * computed (no early exit); the lowest matching one is reported.
 */
int
totp_verify(const unsigned char *key, size_t keylen, const char *code,
    int64_t now, int64_t last_step, int64_t *matched_step)
{
	int64_t step, t, found = -1;

	if (matched_step == NULL || now < 0 || !totp_code_wellformed(code))
		return -1;
	t = now / TOTP_STEP;
	for (step = t + TOTP_DRIFT_STEPS; step >= t - TOTP_DRIFT_STEPS; step--) {
		if (step < 0 || step <= last_step)
			continue;
		if (totp_code_matches(key, keylen, code, step))
			found = step;
	}
	if (found < 0)
		return -1;
	*matched_step = found;
	return 0;
}

int
base32_encode(const unsigned char *in, size_t len, char *out, size_t outsz)
{
	uint32_t acc = 0;
	size_t need, i, n = 0;
	int bits = 0;

	if (out == NULL || (in == NULL && len > 0) || len > SIZE_MAX / 8)
		return -1;
	need = (len * 8 + 4) / 5;
	if (need > INT_MAX - 1 || need + 1 > outsz)
		return -1;

	for (i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = base32_alphabet[(acc >> bits) & 0x1f];
		}
	}
	if (bits > 0)
		out[n++] = base32_alphabet[(acc << (5 - bits)) & 0x1f];
	out[n] = '\0';
	explicit_bzero(&acc, sizeof(acc));
	return (int)n;
}

/* The 5-bit value of an RFC 4648 §6 base32 character (either case), or -1. */
static int
base32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
base32_decode(const char *in, unsigned char *out, size_t outsz)
{
	uint32_t acc = 0;
	size_t n = 0;
	int bits = 0, padded = 0, v, rc = -1;

	if (in == NULL || (out == NULL && outsz > 0))
		return -1;
	if (outsz > INT_MAX)
		outsz = INT_MAX;	/* the result must fit the int return */

	for (; *in != '\0'; in++) {
		if (*in == ' ')
			continue;
		if (*in == '=') {
			padded = 1;
			continue;
		}
		if (padded || (v = base32_value(*in)) < 0)
			goto out;
		acc = (acc << 5 | (uint32_t)v) & 0x1fff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (n >= outsz)
				goto out;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* §6: a final group leaves at most 4 pad bits, and §3.5 they are 0. */
	if (bits >= 5 || acc != 0)
		goto out;
	rc = (int)n;
out:
	if (rc < 0 && n > 0)
		explicit_bzero(out, n);
	explicit_bzero(&acc, sizeof(acc));
	return rc;
}
