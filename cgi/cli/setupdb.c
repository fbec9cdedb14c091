/*
 * setupdb.c: staffdesk-admin setup-db, run once by an administrator of
 * MariaDB (README: Deploy on Debian). Creates the database db_name and
 * two accounts on it:
 *
 *   db_user          SELECT, INSERT, UPDATE, DELETE: what the workers
 *                    and the CLI's everyday commands need, nothing more
 *                    (no procedures are used, so no EXECUTE)
 *   db_migrate_user  those and CREATE, ALTER, DROP, INDEX, REFERENCES,
 *                    TRIGGER: what `migrate` needs (005, 006 and 012
 *                    create triggers; the triggers run as this account,
 *                    so it must stay)
 *
 * Each gets a new random password, sent to the server only as its
 * mysql_native_password hash, so no statement, log or binlog holds it in
 * clear; the migrating one's goes to db_migrate_password_file (0600,
 * the runner's), the app's is printed once on stdout as the config line
 * to put in staffdesk.conf. Running it again gives both new passwords
 * and sets their privileges back to exactly these.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli/cli.h"
#include "conf.h"
#include "db/db.h"

#define PW_RANDOM_BYTES	24	/* 192 bits: 32 base64url characters */
#define PW_TEXT_MAX	(4 * ((PW_RANDOM_BYTES + 2) / 3) + 1)
#define NATIVE_HASH_MAX	(1 + 2 * 20 + 1)	/* '*', 40 hex digits */
#define SQL_MAX		1024
#define NAME_MAX_LEN	64

/* EXECUTE: the views' procedures (db.h), which run with these rights. */
static const char	app_grants[] = "SELECT, INSERT, UPDATE, DELETE, EXECUTE";
static const char	migrate_grants[] = "SELECT, INSERT, UPDATE, DELETE, "
			    "CREATE, ALTER, DROP, INDEX, REFERENCES, TRIGGER, "
			    "CREATE ROUTINE, ALTER ROUTINE, EXECUTE";

/*
 * 1 when s (a user, host or database name) is 1-NAME_MAX_LEN bytes of
 * letters, digits and "_.-%" (the host's wildcard): safe inside '' and
 * `` without escaping.
 */
static int
plain_name(const char *s, int host)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '.' || s[i] == '-' || (host && s[i] == '%')))
			return 0;
	return 1;
}

/* MariaDB's mysql_native_password hash: '*' and HEX(SHA1(SHA1(pw))). */
static int
native_hash(const char *pw, char out[NATIVE_HASH_MAX])
{
	unsigned char	one[EVP_MAX_MD_SIZE], two[EVP_MAX_MD_SIZE];
	unsigned int	n1, n2, i;
	static const char hex[] = "0123456789ABCDEF";

	if (EVP_Digest(pw, strlen(pw), one, &n1, EVP_sha1(), NULL) != 1 ||
	    EVP_Digest(one, n1, two, &n2, EVP_sha1(), NULL) != 1 || n2 != 20)
		return -1;
	out[0] = '*';
	for (i = 0; i < n2; i++) {
		out[1 + 2 * i] = hex[two[i] >> 4];
		out[2 + 2 * i] = hex[two[i] & 15];
	}
	out[1 + 2 * n2] = '\0';
	OPENSSL_cleanse(one, sizeof(one));
	return 0;
}

/* The name of db for GRANT ... ON: '_' is a wildcard there. */
static void
grant_name(const char *db, char *out, size_t outsz)
{
	size_t	n = 0;

	for (; *db != '\0' && n + 3 < outsz; db++) {
		if (*db == '_' || *db == '%')
			out[n++] = '\\';
		out[n++] = *db;
	}
	out[n] = '\0';
}

/* Runs the printf-built statement (names checked by plain_name). */
static int
run_sql(struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
run_sql(struct cli *c, const char *fmt, ...)
{
	char	sql[SQL_MAX];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(sql))
		return DB_ERR;
	return db_exec_raw(c->db, sql);
}

/*
 * Creates or resets user@host with a new password (into pw) and exactly
 * the privileges grants on db. DB_OK or a db_err (the log says why).
 */
static int
make_account(struct cli *c, const char *user, const char *host,
    const char *db, const char *grants, char pw[PW_TEXT_MAX])
{
	unsigned char	raw[PW_RANDOM_BYTES];
	char		hash[NATIVE_HASH_MAX], gdb[2 * NAME_MAX_LEN + 1];
	int		rc;

	random_bytes(raw, sizeof(raw));
	b64url_encode(raw, sizeof(raw), pw);
	OPENSSL_cleanse(raw, sizeof(raw));
	if (native_hash(pw, hash) == -1)
		return DB_ERR;
	grant_name(db, gdb, sizeof(gdb));
	if ((rc = run_sql(c, "CREATE USER IF NOT EXISTS '%s'@'%s' "
	    "IDENTIFIED BY PASSWORD '%s'", user, host, hash)) != DB_OK ||
	    (rc = run_sql(c, "ALTER USER '%s'@'%s' IDENTIFIED BY "
	    "PASSWORD '%s'", user, host, hash)) != DB_OK ||
	    (rc = run_sql(c, "REVOKE ALL PRIVILEGES, GRANT OPTION FROM "
	    "'%s'@'%s'", user, host)) != DB_OK ||
	    (rc = run_sql(c, "GRANT %s ON `%s`.* TO '%s'@'%s'", grants, gdb,
	    user, host)) != DB_OK)
		return rc;
	return DB_OK;
}

/* Writes pw and a newline to path, mode 0600: 0, or -1 (said). */
static int
write_secret(const char *path, const char *pw)
{
	size_t	n = strlen(pw);
	int	fd, ok;

	(void)unlink(path);	/* a new file: no old owner or mode stays */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		fail("%s: %s", path, strerror(errno));
		return -1;
	}
	ok = write(fd, pw, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
	if (close(fd) != 0 || !ok) {
		fail("%s: cannot write it", path);
		return -1;
	}
	return 0;
}

/*
 * setup-db [--admin-user NAME] [--admin-password-stdin] [--host HOST]:
 * connected as the administrator (admin.c, CONN_ADMIN), makes the
 * database and both accounts at HOST (default localhost: the unix
 * socket; a pattern such as 10.0.0.% for app hosts over TCP).
 */
int
cli_setup_db(struct cli *c, const struct opts *o, const char *const *a,
    int n, int arg)
{
	const struct conf	*k = c->conf;
	const char		*host = opt(o, "--host");
	char			 app_pw[PW_TEXT_MAX], mig_pw[PW_TEXT_MAX];
	int			 rc = EXIT_FAIL;

	(void)a; (void)arg;
	if (n != 0)
		return EXIT_USAGE;
	if (host == NULL)
		host = "localhost";
	if (k->db_migrate_user == NULL || k->db_migrate_password_file == NULL)
		return fail("setup-db needs db_migrate_user and "
		    "db_migrate_password_file in %s", conf_path());
	if (!plain_name(k->db_user, 0) || !plain_name(k->db_migrate_user, 0) ||
	    !plain_name(k->db_name, 0) || !plain_name(host, 1))
		return fail("db_user, db_migrate_user, db_name and --host may "
		    "hold only letters, digits and _ . - (and %% in --host), "
		    "at most %d", NAME_MAX_LEN);
	if (strcmp(k->db_user, k->db_migrate_user) == 0)
		return fail("db_user and db_migrate_user must differ");
	if (run_sql(c, "CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET "
	    "utf8mb4 COLLATE utf8mb4_unicode_ci", k->db_name) != DB_OK) {
		fail("cannot create database %s (see the log above)",
		    k->db_name);
		goto out;
	}
	if (make_account(c, k->db_migrate_user, host, k->db_name,
	    migrate_grants, mig_pw) != DB_OK ||
	    make_account(c, k->db_user, host, k->db_name, app_grants,
	    app_pw) != DB_OK) {
		fail("cannot create the accounts (see the log above)");
		goto out;
	}
	if (write_secret(k->db_migrate_password_file, mig_pw) == -1)
		goto out;
	fprintf(stderr, "staffdesk-admin: database %s; account %s@%s "
	    "(%s); account %s@%s (%s), its password in %s. Put this line in "
	    "%s (it is not shown again):\n", k->db_name, k->db_user, host,
	    app_grants, k->db_migrate_user, host, migrate_grants,
	    k->db_migrate_password_file, conf_path());
	printf("db_password = %s\n", app_pw);
	rc = EXIT_OK;
out:
	OPENSSL_cleanse(app_pw, sizeof(app_pw));
	OPENSSL_cleanse(mig_pw, sizeof(mig_pw));
	return rc;
}
