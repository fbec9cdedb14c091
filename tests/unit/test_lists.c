/*
 * test_lists.c: cmocka tests of what My Staff lists stand on: keyset
 * cursors (a tampered one is refused, never trusted) and the search
 * terms and words (prefixes, phones, literal % and _, the same text
 * composed or decomposed folded alike).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "cursor.h"
#include "db/roles.h"
#include "search.h"
#include "util.h"

#define ID	"123e4567-e89b-42d3-a456-426614174000"

static void
test_cursor_round_trip(void **state)
{
	static const char *const names[] = { "", "Anna Smith", "Zoë Müller",
	    "O'Brien, \"Pat\"", "a.b-c_d", "名前" };
	struct arena	 a = { 0 };
	const char	*keys[2], *two[2], *id;
	char		*c;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(names); i++) {
		c = cursor_encode(&a, &names[i], 1, ID);
		assert_int_equal(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh"
		    "ijklmnopqrstuvwxyz0123456789-_."), strlen(c));
		assert_int_equal(cursor_decode(&a, c, keys, 1, &id), 0);
		assert_string_equal(keys[0], names[i]);
		assert_string_equal(id, ID);
	}
	two[0] = "smith";
	two[1] = "Anna Smith";
	c = cursor_encode(&a, two, 2, ID);
	assert_int_equal(cursor_decode(&a, c, keys, 2, &id), 0);
	assert_string_equal(keys[0], "smith");
	assert_string_equal(keys[1], "Anna Smith");
	/* A two-key cursor is not a one-key cursor, and the reverse. */
	assert_int_equal(cursor_decode(&a, c, keys, 1, &id), -1);
	c = cursor_encode(&a, names + 1, 1, ID);
	assert_int_equal(cursor_decode(&a, c, keys, 2, &id), -1);
	arena_reset(&a);
}

/*
 * A key over CURSOR_KEY_MAX bytes is cut between characters: the
 * cursor still decodes (a 2-byte "é" straddles the limit here).
 */
static void
test_cursor_long_key(void **state)
{
	struct arena	 a = { 0 };
	const char	*keys[1], *id;
	char		 key[CURSOR_KEY_MAX + 8], *c;
	size_t		 i;

	(void)state;
	key[0] = 'x';
	for (i = 1; i + 1 < sizeof(key) - 1; i += 2)
		memcpy(key + i, "\xc3\xa9", 2);
	key[i] = '\0';
	keys[0] = key;
	c = cursor_encode(&a, keys, 1, ID);
	assert_int_equal(cursor_decode(&a, c, keys, 1, &id), 0);
	assert_int_equal(strlen(keys[0]), CURSOR_KEY_MAX - 1);
	assert_memory_equal(keys[0], key, CURSOR_KEY_MAX - 1);
	arena_reset(&a);
}

static void
test_cursor_tampered(void **state)
{
	static const char *const bad[] = {
		"", ".", "abc", ID, "." ID "x", "QW5uYQ." ID "0",
		"QW5uYQ.123e4567-e89b-42d3-a456-42661417400g",
		"QW5u*YQ." ID,			/* not base64url */
		"QW5uYQ=." ID,			/* padding */
		"QW5uYR." ID,			/* stray low bits */
		"Q." ID,			/* a lone sextet */
		"AA." ID,			/* a NUL inside */
		"wyg." ID,			/* invalid UTF-8 (c3 28) */
		"Cg." ID,			/* a newline */
	};
	struct arena	 a = { 0 };
	const char	*keys[1], *id;
	char		 big[CURSOR_MAX + 64];
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		assert_int_equal(cursor_decode(&a, bad[i], keys, 1, &id), -1);
	memset(big, 'A', sizeof(big) - 1 - 37);
	memcpy(big + sizeof(big) - 1 - 37, "." ID, 38);
	assert_int_equal(cursor_decode(&a, big, keys, 1, &id), -1);
	arena_reset(&a);
}

static void
test_search_terms(void **state)
{
	struct arena	 a = { 0 };
	const char	*t[SEARCH_TERMS_MAX];
	char		 q[SEARCH_Q_MAX * 2 + 2];

	(void)state;
	assert_int_equal(search_terms(&a, "Smi", NULL, t), 1);
	assert_string_equal(t[0], "smi%");
	assert_int_equal(search_terms(&a, "  anna   smi ", NULL, t), 2);
	assert_string_equal(t[0], "anna%");
	assert_string_equal(t[1], "smi%");
	/* Phones: digits only, with or without + and separators. */
	assert_int_equal(search_terms(&a, "+1 (425) 555-01", NULL, t), 1);
	assert_string_equal(t[0], "142555501%");
	assert_int_equal(search_terms(&a, "1425", NULL, t), 1);
	assert_string_equal(t[0], "1425%");
	/* with phone.country: a whole local number as stored, a part as typed */
	assert_int_equal(search_terms(&a, "(425) 555-0142", "US", t), 1);
	assert_string_equal(t[0], "14255550142%");
	assert_int_equal(search_terms(&a, "425 555", "US", t), 1);
	assert_string_equal(t[0], "425555%");
	/* UPN prefixes stay whole; % _ ! are literal. */
	assert_int_equal(search_terms(&a, "ann.lee@ex", NULL, t), 1);
	assert_string_equal(t[0], "ann.lee@ex%");
	assert_int_equal(search_terms(&a, "%", NULL, t), 1);
	assert_string_equal(t[0], "!%%");
	assert_int_equal(search_terms(&a, "a_b!", NULL, t), 1);
	assert_string_equal(t[0], "a!_b!!%");
	/* Nothing to search, too long, not text. */
	assert_int_equal(search_terms(&a, "   ", NULL, t), 0);
	memset(q, 'a', SEARCH_Q_MAX);
	q[SEARCH_Q_MAX] = '\0';
	assert_int_equal(search_terms(&a, q, NULL, t), 1);
	q[SEARCH_Q_MAX] = 'a';
	q[SEARCH_Q_MAX + 1] = '\0';
	assert_int_equal(search_terms(&a, q, NULL, t), -1);
	/* 100 characters of two bytes each are not too long; as one word
	 * of 200 bytes they are longer than any indexed word: no term. */
	for (size_t i = 0; i < SEARCH_Q_MAX; i++)
		memcpy(q + 2 * i, "\xc3\xa9", 2);
	q[2 * SEARCH_Q_MAX] = '\0';
	assert_int_equal(search_terms(&a, q, NULL, t), 0);
	/* 10 é, a space, 89 é: one term; the second word is too long. */
	q[20] = ' ';
	memset(q + 21, 0, 2);
	for (size_t i = 0; i < 89; i++)
		memcpy(q + 21 + 2 * i, "\xc3\xa9", 2);
	q[21 + 2 * 89] = '\0';
	assert_int_equal(utf8_len(q), SEARCH_Q_MAX);
	assert_int_equal(search_terms(&a, q, NULL, t), 1);
	assert_int_equal(search_terms(&a, "bad\xc3", NULL, t), -1);
	/* Folded: decomposed as composed, any case. */
	assert_int_equal(search_terms(&a, "ZOE\xcc\x81 La", NULL, t), 2);
	assert_string_equal(t[0], "zo\xc3\xa9%");
	assert_string_equal(t[1], "la%");
	assert_int_equal(search_terms(&a, "Stra\xc3\x9f", NULL, t), 1);
	assert_string_equal(t[0], "strass%");
	/* 60 decomposed é: 120 characters as typed, too long. */
	for (size_t i = 0; i < 60; i++)
		memcpy(q + 3 * i, "e\xcc\x81", 3);
	q[180] = '\0';
	assert_int_equal(search_terms(&a, q, NULL, t), -1);
	arena_reset(&a);
}

/*
 * search_fold: NFC, then Unicode full case folding. The same name typed
 * composed, decomposed, or in another case folds to the same bytes;
 * "ß" (and capital "ẞ") fold to "ss" as "SS" does, so "Strasse" finds
 * "Straße". Accents are kept (the collation ignores them).
 */
static void
test_search_fold(void **state)
{
	static const struct {
		const char	*in, *want;
	} same[] = {
		{ "Zo\xc3\xa9", "zo\xc3\xa9" },		/* Zoé, composed */
		{ "Zoe\xcc\x81", "zo\xc3\xa9" },		/* e + U+0301 */
		{ "ZOE\xcc\x81", "zo\xc3\xa9" },		/* E + U+0301 */
		{ "ZO\xc3\x89", "zo\xc3\xa9" },		/* É */
		{ "Zoe", "zoe" },			/* no accent: stays */
		{ "Stra\xc3\x9f" "e", "strasse" },	/* ß */
		{ "STRA\xe1\xba\x9e" "E", "strasse" },	/* ẞ */
		{ "STRASSE", "strasse" },
		{ "M\xc3\xbcller", "m\xc3\xbcller" },	/* Müller */
		{ "MU\xcc\x88LLER", "m\xc3\xbcller" },	/* U + U+0308 */
		/* marks in either order: one canonical order, composed */
		{ "a\xcc\xa3\xcc\x87", "\xe1\xba\xa1\xcc\x87" },
		{ "a\xcc\x87\xcc\xa3", "\xe1\xba\xa1\xcc\x87" },
		{ "\xe2\x84\xab", "\xc3\xa5" },		/* Å sign: å */
		{ "\xe1\x84\x80\xe1\x85\xa1", "\xea\xb0\x80" },	/* jamo: 가 */
		{ "O'Brien-Smith x@Ex.COM", "o'brien-smith x@ex.com" },
		{ "+1 (425) 555-0100", "+1 (425) 555-0100" },
		{ "", "" },
	};
	static const char *const bad[] = {
		"bad\xc3",		/* cut short */
		"\xc0\xaf",		/* overlong '/' */
		"\xed\xa0\x80",	/* a surrogate */
		"\xf4\x90\x80\x80",	/* past U+10FFFF */
		"\xff",
		"e\x80",		/* a lone continuation byte */
	};
	struct arena	 a = { 0 };
	const char	*f;
	char		 big[901];
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(same); i++) {
		f = search_fold(&a, same[i].in);
		assert_non_null(f);
		assert_string_equal(f, same[i].want);
		/* folding again changes nothing */
		assert_string_equal(search_fold(&a, f), f);
	}
	for (i = 0; i < NELEM(bad); i++)
		assert_null(search_fold(&a, bad[i]));
	/* Longer than the stack buffer: 300 É decomposed are 300 é. */
	for (i = 0; i < 300; i++)
		memcpy(big + 3 * i, "E\xcc\x81", 3);
	big[900] = '\0';
	assert_non_null(f = search_fold(&a, big));
	assert_int_equal(strlen(f), 600);
	for (i = 0; i < 300; i++)
		assert_memory_equal(f + 2 * i, "\xc3\xa9", 2);
	big[899] = '\xcc';		/* cut short at the end */
	assert_null(search_fold(&a, big));
	arena_reset(&a);
}

/*
 * A person's words and the terms of a search go through the same fold:
 * indexed composed and searched decomposed, or the other way, agree.
 */
static void
test_search_words_folded(void **state)
{
	const char	*w[SEARCH_WORDS_MAX], *d[SEARCH_WORDS_MAX];
	const char	*t[SEARCH_TERMS_MAX];
	const char	*phones[] = { "+1 425-555-0100 x7" };
	struct arena	 a = { 0 };
	size_t		 n, i;

	(void)state;
	n = search_words(&a, "Zo\xc3\xa9 Laurent-Stra\xc3\x9f" "e",
	    "Zoe\xcc\x81.L@Example.ORG", NULL, phones, 1, w);
	assert_int_equal(n, 6);
	assert_string_equal(w[0], "zo\xc3\xa9");
	assert_string_equal(w[1], "laurent-strasse");
	assert_string_equal(w[2], "laurent");
	assert_string_equal(w[3], "strasse");
	assert_string_equal(w[4], "zo\xc3\xa9.l@example.org");
	assert_string_equal(w[5], "14255550100");
	/* the same name decomposed, upper case: the same words */
	assert_int_equal(search_words(&a, "ZOE\xcc\x81 LAURENT-STRASSE",
	    "zo\xc3\xa9.l@example.org", NULL, phones, 1, d), n);
	for (i = 0; i < n; i++)
		assert_string_equal(d[i], w[i]);
	/* and a decomposed search for the composed name is its word */
	assert_int_equal(search_terms(&a, "Zoe\xcc\x81", NULL, t), 1);
	assert_string_equal(t[0], "zo\xc3\xa9%");
	/* text that is not UTF-8 is indexed as it is, never dropped */
	assert_int_equal(search_words(&a, "Bad\xc3", NULL, NULL, NULL, 0, w),
	    1);
	assert_string_equal(w[0], "Bad\xc3");
	arena_reset(&a);
}

static void
test_search_split(void **state)
{
	struct arena	 a = { 0 };
	const char	*w[8];

	(void)state;
	assert_int_equal(search_split(&a, "Anna-Maria O'Brien", w, 8), 4);
	assert_string_equal(w[0], "Anna");
	assert_string_equal(w[1], "Maria");
	assert_string_equal(w[2], "O");
	assert_string_equal(w[3], "Brien");
	assert_int_equal(search_split(&a, "Zoë  Müller", w, 8), 2);
	assert_string_equal(w[0], "Zoë");
	assert_string_equal(w[1], "Müller");
	assert_int_equal(search_split(&a, "...", w, 8), 0);
	assert_int_equal(search_split(&a, "a b c", w, 2), 2);
	assert_null(search_digits(&a, "+"));
	assert_string_equal(search_digits(&a, "+1 425-555"), "1425555");
	assert_string_equal(search_digits(&a, "+14255550177 x123"),
	    "14255550177");
	arena_reset(&a);
}

/* Role lists decode to the assignments they say, and no more. */
static void
test_roles_decode(void **state)
{
	static const char	unit[] = "0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3";
	struct arena		a;
	struct assignment	*as;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(db_roles_decode(&a, NULL, &as), 0);
	assert_int_equal(db_roles_decode(&a, "", &as), 0);
	assert_int_equal(db_roles_decode(&a, "global-administrator:*,"
	    "helpdesk-administrator:0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3",
	    &as), 2);
	assert_int_equal(as[0].role, ROLE_GLOBAL_ADMIN);
	assert_null(as[0].unit_id);
	assert_int_equal(as[1].role, ROLE_HELPDESK_ADMIN);
	assert_string_equal(as[1].unit_id, unit);
	/*
	 * A list cut short (group_concat_max_len) gives fewer rights, never
	 * an organisation scope: an empty or partial scope is dropped.
	 */
	assert_int_equal(db_roles_decode(&a, "helpdesk-administrator:", &as),
	    0);
	assert_int_equal(db_roles_decode(&a, "helpdesk-administrator:0b7c1a4e",
	    &as), 0);
	assert_int_equal(db_roles_decode(&a, "helpdesk-administrator", &as),
	    0);
	assert_int_equal(db_roles_decode(&a, "no-such-role:*,"
	    "password-administrator:*", &as), 1);
	assert_int_equal(as[0].role, ROLE_PASSWORD_ADMIN);
	arena_reset(&a);
}

/*
 * A search hit's locations: "ID NAME" lines, names with spaces, commas
 * and markup kept whole; a line cut short (no whole id, or no name) or
 * not starting with an id is skipped.
 */
static void
test_named_decode(void **state)
{
	struct arena	 a = { 0 };
	struct db_named	*u;
	const char	*id2 = "0b7c1a4e-89ab-4cde-8f01-23456789abcd";

	(void)state;
	assert_int_equal(db_named_decode(&a, NULL, &u), 0);
	assert_int_equal(db_named_decode(&a, "", &u), 0);
	assert_int_equal(db_named_decode(&a, ID " Store 1", &u), 1);
	assert_string_equal(u[0].id, ID);
	assert_string_equal(u[0].name, "Store 1");
	assert_int_equal(db_named_decode(&a, ID " Alpha, & <b>Co</b>\n"
	    "0b7c1a4e-89ab-4cde-8f01-23456789abcd Beta", &u), 2);
	assert_string_equal(u[0].name, "Alpha, & <b>Co</b>");
	assert_string_equal(u[1].id, id2);
	assert_string_equal(u[1].name, "Beta");
	/* cut short, no name, not an id, an id too long */
	assert_int_equal(db_named_decode(&a, ID " A\n0b7c1a4e-89ab-4cde", &u),
	    1);
	assert_int_equal(db_named_decode(&a, ID " \n" ID "\n" ID, &u), 0);
	assert_int_equal(db_named_decode(&a, "Store 1\nnot-an-id-at-all-"
	    "xxxxxxxxxxxxxxxxxxx Store 2", &u), 0);
	assert_int_equal(db_named_decode(&a, ID "0 Store", &u), 0);
	assert_int_equal(db_named_decode(&a, "\n\n" ID " Z\n", &u), 1);
	assert_string_equal(u[0].name, "Z");
	arena_reset(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_round_trip),
		cmocka_unit_test(test_cursor_long_key),
		cmocka_unit_test(test_cursor_tampered),
		cmocka_unit_test(test_search_terms),
		cmocka_unit_test(test_search_split),
		cmocka_unit_test(test_search_fold),
		cmocka_unit_test(test_search_words_folded),
		cmocka_unit_test(test_roles_decode),
		cmocka_unit_test(test_named_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
