/*
 * test_observe.c: cmocka tests of what an operator reads. The log: the
 * escaper (log_value) with every kind of character a client could send
 * to break a line or drive a terminal, and whole lines as log_msg
 * writes them (read back through a pipe put on stderr): one line, the
 * common fields, a long message cut and marked. The metrics: the
 * exposition metrics_format() writes, checked line by line against the
 * text format, histograms cumulative and ending in +Inf, only the
 * routes seen; the route label of a path (its pattern, "other"). The
 * request id in an audit row's details (audit_details) and on the
 * audit pages (details_read leaves it out, details_request_id reads
 * it); the metrics_allow config key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "db/audit.h"
#include "details.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "route.h"
#include "util.h"

#define UUID	"0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3"

/* Bare when nothing needs quoting; else quoted, escaped, one line. */
static void
test_log_value(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "GET", "GET" },
		{ "/users/{id}", "/users/{id}" },
		{ "127.0.0.1", "127.0.0.1" },
		{ "", "\"\"" },
		{ "two words", "\"two words\"" },
		{ "a=b", "\"a=b\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "line\nbreak", "\"line\\nbreak\"" },
		{ "cr\rlf\n", "\"cr\\rlf\\n\"" },
		{ "tab\there", "\"tab\\there\"" },
		{ "\x1b[31mred", "\"\\x1b[31mred\"" },
		{ "del\x7f", "\"del\\x7f\"" },
		{ "nul\x01", "\"nul\\x01\"" },
		/* C1 controls: CSI (U+009B) drives terminals as ESC [ does. */
		{ "csi\xc2\x9b" "2J", "\"csi\\u009b2J\"" },
		{ "nel\xc2\x85", "\"nel\\u0085\"" },
		{ "ls\xe2\x80\xa8ps\xe2\x80\xa9", "\"ls\\u2028ps\\u2029\"" },
		/* Printable UTF-8 stays as it is (in quotes). */
		{ "Zo\xc3\xab", "\"Zo\xc3\xab\"" },
		{ "\xe5\x90\x8d", "\"\xe5\x90\x8d\"" },
		/* Bytes that are not UTF-8, each escaped. */
		{ "bad\xff", "\"bad\\xff\"" },
		{ "cut\xe5\x90", "\"cut\\xe5\\x90\"" },
		{ "overlong\xc0\xaf", "\"overlong\\xc0\\xaf\"" },
		{ "surrogate\xed\xa0\x80", "\"surrogate\\xed\\xa0\\x80\"" },
	};
	char	out[128];
	size_t	i;
	int	n;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		n = log_value(out, sizeof(out), cases[i].in);
		assert_int_equal(n, (int)strlen(cases[i].out));
		assert_string_equal(out, cases[i].out);
	}
	/* Too small: refused, never cut in the middle of an escape. */
	assert_int_equal(log_value(out, 4, "GET"), 3);
	assert_int_equal(log_value(out, 3, "GET"), -1);
	assert_int_equal(log_value(out, 6, "a\nb"), -1);
	assert_int_equal(log_value(out, 7, "a\nb"), 6);
}

/* What log_msg writes to stderr while fn runs, read through a pipe. */
static char *
captured(void (*fn)(const char *), const char *arg)
{
	static char	buf[2 * LOG_LINE_MAX];
	int		p[2], saved;
	ssize_t		n;
	size_t		got = 0;

	assert_int_equal(pipe(p), 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(p[1], STDERR_FILENO) >= 0);
	close(p[1]);
	fn(arg);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	while ((n = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	close(p[0]);
	buf[got] = '\0';
	return buf;
}

static void
say(const char *what)
{
	log_msg(LOG_WARN, "sign-in of %s: the directory cannot answer", what);
}

static void
say_debug(const char *what)
{
	log_msg(LOG_DEBUG, "%s", what);
}

/* One line per event, whatever the message holds; fields in order. */
static void
test_log_line(void **state)
{
	char	*line, big[3 * LOG_LINE_MAX];

	(void)state;
	log_init("test_observe", LOG_INFO);
	line = captured(say, "ann@example.com\n\x1b[2Jlevel=error");
	assert_int_equal(strchr(line, '\n') - line + 1, (long)strlen(line));
	assert_int_equal(strncmp(line, "time=", 5), 0);
	assert_non_null(strstr(line, " level=warn prog=test_observe pid="));
	assert_null(strstr(line, "request_id="));
	assert_non_null(strstr(line, " msg=\"sign-in of ann@example.com\\n"
	    "\\x1b[2Jlevel=error: the directory cannot answer\"\n"));
	assert_null(strchr(line, '\x1b'));
	/* Inside a request, every line names it. */
	log_request_id("0123456789abcdef0123456789abcdef");
	line = captured(say, "x");
	assert_non_null(strstr(line, " request_id=0123456789abcdef0123456789"
	    "abcdef msg="));
	log_request_id(NULL);
	/* Below the level: nothing. */
	assert_string_equal(captured(say_debug, "quiet"), "");
	/* A message longer than a line: cut, marked, still one line. */
	memset(big, '"', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_init("test_observe", LOG_DEBUG);
	line = captured(say_debug, big);
	assert_true(strlen(line) <= LOG_LINE_MAX);
	assert_int_equal(strchr(line, '\n') - line + 1, (long)strlen(line));
	assert_non_null(strstr(line, " cut=1\n"));
	assert_null(strstr(line, "msg="));	/* no half value */
	log_init("test_observe", LOG_INFO);
}

/* Fields added by hand (the request line), a value that does not fit. */
static void
test_log_kv(void **state)
{
	struct log_line	l;
	char		big[LOG_LINE_MAX];

	(void)state;
	memset(&l, 0, sizeof(l));
	log_kv(&l, "method", "GET");
	log_kv(&l, "route", "/users/{id}");
	log_kv_int(&l, "status", 200);
	log_kv_int(&l, "duration_us", 812);
	assert_int_equal(l.len, strlen("method=GET route=/users/{id} "
	    "status=200 duration_us=812"));
	assert_memory_equal(l.buf, "method=GET route=/users/{id} status=200 "
	    "duration_us=812", l.len);
	assert_int_equal(l.cut, 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_kv(&l, "ua", big);
	assert_int_equal(l.cut, 1);
	assert_memory_equal(l.buf + l.len - 3, "812", 3);	/* rolled back */
}

/* A small checker of the text format: 1 when line is one of its lines. */
static int
exposition_line(const char *line)
{
	const char	*p = line;

	if (strncmp(p, "# HELP ", 7) == 0 || strncmp(p, "# TYPE ", 7) == 0)
		return strchr(p + 7, ' ') != NULL;
	if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
	    *p == '_')
		p++;
	if (*p == '{') {
		for (p++; *p != '}'; p++) {
			while ((*p >= 'a' && *p <= 'z') || *p == '_')
				p++;
			if (*p++ != '=' || *p++ != '"')
				return 0;
			for (; *p != '"'; p++) {
				if (*p == '\0' || *p == '\n')
					return 0;
				if (*p == '\\' && (p[1] == '\\' || p[1] == '"' ||
				    p[1] == 'n'))
					p++;
				else if (*p == '\\')
					return 0;
			}
			if (p[1] == ',')
				p++;
			else if (p[1] != '}')
				return 0;
		}
		p++;
	}
	if (*p++ != ' ')
		return 0;
	if (strspn(p, "0123456789.") != strlen(p) || *p == '\0')
		return 0;
	return 1;
}

static void
test_metrics_format(void **state)
{
	static const char *const routes[] = { "/", "/healthz", "/users/{id}",
	    "/odd\"\\route" };
	static const char *const cum[MET_BUCKETS] = { "0.001\"} 5",
	    "0.0025\"} 5", "0.005\"} 5", "0.01\"} 6", "0.025\"} 6", "0.05\"} 6",
	    "0.1\"} 6", "0.25\"} 6", "0.5\"} 6", "1\"} 6", "2.5\"} 6", "5\"} 6",
	    "10\"} 6", "+Inf\"} 7" };
	struct metrics	 m;
	struct arena	 a = { NULL };
	char		*text, *line, *next, want[256];
	size_t		 len, nlines = 0, i;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.requests[1][0] = 7;			/* /healthz 200 */
	m.requests[2][4] = 2;			/* /users/{id} 404 */
	m.requests[MET_ROUTE_OTHER][4] = 3;	/* unknown paths, 404 */
	m.requests[3][MET_STATUSES - 1] = 1;	/* a status not listed */
	m.buckets[1][0] = 5;			/* <= 1 ms */
	m.buckets[1][3] = 1;			/* <= 10 ms */
	m.buckets[1][MET_BUCKETS - 1] = 1;	/* over 10 s */
	m.sum_us[1] = 12345678;
	m.count[MET_SIGNIN_FAIL_MFA] = 4;
	m.count[MET_RESTART_SIGNAL] = 1;
	m.sms_failed[SMS_CODE_RESET] = 2;
	m.workers = 2;
	text = metrics_format(&a, &m, routes, NELEM(routes), &len);
	assert_int_equal(strlen(text), len);
	assert_true(len > 0 && text[len - 1] == '\n');
	for (line = text; *line != '\0'; line = next + 1) {
		next = strchr(line, '\n');
		*next = '\0';
		if (!exposition_line(line))
			fail_msg("not an exposition line: %s", line);
		*next = '\n';
		nlines++;
	}
	assert_true(nlines > 40);
	/* Only what was seen, routes by pattern, the rest "other". */
	assert_non_null(strstr(text, "\nstaffdesk_http_requests_total{route="
	    "\"/healthz\",status=\"200\"} 7\n"));
	assert_non_null(strstr(text, "\nstaffdesk_http_requests_total{route="
	    "\"/users/{id}\",status=\"404\"} 2\n"));
	assert_non_null(strstr(text, "\nstaffdesk_http_requests_total{route="
	    "\"other\",status=\"404\"} 3\n"));
	assert_non_null(strstr(text, "{route=\"/odd\\\"\\\\route\",status="
	    "\"other\"} 1\n"));
	assert_null(strstr(text, "route=\"/\""));
	/* The histogram: cumulative, +Inf the count, the sum in seconds. */
	for (i = 0; i < MET_BUCKETS; i++) {
		snprintf(want, sizeof(want), "\nstaffdesk_http_request_duration_"
		    "seconds_bucket{route=\"/healthz\",le=\"%s\n", cum[i]);
		assert_non_null(strstr(text, want));
	}
	assert_non_null(strstr(text, "\nstaffdesk_http_request_duration_"
	    "seconds_sum{route=\"/healthz\"} 12.345678\n"));
	assert_non_null(strstr(text, "\nstaffdesk_http_request_duration_"
	    "seconds_count{route=\"/healthz\"} 7\n"));
	assert_null(strstr(text, "_bucket{route=\"/users/{id}\""));
	/* Each family once, typed; labelled counters complete. */
	assert_non_null(strstr(text, "# TYPE staffdesk_http_request_duration_"
	    "seconds histogram\n"));
	assert_non_null(strstr(text, "\nstaffdesk_workers_alive 2\n"));
	assert_non_null(strstr(text, "\nstaffdesk_workers_restarted_total"
	    "{reason=\"signal\"} 1\n"));
	assert_non_null(strstr(text, "\nstaffdesk_workers_restarted_total"
	    "{reason=\"recycled\"} 0\n"));
	assert_non_null(strstr(text, "\nstaffdesk_signin_failures_total{step="
	    "\"mfa\"} 4\n"));
	assert_non_null(strstr(text, "\nstaffdesk_signin_failures_total{step="
	    "\"password\"} 0\n"));
	assert_non_null(strstr(text, "\nstaffdesk_sms_failed_total{purpose="
	    "\"code_reset\"} 2\n"));
	assert_ptr_equal(strstr(text, "# TYPE staffdesk_sms_sent_total "),
	    strstr(text, "# TYPE staffdesk_sms_sent_total counter\n"));
	arena_reset(&a);
}

/* Before metrics_map (the CLI), counting does nothing and reads zero. */
static void
test_metrics_unmapped(void **state)
{
	struct metrics	m;

	(void)state;
	metrics_request(1, 200, 100);
	metrics_count(MET_DB_RECONNECTS);
	metrics_snapshot(&m);
	assert_int_equal(m.requests[1][0], 0);
	assert_int_equal(m.count[MET_DB_RECONNECTS], 0);
}

/* Shared by a forked child (as by a worker), each request counted. */
static void
test_metrics_shared(void **state)
{
	struct metrics	m;
	pid_t		pid;
	int		status;

	(void)state;
	assert_int_equal(metrics_map(), 0);
	if ((pid = fork()) == 0) {
		metrics_request(route_index(NULL), 404, 700);
		metrics_request(0, 303, 30000000);	/* 30 s: +Inf */
		metrics_count(MET_SIGNIN_LOCKOUTS);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	metrics_request(0, 303, 2000);
	metrics_sms(SMS_CODE_MFA, 1);
	metrics_snapshot(&m);
	assert_int_equal(m.requests[MET_ROUTE_OTHER][4], 1);
	assert_int_equal(m.requests[0][1], 2);
	assert_int_equal(m.buckets[0][1], 1);
	assert_int_equal(m.buckets[0][MET_BUCKETS - 1], 1);
	assert_int_equal(m.sum_us[0], 30002000);
	assert_int_equal(m.count[MET_SIGNIN_LOCKOUTS], 1);
	assert_int_equal(m.sms_sent[SMS_CODE_MFA], 1);
	assert_true(m.started > 0);
}

/* The label of a path: the pattern of its route, else "other". */
static void
test_route_label(void **state)
{
	static const struct { const char *path, *label; } cases[] = {
		{ "/healthz", "/healthz" },
		{ "/metrics", "/metrics" },
		{ "/users/" UUID, "/users/{id}" },
		{ "/users/" UUID "/phone", "/users/{id}/phone" },
		{ "/admin/audit/42", "/admin/audit/{n}" },
		{ "/users/123", "other" },
		{ "/admin/audit/042", "other" },
		{ "/wp-login.php", "other" },
		{ "/users/" UUID "/x", "other" },
	};
	struct req	r;
	size_t		i;
	int		k;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < NELEM(cases); i++) {
		(void)route_find(&r, cases[i].path);
		assert_string_equal(route_label(r.route), cases[i].label);
		k = route_index(r.route);
		if (r.route == NULL)
			assert_int_equal(k, -1);
		else
			assert_string_equal(route_pattern((size_t)k),
			    cases[i].label);
	}
	assert_true(route_count() < MET_ROUTES_MAX);
	assert_null(route_pattern(route_count()));
	arena_reset(&r.arena);
}

/* The request id joins the details as their last member. */
static void
test_audit_details(void **state)
{
	static const char id[] = "0123456789abcdef0123456789abcdef";
	static const struct { const char *in, *out; } cases[] = {
		{ NULL, "{\"requestId\":\"0123456789abcdef0123456789abcdef\"}" },
		{ "{}", "{\"requestId\":\"0123456789abcdef0123456789abcdef\"}" },
		{ "{ }\n", "{\"requestId\":\"0123456789abcdef0123456789abcdef\"}" },
		{ "{\"method\":\"totp\"}", "{\"method\":\"totp\",\"requestId\":"
		    "\"0123456789abcdef0123456789abcdef\"}" },
		{ "{\"a\":{\"b\":1}} ", "{\"a\":{\"b\":1},\"requestId\":"
		    "\"0123456789abcdef0123456789abcdef\"}" },
		{ "not json", "not json" },
		{ "[1]", "[1]" },
	};
	struct arena	 a = { NULL };
	struct detail	 lines[DETAILS_MAX];
	const char	*d;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_string_equal(audit_details(&a, cases[i].in, id),
		    cases[i].out);
	assert_null(audit_details(&a, NULL, NULL));
	assert_string_equal(audit_details(&a, "{\"x\":1}", ""), "{\"x\":1}");
	/* The pages: not a line, but read apart for the entry's page. */
	d = audit_details(&a, "{\"method\":\"sms\"}", id);
	assert_int_equal(details_read(&a, d, lines, NELEM(lines)), 1);
	assert_string_equal(lines[0].label, "Method");
	assert_string_equal(details_request_id(&a, d), id);
	d = audit_details(&a, NULL, id);
	assert_int_equal(details_read(&a, d, lines, NELEM(lines)), 0);
	assert_null(details_request_id(&a, "{\"method\":\"sms\"}"));
	assert_null(details_request_id(&a, "{\"requestId\":7}"));
	assert_null(details_request_id(&a, "not json"));
	assert_null(details_request_id(&a, NULL));
	arena_reset(&a);
}

/* metrics_allow: loopback by default, a list of networks, checked. */
static void
test_conf_metrics_allow(void **state)
{
	static const char *const bad[] = { "metrics_allow = 10.0.0.1/8",
	    "metrics_allow = everyone", "metrics_allow = 10.0.0.0/33" };
	char		 path[] = "/tmp/staffdesk-test-key-XXXXXX";
	char		 text[512], err[512];
	struct conf	 c;
	size_t		 i;
	int		 fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789abcdef0123456789abcdef", 32),
	    32);
	close(fd);
	snprintf(text, sizeof(text), "data_key_file = %s\n", path);
	assert_int_equal(conf_parse(&c, text, "t.conf", err, sizeof(err)), 0);
	assert_string_equal(c.metrics_allow, CONF_METRICS_ALLOW);
	conf_free(&c);
	snprintf(text, sizeof(text), "data_key_file = %s\nmetrics_allow = "
	    "10.1.2.0/24, 2001:db8::/32\n", path);
	assert_int_equal(conf_parse(&c, text, "t.conf", err, sizeof(err)), 0);
	assert_string_equal(c.metrics_allow, "10.1.2.0/24, 2001:db8::/32");
	conf_free(&c);
	snprintf(text, sizeof(text), "data_key_file = %s\nmetrics_allow =\n",
	    path);
	assert_int_equal(conf_parse(&c, text, "t.conf", err, sizeof(err)), 0);
	assert_string_equal(c.metrics_allow, "");
	conf_free(&c);
	for (i = 0; i < NELEM(bad); i++) {
		snprintf(text, sizeof(text), "data_key_file = %s\n%s\n", path,
		    bad[i]);
		assert_int_equal(conf_parse(&c, text, "t.conf", err,
		    sizeof(err)), -1);
		assert_int_equal(strncmp(err, "t.conf:2: metrics_allow must "
		    "list networks", 29), 0);
		conf_free(&c);
	}
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_value),
		cmocka_unit_test(test_log_line),
		cmocka_unit_test(test_log_kv),
		cmocka_unit_test(test_metrics_format),
		cmocka_unit_test(test_metrics_unmapped),
		cmocka_unit_test(test_metrics_shared),
		cmocka_unit_test(test_route_label),
		cmocka_unit_test(test_audit_details),
		cmocka_unit_test(test_conf_metrics_allow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
