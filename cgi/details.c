/*
 * details.c: see details.h. The JSON is parsed into a small tree
 * (RFC 8259 values; recursion bounded by DETAILS_DEPTH), which is then
 * written out as lines.
 */
#include <string.h>

#include "details.h"
#include "util.h"

enum jtype { J_STRING, J_NUMBER, J_LITERAL, J_ARRAY, J_OBJECT };

/* A value; an array's items and an object's members are a list. */
struct jval {
	enum jtype	 type;
	const char	*text;		/* string (decoded), number, literal */
	const char	*key;		/* a member's name */
	struct jval	*first;		/* array, object: the first item */
	struct jval	*next;
	size_t		 n;		/* array, object: how many */
};

struct jread {
	struct arena	*a;
	const char	*p;
};

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

static void
ws(struct jread *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
	    *j->p == '\r')
		j->p++;
}

/* The value of 4 hex digits at s, or -1. */
static long
hex4(const char *s)
{
	long	v = 0;
	int	i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			v |= s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			v |= s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			v |= s[i] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Writes code point c as UTF-8 at o; returns the bytes written. */
static size_t
utf8(char *o, long c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0xd800 && c <= 0xdfff)) {
		memcpy(o, REPLACEMENT, 3);
		return 3;
	}
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | (c >> 12 & 0x3f));
	o[2] = (char)(0x80 | (c >> 6 & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * A string at j->p (the opening quote), decoded, into *out: 0 or -1.
 * The decoded text is never longer than the quoted one, but for a
 * control character (1 byte) read as U+FFFD (3 bytes).
 */
static int
string(struct jread *j, const char **out)
{
	const char	*s = j->p + 1, *e;
	char		*o;
	size_t		 n = 0, len;
	long		 c, lo;

	for (e = s; *e != '"'; e++) {
		if (*e == '\0')
			return -1;
		if (*e == '\\' && *++e == '\0')
			return -1;
	}
	len = (size_t)(e - s);
	o = arena_alloc(j->a, 3 * len + 1);
	while (s < e) {
		if ((unsigned char)*s < 0x20)
			return -1;	/* a raw control character: not JSON */
		if (*s == 0x7f) {
			n += utf8(o + n, *s++);
			continue;
		}
		if (*s != '\\') {
			o[n++] = *s++;
			continue;
		}
		switch (s[1]) {
		case '"': case '\\': case '/':
			o[n++] = s[1];
			break;
		case 'b': case 'f': case 'n': case 'r': case 't':
			n += utf8(o + n, 0);	/* a control: U+FFFD */
			break;
		case 'u':
			if (e - s < 6 || (c = hex4(s + 2)) < 0)
				return -1;
			s += 4;
			/* A surrogate pair is one code point. */
			if (c >= 0xd800 && c <= 0xdbff && e - s >= 8 &&
			    s[2] == '\\' && s[3] == 'u' &&
			    (lo = hex4(s + 4)) >= 0xdc00 && lo <= 0xdfff) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
				s += 6;
			}
			n += utf8(o + n, c);
			break;
		default:
			return -1;
		}
		s += 2;
	}
	o[n] = '\0';
	j->p = e + 1;
	*out = o;
	return 0;
}

/* A number as RFC 8259 writes one, kept as written: 0 or -1. */
static int
number(struct jread *j, const char **out)
{
	const char	*s = j->p;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return -1;
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		if (*++s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	*out = arena_strndup(j->a, j->p, (size_t)(s - j->p));
	j->p = s;
	return 0;
}

static int	value(struct jread *, int, struct jval *);

/*
 * The items of an array or the members of an object at j->p (its
 * opening bracket) into v, at depth (the outer object is 1): 0 or -1.
 */
static int
container(struct jread *j, int depth, struct jval *v)
{
	char		 close = *j->p == '[' ? ']' : '}';
	struct jval	**tail = &v->first, *item;
	const char	*key = NULL;

	if (depth > DETAILS_DEPTH)
		return -1;
	v->type = close == ']' ? J_ARRAY : J_OBJECT;
	j->p++;
	ws(j);
	if (*j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (v->n == DETAILS_ITEMS)
			return -1;
		if (v->type == J_OBJECT) {
			if (*j->p != '"' || string(j, &key) != 0)
				return -1;
			ws(j);
			if (*j->p++ != ':')
				return -1;
			ws(j);
		}
		item = arena_alloc(j->a, sizeof(*item));
		memset(item, 0, sizeof(*item));
		item->key = key;
		if (value(j, depth + 1, item) != 0)
			return -1;
		*tail = item;
		tail = &item->next;
		v->n++;
		ws(j);
		if (*j->p == close) {
			j->p++;
			return 0;
		}
		if (*j->p++ != ',')
			return -1;
		ws(j);
	}
}

/* A value at j->p into v: 0 or -1. */
static int
value(struct jread *j, int depth, struct jval *v)
{
	static const char *const literals[] = { "true", "false", "null" };
	size_t			 i, n;

	switch (*j->p) {
	case '"':
		v->type = J_STRING;
		return string(j, &v->text);
	case '[':
	case '{':
		return container(j, depth, v);
	default:
		break;
	}
	for (i = 0; i < NELEM(literals); i++) {
		n = strlen(literals[i]);
		if (strncmp(j->p, literals[i], n) == 0) {
			v->type = J_LITERAL;
			v->text = literals[i];
			j->p += n;
			return 0;
		}
	}
	v->type = J_NUMBER;
	return number(j, &v->text);
}

/* Member names with words of their own; the rest are split (label()). */
static const struct {
	const char	*key, *label;
} labels[] = {
	{ "old", "Before" },
	{ "new", "After" },
	{ "to", "Sent to" },
	{ "mfa", "MFA" },
	{ "uri", "Directory" },
	{ "locationId", "Location ID" },
	{ "skipBad", "Skip bad rows" },
	{ "retryAfter", "Retry after (seconds)" },
	{ "noticeRetryAfter", "Notice retry after (seconds)" },
};

/* A member's name as words: "initiatedBy" is "Initiated by". */
static const char *
label(struct arena *a, const char *key)
{
	char	*o;
	size_t	 i, n = 0;

	for (i = 0; i < NELEM(labels); i++)
		if (strcmp(key, labels[i].key) == 0)
			return labels[i].label;
	o = arena_alloc(a, 2 * strlen(key) + 1);
	for (i = 0; key[i] != '\0'; i++) {
		if (key[i] >= 'A' && key[i] <= 'Z' && n > 0) {
			o[n++] = ' ';
			o[n++] = (char)(key[i] - 'A' + 'a');
		} else
			o[n++] = key[i];
	}
	o[n] = '\0';
	if (o[0] >= 'a' && o[0] <= 'z')
		o[0] = (char)(o[0] - 'a' + 'A');
	return o;
}

/* The member of object o named key, or NULL. */
static const struct jval *
member(const struct jval *o, const char *key)
{
	const struct jval	*m;

	for (m = o->first; m != NULL; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

/* 1 when v is a change: an object of a string name, old and new. */
static int
is_change(const struct jval *v)
{
	const struct jval	*name;

	return v->type == J_OBJECT && v->n == 3 &&
	    (name = member(v, "name")) != NULL && name->type == J_STRING &&
	    member(v, "old") != NULL && member(v, "new") != NULL;
}

/* 1 when v is an array of one or more changes. */
static int
changes(const struct jval *v)
{
	const struct jval	*i;

	if (v->type != J_ARRAY || v->n == 0)
		return 0;
	for (i = v->first; i != NULL; i = i->next)
		if (!is_change(i))
			return 0;
	return 1;
}

static const char	*text(struct arena *, const struct jval *);

/* A change's "old → new". */
static const char *
change_text(struct arena *a, const struct jval *c)
{
	return arena_printf(a, "%s \xe2\x86\x92 %s", text(a, member(c, "old")),
	    text(a, member(c, "new")));
}

/* A value as text for people (details.h). */
static const char *
text(struct arena *a, const struct jval *v)
{
	const struct jval	*i;
	const char		*s = "";

	switch (v->type) {
	case J_STRING:
		return *v->text != '\0' ? v->text : "(empty)";
	case J_NUMBER:
		return v->text;
	case J_LITERAL:
		return strcmp(v->text, "true") == 0 ? "yes" :
		    strcmp(v->text, "false") == 0 ? "no" : "none";
	case J_ARRAY:
		if (v->n == 0)
			return "none";
		for (i = v->first; i != NULL; i = i->next)
			s = arena_printf(a, "%s%s%s", s, i == v->first ? "" :
			    "; ", text(a, i));
		return s;
	case J_OBJECT:
		if (is_change(v))
			return arena_printf(a, "%s: %s", member(v, "name")->text,
			    change_text(a, v));
		if (v->n == 0)
			return "none";
		for (i = v->first; i != NULL; i = i->next)
			s = arena_printf(a, "%s%s%s: %s", s, i == v->first ?
			    "" : ", ", label(a, i->key), text(a, i));
		return s;
	}
	return "";
}

/* The request id's member: shown apart (details_request_id). */
#define REQUEST_ID	"requestId"

/* details parsed into top: 0, or -1 when it is not an object read. */
static int
details_parse(struct arena *a, const char *details, struct jval *top)
{
	struct jread	j = { a, details };

	memset(top, 0, sizeof(*top));
	ws(&j);
	if (*j.p != '{' || container(&j, 1, top) != 0)
		return -1;
	ws(&j);
	return *j.p == '\0' ? 0 : -1;
}

const char *
details_request_id(struct arena *a, const char *details)
{
	struct jval		 top;
	const struct jval	*m;

	if (details == NULL || details_parse(a, details, &top) != 0 ||
	    (m = member(&top, REQUEST_ID)) == NULL || m->type != J_STRING)
		return NULL;
	return m->text;
}

int
details_read(struct arena *a, const char *details, struct detail *out,
    size_t max)
{
	struct jval		 top;
	const struct jval	*m, *c;
	size_t			 n = 0;

	if (details == NULL)
		return 0;
	if (details_parse(a, details, &top) != 0)
		return -1;
	for (m = top.first; m != NULL; m = m->next) {
		if (strcmp(m->key, REQUEST_ID) == 0 && m->type == J_STRING)
			continue;
		if (!changes(m)) {
			if (n == max)
				return -1;
			out[n].label = label(a, m->key);
			out[n++].value = text(a, m);
			continue;
		}
		for (c = m->first; c != NULL; c = c->next) {
			if (n == max)
				return -1;
			out[n].label = member(c, "name")->text;
			out[n++].value = change_text(a, c);
		}
	}
	return (int)n;
}
