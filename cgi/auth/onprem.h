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

/* The rules pw breaks, as a mask of 1 << enum onprem_rule; 0: accepted. */
unsigned	 onprem_check(const char *pw, const struct pw_person *,
		    const struct onprem_policy *);
/* The sentence for one broken rule, written into buf. */
const char	*onprem_rule_text(enum onprem_rule, const struct onprem_policy *,
		    char *buf, size_t bufsz);

#endif
