/*
 * search.h: organisation search (/search): a
 * word table of every word of a name and every UPN, email and phone
 * number, matched by prefix with LIKE 'q%' (an index range scan). The
 * words and the terms of q are both made through search_fold(), so the
 * same text typed composed or decomposed finds the same people. The
 * text functions are pure; search_index() writes the table.
 */
#ifndef STAFFDESK_SEARCH_H
#define STAFFDESK_SEARCH_H

#include <stddef.h>

#define SEARCH_Q_MAX		100	/* characters of q */
#define SEARCH_WORD_MAX		100	/* bytes of one indexed word */
#define SEARCH_WORDS_MAX	24	/* words indexed per person or unit */
#define SEARCH_TERMS_MAX	2	/* words of q that must all match */

#include "db/db.h"

struct arena;

/* Words waiting to be written, for users or units of one kind. */
struct search_batch {
	size_t			 n;	/* rows used */
	struct q_search_add_in	 in;	/* the kind, then SEARCH_ROWS rows */
};

/*
 * text as search compares it, into the arena: Unicode NFC, so "e"
 * followed by U+0301 (as some phones and keyboards send it) is "é";
 * then Unicode's full case folding, so "ZOÉ" is "zoé", and "ß", "ẞ"
 * and "SS" are all "ss". By utf8proc, with UTF8PROC_STABLE. Accents
 * stay: the word table's collation (utf8mb4_unicode_ci) still lets
 * "zoe" find "zoé", as before. NULL when text is not valid UTF-8.
 */
char	*search_fold(struct arena *, const char *text);
/*
 * Splits text into words at ASCII spaces and punctuation (UTF-8 letters
 * stay inside words); returns how many were stored in words[max].
 */
size_t	 search_split(struct arena *, const char *text, const char **words,
	    size_t max);
/*
 * The digits of a phone number up to an extension ("+1 425-555 x12"
 * gives "1425555"), or NULL.
 */
char	*search_digits(struct arena *, const char *phone);
/*
 * The LIKE patterns for q: a phone number (digits, spaces, + ( ) - .)
 * as its digits; else each space-separated word as typed, punctuation
 * included (at most SEARCH_TERMS_MAX), so "first.last@ex" or "o'br"
 * stay whole. '%', '_' and '!' are literal (escaped with '!'). Returns
 * the number of terms (0: nothing to search), or -1 when q is longer
 * than SEARCH_Q_MAX characters or not valid text. With country (the
 * setting phone.country), a whole number as dialled there, "(425)
 * 555-0100", is searched as stored, "+14255550100".
 */
int	 search_terms(struct arena *, const char *q, const char *country,
	    const char *terms[SEARCH_TERMS_MAX]);

/* w as a LIKE ... ESCAPE '!' prefix pattern: % _ ! escaped, % appended. */
const char *search_like_prefix(struct arena *, const char *w);

/*
 * The words of one user or unit into w, folded (search_fold()): the
 * words of name (split at spaces, and again at punctuation), and upn,
 * email and each phone (as digits) whole, each once; how many. Text
 * that is not UTF-8 (which the database does not hold) goes in as it
 * is.
 */
size_t	 search_words(struct arena *, const char *name, const char *upn,
	    const char *email, const char *const *phones, size_t nphones,
	    const char *w[SEARCH_WORDS_MAX]);

/*
 * Replaces the words of one user or unit (kind "user" or "unit"):
 * search_words(). Run inside
 * the caller's transaction. DB_OK or a db_err.
 */
int	 search_index(struct db *, struct arena *, const char *kind,
	    const char *id, const char *name, const char *upn,
	    const char *email, const char *const *phones, size_t nphones);

/*
 * The same for many new users or units, SEARCH_ROWS words a statement
 * (the demo): add each, then flush. An add writes what waits when the
 * next words would not fit, so it too can fail. The strings, and the
 * arena's, must live until the flush. DB_OK or a db_err.
 */
void	 search_batch_init(struct search_batch *, const char *kind);
int	 search_batch_add(struct db *, struct arena *, struct search_batch *,
	    const char *id, const char *name, const char *upn,
	    const char *email, const char *const *phones, size_t nphones);
int	 search_batch_flush(struct db *, struct search_batch *);

#endif
