/*
 * console.c: /admin, the admin console's home: a link to each area the
 * signed-in person may read (authz_admin_ok), marked read only where
 * they may not change it.
 */
#include "authz.h"
#include "http.h"
#include "pages/pages.h"
#include "tpl.h"

static const struct {
	enum admin_area	 area;
	const char	*url, *name, *what;
} sections[] = {
	{ AREA_MYSTAFF, "/admin/settings#mystaff", "My Staff access",
	    "who may use My Staff: everyone holding a role, selected people "
	    "or nobody" },
	{ AREA_CA, "/admin/settings#ca", "Conditional Access",
	    "MFA for My Staff, how often, trusted and blocked networks" },
	{ AREA_METHODS, "/admin/settings#methods", "Authentication methods",
	    "SMS sign-in, SMS as a second factor, self-service reset, "
	    "authenticator apps, SMS limits" },
	{ AREA_PASSWORDS, "/admin/settings#passwords",
	    "Passwords and sessions", "password policy, lockout, session "
	    "lengths, resets, on-premises policy" },
	{ AREA_UNITS, "/admin/units", "Locations",
	    "create, rename and delete locations; their members" },
	{ AREA_ROLES, "/admin/roles", "Roles", "who holds which role, for "
	    "the organisation or one location" },
	{ AREA_AUDIT, "/admin/audit", "Audit log", "every action, with "
	    "filters and a CSV export" },
};

/* GET /admin: the sections the actor may read (the route wants one). */
void
page_admin(struct req *r)
{
	struct tpl	*t = page_new(r, "Administration"), *s;
	size_t		 i;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (!authz_admin_ok(r->actor, sections[i].area, ADMIN_READ))
			continue;
		s = tpl_section(t, "SECTION");
		tpl_set(s, "URL", sections[i].url);
		tpl_set(s, "NAME", sections[i].name);
		tpl_set(s, "WHAT", sections[i].what);
		if (sections[i].area != AREA_AUDIT &&
		    !authz_admin_ok(r->actor, sections[i].area, ADMIN_CHANGE))
			tpl_show(s, "READ_ONLY");
	}
	page_render(r, 200, "admin.tpl", t);
}
