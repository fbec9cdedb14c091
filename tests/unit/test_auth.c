/*
 * cmocka tests for cgi/auth: TOTP/HOTP, base32, passwords and policy,
 * secrets at rest, one-time codes, lockout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <argon2.h>

#include "auth/codes.h"
#include "auth/crypt.h"
#include "auth/password.h"
#include "auth/totp.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 6238 Appendix A seeds; the SHA-1 one is also RFC 4226's. */
static const char seed20[] = "12345678901234567890";
static const char seed32[] = "12345678901234567890123456789012";
static const char seed64[] =
    "1234567890123456789012345678901234567890123456789012345678901234";

#define KEY(s) (const unsigned char *)(s), (sizeof(s) - 1)

/* ---- HOTP / TOTP ---- */

static void
test_rfc6238_vectors(void **state)
{
	static const struct {
		int64_t time;
		uint32_t sha1, sha256, sha512;
	} v[] = {	/* RFC 6238 Appendix B */
		{ 59, 94287082, 46119246, 90693936 },
		{ 1111111109, 7081804, 68084774, 25091201 },
		{ 1111111111, 14050471, 67062674, 99943326 },
		{ 1234567890, 89005924, 91819424, 93441116 },
		{ 2000000000, 69279037, 90698825, 38618901 },
		{ 20000000000, 65353130, 77737706, 47863826 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(v); i++) {
		assert_int_equal(totp_at(TOTP_SHA1, KEY(seed20), v[i].time,
		    30, 8), v[i].sha1);
		assert_int_equal(totp_at(TOTP_SHA256, KEY(seed32), v[i].time,
		    30, 8), v[i].sha256);
		assert_int_equal(totp_at(TOTP_SHA512, KEY(seed64), v[i].time,
		    30, 8), v[i].sha512);
	}
}

static void
test_rfc4226_vectors(void **state)
{
	static const uint32_t v[10] = {	/* RFC 4226 Appendix D */
		755224, 287082, 359152, 969429, 338314,
		254676, 287922, 162583, 399871, 520489,
	};
	uint64_t c;

	(void)state;
	for (c = 0; c < NELEM(v); c++)
		assert_int_equal(hotp(TOTP_SHA1, KEY(seed20), c, 6), v[c]);
}

static void
test_hotp_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(hotp(TOTP_SHA1, KEY(seed20), 0, 5), HOTP_INVALID);
	assert_int_equal(hotp(TOTP_SHA1, KEY(seed20), 0, 9), HOTP_INVALID);
	assert_int_equal(hotp((enum totp_alg)42, KEY(seed20), 0, 6),
	    HOTP_INVALID);
	assert_int_equal(hotp(TOTP_SHA1, NULL, 20, 0, 6), HOTP_INVALID);
	assert_int_equal(totp_at(TOTP_SHA1, KEY(seed20), -1, 30, 6),
	    HOTP_INVALID);
	assert_int_equal(totp_at(TOTP_SHA1, KEY(seed20), 59, 0, 6),
	    HOTP_INVALID);
	assert_int_equal(totp_at(TOTP_SHA1, KEY(seed20), 59, -30, 6),
	    HOTP_INVALID);
	/* 7 digits is allowed; the 8-digit vector mod 10^7 */
	assert_int_equal(totp_at(TOTP_SHA1, KEY(seed20), 59, 30, 7),
	    94287082 % 10000000);
}

#define NOW  ((int64_t)1111111111)
#define STEP (NOW / TOTP_STEP)

/* The 6-digit SHA-1 code of `step` for seed20. */
static void
code_at(int64_t step, char buf[TOTP_DIGITS + 1])
{
	int n;

	n = snprintf(buf, TOTP_DIGITS + 1, "%06u",
	    (unsigned)hotp(TOTP_SHA1, KEY(seed20), (uint64_t)step, 6));
	assert_int_equal(n, TOTP_DIGITS);
}

static void
test_totp_verify_drift_accepted(void **state)
{
	char code[TOTP_DIGITS + 1];
	int64_t d, matched;

	(void)state;
	for (d = -1; d <= 1; d++) {
		code_at(STEP + d, code);
		matched = -7;
		assert_int_equal(totp_verify(KEY(seed20), code, NOW, -1,
		    &matched), 0);
		assert_int_equal(matched, STEP + d);
	}
	/* the last and first second of a step */
	code_at(STEP, code);
	assert_int_equal(totp_verify(KEY(seed20), code, STEP * 30, -1,
	    &matched), 0);
	assert_int_equal(totp_verify(KEY(seed20), code, STEP * 30 + 29, -1,
	    &matched), 0);
	assert_int_equal(matched, STEP);
}

static void
test_totp_verify_drift_refused(void **state)
{
	char code[TOTP_DIGITS + 1];
	int64_t matched = -7;

	(void)state;
	code_at(STEP + 2, code);
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, -1, &matched),
	    -1);
	code_at(STEP - 2, code);
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, -1, &matched),
	    -1);
	code_at(STEP + 10, code);
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, -1, &matched),
	    -1);
	assert_int_equal(matched, -7);	/* untouched on failure */
}

static void
test_totp_verify_replay(void **state)
{
	char code[TOTP_DIGITS + 1];
	int64_t matched = -7;

	(void)state;
	code_at(STEP, code);
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, STEP, &matched),
	    -1);
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, STEP + 1,
	    &matched), -1);
	code_at(STEP - 1, code);
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, STEP, &matched),
	    -1);
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, STEP - 1,
	    &matched), -1);
	assert_int_equal(matched, -7);

	/* newer than the last accepted step: fine */
	code_at(STEP, code);
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, STEP - 1,
	    &matched), 0);
	assert_int_equal(matched, STEP);
	code_at(STEP + 1, code);
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, STEP, &matched),
	    0);
	assert_int_equal(matched, STEP + 1);
}

static void
test_totp_verify_malformed(void **state)
{
	static const char *const bad[] = {
		"", "12345", "1234567", "12345a", "a12345", " 123456",
		"123456 ", "12 345", "+12345", "-12345", "12345\n",
		"\xd9\xa1\xd9\xa2\xd9\xa3",	/* Arabic-Indic digits */
	};
	char code[TOTP_DIGITS + 2];
	int64_t matched = -7;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		assert_int_equal(totp_verify(KEY(seed20), bad[i], NOW, -1,
		    &matched), -1);
	assert_int_equal(totp_verify(KEY(seed20), NULL, NOW, -1, &matched),
	    -1);

	/* the right code with anything after it */
	code_at(STEP, code);
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, -1, &matched),
	    0);
	code[6] = '0';
	code[7] = '\0';
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, -1, &matched),
	    -1);
	code[6] = '\0';
	assert_int_equal(totp_verify(KEY(seed20), code, NOW, -1, NULL), -1);
	assert_int_equal(totp_verify(KEY(seed20), code, -1, -1, &matched),
	    -1);
	assert_int_equal(totp_verify(KEY(seed32), code, NOW, -1, &matched),
	    -1);	/* wrong key */
}

/* ---- base32 ---- */

static const struct {
	const char *raw, *padded, *bare;
} b32v[] = {	/* RFC 4648 §10 */
	{ "", "", "" },
	{ "f", "MY======", "MY" },
	{ "fo", "MZXQ====", "MZXQ" },
	{ "foo", "MZXW6===", "MZXW6" },
	{ "foob", "MZXW6YQ=", "MZXW6YQ" },
	{ "fooba", "MZXW6YTB", "MZXW6YTB" },
	{ "foobar", "MZXW6YTBOI======", "MZXW6YTBOI" },
};

static void
test_base32_rfc4648_vectors(void **state)
{
	char enc[32], lower[32];
	unsigned char dec[16];
	size_t i, j, len;

	(void)state;
	for (i = 0; i < NELEM(b32v); i++) {
		len = strlen(b32v[i].raw);
		assert_int_equal(base32_encode((const unsigned char *)
		    b32v[i].raw, len, enc, sizeof(enc)),
		    (int)strlen(b32v[i].bare));
		assert_string_equal(enc, b32v[i].bare);

		assert_int_equal(base32_decode(b32v[i].padded, dec,
		    sizeof(dec)), (int)len);
		assert_memory_equal(dec, b32v[i].raw, len);
		assert_int_equal(base32_decode(b32v[i].bare, dec,
		    sizeof(dec)), (int)len);
		assert_memory_equal(dec, b32v[i].raw, len);

		for (j = 0; b32v[i].padded[j] != '\0'; j++)
			lower[j] = (char)(b32v[i].padded[j] >= 'A' &&
			    b32v[i].padded[j] <= 'Z' ?
			    b32v[i].padded[j] + 32 : b32v[i].padded[j]);
		lower[j] = '\0';
		assert_int_equal(base32_decode(lower, dec, sizeof(dec)),
		    (int)len);
		assert_memory_equal(dec, b32v[i].raw, len);
	}
	assert_int_equal(base32_decode("mzxw 6ytb oi== ====", dec,
	    sizeof(dec)), 6);
	assert_memory_equal(dec, "foobar", 6);
}

static void
test_base32_round_trip(void **state)
{
	unsigned char in[41], out[41];
	char enc[80];
	size_t len, i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 97 + 13);
	for (len = 0; len <= sizeof(in); len++) {
		n = base32_encode(in, len, enc, sizeof(enc));
		assert_int_equal(n, (int)((len * 8 + 4) / 5));
		assert_int_equal(strlen(enc), (size_t)n);
		assert_int_equal(base32_decode(enc, out, sizeof(out)),
		    (int)len);
		assert_memory_equal(in, out, len);
	}
}

static void
test_base32_bad_input(void **state)
{
	static const char *const bad[] = {
		"MZXW1", "MZXW8", "MZXW0", "MZXW6YTB!", "MZ-XW", "MZ\tXW",
		"MZ=XW", "MY==Y", "MZXW\xc3\xa9",
		"M", "MZX", "MZXW6Y",	/* no encoder writes these lengths */
		"MZ",	/* non-zero pad bits ("f" is "MY") */
		"MZXR",	/* likewise for "fo" */
	};
	unsigned char out[16];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		assert_int_equal(base32_decode(bad[i], out, sizeof(out)), -1);
	assert_int_equal(base32_decode(NULL, out, sizeof(out)), -1);
	assert_int_equal(base32_decode("MZXW6YTBOI", NULL, 6), -1);
}

static void
test_base32_overflow(void **state)
{
	unsigned char out[6];
	char enc[11];

	(void)state;
	/* "foobar" needs 10 characters and a NUL */
	assert_int_equal(base32_encode((const unsigned char *)"foobar", 6,
	    enc, 10), -1);
	assert_int_equal(base32_encode((const unsigned char *)"foobar", 6,
	    enc, 11), 10);
	assert_int_equal(base32_encode((const unsigned char *)"", 0, enc, 0),
	    -1);
	assert_int_equal(base32_encode((const unsigned char *)"", 0, enc, 1),
	    0);
	assert_int_equal(base32_encode((const unsigned char *)"f",
	    SIZE_MAX / 4, enc, sizeof(enc)), -1);
	/* it decodes to 6 bytes */
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(base32_decode("MZXW6YTBOI", out, 5), -1);
	assert_int_equal(out[0], 0);	/* partial output wiped */
	assert_int_equal(base32_decode("MZXW6YTBOI", out, 0), -1);
	assert_int_equal(base32_decode("MZXW6YTBOI", out, 6), 6);
}

/* ---- passwords ---- */

static void
test_pw_hash_round_trip(void **state)
{
	char phc[PW_HASH_MAX], phc2[PW_HASH_MAX];

	(void)state;
	assert_int_equal(pw_hash("correct horse battery staple", phc,
	    sizeof(phc)), 0);
	assert_non_null(strstr(phc, "$argon2id$v=19$m=19456,t=2,p=1$"));
	assert_ptr_equal(strstr(phc, "$argon2id$"), phc);
	assert_int_equal(pw_verify(phc, "correct horse battery staple"), 0);
	assert_int_equal(pw_verify(phc, "correct horse battery stapl"), 1);
	assert_int_equal(pw_verify(phc, "Correct horse battery staple"), 1);
	assert_int_equal(pw_verify(phc, ""), 1);

	/* a new salt every time */
	assert_int_equal(pw_hash("correct horse battery staple", phc2,
	    sizeof(phc2)), 0);
	assert_string_not_equal(phc, phc2);
}

static void
test_pw_hash_out_too_small(void **state)
{
	char phc[64];

	(void)state;
	memset(phc, 'x', sizeof(phc));
	assert_int_equal(pw_hash("correct horse battery staple", phc,
	    sizeof(phc)), -1);
	assert_int_equal(phc[0], '\0');
	assert_int_equal(pw_hash(NULL, phc, sizeof(phc)), -1);
	assert_int_equal(pw_hash("x", NULL, 0), -1);
}

static void
test_pw_verify_malformed(void **state)
{
	char phc[PW_HASH_MAX], bad[PW_HASH_MAX + 8], foreign[PW_HASH_MAX];
	const unsigned char salt[16] = "0123456789abcdef";
	size_t len;

	(void)state;
	assert_int_equal(pw_verify("", "secret-password"), 1);
	assert_int_equal(pw_verify("garbage", "secret-password"), 1);
	assert_int_equal(pw_verify("$argon2id$", "secret-password"), 1);
	assert_int_equal(pw_verify("$argon2id$v=19$m=19456,t=2,p=1$$",
	    "secret-password"), 1);
	assert_int_equal(pw_verify("$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p9"
	    "2ldGxad68LJZdL17lhWy", "secret-password"), 1);
	assert_int_equal(pw_verify(NULL, "secret-password"), 1);

	assert_int_equal(pw_hash("secret-password", phc, sizeof(phc)), 0);
	assert_int_equal(pw_verify(phc, NULL), 1);
	len = strlen(phc);

	/* truncated */
	memcpy(bad, phc, len - 5);
	bad[len - 5] = '\0';
	assert_int_equal(pw_verify(bad, "secret-password"), 1);
	/* one character of the hash changed */
	memcpy(bad, phc, len + 1);
	bad[len - 2] = bad[len - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(pw_verify(bad, "secret-password"), 1);
	/* longer than PW_HASH_MAX */
	memset(bad, 'A', sizeof(bad) - 1);
	memcpy(bad, phc, len);
	bad[sizeof(bad) - 1] = '\0';
	assert_int_equal(pw_verify(bad, "secret-password"), 1);

	/* a real argon2i hash of the same password is foreign */
	assert_int_equal(argon2i_hash_encoded(2, 64, 1, "secret-password", 15,
	    salt, sizeof(salt), 32, foreign, sizeof(foreign)), ARGON2_OK);
	assert_int_equal(argon2i_verify(foreign, "secret-password", 15),
	    ARGON2_OK);
	assert_int_equal(pw_verify(foreign, "secret-password"), 1);

	/* and the untouched hash still matches */
	assert_int_equal(pw_verify(phc, "secret-password"), 0);
}

static const struct pw_person jane = {
	"jdoe@example.com", "Jane Doe-Smithson", "Jane", "Smithson",
};
static const struct pw_person short_names = {
	"al@example.com", "Al Li", "Al", "Li",
};
static const struct pw_person umlaut = {
	"m.mueller@example.com", NULL, NULL, "M\xc3\xbcller",
};
static const struct pw_person digits_upn = {
	"kw42@example.com", NULL, NULL, NULL,
};
static const struct pw_person no_fields = { NULL, NULL, NULL, NULL };

/* é ü ñ ø å ç ß, and seven emoji (U+1F600 U+1F603 ...) */
#define PW_TWO_BYTE	"\xc3\xa9\xc3\xbc\xc3\xb1\xc3\xb8\xc3\xa5\xc3\xa7\xc3\x9f"
#define PW_FOUR_BYTE	"\xf0\x9f\x98\x80\xf0\x9f\x98\x83\xf0\x9f\x98\x89" \
	"\xf0\x9f\x98\x8e\xf0\x9f\x99\x82\xf0\x9f\x9a\x80\xf0\x9f\x8c\x8d"

static void
test_pw_policy_table(void **state)
{
	static const struct {
		const char *pw;
		const struct pw_person *who;
		enum pw_verdict want;
	} t[] = {
		{ "", NULL, PW_TOO_SHORT },
		{ "short", NULL, PW_TOO_SHORT },
		{ "x7#kQm2", NULL, PW_TOO_SHORT },	/* 7 */
		{ "zq8#kLm2", &jane, PW_OK },		/* exactly 8 */
		/* 7 characters in 21 bytes */
		{ "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
		  "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", NULL, PW_TOO_SHORT },
		/* 8 characters: 7 two-byte letters and é; 7 emoji and one */
		{ PW_TWO_BYTE "\xc3\xa9", NULL, PW_OK },
		{ PW_FOUR_BYTE "\xf0\x9f\x98\x80", NULL, PW_OK },
		/* é x 8, emoji x 8: one character said again */
		{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xc3\xa9", NULL, PW_REPEATED },
		{ "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
		  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
		  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", NULL, PW_REPEATED },
		/* invalid UTF-8 */
		{ "abc\xff" "defgh", NULL, PW_BAD_UTF8 },
		{ "abcdefgh\x80", NULL, PW_BAD_UTF8 },		/* lone continuation */
		{ "abcdefg\xc0\xaf", NULL, PW_BAD_UTF8 },	/* overlong '/' */
		{ "abcdefg\xe0\x80\xaf", NULL, PW_BAD_UTF8 },	/* overlong */
		{ "abcdefgh\xed\xa0\x80", NULL, PW_BAD_UTF8 },	/* surrogate */
		{ "abcdefgh\xf4\x90\x80\x80", NULL, PW_BAD_UTF8 }, /* > U+10FFFF */
		{ "abcdefgh\xe2\x82", NULL, PW_BAD_UTF8 },	/* truncated */
		{ "\xe2\x82" "abcdefgh", NULL, PW_BAD_UTF8 },
		{ "ab\xf8\x88\x80\x80\x80" "cdefgh", NULL, PW_BAD_UTF8 },
		/* common */
		{ "password", NULL, PW_COMMON },
		{ "PASSWORD", NULL, PW_COMMON },
		{ "Password1!", NULL, PW_COMMON },
		{ "letmein!!2024", NULL, PW_COMMON },
		{ "trustno1", NULL, PW_COMMON },
		{ "Monkey123?", &jane, PW_COMMON },
		{ "12345678", NULL, PW_COMMON },
		/* only trailing digits/punctuation are stripped for the
		 * list; cracklib finds the word behind a leading digit */
		{ "1password", NULL, PW_DICTIONARY },
		{ "password-xyz", NULL, PW_OK },
		{ "pass word123", NULL, PW_OK },
		/* issue 14's black-box attack run: all were accepted */
		{ "P@ssw0rd", NULL, PW_COMMON },	/* look-alikes undone */
		{ "P@ssw0rd", &jane, PW_COMMON },
		{ "passwordpassword", NULL, PW_REPEATED },
		{ "aaaaaaaaaaaa", NULL, PW_REPEATED },
		{ "1q2w3e4r!A", NULL, PW_DICTIONARY },	/* a keyboard run */
		{ "Staffdesk2026!", NULL, PW_SITE },
		{ "St@ffd3sk-is-fun", &jane, PW_SITE },
		/* more of the same kinds */
		{ "Welcome123", NULL, PW_COMMON },
		{ "qazwsxedc", NULL, PW_DICTIONARY },	/* a keyboard run */
		{ "Tr0ub4dor-", NULL, PW_DICTIONARY },	/* a word, disguised */
		{ "Blue-kettle-12345", NULL, PW_SEQUENCE },
		{ "Blue-kettle-zyxwv", NULL, PW_SEQUENCE },
		{ "Blue-kettle-0000", NULL, PW_PATTERN },	/* 4 in a row */
		{ "Blue-kettle-000", NULL, PW_OK },		/* 3 may */
		{ "Blue-kettle-\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL, PW_PATTERN },
		{ "Blue-kettle-\xc3\xa9\xc3\xa9\xc3\xa9", NULL, PW_OK },
		{ "kettle-blue-eulb-elttek", NULL, PW_PATTERN },	/* palindrome */
		{ "abcXabcXabcX", NULL, PW_REPEATED },
		{ "AbcxaBCxabcX", NULL, PW_REPEATED },		/* in any case */
		{ "eodj-was-here", &jane, PW_PERSONAL },	/* backwards */
		/* personal */
		{ "xxjdoe2024xx", &jane, PW_PERSONAL },
		{ "JDOE-rules-99", &jane, PW_PERSONAL },
		{ "mr smithson rocks", &jane, PW_PERSONAL },
		{ "SMITHSONIAN museum", &jane, PW_PERSONAL },
		{ "i love jane forever", &jane, PW_PERSONAL },
		{ "a doe, a deer", &jane, PW_PERSONAL },
		{ "xx-MUELLER-xx", &umlaut, PW_PERSONAL },	/* UPN word */
		{ "meister m\xc3\xbcller!", &umlaut, PW_PERSONAL },
		{ "my KW42 horse", &digits_upn, PW_PERSONAL },	/* local part */
		/* the same passwords for someone else */
		{ "xxjdoe2024xx", NULL, PW_OK },
		{ "xxjdoe2024xx", &no_fields, PW_OK },
		{ "mr smithson rocks", &short_names, PW_OK },
		/* names shorter than PW_NAME_WORD_MIN are not looked for */
		{ "totally alive li", &short_names, PW_OK },
		/* passphrases: no composition rules (NIST 800-63B) */
		{ "correct horse battery staple", &jane, PW_OK },
		{ "correct horse battery staple", NULL, PW_OK },
		{ "Harbour-Lantern-72-Quietly", &jane, PW_OK },
		{ "quiet harbour lantern", &jane, PW_OK },
		{ "mississippi mud pie", &jane, PW_OK },
		{ "Tangerine-Bicycle-482913-Orbit", &jane, PW_OK },
		{ "zebra umbrella violin", NULL, PW_OK },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		enum pw_verdict got = pw_policy_check(t[i].pw, t[i].who,
		    NULL);

		if (got != t[i].want)
			print_error("row %zu: got %d, want %d\n", i, (int)got,
			    (int)t[i].want);
		assert_int_equal(got, t[i].want);
	}
	assert_int_equal(pw_policy_check(NULL, NULL, NULL), PW_TOO_SHORT);
	assert_int_equal(pw_policy_ready(), 0);
}

/* count copies of the UTF-8 character ch, NUL-terminated, into buf. */
static const char *
pw_repeat(char *buf, size_t bufsz, const char *ch, size_t count)
{
	size_t len = strlen(ch), i;

	assert_true(count * len < bufsz);
	for (i = 0; i < count; i++)
		memcpy(buf + i * len, ch, len);
	buf[count * len] = '\0';
	return buf;
}

/*
 * count characters of w bytes each, taken in turn from chs (7 of them, so
 * a PW_MAX-long one is no piece said again), NUL-terminated, into buf.
 */
static const char *
pw_cycle(char *buf, size_t bufsz, const char *chs, size_t w, size_t count)
{
	size_t n = strlen(chs) / w, i;

	assert_true(count * w < bufsz);
	for (i = 0; i < count; i++)
		memcpy(buf + i * w, chs + (i % n) * w, w);
	buf[count * w] = '\0';
	return buf;
}


static void
test_pw_policy_lengths(void **state)
{
	static char buf[8192];
	static const char cycle[] = "qwfpgjluy;arstdhneiozxcvbkm,.QWFP";
	size_t i;

	(void)state;
	for (i = 0; i < PW_MAX + 1; i++)
		buf[i] = cycle[i % (sizeof(cycle) - 1)];
	buf[PW_MAX] = '\0';
	assert_int_equal(pw_policy_check(buf, &jane, NULL), PW_OK);
	buf[PW_MAX] = 'x';
	buf[PW_MAX + 1] = '\0';
	assert_int_equal(pw_policy_check(buf, &jane, NULL), PW_TOO_LONG);

	/* limits count characters, not bytes: 2- and 4-byte characters */
	assert_int_equal(pw_policy_check(pw_cycle(buf, sizeof(buf),
	    PW_TWO_BYTE, 2, PW_MAX), NULL, NULL), PW_OK);
	assert_int_equal(pw_policy_check(pw_cycle(buf, sizeof(buf),
	    PW_TWO_BYTE, 2, PW_MAX + 1), NULL, NULL), PW_TOO_LONG);
	assert_int_equal(pw_policy_check(pw_cycle(buf, sizeof(buf),
	    PW_FOUR_BYTE, 4, PW_MAX), NULL, NULL), PW_OK);	/* PW_MAX_BYTES */
	assert_int_equal(pw_policy_check(pw_cycle(buf, sizeof(buf),
	    PW_FOUR_BYTE, 4, PW_MAX + 1), NULL, NULL), PW_TOO_LONG);
	/* one character PW_MAX times is a piece said again */
	assert_int_equal(pw_policy_check(pw_repeat(buf, sizeof(buf),
	    "\xc3\xa9", PW_MAX), NULL, NULL), PW_REPEATED);
	assert_int_equal(pw_policy_check(pw_repeat(buf, sizeof(buf),
	    "\xf0\x9f\x98\x80", PW_MAX + 1), NULL, NULL), PW_TOO_LONG);
	assert_int_equal(pw_policy_check(pw_repeat(buf, sizeof(buf),
	    "a", sizeof(buf) - 1), NULL, NULL), PW_TOO_LONG);
	/* invalid UTF-8 after the limit is still reported */
	pw_repeat(buf, sizeof(buf), "a", 1000);
	buf[999] = '\xff';
	assert_int_equal(pw_policy_check(buf, NULL, NULL), PW_BAD_UTF8);
}

/* The organisation's rules: a longer minimum and banned words. */
static void
test_pw_rules(void **state)
{
	struct pw_rules	none = { 0, NULL }, twelve = { 12, NULL };
	struct pw_rules	below = { 4, NULL }, banned = { 8, "contoso  acme" };

	(void)state;
	assert_int_equal(pw_policy_check("quiet harbour", NULL, &none), PW_OK);
	assert_int_equal(pw_policy_check("quiet harb", NULL, &none), PW_OK);
	assert_int_equal(pw_policy_check("quiet harb", NULL, &twelve),
	    PW_TOO_SHORT);
	assert_int_equal(pw_policy_check("quiet harbo", NULL, &twelve),
	    PW_TOO_SHORT);
	assert_int_equal(pw_policy_check("quiet harbou", NULL, &twelve), PW_OK);
	/* A minimum below PW_MIN is PW_MIN. */
	assert_int_equal(pw_policy_check("x7#kQm2", NULL, &below),
	    PW_TOO_SHORT);
	/* A banned word anywhere, in any ASCII case. */
	assert_int_equal(pw_policy_check("my CONTOSO garden", NULL, &banned),
	    PW_BANNED);
	assert_int_equal(pw_policy_check("blue acme kettle", NULL, &banned),
	    PW_BANNED);
	assert_int_equal(pw_policy_check("blue acm kettle", NULL, &banned),
	    PW_OK);
	assert_int_equal(pw_policy_check("blue acme kettle", NULL, NULL),
	    PW_OK);
}

static void
test_pw_verdict_messages(void **state)
{
	char mb[PW_MESSAGE_MAX];
	struct pw_rules twelve = { 12, NULL };
	int v, w;

	(void)state;
	for (v = 0; v < PW_VERDICT__MAX; v++) {
		assert_non_null(pw_verdict_message((enum pw_verdict)v, NULL,
		    mb));
		assert_true(strlen(pw_verdict_message((enum pw_verdict)v, NULL,
		    mb)) > 10);
		for (w = 0; w < v; w++)
			assert_string_not_equal(
			    pw_verdict_message((enum pw_verdict)v, NULL, mb),
			    pw_verdict_message((enum pw_verdict)w, NULL, mb));
	}
	assert_string_equal(pw_verdict_message(PW_TOO_SHORT, NULL, mb),
	    "Choose a password of at least 8 characters.");
	assert_string_equal(pw_verdict_message(PW_TOO_SHORT, &twelve, mb),
	    "Choose a password of at least 12 characters.");
	assert_non_null(strstr(pw_verdict_message(PW_TOO_LONG, NULL, mb),
	    "256"));
	/* our sentences, never pwquality's or cracklib's words */
	for (v = 0; v < PW_VERDICT__MAX; v++) {
		const char *m = pw_verdict_message((enum pw_verdict)v, NULL, mb);

		assert_null(strstr(m, "monotonic"));
		assert_null(strstr(m, "palindrome"));
		assert_null(strstr(m, "check"));
		assert_null(strstr(m, "cracklib"));
		assert_true(strlen(m) < PW_MESSAGE_MAX);
	}
	assert_non_null(pw_verdict_message(PW_VERDICT__MAX, NULL, mb));
	assert_non_null(pw_verdict_message((enum pw_verdict)-1, NULL, mb));
}

static void
test_pw_common_list_sorted(void **state)
{
	size_t i;
	const char *p;

	(void)state;
	assert_true(pw_common_count > 1000);
	for (i = 0; i < pw_common_count; i++) {
		assert_true(pw_common_list[i][0] != '\0');
		for (p = pw_common_list[i]; *p != '\0'; p++)
			assert_false(*p >= 'A' && *p <= 'Z');
		if (i > 0)
			assert_true(strcmp(pw_common_list[i - 1],
			    pw_common_list[i]) < 0);
	}
}

/* ---- secrets at rest ---- */

static const unsigned char ckey[CRYPT_KEY_LEN] =
    "0123456789abcdef0123456789abcdef";
static const unsigned char secret[] = "totp secret bytes";
#define SECRET_LEN (sizeof(secret) - 1)

static void
test_crypt_round_trip(void **state)
{
	unsigned char sealed[SECRET_LEN + CRYPT_OVERHEAD];
	unsigned char sealed2[SECRET_LEN + CRYPT_OVERHEAD];
	unsigned char out[SECRET_LEN];

	(void)state;
	assert_int_equal(crypt_seal(ckey, (const unsigned char *)"user:42", 7,
	    secret, SECRET_LEN, sealed, sizeof(sealed)), sizeof(sealed));
	assert_memory_not_equal(sealed + CRYPT_NONCE_LEN, secret, SECRET_LEN);
	assert_int_equal(crypt_open(ckey, (const unsigned char *)"user:42", 7,
	    sealed, sizeof(sealed), out, sizeof(out)), SECRET_LEN);
	assert_memory_equal(out, secret, SECRET_LEN);

	/* a fresh nonce each time */
	assert_int_equal(crypt_seal(ckey, (const unsigned char *)"user:42", 7,
	    secret, SECRET_LEN, sealed2, sizeof(sealed2)), sizeof(sealed2));
	assert_memory_not_equal(sealed, sealed2, sizeof(sealed));

	/* no aad, and an empty plaintext */
	assert_int_equal(crypt_seal(ckey, NULL, 0, secret, SECRET_LEN,
	    sealed, sizeof(sealed)), sizeof(sealed));
	assert_int_equal(crypt_open(ckey, NULL, 0, sealed, sizeof(sealed),
	    out, sizeof(out)), SECRET_LEN);
	assert_memory_equal(out, secret, SECRET_LEN);
	assert_int_equal(crypt_seal(ckey, NULL, 0, NULL, 0, sealed,
	    CRYPT_OVERHEAD), CRYPT_OVERHEAD);
	assert_int_equal(crypt_open(ckey, NULL, 0, sealed, CRYPT_OVERHEAD,
	    NULL, 0), 0);
}

static void
test_crypt_tampered(void **state)
{
	unsigned char sealed[SECRET_LEN + CRYPT_OVERHEAD];
	unsigned char out[SECRET_LEN];
	size_t i;

	(void)state;
	assert_int_equal(crypt_seal(ckey, (const unsigned char *)"user:42", 7,
	    secret, SECRET_LEN, sealed, sizeof(sealed)), sizeof(sealed));
	for (i = 0; i < sizeof(sealed); i++) {	/* nonce, ciphertext, tag */
		sealed[i] ^= 0x01;
		memset(out, 0, sizeof(out));
		assert_int_equal(crypt_open(ckey, (const unsigned char *)
		    "user:42", 7, sealed, sizeof(sealed), out, sizeof(out)),
		    -1);
		assert_memory_not_equal(out, secret, 4);
		sealed[i] ^= 0x01;
	}
	assert_int_equal(crypt_open(ckey, (const unsigned char *)"user:42", 7,
	    sealed, sizeof(sealed), out, sizeof(out)), SECRET_LEN);
}

static void
test_crypt_wrong_aad_key(void **state)
{
	unsigned char sealed[SECRET_LEN + CRYPT_OVERHEAD];
	unsigned char out[SECRET_LEN], key2[CRYPT_KEY_LEN];

	(void)state;
	assert_int_equal(crypt_seal(ckey, (const unsigned char *)"user:42", 7,
	    secret, SECRET_LEN, sealed, sizeof(sealed)), sizeof(sealed));
	assert_int_equal(crypt_open(ckey, (const unsigned char *)"user:43", 7,
	    sealed, sizeof(sealed), out, sizeof(out)), -1);
	assert_int_equal(crypt_open(ckey, (const unsigned char *)"user:4", 6,
	    sealed, sizeof(sealed), out, sizeof(out)), -1);
	assert_int_equal(crypt_open(ckey, NULL, 0, sealed, sizeof(sealed),
	    out, sizeof(out)), -1);
	memcpy(key2, ckey, sizeof(key2));
	key2[31] ^= 0x80;
	assert_int_equal(crypt_open(key2, (const unsigned char *)"user:42", 7,
	    sealed, sizeof(sealed), out, sizeof(out)), -1);
}

static void
test_crypt_sizes(void **state)
{
	unsigned char sealed[SECRET_LEN + CRYPT_OVERHEAD];
	unsigned char out[SECRET_LEN];

	(void)state;
	assert_int_equal(crypt_seal(ckey, NULL, 0, secret, SECRET_LEN,
	    sealed, sizeof(sealed) - 1), -1);
	assert_int_equal(crypt_seal(ckey, NULL, 5, secret, SECRET_LEN,
	    sealed, sizeof(sealed)), -1);	/* NULL aad with a length */
	assert_int_equal(crypt_seal(ckey, NULL, 0, secret, SECRET_LEN,
	    sealed, sizeof(sealed)), sizeof(sealed));
	assert_int_equal(crypt_open(ckey, NULL, 0, sealed, sizeof(sealed),
	    out, sizeof(out) - 1), -1);
	assert_int_equal(crypt_open(ckey, NULL, 0, sealed,
	    CRYPT_OVERHEAD - 1, out, sizeof(out)), -1);
	assert_int_equal(crypt_open(ckey, NULL, 0, sealed, sizeof(sealed) - 1,
	    out, sizeof(out)), -1);	/* truncated tag */
	assert_int_equal(crypt_open(ckey, NULL, 0, NULL, 0, out,
	    sizeof(out)), -1);
}

/* ---- one-time codes ---- */

static void
test_code_random(void **state)
{
	char out[64], wide[193];
	size_t i, count[3] = { 0, 0, 0 };
	static char big[9001];

	(void)state;
	assert_int_equal(code_random("0123456789", 6, out, 7), 0);
	assert_int_equal(strlen(out), 6);
	assert_int_equal(strspn(out, "0123456789"), 6);
	assert_int_equal(code_random("abc", 0, out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(code_random("z", 10, out, sizeof(out)), 0);
	assert_string_equal(out, "zzzzzzzzzz");

	/* uniform enough over a 3-letter alphabet (256 % 3 != 0) */
	assert_int_equal(code_random("abc", sizeof(big) - 1, big,
	    sizeof(big)), 0);
	for (i = 0; big[i] != '\0'; i++)
		count[big[i] - 'a']++;
	for (i = 0; i < 3; i++)
		assert_in_range(count[i], 2700, 3300);

	/* 192 characters: without rejection the first 64 would come up
	 * half of the time instead of a third */
	for (i = 0; i < 192; i++)
		wide[i] = (char)(i + 1);
	wide[192] = '\0';
	assert_int_equal(code_random(wide, sizeof(big) - 1, big,
	    sizeof(big)), 0);
	for (i = 0, count[0] = 0; big[i] != '\0'; i++)
		if ((unsigned char)big[i] <= 64)
			count[0]++;
	assert_in_range(count[0], 2700, 3300);
}

static void
test_code_random_bad(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(code_random("0123456789", 7, out, 7), -1);
	assert_int_equal(code_random("0123456789", 1, out, 0), -1);
	assert_int_equal(code_random("", 4, out, sizeof(out)), -1);
	assert_int_equal(code_random(NULL, 4, out, sizeof(out)), -1);
	assert_int_equal(code_random("01", 4, NULL, 8), -1);
}

static void
test_code_recovery(void **state)
{
	char a[CODE_RECOVERY_SIZE], b[CODE_RECOVERY_SIZE], norm[13];
	size_t i;

	(void)state;
	assert_int_equal(code_recovery(a, sizeof(a)), 0);
	assert_int_equal(strlen(a), 14);
	for (i = 0; i < 14; i++) {
		if (i == 4 || i == 9)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr(CODE_RECOVERY_ALPHABET, a[i]));
	}
	assert_int_equal(code_recovery(b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(code_recovery_normalise(a, norm, sizeof(norm)), 12);
	assert_int_equal(code_recovery(a, sizeof(a) - 1), -1);
	assert_int_equal(code_recovery(NULL, 0), -1);
}

static void
test_code_recovery_normalise(void **state)
{
	static const char *const good[] = {
		"abcd-efgh-jkmn", "ABCD-EFGH-JKMN", "abcdefghjkmn",
		" abcd efgh jkmn ", "AbCd--EfGh - JkMn",
	};
	static const char *const bad[] = {
		"", "abcd-efgh-jkm", "abcd-efgh-jkmnp", "abcd-efgh-jkm0",
		"abcd-efgh-jkm1", "abcd-efgh-jkml", "abcd-efgh-jkmo",
		"abcd-efgh-jkmi", "abcd_efgh_jkmn", "abcd.efgh.jkmn",
		"abcd-efgh-jkm\xc3\xa9", "abcd\tefgh\tjkmn",
		"abcd-efgh-jkmn-abcd",
	};
	char out[CODE_RECOVERY_CHARS + 1];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++) {
		assert_int_equal(code_recovery_normalise(good[i], out,
		    sizeof(out)), CODE_RECOVERY_CHARS);
		assert_string_equal(out, "abcdefghjkmn");
	}
	for (i = 0; i < NELEM(bad); i++) {
		assert_int_equal(code_recovery_normalise(bad[i], out,
		    sizeof(out)), -1);
		assert_int_equal(out[0], '\0');
	}
	assert_int_equal(code_recovery_normalise(NULL, out, sizeof(out)), -1);
	assert_int_equal(code_recovery_normalise(good[0], out,
	    sizeof(out) - 1), -1);
}

static void
test_lockout_delay(void **state)
{
	static const struct {
		int failures;
		long seconds;
	} t[] = {
		{ INT_MIN, 0 }, { -1, 0 }, { 0, 0 }, { 1, 0 }, { 4, 0 },
		{ 5, 60 }, { 6, 120 }, { 7, 240 }, { 8, 480 }, { 9, 960 },
		{ 10, 1920 }, { 11, 3600 }, { 12, 3600 }, { 100, 3600 },
		{ INT_MAX, 3600 },
	};
	static const struct {
		int failures, threshold;
		long base, seconds;
	} set[] = {	/* lockout.threshold and lockout.seconds changed */
		{ 2, 3, 10, 0 }, { 3, 3, 10, 10 }, { 4, 3, 10, 20 },
		{ 9, 3, 10, 640 }, { 20, 3, 10, 3600 }, { 49, 50, 1, 0 },
		{ 50, 50, 1, 1 }, { 3, 3, 3600, 3600 }, { 4, 3, 3600, 3600 },
		{ INT_MAX, 3, 1, 3600 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++)
		assert_int_equal(lockout_delay(t[i].failures, 5, 60),
		    t[i].seconds);
	for (i = 0; i < NELEM(set); i++)
		assert_int_equal(lockout_delay(set[i].failures,
		    set[i].threshold, set[i].base), set[i].seconds);
}

/* A refusal for a name says which part of which name it found. */
static void
test_refusal_names_part(void **state)
{
	static const struct pw_person meas = { "meas-staff1@demo.example",
	    "Meas Staff", NULL, NULL };
	static const struct pw_person ann = { "alee@corp.example",
	    "Annika Lee", "Annika", "Lee" };
	char	buf[PW_MESSAGE_MAX];

	(void)state;
	assert_string_equal(pw_refusal_text(PW_PERSONAL, "Staffdesk-Demo-2026",
	    &meas, NULL, buf), "Choose a password that does not contain your "
	    "name or user name: it contains \"staff\", from your user name.");
	assert_string_equal(pw_refusal_text(PW_PERSONAL, "i love annika so",
	    &ann, NULL, buf), "Choose a password that does not contain your "
	    "name or user name: it contains \"Annika\", from your name.");
	/* other verdicts: as pw_verdict_message() */
	assert_string_equal(pw_refusal_text(PW_COMMON, "password1", &ann, NULL,
	    buf), pw_verdict_message(PW_COMMON, NULL, buf));
}

/* RFC 5869 A.3 (no salt, no info) and that the info separates keys. */
static void
test_hkdf(void **state)
{
	static const unsigned char okm[32] = {
		0x8d, 0xa4, 0xe7, 0x75, 0xa5, 0x63, 0xc1, 0x8f,
		0x71, 0x5f, 0x80, 0x2a, 0x06, 0x3c, 0x5a, 0x31,
		0xb8, 0xa1, 0x1f, 0x5c, 0x5e, 0xe1, 0x87, 0x9e,
		0xc3, 0x45, 0x4e, 0x5f, 0x3c, 0x73, 0x8d, 0x2d,
	};
	unsigned char	 ikm[22], a[32], b[32];

	(void)state;
	memset(ikm, 0x0b, sizeof(ikm));
	assert_int_equal(crypt_derive(ikm, sizeof(ikm), "", a, sizeof(a)), 0);
	assert_memory_equal(a, okm, sizeof(okm));
	assert_int_equal(crypt_derive(ikm, sizeof(ikm), "staffdesk otp-hmac v1",
	    b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(b, ikm, sizeof(ikm));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6238_vectors),
		cmocka_unit_test(test_hkdf),
		cmocka_unit_test(test_refusal_names_part),
		cmocka_unit_test(test_rfc4226_vectors),
		cmocka_unit_test(test_hotp_bad_arguments),
		cmocka_unit_test(test_totp_verify_drift_accepted),
		cmocka_unit_test(test_totp_verify_drift_refused),
		cmocka_unit_test(test_totp_verify_replay),
		cmocka_unit_test(test_totp_verify_malformed),
		cmocka_unit_test(test_base32_rfc4648_vectors),
		cmocka_unit_test(test_base32_round_trip),
		cmocka_unit_test(test_base32_bad_input),
		cmocka_unit_test(test_base32_overflow),
		cmocka_unit_test(test_pw_hash_round_trip),
		cmocka_unit_test(test_pw_hash_out_too_small),
		cmocka_unit_test(test_pw_verify_malformed),
		cmocka_unit_test(test_pw_policy_table),
		cmocka_unit_test(test_pw_policy_lengths),
		cmocka_unit_test(test_pw_verdict_messages),
		cmocka_unit_test(test_pw_common_list_sorted),
		cmocka_unit_test(test_crypt_round_trip),
		cmocka_unit_test(test_crypt_tampered),
		cmocka_unit_test(test_crypt_wrong_aad_key),
		cmocka_unit_test(test_crypt_sizes),
		cmocka_unit_test(test_code_random),
		cmocka_unit_test(test_code_random_bad),
		cmocka_unit_test(test_code_recovery),
		cmocka_unit_test(test_code_recovery_normalise),
		cmocka_unit_test(test_lockout_delay),
		cmocka_unit_test(test_pw_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
