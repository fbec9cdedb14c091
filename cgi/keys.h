/*
 * keys.h: every form and query key a handler may read, with its byte
 * bound and validator (keys.c). Below both the route table, which says
 * which route accepts which keys, and the pages, which read
 * r->field[K_...]: neither includes the other for them.
 */
#ifndef STAFFDESK_KEYS_H
#define STAFFDESK_KEYS_H

#include <stdint.h>

#include "http.h"

/* Every form and query key a handler may read. */
enum key {
	K_CSRF,
	K_USERNAME,
	K_PASSWORD,
	K_CODE,
	K_METHOD,
	K_CURRENT_PASSWORD,
	K_NEW_PASSWORD,
	K_CONFIRM_PASSWORD,
	K_NEXT,
	K_Q,
	K_AFTER,
	K_BEFORE,
	K_VERSION,
	K_TYPE,
	K_NUMBER,
	K_ACTION,
	K_ACTOR,
	K_TARGET,
	K_RESULT,
	K_FROM,
	K_TO,
	K__MAX
};

#define KEY(k)	(UINT64_C(1) << (k))

extern const struct http_key route_keys[K__MAX];

#endif
