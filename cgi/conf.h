/*
 * conf.h: the configuration file (README: Configuration), parsed once at
 * start-up. Unknown keys and bad values are errors naming file:line.
 */
#ifndef STAFFDESK_CONF_H
#define STAFFDESK_CONF_H

#define CONF_DEFAULT_PATH	"/etc/staffdesk/staffdesk.conf"
#define CONF_LINE_MAX		1024
#define CONF_FILE_MAX		(64 * 1024)
#define CONF_KEY_BYTES		32
#define CONF_OTP_INFO		"staffdesk otp-hmac v1"	/* HKDF info */

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG__MAX };

/* ldap_flavor: how a password is written (cgi/directory.h). */
enum ldap_flavor { LDAP_FLAVOR_OPENLDAP, LDAP_FLAVOR_AD, LDAP_FLAVOR__MAX };
/* ldap_units: what a location is in the directory. */
enum ldap_units { LDAP_UNITS_OU, LDAP_UNITS_GROUP, LDAP_UNITS__MAX };

#define CONF_SECRET_MAX	256	/* bytes of ldap_bind_password_file */
#define CONF_METRICS_ALLOW	"127.0.0.0/8 ::1"	/* loopback */
#define CONF_DB_HOSTS_MAX	8	/* servers db_host may list */

/* One server of db_host; port 0 means db_port. */
struct conf_db_host {
	char		*name;
	long		 port;
};

struct conf {
	char		*db_socket;
	char		*db_host;	/* as written; db_hosts holds it parsed */
	long		 db_port;
	char		*db_user;
	char		*db_password;
	char		*db_name;
	char		*listen;
	long		 socket_mode;
	long		 workers;
	long		 max_requests;
	long		 db_timeout;	/* seconds: connect, a worker's read and write */
	char		*templates;
	char		*base_url;
	long		 cookie_secure;	/* -1: derived from base_url */
	char		*data_key_file;
	char		*sms_command;
	char		*sms_log;
	long		 log_level;
	unsigned char	 data_key[CONF_KEY_BYTES];	/* seals secrets */
	unsigned char	 otp_key[CONF_KEY_BYTES];	/* HMACs one-time
							   codes: HKDF of
							   data_key */
	/* The on-premises directory (README: LDAP); unset ldap_uri: none. */
	char		*ldap_uri;
	long		 ldap_starttls;
	char		*ldap_ca_file;
	char		*ldap_bind_dn;
	char		*ldap_bind_password_file;
	char		*ldap_base_dn;
	char		*ldap_people_filter;
	char		*ldap_attr_upn;
	char		*ldap_attr_name;
	char		*ldap_attr_mail;
	char		*ldap_attr_mobile;
	char		*ldap_attr_phone;
	char		*ldap_attr_title;
	char		*ldap_attr_department;
	long		 ldap_units;		/* enum ldap_units */
	char		*ldap_units_base;
	long		 ldap_flavor;		/* enum ldap_flavor */
	long		 ldap_sync_phones;
	long		 ldap_timeout;		/* seconds, connect and each operation */
	char		 ldap_bind_password[CONF_SECRET_MAX + 1];
	/*
	 * The account `staffdesk-admin migrate` (and setup-db) uses: DDL
	 * and TRIGGER besides the app's SELECT/INSERT/UPDATE/DELETE. Its
	 * password file is read only by those commands (conf_read_password),
	 * so it can be root's alone while the workers read this file.
	 */
	char		*db_migrate_user;
	char		*db_migrate_password_file;
	/* Networks GET /metrics answers (cidr.h); others get a 403. */
	char		*metrics_allow;
	/*
	 * db_host's servers in the order a connection tries them (a Galera
	 * cluster's nodes: README, Scaling out); none: the client's default.
	 */
	struct conf_db_host	 db_hosts[CONF_DB_HOSTS_MAX];
	size_t			 db_nhosts;
};

/*
 * Parses text as the file fname into c (defaults first) and checks the
 * keys that go together, reading no file: the data key and the
 * directory's password stay unread. Returns 0, or -1 with
 * "file:line: reason" in err; conf_free() c either way.
 */
int	 conf_parse_text(struct conf *c, const char *text, const char *fname,
	    char *err, size_t errsz);
/*
 * conf_parse_text(), then reads the data key and, with ldap_uri, the
 * directory's password. Returns 0, or -1 with "file:line: reason" in err.
 */
int	 conf_parse(struct conf *c, const char *text, const char *fname,
	    char *err, size_t errsz);
/*
 * Every key of c as "key = value" lines (unset texts left out) that
 * conf_parse_text() reads back as c, into buf: the length, or -1 when
 * it does not fit, a line would be over CONF_LINE_MAX or a value would
 * not read back (a newline in it, spaces at its ends). It holds
 * db_password: for checks and tests, never for a log.
 */
int	 conf_format(const struct conf *c, char *buf, size_t bufsz);
/* Reads and parses the file at path (or STAFFDESK_CONF, or the default). */
int	 conf_load(struct conf *c, const char *path, char *err, size_t errsz);
/*
 * Reads one line of 1-CONF_SECRET_MAX bytes (a final newline is not
 * part of it) from the file at path into buf (CONF_SECRET_MAX + 1
 * bytes). Returns 0, or -1 with the reason in err.
 */
int	 conf_read_password(const char *path, char *buf, char *err,
	    size_t errsz);
/* The path conf_load uses when given NULL. */
const char *conf_path(void);
void	 conf_free(struct conf *);

#endif
