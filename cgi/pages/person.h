/*
 * person.h: one person as the manager's pages see them: the profile,
 * phones, locations and roles (two queries), and the authz target.
 */
#ifndef STAFFDESK_PERSON_H
#define STAFFDESK_PERSON_H

#include <stdint.h>

#include "authz.h"
#include "db/db.h"
#include "phone.h"

struct req;

/* Columns of Q_USER_BY_ID. */
enum { P_ID, P_UPN, P_NAME, P_GIVEN, P_SURNAME, P_EMAIL, P_JOB, P_DEPT,
    P_SOURCE, P_LAST_SIGNIN, P_MUST_CHANGE, P_ENABLED, P_HASH, P_LOCKED,
    P_VERSION, P_TEMP_EXPIRES };

struct person {
	struct db_rows		 u;		/* Q_USER_BY_ID */
	struct db_rows		 d;		/* Q_USER_DETAILS */
	struct authz_target	 t;
	const char		*id, *upn, *name;
	int			 onprem;
	int64_t			 version;
	const char		*phone[PHONE__MAX];	/* NULL: none */
};

/* Loads person id: 1, 0 when there is nobody with that id, or a db_err. */
int	 person_load(struct req *, const char *id, struct person *);

#endif
