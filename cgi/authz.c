/*
 * authz.c: see authz.h. The tables below are the rules written there:
 * the role ids and names, the reset-tier table and who grants what.
 */
#include <string.h>

#include "authz.h"

/* Each role: its id, its name, and whether it may be held for one
 * location (the five that act on people) or only for the whole
 * organisation (settings, roles and reading are organisation-wide). */
static const struct {
	const char	*id, *name;
	int		 at_location;
} roles[ROLE__MAX] = {
	[ROLE_GLOBAL_ADMIN] = { "global-administrator", "Global administrator",
	    0 },
	[ROLE_PRIV_AUTH_ADMIN] = { "privileged-authentication-administrator",
	    "Privileged authentication administrator", 1 },
	[ROLE_AUTH_ADMIN] = { "authentication-administrator",
	    "Authentication administrator", 1 },
	[ROLE_USER_ADMIN] = { "user-administrator", "User administrator", 1 },
	[ROLE_HELPDESK_ADMIN] = { "helpdesk-administrator",
	    "Helpdesk administrator", 1 },
	[ROLE_PASSWORD_ADMIN] = { "password-administrator",
	    "Password administrator", 1 },
	[ROLE_AUTH_POLICY_ADMIN] = { "authentication-policy-administrator",
	    "Authentication policy administrator", 0 },
	[ROLE_CA_ADMIN] = { "conditional-access-administrator",
	    "Conditional Access administrator", 0 },
	[ROLE_DIRECTORY_READER] = { "directory-reader", "Directory reader", 0 },
	[ROLE_REPORTS_READER] = { "reports-reader", "Reports reader", 0 },
	[ROLE_PRIV_ROLE_ADMIN] = { "privileged-role-administrator",
	    "Privileged role administrator", 0 },
	[ROLE_SECURITY_READER] = { "security-reader", "Security reader", 0 },
};

/*
 * Who may reset whose password: tier[actor][target role]. A target with
 * no role is checked against ROLE_DIRECTORY_READER's column ("none,
 * directory-reader, reports-reader" share one row of the table).
 */
#define Y	1
#define N	0
static const unsigned char reset_tier[ROLE__MAX][ROLE__MAX] = {
	/* target:           GA PAA AA UA HA PA APA CA DR RR PRA SR */
	[ROLE_PASSWORD_ADMIN] = { N, N, N, N, N, Y, N, N, Y, Y, N, N },
	[ROLE_HELPDESK_ADMIN] = { N, N, N, N, Y, Y, N, N, Y, Y, N, N },
	[ROLE_AUTH_ADMIN] =     { N, N, Y, N, N, Y, N, N, Y, Y, N, N },
	[ROLE_USER_ADMIN] =     { N, N, N, Y, Y, Y, N, N, Y, Y, N, N },
	[ROLE_PRIV_AUTH_ADMIN] = { Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y },
	[ROLE_GLOBAL_ADMIN] =   { Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y },
};

/* The admin console table of authz.h, as role bits per area and verb. */
#define R(x)	(1u << (x))
static const unsigned admin_rights[AREA__MAX][2] = {
	[AREA_MYSTAFF] = {
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_USER_ADMIN) | R(ROLE_SECURITY_READER),
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_USER_ADMIN) },
	[AREA_CA] = {
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_CA_ADMIN) | R(ROLE_SECURITY_READER),
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_CA_ADMIN) },
	[AREA_METHODS] = {
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_AUTH_POLICY_ADMIN) |
	    R(ROLE_SECURITY_READER),
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_AUTH_POLICY_ADMIN) },
	[AREA_PASSWORDS] = {
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_SECURITY_READER),
	    R(ROLE_GLOBAL_ADMIN) },
	[AREA_UNITS] = {
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_USER_ADMIN) |
	    R(ROLE_PRIV_ROLE_ADMIN) | R(ROLE_DIRECTORY_READER) |
	    R(ROLE_SECURITY_READER),
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_USER_ADMIN) },
	[AREA_ROLES] = {
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_PRIV_ROLE_ADMIN) |
	    R(ROLE_USER_ADMIN) | R(ROLE_DIRECTORY_READER) |
	    R(ROLE_SECURITY_READER),
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_PRIV_ROLE_ADMIN) },
	[AREA_AUDIT] = {
	    R(ROLE_GLOBAL_ADMIN) | R(ROLE_USER_ADMIN) |
	    R(ROLE_REPORTS_READER) | R(ROLE_SECURITY_READER),
	    0 },
};
#undef R
#undef Y
#undef N

int
authz_role_parse(const char *s)
{
	int	i;

	for (i = 0; i < ROLE__MAX; i++)
		if (strcmp(roles[i].id, s) == 0)
			return i;
	return -1;
}

const char *
authz_role_id(enum role r)
{
	return r < ROLE__MAX ? roles[r].id : "unknown";
}

const char *
authz_role_name(enum role r)
{
	return r < ROLE__MAX ? roles[r].name : "Unknown role";
}

const char *
authz_role_label(const char *id)
{
	int	r = authz_role_parse(id);

	return r >= 0 ? roles[r].name : id;
}

int
authz_role_at_location(enum role r)
{
	return (unsigned)r < ROLE__MAX && roles[r].at_location;
}

/* 1 when the role grants the action at all. */
static int
grants(enum role r, enum authz_action act)
{
	switch (act) {
	case AUTHZ_RESET_PASSWORD:
		return r == ROLE_PASSWORD_ADMIN || r == ROLE_HELPDESK_ADMIN ||
		    r == ROLE_AUTH_ADMIN || r == ROLE_USER_ADMIN ||
		    r == ROLE_PRIV_AUTH_ADMIN || r == ROLE_GLOBAL_ADMIN;
	case AUTHZ_MANAGE_PHONES:
		return r == ROLE_AUTH_ADMIN || r == ROLE_PRIV_AUTH_ADMIN ||
		    r == ROLE_GLOBAL_ADMIN;
	case AUTHZ__MAX:
		break;
	}
	return 0;
}

/* 1 when actor role a may act on a target holding each of its roles. */
static int
tier_ok(enum role a, const struct authz_target *t)
{
	size_t	i;

	if (t->nroles == 0)
		return reset_tier[a][ROLE_DIRECTORY_READER];
	for (i = 0; i < t->nroles; i++)
		if (t->roles[i].role >= ROLE__MAX ||
		    !reset_tier[a][t->roles[i].role])
			return 0;
	return 1;
}

int
authz_has_org_scope(const struct assignment *r, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (r[i].unit_id == NULL)
			return 1;
	return 0;
}

int
authz_activity_ok(const struct authz_actor *a, const char *unit_id)
{
	size_t	i;

	for (i = 0; i < a->nroles; i++)
		if (a->roles[i].unit_id == NULL || (unit_id != NULL &&
		    strcasecmp(a->roles[i].unit_id, unit_id) == 0))
			return 1;
	return 0;
}

int
authz_admin_ok(const struct authz_actor *a, enum admin_area area,
    enum admin_verb verb)
{
	unsigned	held = 0;
	size_t		i;
	int		k;

	for (i = 0; i < a->nroles; i++)
		if (a->roles[i].unit_id == NULL && a->roles[i].role < ROLE__MAX)
			held |= 1u << a->roles[i].role;
	if (area != AREA_ANY)
		return area < AREA__MAX && (admin_rights[area][verb] & held) != 0;
	for (k = 0; k < AREA__MAX; k++)
		if ((admin_rights[k][verb] & held) != 0)
			return 1;
	return 0;
}

static int
member_of(const struct authz_target *t, const char *unit_id)
{
	size_t	i;

	for (i = 0; i < t->nunits; i++)
		if (strcasecmp(t->units[i], unit_id) == 0)
			return 1;
	return 0;
}

enum authz_reason
authz_check(const struct authz_actor *a, const struct authz_target *t,
    enum authz_action act)
{
	enum authz_reason	 best = AUTHZ_NO_ROLE, r;
	size_t			 i;

	if (a->user_id != NULL && t->user_id != NULL &&
	    strcasecmp(a->user_id, t->user_id) == 0)
		return AUTHZ_SELF;
	for (i = 0; i < a->nroles; i++) {
		const struct assignment	*as = &a->roles[i];

		if (as->role >= ROLE__MAX || !grants(as->role, act))
			continue;
		if (as->unit_id != NULL && !member_of(t, as->unit_id))
			r = AUTHZ_OUT_OF_SCOPE;
		else if (as->unit_id != NULL &&
		    authz_has_org_scope(t->roles, t->nroles))
			r = AUTHZ_TARGET_ORG_ROLE;
		else if (!tier_ok(as->role, t))
			r = AUTHZ_TIER;
		else
			return AUTHZ_OK;
		/* Report the assignment that came closest. */
		if (r > best)
			best = r;
	}
	return best;
}

int
authz_sees_phones(enum authz_reason why)
{
	return why == AUTHZ_OK || why == AUTHZ_SELF;
}

const char *
authz_reason_text(enum authz_reason r)
{
	switch (r) {
	case AUTHZ_OK:
		return "";
	case AUTHZ_SELF:
		return "This is your own account: change your password on My "
		    "account; your admin changes your phone numbers.";
	case AUTHZ_NO_ROLE:
		return "Your role does not include this action.";
	case AUTHZ_OUT_OF_SCOPE:
		return "This person is outside your locations.";
	case AUTHZ_TARGET_ORG_ROLE:
		return "This person is an administrator for the whole "
		    "organisation, whom location managers cannot manage.";
	case AUTHZ_TIER:
		return "This person is an administrator you cannot manage.";
	case AUTHZ_REASON__MAX:
		break;
	}
	return "Not allowed.";
}

const char *
authz_reason_code(enum authz_reason r)
{
	static const char *const codes[AUTHZ_REASON__MAX] = {
		"ok", "self", "no_role", "out_of_scope", "target_org_role",
		"tier",
	};

	return r < AUTHZ_REASON__MAX ? codes[r] : "unknown";
}

enum mystaff_verdict
mystaff_access(const struct mystaff_ctx *c)
{
	if (c->nroles == 0)
		return MYSTAFF_NO_ROLE;
	if (c->blocked)
		return MYSTAFF_BLOCKED;
	if (c->mode == MYSTAFF_NONE)
		return MYSTAFF_OFF;
	if (c->mode == MYSTAFF_SELECTED && !c->selected)
		return MYSTAFF_NOT_SELECTED;
	if (c->require_mfa && (c->mfa_at == 0 ||
	    c->now - c->mfa_at >= c->frequency))
		return MYSTAFF_NEEDS_MFA;
	/* ca.require_totp: a texted code is not enough for My Staff. */
	if (c->require_mfa && c->require_totp && c->mfa_sms)
		return MYSTAFF_NEEDS_MFA;
	return MYSTAFF_OK;
}
