/*
 * util.h: allocation that aborts on failure, the per-request arena,
 * bounded strings, randomness and constant-time helpers.
 *
 * How every function of staffdesk says how it went (one rule):
 *  - 0 when it did what its name says (DB_OK for the database);
 *  - negative when it could not: -1, or an enum db_err (db/db.h) for
 *    the database, which a page answers with 503;
 *  - positive for an answer that is not a failure: nothing found
 *    (DB_NONE), a refusal from the caller's own enum (a transaction
 *    that returns one is rolled back and passes it on), or, for a gate
 *    that answered the request itself, the HTTP status it sent.
 * Three kinds of function are exempt, and their names say so:
 * predicates (uuid_valid, sess_csrf_ok, sess_flash_waiting,
 * authz_has_org_scope) return 1 or 0 and cannot fail; a function that
 * returns a count, a length or an index (search_terms, b64url_decode,
 * settings_find) returns it, or -1; a page handler returns nothing (it
 * has answered: r->status says how).
 */
#ifndef STAFFDESK_UTIL_H
#define STAFFDESK_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define UUID_LEN	36	/* 8-4-4-4-12 hex, no braces */

/* A number macro as a string literal: STR(SEARCH_Q_MAX) is "100". */
#define STR_(x)		#x
#define STR(x)		STR_(x)

/* Allocation failure in application code aborts here (one door). */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
char	*xstrdup(const char *);

/*
 * An arena: every allocation of one request hangs off it and is
 * released by arena_reset() at the end of the FastCGI loop iteration.
 */
struct arena_chunk;
struct arena {
	struct arena_chunk	*head;
};

void	*arena_alloc(struct arena *, size_t);
char	*arena_strdup(struct arena *, const char *);
char	*arena_strndup(struct arena *, const char *, size_t);
char	*arena_printf(struct arena *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 arena_reset(struct arena *);

/* Range-checked integer parse of the whole string; 0 ok, -1 otherwise. */
int	 parse_int64(const char *, int64_t min, int64_t max, int64_t *out);

/* Cryptographic randomness (OpenSSL); aborts if the RNG fails. */
void	 random_bytes(void *, size_t);
/* A random (version 4) UUID, lower-case, into out[UUID_LEN + 1]. */
void	 uuid_v4(char out[UUID_LEN + 1]);
/* 1 when s is a canonical lower- or upper-case UUID, else 0. */
int	 uuid_valid(const char *s);

/* Lower-case hex of len bytes into out (2 * len + 1 bytes). */
void	 hex_encode(const unsigned char *, size_t len, char *out);
/* base64url without padding; out needs 4 * ((len + 2) / 3) + 1 bytes. */
void	 b64url_encode(const unsigned char *, size_t len, char *out);
/* Decodes base64url (no padding); returns the length or -1. */
int	 b64url_decode(const char *in, unsigned char *out, size_t outsz);
/* SHA-256 of s as 64 hex characters into out[65]. */
void	 sha256_hex(const void *s, size_t len, char out[65]);
/* Constant-time equality of two NUL-terminated strings. */
int	 str_ct_equal(const char *, const char *);

/* Wall clock in microseconds and seconds (UTC). */
int64_t	 now_us(void);
int64_t	 now_s(void);

/*
 * The next entry of a list whose entries are separated by spaces,
 * commas, tabs or new lines: *start and its length, *p moved past it;
 * 0 at the end.
 */
size_t	 list_next(const char **p, const char **start);
/*
 * The len bytes at s in single quotes, for a message that names a bad
 * entry: at most QUOTE_MAX bytes of it, cut on a character boundary,
 * "..." after a cut.
 */
#define QUOTE_MAX	40
char	*arena_quote(struct arena *, const char *s, size_t len);

/* 1 when s is valid UTF-8 without C0 controls (tab, LF, CR allowed when ml). */
int	 utf8_text_valid(const char *s, size_t len, int multiline);
/* Number of UTF-8 code points in s (s must be valid UTF-8). */
size_t	 utf8_len(const char *s);

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A User-Agent as people name it: "Firefox on Windows", "Safari on
 * iPhone", "w3m"; "Unknown browser" for what it does not recognise.
 * Made of fixed words in a (nothing of the header is copied).
 */
const char	*ua_summary(struct arena *a, const char *ua);

#endif
