/*
 * util.c: see util.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util.h"

#define ARENA_CHUNK	(16 * 1024)

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 used, size;
	max_align_t		 data[];
};

static void
oom(void)
{
	static const char msg[] = "staffdesk: out of memory\n";

	fwrite(msg, 1, sizeof(msg) - 1, stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n ? n : 1)) == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void	*p;

	if ((p = calloc(n ? n : 1, sz ? sz : 1)) == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		oom();
	return p;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk	*c = a->head;
	size_t			 align = sizeof(max_align_t), size;

	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	if (c == NULL || c->size - c->used < n) {
		size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = xmalloc(sizeof(*c) + size);
		c->used = 0;
		c->size = size;
		c->next = a->head;
		a->head = c;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char	*p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	 small[256], *p;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	if ((size_t)n < sizeof(small))
		return arena_strndup(a, small, (size_t)n);
	p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	if (vsnprintf(p, (size_t)n + 1, fmt, ap) != n)
		oom();
	va_end(ap);
	return p;
}

/* Releases every chunk; the bytes are wiped since they held form data. */
void
arena_reset(struct arena *a)
{
	struct arena_chunk	*c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		OPENSSL_cleanse(c->data, c->used);
		free(c);
	}
	a->head = NULL;
}

int
parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void
random_bytes(void *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1) {
		fputs("staffdesk: RAND_bytes failed\n", stderr);
		abort();
	}
}

void
uuid_v4(char out[UUID_LEN + 1])
{
	unsigned char	b[16];
	char		h[33];

	random_bytes(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	hex_encode(b, sizeof(b), h);
	snprintf(out, UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s",
	    h, h + 8, h + 12, h + 16, h + 20);
}

int
uuid_valid(const char *s)
{
	size_t	 i;

	for (i = 0; i < UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (strchr("0123456789abcdefABCDEF", s[i]) == NULL ||
		    s[i] == '\0')
			return 0;
	}
	return s[UUID_LEN] == '\0';
}

void
hex_encode(const unsigned char *p, size_t len, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

void
b64url_encode(const unsigned char *p, size_t len, char *out)
{
	static const char	 a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			 i, o = 0;
	uint32_t		 v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
	} else if (len - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
	}
	out[o] = '\0';
}

int
b64url_decode(const char *in, unsigned char *out, size_t outsz)
{
	size_t		n = 0, bits = 0;
	uint32_t	acc = 0;
	int		v;

	for (; *in != '\0'; in++) {
		if (*in >= 'A' && *in <= 'Z')
			v = *in - 'A';
		else if (*in >= 'a' && *in <= 'z')
			v = *in - 'a' + 26;
		else if (*in >= '0' && *in <= '9')
			v = *in - '0' + 52;
		else if (*in == '-')
			v = 62;
		else if (*in == '_')
			v = 63;
		else
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == outsz)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* A lone sextet, or stray low bits, is not what an encoder writes. */
	if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0)
		return -1;
	return (int)n;
}

void
sha256_hex(const void *s, size_t len, char out[65])
{
	unsigned char	md[32];
	unsigned int	mdlen = sizeof(md);

	if (EVP_Digest(s, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		abort();
	hex_encode(md, sizeof(md), out);
}

int
str_ct_equal(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return CRYPTO_memcmp(a, b, la) == 0;
}

int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
now_s(void)
{
	return (int64_t)time(NULL);
}

int
utf8_text_valid(const char *str, size_t len, int multiline)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	uint32_t		 cp;

	while (i < len) {
		if (s[i] < 0x80) {
			if (s[i] == 0x7f || (s[i] < 0x20 && !(multiline &&
			    (s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))))
				return 0;
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0x80 && cp < 0xa0))
			return 0;
		i += n + 1;
	}
	return 1;
}

size_t
utf8_len(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

size_t
list_next(const char **p, const char **start)
{
	static const char	sep[] = " ,\t\r\n";
	size_t			n;

	*p += strspn(*p, sep);
	*start = *p;
	n = strcspn(*p, sep);
	*p += n;
	return n;
}

char *
arena_quote(struct arena *a, const char *s, size_t len)
{
	size_t	n = len > QUOTE_MAX ? QUOTE_MAX : len;

	/* Back off to the start of a character: not a continuation byte. */
	while (n > 0 && n < len && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return arena_printf(a, "'%.*s%s'", (int)n, s, n < len ? "..." : "");
}

const char *
ua_summary(struct arena *a, const char *ua)
{
	/* First match wins: Edge and Opera say Chrome, Chrome says Safari. */
	static const struct { const char *has, *name; } browsers[] = {
		{ "Edg/", "Edge" }, { "OPR/", "Opera" },
		{ "SamsungBrowser/", "Samsung Internet" },
		{ "Firefox/", "Firefox" }, { "FxiOS/", "Firefox" },
		{ "CriOS/", "Chrome" }, { "Chrome/", "Chrome" },
		{ "Chromium/", "Chromium" }, { "Safari/", "Safari" },
		{ "Trident/", "Internet Explorer" }, { "MSIE ", "Internet Explorer" },
		{ "w3m/", "w3m" }, { "Lynx/", "Lynx" }, { "curl/", "curl" },
	}, systems[] = {
		{ "Windows", "Windows" }, { "iPhone", "iPhone" },
		{ "iPad", "iPad" }, { "Android", "Android" }, { "CrOS", "ChromeOS" },
		{ "Mac OS X", "macOS" }, { "Linux", "Linux" },
	};
	const char	*b = NULL, *o = NULL;
	size_t		 i;

	if (ua == NULL)
		return "Unknown browser";
	for (i = 0; i < NELEM(browsers) && b == NULL; i++)
		if (strstr(ua, browsers[i].has) != NULL)
			b = browsers[i].name;
	for (i = 0; i < NELEM(systems) && o == NULL; i++)
		if (strstr(ua, systems[i].has) != NULL)
			o = systems[i].name;
	if (b == NULL)
		return o == NULL ? "Unknown browser" : o;
	if (o == NULL)
		return b;
	return arena_printf(a, "%s on %s", b, o);
}
