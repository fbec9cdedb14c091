/*
 * metrics.h: the counters GET /metrics shows, in the Prometheus text
 * exposition format (version 0.0.4). They live in one mapping shared by
 * the master and every worker it forks (MAP_SHARED | MAP_ANONYMOUS,
 * made before the first fork), updated with atomic adds, so a scrape
 * of any worker sees the whole master's. Every table has a fixed size
 * (routes, statuses, buckets, purposes): what a client sends cannot add
 * a series. Before metrics_map() (staffdesk-admin, the unit tests) the
 * updates do nothing.
 */
#ifndef STAFFDESK_METRICS_H
#define STAFFDESK_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "sms.h"

/*
 * Routes: an index of the route table (route.c checks it has fewer than
 * MET_ROUTES_MAX); the last slot is every path no route matches.
 */
#define MET_ROUTES_MAX		64
#define MET_ROUTE_OTHER		(MET_ROUTES_MAX - 1)
/* Statuses staffdesk sends, each counted apart; the last slot: others. */
#define MET_STATUSES		13
/* Latency buckets (upper bounds in µs), then +Inf. */
#define MET_BUCKETS		14

/* Plain counters, each its own series. */
enum met {
	MET_DB_RECONNECTS,	/* a lost link connected again */
	MET_DB_TXN_RETRIES,	/* a transaction tried again (deadlock,
				 * lock wait, lost link) */
	MET_DB_TXN_GAVE_UP,	/* ... until its tries or time ran out */
	MET_SIGNIN_FAIL_PASSWORD, /* failed sign-in steps, by step */
	MET_SIGNIN_FAIL_MFA,
	MET_SIGNIN_FAIL_SMS,
	MET_SIGNIN_LOCKOUTS,	/* an account locked by its failures */
	MET_RESTART_SIGNAL,	/* a worker died of a signal (crash, kill -9) */
	MET_RESTART_EXIT,	/* ... exited with an error */
	MET_RESTART_RECYCLED,	/* ... left after max_requests */
	MET__MAX
};

struct metrics {
	uint64_t	requests[MET_ROUTES_MAX][MET_STATUSES];
	uint64_t	buckets[MET_ROUTES_MAX][MET_BUCKETS];	/* each its own */
	uint64_t	sum_us[MET_ROUTES_MAX];
	uint64_t	count[MET__MAX];
	uint64_t	sms_sent[SMS__MAX];
	uint64_t	sms_failed[SMS__MAX];
	int64_t		workers;	/* worker processes running */
	int64_t		started;	/* master's start, epoch seconds */
};

/* The master, before it forks: 0, or -1 (logged; metrics stay off). */
int	 metrics_map(void);

/* A request answered: route index (-1: none matched), status, µs. */
void	 metrics_request(int route, int status, int64_t us);
void	 metrics_count(enum met);
void	 metrics_sms(enum sms_purpose, int sent);
/* Worker processes started (+1) or reaped (-1). */
void	 metrics_workers(int delta);

/* A consistent-enough copy of the counters (each read atomically). */
void	 metrics_snapshot(struct metrics *);

/*
 * The exposition of m as text in the arena (*len bytes): # HELP and
 * # TYPE for every family, a series for each counter and gauge, and for
 * requests and latency a series for each route (routes[i], nroutes of
 * them; "other" for the rest) and status that has been seen. Pure.
 */
struct arena;
char	*metrics_format(struct arena *, const struct metrics *m,
	    const char *const *routes, size_t nroutes, size_t *len);

#endif
