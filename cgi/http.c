/*
 * http.c: see http.h.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>

#include "http.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
http_urldecode(char *s, size_t *len)
{
	size_t	i, o = 0;
	int	hi, lo;

	for (i = 0; i < *len; i++) {
		if (s[i] == '+')
			s[o++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= *len)
				return -1;
			if ((hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return -1;
			s[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			s[o++] = s[i];
	}
	s[o] = '\0';
	*len = o;
	return 0;
}

char *
http_urlencode(struct arena *a, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out = arena_alloc(a, 3 * strlen(s) + 1), *o = out;
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

int
http_parse_date(const char *s, int64_t *out)
{
	struct tm	tm;
	int		y, m, d, n = 0;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) !=
	    3 || n != 10 || y < 1970 || y > 9998 || s[4] != '-' || s[7] != '-')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = (int64_t)timegm(&tm);
	/* timegm() moves 2026-02-30 to March: not a real date */
	if (tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
		return -1;
	return 0;
}

/*
 * Parses value as k's type says into *i: 0, or -1 with a sentence for
 * a person in *why.
 */
static int
parse_value(struct req *r, const struct http_key *k, const char *value,
    int64_t *i, const char **why)
{
	size_t	c;

	switch (k->type) {
	case HTTP_TEXT:
		if (k->chars == 0 || utf8_len(value) <= k->chars)
			return 0;
		*why = arena_printf(&r->arena, "The field '%s' is longer "
		    "than %zu characters.", k->name, k->chars);
		return -1;
	case HTTP_INT:
		if (parse_int64(value, k->min, k->lim, i) == 0)
			return 0;
		*why = arena_printf(&r->arena, "The field '%s' must be a "
		    "whole number from %lld to %lld.", k->name,
		    (long long)k->min, (long long)k->lim);
		return -1;
	case HTTP_CHOICE:
		for (c = 0; k->choices[c] != NULL; c++)
			if (strcmp(k->choices[c], value) == 0) {
				*i = (int64_t)c;
				return 0;
			}
		*why = arena_printf(&r->arena, "The field '%s' has a value "
		    "this form does not offer.", k->name);
		return -1;
	case HTTP_DATE:
		if (http_parse_date(value, i) == 0)
			return 0;
		*why = arena_printf(&r->arena, "The field '%s' must be a "
		    "date written YYYY-MM-DD.", k->name);
		return -1;
	}
	return -1;
}

int
http_parse_form(struct req *r, const char *data, size_t len,
    const struct http_key *keys, size_t nkeys, uint64_t mask,
    struct http_value *out, const char **why)
{
	const char	*p = data, *end = data + len, *amp, *eq;
	char		*name, *value;
	size_t		 nlen, vlen, k, pairs = 0;
	uint64_t	 seen = 0;	/* keys sent, empty ones too */

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if (++pairs > HTTP_FIELDS_MAX) {
			*why = "The request has too many fields.";
			return 400;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		nlen = (size_t)((eq ? eq : amp) - p);
		name = arena_strndup(&r->arena, p, nlen);
		vlen = eq ? (size_t)(amp - eq - 1) : 0;
		value = arena_strndup(&r->arena, eq ? eq + 1 : "", vlen);
		p = amp + 1;
		if (http_urldecode(name, &nlen) == -1 ||
		    http_urldecode(value, &vlen) == -1) {
			*why = "The request contains malformed "
			    "percent-encoding (a % not followed by two "
			    "hex digits).";
			return 400;
		}
		for (k = 0; k < nkeys; k++)
			if ((mask >> k & 1) && strcmp(keys[k].name, name) == 0)
				break;
		if (k == nkeys)
			continue;
		if (seen >> k & 1) {
			*why = arena_printf(&r->arena, "The field '%s' was "
			    "sent more than once.", keys[k].name);
			return 400;
		}
		if (vlen > keys[k].max) {
			*why = arena_printf(&r->arena, "The field '%s' is "
			    "longer than %zu bytes.", keys[k].name,
			    keys[k].max);
			return 400;
		}
		if (strlen(value) != vlen ||
		    (keys[k].valid != NULL && !keys[k].valid(value, vlen))) {
			*why = arena_printf(&r->arena, "The field '%s' is "
			    "not in the expected format.", keys[k].name);
			return 400;
		}
		seen |= UINT64_C(1) << k;
		if (keys[k].type != HTTP_TEXT && vlen == 0)
			continue;	/* an empty number or choice: none */
		if (keys[k].trim) {
			while (*value == ' ')
				value++;
			for (vlen = strlen(value); vlen > 0 &&
			    value[vlen - 1] == ' ';)
				value[--vlen] = '\0';
		}
		if (parse_value(r, &keys[k], value, &out[k].i, why) != 0)
			return 400;
		out[k].text = value;
	}
	return 0;
}

int
http_parse_cookies(struct req *r, const char *h,
    const char *const names[COOKIE__MAX], const char **why)
{
	const char	*p = h, *semi, *eq, *v;
	size_t		 nlen, vlen, c;

	if (strlen(h) > HTTP_COOKIE_MAX) {
		*why = "The Cookie header is too large.";
		return 400;
	}
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		semi = strchr(p, ';');
		if (semi == NULL)
			semi = p + strlen(p);
		eq = memchr(p, '=', (size_t)(semi - p));
		if (eq != NULL) {
			nlen = (size_t)(eq - p);
			v = eq + 1;
			vlen = (size_t)(semi - v);
			while (vlen > 0 && (v[vlen - 1] == ' ' ||
			    v[vlen - 1] == '\t'))
				vlen--;
			for (c = 0; c < COOKIE__MAX; c++)
				if (strlen(names[c]) == nlen &&
				    strncmp(names[c], p, nlen) == 0)
					break;
			/* The first of duplicates wins (RFC 6265 §5.4). */
			if (c < COOKIE__MAX && r->cookie[c] == NULL)
				r->cookie[c] = arena_strndup(&r->arena, v,
				    vlen);
		}
		p = *semi ? semi + 1 : semi;
	}
	return 0;
}

void
http_cookie(struct req *r, const char *name, const char *value,
    long max_age, int secure)
{
	if (r->nset_cookie == HTTP_SET_COOKIES_MAX)
		return;
	r->set_cookie[r->nset_cookie++] = arena_printf(&r->arena,
	    "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", name, value,
	    secure ? "; Secure" : "", max_age >= 0 ?
	    (max_age == 0 ? "; Max-Age=0" : "") : "");
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/* Writes "Name: value\r\n" with CR and LF removed from the value. */
static void
http_header(struct req *r, const char *name, const char *value)
{
	const char	*p;

	if (r->out == NULL)
		return;
	FCGX_PutS(name, r->out);
	FCGX_PutS(": ", r->out);
	for (p = value; *p != '\0'; p++)
		if (*p != '\r' && *p != '\n')
			FCGX_PutChar(*p, r->out);
	FCGX_PutS("\r\n", r->out);
}

/*
 * Writes the head every answer carries, sets r->status (and
 * r->location): 0 to write the body, 1 when nothing more may be written
 * (an answer was given already, or there is no stream). len < 0: no
 * Content-Length (a streamed body). disposition: a Content-Disposition,
 * or NULL.
 */
static int
http_head(struct req *r, int status, const char *ctype, const char *location,
    const char *disposition, long long len)
{
	char	buf[64];
	size_t	i;

	if (r->status != 0)
		return 1;
	r->status = status;
	r->location = location;
	if (r->out == NULL)
		return 1;
	if (snprintf(buf, sizeof(buf), "%d %s", status, http_reason(status))
	    >= (int)sizeof(buf))
		buf[0] = '\0';
	http_header(r, "Status", buf);
	http_header(r, "Content-Type", ctype);
	http_header(r, "X-Content-Type-Options", "nosniff");
	http_header(r, "Content-Security-Policy", "default-src 'self'; "
	    "frame-ancestors 'none'; object-src 'none'; base-uri 'none'");
	http_header(r, "Referrer-Policy", "same-origin");
	http_header(r, "X-Frame-Options", "DENY");
	/*
	 * no-cache as well, and last: lynx keeps every page it showed and
	 * shows it again, stale, when a link leads back to it (a person's
	 * phone page after a number was saved), unless Cache-Control ends
	 * in no-cache (or says max-age=0); no-store alone it ignores.
	 */
	http_header(r, "Cache-Control", "no-store, no-cache");
	if (r->request_id[0] != '\0')
		http_header(r, "X-Request-Id", r->request_id);
	for (i = 0; i < r->nset_cookie; i++)
		http_header(r, "Set-Cookie", r->set_cookie[i]);
	if (location != NULL)
		http_header(r, "Location", location);
	if (disposition != NULL)
		http_header(r, "Content-Disposition", disposition);
	if (status == 405 && r->allow != NULL)
		http_header(r, "Allow", r->allow);
	if ((status == 429 || status == 503) && r->retry_after > 0 &&
	    snprintf(buf, sizeof(buf), "%lld", (long long)r->retry_after) <
	    (int)sizeof(buf))
		http_header(r, "Retry-After", buf);
	if (len >= 0) {
		if (snprintf(buf, sizeof(buf), "%lld", len) >=
		    (int)sizeof(buf))
			buf[0] = '0', buf[1] = '\0';
		http_header(r, "Content-Length", buf);
	}
	FCGX_PutS("\r\n", r->out);
	return 0;
}

void
http_send(struct req *r, int status, const char *ctype, const char *body,
    size_t len, const char *location)
{
	if (http_head(r, status, ctype, location, NULL, (long long)len) == 0 &&
	    r->method != HTTP_HEAD && len > 0)
		FCGX_PutStr(body, (int)len, r->out);
}

int
http_stream_begin(struct req *r, int status, const char *ctype,
    const char *disposition)
{
	if (r->status != 0)
		return -1;
	if (http_head(r, status, ctype, NULL, disposition, -1) == 0)
		r->streaming = 1;
	return 0;
}

int
http_stream_write(struct req *r, const char *s, size_t len)
{
	if (!r->streaming || r->method == HTTP_HEAD || len == 0)
		return 0;
	if (len > INT_MAX || FCGX_PutStr(s, (int)len, r->out) != (int)len) {
		r->streaming = 0;	/* the client has gone */
		return -1;
	}
	return 0;
}

void
http_stream_cut(struct req *r)
{
	r->streaming = 0;
	r->cut = 1;
}

void
http_redirect(struct req *r, const char *path)
{
	/* Only local paths: an open redirect is not possible. */
	if (path[0] != '/' || path[1] == '/' || path[1] == '\\')
		path = "/";
	http_send(r, 303, "text/plain; charset=utf-8", "", 0, path);
}

void
http_text(struct req *r, int status, const char *text)
{
	http_send(r, status, "text/plain; charset=utf-8", text, strlen(text),
	    NULL);
}

int
http_valid_text(const char *s, size_t len)
{
	return utf8_text_valid(s, len, 0);
}

int
http_valid_digits(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != ' ')
			return 0;
	return 1;
}

int
http_valid_token(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))
			return 0;
	return 1;
}

int
http_valid_uuid(const char *s, size_t len)
{
	return len == UUID_LEN && uuid_valid(s);
}

int
http_valid_local_path(const char *s, size_t len)
{
	return len > 0 && s[0] == '/' && (len == 1 || (s[1] != '/' &&
	    s[1] != '\\')) && utf8_text_valid(s, len, 0);
}
