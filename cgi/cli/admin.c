/*
 * admin.c: bin/staffdesk-admin; see cli.h. cmds[] below is the list of
 * commands and their usage lines; the commands live by noun in
 * users.c, units.c and settings.c, with migrate.c, setupdb.c, demo.c,
 * explain.c. Here: options, errors, lookups, the account each command
 * connects as (cmds[].conn) and the one-statement transaction they
 * share.
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

int
cli_db_fail(int rc)
{
	if (rc == DB_DUP)
		return fail("that already exists");
	if (rc == DB_READONLY)
		return fail("the database takes no changes (read-only, or its "
		    "disk is full): nothing was changed");
	return fail("the database refused or did not answer (see above)");
}

/* The row of action, a success when reason is NULL, else a failure. */
static int
audit_cli(struct cli *c, struct db *db, const char *action,
    const char *reason, const char *target_id, const char *target_name,
    const char *details)
{
	struct audit	a = {
		.action = action,
		.ok = reason == NULL,
		.reason = reason,
		.actor_upn = arena_printf(&c->arena, "cli:%s", c->os_user),
		.target_id = target_id,
		.target_name = target_name,
		.client = "cli",
		.details = details,
	};

	return audit_write(db, &a);
}

int
cli_audit(struct cli *c, struct db *db, const char *action,
    const char *target_id, const char *target_name, const char *details)
{
	return audit_cli(c, db, action, NULL, target_id, target_name,
	    details);
}

int
cli_audit_refusal(struct cli *c, struct db *db, const char *action,
    const char *reason, const char *target_id, const char *target_name,
    const char *details)
{
	return audit_cli(c, db, action, reason, target_id, target_name,
	    details);
}

int
cli_phone_country(struct cli *c, const char **country)
{
	struct settings	st;
	int		rc;

	*country = NULL;
	if ((rc = settings_load(c->db, &c->arena, &st, 0)) == DB_OK)
		*country = settings_str(&st, SET_PHONE_COUNTRY);
	return rc;
}

/* Finds a user by UPN or id: 1 (id, name filled), 0 none, or db_err. */
int
cli_find_user(struct cli *c, const char *key, const char **id, const char **name)
{
	struct q_user_by_id_rows	by_id;
	struct q_user_by_upn_rows	by_upn;
	int				rc;

	if (uuid_valid(key)) {
		if ((rc = q_user_by_id(c->db, &c->arena,
		    &(struct q_user_by_id_in){ .id = DB_TEXT(key) }, &by_id)) !=
		    DB_OK)
			return cli_db_fail(rc);
		if (by_id.n == 0)
			return fail("no user %s", key);
		*id = by_id.row[0].id;
		*name = by_id.row[0].display_name;
		return 0;
	}
	if ((rc = q_user_by_upn(c->db, &c->arena, &(struct q_user_by_upn_in){
	    .upn = DB_TEXT(key) }, &by_upn)) != DB_OK)
		return cli_db_fail(rc);
	if (by_upn.n == 0)
		return fail("no user %s", key);
	*id = by_upn.row[0].id;
	*name = by_upn.row[0].display_name;
	return 0;
}

int
cli_find_unit(struct cli *c, const char *key, const char **id, const char **name)
{
	struct q_unit_by_id_rows	rows;
	int				rc;

	if (uuid_valid(key))
		rc = q_unit_by_id(c->db, &c->arena, &(struct q_unit_by_id_in){
		    .id = DB_TEXT(key) }, &rows);
	else
		rc = q_unit_by_name(c->db, &c->arena,
		    &(struct q_unit_by_name_in){ .name = DB_TEXT(key) }, &rows);
	if (rc != DB_OK)
		return cli_db_fail(rc);
	if (rows.n == 0)
		return fail("no unit %s", key);
	*id = rows.row[0].id;
	*name = rows.row[0].name;
	return 0;
}

static int
simple_txn(struct db *db, void *arg)
{
	struct cli_simple	*s = arg;
	uint64_t	 n = 0;
	int		 rc;

	if ((rc = s->run(db, s, &n)) != DB_OK)
		return rc;
	if (s->must_change && n == 0)
		return DB_NONE;
	return cli_audit(s->c, db, s->action, s->target_id, s->target_name,
	    s->details);
}

int
cli_check_text(const char *what, const char *v, size_t max)
{
	if (v == NULL)
		return 0;
	if (*v == '\0' || strlen(v) > max || !utf8_text_valid(v, strlen(v), 0))
		return fail("%s must be 1-%zu bytes of text", what, max);
	return 0;
}

/* Runs s; prints id on success. nothing: what to say when no row changed. */
int
cli_run_simple(struct cli_simple *s, const char *id, const char *nothing)
{
	int	rc = db_txn(s->c->db, simple_txn, s);

	if (rc == DB_NONE)
		return fail("%s", nothing);
	if (rc == DB_DUP)
		return fail("%s", "that already exists");
	if (rc != DB_OK)
		return cli_db_fail(rc);
	printf("%s\n", id);
	return EXIT_OK;
}

static const struct cli_cmd cmds[] = {
	{ "migrate", NULL, "migrate", "", cli_migrate, 0, CONN_MIGRATE },
	{ "setup-db", NULL, "setup-db [--admin-user NAME] "
	    "[--admin-password-stdin] [--host HOST]", "--admin-password-stdin",
	    cli_setup_db, 0, CONN_ADMIN },
	{ "user", "add", "user add --upn U --name N [--email E] [--mobile +..] "
	    "[--source cloud|onprem] [--given-name G] [--surname S] "
	    "[--job-title J] [--department D] [--password-stdin]",
	    "--password-stdin", cli_user_add, 0, CONN_APP },
	{ "user", "set-password", "user set-password --upn U --password-stdin "
	    "[--temporary]", "--password-stdin --temporary",
	    cli_user_set_password, 0, CONN_APP },
	{ "user", "disable", "user disable --upn U", "",
	    cli_user_enable, 0, CONN_APP },
	{ "user", "enable", "user enable --upn U", "",
	    cli_user_enable, 1, CONN_APP },
	{ "unit", "add", "unit add --name N [--description D]", "",
	    cli_unit_add, 0, CONN_APP },
	{ "unit", "add-member", "unit add-member --unit NAME|ID --user UPN|ID",
	    "", cli_unit_member, 1, CONN_APP },
	{ "unit", "remove-member", "unit remove-member --unit NAME|ID "
	    "--user UPN|ID", "", cli_unit_member, 0, CONN_APP },
	{ "role", "assign", "role assign --user UPN --role ROLE "
	    "[--unit NAME|ID]", "", cli_role, 1, CONN_APP },
	{ "role", "revoke", "role revoke --user UPN --role ROLE "
	    "[--unit NAME|ID]", "", cli_role, 0, CONN_APP },
	{ "mfa", "add-totp", "mfa add-totp --upn U", "",
	    cli_mfa_add_totp, 0, CONN_APP },
	{ "settings", "get", "settings get KEY", "",
	    cli_settings_get, 0, CONN_APP },
	{ "settings", "set", "settings set KEY VALUE", "",
	    cli_settings_set, 0, CONN_APP },
	{ "mystaff", "select", "mystaff select --user UPN", "",
	    cli_mystaff, 1, CONN_APP },
	{ "mystaff", "unselect", "mystaff unselect --user UPN", "",
	    cli_mystaff, 0, CONN_APP },
	{ "mystaff", "selected", "mystaff selected", "",
	    cli_selected, 0, CONN_APP },
	{ "sms", "flush", "sms flush", "", cli_sms_flush, 0, CONN_APP },
	{ "sms", "outbox", "sms outbox [--limit N]", "",
	    cli_sms_outbox, 0, CONN_APP },
	{ "sms", "select", "sms select --user UPN", "",
	    cli_sms_select, 1, CONN_APP },
	{ "sms", "unselect", "sms unselect --user UPN", "",
	    cli_sms_select, 0, CONN_APP },
	{ "sms", "selected", "sms selected", "", cli_selected, 1, CONN_APP },
	{ "import", NULL, "import [--users] FILE [--skip-bad] [--dry-run]",
	    "--users --skip-bad --dry-run", cli_import, 0, CONN_APP },
	{ "export", NULL, "export --users [FILE|-]", "--users", cli_export,
	    0, CONN_APP },
	{ "sync", "ldap", "sync ldap [--dry-run]", "--dry-run", cli_sync_ldap,
	    0, CONN_APP },
	{ "reindex", NULL, "reindex", "", cli_reindex, 0, CONN_APP },
	{ "explain", NULL, "explain", "", cli_explain, 0, CONN_APP },
	{ "demo", NULL, "demo [--units N] [--users M]", "",
	    cli_demo, 0, CONN_APP },
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

/*
 * Into *dbc (a shallow copy of *conf) the account cmd connects as, its
 * password read into pw (CONF_SECRET_MAX + 1 bytes): the migrating
 * one's from db_migrate_password_file, an administrator's from stdin.
 * Returns 0, or the exit status after saying why.
 */
/* Reads one line (a password) from stdin into buf; 0, or -1 when there
 * is none or it is longer than the buffer (never cut short). */
int
cli_read_password(char *buf, size_t sz)
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
cli_account(const struct cli_cmd *cmd, const struct opts *o,
    const struct conf *conf, struct conf *dbc, char *pw)
{
	char	err[512];

	*dbc = *conf;
	switch (cmd->conn) {
	case CONN_MIGRATE:
		if (conf->db_migrate_user == NULL)
			return 0;	/* one account for all (make run) */
		if (conf->db_migrate_password_file == NULL)
			return fail("db_migrate_user needs "
			    "db_migrate_password_file");
		if (conf_read_password(conf->db_migrate_password_file, pw, err,
		    sizeof(err)) == -1)
			return fail("%s", err);
		dbc->db_user = conf->db_migrate_user;
		dbc->db_password = pw;
		return 0;
	case CONN_ADMIN:
		dbc->db_user = (char *)(opt(o, "--admin-user") != NULL ?
		    opt(o, "--admin-user") : "root");
		dbc->db_password = NULL;	/* unix_socket: root as root */
		dbc->db_name = NULL;		/* it may not exist yet */
		if (opt(o, "--admin-password-stdin") == NULL)
			return 0;
		if (cli_read_password(pw, CONF_SECRET_MAX + 1) == -1)
			return fail("no password on standard input, or one "
			    "longer than %d bytes", CONF_SECRET_MAX);
		dbc->db_password = pw;
		return 0;
	default:
		return 0;
	}
}

int
main(int argc, char *argv[])
{
	const struct cli_cmd	*cmd = NULL;
	struct conf		 conf, dbc;
	struct opts		 o;
	struct cli		 c;
	struct passwd		*pw;
	const char		*args[OPT_MAX];
	char			 err[512], dbpw[CONF_SECRET_MAX + 1];
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
	if ((rc = cli_account(cmd, &o, &conf, &dbc, dbpw)) != 0) {
		conf_free(&conf);
		return rc;
	}
	c.db = db_open(&dbc, DB_TIMEOUT_CLI);
	if (db_ping(c.db) != DB_OK) {
		/* Told before conf_free: dbc shares conf's strings. */
		rc = fail("cannot connect to the database as %s",
		    dbc.db_user);
		db_close(c.db);
		OPENSSL_cleanse(dbpw, sizeof(dbpw));
		conf_free(&conf);
		return rc;
	}
	rc = cmd->run(&c, &o, args, nargs, cmd->arg);
	OPENSSL_cleanse(dbpw, sizeof(dbpw));
	if (rc == EXIT_USAGE)
		fprintf(stderr, "usage: staffdesk-admin %s\n", cmd->usage);
	arena_reset(&c.arena);
	db_close(c.db);
	conf_free(&conf);
	return rc;
}
