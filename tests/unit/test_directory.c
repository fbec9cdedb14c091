/*
 * test_directory.c: cmocka tests of the directory's pure parts
 * (directory.h): RFC 4515 filter-value and RFC 4514 DN-value escaping,
 * checked against libldap's own DN parser, the UTF-16LE unicodePwd
 * value of Active Directory, and the attribute map (dirmap.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "conf.h"
#include "directory.h"
#include "dirmap.h"
#include "roster.h"
#include "util.h"

/* RFC 4515 §3: the five characters become \XX; nothing else changes. */
static void
test_filter_escape(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "", "" },
		{ "ann@example.com", "ann@example.com" },
		{ "Smith, J (*)", "Smith, J \\28\\2a\\29" },
		{ "*", "\\2a" },
		{ "a\\b", "a\\5cb" },
		{ "x)(uid=*", "x\\29\\28uid=\\2a" },
		{ "Zoë Müller", "Zoë Müller" },
		{ "=+,;<>\"#", "=+,;<>\"#" },
	};
	char	out[64];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		assert_int_equal(dir_escape_filter(out, sizeof(out),
		    cases[i].in), (int)strlen(cases[i].out));
		assert_string_equal(out, cases[i].out);
	}
}

/* An escaped value holds no filter syntax: no bare ( ) * or \. */
static void
test_filter_escape_no_syntax(void **state)
{
	static const char *const bad[] = { "Smith, J (*)", "*)(|(uid=*",
	    "\\2a", "((((", "))))", "a*b*c" };
	char	out[64];
	size_t	i, j;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		assert_true(dir_escape_filter(out, sizeof(out), bad[i]) > 0);
		for (j = 0; out[j] != '\0'; j++) {
			assert_null(strchr("()*", out[j]));
			if (out[j] == '\\') {
				assert_true(strchr("0123456789abcdef",
				    out[j + 1]) != NULL);
				j += 2;
			}
		}
	}
}

/* A value that does not fit is refused, not cut. */
static void
test_escape_too_long(void **state)
{
	char	out[8];

	(void)state;
	assert_int_equal(dir_escape_filter(out, sizeof(out), "1234567"), 7);
	assert_int_equal(dir_escape_filter(out, sizeof(out), "12345678"), -1);
	assert_int_equal(dir_escape_filter(out, sizeof(out), "12345*"), -1);
	assert_int_equal(dir_escape_dn(out, sizeof(out), "1234567"), 7);
	assert_int_equal(dir_escape_dn(out, sizeof(out), "12345,"), 7);
	assert_int_equal(dir_escape_dn(out, sizeof(out), "123456,"), -1);
	assert_int_equal(dir_escape_dn(out, 1, ""), 0);
}

/* RFC 4514 §2.4: the specials get a backslash; ends too. */
static void
test_dn_escape(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "Store 001", "Store 001" },
		{ "Smith, J (*)", "Smith\\, J (*)" },
		{ "a+b=c;d<e>f\"g\\h", "a\\+b\\=c\\;d\\<e\\>f\\\"g\\\\h" },
		{ "#1", "\\#1" },
		{ "a#1", "a#1" },
		{ " x ", "\\ x\\ " },
		{ "Zoë", "Zoë" },
	};
	char	out[64];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		assert_int_equal(dir_escape_dn(out, sizeof(out), cases[i].in),
		    (int)strlen(cases[i].out));
		assert_string_equal(out, cases[i].out);
	}
}

/*
 * libldap parses "cn=ESCAPED,dc=test" as two RDNs of one value each,
 * the first holding the name exactly: the name cannot change the DN.
 */
static void
test_dn_escape_parses_back(void **state)
{
	static const char *const names[] = { "Smith, J (*)",
	    "x,dc=evil", "a+uid=root", " lead", "trail ", "#hash",
	    "back\\slash", "q\"uote", "semi;colon", "<angle>", "eq=ual" };
	char	 out[128], dn[160];
	LDAPDN	 parsed;
	size_t	 i;

	(void)state;
	for (i = 0; i < NELEM(names); i++) {
		assert_true(dir_escape_dn(out, sizeof(out), names[i]) > 0);
		snprintf(dn, sizeof(dn), "cn=%s,dc=test", out);
		assert_int_equal(ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3),
		    LDAP_SUCCESS);
		assert_non_null(parsed[0]);
		assert_non_null(parsed[1]);
		assert_null(parsed[2]);
		assert_null(parsed[0][1]);	/* one AVA: no '+' got through */
		assert_int_equal(parsed[0][0]->la_value.bv_len,
		    strlen(names[i]));
		assert_memory_equal(parsed[0][0]->la_value.bv_val, names[i],
		    strlen(names[i]));
		ldap_dnfree(parsed);
	}
}

/* [MS-ADTS] unicodePwd: "password" in quotes, UTF-16LE. */
static void
test_ad_password(void **state)
{
	static const unsigned char ab[] = { '"', 0, 'a', 0, 'B', 0, '1', 0,
	    '"', 0 };
	/* é U+00E9, € U+20AC, 😀 U+1F600 (a surrogate pair) */
	static const unsigned char wide[] = { '"', 0, 0xe9, 0x00, 0xac, 0x20,
	    0x3d, 0xd8, 0x00, 0xde, '"', 0 };
	unsigned char	out[64];

	(void)state;
	assert_int_equal(dir_ad_password(out, sizeof(out), "aB1"),
	    (int)sizeof(ab));
	assert_memory_equal(out, ab, sizeof(ab));
	assert_int_equal(dir_ad_password(out, sizeof(out),
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), (int)sizeof(wide));
	assert_memory_equal(out, wide, sizeof(wide));
	assert_int_equal(dir_ad_password(out, sizeof(out), ""), 4);
	assert_memory_equal(out, "\"\0\"\0", 4);
}

/* Not UTF-8, overlong, surrogates, or too long: refused. */
static void
test_ad_password_bad(void **state)
{
	static const char *const bad[] = { "\xff", "a\x80", "\xc0\xaf",
	    "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xc3" };
	unsigned char	out[64];
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		assert_int_equal(dir_ad_password(out, sizeof(out), bad[i]), -1);
	/* "12345" is 7 units with its quotes: 14 bytes. */
	assert_int_equal(dir_ad_password(out, 14, "12345"), 14);
	assert_int_equal(dir_ad_password(out, 13, "12345"), -1);
}

/* Each ppolicy error the directory can give has its own sentence. */
static void
test_policy_text(void **state)
{
	(void)state;
	assert_non_null(strstr(dir_policy_text(PP_passwordTooShort),
	    "too short"));
	assert_non_null(strstr(dir_policy_text(PP_passwordInHistory),
	    "used recently"));
	assert_non_null(strstr(dir_policy_text(PP_insufficientPasswordQuality),
	    "quality"));
	assert_string_not_equal(dir_policy_text(PP_passwordTooShort),
	    dir_policy_text(PP_noError));
}

/* A fake entry: attribute and value pairs, the value's length given. */
struct fake {
	const char	*attr, *value;
	size_t		 len;
};

static const char *
fake_value(void *arg, const char *attr, size_t *len)
{
	const struct fake	*f;

	for (f = arg; f->attr != NULL; f++)
		if (strcasecmp(f->attr, attr) == 0) {
			*len = f->len;
			return f->value;
		}
	return NULL;
}

static void
map(const char *conftext, const char *dn, const struct fake *attrs,
    const char *const *groups, size_t ngroups, struct arena *a,
    struct roster_row *row)
{
	struct conf		c;
	struct dirmap		m;
	struct dirmap_entry	e = { dn, fake_value, (void *)attrs, groups,
				    ngroups };
	char			err[256];

	assert_int_equal(conf_parse_text(&c, conftext, "t.conf", err,
	    sizeof(err)), 0);
	m.conf = &c;
	m.units_base = dirmap_dn_norm(a, "OU=Stores, DC=Example");
	m.country = "US";
	memset(row, 0, sizeof(*row));
	dirmap_person(a, &m, &e, row);
	conf_free(&c);
}

#define V(s)	s, sizeof(s) - 1

/*
 * The attribute map: the ldap_attr_* attributes, cn for a missing
 * name, a value holding a NUL as none, the location from the OU under
 * ldap_units_base or from the groups, phones only when synced.
 */
static void
test_dirmap(void **state)
{
	static const struct fake ann[] = {
		{ "MAIL", V("ann@example.com") }, { "cn", V("Ann Cn") },
		{ "uid", V("ann@corp.example") }, { "title", V("Clerk\0x") },
		{ "mobile", V("(425) 555-0100") }, { NULL, NULL, 0 },
	};
	static const struct fake nobody[] = {
		{ "cn", V("No Mail") }, { NULL, NULL, 0 },
	};
	static const char *const groups[] = { " Store 1 ", "Store 2" };
	static const char *const badgroup[] = { "Store\n3" };
	const char		*base = "data_key_file = /k\n";
	struct arena		 a = { NULL };
	struct roster_row	 r;

	(void)state;
	map(base, "uid=ann,ou=Store 9,ou=stores,dc=example", ann, NULL, 0,
	    &a, &r);
	assert_int_equal(r.bad, 0);
	assert_string_equal(r.p.f[RF_UPN], "ann@example.com");
	assert_string_equal(r.p.f[RF_NAME], "Ann Cn");
	assert_string_equal(r.p.f[RF_JOB], "");		/* its NUL */
	assert_string_equal(r.p.f[RF_SOURCE], "onprem");
	assert_null(r.p.f[RF_MOBILE]);			/* not synced */
	assert_int_equal(r.p.enable, 1);
	assert_int_equal(r.p.nunits, 1);
	assert_string_equal(r.p.units[0], "Store 9");
	/* Not under ldap_units_base, or not held by an OU: no location. */
	map(base, "uid=ann,ou=Store 9,dc=example", ann, NULL, 0, &a, &r);
	assert_true(r.bad == 0 && r.p.nunits == 0);
	map(base, "uid=ann,cn=Store 9,ou=stores,dc=example", ann, NULL, 0,
	    &a, &r);
	assert_true(r.bad == 0 && r.p.nunits == 0);
	/* An empty DN (libldap parses it as none), or none at all. */
	map(base, "", ann, NULL, 0, &a, &r);
	assert_true(r.bad == 0 && r.p.nunits == 0);
	map(base, NULL, ann, NULL, 0, &a, &r);
	assert_true(r.bad == 0 && r.p.nunits == 0);
	/* Another map, the groups, the phones. */
	map("data_key_file = /k\nldap_attr_upn = uid\nldap_units = group\n"
	    "ldap_sync_phones = on\n", "uid=ann,ou=x,ou=stores,dc=example",
	    ann, groups, NELEM(groups), &a, &r);
	assert_int_equal(r.bad, 0);
	assert_string_equal(r.p.f[RF_UPN], "ann@corp.example");
	assert_string_equal(r.p.f[RF_MOBILE], "+14255550100");
	assert_string_equal(r.p.f[RF_OFFICE], "");
	assert_int_equal(r.p.nunits, 2);
	assert_string_equal(r.p.units[0], "Store 1");
	assert_string_equal(r.p.units[1], "Store 2");
	map("data_key_file = /k\nldap_units = group\n", "uid=ann,dc=example",
	    ann, badgroup, NELEM(badgroup), &a, &r);
	assert_int_equal(r.bad, ROSTER_BAD);
	assert_non_null(strstr(r.why, "location"));
	/* No UPN: refused, naming the attribute. */
	map(base, "cn=No Mail,ou=stores,dc=example", nobody, NULL, 0, &a, &r);
	assert_int_equal(r.bad, ROSTER_BAD);
	assert_string_equal(r.why, "no mail");
	arena_reset(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_escape),
		cmocka_unit_test(test_filter_escape_no_syntax),
		cmocka_unit_test(test_escape_too_long),
		cmocka_unit_test(test_dn_escape),
		cmocka_unit_test(test_dn_escape_parses_back),
		cmocka_unit_test(test_ad_password),
		cmocka_unit_test(test_ad_password_bad),
		cmocka_unit_test(test_policy_text),
		cmocka_unit_test(test_dirmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
