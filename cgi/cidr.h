/*
 * cidr.h: lists of networks ("10.0.0.0/8 2001:db8::/32 192.0.2.7"), as
 * ca.trusted_networks and ca.blocked_networks hold them: IPv4 and IPv6,
 * a bare address meaning one host, separated by spaces or commas.
 */
#ifndef STAFFDESK_CIDR_H
#define STAFFDESK_CIDR_H

#include <stddef.h>

#define CIDR_LIST_MAX	64	/* networks in one list */

struct arena;

/*
 * The narrowest a trusted network may be written (an IPv6 network may
 * not hold all of IPv4, which it reaches as ::ffff:a.b.c.d): a list of
 * networks that skip the second factor must not take in the Internet.
 */
#define CIDR_TRUSTED_MIN_V4	8
#define CIDR_TRUSTED_MIN_V6	16

enum cidr_width { CIDR_ANY, CIDR_TRUSTED };

/*
 * NULL when every entry of list is a network (address/prefix with no
 * host bits set, or a bare address), at most CIDR_LIST_MAX of them and,
 * for CIDR_TRUSTED, none wider than the minimums above; else a sentence
 * naming the first bad entry.
 */
const char	*cidr_list_check(struct arena *, const char *list,
		    enum cidr_width);
/* 1 when the address ip (v4 or v6 text) is in one of the list's networks. */
int		 cidr_list_has(const char *list, const char *ip);

#endif
