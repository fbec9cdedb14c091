/*
 * test_core.c: cmocka tests of the request core: percent-decoding,
 * form parsing with declared keys, cookies, CSRF, config parsing
 * errors with file:line (and db_host's list of servers), session
 * expiry arithmetic, UTF-8 checks, network lists (CIDR), the settings'
 * validators and db_txn's pause between tries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cidr.h"
#include "conf.h"
#include "db/db.h"
#include "http.h"
#include "session.h"
#include "settings.h"
#include "util.h"

enum { T_NAME, T_CODE, T_UUID, T_WORDS, T_NUM, T_PICK, T_DAY, T_USER, T__MAX };

static const char *const picks[] = { "red", "green", NULL };

static const struct http_key tkeys[T__MAX] = {
	[T_NAME] = { .name = "name", .max = 10, .valid = http_valid_text },
	[T_CODE] = { .name = "code", .max = 8, .valid = http_valid_digits },
	[T_UUID] = { .name = "id", .max = UUID_LEN, .valid = http_valid_uuid },
	[T_WORDS] = { .name = "words", .max = 12, .valid = http_valid_text,
	    .chars = 3 },
	[T_NUM] = { .name = "num", .max = 6, .valid = http_valid_digits,
	    .type = HTTP_INT, .min = 10, .lim = 99999 },
	[T_PICK] = { .name = "pick", .max = 8, .type = HTTP_CHOICE,
	    .choices = picks },
	[T_DAY] = { .name = "day", .max = 10, .type = HTTP_DATE },
	[T_USER] = { .name = "user", .max = 8, .valid = http_valid_text,
	    .trim = 1 },
};

static void
req_init(struct req *r)
{
	memset(r, 0, sizeof(*r));
	r->in = arena_alloc(&r->arena, sizeof(*r->in) * T__MAX);
	memset(r->in, 0, sizeof(*r->in) * T__MAX);
}

/* Parses s with every key declared; returns the status. */
static int
parse(struct req *r, const char *s)
{
	const char	*why = NULL;
	int		 rc;

	req_init(r);
	rc = http_parse_form(r, s, strlen(s), tkeys, T__MAX,
	    (UINT64_C(1) << T__MAX) - 1, r->in, &why);
	if (rc != 0)
		assert_non_null(why);
	return rc;
}

/* A trimmed key loses the spaces at its ends, only once it passed its
 * bound and check as sent; an untrimmed one keeps them. */
static void
test_trim(void **state)
{
	struct req	r;

	(void)state;
	assert_int_equal(parse(&r, "user=++ann+&name=+bo+"), 0);
	assert_string_equal(r.in[T_USER].text, "ann");
	assert_string_equal(r.in[T_NAME].text, " bo ");
	arena_reset(&r.arena);
	assert_int_equal(parse(&r, "user=+a+b+"), 0);
	assert_string_equal(r.in[T_USER].text, "a b");
	arena_reset(&r.arena);
	assert_int_equal(parse(&r, "user=+++"), 0);
	assert_string_equal(r.in[T_USER].text, "");
	arena_reset(&r.arena);
	assert_int_equal(parse(&r, "user=++++ann++"), 400);	/* 9 bytes */
	arena_reset(&r.arena);
}

static void
test_urldecode(void **state)
{
	static const struct { const char *in, *out; } good[] = {
		{ "", "" }, { "a+b", "a b" }, { "%41%62", "Ab" },
		{ "%e2%82%ac", "\xe2\x82\xac" }, { "100%25", "100%" },
		{ "%2B", "+" },
	};
	static const char *const bad[] = { "%", "%4", "%zz", "a%g1", "%%" };
	char	buf[64];
	size_t	i, len;

	(void)state;
	for (i = 0; i < NELEM(good); i++) {
		snprintf(buf, sizeof(buf), "%s", good[i].in);
		len = strlen(buf);
		assert_int_equal(http_urldecode(buf, &len), 0);
		assert_string_equal(buf, good[i].out);
		assert_int_equal(len, strlen(good[i].out));
	}
	for (i = 0; i < NELEM(bad); i++) {
		snprintf(buf, sizeof(buf), "%s", bad[i]);
		len = strlen(buf);
		assert_int_equal(http_urldecode(buf, &len), -1);
	}
}

static void
test_form_good(void **state)
{
	struct req	r;

	(void)state;
	assert_int_equal(parse(&r, "name=Ann+Lee&code=123456&other=x"), 0);
	assert_string_equal(r.in[T_NAME].text, "Ann Lee");
	assert_string_equal(r.in[T_CODE].text, "123456");
	assert_null(r.in[T_UUID].text);
	arena_reset(&r.arena);
	assert_int_equal(parse(&r, "&&name=&"), 0);
	assert_string_equal(r.in[T_NAME].text, "");
	arena_reset(&r.arena);
	assert_int_equal(parse(&r, "id=123e4567-e89b-42d3-a456-426614174000"),
	    0);
	arena_reset(&r.arena);
	/* An undeclared key is ignored, even a malformed-looking one. */
	assert_int_equal(parse(&r, "unknown=%41"), 0);
	arena_reset(&r.arena);
}

/* Typed inputs: the handler reads what the value means. */
static void
test_form_typed(void **state)
{
	struct req	r;
	int64_t		want;

	(void)state;
	/* three characters of two bytes each pass a bound of 3 */
	assert_int_equal(parse(&r, "words=%C3%A9%C3%A9%C3%A9&num=10&"
	    "pick=green&day=2024-02-29"), 0);
	assert_string_equal(r.in[T_WORDS].text, "\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_int_equal(r.in[T_NUM].i, 10);
	assert_int_equal(r.in[T_PICK].i, 1);
	assert_int_equal(http_parse_date("2024-02-29", &want), 0);
	assert_int_equal(r.in[T_DAY].i, want);
	assert_int_equal(r.in[T_DAY].i % 86400, 0);
	assert_int_equal(r.in[T_DAY].i, 1709164800);
	arena_reset(&r.arena);
	assert_int_equal(parse(&r, "num=99999&pick=red&day=1970-01-01"), 0);
	assert_int_equal(r.in[T_NUM].i, 99999);
	assert_int_equal(r.in[T_PICK].i, 0);
	assert_int_equal(r.in[T_DAY].i, 0);
	arena_reset(&r.arena);
	/* an empty number, choice or date is not sent at all */
	assert_int_equal(parse(&r, "num=&pick=&day="), 0);
	assert_null(r.in[T_NUM].text);
	assert_null(r.in[T_PICK].text);
	assert_null(r.in[T_DAY].text);
	arena_reset(&r.arena);
}

static void
test_form_typed_bad(void **state)
{
	static const char *const bad[] = {
		"words=abcd",			/* 4 characters over 3 */
		"words=%C3%A9%C3%A9%C3%A9a",	/* 4 characters, 7 bytes */
		"num=9",			/* under the range */
		"num=100000",			/* over it */
		"num=-5",			/* not digits */
		"num=1e3",
		"pick=blue",			/* not offered */
		"pick=Red",			/* words are exact */
		"pick=red%20",
		"day=2026-02-30",		/* not a real date */
		"day=2026-13-01",
		"day=26-01-01",
		"day=2026/01/01",
		"day=1969-12-31",		/* before the epoch */
		"day=2026-1-011",
		"num=&num=50",			/* sent twice, once empty */
		"pick=red&pick=",
	};
	struct req	r;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		if (parse(&r, bad[i]) != 400)
			fail_msg("%s was accepted", bad[i]);
		arena_reset(&r.arena);
	}
}

static void
test_form_bad(void **state)
{
	static const char *const bad[] = {
		"name=%zz",			/* bad escape */
		"name=a&name=b",		/* sent twice */
		"name=12345678901",		/* over its bound of 10 */
		"code=12a",			/* fails its validator */
		"name=a%00b",			/* NUL inside */
		"name=%C3%28",			/* invalid UTF-8 */
		"name=a%0Ab",			/* control character */
		"id=not-a-uuid",
		"%zz=1",			/* bad escape in a name */
	};
	struct req	r;
	size_t		i;
	char		many[4096];
	size_t		o = 0;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		assert_int_equal(parse(&r, bad[i]), 400);
		arena_reset(&r.arena);
	}
	for (i = 0; i <= HTTP_FIELDS_MAX; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "x%zu=1&", i);
	assert_int_equal(parse(&r, many), 400);
	arena_reset(&r.arena);
}

static void
test_cookies(void **state)
{
	static const char *const names[COOKIE__MAX] = { "sd", "sd_pre" };
	struct req	 r;
	const char	*why = NULL;
	char		 big[HTTP_COOKIE_MAX + 10];

	(void)state;
	req_init(&r);
	assert_int_equal(http_parse_cookies(&r, "a=1; sd=tok; sd_pre=v ",
	    names, &why), 0);
	assert_string_equal(r.cookie[COOKIE_SESSION], "tok");
	assert_string_equal(r.cookie[COOKIE_PRE], "v");
	arena_reset(&r.arena);

	req_init(&r);
	assert_int_equal(http_parse_cookies(&r, "sd=first; sd=second",
	    names, &why), 0);
	assert_string_equal(r.cookie[COOKIE_SESSION], "first");
	arena_reset(&r.arena);

	req_init(&r);	/* a prefix of a name is not the name */
	assert_int_equal(http_parse_cookies(&r, "sdx=1;s=2;=3;sd", names,
	    &why), 0);
	assert_null(r.cookie[COOKIE_SESSION]);
	assert_null(r.cookie[COOKIE_PRE]);
	arena_reset(&r.arena);

	req_init(&r);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(http_parse_cookies(&r, big, names, &why), 400);
	assert_non_null(why);
	arena_reset(&r.arena);
}

static void
test_csrf(void **state)
{
	struct conf	c;
	struct req	r;
	struct sess	s;
	const char	*tok;
	char		 copy[64];

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(c.data_key, 7, sizeof(c.data_key));
	req_init(&r);
	r.conf = &c;
	/* A visitor without a cookie gets one, and a token bound to it. */
	tok = sess_csrf(&r);
	assert_int_equal(strlen(tok), SESS_TOKEN_LEN);
	assert_int_equal(r.nset_cookie, 1);
	/* The cookie is not sent back yet: nothing verifies. */
	assert_false(sess_csrf_ok(&r, tok));
	r.cookie[COOKIE_PRE] = strchr(r.set_cookie[0], '=') + 1;
	*strchr((char *)r.cookie[COOKIE_PRE], ';') = '\0';
	assert_true(sess_csrf_ok(&r, tok));
	snprintf(copy, sizeof(copy), "%s", tok);
	copy[0] = copy[0] == 'A' ? 'B' : 'A';
	assert_false(sess_csrf_ok(&r, copy));
	assert_false(sess_csrf_ok(&r, ""));
	assert_false(sess_csrf_ok(&r, NULL));
	/* Another key, another token. */
	c.data_key[0] = 8;
	assert_false(sess_csrf_ok(&r, tok));
	/* A session's token is its own, compared whole. */
	memset(&s, 0, sizeof(s));
	snprintf(s.csrf, sizeof(s.csrf), "%s", "abcDEF123");
	r.sess = &s;
	assert_true(sess_csrf_ok(&r, "abcDEF123"));
	assert_false(sess_csrf_ok(&r, "abcDEF12"));
	assert_false(sess_csrf_ok(&r, "abcDEF1234"));
	assert_false(sess_csrf_ok(&r, tok));
	arena_reset(&r.arena);
}

static void
test_session_expiry(void **state)
{
	const long	idle = 30 * 60, abs = 12 * 3600;
	const int64_t	t0 = 1700000000;

	(void)state;
	assert_false(sess_expired(t0, t0, t0, idle, abs));
	assert_false(sess_expired(t0, t0, t0 + idle - 1, idle, abs));
	assert_true(sess_expired(t0, t0, t0 + idle, idle, abs));
	/* Active all along, but past the absolute limit. */
	assert_false(sess_expired(t0, t0 + abs - 10, t0 + abs - 1, idle, abs));
	assert_true(sess_expired(t0, t0 + abs - 10, t0 + abs, idle, abs));
	/* Created in the future: refused. */
	assert_true(sess_expired(t0 + 3600, t0 + 3600, t0, idle, abs));
}

/* Writes a key file; returns its path (static buffer). */
static const char *
key_file(const char *content, size_t len)
{
	static char	path[] = "/tmp/staffdesk-test-key-XXXXXX";
	int		fd;

	snprintf(path, sizeof(path), "%s", "/tmp/staffdesk-test-key-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

static int
conf_try(const char *text, char *err, size_t errsz)
{
	struct conf	c;
	int		rc;

	rc = conf_parse(&c, text, "test.conf", err, errsz);
	conf_free(&c);
	return rc;
}

static void
test_conf(void **state)
{
	static const struct { const char *text, *err; } bad[] = {
		{ "workers = 4\nbogus = 1\n", "test.conf:2: unknown key 'bogus'" },
		{ "workers = 0\n", "test.conf:1: workers must be a whole number in range" },
		{ "workers = 4x\n", "test.conf:1: workers must be a whole number in range" },
		{ "# c\n\nlisten = relative.sock\n", "test.conf:3: listen must be an absolute path" },
		{ "socket_mode = 0999\n", "test.conf:1: socket_mode must be an octal mode such as 0660" },
		{ "cookie_secure = maybe\n", "test.conf:1: cookie_secure must be on or off" },
		{ "log_level = loud\n", "test.conf:1: log_level must be error, warn, info or debug" },
		{ "just words\n", "test.conf:1: expected key = value" },
		{ "db_port = 70000\n", "test.conf:1: db_port must be a whole number in range" },
		{ "db_timeout = 0\n", "test.conf:1: db_timeout must be a whole number in range" },
		{ "db_timeout = 301\n", "test.conf:1: db_timeout must be a whole number in range" },
	};
	char		 err[256], text[512];
	const char	*key;
	struct conf	 c;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		assert_int_equal(conf_try(bad[i].text, err, sizeof(err)), -1);
		assert_string_equal(err, bad[i].err);
	}
	/* Without a key file the config is refused. */
	assert_int_equal(conf_try("workers = 2\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "data_key_file is required"));
	/* A short key is refused. */
	key = key_file("short", 5);
	snprintf(text, sizeof(text), "data_key_file = %s\n", key);
	assert_int_equal(conf_try(text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "32 random bytes"));
	unlink(key);
	/* A good one, in hex, with defaults and a derived cookie_secure. */
	key = key_file("000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\n", 65);
	snprintf(text, sizeof(text), "  workers=3 \n# comment\n"
	    "base_url = https://staff.example\ndata_key_file = %s\n", key);
	assert_int_equal(conf_parse(&c, text, "test.conf", err, sizeof(err)),
	    0);
	assert_int_equal(c.workers, 3);
	assert_int_equal(c.cookie_secure, 1);
	assert_int_equal(c.data_key[31], 0x1f);
	assert_int_equal(c.max_requests, 10000);
	assert_int_equal(c.db_timeout, 3);
	conf_free(&c);
	unlink(key);
}

/*
 * conf_parse_text() reads no file; conf_format() writes what it parsed
 * so that it reads back the same, and refuses what would not.
 */
static void
test_conf_format(void **state)
{
	static char	 out[CONF_LINE_MAX * 64], again[sizeof(out)];
	char		 err[256], text[CONF_LINE_MAX + 64];
	struct conf	 c;
	int		 n;

	(void)state;
	/* A key file that is not there: the text alone is parsed. */
	assert_int_equal(conf_parse_text(&c, "data_key_file = /nonexistent\n"
	    "workers=7\nsocket_mode = 640\nlog_level = debug\n"
	    "ldap_flavor = ad\ndb_password =  a = b # c\t\r\n"
	    "cookie_secure = yes\n", "t.conf", err, sizeof(err)), 0);
	assert_string_equal(c.db_password, "a = b # c");
	n = conf_format(&c, out, sizeof(out));
	assert_true(n > 0 && (size_t)n == strlen(out));
	assert_non_null(strstr(out, "\nworkers = 7\n"));
	assert_non_null(strstr(out, "\nsocket_mode = 0640\n"));
	assert_non_null(strstr(out, "\nlog_level = debug\n"));
	assert_non_null(strstr(out, "\nldap_flavor = ad\n"));
	assert_non_null(strstr(out, "\ncookie_secure = on\n"));
	assert_null(strstr(out, "ldap_uri"));	/* unset: left out */
	conf_free(&c);
	assert_int_equal(conf_parse_text(&c, out, "t.conf", err, sizeof(err)),
	    0);
	assert_int_equal(conf_format(&c, again, sizeof(again)), n);
	assert_string_equal(again, out);
	/* Too small a buffer, a value that would not read back. */
	assert_int_equal(conf_format(&c, again, 64), -1);
	free(c.db_host);
	c.db_host = xstrdup("two\nlines");
	assert_int_equal(conf_format(&c, out, sizeof(out)), -1);
	free(c.db_host);
	c.db_host = xstrdup("trailing ");
	assert_int_equal(conf_format(&c, out, sizeof(out)), -1);
	conf_free(&c);
	/* A line of CONF_LINE_MAX bytes without spaces parses; " = " would
	 * make it too long to read back. */
	n = snprintf(text, sizeof(text), "data_key_file=/k\ndb_password=");
	memset(text + n, 'p', CONF_LINE_MAX - strlen("db_password="));
	text[n + CONF_LINE_MAX - strlen("db_password=")] = '\0';
	assert_int_equal(conf_parse_text(&c, text, "t.conf", err, sizeof(err)),
	    0);
	assert_int_equal(conf_format(&c, out, sizeof(out)), -1);
	conf_free(&c);
}

/*
 * db_host: one server as before, or several (a Galera cluster's nodes),
 * tried in the order written; a port of its own, or db_port.
 */
static void
test_conf_db_hosts(void **state)
{
	static const char *const bad[] = {
		"db_host = ,\n", "db_host = a:0\n", "db_host = a:65536\n",
		"db_host = a:x\n", "db_host = a:\n", "db_host = ::1\n",
		"db_host = [::1\n", "db_host = []:3306\n",
		"db_host = [::1]x\n", "db_host = a/b\n", "db_host = :3306\n",
		"db_host = a b c d e f g h i\n", "db_host = [g::1]\n",
	};
	char		 err[256], text[512];
	const char	*key;
	struct conf	 c;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		assert_int_equal(conf_try(bad[i], err, sizeof(err)), -1);
		assert_string_equal(err, "test.conf:1: db_host must be 1-8 "
		    "servers (host or host:port, [IPv6]:port) separated by "
		    "commas or spaces");
	}
	key = key_file("000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\n", 65);
	snprintf(text, sizeof(text), "data_key_file = %s\ndb_host = "
	    "db1.example\n", key);
	assert_int_equal(conf_parse(&c, text, "test.conf", err, sizeof(err)),
	    0);
	assert_int_equal(c.db_nhosts, 1);
	assert_string_equal(c.db_hosts[0].name, "db1.example");
	assert_int_equal(c.db_hosts[0].port, 0);
	assert_string_equal(c.db_host, "db1.example");
	conf_free(&c);
	/* Commas, spaces or both; the last db_host line wins whole. */
	snprintf(text, sizeof(text), "data_key_file = %s\ndb_host = x\n"
	    "db_host = 127.0.0.1:19451, 127.0.0.1:19461 ,[::1]:19471 "
	    "[fe80::1] db-3_a\ndb_port = 3307\n", key);
	assert_int_equal(conf_parse(&c, text, "test.conf", err, sizeof(err)),
	    0);
	assert_int_equal(c.db_nhosts, 5);
	assert_string_equal(c.db_hosts[0].name, "127.0.0.1");
	assert_int_equal(c.db_hosts[0].port, 19451);
	assert_string_equal(c.db_hosts[1].name, "127.0.0.1");
	assert_int_equal(c.db_hosts[1].port, 19461);
	assert_string_equal(c.db_hosts[2].name, "::1");
	assert_int_equal(c.db_hosts[2].port, 19471);
	assert_string_equal(c.db_hosts[3].name, "fe80::1");
	assert_int_equal(c.db_hosts[3].port, 0);
	assert_string_equal(c.db_hosts[4].name, "db-3_a");
	assert_int_equal(c.db_port, 3307);
	conf_free(&c);
	/* The socket and servers over TCP at once: refused, as the socket
	 * would win without a word. */
	snprintf(text, sizeof(text), "data_key_file = %s\ndb_socket = "
	    "/run/mysqld/mysqld.sock\ndb_host = db1, db2\n", key);
	assert_int_equal(conf_parse(&c, text, "test.conf", err, sizeof(err)),
	    -1);
	assert_string_equal(err, "test.conf: set db_socket (a server on this "
	    "host) or db_host (servers over TCP), not both");
	conf_free(&c);
	/* Eight is the most. */
	snprintf(text, sizeof(text), "data_key_file = %s\n"
	    "db_host = a b c d e f g h\n", key);
	assert_int_equal(conf_parse(&c, text, "test.conf", err, sizeof(err)),
	    0);
	assert_int_equal(c.db_nhosts, CONF_DB_HOSTS_MAX);
	assert_string_equal(c.db_hosts[7].name, "h");
	conf_free(&c);
	unlink(key);
}

/*
 * The pause before a transaction's next try: doubles from
 * DB_BACKOFF_MS up to DB_BACKOFF_MAX_MS, jittered within half of it
 * either way, so all DB_TXN_TRIES tries fit well inside db_timeout.
 */
static void
test_db_backoff(void **state)
{
	unsigned int	base, ms, lo, hi, total = 0;
	uint32_t	r;
	int		t;

	(void)state;
	for (t = 1, base = DB_BACKOFF_MS; t < 12; t++) {
		lo = base / 2;
		hi = base / 2 + base;
		assert_int_equal(db_backoff_ms(t, 0), lo);
		assert_int_equal(db_backoff_ms(t, base), hi);
		for (r = 0; r < 5000; r += 7) {
			ms = db_backoff_ms(t, r * 2654435761u);
			assert_true(ms >= lo && ms <= hi);
		}
		if (t < DB_TXN_TRIES)
			total += hi;
		if (base < DB_BACKOFF_MAX_MS)
			base *= 2;
	}
	assert_int_equal(db_backoff_ms(1, 0), DB_BACKOFF_MS / 2);
	assert_int_equal(db_backoff_ms(30, 0), DB_BACKOFF_MAX_MS / 2);
	/* Every pause of one transaction at its longest: under a second. */
	assert_true(total < 1000);
}

/*
 * The ldap_* keys: words checked, the keys that go together, the
 * service password read once (one line, its newline not part of it).
 */
static void
test_conf_ldap(void **state)
{
	static const struct { const char *text, *err; } bad[] = {
		{ "ldap_flavor = novell\n", "test.conf:1: ldap_flavor must be openldap or ad" },
		{ "ldap_units = tree\n", "test.conf:1: ldap_units must be ou or group" },
		{ "ldap_starttls = perhaps\n", "test.conf:1: ldap_starttls must be on or off" },
		{ "ldap_timeout = 0\n", "test.conf:1: ldap_timeout must be a whole number in range" },
		{ "ldap_bind_password_file = pw\n", "test.conf:1: ldap_bind_password_file must be an absolute path" },
	};
	char		 err[512], text[1024], key[64], pw[64];
	struct conf	 c;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		assert_int_equal(conf_try(bad[i].text, err, sizeof(err)), -1);
		assert_string_equal(err, bad[i].err);
	}
	snprintf(key, sizeof(key), "%s", key_file("000102030405060708090a0b"
	    "0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 65));
	snprintf(pw, sizeof(pw), "%s", key_file("s3cret pass\n", 12));
	/* An ldap_uri needs the service account and the base. */
	snprintf(text, sizeof(text), "data_key_file = %s\nldap_uri = "
	    "ldap://dir.example\nldap_starttls = on\n", key);
	assert_int_equal(conf_try(text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs ldap_bind_dn"));
	/* Passwords in clear only to loopback. */
	snprintf(text, sizeof(text), "data_key_file = %s\nldap_uri = "
	    "ldap://dir.example\n", key);
	assert_int_equal(conf_try(text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "in clear"));
	snprintf(text, sizeof(text), "data_key_file = %s\nldap_uri = "
	    "http://dir.example\n", key);
	assert_int_equal(conf_try(text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ldap:// or ldaps://"));
	snprintf(text, sizeof(text), "data_key_file = %s\nldap_uri = "
	    "ldaps://dir.example\nldap_bind_dn = cn=svc,dc=example\n"
	    "ldap_bind_password_file = %s\nldap_base_dn = dc=example\n"
	    "ldap_flavor = ad\nldap_units = group\n", key, pw);
	assert_int_equal(conf_parse(&c, text, "test.conf", err, sizeof(err)),
	    0);
	assert_string_equal(c.ldap_bind_password, "s3cret pass");
	assert_int_equal(c.ldap_flavor, LDAP_FLAVOR_AD);
	assert_int_equal(c.ldap_units, LDAP_UNITS_GROUP);
	assert_string_equal(c.ldap_units_base, "dc=example");
	assert_string_equal(c.ldap_attr_upn, "mail");
	assert_int_equal(c.ldap_starttls, 0);
	conf_free(&c);
	/* An empty password file, or one of two lines, is refused. */
	unlink(pw);
	snprintf(pw, sizeof(pw), "%s", key_file("a\nb\n", 4));
	snprintf(text, sizeof(text), "data_key_file = %s\nldap_uri = "
	    "ldap://127.0.0.1:3389\nldap_bind_dn = cn=svc,dc=example\n"
	    "ldap_bind_password_file = %s\nldap_base_dn = dc=example\n",
	    key, pw);
	assert_int_equal(conf_try(text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "one line"));
	unlink(pw);
	unlink(key);
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(utf8_text_valid("plain", 5, 0));
	assert_true(utf8_text_valid("Zo\xc3\xab", 4, 0));
	assert_true(utf8_text_valid("\xf0\x9f\x98\x80", 4, 0));
	assert_false(utf8_text_valid("\xc3", 1, 0));		/* cut short */
	assert_false(utf8_text_valid("\xc0\xaf", 2, 0));	/* overlong */
	assert_false(utf8_text_valid("\xed\xa0\x80", 3, 0));	/* surrogate */
	assert_false(utf8_text_valid("\xf4\x90\x80\x80", 4, 0)); /* > U+10FFFF */
	assert_false(utf8_text_valid("a\tb", 3, 0));
	assert_true(utf8_text_valid("a\tb", 3, 1));
	assert_false(utf8_text_valid("\x7f", 1, 1));
	assert_int_equal(utf8_len("Zo\xc3\xab"), 3);
}

static void
test_parse_int64(void **state)
{
	int64_t	v;

	(void)state;
	assert_int_equal(parse_int64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_int64("-1", 0, 100, &v), -1);
	assert_int_equal(parse_int64("101", 0, 100, &v), -1);
	assert_int_equal(parse_int64("", 0, 100, &v), -1);
	assert_int_equal(parse_int64(" 1", 0, 100, &v), -1);
	assert_int_equal(parse_int64("1 ", 0, 100, &v), -1);
	assert_int_equal(parse_int64("99999999999999999999", 0, INT64_MAX,
	    &v), -1);
}

static void
test_uuid(void **state)
{
	char	id[UUID_LEN + 1];
	int	i;

	(void)state;
	for (i = 0; i < 100; i++) {
		uuid_v4(id);
		assert_true(uuid_valid(id));
		assert_int_equal(id[14], '4');
	}
	assert_false(uuid_valid("123e4567-e89b-42d3-a456-42661417400"));
	assert_false(uuid_valid("123e4567-e89b-42d3-a456-4266141740000"));
	assert_false(uuid_valid("123e4567xe89b-42d3-a456-426614174000"));
	assert_false(uuid_valid("123e4567-e89b-42d3-a456-42661417400g"));
	assert_false(uuid_valid(""));
}

/* Network lists: IPv4 and IPv6, prefixes, bare addresses, bad input. */
static void
test_cidr(void **state)
{
	static const char *const good[] = {
		"", "  ", "10.0.0.0/8", "192.0.2.7", "192.0.2.0/24, 10.1.0.0/16",
		"2001:db8::/32", "::1", "::/0 0.0.0.0/0", "2001:db8:0:1::/64\n"
		"198.51.100.0/30", "::ffff:192.0.2.0/120",
	};
	static const char *const bad[] = {
		"10.0.0.1/8",		/* host bits set */
		"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/-1", "10.0.0.0/",
		"10.0.0.0/8x", "300.1.1.1", "10.0.0", "example.com",
		"2001:db8::/32/1", "fe80::1%eth0", "10.0.0.0/08 x",
	};
	static const struct {
		const char	*list, *ip;
		int		 in;
	} match[] = {
		{ "10.0.0.0/8", "10.255.1.2", 1 },
		{ "10.0.0.0/8", "11.0.0.1", 0 },
		{ "192.0.2.0/24", "192.0.2.255", 1 },
		{ "192.0.2.0/24", "192.0.3.0", 0 },
		{ "192.0.2.7", "192.0.2.7", 1 },
		{ "192.0.2.7", "192.0.2.8", 0 },
		{ "198.51.100.0/30", "198.51.100.3", 1 },
		{ "198.51.100.0/30", "198.51.100.4", 0 },
		{ "0.0.0.0/0", "203.0.113.9", 1 },
		{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
		{ "2001:db8::/32", "2001:db9::1", 0 },
		{ "2001:db8::/33", "2001:db8:8000::1", 0 },
		{ "::1", "::1", 1 },
		{ "::1", "127.0.0.1", 0 },
		/* nginx may report an IPv4 client in its mapped form */
		{ "192.0.2.0/24", "::ffff:192.0.2.9", 1 },
		{ "::ffff:192.0.2.0/120", "192.0.2.9", 1 },
		{ "10.0.0.0/8 192.0.2.0/24", "192.0.2.1", 1 },
		{ "", "10.0.0.1", 0 },
		{ "10.0.0.0/8", "not an address", 0 },
		{ "10.0.0.0/8", "", 0 },
	};
	static const struct {
		const char	*list;
		int		 trusted_ok;
	} wide[] = {
		{ "0.0.0.0/0", 0 }, { "10.0.0.0/7", 0 }, { "10.0.0.0/8", 1 },
		{ "192.0.2.7", 1 }, { "::/0", 0 }, { "2000::/15", 0 },
		{ "2001:db8::/32", 1 }, { "::/80", 0 },	/* holds all IPv4 */
		{ "::ffff:0:0/96", 0 }, { "::ffff:10.0.0.0/104", 1 },
		{ "10.0.0.0/8 0.0.0.0/1", 0 },
	};
	struct arena	a = { NULL };
	char		big[2048];
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(good); i++)
		if (cidr_list_check(&a, good[i], CIDR_ANY) != NULL)
			fail_msg("good[%zu] '%s': %s", i, good[i],
			    cidr_list_check(&a, good[i], CIDR_ANY));
	for (i = 0; i < NELEM(bad); i++)
		if (cidr_list_check(&a, bad[i], CIDR_ANY) == NULL)
			fail_msg("bad[%zu] '%s' was accepted", i, bad[i]);
	assert_non_null(strstr(cidr_list_check(&a, "10.0.0.0/8 300.1.1.1", CIDR_ANY),
	    "300.1.1.1"));
	for (i = 0; i < NELEM(match); i++)
		if (cidr_list_has(match[i].list, match[i].ip) != match[i].in)
			fail_msg("match[%zu]: %s in %s: want %d", i,
			    match[i].ip, match[i].list, match[i].in);
	assert_false(cidr_list_has(NULL, "10.0.0.1"));
	assert_false(cidr_list_has("10.0.0.0/8", NULL));
	/* at most CIDR_LIST_MAX networks */
	big[0] = '\0';
	for (i = 0; i < CIDR_LIST_MAX; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big),
		    "10.%zu.0.0/16 ", i);
	assert_null(cidr_list_check(&a, big, CIDR_ANY));
	strcat(big, "192.0.2.0/24");
	assert_non_null(cidr_list_check(&a, big, CIDR_ANY));
	/* A network written with host bits names the one meant. */
	assert_non_null(strstr(cidr_list_check(&a, "10.0.0.1/8", CIDR_ANY),
	    "did you mean 10.0.0.0/8?"));
	assert_non_null(strstr(cidr_list_check(&a, "2001:db8::1/32",
	    CIDR_ANY), "did you mean 2001:db8::/32?"));
	/* Trusted networks may not take in the Internet. */
	for (i = 0; i < NELEM(wide); i++) {
		assert_null(cidr_list_check(&a, wide[i].list, CIDR_ANY));
		if ((cidr_list_check(&a, wide[i].list, CIDR_TRUSTED) == NULL) !=
		    wide[i].trusted_ok)
			fail_msg("wide[%zu] '%s': trusted %s", i, wide[i].list,
			    wide[i].trusted_ok ? "refused" : "accepted");
	}
	/* A message quotes at most QUOTE_MAX bytes, whole characters. */
	assert_string_equal(cidr_list_check(&a, "\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x", CIDR_ANY),
	    "'\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...' is not "
	    "an address or a network");
	arena_reset(&a);
}

/* The settings' validators: numbers in range, words, lists; and
 * the combinations that would lock people out. */
static void
test_settings_check(void **state)
{
	static char	uri[] = "ldap://127.0.0.1:389";
	struct conf	c = { 0 };
	static const struct {
		const char	*name, *value;
		int		 ok;
	} t[] = {
		{ "password.min_length", "8", 1 },
		{ "password.min_length", "256", 1 },
		{ "password.min_length", "7", 0 },
		{ "password.min_length", "-8", 0 },
		{ "password.min_length", "12abc", 0 },
		{ "password.min_length", "", 0 },
		{ "mystaff.access", "selected", 1 },
		{ "mystaff.access", "some", 0 },
		{ "ca.require_mfa", "off", 1 },
		{ "ca.require_mfa", "no", 0 },
		{ "ca.signin_frequency_hours", "0", 0 },
		{ "ca.trusted_networks", "10.0.0.0/8 2001:db8::/32", 1 },
		{ "ca.trusted_networks", "10.0.0.0/8,\r\n192.0.2.0/24", 1 },
		{ "ca.trusted_networks", "0.0.0.0/0", 0 },
		{ "ca.blocked_networks", "0.0.0.0/0", 1 },
		{ "ca.blocked_networks", "10.0.0.1/8", 0 },
		{ "ca.blocked_networks", "", 1 },
		{ "sms.signin", "all", 1 },
		{ "sms.signin", "everyone", 0 },
		{ "sms.per_number_per_hour", "0", 0 },
		{ "sms.per_ip_per_hour", "100", 1 },
		{ "sms.allowed_country_codes", "1 44 +353", 1 },
		{ "sms.allowed_country_codes", "44 0", 0 },
		{ "sms.allowed_country_codes", "1234", 0 },
		{ "sms.allowed_country_codes", "uk", 0 },
		{ "password.banned_words", "contoso acme", 1 },
		{ "password.banned_words", "ab", 0 },
		{ "password.banned_words", "two-words", 0 },
		{ "password.banned_words", "M\xc3\xbcller", 1 },
		{ "lockout.threshold", "2", 0 },
		{ "lockout.seconds", "3600", 1 },
		{ "lockout.seconds", "3601", 0 },
		{ "session.idle_minutes", "30\n", 0 },
		{ "phone.country", "", 1 },
		{ "phone.country", "GB", 1 },
		{ "phone.country", "XX", 0 },
		{ "phone.country", "USA", 0 },
	};
	struct arena	a = { NULL };
	struct settings	st;
	enum setting	which = SET__MAX;
	size_t		i;
	int		k;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		assert_true((k = settings_find(t[i].name)) >= 0);
		if ((settings_check(&a, (enum setting)k, t[i].value) == NULL) !=
		    t[i].ok)
			fail_msg("%s = '%s': want %s", t[i].name, t[i].value,
			    t[i].ok ? "accepted" : "refused");
	}
	assert_string_equal(settings_normalise(&a, SET_CA_TRUSTED_NETWORKS,
	    " 10.0.0.0/8,\r\n192.0.2.0/24 "), "10.0.0.0/8 192.0.2.0/24");
	assert_string_equal(settings_normalise(&a, SET_MYSTAFF_ACCESS, "all"),
	    "all");
	assert_string_equal(settings_normalise(&a, SET_LOCKOUT_THRESHOLD,
	    " 5\t"), "5");
	assert_string_equal(settings_normalise(&a, SET_CA_BLOCKED_NETWORKS,
	    "10.0.0.0/8 192.0.2.0/24,10.0.0.0/8 10.0.0.0/80"),
	    "10.0.0.0/8 192.0.2.0/24 10.0.0.0/80");
	assert_string_equal(settings_normalise(&a,
	    SET_SMS_ALLOWED_COUNTRY_CODES, "+44 44 1 +1 +"), "44 1 +");
	assert_string_equal(settings_normalise(&a, SET_PHONE_COUNTRY, " ie "),
	    "IE");
	settings_defaults(&st);
	assert_null(settings_conflict(&st, &c, &which));
	st.value[SET_TOTP] = "off";
	assert_non_null(settings_conflict(&st, &c, &which));
	assert_int_equal(which, SET_TOTP);
	settings_defaults(&st);
	st.value[SET_SESSION_IDLE_MINUTES] = "800";	/* > 12 hours */
	assert_non_null(settings_conflict(&st, &c, &which));
	assert_int_equal(which, SET_SESSION_IDLE_MINUTES);
	/* writeback to a directory needs one in the configuration */
	settings_defaults(&st);
	st.value[SET_ONPREM_WRITEBACK] = "ldap";
	assert_non_null(settings_conflict(&st, &c, &which));
	assert_int_equal(which, SET_ONPREM_WRITEBACK);
	c.ldap_uri = uri;
	assert_null(settings_conflict(&st, &c, &which));
	arena_reset(&a);
}

static void
test_ua_summary(void **state)
{
	static const struct { const char *ua, *want; } t[] = {
		{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) "
		    "Gecko/20100101 Firefox/128.0", "Firefox on Windows" },
		{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
		    "(KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0",
		    "Edge on Windows" },
		{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
		    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
		    "Mobile/15E148 Safari/604.1", "Safari on iPhone" },
		{ "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
		    "(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
		    "Chrome on Android" },
		{ "w3m/0.5.3+git20230121", "w3m" },
		{ "Lynx/2.9.0dev.12 libwww-FM/2.14", "Lynx" },
		{ "Python-urllib/3.11", "Unknown browser" },
		{ "<script>", "Unknown browser" },
		{ NULL, "Unknown browser" },
	};
	struct arena	a = { NULL };
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(t); i++)
		assert_string_equal(ua_summary(&a, t[i].ua), t[i].want);
	arena_reset(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_urldecode),
		cmocka_unit_test(test_form_good),
		cmocka_unit_test(test_form_typed),
		cmocka_unit_test(test_form_typed_bad),
		cmocka_unit_test(test_form_bad),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_session_expiry),
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_conf_format),
		cmocka_unit_test(test_conf_ldap),
		cmocka_unit_test(test_conf_db_hosts),
		cmocka_unit_test(test_db_backoff),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_parse_int64),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_settings_check),
		cmocka_unit_test(test_ua_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
