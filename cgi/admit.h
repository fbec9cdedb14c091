/*
 * admit.h: admission of password hashing. One argon2id check holds a
 * worker for tens of milliseconds (auth/password.h: PW_ARGON2_*), and
 * every request waits in one queue, the socket's: 200 connections
 * posting /login made /healthz wait 9.5 s behind their hashes. A route
 * that hashes (route.c: HASHING) asks admit_hash() before anything
 * else, and is answered 429 at once, without a hash or a query, when
 *
 *  - it waited in the queue more than ADMIT_BUDGET_MS before a worker
 *    took it (nginx says when it came: REQUEST_START), as the queue of
 *    a flood would otherwise grow without bound; or
 *  - pages (requests that do not hash) came in the last second, or
 *    nginx did not say how long this one waited, and more requests
 *    that hash arrived in the last second than all the workers could
 *    hash in ADMIT_BUDGET_MS: a flood, in which on a small host a hash
 *    let in takes a core from the pages, so none is; or
 *  - connections are waiting, pages came in the last second, and no
 *    worker but those hashing and this one would be left to take them
 *    (with one worker, never).
 *
 * So pages stay fast during a flood of sign-ins, and sign-ins alone
 * have every worker, the queue bounded by the wait: arrivals alone
 * would refuse them all, as a flood that retries at once is thousands
 * of quick refusals a second, each counted.
 *
 * Workers share the counts through one small mapping the master makes
 * before the first fork (admit_init); the master frees what a worker
 * that died held (admit_reap). Without admit_init (the unit tests)
 * every hash is admitted.
 */
#ifndef STAFFDESK_ADMIT_H
#define STAFFDESK_ADMIT_H

#include <stdint.h>
#include <sys/types.h>

#define ADMIT_BUDGET_MS	2000	/* the hashing a second's arrivals may ask */
#define ADMIT_HASH_MS	100	/* a hash's cost until one is measured */
#define ADMIT_RETRY_AFTER 2	/* seconds, the 429's Retry-After */
#define ADMIT_LOG_SECONDS 10	/* refusals are logged at most this often */
#define ADMIT_SLOTS	512	/* workers of two generations (a reload) */
#define ADMIT_BUCKETS	10	/* arrivals counted per tenth of a second */

/* What a worker about to hash knows of the others. */
struct admit_view {
	int64_t	arrived;	/* requests that hash, in the last second
				 * (this one included) */
	int64_t	pages;		/* requests that do not, in the last second */
	int64_t	waited_ms;	/* this one in the queue; -1: not known */
	int64_t	hash_ms;	/* what one costs, measured */
	int	waiting;	/* connections are waiting in the queue */
	int	hashing;	/* other workers hashing now */
	int	workers;
};

/* 1 when a hash may start under the two rules above; 0 if not. Pure. */
int	admit_decide(const struct admit_view *);

/* The master, before the first fork: 0, or -1 (logged). */
int	admit_init(long workers);
/* The master, after a reload: how many workers there are now. */
void	admit_workers(long workers);
/* The master: worker pid has ended; the hash it held, if any, too. */
void	admit_reap(pid_t pid);

/* A worker, once: the listening socket it takes requests from. */
void	admit_worker(int listen_fd);
/*
 * A worker, before a request that hashes, which waited waited_ms in the
 * queue (-1: not known): 0 when admitted (held until admit_done), else
 * the seconds for a Retry-After (nothing is held).
 */
int	admit_hash(int64_t waited_ms);
/* A worker, for a request that does not hash: counts it. */
void	admit_page(void);
/* A worker, after every request: lets go of what admit_hash took. */
void	admit_done(void);

#endif /* STAFFDESK_ADMIT_H */
