/*
 * http.h: the request (method, path, declared fields, cookies; all
 * bounded) and the one door out (status, headers, body).
 */
#ifndef STAFFDESK_HTTP_H
#define STAFFDESK_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "util.h"

#define HTTP_BODY_MAX		(64 * 1024)	/* a form; more is a 413 */
#define HTTP_QUERY_MAX		4096
#define HTTP_COOKIE_MAX		4096
#define HTTP_FIELDS_MAX		64		/* pairs in a query or body */
#define HTTP_SET_COOKIES_MAX	4
#define HTTP_PATH_MAX		512
#define HTTP_UA_MAX		256

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER };

/*
 * What a declared input means once it passed: text, a whole number in a
 * range, one word of a set (its index: an enum of the caller's), or a
 * calendar date. An empty value of a number, choice or date counts as
 * not sent.
 */
enum http_type { HTTP_TEXT, HTTP_INT, HTTP_CHOICE, HTTP_DATE };

/* A declared input: its name, byte bound, type and rules. */
struct http_key {
	const char		*name;
	size_t			 max;		/* bytes */
	int			(*valid)(const char *, size_t); /* or NULL */
	enum http_type		 type;
	size_t			 chars;		/* HTTP_TEXT: characters, 0: any */
	int64_t			 min, lim;	/* HTTP_INT: the range */
	const char *const	*choices;	/* HTTP_CHOICE: NULL-terminated */
	int			 trim;		/* HTTP_TEXT: spaces at either
						 * end dropped, once it passed */
};

/* A declared input that was sent and passed. */
struct http_value {
	const char	*text;	/* NULL: not sent */
	int64_t		 i;	/* the number, the choice's index, or the
				 * date's 00:00 UTC in epoch seconds */
};

/* The cookies staffdesk reads; all others are ignored. */
enum cookie { COOKIE_SESSION, COOKIE_PRE, COOKIE__MAX };

struct conf;
struct db;
struct sess;
struct settings;
struct authz_actor;
struct route;
struct FCGX_Stream;

struct req {
	struct arena		 arena;
	const struct conf	*conf;
	struct db		*db;
	struct FCGX_Stream	*out;		/* NULL: discard (tests) */
	enum http_method	 method;
	const char		*path;
	const char		*query;		/* after '?', or NULL */
	const struct route	*route;		/* NULL: none matched (yet) */
	char			 request_id[LOG_ID_LEN + 1];	/* hex, or ""
						 * (none): X-Request-Id, the
						 * log, audit details */
	const char		*ip;
	const char		*ua;
	const char		*path_id;	/* the {id} or {n} of the route */
	int64_t			 path_n;	/* the {n}, parsed */
	struct http_value	*in;		/* [K__MAX]: the declared inputs */
	const char		*body;		/* a POST's form, as sent */
	size_t			 bodylen;
	const char		*cookie[COOKIE__MAX];
	struct sess		*sess;		/* NULL: not signed in */
	const char		*pre_csrf;	/* CSRF of a visitor */
	const char		*set_cookie[HTTP_SET_COOKIES_MAX];
	size_t			 nset_cookie;
	const char		*allow;		/* methods, for a 405 */
	const char		*form_page;	/* a POST's form, for a way
						   back from its error page */
	int64_t			 waited_ms;	/* in the queue before a worker
						 * took it (-1: not known) */
	int64_t			 retry_after;	/* s, for a 429 or 503
						 * (0: none) */
	uint64_t		 sms_after;	/* an outbox text to deliver
						 * once the answer is sent */
	int			 status;	/* what was sent, 0: nothing */
	const char		*location;	/* and where it sent to */
	struct settings		*settings;	/* read once per request */
	int			 settings_loaded;
	struct authz_actor	*actor;		/* My Staff routes: roles */
	void			*view;		/* the rows a route's view read
						 * for its page (route.h), */
	int			 view_id;	/* ...of this view (db.h) */
	int			 streaming;	/* a streamed body is open */
	int			 cut;		/* ...and was cut short: drop the
						 * connection, do not end it */
};

/*
 * Decodes application/x-www-form-urlencoded data (or a query string)
 * into out[nkeys] (req->in for the route's keys) for the keys in mask,
 * parsing each as its type says; the strings live in the arena.
 * Returns 0, or an HTTP status (400) with a sentence for a person in
 * *why: bad percent-encoding, a field sent twice, a value over its bound
 * (bytes or characters), failing its validator, out of its range, not
 * one of its words or not a real date, too many pairs. Undeclared names
 * are ignored.
 */
int	 http_parse_form(struct req *, const char *data, size_t len,
	    const struct http_key *keys, size_t nkeys, uint64_t mask,
	    struct http_value *out, const char **why);
/* "YYYY-MM-DD", a real date, as the epoch second of its 00:00 UTC: 0 or -1. */
int	 http_parse_date(const char *, int64_t *);
/* In-place percent-decoding ('+' is a space); -1 on a bad escape. */
int	 http_urldecode(char *s, size_t *len);
/* Reads the cookies named in cookie_names; 0 or 400 with *why. */
int	 http_parse_cookies(struct req *, const char *header,
	    const char *const names[COOKIE__MAX], const char **why);

/* s percent-encoded for a query value (RFC 3986 unreserved kept). */
char	*http_urlencode(struct arena *, const char *s);
/* Queues a Set-Cookie: HttpOnly, SameSite=Lax, Path=/ (+Secure). */
void	 http_cookie(struct req *, const char *name, const char *value,
	    long max_age, int secure);

/*
 * The one door out: writes Status, Content-Type, the security headers
 * every response carries (nosniff, CSP, Referrer-Policy, no-store and
 * no-cache), X-Request-Id (when the request has one),
 * queued cookies, an optional Location (CR and LF stripped), a
 * Retry-After on a 429 or 503 when r->retry_after is set, and the body
 * (omitted for HEAD).
 */
void	 http_send(struct req *, int status, const char *ctype,
	    const char *body, size_t len, const char *location);
/*
 * The same door for a body too large to hold (the audit log as CSV),
 * sent as it is made: http_stream_begin writes the head as http_send
 * does, without Content-Length and with a Content-Disposition (or
 * NULL), and sets r->status: 0, or -1 when an answer was given already.
 * http_stream_write sends the next bytes of the body (none for HEAD):
 * 0, or -1 once the client has gone (write no more). A body that cannot
 * be finished (the database went away) is http_stream_cut: the worker
 * then drops the connection instead of ending the answer, so the
 * client sees a broken transfer, never a short file that looks whole.
 */
int	 http_stream_begin(struct req *, int status, const char *ctype,
	    const char *disposition);
int	 http_stream_write(struct req *, const char *, size_t);
void	 http_stream_cut(struct req *);
/* 303 See Other to a local path (post/redirect/get). */
void	 http_redirect(struct req *, const char *path);
/* A text/plain answer (healthz, and errors before templates exist). */
void	 http_text(struct req *, int status, const char *text);
const char *http_reason(int status);

/* Validators for struct http_key. */
int	 http_valid_text(const char *, size_t);	/* single-line UTF-8 */
int	 http_valid_digits(const char *, size_t);
int	 http_valid_token(const char *, size_t);	/* [A-Za-z0-9_-] */
int	 http_valid_uuid(const char *, size_t);
int	 http_valid_local_path(const char *, size_t); /* "/x", not "//x" */

#endif
