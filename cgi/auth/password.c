/*
 * argon2id password hashes and the password policy (see password.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <argon2.h>
#include <openssl/rand.h>
#include <pwquality.h>

#include "auth/password.h"
#include "util.h"

#define PW_PHC_PREFIX "$argon2id$"

static const char *const pw_messages[PW_VERDICT__MAX] = {
	[PW_OK] = "This password can be used.",
	/* PW_TOO_SHORT: pw_verdict_message() says the minimum. */
	[PW_TOO_LONG] = "Choose a password of at most " STR(PW_MAX)
	    " characters.",
	[PW_BAD_UTF8] = "The password contains characters that could not be "
	    "read; please type it again.",
	[PW_COMMON] = "This password is too common and easy to guess; choose "
	    "a longer or less predictable one, such as a few unrelated words.",
	[PW_PERSONAL] = "Choose a password that does not contain your name or "
	    "user name, also not backwards.",
	[PW_BANNED] = "This password contains a word your organisation does "
	    "not allow in passwords (such as its own name); choose another.",
	[PW_SITE] = "This password contains the name of this site, "
	    "\"" PW_SITE_NAME "\", which makes it easy to guess; choose "
	    "another.",
	[PW_REPEATED] = "This password says the same thing over and over; "
	    "choose one that does not, such as a few unrelated words.",
	[PW_DICTIONARY] = "This password is a dictionary word or a keyboard "
	    "pattern, maybe with letters swapped for look-alikes; choose a "
	    "few unrelated words instead.",
	[PW_SEQUENCE] = "This password contains a run such as 12345 or "
	    "abcde, which is easy to guess; choose another.",
	[PW_PATTERN] = "This password has one character many times in a row, "
	    "or reads the same backwards; choose one that is harder to guess.",
};

/* What argon2id has cost this process so far (pw_spent). */
static uint64_t	spent_n, spent_ns;

static uint64_t
pw_clock_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* Counts one argon2id run that began at t0. */
static void
pw_spend(uint64_t t0)
{
	spent_n++;
	spent_ns += pw_clock_ns() - t0;
}

void
pw_spent(uint64_t *n, uint64_t *ns)
{
	*n = spent_n;
	*ns = spent_ns;
}

int
pw_hash(const char *pw, char *out, size_t outsz)
{
	unsigned char salt[PW_SALT_LEN];
	size_t need;
	uint64_t t0;
	int rc = -1;

	if (pw == NULL || out == NULL)
		return -1;
	need = argon2_encodedlen(PW_ARGON2_T, PW_ARGON2_M_KIB, PW_ARGON2_P,
	    PW_SALT_LEN, PW_HASH_LEN, Argon2_id);
	if (need > outsz)
		goto out;
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		goto out;
	t0 = pw_clock_ns();
	rc = argon2id_hash_encoded(PW_ARGON2_T, PW_ARGON2_M_KIB, PW_ARGON2_P,
	    pw, strlen(pw), salt, sizeof(salt), PW_HASH_LEN,
	    out, outsz) == ARGON2_OK ? 0 : -1;
	pw_spend(t0);
out:
	if (rc != 0 && outsz > 0)
		explicit_bzero(out, outsz);
	explicit_bzero(salt, sizeof(salt));
	return rc;
}

int
pw_verify(const char *phc, const char *pw)
{
	uint64_t	t0;
	int		rc;

	if (phc == NULL || pw == NULL)
		return 1;
	if (strnlen(phc, PW_HASH_MAX) >= PW_HASH_MAX ||
	    strncmp(phc, PW_PHC_PREFIX, strlen(PW_PHC_PREFIX)) != 0)
		return 1;

	t0 = pw_clock_ns();
	rc = argon2id_verify(phc, pw, strlen(pw));
	pw_spend(t0);
	switch (rc) {
	case ARGON2_OK:
		return 0;
	case ARGON2_MEMORY_ALLOCATION_ERROR:
	case ARGON2_THREAD_FAIL:
		return -1;
	default:
		return 1;	/* mismatch, or a string argon2 cannot decode */
	}
}

/* ---- policy helpers: ASCII only, independent of the locale ---- */

static int
pw_ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
pw_ascii_alpha(int c)
{
	c = pw_ascii_lower(c);
	return c >= 'a' && c <= 'z';
}

/* 1 for the ASCII digits and punctuation stripped before the list lookup. */
static int
pw_trailing_junk(int c)
{
	return (c >= '0' && c <= '9') ||
	    (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
	    (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

/*
 * Length of the UTF-8 sequence at s (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when s is not one.
 */
static size_t
pw_utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;
		return (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
		    (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/*
 * Number of code points in the NUL-terminated UTF-8 string s, or -1 when
 * it is not valid UTF-8. Stops counting (returning PW_MAX + 1) once the
 * string is known to be too long, but still validates the rest.
 */
static long
pw_utf8_count(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;
	size_t len;

	while (*p != '\0') {
		if ((len = pw_utf8_seq(p)) == 0)
			return -1;
		p += len;
		if (n <= PW_MAX)
			n++;
	}
	return n;
}

static int
pw_common_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* 1 when the lower-case string s is on pw_common_list. */
static int
pw_is_listed(const char *s)
{
	if (*s == '\0' || pw_common_count == 0)
		return 0;
	return bsearch(s, pw_common_list, pw_common_count,
	    sizeof(pw_common_list[0]), pw_common_cmp) != NULL;
}

/*
 * 1 when lower (ASCII-lower-cased, len bytes, NUL-terminated, writable) or
 * lower with its trailing digits and punctuation cut is on the list. lower
 * is cut in place.
 */
static int
pw_is_common(char *lower, size_t len)
{
	if (pw_is_listed(lower))
		return 1;
	while (len > 0 && pw_trailing_junk((unsigned char)lower[len - 1]))
		lower[--len] = '\0';
	return len > 0 && pw_is_listed(lower);
}

/* 1 when needle (nlen > 0 bytes) occurs ASCII-case-insensitively in hay. */
static int
pw_contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	size_t i, j;

	if (nlen == 0 || nlen > hlen)
		return 0;
	for (i = 0; i + nlen <= hlen; i++) {
		for (j = 0; j < nlen; j++)
			if (pw_ascii_lower((unsigned char)hay[i + j]) !=
			    pw_ascii_lower((unsigned char)needle[j]))
				break;
		if (j == nlen)
			return 1;
	}
	return 0;
}

/* The part of a name a password contains (pw_is_personal). */
struct pw_part {
	const char	*s;	/* in the name; NULL: none */
	size_t		 len;
	int		 upn;	/* from the user name, not a name */
};

/*
 * 1 when pw contains a word of `name` (first nlen bytes): a run of ASCII
 * letters and non-ASCII bytes of at least PW_NAME_WORD_MIN code points;
 * the word into *part.
 */
static int
pw_contains_word_of(const char *pw, size_t pwlen, const char *name,
    size_t nlen, struct pw_part *part)
{
	size_t i = 0, start, letters;
	unsigned char c;

	while (i < nlen) {
		start = i;
		letters = 0;
		while (i < nlen && ((c = (unsigned char)name[i]) >= 0x80 ||
		    pw_ascii_alpha(c))) {
			if ((c & 0xc0) != 0x80)
				letters++;	/* count lead bytes only */
			i++;
		}
		if (letters >= PW_NAME_WORD_MIN &&
		    pw_contains(pw, pwlen, name + start, i - start)) {
			part->s = name + start;
			part->len = i - start;
			return 1;
		}
		if (i == start)
			i++;
	}
	return 0;
}

/*
 * 1 when pw (pwlen bytes) is built from who's UPN or names, with the
 * part it contains in *part.
 */
static int
pw_is_personal(const char *pw, size_t pwlen, const struct pw_person *who,
    struct pw_part *part)
{
	const char *names[3];
	const char *at;
	size_t i, local;

	if (who == NULL)
		return 0;
	if (who->upn != NULL) {
		at = strchr(who->upn, '@');
		local = at != NULL ? (size_t)(at - who->upn) : strlen(who->upn);
		part->upn = 1;
		if (local >= PW_NAME_WORD_MIN &&
		    pw_contains(pw, pwlen, who->upn, local)) {
			part->s = who->upn;
			part->len = local;
			return 1;
		}
		if (pw_contains_word_of(pw, pwlen, who->upn, local, part))
			return 1;
		part->upn = 0;
	}
	names[0] = who->display_name;
	names[1] = who->given_name;
	names[2] = who->surname;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] != NULL && pw_contains_word_of(pw, pwlen,
		    names[i], strlen(names[i]), part))
			return 1;
	return 0;
}

/* 1 when pw (pwlen bytes) contains a word of the list banned. */
static int
pw_is_banned(const char *pw, size_t pwlen, const char *banned)
{
	const char *w;
	size_t n;

	if (banned == NULL)
		return 0;
	while ((n = list_next(&banned, &w)) > 0)
		if (pw_contains(pw, pwlen, w, n))
			return 1;
	return 0;
}

/*
 * lower (len bytes, NUL-terminated) with look-alike characters undone,
 * into out (len + 1 bytes): P@ssw0rd is password, $t4ffd3sk staffdesk.
 * Returns 1 when anything was undone.
 */
static int
pw_unleet(const char *lower, size_t len, char *out)
{
	static const char from[] = "@4310$5!|7+", to[] = "aaeiossiltt";
	const char *f;
	size_t i;
	int any = 0;

	for (i = 0; i < len; i++) {
		out[i] = lower[i];
		if (lower[i] != '\0' && (f = strchr(from, lower[i])) != NULL) {
			out[i] = to[f - from];
			any = 1;
		}
	}
	out[len] = '\0';
	return any;
}

/*
 * 1 when lower (len bytes) is one piece said two or more times
 * (passwordpassword, aaaaaaaa, abcabcabc): no stronger than the piece.
 */
static int
pw_is_repeated(const char *lower, size_t len)
{
	size_t unit, i;

	for (unit = 1; unit <= len / 2; unit++) {
		if (len % unit != 0)
			continue;
		for (i = unit; i < len; i++)
			if (lower[i] != lower[i - unit])
				break;
		if (i == len)
			return 1;
	}
	return 0;
}

/*
 * 1 when pw (valid UTF-8) has more than PW_MAX_REPEAT of one character
 * in a row. pwquality's maxrepeat does the same on bytes, but reads an
 * uninitialised byte doing it (valgrind: libpwquality 1.4.5's
 * consecutive(), as compiled by Debian), so it stays off and this counts
 * characters instead.
 */
static int
pw_runs(const char *pw)
{
	const unsigned char *p = (const unsigned char *)pw, *prev = NULL;
	size_t len, plen = 0;
	int same = 0;

	for (; *p != '\0'; p += len) {
		if ((len = pw_utf8_seq(p)) == 0)
			return 0;
		if (prev != NULL && len == plen && memcmp(p, prev, len) == 0) {
			if (++same > PW_MAX_REPEAT)
				return 1;
		} else
			same = 1;
		prev = p;
		plen = len;
	}
	return 0;
}

/* pwquality's refusal code as a verdict (PW_OK for a score). */
static enum pw_verdict
pw_quality_verdict(int rc)
{
	if (rc >= 0)
		return PW_OK;
	switch (rc) {
	case PWQ_ERROR_CRACKLIB_CHECK:
		return PW_DICTIONARY;
	case PWQ_ERROR_USER_CHECK:
	case PWQ_ERROR_GECOS_CHECK:
		return PW_PERSONAL;
	case PWQ_ERROR_MAX_SEQUENCE:
		return PW_SEQUENCE;
	case PWQ_ERROR_MIN_LENGTH:
		return PW_TOO_SHORT;
	case PWQ_ERROR_MEM_ALLOC:
		abort();	/* as xmalloc: allocation failure aborts */
	default:	/* palindrome, repeats, rotated, case changes only */
		return PW_PATTERN;
	}
}

/*
 * libpwquality on pw (with user, the UPN's local part, or NULL), set up
 * in code for NIST 800-63B (no classes, no credits) and never from
 * /etc/security/pwquality.conf (maxrepeat: pw_runs()); dict_only: only
 * cracklib's verdict counts (the look-alike form of a password).
 */
static enum pw_verdict
pw_quality(const char *pw, const char *user, long min, int dict_only)
{
	static const int off[] = { PWQ_SETTING_DIG_CREDIT,
	    PWQ_SETTING_UP_CREDIT, PWQ_SETTING_LOW_CREDIT,
	    PWQ_SETTING_OTH_CREDIT, PWQ_SETTING_MIN_CLASS,
	    PWQ_SETTING_MAX_CLASS_REPEAT, PWQ_SETTING_GECOS_CHECK,
	    PWQ_SETTING_DIFF_OK };
	pwquality_settings_t *q;
	void *aux = NULL;
	char msg[PWQ_MAX_ERROR_MESSAGE_LEN];
	enum pw_verdict v;
	size_t i;
	int rc;

	if ((q = pwquality_default_settings()) == NULL)
		abort();
	rc = 0;
	for (i = 0; i < NELEM(off); i++)
		rc |= pwquality_set_int_value(q, off[i], 0);
	rc |= pwquality_set_int_value(q, PWQ_SETTING_MIN_LENGTH, (int)min);
	rc |= pwquality_set_int_value(q, PWQ_SETTING_DICT_CHECK, 1);
	rc |= pwquality_set_int_value(q, PWQ_SETTING_USER_CHECK, !dict_only);
	rc |= pwquality_set_int_value(q, PWQ_SETTING_MAX_REPEAT, 0);
	rc |= pwquality_set_int_value(q, PWQ_SETTING_MAX_SEQUENCE,
	    dict_only ? 0 : PW_MAX_SEQUENCE);
	if (rc != 0)
		abort();	/* a setting this libpwquality lacks: a build bug */
	rc = pwquality_check(q, pw, NULL, dict_only ? NULL : user, &aux);
	/* pwquality_strerror() frees what aux may hold; the text is unused. */
	if (rc < 0)
		(void)pwquality_strerror(msg, sizeof(msg), rc, aux);
	pwquality_free_settings(q);
	v = pw_quality_verdict(rc);
	if (dict_only && v != PW_DICTIONARY)
		v = PW_OK;
	return v;
}

/* The minimum length rules set, never below PW_MIN. */
static long
pw_min(const struct pw_rules *rules)
{
	return rules != NULL && rules->min_length > PW_MIN ?
	    rules->min_length : PW_MIN;
}

enum pw_verdict
pw_policy_check(const char *pw, const struct pw_person *who,
    const struct pw_rules *rules)
{
	char lower[PW_MAX_BYTES + 1], plain[PW_MAX_BYTES + 1];
	char cut[PW_MAX_BYTES + 1], user[PW_MAX_BYTES + 1];
	const char *at;
	enum pw_verdict v = PW_OK;
	size_t len, i, ulen;
	long chars;
	int leet, rep;

	if (pw == NULL)
		return PW_TOO_SHORT;
	if ((chars = pw_utf8_count(pw)) < 0)
		return PW_BAD_UTF8;
	if (chars < pw_min(rules))
		return PW_TOO_SHORT;
	if (chars > PW_MAX)
		return PW_TOO_LONG;

	len = strlen(pw);	/* <= PW_MAX_BYTES: valid UTF-8, <= PW_MAX chars */
	for (i = 0; i < len; i++)
		lower[i] = (char)pw_ascii_lower((unsigned char)pw[i]);
	lower[len] = '\0';

	leet = pw_unleet(lower, len, plain);
	user[0] = '\0';
	if (who != NULL && who->upn != NULL) {
		at = strchr(who->upn, '@');
		ulen = at != NULL ? (size_t)(at - who->upn) : strlen(who->upn);
		if (ulen < sizeof(user)) {
			memcpy(user, who->upn, ulen);
			user[ulen] = '\0';
		}
	}
	rep = pw_is_repeated(lower, len);	/* before pw_is_common cuts */
	memcpy(cut, plain, len + 1);	/* pw_is_common cuts what it reads */
	if (pw_is_common(lower, len) || (leet && pw_is_common(cut, len)))
		v = PW_COMMON;
	else if (pw_is_personal(pw, len, who, &(struct pw_part){ NULL, 0, 0 }))
		v = PW_PERSONAL;
	else if (rules != NULL && pw_is_banned(pw, len, rules->banned))
		v = PW_BANNED;
	else if (pw_contains(pw, len, PW_SITE_NAME, strlen(PW_SITE_NAME)) ||
	    pw_contains(plain, len, PW_SITE_NAME, strlen(PW_SITE_NAME)))
		v = PW_SITE;
	else if (rep)
		v = PW_REPEATED;
	if (v == PW_OK && pw_runs(pw))
		v = PW_PATTERN;
	if (v == PW_OK)
		v = pw_quality(pw, user[0] ? user : NULL, pw_min(rules), 0);
	if (v == PW_OK && leet)
		v = pw_quality(plain, NULL, pw_min(rules), 1);
	explicit_bzero(lower, sizeof(lower));
	explicit_bzero(plain, sizeof(plain));
	explicit_bzero(cut, sizeof(cut));
	return v;
}

int
pw_policy_ready(void)
{
	return pw_policy_check("correct horse battery staple", NULL, NULL) ==
	    PW_OK ? 0 : -1;
}

const char *
pw_verdict_message(enum pw_verdict v, const struct pw_rules *rules,
    char buf[PW_MESSAGE_MAX])
{
	if (v == PW_TOO_SHORT)
		return snprintf(buf, PW_MESSAGE_MAX, "Choose a password of at "
		    "least %ld characters.", pw_min(rules)) < PW_MESSAGE_MAX ?
		    buf : "Choose a longer password.";
	if ((unsigned)v >= PW_VERDICT__MAX || pw_messages[v] == NULL)
		return "This password cannot be used; choose another.";
	return pw_messages[v];
}

const char *
pw_refusal_text(enum pw_verdict v, const char *pw, const struct pw_person *who,
    const struct pw_rules *rules, char buf[PW_MESSAGE_MAX])
{
	struct pw_part	part = { NULL, 0, 0 };

	/* Which part of the name: a rule that names it can be understood. */
	if (v == PW_PERSONAL && pw != NULL &&
	    pw_is_personal(pw, strlen(pw), who, &part) && part.len <= 64 &&
	    snprintf(buf, PW_MESSAGE_MAX, "Choose a password that does not "
	    "contain your name or user name: it contains \"%.*s\", from your "
	    "%s.", (int)part.len, part.s, part.upn ? "user name" : "name") <
	    PW_MESSAGE_MAX)
		return buf;
	return pw_verdict_message(v, rules, buf);
}
