/*
 * fuzz_ldapmap.c: the attribute map (dirmap.h) on a fake entry, no
 * server. The input is config lines (the ldap_* keys, conf_parse_text),
 * a line "---", then the entry as LDIF-like lines:
 *
 *	dn: uid=ann,ou=Store 1,ou=stores,dc=example
 *	mail: ann@example.com
 *	title:: base64url of a value that holds a newline or a NUL
 *	group: Store 2		(its groups, for ldap_units = group)
 *
 * Without "---" it is all entry, with the default map. Each entry is
 * mapped with no phone.country and with "US". A row refused says why;
 * a row taken carries the attributes the map names, trimmed to one
 * line, phones as E.164 only when synced, and locations a location
 * may have: the OU holding the entry under ldap_units_base, or the
 * groups.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "dirmap.h"
#include "fuzz.h"
#include "location.h"
#include "roster.h"
#include "util.h"

#define ATTRS_MAX	64
#define GROUPS_MAX	(ROSTER_UNITS_MAX + 8)
#define UNITS_BASE	"ou=stores,dc=example"

struct fake {
	const char	*dn;
	const char	*attr[ATTRS_MAX], *value[ATTRS_MAX];
	size_t		 len[ATTRS_MAX], n;
	const char	*group[GROUPS_MAX];
	size_t		 ngroups;
};

/* dirmap_entry's value(): the first value of attr, names in any case. */
static const char *
fake_value(void *arg, const char *attr, size_t *len)
{
	const struct fake	*f = arg;
	size_t			 i;

	for (i = 0; i < f->n; i++)
		if (strcasecmp(f->attr[i], attr) == 0) {
			*len = f->len[i];
			return f->value[i];
		}
	return NULL;
}

/* The entry of the LDIF-like lines of s (changed in place). */
static void
fake_parse(struct arena *a, char *s, struct fake *f)
{
	char		*line, *colon, *v, *buf;
	int		 len;

	memset(f, 0, sizeof(*f));
	while ((line = strsep(&s, "\n")) != NULL) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		v = colon + 1;
		if (*v == ':') {
			v++;
			v += strspn(v, " ");
			buf = arena_alloc(a, strlen(v) + 1);
			if ((len = b64url_decode(v, (unsigned char *)buf,
			    strlen(v))) < 0)
				continue;
			buf[len] = '\0';
		} else {
			v += strspn(v, " ");
			buf = v;
			len = (int)strlen(v);
		}
		if (strcasecmp(line, "dn") == 0 && f->dn == NULL)
			f->dn = buf;
		else if (strcasecmp(line, "group") == 0 &&
		    f->ngroups < GROUPS_MAX)
			f->group[f->ngroups++] = buf;
		else if (f->n < ATTRS_MAX) {
			f->attr[f->n] = line;
			f->value[f->n] = buf;
			f->len[f->n++] = (size_t)len;
		}
	}
}

/* The first value of attr as the map reads it: NULL if none or a NUL. */
static const char *
raw(const struct fake *f, const char *attr)
{
	size_t		 len = 0;
	const char	*v = fake_value((void *)f, attr, &len);

	return v == NULL || memchr(v, '\0', len) != NULL ? NULL : v;
}

/* 1 when taken is raw as the map trims it (one line, no end spaces). */
static int
from(const char *taken, const char *raw)
{
	size_t	n = strlen(taken);

	if (n == 0)
		return 1;
	if (raw == NULL || taken[0] == ' ' || taken[n - 1] == ' ' ||
	    strpbrk(taken, "\r\n\t") != NULL)
		return 0;
	/* one_line() made each run of CR, LF and tab one space */
	return strchr(taken, ' ') != NULL || strstr(raw, taken) != NULL;
}

static void
check_row(struct arena *a, const struct conf *c, const struct dirmap *m,
    const struct fake *f, const struct roster_row *row)
{
	const struct roster_person	*p = &row->p;
	const char			*name, *norm;
	size_t				 i;

	FUZZ_CHECK(p->f[RF_SOURCE] != NULL &&
	    strcmp(p->f[RF_SOURCE], "onprem") == 0 && p->enable == 1);
	FUZZ_CHECK(p->f[RF_ALT_MOBILE] == NULL);
	if (!c->ldap_sync_phones)
		FUZZ_CHECK(p->f[RF_MOBILE] == NULL && p->f[RF_OFFICE] == NULL);
	if (row->bad != 0) {
		FUZZ_CHECK(row->bad == ROSTER_BAD && row->why != NULL &&
		    *row->why != '\0');
		return;
	}
	FUZZ_CHECK(p->f[RF_UPN] != NULL && *p->f[RF_UPN] != '\0' &&
	    from(p->f[RF_UPN], raw(f, c->ldap_attr_upn)));
	name = raw(f, c->ldap_attr_name);
	FUZZ_CHECK(p->f[RF_NAME] != NULL && *p->f[RF_NAME] != '\0' &&
	    from(p->f[RF_NAME], name != NULL ? name : raw(f, "cn")));
	FUZZ_CHECK(from(p->f[RF_EMAIL], raw(f, c->ldap_attr_mail)));
	FUZZ_CHECK(from(p->f[RF_JOB], raw(f, c->ldap_attr_title)));
	FUZZ_CHECK(from(p->f[RF_DEPT], raw(f, c->ldap_attr_department)));
	FUZZ_CHECK(from(p->f[RF_GIVEN], raw(f, "givenName")));
	FUZZ_CHECK(from(p->f[RF_SURNAME], raw(f, "sn")));
	if (c->ldap_sync_phones) {
		FUZZ_CHECK(p->f[RF_MOBILE] != NULL && (*p->f[RF_MOBILE] ==
		    '\0' || fuzz_e164(p->f[RF_MOBILE], 0)));
		FUZZ_CHECK(p->f[RF_OFFICE] != NULL && (*p->f[RF_OFFICE] ==
		    '\0' || fuzz_e164(p->f[RF_OFFICE], 1)));
	}
	FUZZ_CHECK(p->nunits <= ROSTER_UNITS_MAX);
	for (i = 0; i < p->nunits; i++)
		FUZZ_CHECK(location_name_check(p->units[i]) == 0 &&
		    p->units[i][0] != ' ' &&
		    p->units[i][strlen(p->units[i]) - 1] != ' ');
	if (c->ldap_units == LDAP_UNITS_GROUP) {
		FUZZ_CHECK(p->nunits == (f->ngroups < ROSTER_UNITS_MAX ?
		    f->ngroups : ROSTER_UNITS_MAX));
		for (i = 0; i < p->nunits; i++)
			FUZZ_CHECK(strstr(f->group[i], p->units[i]) != NULL);
	} else if (p->nunits > 0) {
		/*
		 * The entry is under ldap_units_base, two levels at least
		 * (only its parent is read: its own RDN may not normalise).
		 */
		FUZZ_CHECK(p->nunits == 1 && f->dn != NULL);
		norm = dirmap_dn_norm(a, f->dn);
		FUZZ_CHECK(norm == NULL || (strlen(norm) >
		    strlen(m->units_base) + 2 && strcmp(norm + strlen(norm) -
		    strlen(m->units_base), m->units_base) == 0));
	}
}

int
fuzz_ldapmap(const uint8_t *data, size_t size)
{
	static const char *const countries[] = { NULL, "US" };
	struct arena		 a = { NULL };
	struct conf		 c;
	struct fake		 f;
	struct dirmap		 m;
	struct dirmap_entry	 e;
	struct roster_row	 row;
	char			*s, *sep, *entry, *text, err[CONF_LINE_MAX + 128];
	size_t			 i;

	if (!fuzz_no_nul(data, size))
		return 0;
	s = fuzz_text(data, size);
	/* The map: the config before "---", or the defaults. */
	if (strncmp(s, "---\n", 4) == 0) {
		sep = s;
		entry = s + 4;
	} else if ((sep = strstr(s, "\n---\n")) != NULL)
		entry = sep + 5;
	else
		entry = s;
	text = arena_printf(&a, "data_key_file = /k\n%.*s",
	    entry == s ? 0 : (int)(sep - s), s);
	if (conf_parse_text(&c, text, "fuzz.conf", err, sizeof(err)) != 0)
		goto out;
	m.conf = &c;
	if ((m.units_base = dirmap_dn_norm(&a, c.ldap_units_base != NULL ?
	    c.ldap_units_base : UNITS_BASE)) == NULL)
		goto out;	/* sync stops: "ldap_units_base is not a DN" */
	fake_parse(&a, entry, &f);
	e = (struct dirmap_entry){ f.dn, fake_value, &f, f.group, f.ngroups };
	for (i = 0; i < NELEM(countries); i++) {
		m.country = countries[i];
		memset(&row, 0, sizeof(row));
		dirmap_person(&a, &m, &e, &row);
		check_row(&a, &c, &m, &f, &row);
	}
out:
	conf_free(&c);
	arena_reset(&a);
	free(s);
	return 0;
}
