/*
 * route.h: the one table that says what the site is: each path pattern,
 * what a visitor needs to reach it, its GET and POST handlers and the
 * inputs it declares. Everything else is answered (404, 405, 400, 413,
 * 415, 403, 303 to sign in) before any handler runs.
 */
#ifndef STAFFDESK_ROUTE_H
#define STAFFDESK_ROUTE_H

#include <stdint.h>

#include "authz.h"
#include "http.h"
#include "keys.h"

/*
 * What a visitor needs to reach a route; route_gate() answers for the
 * handler when it is not there (303 to the step owed, or 403).
 */
enum need {
	NEED_NONE,	/* anyone */
	NEED_SIGNIN,	/* a session, even one still owing MFA or a new password */
	NEED_MFA,	/* MFA done where needed; a password change may be owed */
	NEED_FULL,	/* MFA done where needed, no password change owed */
	NEED_MYSTAFF,	/* NEED_FULL and My Staff access (see mystaff_access) */
	NEED_ADMIN,	/* NEED_FULL and the right to read the route's area
			 * (GET) or to change it (POST): authz_admin_ok() */
};

/*
 * A pattern's "{id}" matches one UUID segment; "{n}" a row number of 1
 * to ROUTE_N_DIGITS digits without a leading zero (r->path_n), so it
 * always fits an int64_t. Either is r->path_id as text; a malformed one
 * is an unknown page (404).
 */
#define ROUTE_N_DIGITS	18

struct route {
	const char	*pattern;
	enum need	 need;
	void		(*get)(struct req *);
	void		(*post)(struct req *);
	uint64_t	 keys;
	enum admin_area	 area;		/* NEED_ADMIN: the area */
	const char	*action;	/* NEED_ADMIN: the POST's audit action,
					 * written as refused when the
					 * right is missing */
	int		 hashes;	/* the POST checks or sets a password
					 * (argon2id): admit.h decides first */
	/*
	 * A GET's view, or NULL: loads the session and the page's rows
	 * in one round trip (db.h: views) in place of sess_load(),
	 * leaving the rows in req->view for get; or, when the inputs are
	 * ones get refuses, the session alone. DB_OK or a db_err.
	 */
	int		(*view)(struct req *);
};

/*
 * The route for path, or NULL; also kept in req->route (and path_id,
 * path_n set for {id}, {n}).
 */
const struct route *route_find(struct req *, const char *path);
/*
 * What the log and /metrics call a route: its pattern ("/users/{id}",
 * never the path asked for), or "other" for NULL, so neither grows with
 * the paths clients make up. route_index: its place in the table (0 to
 * route_count() - 1), or -1 for NULL.
 */
const char	*route_label(const struct route *);
int		 route_index(const struct route *);
size_t		 route_count(void);
const char	*route_pattern(size_t);
/*
 * Answers the request: finds the route, checks the method, admits a
 * POST that hashes (429 when admit_hash() refuses), parses the query
 * and body, loads settings and session, applies the route's need and
 * the CSRF check, then calls the handler.
 */
void	 route_dispatch(struct req *, const char *method, const char *path,
	    const char *query, const char *ctype, const char *body,
	    size_t bodylen);

#endif
