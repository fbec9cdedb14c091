/*
 * metrics.c: see metrics.h. The format: Prometheus "Exposition
 * formats", text format 0.0.4 (HELP, TYPE, name{label="value"} value;
 * label values escape \, " and newline; a histogram is cumulative
 * name_bucket{le=...} series ending in le="+Inf", then _sum and _count).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"
#include "metrics.h"
#include "util.h"

/* metrics_snapshot() copies the struct as 64-bit words. */
_Static_assert(sizeof(struct metrics) % sizeof(uint64_t) == 0,
    "struct metrics is made of 64-bit words");
/* by_label() reads these as arrays of consecutive counters. */
_Static_assert(MET_SIGNIN_FAIL_SMS - MET_SIGNIN_FAIL_PASSWORD == 2 &&
    MET_RESTART_RECYCLED - MET_RESTART_SIGNAL == 2,
    "labelled counters are consecutive");

/* The master's mapping; NULL: not mapped (nothing is counted). */
static struct metrics	*shared;

static const int statuses[MET_STATUSES - 1] = { 200, 303, 400, 403, 404,
    405, 413, 415, 422, 429, 500, 503 };

/* Upper bounds in µs, and as Prometheus writes them in seconds. */
static const int64_t bucket_us[MET_BUCKETS - 1] = { 1000, 2500, 5000,
    10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
    5000000, 10000000 };
static const char *const bucket_le[MET_BUCKETS] = { "0.001", "0.0025",
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
    "5", "10", "+Inf" };

int
metrics_map(void)
{
	void	*p;

	p = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		log_msg(LOG_ERR, "metrics: mmap: %s", strerror(errno));
		return -1;
	}
	shared = p;		/* zeroed by the kernel */
	shared->started = now_s();
	return 0;
}

static void
add(uint64_t *c, uint64_t n)
{
	(void)__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

void
metrics_request(int route, int status, int64_t us)
{
	size_t	s, b;

	if (shared == NULL)
		return;
	if (route < 0 || route >= MET_ROUTE_OTHER)
		route = MET_ROUTE_OTHER;
	for (s = 0; s < NELEM(statuses) && statuses[s] != status; s++)
		continue;
	if (us < 0)
		us = 0;
	for (b = 0; b < NELEM(bucket_us) && us > bucket_us[b]; b++)
		continue;
	add(&shared->requests[route][s], 1);
	add(&shared->buckets[route][b], 1);
	add(&shared->sum_us[route], (uint64_t)us);
}

void
metrics_count(enum met m)
{
	if (shared != NULL && m < MET__MAX)
		add(&shared->count[m], 1);
}

void
metrics_sms(enum sms_purpose p, int sent)
{
	if (shared != NULL && p < SMS__MAX)
		add(sent ? &shared->sms_sent[p] : &shared->sms_failed[p], 1);
}

void
metrics_workers(int delta)
{
	if (shared != NULL)
		(void)__atomic_fetch_add(&shared->workers, (int64_t)delta,
		    __ATOMIC_RELAXED);
}

void
metrics_snapshot(struct metrics *m)
{
	const uint64_t	*from;
	uint64_t	*to;
	size_t		 i, n;

	memset(m, 0, sizeof(*m));
	if (shared == NULL)
		return;
	/* Every member is a 64-bit word: one atomic load each. */
	from = (const uint64_t *)(const void *)shared;
	to = (uint64_t *)(void *)m;
	n = sizeof(*m) / sizeof(uint64_t);
	for (i = 0; i < n; i++)
		to[i] = __atomic_load_n(&from[i], __ATOMIC_RELAXED);
}

/* The text being written: grown in the arena as it fills. */
struct out {
	struct arena	*a;
	char		*p;
	size_t		 len, cap;
};

static void
put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list	 ap;
	char	*bigger;
	int	 n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (o->len + (size_t)n < o->cap) {
			o->len += (size_t)n;
			return;
		}
		bigger = arena_alloc(o->a, 2 * o->cap + (size_t)n);
		memcpy(bigger, o->p, o->len);
		o->p = bigger;
		o->cap = 2 * o->cap + (size_t)n;
	}
}

/* A label value as the format quotes it: \, " and newline escaped. */
static const char *
label(struct arena *a, const char *s)
{
	char	*out = arena_alloc(a, 2 * strlen(s) + 1), *o = out;

	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			*o++ = '\\', *o++ = *s;
		else if (*s == '\n')
			*o++ = '\\', *o++ = 'n';
		else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one series per value of one label: vals[i] is v[i]. */
static void
by_label(struct out *o, const char *name, const char *key,
    const char *const *vals, const uint64_t *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		put(o, "%s{%s=\"%s\"} %llu\n", name, key, label(o->a, vals[i]),
		    (unsigned long long)v[i]);
}

/* Requests and latency, for the routes that have been asked for. */
static void
http_families(struct out *o, const struct metrics *m,
    const char *const *routes, size_t nroutes)
{
	const char	*rl;
	uint64_t	 cum, count;
	size_t		 r, s, b;
	char		 code[16];

	family(o, "staffdesk_http_requests_total", "counter", "Requests "
	    "answered, by route pattern (other: no route matched) and "
	    "status.");
	for (r = 0; r < MET_ROUTES_MAX; r++) {
		if (r >= nroutes && r != MET_ROUTE_OTHER)
			continue;
		rl = label(o->a, r == MET_ROUTE_OTHER ? "other" : routes[r]);
		for (s = 0; s < MET_STATUSES; s++) {
			if (m->requests[r][s] == 0)
				continue;
			if (s < NELEM(statuses))
				(void)snprintf(code, sizeof(code), "%d",
				    statuses[s]);
			else
				memcpy(code, "other", sizeof("other"));
			put(o, "staffdesk_http_requests_total{route=\"%s\","
			    "status=\"%s\"} %llu\n", rl, code,
			    (unsigned long long)m->requests[r][s]);
		}
	}
	family(o, "staffdesk_http_request_duration_seconds", "histogram",
	    "Time from accepting a request to the end of its answer, by "
	    "route pattern.");
	for (r = 0; r < MET_ROUTES_MAX; r++) {
		if (r >= nroutes && r != MET_ROUTE_OTHER)
			continue;
		for (count = 0, b = 0; b < MET_BUCKETS; b++)
			count += m->buckets[r][b];
		if (count == 0)
			continue;
		rl = label(o->a, r == MET_ROUTE_OTHER ? "other" : routes[r]);
		for (cum = 0, b = 0; b < MET_BUCKETS; b++) {
			cum += m->buckets[r][b];
			put(o, "staffdesk_http_request_duration_seconds_bucket"
			    "{route=\"%s\",le=\"%s\"} %llu\n", rl, bucket_le[b],
			    (unsigned long long)cum);
		}
		put(o, "staffdesk_http_request_duration_seconds_sum"
		    "{route=\"%s\"} %llu.%06llu\n", rl,
		    (unsigned long long)(m->sum_us[r] / 1000000),
		    (unsigned long long)(m->sum_us[r] % 1000000));
		put(o, "staffdesk_http_request_duration_seconds_count"
		    "{route=\"%s\"} %llu\n", rl, (unsigned long long)count);
	}
}

/* A counter without labels. */
static void
counter(struct out *o, const char *name, const char *help, uint64_t v)
{
	family(o, name, "counter", help);
	put(o, "%s %llu\n", name, (unsigned long long)v);
}

char *
metrics_format(struct arena *a, const struct metrics *m,
    const char *const *routes, size_t nroutes, size_t *len)
{
	static const char *const steps[] = { "password", "mfa", "sms" };
	static const char *const reasons[] = { "signal", "exit", "recycled" };
	const char	*purposes[SMS__MAX];
	struct out	 o = { a, NULL, 0, 16 * 1024 };
	size_t		 i;

	o.p = arena_alloc(a, o.cap);
	o.p[0] = '\0';
	for (i = 0; i < SMS__MAX; i++)
		purposes[i] = sms_purpose_id((enum sms_purpose)i);
	http_families(&o, m, routes, nroutes);
	family(&o, "staffdesk_workers_alive", "gauge", "Worker processes "
	    "running (during a reload, the old ones finishing too).");
	put(&o, "staffdesk_workers_alive %lld\n", (long long)m->workers);
	family(&o, "staffdesk_workers_restarted_total", "counter", "Workers "
	    "the master replaced: died of a signal, exited with an error, "
	    "or recycled after max_requests.");
	by_label(&o, "staffdesk_workers_restarted_total", "reason", reasons,
	    &m->count[MET_RESTART_SIGNAL], NELEM(reasons));
	counter(&o, "staffdesk_db_reconnects_total", "Database links "
	    "connected again after one was lost.", m->count[MET_DB_RECONNECTS]);
	counter(&o, "staffdesk_db_transaction_retries_total", "Transactions "
	    "tried again after a deadlock, a lock wait timeout or a lost "
	    "link.", m->count[MET_DB_TXN_RETRIES]);
	counter(&o, "staffdesk_db_transactions_given_up_total", "Transactions "
	    "abandoned when their tries or the request's db_timeout ran out "
	    "(answered 503).", m->count[MET_DB_TXN_GAVE_UP]);
	family(&o, "staffdesk_signin_failures_total", "counter", "Failed "
	    "sign-in steps (as audited: wrong, locked, disabled, rate "
	    "limited), by step.");
	by_label(&o, "staffdesk_signin_failures_total", "step", steps,
	    &m->count[MET_SIGNIN_FAIL_PASSWORD], NELEM(steps));
	counter(&o, "staffdesk_signin_lockouts_total", "Accounts locked by "
	    "failed sign-ins.", m->count[MET_SIGNIN_LOCKOUTS]);
	family(&o, "staffdesk_sms_sent_total", "counter", "Texts delivered "
	    "(sms_command exited 0, or written to sms_log), by purpose.");
	by_label(&o, "staffdesk_sms_sent_total", "purpose", purposes,
	    m->sms_sent, SMS__MAX);
	family(&o, "staffdesk_sms_failed_total", "counter", "Tries to deliver "
	    "a text that failed (sms flush tries again), by purpose.");
	by_label(&o, "staffdesk_sms_failed_total", "purpose", purposes,
	    m->sms_failed, SMS__MAX);
	family(&o, "staffdesk_start_time_seconds", "gauge", "When the master "
	    "started, in seconds since the epoch (the counters count from "
	    "then).");
	put(&o, "staffdesk_start_time_seconds %lld\n", (long long)m->started);
	*len = o.len;
	return o.p;
}
