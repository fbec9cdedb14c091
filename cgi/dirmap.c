/*
 * dirmap.c: see dirmap.h. libldap only parses DNs here: no connection.
 */
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "conf.h"
#include "dirmap.h"
#include "location.h"
#include "roster.h"
#include "util.h"

const char *
dirmap_dn_norm(struct arena *a, const char *dn)
{
	char	*out = NULL, *s, *p;

	if (ldap_dn_normalize(dn, LDAP_DN_FORMAT_LDAPV3, &out,
	    LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || out == NULL)
		return NULL;
	s = arena_strdup(a, out);
	ldap_memfree(out);
	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

const char *
dirmap_value(const struct dirmap_entry *e, const char *attr)
{
	const char	*v;
	size_t		 len = 0;

	if (attr == NULL || (v = e->value(e->arg, attr, &len)) == NULL ||
	    memchr(v, '\0', len) != NULL)
		return NULL;
	return v;
}

/* 1 when dn (normalised) is strictly under base (normalised). */
static int
dn_under(const char *dn, const char *base)
{
	size_t	n = strlen(dn), b = strlen(base);

	return n > b + 1 && strcmp(dn + n - b, base) == 0 &&
	    dn[n - b - 1] == ',' && (n - b < 2 || dn[n - b - 2] != '\\');
}

/*
 * ldap_units = ou: the location of the person at dn is the OU that
 * holds the entry, when that OU is under units_base. The name, or NULL.
 */
static const char *
ou_of(struct arena *a, const char *units_base, const char *dn)
{
	LDAPDN		 ldn = NULL;
	LDAPAVA		*ava;
	const char	*name = NULL, *norm;
	char		*parent = NULL;

	/* An empty DN parses, as no DN at all (NULL). */
	if (ldap_str2dn(dn, &ldn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
	    ldn == NULL)
		return NULL;
	if (ldn[0] != NULL && ldn[1] != NULL && (ava = ldn[1][0]) != NULL &&
	    ldn[1][1] == NULL && strcasecmp(ava->la_attr.bv_val, "ou") == 0 &&
	    ldap_dn2str(&ldn[1], &parent, LDAP_DN_FORMAT_LDAPV3) ==
	    LDAP_SUCCESS && (norm = dirmap_dn_norm(a, parent)) != NULL &&
	    dn_under(norm, units_base))
		name = arena_strndup(a, ava->la_value.bv_val,
		    ava->la_value.bv_len);
	ldap_memfree(parent);
	ldap_dnfree(ldn);
	return name;
}

void
dirmap_person(struct arena *a, const struct dirmap *m,
    const struct dirmap_entry *e, struct roster_row *row)
{
	const struct conf	*cf = m->conf;
	const char		*units[ROSTER_UNITS_MAX], *unit;
	size_t			 i, n = 0;
	int			 rc;

	row->p.f[RF_UPN] = dirmap_value(e, cf->ldap_attr_upn);
	if ((row->p.f[RF_NAME] = dirmap_value(e, cf->ldap_attr_name)) == NULL)
		row->p.f[RF_NAME] = dirmap_value(e, "cn");
	row->p.f[RF_EMAIL] = dirmap_value(e, cf->ldap_attr_mail);
	row->p.f[RF_GIVEN] = dirmap_value(e, "givenName");
	row->p.f[RF_SURNAME] = dirmap_value(e, "sn");
	row->p.f[RF_JOB] = dirmap_value(e, cf->ldap_attr_title);
	row->p.f[RF_DEPT] = dirmap_value(e, cf->ldap_attr_department);
	/* What the directory lacks is none: every field is carried. */
	for (i = 0; i < RF__MAX; i++)
		if (row->p.f[i] == NULL && i != RF_MOBILE && i != RF_OFFICE &&
		    i != RF_ALT_MOBILE)
			row->p.f[i] = "";
	row->p.f[RF_SOURCE] = "onprem";
	row->p.f[RF_UNITS] = "";
	if (cf->ldap_sync_phones) {
		row->p.f[RF_MOBILE] = dirmap_value(e, cf->ldap_attr_mobile);
		row->p.f[RF_OFFICE] = dirmap_value(e, cf->ldap_attr_phone);
		if (row->p.f[RF_MOBILE] == NULL)
			row->p.f[RF_MOBILE] = "";
		if (row->p.f[RF_OFFICE] == NULL)
			row->p.f[RF_OFFICE] = "";
	}
	row->p.enable = 1;
	if (*row->p.f[RF_UPN] == '\0') {
		row->bad = ROSTER_BAD;
		row->why = arena_printf(a, "no %s", cf->ldap_attr_upn);
		return;
	}
	if ((row->bad = roster_person_check(a, &row->p, m->country,
	    &row->why)) != 0)
		return;
	/* The locations, each a name a location may have. */
	if (cf->ldap_units == LDAP_UNITS_GROUP)
		for (i = 0; i < e->ngroups && n < ROSTER_UNITS_MAX; i++)
			units[n++] = e->groups[i];
	else if (e->dn != NULL && (unit = ou_of(a, m->units_base, e->dn)) !=
	    NULL)
		units[n++] = unit;
	for (i = 0; i < n; i++) {
		unit = location_trim(a, units[i]);
		if ((rc = location_name_check(unit)) != 0) {
			row->bad = ROSTER_BAD;
			row->why = arena_printf(a, "location %s: %s",
			    arena_quote(a, unit, strlen(unit)),
			    location_refusal_text(rc));
			return;
		}
		row->p.units[i] = unit;
	}
	row->p.nunits = n;
}
