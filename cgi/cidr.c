/*
 * cidr.c: see cidr.h. Addresses are compared as 16 bytes: an IPv4
 * address as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so one
 * comparison serves both families and a client that nginx reports as
 * ::ffff:192.0.2.7 matches 192.0.2.0/24.
 */
#include <arpa/inet.h>
#include <string.h>

#include "cidr.h"
#include "util.h"

#define ENTRY_MAX	(INET6_ADDRSTRLEN + sizeof("/128"))

struct net {
	unsigned char	addr[16];
	unsigned	bits;		/* of the 128 */
};

/* An address in v4 or v6 text as 16 bytes: 0, or -1. */
static int
addr_parse(const char *s, unsigned char out[16], int *v4)
{
	unsigned char	a4[4];

	if (inet_pton(AF_INET, s, a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, a4, 4);
		*v4 = 1;
		return 0;
	}
	*v4 = 0;
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

/* 1 when a and b agree on their first bits bits. */
static int
prefix_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned	full = bits / 8, rest = bits % 8;
	unsigned char	mask;

	if (memcmp(a, b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* 1 when addr has a bit set after its first bits bits. */
static int
host_bits_set(const unsigned char addr[16], unsigned bits)
{
	unsigned	i;

	for (i = bits; i < 128; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return 1;
	return 0;
}

/*
 * The network of addr/bits written as it should be: its first address
 * (host bits cleared) and the prefix, in the arena.
 */
static const char *
net_first(struct arena *a, const unsigned char addr[16], unsigned bits,
    int v4)
{
	unsigned char	first[16];
	char		text[INET6_ADDRSTRLEN];
	unsigned	i;

	memcpy(first, addr, 16);
	for (i = bits; i < 128; i++)
		first[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	if (inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? first + 12 : first, text,
	    sizeof(text)) == NULL)
		return "its first address";
	return arena_printf(a, "%s/%u", text, v4 ? bits - 96 : bits);
}

/*
 * "addr" or "addr/len" (len of the address's own family): 0, or -1
 * with *why (in a, when a is not NULL, it names the network meant).
 */
static int
net_parse(struct arena *a, const char *s, size_t len, struct net *n,
    const char **why)
{
	char		 buf[ENTRY_MAX];
	char		*slash;
	int64_t		 plen;
	int		 v4;

	*why = "is not an address or a network";
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (addr_parse(buf, n->addr, &v4) == -1)
		return -1;
	if (slash == NULL) {
		n->bits = 128;
		return 0;
	}
	if (parse_int64(slash, 0, v4 ? 32 : 128, &plen) == -1) {
		*why = v4 ? "has a prefix length that is not 0-32" :
		    "has a prefix length that is not 0-128";
		return -1;
	}
	n->bits = (unsigned)plen + (v4 ? 96 : 0);
	/* "10.0.0.1/8" is most likely a typing mistake: refuse it. */
	if (host_bits_set(n->addr, n->bits)) {
		*why = a == NULL ? "has bits set after its prefix" :
		    arena_printf(a, "has bits set after its prefix (did you "
		    "mean %s?)", net_first(a, n->addr, n->bits, v4));
		return -1;
	}
	return 0;
}

/* NULL when n is narrow enough to be trusted, else why not. */
static const char *
too_wide(const struct net *n)
{
	static const unsigned char	mapped[16] = { [10] = 0xff, [11] = 0xff };

	if (n->bits >= 96 && prefix_equal(n->addr, mapped, 96))
		return n->bits < 96 + CIDR_TRUSTED_MIN_V4 ? "is wider than "
		    "the /" STR(CIDR_TRUSTED_MIN_V4) " a trusted IPv4 network "
		    "may be" : NULL;
	if (n->bits < CIDR_TRUSTED_MIN_V6)
		return "is wider than the /" STR(CIDR_TRUSTED_MIN_V6) " a "
		    "trusted IPv6 network may be";
	if (prefix_equal(n->addr, mapped, n->bits))
		return "holds every IPv4 address (as ::ffff:a.b.c.d)";
	return NULL;
}

const char *
cidr_list_check(struct arena *a, const char *list, enum cidr_width w)
{
	const char	*p = list, *s, *why;
	struct net	 n;
	size_t		 len, count = 0;

	while ((len = list_next(&p, &s)) > 0) {
		if (++count > CIDR_LIST_MAX)
			return arena_printf(a, "holds more than %d networks",
			    CIDR_LIST_MAX);
		if (net_parse(a, s, len, &n, &why) == -1 ||
		    (w == CIDR_TRUSTED && (why = too_wide(&n)) != NULL))
			return arena_printf(a, "%s %s", arena_quote(a, s, len),
			    why);
	}
	return NULL;
}

int
cidr_list_has(const char *list, const char *ip)
{
	const char	*p = list, *s, *why;
	unsigned char	 addr[16];
	struct net	 n;
	size_t		 len;
	int		 v4;

	if (list == NULL || ip == NULL || addr_parse(ip, addr, &v4) == -1)
		return 0;
	while ((len = list_next(&p, &s)) > 0)
		if (net_parse(NULL, s, len, &n, &why) == 0 &&
		    prefix_equal(addr, n.addr, n.bits))
			return 1;
	return 0;
}
