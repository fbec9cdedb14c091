/*
 * replay.c: every file of every fuzz corpus (DIR/TARGET, one directory
 * a harness of fuzz.h) through every harness, in a plain build, so an
 * input that once crashed a parser or broke a property stays a
 * regression test of `make test`; an input meant for one parser is
 * garbage the others must refuse as calmly.
 *
 *	fuzz_replay [--list] [DIR]	DIR defaults to tests/fuzz/corpus
 *
 * Prints "N tests" with --list (N: the files), else "N passed, M
 * failed" (M: files that could not be read, or a target's directory
 * missing). A crash, a sanitizer report or a broken property ends the
 * process before the summary, which tests/run.sh counts as a failure.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define REPLAY_DIR	"tests/fuzz/corpus"
#define REPLAY_MAX	(1024 * 1024)	/* bytes of one input */

static const struct {
	const char	*name;
	int		(*fn)(const uint8_t *, size_t);
} targets[] = {
	{ "request", fuzz_request },
	{ "conf", fuzz_conf },
	{ "cursor", fuzz_cursor },
	{ "phone", fuzz_phone },
	{ "csv", fuzz_csv },
	{ "ldapmap", fuzz_ldapmap },
};

#define NTARGETS	(sizeof(targets) / sizeof(targets[0]))

/* Reads path whole into buf (at most cap bytes). Its size, or -1. */
static long
read_input(const char *path, uint8_t *buf, size_t cap)
{
	FILE	*f;
	size_t	 n;
	int	 bad;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	n = fread(buf, 1, cap, f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return -1;
	return (long)n;
}

/*
 * Each file of dir through every harness (or counted, with list):
 * adds to *passed and *failed; 0, or -1 when dir cannot be opened.
 */
static int
replay_dir(const char *dir, int list, uint8_t *buf, int *passed,
    int *failed)
{
	char		 path[4096];
	struct dirent	*e;
	DIR		*d;
	long		 n;
	size_t		 t;
	int		 len;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (list) {
			(*passed)++;
			continue;
		}
		len = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (len < 0 || (size_t)len >= sizeof(path) ||
		    (n = read_input(path, buf, REPLAY_MAX)) < 0) {
			fprintf(stderr, "fuzz_replay: %s: cannot read\n", path);
			(*failed)++;
			continue;
		}
		for (t = 0; t < NTARGETS; t++)
			(void)targets[t].fn(buf, (size_t)n);
		(*passed)++;
	}
	closedir(d);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*dir = REPLAY_DIR;
	char		 sub[4096];
	uint8_t		*buf;
	size_t		 t;
	int		 list = 0, passed = 0, failed = 0, len;

	if (argc > 1 && strcmp(argv[1], "--list") == 0) {
		list = 1;
		argc--, argv++;
	}
	if (argc > 2) {
		fprintf(stderr, "usage: fuzz_replay [--list] [DIR]\n");
		return 2;
	}
	if (argc == 2)
		dir = argv[1];
	if ((buf = malloc(REPLAY_MAX)) == NULL)
		abort();
	for (t = 0; t < NTARGETS; t++) {
		len = snprintf(sub, sizeof(sub), "%s/%s", dir, targets[t].name);
		if (len < 0 || (size_t)len >= sizeof(sub) ||
		    replay_dir(sub, list, buf, &passed, &failed) == -1) {
			perror(sub);
			failed++;
		}
	}
	free(buf);
	if (list)
		printf("%d tests\n", passed + failed);
	else
		printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
