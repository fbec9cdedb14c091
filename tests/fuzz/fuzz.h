/*
 * fuzz.h: the fuzz harnesses, one file and one corpus a target
 * (tests/fuzz/corpus/TARGET). Each is a function of one input that
 * returns 0, or aborts when a property of the code under test fails
 * (FUZZ_CHECK): a crash, a sanitizer report and a broken property all
 * end the process. Built twice: with libFuzzer, one binary a target
 * (entry.c, `make fuzz`), and plain, every corpus through every
 * harness (replay.c, bin/fuzz_replay in `make test`).
 */
#ifndef STAFFDESK_FUZZ_H
#define STAFFDESK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	 fuzz_request(const uint8_t *, size_t);	/* forms, cookies, search */
int	 fuzz_conf(const uint8_t *, size_t);	/* the config file */
int	 fuzz_cursor(const uint8_t *, size_t);	/* pager cursors */
int	 fuzz_phone(const uint8_t *, size_t);	/* phone numbers */
int	 fuzz_csv(const uint8_t *, size_t);	/* a CSV import */
int	 fuzz_ldapmap(const uint8_t *, size_t);	/* the attribute map */

/* Aborts, saying which property of which harness failed. */
#define FUZZ_CHECK(c)	((c) ? (void)0 : fuzz_fail(#c, __FILE__, __LINE__))
void	 fuzz_fail(const char *what, const char *file, int line)
	    __attribute__((noreturn));

/* The input as a C string (malloc'd, a NUL after size bytes). */
char	*fuzz_text(const uint8_t *, size_t);
/* 1 when s has no NUL among its size bytes. */
int	 fuzz_no_nul(const uint8_t *, size_t);
/*
 * 1 when s is a number as staffdesk stores it: "+", 8-15 digits the
 * first not 0, and with ext an optional " x" and 1-6 digits.
 */
int	 fuzz_e164(const char *s, int ext);

#endif
