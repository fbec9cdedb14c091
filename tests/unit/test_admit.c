/*
 * test_admit.c: cmocka tests of the admission of password hashing
 * (admit.h). The rule, re-derived case by case from its two sentences;
 * then the shared state in one process standing for several workers
 * (a slot held, the queue a pipe with a byte in it, a worker reaped,
 * pages asked for or not, a long wait); the budget of arrivals when
 * the wait is not known, and its scale from a measured hash; and the
 * dispatcher's 429, before the CSRF check, on routes that hash only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "admit.h"
#include "auth/password.h"
#include "conf.h"
#include "http.h"
#include "log.h"
#include "route.h"
#include "settings.h"
#include "tpl.h"
#include "util.h"

/*
 * The rule in its own words: "waited no more than ADMIT_BUDGET_MS",
 * "with pages asked for lately or the wait not known, a second's
 * arrivals no more than all the workers could hash in ADMIT_BUDGET_MS"
 * and "with connections waiting
 * and pages asked for lately, a worker other than the hashing ones and
 * this one is left, unless there is one worker".
 */
static int
want_admitted(const struct admit_view *v)
{
	double	could = (double)v->workers * ADMIT_BUDGET_MS / v->hash_ms;
	int	left = v->workers - v->hashing - 1;

	if (v->waited_ms > ADMIT_BUDGET_MS)
		return 0;
	if ((v->waited_ms < 0 || v->pages > 0) && (double)v->arrived > could)
		return 0;
	if (!v->waiting || v->pages == 0)
		return 1;
	if (v->workers > 1 && left < 1)
		return 0;
	if (v->workers == 1 && v->hashing > 0)
		return 0;	/* a worker of the last generation hashes */
	return 1;
}

static void
test_decide(void **state)
{
	static const int64_t	waits[] = { -1, 0, 500, ADMIT_BUDGET_MS,
				    ADMIT_BUDGET_MS + 1, 10000 };
	struct admit_view	v;
	int			w, h, q, p, k;
	int64_t			a, ms;

	(void)state;
	for (w = 1; w <= 6; w++)
	for (h = 0; h <= w; h++)
	for (q = 0; q <= 1; q++)
	for (p = 0; p <= 1; p++)
	for (k = 0; k < (int)(sizeof(waits) / sizeof(waits[0])); k++)
	for (ms = 20; ms <= 200; ms += 60)
	for (a = 1; a <= 700; a += 7) {
		v = (struct admit_view){ .workers = w, .hashing = h,
		    .waiting = q, .pages = p * 5, .waited_ms = waits[k],
		    .hash_ms = ms, .arrived = a };
		assert_int_equal(admit_decide(&v), want_admitted(&v));
	}
	/* The cases the rule is for, by hand: 2 workers, 1 hashing, a
	 * connection waiting, pages asked for: the other stays free. */
	v = (struct admit_view){ .arrived = 1, .pages = 3, .waited_ms = 5,
	    .hash_ms = 80, .waiting = 1, .hashing = 1, .workers = 2 };
	assert_int_equal(admit_decide(&v), 0);
	v.waiting = 0;					/* nobody waits */
	assert_int_equal(admit_decide(&v), 1);
	v.waiting = 1;
	v.pages = 0;			/* a flood of sign-ins alone: both */
	assert_int_equal(admit_decide(&v), 1);
	v.waited_ms = ADMIT_BUDGET_MS + 1;	/* ...but none waits too long */
	assert_int_equal(admit_decide(&v), 0);
	/* A flood that retries at once (thousands of refusals a second)
	 * still has its sign-ins checked when the wait is known. */
	v = (struct admit_view){ .arrived = 5000, .pages = 0, .waited_ms = 300,
	    .hash_ms = 80, .waiting = 1, .hashing = 1, .workers = 2 };
	assert_int_equal(admit_decide(&v), 1);
	/* Without it, arrivals: 2 x 2 s / 80 ms. */
	v = (struct admit_view){ .arrived = 50, .waited_ms = -1, .hash_ms = 80,
	    .workers = 2 };
	assert_int_equal(admit_decide(&v), 1);
	v.arrived = 51;
	assert_int_equal(admit_decide(&v), 0);
	v = (struct admit_view){ .arrived = 1, .pages = 1, .waited_ms = 0,
	    .hash_ms = 80, .waiting = 1, .workers = 1 };	/* one worker */
	assert_int_equal(admit_decide(&v), 1);
}

static int	queue[2] = { -1, -1 };	/* a pipe: a byte in it waits */

/* A new mapping for workers, the queue empty or with one waiting. */
static void
fresh(long workers, int waiting)
{
	assert_int_equal(admit_init(workers), 0);
	if (queue[0] == -1)
		assert_int_equal(pipe(queue), 0);
	admit_worker(queue[0]);
	if (waiting)
		assert_int_equal(write(queue[1], "x", 1), 1);
}

static void
drain(void)
{
	char	c;

	assert_int_equal(read(queue[0], &c, 1), 1);
}

static void
test_shared(void **state)
{
	(void)state;
	/* Two workers, a page asked for and a waiting connection: one
	 * hashes, the other takes the queue. */
	fresh(2, 1);
	admit_page();
	assert_int_equal(admit_hash(0), 0);
	assert_int_equal(admit_hash(0), ADMIT_RETRY_AFTER);
	admit_done();
	assert_int_equal(admit_hash(0), 0);
	/* Nobody waiting: both may hash. */
	drain();
	assert_int_equal(admit_hash(0), 0);
	/* A worker that died holding slots: the master frees them. */
	assert_int_equal(write(queue[1], "x", 1), 1);
	assert_int_equal(admit_hash(0), ADMIT_RETRY_AFTER);
	admit_reap(getpid());
	assert_int_equal(admit_hash(0), 0);
	admit_done();
	drain();
	/* Four workers: three may hash while a connection waits. */
	fresh(4, 1);
	admit_page();
	assert_int_equal(admit_hash(0), 0);
	assert_int_equal(admit_hash(0), 0);
	assert_int_equal(admit_hash(0), 0);
	assert_int_equal(admit_hash(0), ADMIT_RETRY_AFTER);
	admit_reap(getpid());
	drain();
	/* No page asked for: a flood of sign-ins has both workers, and
	 * one that waited too long is refused. */
	fresh(2, 1);
	assert_int_equal(admit_hash(10), 0);
	assert_int_equal(admit_hash(10), 0);
	admit_reap(getpid());
	assert_int_equal(admit_hash(ADMIT_BUDGET_MS + 1), ADMIT_RETRY_AFTER);
	admit_reap(getpid());
	drain();
}

/* Admissions in a row (each done at once) until the first refusal. */
static int
burst(void)
{
	int	n = 0;

	while (n < 10000 && admit_hash(-1) == 0) {
		admit_done();
		n++;
	}
	return n;
}

static void
test_budget(void **state)
{
	char		hash[PW_HASH_MAX];
	uint64_t	n0, ns0, n1, ns1;
	long		ms;
	int		n;

	(void)state;
	/* The wait not known (no REQUEST_START): arrivals. Before any
	 * hash is measured: ADMIT_HASH_MS. Refused arrivals count too, so
	 * the refusals go on while they come. */
	fresh(2, 0);
	assert_int_equal(burst(), 2 * ADMIT_BUDGET_MS / ADMIT_HASH_MS);
	assert_int_equal(burst(), 0);
	/* A second later the count is back. */
	sleep(1);
	usleep(150000);
	assert_int_equal(admit_hash(-1), 0);
	/* A hash made while admitted sets the scale: its cost as the
	 * hasher counts it (pw_spent), not the clock around the call,
	 * which under valgrind also holds the first call's setting up. */
	pw_spent(&n0, &ns0);
	assert_int_equal(pw_hash("a passphrase to measure", hash,
	    sizeof(hash)), 0);
	pw_spent(&n1, &ns1);
	admit_done();
	assert_int_equal(n1 - n0, 1);
	ms = (long)((ns1 - ns0) / 1000000);
	sleep(1);
	usleep(150000);
	n = burst();
	assert_true(ms > 0);
	assert_in_range(n, 2 * ADMIT_BUDGET_MS / ms * 8 / 10,
	    2 * ADMIT_BUDGET_MS / ms * 12 / 10 + 1);
	sleep(1);
	usleep(150000);
}

static struct conf	conf;
static struct settings	settings;
static struct req	r;

static void
post(const char *path)
{
	static const char	body[] = "username=a%40example.com&password=x";

	arena_reset(&r.arena);
	memset(&r, 0, sizeof(r));
	r.conf = &conf;
	r.ip = "192.0.2.1";
	r.ua = "cmocka";
	settings_defaults(&settings);
	r.settings = &settings;
	r.settings_loaded = 1;
	route_dispatch(&r, "POST", path, NULL,
	    "application/x-www-form-urlencoded", body, strlen(body));
}

static void
test_route(void **state)
{
	static const char *const hashing[] = { "/login", "/reset/password",
	    "/account/password", "/users/0b7c1a4e-2f3d-4c5b-8a69-"
	    "7e8f90a1b2c3/reset-password" };
	size_t	i;

	(void)state;
	fresh(2, 1);
	admit_page();
	assert_int_equal(admit_hash(0), 0);	/* the other worker */
	for (i = 0; i < sizeof(hashing) / sizeof(hashing[0]); i++) {
		post(hashing[i]);
		assert_int_equal(r.status, 429);
		assert_int_equal(r.retry_after, ADMIT_RETRY_AFTER);
	}
	/* A route that does not hash goes on (to its CSRF check). */
	post("/login/sms");
	assert_int_equal(r.status, 403);
	/* Admitted, /login goes on too. */
	admit_reap(getpid());
	post("/login");
	assert_int_equal(r.status, 403);
	admit_done();
	drain();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_route),
	};

	log_init("test_admit", LOG_ERR);	/* its refusals are expected */
	tpl_root("templates");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
