/*
 * route.h: the one table that says what the site is: each path pattern,
 * what a visitor needs to reach it, its GET and POST handlers and the
 * inputs it declares (DESIGN.md section 4). Everything else is answered
 * (404, 405, 400, 403, 303 to sign in) before any handler runs.
 */
#ifndef STAFFDESK_ROUTE_H
#define STAFFDESK_ROUTE_H

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

enum need {
	NEED_NONE,	/* anyone */
	NEED_SIGNIN,	/* a session, even one still owing MFA or a new password */
	NEED_FULL,	/* MFA done where needed, no password change owed */
	NEED_MYSTAFF,	/* NEED_FULL and My Staff access (DESIGN.md section 3) */
};

struct route {
	const char	*pattern;	/* "{id}" matches one UUID segment */
	enum need	 need;
	void		(*get)(struct req *);
	void		(*post)(struct req *);
	uint64_t	 keys;
};

extern const struct http_key route_keys[K__MAX];

/* The route for path (req->path_id set for {id}), or NULL. */
const struct route *route_find(struct req *, const char *path);
/*
 * Answers the request: finds the route, checks the method, parses the
 * query and body, loads settings and session, applies the route's need
 * and the CSRF check, then calls the handler.
 */
void	 route_dispatch(struct req *, const char *method, const char *path,
	    const char *query, const char *ctype, const char *body,
	    size_t bodylen);

#endif
