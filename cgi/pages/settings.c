/*
 * settings.c: /admin/settings, the settings table in four sections (My
 * Staff access, Conditional Access, authentication methods, passwords
 * and sessions). Each section is shown to the roles that may read its
 * area and is a form for those that may change it (authz_admin_ok);
 * every field is named after its setting. My Staff access also holds
 * the list of people mystaff.access = selected lets in.
 *
 * A change is checked field by field (settings_check) and as a whole
 * (settings_conflict); a refusal is a 422 with the fields marked and
 * what was typed kept. A change is stored with its audit row in one
 * transaction, and every worker reads the settings per request, so it
 * counts from the next request on.
 */
#include <string.h>

#include "authz.h"
#include "cidr.h"
#include "db/audit.h"
#include "db/db.h"
#include "http.h"
#include "keys.h"
#include "pages/pages.h"
#include "pages/person.h"
#include "session.h"
#include "settings.h"
#include "tpl.h"

#define SELECTED_SHOWN	1000	/* people listed as selected */

struct field {
	enum setting	 set;
	const char	*label, *help;
};

static const struct field mystaff_fields[] = {
	{ SET_MYSTAFF_ACCESS, "Who may use My Staff",
	    "all: everyone who holds a role; selected: the people listed "
	    "below, if they hold a role; none: nobody" },
};

static const struct field ca_fields[] = {
	{ SET_CA_REQUIRE_MFA, "Require a second factor for My Staff",
	    "on: My Staff asks for the authenticator app (again after the "
	    "hours below)" },
	{ SET_CA_SIGNIN_FREQUENCY_HOURS,
	    "Ask for the second factor again after (hours)",
	    "how long a passed second factor counts" },
	{ SET_CA_TRUSTED_NETWORKS, "Trusted networks",
	    "addresses or networks such as 192.0.2.0/24 or 2001:db8::/32, "
	    "separated by spaces, commas or lines; signing in from one "
	    "within the hours above of the last second factor does not ask "
	    "for it again" },
	{ SET_CA_BLOCKED_NETWORKS, "Blocked networks",
	    "My Staff refuses every request from these networks, saying "
	    "why" },
	{ SET_CA_REQUIRE_TOTP, "Require the authenticator app",
	    "on: an SMS code does not count as the second factor for My "
	    "Staff" },
};

static const struct field methods_fields[] = {
	{ SET_TOTP, "Authenticator app (TOTP)",
	    "codes from an app such as Microsoft or Google Authenticator" },
	{ SET_SMS_SIGNIN, "Sign in with an SMS code",
	    "all, selected or none of the people with a mobile number" },
	{ SET_SMS_MFA, "SMS code as a second factor", "on or off" },
	{ SET_SMS_SSPR, "Reset a forgotten password by SMS",
	    "self-service password reset with the mobile number" },
	{ SET_SSPR_ADMINS, "People holding a role may reset by SMS too",
	    "on: with a texted code and their authenticator app; off: they "
	    "ask another admin" },
	{ SET_SMS_PER_NUMBER_PER_HOUR, "Texts per number per hour",
	    "more are refused until the hour has passed" },
	{ SET_SMS_PER_IP_PER_HOUR, "Texts per network address per hour",
	    "a store's staff often share one address" },
	{ SET_SMS_ALLOWED_COUNTRY_CODES, "Country codes texts may go to",
	    "such as 1 44 353; empty: any" },
};

static const struct field passwords_fields[] = {
	{ SET_PASSWORD_MIN_LENGTH, "Shortest password (characters)",
	    "for passwords people choose themselves" },
	{ SET_PASSWORD_BANNED_WORDS, "Words not allowed in passwords",
	    "such as the organisation's name; letters and digits, 3 to 64 "
	    "each, separated by spaces, commas or lines" },
	{ SET_LOCKOUT_THRESHOLD, "Failed sign-ins before an account locks",
	    "in a row" },
	{ SET_LOCKOUT_SECONDS, "First lock (seconds)",
	    "doubles with each further failure, up to an hour" },
	{ SET_SIGNIN_IP_FAILURES_PER_HOUR,
	    "Failed sign-ins per network address per hour",
	    "more are refused until the hour has passed" },
	{ SET_MFA_MAX_ATTEMPTS, "Wrong codes before the sign-in starts over",
	    "per sign-in" },
	{ SET_SESSION_IDLE_MINUTES, "Sign out after idle (minutes)",
	    "a session nobody uses for this long ends" },
	{ SET_SESSION_ABSOLUTE_HOURS, "Sign out after (hours)",
	    "however busy the session" },
	{ SET_RESET_TEMP_TTL_HOURS, "Temporary passwords expire after (hours)",
	    "the ones My Staff gives cloud accounts" },
	{ SET_RESET_DELIVER, "Temporary passwords are",
	    "show: shown to the manager; sms: texted to the person's mobile" },
	{ SET_ONPREM_MIN_LENGTH, "On-premises: shortest password",
	    "the directory's own policy, checked before writing back" },
	{ SET_ONPREM_COMPLEXITY, "On-premises: three kinds of character",
	    "upper case, lower case, digits, symbols" },
	{ SET_ONPREM_NO_ACCOUNT_NAME, "On-premises: not the account name",
	    "on: a password may not contain the account name" },
	{ SET_ONPREM_WRITEBACK, "On-premises: where passwords go",
	    "local: kept here; none: on-premises accounts cannot be reset; "
	    "ldap: written to the directory of the ldap_* config keys, "
	    "which also checks their sign-ins" },
};

static const struct {
	const char		*id, *title, *intro;
	enum admin_area		 area;
	const struct field	*fields;
	size_t			 n;
} sections[SEC__MAX] = {
	[SEC_MYSTAFF] = { "mystaff", "My Staff access",
	    "Who may use My Staff. Only people holding a role can get in, "
	    "whatever is chosen here.", AREA_MYSTAFF, mystaff_fields,
	    sizeof(mystaff_fields) / sizeof(mystaff_fields[0]) },
	[SEC_CA] = { "ca", "Conditional Access for My Staff",
	    "When and from where My Staff asks for a second factor, and "
	    "where it may not be used.", AREA_CA, ca_fields,
	    sizeof(ca_fields) / sizeof(ca_fields[0]) },
	[SEC_METHODS] = { "methods", "Authentication methods",
	    "The ways people may prove who they are, and the limits on "
	    "texts. Codes by SMS work as a second factor (sms.mfa), "
	    "for signing in (sms.signin) and for resetting a forgotten "
	    "password at /reset (sms.sspr; sspr.admins for people "
	    "holding a role).",
	    AREA_METHODS, methods_fields,
	    sizeof(methods_fields) / sizeof(methods_fields[0]) },
	[SEC_PASSWORDS] = { "passwords", "Passwords and sessions",
	    "Password rules, lockout, how long sessions last, and resets.",
	    AREA_PASSWORDS, passwords_fields,
	    sizeof(passwords_fields) / sizeof(passwords_fields[0]) },
};

/* What a refused form brings back: the section, typed values, why. */
struct form {
	enum settings_section	 sec;
	const char	*message;		/* for the section */
	const char	*typed[SET__MAX];	/* NULL: the stored value */
	const char	*why[SET__MAX];		/* NULL: fine */
};

/* One field of a form: a choice, a number or a list. */
static void
field_show(struct tpl *t, const struct field *f, const char *value,
    const char *why)
{
	static const char *const	 onoff[] = { "on", "off", NULL };
	const struct setting_def	*d = settings_def(f->set);
	const char *const		*words;
	struct tpl			*s = tpl_section(t, "FIELD"), *w, *o;
	size_t				 i;

	tpl_set(s, "NAME", d->name);
	tpl_set(s, "LABEL", f->label);
	tpl_set(s, "HELP", f->help);
	if (why != NULL) {
		tpl_show(s, "BAD");
		tpl_set(s, "WHY", why);
	}
	switch (d->type) {
	case ST_BOOL:
	case ST_CHOICE:
		w = tpl_section(s, "SELECT");
		words = d->type == ST_BOOL ? onoff : d->choices;
		for (i = 0; words[i] != NULL; i++) {
			o = tpl_section(w, "OPTION");
			tpl_set(o, "VALUE", words[i]);
			if (strcmp(words[i], value) == 0)
				tpl_show(o, "ON");
		}
		break;
	case ST_INT:
		w = tpl_section(s, "NUMBER");
		tpl_set(w, "VALUE", value);
		tpl_set_int(w, "MIN", d->min);
		tpl_set_int(w, "MAX", d->max);
		break;
	case ST_NETS:
	case ST_TRUSTED_NETS:
	case ST_CODES:
	case ST_WORDS:
		w = tpl_section(s, "LIST");
		tpl_set(w, "VALUE", value);
		break;
	}
}

/*
 * The selected people of mystaff.access = selected, with Remove buttons
 * and a search to add one for those who may change the section; a
 * warning when the setting is "selected" and nobody is. DB_OK or a
 * db_err.
 */
static int
people_show(struct req *r, struct tpl *sec, int can)
{
	struct q_mystaff_people_rows	 rows;
	struct tpl			*t = tpl_section(sec, "PEOPLE"), *p;
	const char			*q = r->in[K_Q].text;
	size_t				 i;
	int				 rc;

	if ((rc = q_mystaff_people(r->db, &r->arena,
	    &(struct q_mystaff_people_in){ .max = DB_INT(SELECTED_SHOWN + 1) },
	    &rows)) != DB_OK)
		return rc;
	if (rows.n == 0) {
		tpl_show(t, "NONE");
		if (settings_choice(r->settings, SET_MYSTAFF_ACCESS) ==
		    MYSTAFF_SELECTED) {
			tpl_show(sec, "WARNING");
			tpl_set(sec, "WARNING_MSG", "Nobody is selected: until "
			    "you add people below, nobody can use My Staff.");
		}
	}
	for (i = 0; i < rows.n && i < SELECTED_SHOWN; i++) {
		p = tpl_section(t, "PICKED");
		tpl_set(p, "ID", rows.row[i].id);
		tpl_set(p, "NAME", rows.row[i].display_name);
		tpl_set(p, "UPN", rows.row[i].upn);
		if (can)
			tpl_show(p, "CAN");
	}
	if (rows.n > SELECTED_SHOWN) {
		tpl_show(t, "MORE");
		tpl_set_int(t, "SHOWN", SELECTED_SHOWN);
	}
	if (!can)
		return DB_OK;
	p = tpl_section(t, "CAN_ADD");
	tpl_set(p, "Q", q != NULL ? q : "");
	if (q == NULL || *q == '\0')
		return DB_OK;
	return page_pick_people(r, p, q, "HIT", NULL);
}

/*
 * The version of a section as a page showed it: FNV-1a of its names and
 * values. A save from a page whose section has changed since is refused,
 * so two admins cannot undo each other's change unknowingly.
 */
static uint32_t
section_version(const struct settings *st, enum settings_section sec)
{
	const char	*p;
	uint32_t	 h = 2166136261u;
	size_t		 k;
	int		 part;

	for (k = 0; k < sections[sec].n; k++)
		for (part = 0; part < 2; part++) {
			p = part == 0 ? settings_name(sections[sec].fields[k].set) :
			    settings_str(st, sections[sec].fields[k].set);
			do
				h = (h ^ (unsigned char)*p) * 16777619u;
			while (*p++ != '\0');
		}
	return h;
}

/* The label of a setting on this page. */
static const char *
field_label(enum setting set)
{
	size_t	i, k;

	for (i = 0; i < SEC__MAX; i++)
		for (k = 0; k < sections[i].n; k++)
			if (sections[i].fields[k].set == set)
				return sections[i].fields[k].label;
	return settings_name(set);
}

/*
 * One section into s: a form for those who may change it (with what f
 * brought back), else a table of its values; its notices. DB_OK or a
 * db_err.
 */
static int
section_show(struct req *r, struct tpl *s, enum settings_section sec,
    int can, const struct form *f)
{
	const struct field	*fd;
	struct tpl		*v, *row;
	const char		*value;
	size_t			 k;

	tpl_set(s, "ID", sections[sec].id);
	tpl_set(s, "TITLE", sections[sec].title);
	tpl_set(s, "INTRO", sections[sec].intro);
	if (f != NULL && f->sec == sec) {
		tpl_show(s, "ERROR");
		tpl_set(s, "MESSAGE", f->message);
	} else if (r->in[K_SAVED].text != NULL && r->in[K_SAVED].i == sec) {
		tpl_show(s, "SAVED");
		tpl_set(s, "SAVED_MSG", "Saved. The change counts from the "
		    "next page anyone opens.");
	}
	if (sec == SEC_CA && cidr_list_has(settings_str(r->settings,
	    SET_CA_BLOCKED_NETWORKS), r->ip)) {
		tpl_show(s, "WARNING");
		tpl_set(s, "WARNING_MSG", arena_printf(&r->arena, "Your own "
		    "address (%s) is in the blocked networks: My Staff refuses "
		    "you here.", r->ip));
	}
	if (can) {
		v = tpl_section(s, "FORM");
		tpl_set_int(v, "VERSION", section_version(r->settings, sec));
	} else
		v = tpl_section(s, "VIEW");
	for (k = 0; k < sections[sec].n; k++) {
		fd = &sections[sec].fields[k];
		value = settings_str(r->settings, fd->set);
		if (f != NULL && f->sec == sec && f->typed[fd->set] != NULL)
			value = f->typed[fd->set];
		if (can) {
			field_show(v, fd, value, f != NULL && f->sec == sec ?
			    f->why[fd->set] : NULL);
			continue;
		}
		row = tpl_section(v, "ROW");
		tpl_set(row, "NAME", settings_name(fd->set));
		tpl_set(row, "LABEL", fd->label);
		tpl_set(row, "VALUE", *value != '\0' ? value : "(none)");
	}
	return sec == SEC_MYSTAFF ? people_show(r, s, can) : DB_OK;
}

/* The page: every section the actor may read; f: a refused form. */
static void
settings_page(struct req *r, int status, const struct form *f)
{
	struct tpl	*t, *toc;
	size_t		 shown = 0;
	int		 i, can, rc;

	t = page_new(r, f != NULL ? "Settings: not saved" : "Settings");
	tpl_set_global(t, "CSRF", r->sess->csrf);
	if (f != NULL) {
		tpl_show(t, "SUMMARY");
		tpl_set(t, "SUMMARY_ID", sections[f->sec].id);
		tpl_set(t, "SUMMARY_TITLE", sections[f->sec].title);
	}
	for (i = 0; i < SEC__MAX; i++) {
		if (!authz_admin_ok(r->actor, sections[i].area, ADMIN_READ))
			continue;
		can = authz_admin_ok(r->actor, sections[i].area, ADMIN_CHANGE);
		shown++;
		toc = tpl_section(t, "TOC");
		tpl_set(toc, "ID", sections[i].id);
		tpl_set(toc, "TITLE", sections[i].title);
		if (!can)
			tpl_show(toc, "READ_ONLY");
		if ((rc = section_show(r, tpl_section(t, "SECTION"),
		    (enum settings_section)i, can, f)) != DB_OK) {
			tpl_free(t);
			page_db_error(r, rc);
			return;
		}
	}
	if (shown == 0) {
		tpl_free(t);
		page_error(r, 403, "Your roles do not open any of the "
		    "settings.");
		return;
	}
	page_render(r, status, "admin_settings.tpl", t);
}

/* GET /admin/settings?q=&saved=: the sections the actor may read. */
void
page_settings(struct req *r)
{
	settings_page(r, 200, NULL);
}

/* Refusals of change_txn (db_txn rolls back and passes them on). */
enum { TXN_CHANGED = DB_REFUSED, TXN_CONFLICT };

struct change {
	struct req		*r;
	enum settings_section	 sec;
	const char		*typed[SET__MAX];	/* checked, normalised */
	struct settings		 next;
	enum setting		 which;		/* TXN_CONFLICT: the field */
	const char		*why;
};

/*
 * Reads the settings locked, puts the section's typed values on them and
 * stores what changed with its audit row, unless the section changed
 * since the page (TXN_CHANGED) or the values clash with the others
 * (TXN_CONFLICT).
 */
static int
change_txn(struct db *db, void *arg)
{
	struct change	*c = arg;
	struct req	*r = c->r;
	struct settings	 cur;
	struct audit	 a = {
		.action = "settings.update",
		.ok = 1,
		.target_name = sections[c->sec].title,
		.client = "admin",
	};
	size_t		 k, n;
	int		 set, rc;

	if ((rc = settings_load(db, &r->arena, &cur, 1)) != DB_OK)
		return rc;
	if (section_version(&cur, c->sec) != (uint32_t)r->in[K_VERSION].i)
		return TXN_CHANGED;
	c->next = cur;
	for (k = 0; k < sections[c->sec].n; k++)
		if (c->typed[set = sections[c->sec].fields[k].set] != NULL)
			c->next.value[set] = c->typed[set];
	/* A clash among the fields of another section (stored before) is
	 * not this save's to refuse. */
	if ((c->why = settings_conflict(&c->next, &c->which)) != NULL)
		for (k = 0; k < sections[c->sec].n; k++)
			if (sections[c->sec].fields[k].set == c->which)
				return TXN_CONFLICT;
	if ((rc = settings_store(db, &r->arena, &cur, &c->next, &a.details,
	    &n)) != DB_OK || n == 0)
		return rc;
	return page_audit_row(db, r, &a);
}

/*
 * POST /admin/settings/{section}: the section's fields (one left out
 * stays as it is) and the version of the page; 303 back; 422 with the
 * refused fields marked and what was typed kept, or with the section as
 * it is now when it changed meanwhile; 400 for a field sent twice or
 * too long. The route checked the right.
 */
static void
settings_post(struct req *r, enum settings_section sec)
{
	struct http_key		 keys[SET__MAX];
	struct http_value	 in[SET__MAX];
	struct change		 c;
	struct form		 f;
	const char		*why = NULL, *v;
	enum setting		 set;
	uint64_t		 mask = 0;
	size_t			 k, bad = 0;
	int			 i, rc;

	if (r->in[K_VERSION].text == NULL) {
		page_error(r, 400, "The form is missing its version. Reload "
		    "the page and try again.");
		return;
	}
	/* The form's keys are the settings' names, bounded as the table. */
	for (i = 0; i < SET__MAX; i++)
		keys[i] = (struct http_key){ .name = settings_name(i),
		    .max = SETTING_VALUE_MAX, .type = HTTP_TEXT };
	for (k = 0; k < sections[sec].n; k++)
		mask |= UINT64_C(1) << sections[sec].fields[k].set;
	memset(in, 0, sizeof(in));
	if ((rc = http_parse_form(r, r->body, r->bodylen, keys, SET__MAX,
	    mask, in, &why)) != 0) {
		page_error(r, rc, why);
		return;
	}
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.sec = c.sec = sec;
	c.r = r;
	for (k = 0; k < sections[sec].n; k++) {
		set = sections[sec].fields[k].set;
		if ((v = in[set].text) == NULL)
			continue;
		f.typed[set] = v;
		v = settings_normalise(&r->arena, set, v);
		if ((f.why[set] = settings_check(&r->arena, set, v)) != NULL)
			bad++;
		else
			c.typed[set] = v;
	}
	if (bad > 0) {
		f.message = bad == 1 ? "One value cannot be used; it is marked "
		    "below. Nothing was saved." : "Some values cannot be used; "
		    "they are marked below. Nothing was saved.";
		settings_page(r, 422, &f);
		return;
	}
	switch ((rc = db_txn(r->db, change_txn, &c))) {
	case DB_OK:
		http_redirect(r, arena_printf(&r->arena,
		    "/admin/settings?saved=%s#%s", sections[sec].id,
		    sections[sec].id));
		return;
	case TXN_CONFLICT:
		f.why[c.which] = c.why;
		f.message = arena_printf(&r->arena, "%s: this %s. Nothing was "
		    "saved.", field_label(c.which), c.why);
		settings_page(r, 422, &f);
		return;
	case TXN_CHANGED:
		/* Show the section as it is now, not what was typed. */
		if ((rc = settings_load(r->db, &r->arena, r->settings, 0)) !=
		    DB_OK)
			break;
		memset(f.typed, 0, sizeof(f.typed));
		f.message = "Someone changed these settings while you were "
		    "editing them. Nothing was saved: here they are as they "
		    "are now. Make your change again if it is still needed.";
		settings_page(r, 422, &f);
		return;
	}
	page_db_error(r, rc);
}

/*
 * GET /admin/settings/{section}: where a refused form's page was
 * reloaded; 303 to the section on the settings page.
 */
void
page_settings_section(struct req *r)
{
	http_redirect(r, arena_printf(&r->arena, "/admin/settings#%s",
	    strrchr(r->path, '/') + 1));
}

void
page_settings_mystaff_post(struct req *r)
{
	settings_post(r, SEC_MYSTAFF);
}

void
page_settings_ca_post(struct req *r)
{
	settings_post(r, SEC_CA);
}

void
page_settings_methods_post(struct req *r)
{
	settings_post(r, SEC_METHODS);
}

void
page_settings_passwords_post(struct req *r)
{
	settings_post(r, SEC_PASSWORDS);
}

struct pick {
	struct req	*r;
	int		 select;
	const char	*id, *name;
};

static int
pick_txn(struct db *db, void *arg)
{
	struct pick	*p = arg;
	struct audit	 a = {
		.action = p->select ? "mystaff.select" : "mystaff.unselect",
		.ok = 1,
		.target_id = p->id,
		.target_name = p->name,
		.client = "admin",
	};
	uint64_t	 n = 0;
	int		 rc;

	rc = (p->select ? q_mystaff_select : q_mystaff_unselect)(db,
	    &(struct q_mystaff_select_in){ .user = DB_TEXT(p->id) }, &n);
	if (rc != DB_OK || n == 0)
		return rc;	/* selected already, or not: nothing to log */
	return page_audit_row(db, p->r, &a);
}

/* POST /admin/mystaff/select and /unselect: user=ID; 303 back. */
static void
pick_post(struct req *r, int select)
{
	const struct q_user_name_row	*who;
	int				 rc;

	if (person_of_form(r, &who) != 0)
		return;
	if ((rc = db_txn(r->db, pick_txn, &(struct pick){ r, select, who->id,
	    who->display_name })) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	http_redirect(r, "/admin/settings?saved=mystaff#selected");
}

void
page_mystaff_select_post(struct req *r)
{
	pick_post(r, 1);
}

void
page_mystaff_unselect_post(struct req *r)
{
	pick_post(r, 0);
}
