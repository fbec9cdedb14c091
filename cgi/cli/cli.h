/*
 * cli.h: bin/staffdesk-admin (run without arguments, it lists its
 * commands). Ids on stdout, errors on stderr; exit 0 done, 1 failed,
 * 2 usage. Each command that changes something is one transaction with
 * its cli.* audit row.
 */
#ifndef STAFFDESK_CLI_H
#define STAFFDESK_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "util.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define OPT_MAX		12
#define NAME_MAX_BYTES	256	/* a display or location name */
#define UPN_MAX_BYTES	255

struct conf;
struct db;

/* Options of one command: --name value (or a flag). */
struct opts {
	const char	*name[OPT_MAX];
	const char	*value[OPT_MAX];
	size_t		 n;
};

struct cli {
	const struct conf	*conf;
	struct db		*db;
	struct arena		 arena;
	const char		*os_user;
};

/*
 * A command: returns an exit code; args are the words after its name
 * that are not options; arg tells twin commands apart (enable/disable).
 */
struct cli_cmd {
	const char	*word1, *word2;
	const char	*usage;
	const char	*flags;		/* "--temporary --password-stdin" */
	int		(*run)(struct cli *, const struct opts *,
			    const char *const *args, int nargs, int arg);
	int		 arg;
	int		 conn;		/* enum cli_conn: whose account */
};

/*
 * The MariaDB account a command connects as: the app's (db_user), the
 * migrating one (db_migrate_user, when set), or an administrator with
 * no database chosen (setup-db: --admin-user, default root).
 */
enum cli_conn { CONN_APP, CONN_MIGRATE, CONN_ADMIN, CONN__MAX };

const char	*opt(const struct opts *, const char *name);
int		 fail(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
/* Writes the audit row of action, client cli (inside the caller's transaction). */
int		 cli_audit(struct cli *, struct db *, const char *action,
		    const char *target_id, const char *target_name,
		    const char *details);
/* The same for a refused change: result failure, reason a code. */
int		 cli_audit_refusal(struct cli *, struct db *,
		    const char *action, const char *reason,
		    const char *target_id, const char *target_name,
		    const char *details);
/* "database unavailable" or the like on stderr; EXIT_FAIL. */
int		 cli_db_fail(int rc);
/* One line (a password) from stdin; -1: none, or longer than sz - 1. */
int		 cli_read_password(char *buf, size_t sz);
/* 0 when v (NULL: not given) is one line of text of at most max bytes,
 * else 1 after saying why, naming what. */
int		 cli_check_text(const char *what, const char *v, size_t max);
/*
 * A user by UPN or id, a location by name or id: 0 with id and name
 * filled, else the exit status after saying why ("no user KEY").
 */
int		 cli_find_user(struct cli *, const char *key, const char **id,
		    const char **name);
int		 cli_find_unit(struct cli *, const char *key, const char **id,
		    const char **name);

/*
 * Into *country the setting phone.country (numbers typed without +, as
 * the profile form reads them): DB_OK or a db_err.
 */
int		 cli_phone_country(struct cli *, const char **country);

/* One statement and its audit row: the commands below. */
struct cli_simple {
	struct cli	*c;
	/* Runs the statement with in; *n: the rows it changed. */
	int		(*run)(struct db *, const struct cli_simple *, uint64_t *n);
	union {
		struct q_user_enable_in		enable;
		struct q_member_add_in		member;
		struct q_role_assign_in		role;
		struct q_mystaff_select_in	select;
	} in;
	const char	*action, *target_id, *target_name, *details;
	int		 must_change;	/* 1: the statement must change a row */
};

/*
 * Runs s in a transaction with its audit row; prints id on success.
 * nothing: what to say when no row changed and s->must_change.
 */
int		 cli_run_simple(struct cli_simple *, const char *id,
		    const char *nothing);

/* The commands, by noun (users.c, units.c, settings.c, sms.c). */
#define CLI_CMD(name)	int name(struct cli *, const struct opts *, \
    const char *const *, int, int)
CLI_CMD(cli_user_add);
CLI_CMD(cli_user_set_password);
CLI_CMD(cli_user_enable);
CLI_CMD(cli_mfa_add_totp);
CLI_CMD(cli_unit_add);
CLI_CMD(cli_unit_member);
CLI_CMD(cli_role);
CLI_CMD(cli_settings_get);
CLI_CMD(cli_settings_set);
CLI_CMD(cli_mystaff);
CLI_CMD(cli_selected);
CLI_CMD(cli_sms_select);
CLI_CMD(cli_sms_flush);
CLI_CMD(cli_sms_outbox);
CLI_CMD(cli_import);
CLI_CMD(cli_export);
CLI_CMD(cli_sync_ldap);
#undef CLI_CMD

/* Migrations (migrate.c). */
int		 cli_migrate(struct cli *, const struct opts *,
		    const char *const *, int, int);
/* Rebuilds the search word table (migrate.c). */
int		 cli_setup_db(struct cli *, const struct opts *,
		    const char *const *, int, int);
int		 cli_reindex(struct cli *, const struct opts *,
		    const char *const *, int, int);
/* EXPLAIN of the My Staff statements (explain.c). */
int		 cli_explain(struct cli *, const struct opts *,
		    const char *const *, int, int);
/* The demo organisation (demo.c). */
int		 cli_demo(struct cli *, const struct opts *,
		    const char *const *, int, int);

#endif
