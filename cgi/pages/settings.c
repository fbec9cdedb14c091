/*
 * settings.c: /admin/settings, the settings table in four sections (My
 * Staff access, Conditional Access, authentication methods, passwords
 * and sessions). Each section is shown to the roles that may read its
 * area and is a form for those that may change it (authz_admin_ok);
 * every field is named after its setting. My Staff access also holds
 * the list of people mystaff.access = selected lets in, Authentication
 * methods the list sms.signin = selected lets in (struct pick_list).
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
	    "on: My Staff asks for a second factor, the authenticator app "
	    "or, with SMS codes as a second factor on, a texted code (again "
	    "after the hours below)" },
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
	    "all, selected (the list below) or none of the people with a "
	    "mobile number; people holding a role can sign in by text only "
	    "if they also have the authenticator app, which they are then "
	    "asked for" },
	{ SET_SMS_MFA, "SMS code as a second factor",
	    "on: at the second step a code can be texted to the mobile (or "
	    "alternate mobile) number instead of the app's code; people "
	    "holding a role without the app can then pass it" },
	{ SET_SMS_SSPR, "Reset a forgotten password by SMS",
	    "on: the sign-in page offers \"Forgot password?\", where people "
	    "reset their own password with a code texted to their mobile" },
	{ SET_SSPR_ADMINS, "People holding a role may reset by SMS too",
	    "on: with a texted code and their authenticator app; off: they "
	    "ask another admin" },
	{ SET_SMS_PER_NUMBER_PER_HOUR, "Texts per number per hour",
	    "more are refused until the hour has passed; besides, one number "
	    "gets at most one text a minute and one person ten an hour "
	    "(fixed)" },
	{ SET_SMS_PER_IP_PER_HOUR, "Texts per network address per hour",
	    "a store's staff often share one address" },
	{ SET_SMS_ALLOWED_COUNTRY_CODES, "Country codes texts may go to",
	    "such as 1 44 353; empty: any" },
	{ SET_PHONE_COUNTRY, "Country of numbers typed without a country code",
	    "two letters such as US, GB or IE: a number typed as it is "
	    "dialled there, (425) 555-0100 or 07700 900123, is read as that "
	    "country's (in My Staff and at sign-in by text); empty: every "
	    "number starts with + and its country code" },
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
	    "texts. A code texted to a person's mobile number can be their "
	    "second factor, their way to sign in, and their way to reset "
	    "a forgotten password.",
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
	case ST_REGION:
		w = tpl_section(s, "SHORT");
		tpl_set(w, "VALUE", value);
		break;
	}
}

/*
 * A list of people that a setting's "selected" lets in: My Staff
 * (mystaff.access) on My Staff access, sign-in by text (sms.signin) on
 * Authentication methods. Same shape of rows, same page, same audit.
 */
struct pick_list {
	const char		*id;	/* /admin/{id}/select, the anchors */
	const char		*pfx;	/* of the page's element ids */
	enum settings_section	 sec;
	enum setting		 set;
	long			 selected;	/* the choice that uses it */
	enum key		 q;		/* its search field */
	const char		*title, *hint, *nobody;
	const char		*select, *unselect;	/* audit actions */
	int (*people)(struct db *, struct arena *,
	    const struct q_mystaff_people_in *, struct q_mystaff_people_rows *);
	int (*add)(struct db *, const struct q_mystaff_select_in *,
	    uint64_t *);
	int (*remove)(struct db *, const struct q_mystaff_select_in *,
	    uint64_t *);
};

enum { LIST_MYSTAFF, LIST_SMS, LIST__MAX };

static const struct pick_list lists[LIST__MAX] = {
	[LIST_MYSTAFF] = { "mystaff", "", SEC_MYSTAFF, SET_MYSTAFF_ACCESS,
	    MYSTAFF_SELECTED, K_Q, "Selected people",
	    "While My Staff access is \"selected\", only these people can "
	    "use My Staff, and only if they also hold a role.",
	    "Nobody is selected: until you add people below, nobody can use "
	    "My Staff.", "mystaff.select", "mystaff.unselect",
	    q_mystaff_people, q_mystaff_select, q_mystaff_unselect },
	[LIST_SMS] = { "sms", "sms-", SEC_METHODS, SET_SMS_SIGNIN,
	    SMS_SIGNIN_SELECTED, K_SMS_Q, "People who may sign in by text",
	    "While sign-in with an SMS code is \"selected\", only these "
	    "people can, and only with a mobile number on file. People "
	    "holding a role can only if they also have the authenticator "
	    "app.",
	    "Nobody is selected: until you add people below, nobody can "
	    "sign in by text.", "sms.select", "sms.unselect",
	    q_sms_signin_people, q_sms_signin_select, q_sms_signin_unselect },
};

/*
 * The notice of an Add or Remove that redirected here (done=, who=) on
 * the list it was about (its search kept: the anchor's list): said only
 * while the list still shows it so.
 */
static void
list_notice(struct req *r, struct tpl *t, const struct pick_list *l,
    const struct q_mystaff_people_rows *rows)
{
	struct q_user_name_rows	 who;
	const char		*id = r->in[K_WHO].text;
	size_t			 i;
	int			 on = 0, added;

	if (r->in[K_DONE].text == NULL || id == NULL ||
	    (r->in[K_DONE].i != DONE_ADDED && r->in[K_DONE].i !=
	    DONE_REMOVED) || r->in[K_SAVED].text == NULL ||
	    r->in[K_SAVED].i != l->sec)
		return;
	added = r->in[K_DONE].i == DONE_ADDED;
	for (i = 0; i < rows->n; i++)
		on |= strcmp(rows->row[i].id, id) == 0;
	if (on != added || q_user_name(r->db, &r->arena,
	    &(struct q_user_name_in){ .id = DB_TEXT(id) }, &who) != DB_OK ||
	    who.n == 0)
		return;
	tpl_show(t, "LIST_NOTICE");
	tpl_set(t, "LIST_NOTICE_MSG", arena_printf(&r->arena, added ?
	    "%s added." : "%s removed.", who.row[0].display_name));
}

/*
 * The people of the list l into sec, with Remove buttons and a search
 * to add one for those who may change the section; a warning when the
 * setting is "selected" and nobody is. DB_OK or a db_err.
 */
static int
people_show(struct req *r, struct tpl *sec, const struct pick_list *l,
    int can)
{
	struct q_mystaff_people_rows	 rows;
	struct tpl			*t = tpl_section(sec, "PEOPLE"), *p;
	const char			*q = r->in[l->q].text;
	const char			**ids;
	size_t				 i;
	int				 rc;

	tpl_set(t, "LIST", l->id);
	tpl_set(t, "PFX", l->pfx);
	tpl_set(t, "LIST_TITLE", l->title);
	tpl_set(t, "LIST_HINT", l->hint);
	tpl_set(t, "Q_NAME", route_keys[l->q].name);
	tpl_set(t, "Q", q != NULL ? q : "");
	if ((rc = l->people(r->db, &r->arena, &(struct q_mystaff_people_in){
	    .max = DB_INT(SELECTED_SHOWN + 1) }, &rows)) != DB_OK)
		return rc;
	list_notice(r, t, l, &rows);
	if (rows.n == 0) {
		tpl_show(t, "NONE");
		if (settings_choice(r->settings, l->set) == l->selected) {
			tpl_show(sec, "WARNING");
			tpl_set(sec, "WARNING_MSG", l->nobody);
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
	ids = arena_alloc(&r->arena, (rows.n + 1) * sizeof(*ids));
	for (i = 0; i < rows.n; i++)
		ids[i] = rows.row[i].id;
	return page_pick_people(r, p, q, "HIT", &(struct pick_already){
	    NULL, ids, rows.n });
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
	int			 rc;

	tpl_set(s, "ID", sections[sec].id);
	tpl_set(s, "TITLE", sections[sec].title);
	tpl_set(s, "INTRO", sections[sec].intro);
	if (f != NULL && f->sec == sec) {
		tpl_show(s, "ERROR");
		tpl_set(s, "MESSAGE", f->message);
	} else if (r->in[K_SAVED].text != NULL && r->in[K_SAVED].i == sec &&
	    r->in[K_DONE].text == NULL) {
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
	for (k = 0; k < LIST__MAX; k++)
		if (lists[k].sec == sec && (rc = people_show(r, s, &lists[k],
		    can)) != DB_OK)
			return rc;
	return DB_OK;
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
		page_forbid(r, &(struct audit){ .reason = "no_role",
		    .client = "admin" }, "Your roles do not open any of the "
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
	if ((c->why = settings_conflict(&c->next, c->r->conf,
	    &c->which)) != NULL)
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
	struct req		*r;
	const struct pick_list	*l;
	int			 select;
	const char		*id, *name;
};

static int
pick_txn(struct db *db, void *arg)
{
	struct pick	*p = arg;
	struct audit	 a = {
		.action = p->select ? p->l->select : p->l->unselect,
		.ok = 1,
		.target_id = p->id,
		.target_name = p->name,
		.client = "admin",
	};
	uint64_t	 n = 0;
	int		 rc;

	rc = (p->select ? p->l->add : p->l->remove)(db,
	    &(struct q_mystaff_select_in){ .user = DB_TEXT(p->id) }, &n);
	if (rc != DB_OK || n == 0)
		return rc;	/* selected already, or not: nothing to log */
	return page_audit_row(db, p->r, &a);
}

/* POST /admin/{mystaff,sms}/select and /unselect: user=ID; 303 back. */
static void
pick_post(struct req *r, const struct pick_list *l, int select)
{
	const struct q_user_name_row	*who;
	const char			*q;
	int				 rc;

	if (person_of_form(r, &who) != 0)
		return;
	if ((rc = db_txn(r->db, pick_txn, &(struct pick){ r, l, select,
	    who->id, who->display_name })) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	/* Back to the list, its search kept for the next person, with
	 * what was done to whom (people_show() says it while it holds). */
	q = r->in[l->q].text;
	http_redirect(r, arena_printf(&r->arena, "/admin/settings?saved=%s&"
	    "done=%s&who=%s%s%s%s#%sselected", sections[l->sec].id,
	    select ? "added" : "removed", who->id,
	    q != NULL && *q != '\0' ? "&" : "", q != NULL && *q != '\0' ?
	    route_keys[l->q].name : "", q != NULL && *q != '\0' ?
	    arena_printf(&r->arena, "=%s", http_urlencode(&r->arena, q)) : "",
	    l->pfx));
}

void
page_mystaff_select_post(struct req *r)
{
	pick_post(r, &lists[LIST_MYSTAFF], 1);
}

void
page_mystaff_unselect_post(struct req *r)
{
	pick_post(r, &lists[LIST_MYSTAFF], 0);
}

void
page_sms_select_post(struct req *r)
{
	pick_post(r, &lists[LIST_SMS], 1);
}

void
page_sms_unselect_post(struct req *r)
{
	pick_post(r, &lists[LIST_SMS], 0);
}
