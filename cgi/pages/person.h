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

struct person {
	struct q_user_by_id_row		 u;
	struct q_user_details_rows	 d;	/* phones, locations, roles */
	struct authz_target		 t;
	const char			*id, *upn, *name;
	int				 onprem;
	int64_t				 version;
	const char			*phone[PHONE__MAX];	/* NULL: none */
};

/* Loads person id: DB_OK, DB_NONE when there is nobody with it, or a db_err. */
int	 person_load(struct req *, const char *id, struct person *);
/* Loads the person of the URL: 0, or the status of the 404/503 page. */
int	 person_of_url(struct req *, struct person *);
/*
 * The person a form names (the key "user"): 0 with *who filled, else
 * the status of the 400, 404 or 503 page it sent.
 */
int	 person_of_form(struct req *, const struct q_user_name_row **who);

#endif
