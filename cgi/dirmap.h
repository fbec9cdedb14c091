/*
 * dirmap.h: the attribute map (README "LDAP"): how one person's entry of
 * the on-premises directory becomes a roster row (roster.h), the
 * ldap_attr_* keys naming the attributes, and ldap_units where the
 * location comes from. Pure: the entry is its DN and a function that
 * gives an attribute's first value, so sync (cgi/cli/sync.c) reads it
 * from libldap and the fuzz harness from a file, with no server.
 */
#ifndef STAFFDESK_DIRMAP_H
#define STAFFDESK_DIRMAP_H

#include <stddef.h>

struct arena;
struct conf;
struct roster_row;

/* What every entry of one sync is read with. */
struct dirmap {
	const struct conf	*conf;		/* the ldap_* keys */
	const char		*units_base;	/* ldap_units_base, dirmap_dn_norm()ed */
	const char		*country;	/* phone.country; NULL: none */
};

/* One entry of the directory. */
struct dirmap_entry {
	const char		*dn;	/* as the directory wrote it; NULL: none */
	/*
	 * The first value of attr in the arena, *len bytes and a NUL after
	 * them (a NUL may be among them), or NULL when the entry has none.
	 */
	const char		*(*value)(void *arg, const char *attr,
				    size_t *len);
	void			*arg;
	/* ldap_units = group: the names of the groups that list the entry */
	const char *const	*groups;
	size_t			 ngroups;
};

/* dn as libldap normalises it (RFC 4514), in lower case, in a; or NULL. */
const char	*dirmap_dn_norm(struct arena *, const char *dn);

/*
 * The first value of attr of e as text, or NULL when e has none or it
 * holds a NUL byte (no field of staffdesk can keep one).
 */
const char	*dirmap_value(const struct dirmap_entry *, const char *attr);

/*
 * Fills row->p and, for an entry that cannot be a person, row->bad
 * (ROSTER_BAD) and row->why from e: the fields the map names (the
 * name from cn when ldap_attr_name has none), source onprem, enabled;
 * the phones only with ldap_sync_phones; the location the OU holding
 * the entry under units_base (ldap_units = ou) or the first
 * ROSTER_UNITS_MAX of e's groups (group). Then roster_person_check().
 * Leaves row->line and row->origin to the caller.
 */
void		 dirmap_person(struct arena *, const struct dirmap *,
		    const struct dirmap_entry *e, struct roster_row *row);

#endif
