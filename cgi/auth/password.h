/*
 * Password hashing (argon2id, PHC strings) and the password policy
 * (8-256 characters, or a longer minimum the organisation sets; no
 * composition rules, not common, not built from the person's own name
 * or UPN, no word the organisation bans, not this site's name, not a
 * piece said twice, and what Debian's libpwquality refuses: cracklib's
 * dictionary words and keyboard runs, sequences, repeated characters,
 * the user name backwards). The policy does no I/O of its own but for
 * reading cracklib's dictionary (package cracklib-runtime); pwquality is
 * configured in code, never from /etc/security/pwquality.conf.
 */
#ifndef STAFFDESK_AUTH_PASSWORD_H
#define STAFFDESK_AUTH_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#define PW_MIN      8	/* characters (UTF-8 code points) */
#define PW_MAX      256	/* characters (UTF-8 code points) */
#define PW_MAX_BYTES (PW_MAX * 4)	/* longest valid UTF-8 of PW_MAX chars */
#define PW_HASH_MAX 128	/* bytes for a PHC string, NUL included */

#define PW_ARGON2_M_KIB   19456
#define PW_ARGON2_T       2
#define PW_ARGON2_P       1
#define PW_SALT_LEN       16
#define PW_HASH_LEN       32
#define PW_NAME_WORD_MIN  3	/* letters in a name word the policy looks for */
#define PW_SITE_NAME      "staffdesk"	/* NIST 800-63B 5.1.1.2: the service's name */
#define PW_MAX_REPEAT     3	/* one character in a row: aaa, not aaaa */
#define PW_MAX_SEQUENCE   4	/* pwquality maxsequence: 1234, not 12345 */

/*
 * argon2id with PW_ARGON2_* costs, a PW_SALT_LEN salt from RAND_bytes and
 * a PW_HASH_LEN hash, written to out as a PHC string ("$argon2id$v=19$...").
 * outsz of PW_HASH_MAX is enough. Returns 0, or -1 (RNG, out of memory,
 * out too small; out is then wiped).
 */
int pw_hash(const char *pw, char *out, size_t outsz);

/*
 * Checks pw against a PHC string from pw_hash() with argon2id_verify (the
 * costs come from the string). Returns 0 on a match; 1 on a mismatch, and
 * for a malformed, over-long or non-argon2id string; -1 on an internal
 * error (out of memory).
 */
int pw_verify(const char *phc, const char *pw);

/*
 * How many argon2id runs pw_hash() and pw_verify() have made in this
 * process, and the nanoseconds they took (admit.c's measure of a hash).
 */
void pw_spent(uint64_t *n, uint64_t *ns);

enum pw_verdict {
	PW_OK,
	PW_TOO_SHORT,
	PW_TOO_LONG,
	PW_BAD_UTF8,
	PW_COMMON,
	PW_PERSONAL,
	PW_BANNED,
	PW_SITE,	/* this site's name (PW_SITE_NAME) */
	PW_REPEATED,	/* one shorter piece said again: aaaaaaaa, abcabcabc */
	PW_DICTIONARY,	/* cracklib: a word, a keyboard run, disguised */
	PW_SEQUENCE,	/* pwquality maxsequence: 12345, abcde */
	PW_PATTERN,	/* pwquality: a run of one character, a palindrome */
	PW_VERDICT__MAX
};

/* What the organisation adds (settings password.*); NULL: nothing. */
struct pw_rules {
	long		 min_length;	/* characters, PW_MIN to PW_MAX */
	const char	*banned;	/* words separated by spaces, or NULL */
};

#define PW_MESSAGE_MAX	160	/* bytes of a pw_verdict_message() */

/* The person whose password is checked; any field may be NULL. */
struct pw_person {
	const char *upn;
	const char *display_name;
	const char *given_name;
	const char *surname;
};

/*
 * The password policy, first failing rule wins, in this order:
 * PW_BAD_UTF8   not valid UTF-8 (overlong forms, surrogates, > U+10FFFF);
 * PW_TOO_SHORT  fewer than PW_MIN code points (or rules->min_length);
 * PW_TOO_LONG   more than PW_MAX code points;
 * PW_COMMON     the ASCII-lower-cased password, or that with trailing ASCII
 *               digits and punctuation removed, is on pw_common_list, also
 *               after undoing look-alike swaps (P@ssw0rd is password);
 * PW_PERSONAL   it contains, ASCII case-insensitively, the UPN's local part
 *               (before '@') or any word of PW_NAME_WORD_MIN+ letters of
 *               the UPN local part, display name, given name or surname;
 * PW_BANNED     it contains, ASCII case-insensitively, a word of
 *               rules->banned;
 * PW_SITE       it contains PW_SITE_NAME (also with look-alike swaps);
 * PW_REPEATED   it is one shorter piece said two or more times, in any
 *               ASCII case (passwordpassword, aaaaaaaaaaaa);
 * PW_PATTERN    more than PW_MAX_REPEAT of one character in a row;
 * then libpwquality (minclass 0, no credits, dictcheck, usercheck with the
 * UPN's local part, maxsequence PW_MAX_SEQUENCE),
 * on the password and, for the dictionary, on it with look-alikes undone:
 * PW_DICTIONARY cracklib refused it (a word, a keyboard run like 1q2w3e4r);
 * PW_PERSONAL   the user name in another form (backwards);
 * PW_SEQUENCE   more than PW_MAX_SEQUENCE characters in sequence;
 * PW_PATTERN    a palindrome, or another of pwquality's refusals.
 * No composition rules. who and rules may be NULL. Returns PW_OK
 * otherwise.
 */
enum pw_verdict pw_policy_check(const char *pw, const struct pw_person *who,
    const struct pw_rules *rules);

/*
 * 0 when the policy takes a good passphrase; -1 when it refuses it, as
 * it then refuses every password (cracklib's dictionary is missing).
 * staffdesk.fcgi will not start without it (--check says so too).
 */
int pw_policy_ready(void);

/* A sentence for the person choosing the password, in buf; never NULL. */
const char *pw_verdict_message(enum pw_verdict v, const struct pw_rules *rules,
    char buf[PW_MESSAGE_MAX]);
/*
 * As pw_verdict_message(), but for PW_PERSONAL it names the part of
 * who's name or user name that pw contains ("... it contains "staff",
 * from your user name.").
 */
const char *pw_refusal_text(enum pw_verdict v, const char *pw,
    const struct pw_person *who, const struct pw_rules *rules,
    char buf[PW_MESSAGE_MAX]);

/*
 * The common-password list, generated at build time by common-gen.awk:
 * lower case, strictly ascending by strcmp (searched with bsearch).
 */
extern const char *const pw_common_list[];
extern const size_t pw_common_count;

#endif /* STAFFDESK_AUTH_PASSWORD_H */
