/*
 * authz.h: who may do what to whom, as pure functions of plain structs:
 * no I/O, no globals. The same call gates the buttons on a page and the
 * POST that acts. The rules (the README's "Who may do what"):
 *
 * Roles. global-administrator may do everything.
 *   Reset a password: password-, helpdesk-, authentication-, user-,
 *   privileged-authentication- and global-administrator.
 *   Manage phone numbers: authentication-, privileged-authentication-
 *   and global-administrator.
 *   authentication-policy-administrator, conditional-access-administrator,
 *   privileged-role-administrator, directory-reader, reports-reader and
 *   security-reader act on nobody here (their rights are in the admin
 *   console: authz_admin_ok() below).
 *
 * Reset tiers: the actor's role must be allowed for EVERY role the
 * target holds (a target with no role is "none"):
 *
 *   target holds \ actor             password helpdesk authn user priv-authn,
 *                                    -adm     -adm     -adm  -adm global-adm
 *   none, directory-/reports-reader  yes      yes      yes   yes  yes
 *   password-administrator           yes      yes      yes   yes  yes
 *   helpdesk-administrator           no       yes      no    yes  yes
 *   authentication-administrator     no       no       yes   no   yes
 *   user-administrator               no       no       no    yes  yes
 *   any other role                   no       no       no    no   yes
 *
 * Phones: authentication-administrator may manage the phones of the
 * targets its column allows; privileged-authentication- and
 * global-administrator those of anyone.
 *
 * Scope: an org-scope assignment (unit_id NULL) covers everyone; a unit
 * assignment covers that unit's direct members who hold no org-scope
 * role. Nobody acts on their own account here (they use /account).
 * Reading is broader: every My Staff user may view everyone; these
 * checks gate the actions only.
 */
#ifndef STAFFDESK_AUTHZ_H
#define STAFFDESK_AUTHZ_H

#include <stddef.h>

enum role {
	ROLE_GLOBAL_ADMIN,
	ROLE_PRIV_AUTH_ADMIN,
	ROLE_AUTH_ADMIN,
	ROLE_USER_ADMIN,
	ROLE_HELPDESK_ADMIN,
	ROLE_PASSWORD_ADMIN,
	ROLE_AUTH_POLICY_ADMIN,
	ROLE_CA_ADMIN,
	ROLE_DIRECTORY_READER,
	ROLE_REPORTS_READER,
	ROLE_PRIV_ROLE_ADMIN,
	ROLE_SECURITY_READER,
	ROLE__MAX
};

enum authz_action {
	AUTHZ_RESET_PASSWORD,
	AUTHZ_MANAGE_PHONES,
	AUTHZ__MAX
};

/* Why an action is refused; AUTHZ_OK when it is allowed. */
enum authz_reason {
	AUTHZ_OK,
	AUTHZ_SELF,		/* one's own account: use /account */
	AUTHZ_NO_ROLE,		/* no role of the actor grants the action */
	AUTHZ_OUT_OF_SCOPE,	/* not a member of the actor's locations */
	AUTHZ_TARGET_ORG_ROLE,	/* holds an org-wide role: unit scope can't */
	AUTHZ_TIER,		/* an administrator the actor cannot manage */
	AUTHZ_REASON__MAX
};

/* A role assignment: unit_id NULL means the whole organisation. */
struct assignment {
	enum role	 role;
	const char	*unit_id;
};

struct authz_actor {
	const char		*user_id;
	const struct assignment	*roles;
	size_t			 nroles;
};

struct authz_target {
	const char		*user_id;
	const struct assignment	*roles;		/* what the target holds */
	size_t			 nroles;
	const char *const	*units;		/* direct memberships */
	size_t			 nunits;
};

/* The role for its id as the CLI and the DB spell it
 * ("helpdesk-administrator"), or -1. */
int		 authz_role_parse(const char *);
const char	*authz_role_id(enum role);
/* A role's name for people ("Helpdesk administrator"). */
const char	*authz_role_name(enum role);
/* The name for a role's id as stored; an id it does not know, as is. */
const char	*authz_role_label(const char *id);
/*
 * 1 when the role may be held for one location, 0 when only for the
 * whole organisation (a predicate). Organisation only: global-,
 * authentication-policy-, conditional-access- and
 * privileged-role-administrator and the three readers; a location
 * would give them nothing (the admin console counts only the
 * organisation's), or, for global-administrator, a name that says
 * more than it grants. The others: either.
 */
int		 authz_role_at_location(enum role);

/*
 * AUTHZ_OK when the actor may act on the target: one of the actor's
 * assignments grants the action, covers the target (org scope, or unit
 * scope over a direct member who holds no org-scope role) and is
 * allowed for every role the target holds. Otherwise the reason the
 * best-placed assignment fell short.
 */
enum authz_reason authz_check(const struct authz_actor *,
		    const struct authz_target *, enum authz_action);
/*
 * 1 when the actor sees the target's phone numbers whole, given why
 * (authz_check()'s answer for AUTHZ_MANAGE_PHONES): they may manage
 * them, or they are their own. Anyone else sees them masked.
 */
int		 authz_sees_phones(enum authz_reason why);
/* A line for the manager ("This person is outside your locations."). */
const char	*authz_reason_text(enum authz_reason);
/* A short code for the audit log ("out_of_scope"). */
const char	*authz_reason_code(enum authz_reason);
/* 1 when any of the roles has organisation scope. */
int		 authz_has_org_scope(const struct assignment *, size_t);

/*
 * 1 when the actor may read a location's recent activity (the audit
 * rows about its members, /units/{id}/activity): a role held at that
 * location, or any role of organisation scope.
 */
int		 authz_activity_ok(const struct authz_actor *,
		    const char *unit_id);

/*
 * The admin console (/admin): who may read and who may change each
 * area. Only assignments of organisation scope count; a role held at
 * one location opens none of it.
 *
 *   area        read                                change
 *   mystaff     global, user-adm, security-reader   global, user-adm
 *   ca          global, CA-adm, security-reader     global, CA-adm
 *   methods     global, auth-policy-adm, sec-reader global, auth-policy-adm
 *   passwords   global, security-reader             global
 *   units       global, user-adm, priv-role-adm,    global, user-adm
 *               directory-reader, security-reader
 *   roles       global, priv-role-adm, user-adm,    global, priv-role-adm
 *               directory-reader, security-reader
 *   audit       global, user-adm, reports-reader,   (nobody: it is a log)
 *               security-reader
 */
enum admin_area {
	AREA_MYSTAFF,		/* who may use My Staff */
	AREA_CA,		/* Conditional Access for My Staff */
	AREA_METHODS,		/* authentication methods */
	AREA_PASSWORDS,		/* passwords and sessions */
	AREA_UNITS,		/* locations and their members */
	AREA_ROLES,		/* role assignments */
	AREA_AUDIT,		/* the audit log */
	AREA__MAX,
	AREA_ANY = AREA__MAX	/* read: any one of them */
};

enum admin_verb { ADMIN_READ, ADMIN_CHANGE };

/* 1 when the actor may read (or change) the area. */
int		 authz_admin_ok(const struct authz_actor *, enum admin_area,
		    enum admin_verb);

/*
 * My Staff access: the actor holds at least one role, AND the request
 * does not come from one of ca.blocked_networks, AND the setting
 * mystaff.access is "all", or "selected" with the actor on the selected
 * list, AND Conditional Access is satisfied: when ca.require_mfa is on,
 * the session passed MFA less than ca.signin_frequency_hours ago (an
 * MFA remembered on a trusted network counts only on one).
 */
enum mystaff_mode { MYSTAFF_ALL, MYSTAFF_SELECTED, MYSTAFF_NONE };

enum mystaff_verdict {
	MYSTAFF_OK,
	MYSTAFF_NO_ROLE,	/* holds no admin role */
	MYSTAFF_OFF,		/* mystaff.access = none */
	MYSTAFF_NOT_SELECTED,	/* selected, and the actor is not */
	MYSTAFF_NEEDS_MFA,	/* Conditional Access wants a fresh MFA */
	MYSTAFF_BLOCKED,	/* from one of ca.blocked_networks */
};

struct mystaff_ctx {
	size_t			nroles;
	enum mystaff_mode	mode;
	int			selected;
	int			blocked;	/* the address is blocked */
	int			require_mfa;
	int			require_totp;	/* ca.require_totp */
	int			mfa_sms;	/* the MFA was a texted code */
	long long		mfa_at;		/* 0: never in this session */
	long long		now;
	long			frequency;	/* seconds */
};

enum mystaff_verdict mystaff_access(const struct mystaff_ctx *);

#endif
