/*
 * admit.c: see admit.h.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "admit.h"
#include "auth/password.h"
#include "conf.h"
#include "log.h"

#define MS		1000000LL	/* nanoseconds */
#define TICK_NS		(1000 * MS / ADMIT_BUCKETS)

/* Arrivals during one tenth of a second (tick: now / TICK_NS). */
struct admit_bucket {
	int64_t	tick;
	int64_t	n;
};

/* The mapping the master and its workers share. */
struct admit_shared {
	int64_t			workers;
	int64_t			hash_ns;	/* a hash, measured; 0: none yet */
	int64_t			refused;	/* requests answered 429, ever */
	int64_t			logged;		/* ...of which the log has told */
	int64_t			logged_at;	/* when, ns */
	struct admit_bucket	bucket[ADMIT_BUCKETS];	/* that hash */
	struct admit_bucket	page[ADMIT_BUCKETS];	/* that do not */
	pid_t			slot[ADMIT_SLOTS];	/* hashing; 0: free */
};

static struct admit_shared	*shm;		/* NULL: admit everything */
/* A worker's: its socket, the slot it holds, and argon2's count then. */
static int			 listen_fd = -1;
static int			 held = -1;
static uint64_t			 held_n, held_ns;

static int64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
admit_decide(const struct admit_view *v)
{
	int64_t	hash_ms = v->hash_ms > 0 ? v->hash_ms : 1;
	int	others = v->workers > 1 ? v->workers - 1 : 1;

	if (v->waited_ms > ADMIT_BUDGET_MS)
		return 0;
	if ((v->waited_ms < 0 || v->pages > 0) &&
	    v->arrived * hash_ms > (int64_t)v->workers * ADMIT_BUDGET_MS)
		return 0;
	return !(v->waiting && v->pages > 0 && v->hashing >= others);
}

int
admit_init(long workers)
{
	void	*p;

	p = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		log_msg(LOG_ERR, "admit: mmap: %s", strerror(errno));
		return -1;
	}
	shm = p;
	admit_workers(workers);
	return 0;
}

void
admit_workers(long workers)
{
	if (shm != NULL)
		__atomic_store_n(&shm->workers, (int64_t)workers,
		    __ATOMIC_RELAXED);
}

void
admit_reap(pid_t pid)
{
	size_t	i;
	pid_t	p;

	if (shm == NULL)
		return;
	for (i = 0; i < ADMIT_SLOTS; i++) {
		p = pid;
		(void)__atomic_compare_exchange_n(&shm->slot[i], &p, 0, 0,
		    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
}

void
admit_worker(int fd)
{
	listen_fd = fd;
}

/*
 * Counts n arrivals at now in buckets (0: only reads them) and returns
 * those of the last second. The first worker into a new tenth empties
 * its bucket; one that counts between another's claim and emptying
 * loses its count: a count, not a ledger.
 */
static int64_t
admit_arrive(struct admit_bucket *buckets, int64_t now, int64_t n)
{
	int64_t			 tick = now / TICK_NS, old, sum = 0;
	struct admit_bucket	*b = &buckets[tick % ADMIT_BUCKETS];
	size_t			 i;

	old = __atomic_load_n(&b->tick, __ATOMIC_ACQUIRE);
	if (old != tick && __atomic_compare_exchange_n(&b->tick, &old, tick,
	    0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		__atomic_store_n(&b->n, 0, __ATOMIC_RELEASE);
	__atomic_add_fetch(&b->n, n, __ATOMIC_ACQ_REL);
	for (i = 0; i < ADMIT_BUCKETS; i++)
		if (tick - __atomic_load_n(&buckets[i].tick,
		    __ATOMIC_ACQUIRE) < ADMIT_BUCKETS)
			sum += __atomic_load_n(&buckets[i].n,
			    __ATOMIC_ACQUIRE);
	return sum;
}

void
admit_page(void)
{
	if (shm != NULL)
		(void)admit_arrive(shm->page, now_ns(), 1);
}

/* 1 when a connection waits in the queue now. */
static int
admit_waiting(void)
{
	struct pollfd	pfd;

	if (listen_fd == -1)
		return 0;
	memset(&pfd, 0, sizeof(pfd));
	pfd.fd = listen_fd;
	pfd.events = POLLIN;
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/*
 * Counts a refusal; the first after ADMIT_LOG_SECONDS of none logged
 * tells the log how many there were since its last line.
 */
static void
admit_refused(int64_t now, const struct admit_view *v)
{
	int64_t	n = __atomic_add_fetch(&shm->refused, 1, __ATOMIC_RELAXED);
	int64_t	at = __atomic_load_n(&shm->logged_at, __ATOMIC_RELAXED);

	if (at != 0 && now - at < ADMIT_LOG_SECONDS * 1000 * MS)
		return;
	if (!__atomic_compare_exchange_n(&shm->logged_at, &at, now, 0,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;		/* another worker is telling it */
	log_msg(LOG_WARN, "busy: %lld requests that check a password "
	    "answered 429 since the last such line (%lld arrived in the "
	    "last second, %d hashing, a hash %lld ms, this one waited %lld "
	    "ms)", (long long)(n - __atomic_exchange_n(&shm->logged, n,
	    __ATOMIC_RELAXED)), (long long)v->arrived, v->hashing,
	    (long long)v->hash_ms, (long long)v->waited_ms);
}

int
admit_hash(int64_t waited_ms)
{
	struct admit_view	v;
	pid_t			me = getpid(), p;
	int64_t			now = now_ns(), ns;
	int			i, mine = -1;

	if (shm == NULL)
		return 0;
	memset(&v, 0, sizeof(v));
	v.arrived = admit_arrive(shm->bucket, now, 1);
	v.pages = admit_arrive(shm->page, now, 0);
	v.waited_ms = waited_ms;
	/* The slot first, then the count: two workers deciding at once
	 * each see the other, so neither slips past the rule. */
	for (i = 0; i < ADMIT_SLOTS && mine == -1; i++) {
		p = 0;
		if (__atomic_compare_exchange_n(&shm->slot[i], &p, me, 0,
		    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			mine = i;
	}
	for (i = 0; i < ADMIT_SLOTS; i++)
		if (i != mine && __atomic_load_n(&shm->slot[i],
		    __ATOMIC_SEQ_CST) != 0)
			v.hashing++;
	v.workers = (int)__atomic_load_n(&shm->workers, __ATOMIC_RELAXED);
	ns = __atomic_load_n(&shm->hash_ns, __ATOMIC_RELAXED);
	v.hash_ms = ns > 0 ? ns / MS : ADMIT_HASH_MS;
	v.waiting = admit_waiting();
	if (mine != -1 && admit_decide(&v)) {
		held = mine;
		pw_spent(&held_n, &held_ns);
		return 0;
	}
	if (mine != -1)
		__atomic_store_n(&shm->slot[mine], 0, __ATOMIC_SEQ_CST);
	admit_refused(now, &v);
	return ADMIT_RETRY_AFTER;
}

void
admit_done(void)
{
	uint64_t	n, ns;
	int64_t		avg, old;

	if (shm == NULL || held == -1)
		return;
	__atomic_store_n(&shm->slot[held], 0, __ATOMIC_SEQ_CST);
	held = -1;
	/* What its hashes took, if it made any, moves the measure an
	 * eighth of the way: one slow hash on a busy host is not the
	 * host's speed. */
	pw_spent(&n, &ns);
	if (n == held_n)
		return;
	avg = (int64_t)((ns - held_ns) / (n - held_n));
	old = __atomic_load_n(&shm->hash_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&shm->hash_ns, old == 0 ? avg : old + (avg - old) /
	    8, __ATOMIC_RELAXED);
}
