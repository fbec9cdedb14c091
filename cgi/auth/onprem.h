/*
 * onprem.h: the on-premises password policy a manager's typed password
 * must meet for a synced account (Active Directory's defaults): a
 * minimum length, "complexity" (3 of 4 character classes) and not
 * containing the account name or a part of the person's name. Pure.
 */
#ifndef STAFFDESK_AUTH_ONPREM_H
#define STAFFDESK_AUTH_ONPREM_H

#include <stddef.h>

#include "auth/password.h"

struct onprem_policy {
	long	min_length;		/* characters */
	int	complexity;		/* 3 of: upper, lower, digit, other */
	int	no_account_name;	/* not the UPN's local part, nor a name part */
};

enum onprem_rule {
	ONPREM_TOO_SHORT,
	ONPREM_TOO_LONG,
	ONPREM_COMPLEXITY,
	ONPREM_ACCOUNT_NAME,
	ONPREM_BAD_TEXT,
	ONPREM__MAX
};

#define ONPREM_MESSAGE_MAX	256	/* bytes of an onprem_refusal_text() */
#define ONPREM_PART_MAX		64	/* bytes of a part it names */

/* A part of a person's account name or name found in a password. */
struct onprem_part {
	const char	*s;		/* in the pw_person's strings; NULL: none */
	size_t		 len;		/* bytes */
	int		 upn;		/* 1: the account name (UPN's local part) */
};

/* The rules pw breaks, as a mask of 1 << enum onprem_rule; 0: accepted. */
unsigned	 onprem_check(const char *pw, const struct pw_person *,
		    const struct onprem_policy *);
/* The sentence for one broken rule, written into buf. */
const char	*onprem_rule_text(enum onprem_rule, const struct onprem_policy *,
		    char *buf, size_t bufsz);
/*
 * The part of who's account name (the UPN's local part, first) or of a
 * word of their display name (split at , . - _ # space tab; 3+ bytes)
 * that pw contains, ASCII case-insensitively, as ONPREM_ACCOUNT_NAME
 * judges: 1 with *part set, else 0 (also for a NULL pw or who).
 */
int		 onprem_name_part(const char *pw, const struct pw_person *,
		    struct onprem_part *part);
/*
 * As onprem_rule_text(), but ONPREM_ACCOUNT_NAME names the part pw
 * contains ("... it contains "Smith", from their name."), as
 * pw_refusal_text() does; yours: worded for the person themselves.
 * bufsz of ONPREM_MESSAGE_MAX is enough.
 */
const char	*onprem_refusal_text(enum onprem_rule,
		    const struct onprem_policy *, const char *pw,
		    const struct pw_person *, int yours, char *buf,
		    size_t bufsz);

#endif
