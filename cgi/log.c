/*
 * log.c: see log.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_prog = "staffdesk";
static int		 log_level = LOG_INFO;
/* The request being served; a worker sets it and clears it each time. */
static const char	*log_req;

static const char *const names[LOG__MAX] = { "error", "warn", "info",
    "debug" };

void
log_init(const char *prog, int level)
{
	log_prog = prog;
	log_level = level;
}

int
log_enabled(int level)
{
	return level >= 0 && level < LOG__MAX && level <= log_level;
}

void
log_request_id(const char *id)
{
	log_req = id;
}

/* 1 when c may stand in a bare value. */
static int
bare_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != '=';
}

/*
 * The length of the UTF-8 sequence at s (of n bytes) and its code point
 * in *cp, or 0 when it is not well-formed (RFC 3629: no overlong form,
 * no surrogate, nothing past U+10FFFF).
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t		len, i;
	unsigned long	c, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int
log_value(char *out, size_t outsz, const char *value)
{
	const unsigned char	*s = (const unsigned char *)value;
	size_t			 n = strlen(value), i, o = 0, len;
	unsigned long		 cp;
	char			 esc[8];
	int			 bare = n > 0, k;

	for (i = 0; i < n && bare; i++)
		bare = bare_char(s[i]);
	if (bare) {
		if (n + 1 > outsz)
			return -1;
		memcpy(out, value, n + 1);
		return (int)n;
	}
	if (outsz < 3)
		return -1;
	out[o++] = '"';
	for (i = 0; i < n; i += len) {
		len = 1;
		esc[0] = '\0';
		if (s[i] == '"' || s[i] == '\\')
			(void)snprintf(esc, sizeof(esc), "\\%c", s[i]);
		else if (s[i] == '\n')
			memcpy(esc, "\\n", 3);
		else if (s[i] == '\r')
			memcpy(esc, "\\r", 3);
		else if (s[i] == '\t')
			memcpy(esc, "\\t", 3);
		else if (s[i] < ' ' || s[i] == 0x7f)
			(void)snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
		else if (s[i] >= 0x80) {
			if ((len = utf8_seq(s + i, n - i, &cp)) == 0) {
				len = 1;	/* not UTF-8: escaped */
				(void)snprintf(esc, sizeof(esc), "\\x%02x",
				    s[i]);
			} else if ((cp >= 0x80 && cp <= 0x9f) ||
			    cp == 0x2028 || cp == 0x2029)
				/* C1 controls (CSI is U+009B) and the
				 * separators some viewers break lines at. */
				(void)snprintf(esc, sizeof(esc), "\\u%04lx",
				    cp);
		}
		if (esc[0] != '\0') {
			k = (int)strlen(esc);
			if (o + (size_t)k + 2 > outsz)
				return -1;
			memcpy(out + o, esc, (size_t)k);
			o += (size_t)k;
		} else {
			if (o + len + 2 > outsz)
				return -1;
			memcpy(out + o, s + i, len);
			o += len;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return (int)o;
}

/* What log_end may add: " cut=1" and the newline. */
#define LOG_RESERVE	(sizeof(" cut=1\n") - 1)

/* Appends s (raw) to the line; 0, or -1 when it does not fit. */
static int
log_put(struct log_line *l, const char *s, size_t n)
{
	if (l->len + n + LOG_RESERVE > sizeof(l->buf))
		return -1;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	return 0;
}

void
log_kv(struct log_line *l, const char *key, const char *value)
{
	size_t	mark = l->len, klen = strlen(key);
	int	n;

	if (l->cut)
		return;
	if (log_put(l, l->len > 0 ? " " : "", l->len > 0) == -1 ||
	    log_put(l, key, klen) == -1 || log_put(l, "=", 1) == -1 ||
	    (n = log_value(l->buf + l->len, sizeof(l->buf) - l->len -
	    LOG_RESERVE + 1, value != NULL ? value : "")) < 0) {
		l->len = mark;
		l->cut = 1;
		return;
	}
	l->len += (size_t)n;
}

void
log_kv_int(struct log_line *l, const char *key, long long value)
{
	char	buf[24];

	(void)snprintf(buf, sizeof(buf), "%lld", value);
	log_kv(l, key, buf);
}

void
log_begin(struct log_line *l, int level)
{
	struct timespec	ts;
	struct tm	tm;
	char		when[64];

	l->len = 0;
	l->cut = 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	(void)snprintf(when, sizeof(when),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
	log_kv(l, "time", when);
	log_kv(l, "level", level >= 0 && level < LOG__MAX ? names[level] :
	    "?");
	log_kv(l, "prog", log_prog);
	log_kv_int(l, "pid", (long long)getpid());
	if (log_req != NULL)
		log_kv(l, "request_id", log_req);
}

void
log_end(struct log_line *l)
{
	static const char	cut[] = " cut=1";
	ssize_t			n;
	size_t			off = 0;

	if (l->cut) {
		/* The fields that fit, and a mark (LOG_RESERVE kept room). */
		memcpy(l->buf + l->len, cut, sizeof(cut) - 1);
		l->len += sizeof(cut) - 1;
	}
	l->buf[l->len++] = '\n';
	/* One write(2): a short one (a pipe full) is finished, not mixed. */
	while (off < l->len && ((n = write(STDERR_FILENO, l->buf + off,
	    l->len - off)) > 0 || (n == -1 && errno == EINTR)))
		if (n > 0)
			off += (size_t)n;
}

void
log_msg(int level, const char *fmt, ...)
{
	struct log_line	l;
	char		msg[LOG_MSG_MAX];
	va_list		ap;
	int		n;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_begin(&l, level);
	log_kv(&l, "msg", msg);
	if (n < 0 || (size_t)n >= sizeof(msg))
		l.cut = 1;	/* the message was longer than LOG_MSG_MAX */
	log_end(&l);
}
