/*
 * fuzz_request.c: the harness (fuzz.h) over everything that parses what
 * a client sends: the form/query decoder with every declared key, the
 * Cookie header, keyset cursors, search terms (and the Unicode folding
 * behind them and the index, valid UTF-8 or not) and phone numbers; and
 * the reader of audit details (their JSON holds text a client sent: a
 * path, a name). The cursors and phone numbers have their own harnesses
 * too, which check what comes out.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "details.h"
#include "fuzz.h"
#include "http.h"
#include "phone.h"
#include "route.h"
#include "search.h"
#include "session.h"
#include "util.h"

int
fuzz_request(const uint8_t *data, size_t size)
{
	struct req	 r;
	struct detail	 lines[DETAILS_MAX];
	const char	*why, *keys[CURSOR_KEYS_MAX], *id, *terms[SEARCH_TERMS_MAX];
	const char	*words[SEARCH_WORDS_MAX];
	char		*s, out[PHONE_MAX];

	if (size > HTTP_BODY_MAX)
		return 0;
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	memset(&r, 0, sizeof(r));
	r.in = arena_alloc(&r.arena, sizeof(*r.in) * K__MAX);
	memset(r.in, 0, sizeof(*r.in) * K__MAX);
	(void)http_parse_form(&r, s, size, route_keys, K__MAX,
	    (UINT64_C(1) << K__MAX) - 1, r.in, &why);
	(void)http_parse_cookies(&r, s, sess_cookie_names(0), &why);
	(void)cursor_decode(&r.arena, s, keys, 1, &id);
	(void)cursor_decode(&r.arena, s, keys, 2, &id);
	/* The fold takes any bytes: NULL for what is not UTF-8. */
	(void)search_fold(&r.arena, s);
	(void)search_words(&r.arena, s, s, s, NULL, 0, words);
	(void)details_read(&r.arena, s, lines, NELEM(lines));
	if (utf8_text_valid(s, strlen(s), 0)) {
		(void)search_terms(&r.arena, s, NULL, terms);
		(void)search_terms(&r.arena, s, "US", terms);
		(void)phone_normalise(s, 1, out, &why);
		(void)phone_normalise(s, 0, out, &why);
		(void)phone_normalise_in(s, "GB", 1, out, &why);
		(void)phone_mask(&r.arena, s);
	}
	arena_reset(&r.arena);
	free(s);
	return 0;
}
