/*
 * users.c: staffdesk-admin user add | set-password | enable | disable,
 * and mfa add-totp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth/password.h"
#include "auth/totp.h"
#include "cli/cli.h"
#include "conf.h"
#include "db/db.h"
#include "db/mfa.h"
#include "db/users.h"
#include "search.h"
#include "settings.h"
#include "writeback.h"

/*
 * Why pw was refused; first, whether every password would be (cracklib's
 * dictionary missing), which the web refuses to start without.
 */
static const char *
refusal(enum pw_verdict v, const char *pw, const struct pw_person *who,
    const struct pw_rules *rules, char why[PW_MESSAGE_MAX])
{
	if (pw_policy_ready() != 0)
		return "every password is refused: is cracklib's dictionary "
		    "installed (Debian package cracklib-runtime)?";
	return pw_refusal_text(v, pw, who, rules, why);
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
	return cli_audit(u->c, db, "user.create", u->id, u->name, NULL);
}


static const char msg_directory_holds[] = "an on-premises person's "
    "password is kept in the directory (onprem.writeback = ldap), not "
    "here: set it there, or reset it in My Staff";

/* 1 when on-premises passwords live in a remote directory. */
static int
directory_holds(const struct settings *st)
{
	return wb_is_remote((enum wb_backend_id)settings_choice(st,
	    SET_ONPREM_WRITEBACK));
}

int
cli_user_add(struct cli *c, const struct opts *o, const char *const *a, int n, int arg)
{
	struct user_add	 u;
	struct settings	 st;
	struct pw_rules	 rules;
	struct pw_person who;
	enum pw_verdict	 v;
	char		 pw[PW_MAX_BYTES + 2], hash[PW_HASH_MAX];
	char		 why[PW_MESSAGE_MAX];
	const char	*msg;
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
	if (cli_check_text("--upn", u.upn, UPN_MAX_BYTES) ||
	    cli_check_text("--name", u.name, NAME_MAX_BYTES) ||
	    cli_check_text("--given-name", u.given, 64) ||
	    cli_check_text("--surname", u.surname, 64) ||
	    cli_check_text("--email", u.email, 255) ||
	    cli_check_text("--job-title", u.job, 128) ||
	    cli_check_text("--department", u.dept, 128))
		return EXIT_FAIL;
	if (strcmp(u.source, "cloud") != 0 && strcmp(u.source, "onprem") != 0)
		return fail("--source must be cloud or onprem");
	if (u.mobile != NULL && !valid_e164(u.mobile))
		return fail("--mobile must be E.164: + and 8-15 digits");
	if (opt(o, "--password-stdin") != NULL) {
		if (cli_read_password(pw, sizeof(pw)) == -1)
			return fail("no password on standard input, or "
			    "longer than %d bytes", PW_MAX_BYTES);
		who.upn = u.upn;
		who.display_name = u.name;
		who.given_name = u.given;
		who.surname = u.surname;
		if ((rc = settings_load(c->db, &c->arena, &st, 0)) != DB_OK) {
			OPENSSL_cleanse(pw, sizeof(pw));
			return cli_db_fail(rc);
		}
		if (strcmp(u.source, "onprem") == 0 && directory_holds(&st)) {
			OPENSSL_cleanse(pw, sizeof(pw));
			return fail("%s", msg_directory_holds);
		}
		rules = settings_pw_rules(&st);
		if ((v = pw_policy_check(pw, &who, &rules)) != PW_OK) {
			msg = refusal(v, pw, &who, &rules, why);
			OPENSSL_cleanse(pw, sizeof(pw));
			return fail("password refused: %s", msg);
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
		return cli_db_fail(rc);
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
	return cli_audit(s->c, db, "user.password.set", s->id, s->name,
	    s->temporary ? "{\"temporary\":true}" : "{\"temporary\":false}");
}

int
cli_user_set_password(struct cli *c, const struct opts *o,
    const char *const *a, int n, int arg)
{
	struct set_pw	 s;
	struct settings	 st;
	struct q_user_by_id_rows byid;
	struct pw_rules	 rules;
	struct pw_person who;
	enum pw_verdict	 v;
	char		 pw[PW_MAX_BYTES + 2], hash[PW_HASH_MAX], why[PW_MESSAGE_MAX];
	const char	*msg;
	const char	*upn = opt(o, "--upn");
	int		 rc;

	(void)arg;
	(void)a; (void)n;
	if (upn == NULL || opt(o, "--password-stdin") == NULL)
		return EXIT_USAGE;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.temporary = opt(o, "--temporary") != NULL;
	if ((rc = cli_find_user(c, upn, &s.id, &s.name)) != 0)
		return rc;
	if ((rc = settings_load(c->db, &c->arena, &st, 0)) != DB_OK)
		return cli_db_fail(rc);
	if (directory_holds(&st)) {
		if ((rc = q_user_by_id(c->db, &c->arena, &(struct q_user_by_id_in){
		    .id = DB_TEXT(s.id) }, &byid)) != DB_OK)
			return cli_db_fail(rc);
		if (byid.n == 1 && byid.row[0].source != NULL &&
		    strcmp(byid.row[0].source, "onprem") == 0)
			return fail("%s", msg_directory_holds);
	}
	s.ttl = settings_int(&st, SET_RESET_TEMP_TTL_HOURS) * 3600;
	if (cli_read_password(pw, sizeof(pw)) == -1)
		return fail("no password on standard input, or longer than "
		    "%d bytes", PW_MAX_BYTES);
	who.upn = upn;
	who.display_name = s.name;
	who.given_name = who.surname = NULL;
	rules = settings_pw_rules(&st);
	if ((v = pw_policy_check(pw, &who, &rules)) != PW_OK) {
		/* Said before the password is wiped: it names a part. */
		msg = refusal(v, pw, &who, &rules, why);
		OPENSSL_cleanse(pw, sizeof(pw));
		return fail("password refused: %s", msg);
	}
	rc = pw_hash(pw, hash, sizeof(hash));
	OPENSSL_cleanse(pw, sizeof(pw));
	if (rc == -1)
		return fail("could not hash the password");
	s.hash = hash;
	if ((rc = db_txn(c->db, set_pw_txn, &s)) != DB_OK)
		return cli_db_fail(rc);
	printf("%s\n", s.id);
	return EXIT_OK;
}

static int
run_enable(struct db *db, const struct cli_simple *s, uint64_t *n)
{
	return db_user_set_enabled(db, s->in.enable.id.s,
	    (int)s->in.enable.enabled.i, n);
}

int
cli_user_enable(struct cli *c, const struct opts *o, const char *const *a,
    int n, int enable)
{
	struct cli_simple	 s;
	const char	*upn = opt(o, "--upn"), *id, *name;
	int		 rc;

	(void)a; (void)n;
	if (upn == NULL)
		return EXIT_USAGE;
	if ((rc = cli_find_user(c, upn, &id, &name)) != 0)
		return rc;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.run = run_enable;
	s.in.enable = (struct q_user_enable_in){ .enabled = DB_INT(enable),
	    .id = DB_TEXT(id) };
	s.action = enable ? "user.enable" : "user.disable";
	s.target_id = id;
	s.target_name = name;
	return cli_run_simple(&s, id, "no change");
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
	return cli_audit(t->c, db, "user.mfa.totp.add", t->id, t->name, NULL);
}

int
cli_mfa_add_totp(struct cli *c, const struct opts *o, const char *const *a,
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
	if ((rc = cli_find_user(c, upn, &t.id, &t.name)) != 0)
		return rc;
	random_bytes(t.secret, sizeof(t.secret));
	rc = db_txn(c->db, add_totp_txn, &t);
	if (rc == DB_OK && base32_encode(t.secret, sizeof(t.secret), b32,
	    sizeof(b32)) < 0)
		rc = DB_ERR;
	OPENSSL_cleanse(t.secret, sizeof(t.secret));
	if (rc != DB_OK)
		return cli_db_fail(rc);
	printf("otpauth://totp/staffdesk:%s?secret=%s&issuer=staffdesk&"
	    "algorithm=SHA1&digits=6&period=30\n", upn, b32);
	OPENSSL_cleanse(b32, sizeof(b32));
	return EXIT_OK;
}
