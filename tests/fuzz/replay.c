/*
 * replay.c: runs every file of the fuzz corpus once through the libFuzzer
 * harness (fuzz_request.c), in a plain build, so an input that once
 * crashed a parser stays a regression test of `make test`.
 *
 *	fuzz_replay [--list] [DIR]	DIR defaults to tests/fuzz/corpus
 *
 * Prints "N tests" with --list, else "N passed, M failed" (M: files that
 * could not be read). A crash or a sanitizer report ends the process
 * before the summary, which tests/run.sh counts as a failure.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define REPLAY_DIR	"tests/fuzz/corpus"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Reads path whole into buf (at most HTTP_BODY_MAX + 1 bytes, so the
 * harness's own size bound is still exercised). Returns its size or -1. */
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

int
main(int argc, char *argv[])
{
	static uint8_t	 buf[HTTP_BODY_MAX + 1];
	const char	*dir = REPLAY_DIR;
	char		 path[4096];
	struct dirent	*e;
	DIR		*d;
	long		 n;
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
	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (list) {
			passed++;
			continue;
		}
		len = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (len < 0 || (size_t)len >= sizeof(path) ||
		    (n = read_input(path, buf, sizeof(buf))) < 0) {
			fprintf(stderr, "fuzz_replay: %s: cannot read\n", e->d_name);
			failed++;
			continue;
		}
		(void)LLVMFuzzerTestOneInput(buf, (size_t)n);
		passed++;
	}
	closedir(d);
	if (list)
		printf("%d tests\n", passed);
	else
		printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
