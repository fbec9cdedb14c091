/*
 * hashrate.c: what `make bench` takes as the bound of sign-ins: argon2id
 * hashes a second with the cost a password check has (pw_hash(), the
 * PW_ARGON2_* parameters), by jobs processes at once for seconds.
 *
 *	hashrate [jobs [seconds]]	(2 and 5 by default)
 *
 * Prints "hashes/s N" (all jobs together).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth/password.h"

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One job: hashes until seconds have passed; exits with how many. */
static void
job(double seconds, int fd)
{
	char	out[PW_HASH_MAX];
	double	t0 = now();
	long	n = 0;

	while (now() - t0 < seconds) {
		if (pw_hash("correct horse battery staple", out, sizeof(out)))
			_exit(1);
		n++;
	}
	if (write(fd, &n, sizeof(n)) != sizeof(n))
		_exit(1);
	_exit(0);
}

int
main(int argc, char *argv[])
{
	int	jobs = argc > 1 ? atoi(argv[1]) : 2, i, p[2], status;
	double	seconds = argc > 2 ? atof(argv[2]) : 5, t0 = now();
	long	n, total = 0;

	if (jobs < 1 || jobs > 64 || seconds <= 0 || pipe(p) == -1) {
		fprintf(stderr, "usage: hashrate [jobs [seconds]]\n");
		return 2;
	}
	for (i = 0; i < jobs; i++)
		if (fork() == 0)
			job(seconds, p[1]);
	for (i = 0; i < jobs; i++) {
		if (read(p[0], &n, sizeof(n)) != sizeof(n))
			return 1;
		total += n;
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return 1;
	printf("hashes/s %.1f\n", total / (now() - t0));
	return 0;
}
