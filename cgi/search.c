/*
 * search.c: see search.h.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "db/db.h"
#include "phone.h"
#include "search.h"
#include "util.h"

/*
 * NFC as utf8proc_NFC() makes it (STABLE | COMPOSE), with Unicode's
 * full case folding applied to the decomposed text on the way.
 */
#define FOLD_OPTS	(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD)
#define FOLD_STACK	256	/* code points folded without a malloc */

char *
search_fold(struct arena *a, const char *text)
{
	const utf8proc_uint8_t	*s = (const utf8proc_uint8_t *)text;
	utf8proc_ssize_t	 len = (utf8proc_ssize_t)strlen(text), n, m;
	utf8proc_int32_t	 stack[FOLD_STACK], *buf = stack;
	char			*out = NULL;

	/* utf8proc_map()'s steps: count the code points, decompose them
	 * into a buffer that big, compose and re-encode in place (at most 4
	 * bytes a code point, and a NUL); then only the bytes to the arena,
	 * as a person's words wait there for the batch (search_batch_add). */
	if ((n = utf8proc_decompose(s, len, NULL, 0, FOLD_OPTS)) < 0)
		return NULL;
	if (n >= FOLD_STACK)
		buf = xmalloc(((size_t)n + 1) * sizeof(*buf));
	if (utf8proc_decompose(s, len, buf, n, FOLD_OPTS) != n ||
	    (m = utf8proc_reencode(buf, n, FOLD_OPTS)) < 0)
		goto out;
	out = arena_strndup(a, (const char *)buf, (size_t)m);
out:
	if (buf != stack)
		free(buf);
	return out;
}

static int
is_sep(unsigned char c)
{
	return c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'));
}

size_t
search_split(struct arena *a, const char *text, const char **words,
    size_t max)
{
	const unsigned char	*p = (const unsigned char *)text, *start;
	size_t			 n = 0, len;

	while (*p != '\0' && n < max) {
		while (*p != '\0' && is_sep(*p))
			p++;
		start = p;
		while (*p != '\0' && !is_sep(*p))
			p++;
		if ((len = (size_t)(p - start)) == 0)
			continue;
		if (len > SEARCH_WORD_MAX) {
			len = SEARCH_WORD_MAX;
			while (len > 0 && (start[len] & 0xc0) == 0x80)
				len--;
		}
		words[n++] = arena_strndup(a, (const char *)start, len);
	}
	return n;
}

char *
search_digits(struct arena *a, const char *phone)
{
	char	*out = arena_alloc(a, strlen(phone) + 1), *o = out;

	/* An office extension (" x123") is not part of the number. */
	for (; *phone != '\0' && *phone != 'x'; phone++)
		if (*phone >= '0' && *phone <= '9')
			*o++ = *phone;
	*o = '\0';
	return o == out ? NULL : out;
}

/* q is a phone number: digits and + ( ) - . space only, one digit at least. */
static int
phone_like(const char *q)
{
	return strspn(q, "+0123456789 ()-.") == strlen(q) &&
	    strpbrk(q, "0123456789") != NULL;
}

const char *
search_like_prefix(struct arena *a, const char *w)
{
	char	*out = arena_alloc(a, 2 * strlen(w) + 2), *o = out;

	for (; *w != '\0'; w++) {
		if (*w == '!' || *w == '%' || *w == '_')
			*o++ = '!';
		*o++ = *w;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

/* Splits at spaces only: the words as typed, punctuation kept. */
static size_t
split_spaces(struct arena *a, const char *text, const char **words,
    size_t max)
{
	const char	*p = text, *start;
	size_t		 n = 0, len;

	while (*p != '\0' && n < max) {
		while (*p == ' ')
			p++;
		start = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if ((len = (size_t)(p - start)) > 0 && len <= SEARCH_WORD_MAX)
			words[n++] = arena_strndup(a, start, len);
	}
	return n;
}

int
search_terms(struct arena *a, const char *q, const char *country,
    const char *terms[SEARCH_TERMS_MAX])
{
	const char	*words[SEARCH_TERMS_MAX];
	char		*digits, e164[PHONE_MAX];
	size_t		 n, i;

	if (!utf8_text_valid(q, strlen(q), 0) || utf8_len(q) > SEARCH_Q_MAX ||
	    (q = search_fold(a, q)) == NULL)
		return -1;
	/* A whole number as dialled in the country: as stored, +1 and all. */
	if (phone_like(q) && country != NULL && *country != '\0' &&
	    q[strspn(q, " ")] != '+' &&
	    phone_national_e164(q, country, e164) == 0)
		q = arena_strdup(a, e164);
	if (phone_like(q) && (digits = search_digits(a, q)) != NULL) {
		terms[0] = search_like_prefix(a, digits);
		return 1;
	}
	n = split_spaces(a, q, words, SEARCH_TERMS_MAX);
	for (i = 0; i < n; i++)
		terms[i] = search_like_prefix(a, words[i]);
	return (int)n;
}

/* Adds one word unless it is already among the first n. */
static size_t
add_word(const char **w, size_t n, const char *word)
{
	size_t	i;

	if (word == NULL || *word == '\0' || n == SEARCH_WORDS_MAX ||
	    strlen(word) > SEARCH_WORD_MAX)
		return n;
	for (i = 0; i < n; i++)
		if (strcasecmp(w[i], word) == 0)
			return n;
	w[n] = word;
	return n + 1;
}

_Static_assert(SEARCH_WORDS_MAX <= SEARCH_ROWS,
    "a person's words fit one statement");

/* text folded, or as it is when it is not UTF-8 (NULL stays NULL). */
static const char *
fold_or_keep(struct arena *a, const char *text)
{
	const char	*f;

	if (text == NULL || (f = search_fold(a, text)) == NULL)
		return text;
	return f;
}

size_t
search_words(struct arena *a, const char *name, const char *upn,
    const char *email, const char *const *phones, size_t nphones,
    const char *w[SEARCH_WORDS_MAX])
{
	const char	*split[SEARCH_WORDS_MAX];
	size_t		 n = 0, i, k;

	name = fold_or_keep(a, name);
	upn = fold_or_keep(a, upn);
	email = fold_or_keep(a, email);
	/* "Smith-Jones" is found as "smith-jones", "smith" and "jones". */
	k = split_spaces(a, name, split, SEARCH_WORDS_MAX);
	for (i = 0; i < k; i++)
		n = add_word(w, n, split[i]);
	k = search_split(a, name, split, SEARCH_WORDS_MAX);
	for (i = 0; i < k; i++)
		n = add_word(w, n, split[i]);
	n = add_word(w, n, upn);
	n = add_word(w, n, email);
	for (i = 0; i < nphones; i++)
		n = add_word(w, n, search_digits(a, phones[i]));
	return n;
}

void
search_batch_init(struct search_batch *b, const char *kind)
{
	memset(b, 0, sizeof(*b));
	b->in.kind = DB_TEXT(kind);
}

int
search_batch_flush(struct db *db, struct search_batch *b)
{
	size_t	i;

	if (b->n == 0)
		return DB_OK;
	/* The rows not used are NULL, which the statement skips. */
	for (i = b->n; i < NELEM(b->in.rows); i++)
		b->in.rows[i].ref = b->in.rows[i].name = b->in.rows[i].word =
		    DB_NULL;
	b->n = 0;
	return q_search_add(db, &b->in, NULL);
}

int
search_batch_add(struct db *db, struct arena *a, struct search_batch *b,
    const char *id, const char *name, const char *upn, const char *email,
    const char *const *phones, size_t nphones)
{
	const char	*w[SEARCH_WORDS_MAX];
	size_t		 n, i;
	int		 rc;

	n = search_words(a, name, upn, email, phones, nphones, w);
	if (b->n + n > SEARCH_ROWS && (rc = search_batch_flush(db, b)) !=
	    DB_OK)
		return rc;
	for (i = 0; i < n; i++, b->n++) {
		b->in.rows[b->n].ref = DB_TEXT(id);
		b->in.rows[b->n].name = DB_TEXT(name);
		b->in.rows[b->n].word = DB_TEXT(w[i]);
	}
	return DB_OK;
}

int
search_index(struct db *db, struct arena *a, const char *kind,
    const char *id, const char *name, const char *upn, const char *email,
    const char *const *phones, size_t nphones)
{
	struct search_batch	 b;
	int			 rc;

	if ((rc = q_search_forget(db, &(struct q_search_forget_in){
	    .ref = DB_TEXT(id) }, NULL)) != DB_OK)
		return rc;
	search_batch_init(&b, kind);
	if ((rc = search_batch_add(db, a, &b, id, name, upn, email, phones,
	    nphones)) != DB_OK)
		return rc;
	return search_batch_flush(db, &b);
}
