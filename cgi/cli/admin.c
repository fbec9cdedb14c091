/*
 * admin.c: bin/staffdesk-admin; see cli.h. cmds[] below is the list of
 * commands and their usage lines.
 */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth/password.h"
#include "authz.h"
#include "auth/totp.h"
#include "cli/cli.h"
#include "conf.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/mfa.h"
#include "log.h"
#include "search.h"
#include "settings.h"

#define NAME_MAX_BYTES	256
#define UPN_MAX_BYTES	255

const char *
opt(const struct opts *o, const char *name)
{
	size_t	i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->name[i], name) == 0)
			return o->value[i];
	return NULL;
}

int
fail(const char *fmt, ...)
{
	va_list	ap;

	fputs("staffdesk-admin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

static int
db_fail_msg(int rc)
{
	if (rc == DB_DUP)
		return fail("that already exists");
	return fail("the database refused or did not answer (see above)");
}

int
cli_audit(struct cli *c, struct db *db, const char *action,
    const char *target_id, const char *target_name, const char *details)
{
	struct audit	a = {
		.action = arena_printf(&c->arena, "cli.%s", action),
		.ok = 1,
		.actor_upn = arena_printf(&c->arena, "cli:%s", c->os_user),
		.target_id = target_id,
		.target_name = target_name,
		.client = "cli",
		.details = details,
	};

	return audit_write(db, &a);
}

/* Finds a user by UPN or id: 1 (id, name filled), 0 none, or db_err. */
static int
find_user(struct cli *c, const char *key, const char **id, const char **name)
{
	struct q_user_by_id_rows	by_id;
	struct q_user_by_upn_rows	by_upn;
	int				rc;

	if (uuid_valid(key)) {
		if ((rc = q_user_by_id(c->db, &c->arena,
		    &(struct q_user_by_id_in){ .id = DB_TEXT(key) }, &by_id)) !=
		    DB_OK || by_id.n == 0)
			return rc;
		*id = by_id.row[0].id;
		*name = by_id.row[0].display_name;
		return 1;
	}
	if ((rc = q_user_by_upn(c->db, &c->arena, &(struct q_user_by_upn_in){
	    .upn = DB_TEXT(key) }, &by_upn)) != DB_OK || by_upn.n == 0)
		return rc;
	*id = by_upn.row[0].id;
	*name = by_upn.row[0].display_name;
	return 1;
}

static int
find_unit(struct cli *c, const char *key, const char **id, const char **name)
{
	struct q_unit_by_id_rows	rows;
	int				rc;

	if (uuid_valid(key))
		rc = q_unit_by_id(c->db, &c->arena, &(struct q_unit_by_id_in){
		    .id = DB_TEXT(key) }, &rows);
	else
		rc = q_unit_by_name(c->db, &c->arena,
		    &(struct q_unit_by_name_in){ .name = DB_TEXT(key) }, &rows);
	if (rc != DB_OK || rows.n == 0)
		return rc;
	*id = rows.row[0].id;
	*name = rows.row[0].name;
	return 1;
}

/* Reads one line (the password) from stdin into buf; 0 or -1. */
static int
read_password(char *buf, size_t sz)
{
	size_t	n;

	if (fgets(buf, (int)sz, stdin) == NULL)
		return -1;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(stdin))
		return -1;	/* longer than the buffer */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

static int
valid_e164(const char *s)
{
	size_t	n;

	if (s[0] != '+' || s[1] < '1' || s[1] > '9')
		return 0;
	n = strlen(s + 1);
	return n >= 8 && n <= 15 && strspn(s + 1, "0123456789") == n;
}

struct user_add {
	struct cli	*c;
	char		 id[UUID_LEN + 1];
	const char	*upn, *name, *given, *surname, *email, *mobile;
	const char	*job, *dept, *source, *hash;
	int		 must_change;
};

static int
user_add_txn(struct db *db, void *arg)
{
	struct user_add	*u = arg;
	int		 rc;

	if ((rc = q_user_insert(db, &(struct q_user_insert_in){
		.id = DB_TEXT(u->id),
		.upn = DB_TEXT(u->upn),
		.display_name = DB_TEXT(u->name),
		.given_name = DB_TEXT(u->given),
		.surname = DB_TEXT(u->surname),
		.email = DB_TEXT(u->email),
		.job_title = DB_TEXT(u->job),
		.department = DB_TEXT(u->dept),
		.source = DB_TEXT(u->source),
		.password_hash = DB_TEXT(u->hash),
		.must_change = DB_INT(u->must_change),
	    }, NULL)) != DB_OK)
		return rc;
	if (u->mobile != NULL && (rc = q_phone_insert(db,
	    &(struct q_phone_insert_in){ .user = DB_TEXT(u->id),
	    .type = DB_TEXT("mobile"), .number = DB_TEXT(u->mobile) },
	    NULL)) != DB_OK)
		return rc;
	if ((rc = search_index(db, &u->c->arena, "user", u->id, u->name,
	    u->upn, u->email, &u->mobile, u->mobile != NULL)) != DB_OK)
		return rc;
	return cli_audit(u->c, db, "user.add", u->id, u->name, NULL);
}

static int
check_text(const char *what, const char *v, size_t max)
{
	if (v == NULL)
		return 0;
	if (*v == '\0' || strlen(v) > max || !utf8_text_valid(v, strlen(v), 0))
		return fail("%s must be 1-%zu bytes of text", what, max);
	return 0;
}

static int
cmd_user_add(struct cli *c, const struct opts *o, const char *const *a, int n, int arg)
{
	struct user_add	 u;
	struct pw_person who;
	enum pw_verdict	 v;
	char		 pw[PW_MAX_BYTES + 2], hash[PW_HASH_MAX];
	int		 rc;

	(void)arg;
	(void)a; (void)n;
	memset(&u, 0, sizeof(u));
	u.c = c;
	u.upn = opt(o, "--upn");
	u.name = opt(o, "--name");
	u.given = opt(o, "--given-name");
	u.surname = opt(o, "--surname");
	u.email = opt(o, "--email");
	u.mobile = opt(o, "--mobile");
	u.job = opt(o, "--job-title");
	u.dept = opt(o, "--department");
	u.source = opt(o, "--source") ? opt(o, "--source") : "cloud";
	if (u.upn == NULL || u.name == NULL)
		return EXIT_USAGE;
	if (strchr(u.upn, '@') == NULL || strchr(u.upn, ' ') != NULL)
		return fail("--upn must look like name@domain");
	if (check_text("--upn", u.upn, UPN_MAX_BYTES) ||
	    check_text("--name", u.name, NAME_MAX_BYTES) ||
	    check_text("--given-name", u.given, 64) ||
	    check_text("--surname", u.surname, 64) ||
	    check_text("--email", u.email, 255) ||
	    check_text("--job-title", u.job, 128) ||
	    check_text("--department", u.dept, 128))
		return EXIT_FAIL;
	if (strcmp(u.source, "cloud") != 0 && strcmp(u.source, "onprem") != 0)
		return fail("--source must be cloud or onprem");
	if (u.mobile != NULL && !valid_e164(u.mobile))
		return fail("--mobile must be E.164: + and 8-15 digits");
	if (opt(o, "--password-stdin") != NULL) {
		if (read_password(pw, sizeof(pw)) == -1)
			return fail("no password on standard input, or "
			    "longer than %d bytes", PW_MAX_BYTES);
		who.upn = u.upn;
		who.display_name = u.name;
		who.given_name = u.given;
		who.surname = u.surname;
		if ((v = pw_policy_check(pw, &who)) != PW_OK) {
			OPENSSL_cleanse(pw, sizeof(pw));
			return fail("password refused: %s",
			    pw_verdict_message(v));
		}
		rc = pw_hash(pw, hash, sizeof(hash));
		OPENSSL_cleanse(pw, sizeof(pw));
		if (rc == -1)
			return fail("could not hash the password");
		u.hash = hash;
	}
	uuid_v4(u.id);
	if ((rc = db_txn(c->db, user_add_txn, &u)) != DB_OK) {
		if (rc == DB_DUP)
			return fail("a user with UPN %s already exists", u.upn);
		return db_fail_msg(rc);
	}
	printf("%s\n", u.id);
	return EXIT_OK;
}

struct set_pw {
	struct cli	*c;
	const char	*id, *name, *hash;
	int		 temporary;
	long		 ttl;
};

static int
set_pw_txn(struct db *db, void *arg)
{
	struct set_pw	*s = arg;
	int		 rc;

	if ((rc = q_user_set_password(db, &(struct q_user_set_password_in){
	    .password_hash = DB_TEXT(s->hash),
	    .must_change = DB_INT(s->temporary),
	    .ttl_seconds = s->temporary ? DB_INT(s->ttl) : DB_NULL,
	    .id = DB_TEXT(s->id) }, NULL)) != DB_OK)
		return rc;
	if ((rc = q_sess_delete_user(db, &(struct q_sess_delete_user_in){
	    .user = DB_TEXT(s->id) }, NULL)) != DB_OK)
		return rc;
	return cli_audit(s->c, db, "user.set-password", s->id, s->name,
	    s->temporary ? "{\"temporary\":true}" : "{\"temporary\":false}");
}

static int
cmd_user_set_password(struct cli *c, const struct opts *o,
    const char *const *a, int n, int arg)
{
	struct set_pw	 s;
	struct settings	 st;
	struct pw_person who;
	enum pw_verdict	 v;
	char		 pw[PW_MAX_BYTES + 2], hash[PW_HASH_MAX];
	const char	*upn = opt(o, "--upn");
	int		 rc;

	(void)arg;
	(void)a; (void)n;
	if (upn == NULL || opt(o, "--password-stdin") == NULL)
		return EXIT_USAGE;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.temporary = opt(o, "--temporary") != NULL;
	if ((rc = find_user(c, upn, &s.id, &s.name)) <= 0)
		return rc == 0 ? fail("no user %s", upn) : db_fail_msg(rc);
	if ((rc = settings_load(c->db, &c->arena, &st)) != DB_OK)
		return db_fail_msg(rc);
	s.ttl = settings_int(&st, SET_RESET_TEMP_TTL_HOURS) * 3600;
	if (read_password(pw, sizeof(pw)) == -1)
		return fail("no password on standard input, or longer than "
		    "%d bytes", PW_MAX_BYTES);
	who.upn = upn;
	who.display_name = s.name;
	who.given_name = who.surname = NULL;
	if ((v = pw_policy_check(pw, &who)) != PW_OK) {
		OPENSSL_cleanse(pw, sizeof(pw));
		return fail("password refused: %s", pw_verdict_message(v));
	}
	rc = pw_hash(pw, hash, sizeof(hash));
	OPENSSL_cleanse(pw, sizeof(pw));
	if (rc == -1)
		return fail("could not hash the password");
	s.hash = hash;
	if ((rc = db_txn(c->db, set_pw_txn, &s)) != DB_OK)
		return db_fail_msg(rc);
	printf("%s\n", s.id);
	return EXIT_OK;
}

/* One statement and its audit row: the commands below. */
struct simple {
	struct cli	*c;
	/* Runs the statement with in; *n: the rows it changed. */
	int		(*run)(struct db *, const struct simple *, uint64_t *n);
	union {
		struct q_user_enable_in		enable;
		struct q_member_add_in		member;
		struct q_role_assign_in		role;
		struct q_role_revoke_in		revoke;
		struct q_setting_set_in		setting;
		struct q_mystaff_select_in	select;
	} in;
	const char	*action, *target_id, *target_name, *details;
	int		 must_change;	/* 1: the statement must change a row */
};

static int
run_enable(struct db *db, const struct simple *s, uint64_t *n)
{
	return q_user_enable(db, &s->in.enable, n);
}

static int
run_member_add(struct db *db, const struct simple *s, uint64_t *n)
{
	return q_member_add(db, &s->in.member, n);
}

static int
run_member_remove(struct db *db, const struct simple *s, uint64_t *n)
{
	return q_member_remove(db, &s->in.member, n);
}

static int
run_role_assign(struct db *db, const struct simple *s, uint64_t *n)
{
	return q_role_assign(db, &s->in.role, n);
}

static int
run_role_revoke(struct db *db, const struct simple *s, uint64_t *n)
{
	return q_role_revoke(db, &s->in.revoke, n);
}

static int
run_setting(struct db *db, const struct simple *s, uint64_t *n)
{
	return q_setting_set(db, &s->in.setting, n);
}

static int
run_select(struct db *db, const struct simple *s, uint64_t *n)
{
	return q_mystaff_select(db, &s->in.select, n);
}

static int
run_unselect(struct db *db, const struct simple *s, uint64_t *n)
{
	return q_mystaff_unselect(db, &s->in.select, n);
}

static int
simple_txn(struct db *db, void *arg)
{
	struct simple	*s = arg;
	uint64_t	 n = 0;
	int		 rc;

	if ((rc = s->run(db, s, &n)) != DB_OK)
		return rc;
	if (s->must_change && n == 0)
		return 1;
	return cli_audit(s->c, db, s->action, s->target_id, s->target_name,
	    s->details);
}

/* Runs s; prints id on success. nothing: what to say when no row changed. */
static int
run_simple(struct simple *s, const char *id, const char *nothing)
{
	int	rc = db_txn(s->c->db, simple_txn, s);

	if (rc == 1)
		return fail("%s", nothing);
	if (rc == DB_DUP)
		return fail("%s", "that already exists");
	if (rc != DB_OK)
		return db_fail_msg(rc);
	printf("%s\n", id);
	return EXIT_OK;
}

static int
cmd_user_enable(struct cli *c, const struct opts *o, const char *const *a,
    int n, int enable)
{
	struct simple	 s;
	const char	*upn = opt(o, "--upn"), *id, *name;
	int		 rc;

	(void)a; (void)n;
	if (upn == NULL)
		return EXIT_USAGE;
	if ((rc = find_user(c, upn, &id, &name)) <= 0)
		return rc == 0 ? fail("no user %s", upn) : db_fail_msg(rc);
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.run = run_enable;
	s.in.enable = (struct q_user_enable_in){ .enabled = DB_INT(enable),
	    .id = DB_TEXT(id) };
	s.action = enable ? "user.enable" : "user.disable";
	s.target_id = id;
	s.target_name = name;
	return run_simple(&s, id, "no change");
}

struct unit_add {
	struct cli	*c;
	char		 id[UUID_LEN + 1];
	const char	*name, *desc;
};

static int
unit_add_txn(struct db *db, void *arg)
{
	struct unit_add	*u = arg;
	int		 rc;

	if ((rc = q_unit_insert(db, &(struct q_unit_insert_in){
	    .id = DB_TEXT(u->id), .name = DB_TEXT(u->name),
	    .description = DB_TEXT(u->desc) }, NULL)) != DB_OK ||
	    (rc = search_index(db, &u->c->arena, "unit", u->id, u->name, NULL,
	    NULL, NULL, 0)) != DB_OK)
		return rc;
	return cli_audit(u->c, db, "unit.add", u->id, u->name, NULL);
}

static int
cmd_unit_add(struct cli *c, const struct opts *o, const char *const *a, int n, int arg)
{
	struct unit_add	u;
	int		rc;

	(void)arg;
	(void)a; (void)n;
	memset(&u, 0, sizeof(u));
	u.c = c;
	u.name = opt(o, "--name");
	u.desc = opt(o, "--description");
	if (u.name == NULL)
		return EXIT_USAGE;
	if (check_text("--name", u.name, 128) ||
	    check_text("--description", u.desc, 512))
		return EXIT_FAIL;
	uuid_v4(u.id);
	if ((rc = db_txn(c->db, unit_add_txn, &u)) != DB_OK) {
		if (rc == DB_DUP)
			return fail("a unit named %s already exists", u.name);
		return db_fail_msg(rc);
	}
	printf("%s\n", u.id);
	return EXIT_OK;
}

static int
cmd_unit_member(struct cli *c, const struct opts *o, const char *const *a,
    int n, int add)
{
	struct simple	 s;
	const char	*unit = opt(o, "--unit"), *user = opt(o, "--user");
	const char	*uid, *uname, *nid, *nname;
	int		 rc;

	(void)a; (void)n;
	if (unit == NULL || user == NULL)
		return EXIT_USAGE;
	if ((rc = find_unit(c, unit, &nid, &nname)) <= 0)
		return rc == 0 ? fail("no unit %s", unit) : db_fail_msg(rc);
	if ((rc = find_user(c, user, &uid, &uname)) <= 0)
		return rc == 0 ? fail("no user %s", user) : db_fail_msg(rc);
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.run = add ? run_member_add : run_member_remove;
	s.in.member = (struct q_member_add_in){ .unit = DB_TEXT(nid),
	    .user = DB_TEXT(uid) };
	s.action = add ? "unit.add-member" : "unit.remove-member";
	s.target_id = uid;
	s.target_name = uname;
	s.details = arena_printf(&c->arena, "{\"unit\":%s}",
	    json_string(&c->arena, nname));
	s.must_change = !add;
	return run_simple(&s, uid, "that user is not a member of that unit");
}

static int
cmd_role(struct cli *c, const struct opts *o, const char *const *a, int n,
    int assign)
{
	struct simple	 s;
	const char	*user = opt(o, "--user"), *role = opt(o, "--role");
	const char	*unit = opt(o, "--unit"), *uid, *uname;
	const char	*nid = NULL, *nname = NULL;
	int		 rc;

	(void)a; (void)n;
	if (user == NULL || role == NULL)
		return EXIT_USAGE;
	if (authz_role_parse(role) < 0)
		return fail("unknown role %s (one of global-administrator, "
		    "privileged-authentication-administrator, "
		    "authentication-administrator, user-administrator, "
		    "helpdesk-administrator, password-administrator, "
		    "authentication-policy-administrator, "
		    "conditional-access-administrator, directory-reader, "
		    "reports-reader)", role);
	if ((rc = find_user(c, user, &uid, &uname)) <= 0)
		return rc == 0 ? fail("no user %s", user) : db_fail_msg(rc);
	if (unit != NULL && (rc = find_unit(c, unit, &nid, &nname)) <= 0)
		return rc == 0 ? fail("no unit %s", unit) : db_fail_msg(rc);
	memset(&s, 0, sizeof(s));
	s.c = c;
	if (assign) {
		s.run = run_role_assign;
		s.in.role = (struct q_role_assign_in){ .user = DB_TEXT(uid),
		    .role = DB_TEXT(role), .unit = DB_TEXT(nid) };
	} else {
		s.run = run_role_revoke;
		s.in.revoke = (struct q_role_revoke_in){ .user = DB_TEXT(uid),
		    .role = DB_TEXT(role),
		    .scope_key = DB_TEXT(nid != NULL ? nid : "") };
		s.must_change = 1;
	}
	s.action = assign ? "role.assign" : "role.revoke";
	s.target_id = uid;
	s.target_name = uname;
	s.details = arena_printf(&c->arena, "{\"role\":%s,\"unit\":%s}",
	    json_string(&c->arena, role), nname != NULL ?
	    json_string(&c->arena, nname) : "null");
	return run_simple(&s, uid, "that user does not hold that role there");
}

struct add_totp {
	struct cli	*c;
	const char	*id, *name;
	unsigned char	 secret[TOTP_SECRET_BYTES];
};

static int
add_totp_txn(struct db *db, void *arg)
{
	struct add_totp	*t = arg;
	int		 rc;

	if ((rc = db_totp_store(db, t->c->conf->data_key, t->id, t->secret,
	    sizeof(t->secret))) != DB_OK)
		return rc;
	return cli_audit(t->c, db, "mfa.add-totp", t->id, t->name, NULL);
}

static int
cmd_mfa_add_totp(struct cli *c, const struct opts *o, const char *const *a,
    int n, int arg)
{
	struct add_totp	 t;
	const char	*upn = opt(o, "--upn");
	char		 b32[64];
	int		 rc;

	(void)arg;
	(void)a; (void)n;
	if (upn == NULL)
		return EXIT_USAGE;
	memset(&t, 0, sizeof(t));
	t.c = c;
	if ((rc = find_user(c, upn, &t.id, &t.name)) <= 0)
		return rc == 0 ? fail("no user %s", upn) : db_fail_msg(rc);
	random_bytes(t.secret, sizeof(t.secret));
	rc = db_txn(c->db, add_totp_txn, &t);
	if (rc == DB_OK && base32_encode(t.secret, sizeof(t.secret), b32,
	    sizeof(b32)) < 0)
		rc = DB_ERR;
	OPENSSL_cleanse(t.secret, sizeof(t.secret));
	if (rc != DB_OK)
		return db_fail_msg(rc);
	printf("otpauth://totp/staffdesk:%s?secret=%s&issuer=staffdesk&"
	    "algorithm=SHA1&digits=6&period=30\n", upn, b32);
	OPENSSL_cleanse(b32, sizeof(b32));
	return EXIT_OK;
}

static int
cmd_settings_get(struct cli *c, const struct opts *o, const char *const *a,
    int n, int arg)
{
	struct settings	st;
	int		i, rc;

	(void)arg;
	(void)o;
	if (n != 1)
		return EXIT_USAGE;
	if ((i = settings_find(a[0])) < 0)
		return fail("unknown setting %s", a[0]);
	if ((rc = settings_load(c->db, &c->arena, &st)) != DB_OK)
		return db_fail_msg(rc);
	printf("%s\n", settings_str(&st, i));
	return EXIT_OK;
}

static int
cmd_settings_set(struct cli *c, const struct opts *o, const char *const *a,
    int n, int arg)
{
	struct simple	 s;
	const char	*why;
	int		 i;

	(void)arg;
	(void)o;
	if (n != 2)
		return EXIT_USAGE;
	if ((i = settings_find(a[0])) < 0)
		return fail("unknown setting %s", a[0]);
	if ((why = settings_check(i, a[1])) != NULL)
		return fail("%s %s", a[0], why);
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.run = run_setting;
	s.in.setting = (struct q_setting_set_in){ .name = DB_TEXT(a[0]),
	    .value = DB_TEXT(a[1]) };
	s.action = "settings.update";
	s.target_name = a[0];
	s.details = arena_printf(&c->arena, "{\"name\":%s,\"value\":%s}",
	    json_string(&c->arena, a[0]), json_string(&c->arena, a[1]));
	return run_simple(&s, a[0], "no change");
}

static int
cmd_mystaff(struct cli *c, const struct opts *o, const char *const *a, int n,
    int select)
{
	struct simple	 s;
	const char	*user = opt(o, "--user"), *id, *name;
	int		 rc;

	(void)a; (void)n;
	if (user == NULL)
		return EXIT_USAGE;
	if ((rc = find_user(c, user, &id, &name)) <= 0)
		return rc == 0 ? fail("no user %s", user) : db_fail_msg(rc);
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.run = select ? run_select : run_unselect;
	s.in.select = (struct q_mystaff_select_in){ .user = DB_TEXT(id) };
	s.action = select ? "mystaff.select" : "mystaff.unselect";
	s.target_id = id;
	s.target_name = name;
	s.must_change = !select;
	return run_simple(&s, id, "that user was not selected");
}

static int
cmd_mystaff_selected(struct cli *c, const struct opts *o,
    const char *const *a, int n, int arg)
{
	struct q_mystaff_list_rows	rows;
	size_t				i;
	int				rc;

	(void)arg;
	(void)o; (void)a;
	if (n != 0)
		return EXIT_USAGE;
	if ((rc = q_mystaff_list(c->db, &c->arena, &rows)) != DB_OK)
		return db_fail_msg(rc);
	for (i = 0; i < rows.n; i++)
		printf("%s\n", rows.row[i].upn);
	return EXIT_OK;
}

static const struct cli_cmd cmds[] = {
	{ "migrate", NULL, "migrate", "", cli_migrate, 0 },
	{ "user", "add", "user add --upn U --name N [--email E] [--mobile +..] "
	    "[--source cloud|onprem] [--given-name G] [--surname S] "
	    "[--job-title J] [--department D] [--password-stdin]",
	    "--password-stdin", cmd_user_add, 0 },
	{ "user", "set-password", "user set-password --upn U --password-stdin "
	    "[--temporary]", "--password-stdin --temporary",
	    cmd_user_set_password, 0 },
	{ "user", "disable", "user disable --upn U", "", cmd_user_enable, 0 },
	{ "user", "enable", "user enable --upn U", "", cmd_user_enable, 1 },
	{ "unit", "add", "unit add --name N [--description D]", "",
	    cmd_unit_add, 0 },
	{ "unit", "add-member", "unit add-member --unit NAME|ID --user UPN|ID",
	    "", cmd_unit_member, 1 },
	{ "unit", "remove-member", "unit remove-member --unit NAME|ID "
	    "--user UPN|ID", "", cmd_unit_member, 0 },
	{ "role", "assign", "role assign --user UPN --role ROLE "
	    "[--unit NAME|ID]", "", cmd_role, 1 },
	{ "role", "revoke", "role revoke --user UPN --role ROLE "
	    "[--unit NAME|ID]", "", cmd_role, 0 },
	{ "mfa", "add-totp", "mfa add-totp --upn U", "", cmd_mfa_add_totp, 0 },
	{ "settings", "get", "settings get KEY", "", cmd_settings_get, 0 },
	{ "settings", "set", "settings set KEY VALUE", "", cmd_settings_set, 0 },
	{ "mystaff", "select", "mystaff select --user UPN", "",
	    cmd_mystaff, 1 },
	{ "mystaff", "unselect", "mystaff unselect --user UPN", "",
	    cmd_mystaff, 0 },
	{ "mystaff", "selected", "mystaff selected", "", cmd_mystaff_selected,
	    0 },
	{ "reindex", NULL, "reindex", "", cli_reindex, 0 },
	{ "explain", NULL, "explain", "", cli_explain, 0 },
	{ "demo", NULL, "demo [--units N] [--users M]", "", cli_demo, 0 },
};

static void
usage_all(void)
{
	size_t	i;

	fputs("usage: staffdesk-admin COMMAND ...\n", stderr);
	for (i = 0; i < NELEM(cmds); i++)
		fprintf(stderr, "  %s\n", cmds[i].usage);
}

/* 1 when w is one of the words of list (split at spaces and [ ] |). */
static int
word_in(const char *list, const char *w)
{
	size_t	n = strlen(w), k;

	while (*list != '\0') {
		k = strcspn(list, " []|");
		if (k == n && strncmp(list, w, n) == 0)
			return 1;
		list += k + (list[k] != '\0');
	}
	return 0;
}

/*
 * Splits the words after the command into options and positional args:
 * a flag of cmd->flags stands alone, every other option of the usage
 * line takes the next word. Anything else is a usage error (-1).
 */
static int
parse_opts(const struct cli_cmd *cmd, int argc, char **argv,
    struct opts *o, const char **args, int *nargs)
{
	int	i;

	memset(o, 0, sizeof(*o));
	*nargs = 0;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0) {
			if (*nargs == OPT_MAX)
				return -1;
			args[(*nargs)++] = argv[i];
			continue;
		}
		if (o->n == OPT_MAX || opt(o, argv[i]) != NULL)
			return -1;
		o->name[o->n] = argv[i];
		if (word_in(cmd->flags, argv[i]))
			o->value[o->n++] = "";
		else if (word_in(cmd->usage, argv[i]) && i + 1 < argc)
			o->value[o->n++] = argv[++i];
		else
			return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	const struct cli_cmd	*cmd = NULL;
	struct conf		 conf;
	struct opts		 o;
	struct cli		 c;
	struct passwd		*pw;
	const char		*args[OPT_MAX];
	char			 err[512];
	size_t			 i;
	int			 words, nargs, rc;

	for (i = 0; i < NELEM(cmds) && argc > 1; i++) {
		if (strcmp(cmds[i].word1, argv[1]) != 0)
			continue;
		if (cmds[i].word2 == NULL) {
			cmd = &cmds[i];
			break;
		}
		if (argc > 2 && strcmp(cmds[i].word2, argv[2]) == 0) {
			cmd = &cmds[i];
			break;
		}
	}
	if (cmd == NULL) {
		usage_all();
		return EXIT_USAGE;
	}
	words = cmd->word2 ? 3 : 2;
	memset(&c, 0, sizeof(c));
	if (parse_opts(cmd, argc - words, argv + words, &o, args, &nargs)) {
		fprintf(stderr, "usage: staffdesk-admin %s\n", cmd->usage);
		return EXIT_USAGE;
	}
	if (conf_load(&conf, NULL, err, sizeof(err)) == -1) {
		conf_free(&conf);
		return fail("%s", err);
	}
	log_init("staffdesk-admin", LOG_WARN);
	pw = getpwuid(getuid());
	c.os_user = pw != NULL ? pw->pw_name : "unknown";
	c.conf = &conf;
	c.db = db_open(&conf, DB_TIMEOUT_CLI);
	if (db_ping(c.db) != DB_OK) {
		db_close(c.db);
		conf_free(&conf);
		return fail("cannot connect to the database");
	}
	rc = cmd->run(&c, &o, args, nargs, cmd->arg);
	if (rc == EXIT_USAGE)
		fprintf(stderr, "usage: staffdesk-admin %s\n", cmd->usage);
	arena_reset(&c.arena);
	db_close(c.db);
	conf_free(&conf);
	return rc;
}
