/*
 * keys.h: every form and query key a handler may read, with its byte
 * bound and validator (keys.c). Below both the route table, which says
 * which route accepts which keys, and the pages, which read
 * r->in[K_...] (.text, and .i for numbers, choices and dates): neither
 * includes the other for them.
 */
#ifndef STAFFDESK_KEYS_H
#define STAFFDESK_KEYS_H

#include <stdint.h>

#include "http.h"

/* Every form and query key a handler may read (keys.c says its type). */
enum key {
	K_CSRF,
	K_USERNAME,
	K_PASSWORD,
	K_CODE,
	K_METHOD,		/* choice: enum mfa_method */
	K_CURRENT_PASSWORD,
	K_NEW_PASSWORD,
	K_CONFIRM_PASSWORD,
	K_NEXT,
	K_Q,			/* text of SEARCH_Q_MAX characters */
	K_AFTER,		/* a keyset cursor */
	K_BEFORE,		/* a keyset cursor */
	K_VERSION,		/* a number */
	K_TYPE,			/* choice: enum phone_type */
	K_NUMBER,
	K_PHONE_ACTION,		/* choice: enum phone_action ("action") */
	K_AUDIT_ACTION,		/* an audit action prefix ("action") */
	K_AUDIT_BEFORE,		/* an audit row id: older rows ("before") */
	K_AUDIT_AFTER,		/* an audit row id: newer rows ("after") */
	K_ACTOR,
	K_TARGET,
	K_RESULT,		/* choice: enum audit_result */
	K_FROM,			/* a date */
	K_TO,			/* a date */
	K_SAVED,		/* choice: a settings section ("saved") */
	K_USER,			/* a person's id */
	K_CLIENT,		/* choice: enum audit_client */
	K_NAME,			/* a location's name (location.h's rules) */
	K_DESCRIPTION,		/* a location's description */
	K_UNIT,			/* a location's id, or "" for the organisation */
	K_ROLE,			/* choice: enum role (authz.h) */
	K_UNIT_Q,		/* a location search, as K_Q */
	K_BACK,			/* choice: enum back_to */
	K_DONE,			/* choice: enum done, a change's notice */
	K_WHO,			/* a person's id: whom the notice is about */
	K_AT,			/* a notice's scope: a location's id, or "" */
	K_PHONE,		/* a mobile number as typed (SMS sign-in) */
	K_SMS_Q,		/* a search for the SMS sign-in list, as K_Q */
	K_WAS,			/* the number a phone form showed ("" none) */
	K__MAX
};

/* The words of the choice keys, in the order of these enums. */
enum mfa_method { MFA_TOTP, MFA_RECOVERY, MFA_SMS };
enum phone_action { PHONE_SAVE, PHONE_REMOVE };
enum audit_result { RESULT_SUCCESS, RESULT_FAILURE };
/* Where an audited action came from (audit_log.client). */
enum audit_client { CLIENT_MYSTAFF, CLIENT_ACCOUNT, CLIENT_ADMIN, CLIENT_CLI };
/* Where a revoke returns: the person's roles, the location's roles on
 * /admin/roles, or the location's admin page. */
enum back_to { BACK_PERSON, BACK_LOCATION, BACK_UNIT };
/* What the change that redirected to a page did (its notice says). */
enum done { DONE_CREATED, DONE_SAVED, DONE_UNCHANGED, DONE_DELETED,
    DONE_ADDED, DONE_REMOVED, DONE_ASSIGNED, DONE_REVOKED, DONE__MAX };

#define KEY(k)	(UINT64_C(1) << (k))
_Static_assert(K__MAX <= 64, "a route's keys are a 64-bit mask");

extern const struct http_key route_keys[K__MAX];

#endif
