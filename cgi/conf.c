/*
 * conf.c: see conf.h. One table names every key, its type and bounds.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth/crypt.h"
#include "cidr.h"
#include "conf.h"
#include "util.h"

enum conf_type { CT_STR, CT_PATH, CT_INT, CT_BOOL, CT_MODE, CT_LEVEL,
    CT_WORD, CT_NETS, CT_HOSTS };

struct conf_key {
	const char		 *name;
	enum conf_type		  type;
	size_t			  off;
	long			  min, max;
	const char *const	 *words;	/* CT_WORD: max of them */
	const char		 *why;		/* CT_WORD: when none */
};

static const char *const flavors[LDAP_FLAVOR__MAX] = { "openldap", "ad" };
static const char *const units[LDAP_UNITS__MAX] = { "ou", "group" };

#define S(n)		{ #n, CT_STR, offsetof(struct conf, n), 0, 0, NULL, \
			    NULL }
#define P(n)		{ #n, CT_PATH, offsetof(struct conf, n), 0, 0, NULL, \
			    NULL }
#define I(n, lo, hi)	{ #n, CT_INT, offsetof(struct conf, n), lo, hi, NULL, \
			    NULL }
#define B(n)		{ #n, CT_BOOL, offsetof(struct conf, n), 0, 1, NULL, \
			    NULL }
#define W(n, w, why)	{ #n, CT_WORD, offsetof(struct conf, n), 0, NELEM(w), \
			    w, why }

static const struct conf_key keys[] = {
	P(db_socket), { "db_host", CT_HOSTS, offsetof(struct conf, db_host), 0,
	    CONF_DB_HOSTS_MAX, NULL, NULL }, I(db_port, 1, 65535), S(db_user),
	S(db_password), S(db_name), I(db_timeout, 1, 300),
	P(listen), { "socket_mode", CT_MODE, offsetof(struct conf, socket_mode),
	    0, 0777, NULL, NULL },
	I(workers, 1, 256), I(max_requests, 0, 100000000),
	P(templates), S(base_url),
	B(cookie_secure),
	P(data_key_file), P(sms_command), P(sms_log),
	{ "log_level", CT_LEVEL, offsetof(struct conf, log_level), 0, 0, NULL,
	    NULL },
	S(ldap_uri), B(ldap_starttls), P(ldap_ca_file), S(ldap_bind_dn),
	P(ldap_bind_password_file), S(ldap_base_dn), S(ldap_people_filter),
	S(ldap_attr_upn), S(ldap_attr_name), S(ldap_attr_mail),
	S(ldap_attr_mobile), S(ldap_attr_phone), S(ldap_attr_title),
	S(ldap_attr_department), W(ldap_units, units, "must be ou or group"),
	S(ldap_units_base), W(ldap_flavor, flavors, "must be openldap or ad"),
	B(ldap_sync_phones), I(ldap_timeout, 1, 300),
	S(db_migrate_user), P(db_migrate_password_file),
	{ "metrics_allow", CT_NETS, offsetof(struct conf, metrics_allow), 0, 0,
	    NULL, NULL },
};

static const char *const levels[LOG__MAX] = { "error", "warn", "info", "debug" };

static void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->db_port = 3306;
	c->db_timeout = 3;
	c->db_user = xstrdup("staffdesk");
	c->db_name = xstrdup("staffdesk");
	c->listen = xstrdup("/run/staffdesk/staffdesk.sock");
	c->socket_mode = 0660;
	c->workers = 4;
	c->max_requests = 10000;
	c->templates = xstrdup("/usr/local/share/staffdesk/templates");
	c->base_url = xstrdup("http://localhost:8080");
	c->cookie_secure = -1;
	c->log_level = LOG_INFO;
	c->ldap_people_filter = xstrdup("(objectClass=inetOrgPerson)");
	c->ldap_attr_upn = xstrdup("mail");
	c->ldap_attr_name = xstrdup("displayName");
	c->ldap_attr_mail = xstrdup("mail");
	c->ldap_attr_mobile = xstrdup("mobile");
	c->ldap_attr_phone = xstrdup("telephoneNumber");
	c->ldap_attr_title = xstrdup("title");
	c->ldap_attr_department = xstrdup("departmentNumber");
	c->ldap_timeout = 10;
	c->metrics_allow = xstrdup(CONF_METRICS_ALLOW);
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void
conf_hosts_free(struct conf *c)
{
	size_t	i;

	for (i = 0; i < c->db_nhosts; i++)
		free(c->db_hosts[i].name);
	memset(c->db_hosts, 0, sizeof(c->db_hosts));
	c->db_nhosts = 0;
}

/*
 * One server of db_host: "name" or "name:port", an IPv6 address in
 * brackets ("[::1]:3306"). A name is letters, digits, '.', '-', '_'.
 * Returns 0, or -1 when tok is none of these.
 */
static int
conf_host(char *tok, struct conf_db_host *h)
{
	char	*name = tok, *port = NULL, *end;
	int64_t	 n;

	if (*tok == '[') {
		if ((end = strchr(tok, ']')) == NULL || end == tok + 1)
			return -1;
		*end = '\0';
		name = tok + 1;
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return -1;
		if (strspn(name, "0123456789abcdefABCDEF:.") != strlen(name))
			return -1;
	} else {
		if ((port = strchr(tok, ':')) != NULL)
			*port++ = '\0';
		if (*name == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != strlen(name))
			return -1;
	}
	n = 0;
	if (port != NULL && parse_int64(port, 1, 65535, &n) == -1)
		return -1;
	h->name = xstrdup(name);
	h->port = (long)n;
	return 0;
}

/* db_host: servers separated by commas or spaces, tried in order. */
static const char *
conf_hosts(struct conf *c, const char *v)
{
	char	*copy, *tok, *save;

	conf_hosts_free(c);
	free(c->db_host);
	c->db_host = xstrdup(v);
	copy = xstrdup(v);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (c->db_nhosts == CONF_DB_HOSTS_MAX ||
		    conf_host(tok, &c->db_hosts[c->db_nhosts]) == -1)
			break;
		c->db_nhosts++;
	}
	free(copy);
	if (tok != NULL || c->db_nhosts == 0) {
		conf_hosts_free(c);
		return "must be 1-8 servers (host or host:port, [IPv6]:port) "
		    "separated by commas or spaces";
	}
	return NULL;
}

/*
 * A list of networks (cidr.h): NULL, or why not in buf. An empty list
 * is allowed (nobody).
 */
static const char *
conf_nets(const char *v, char *buf, size_t bufsz)
{
	struct arena	 a = { NULL };
	const char	*why;

	if ((why = cidr_list_check(&a, v, CIDR_ANY)) != NULL) {
		(void)snprintf(buf, bufsz, "must list networks such as "
		    "127.0.0.0/8 ::1 10.0.0.0/24: %s", why);
		why = buf;
	}
	arena_reset(&a);
	return why;
}

/*
 * Sets one key; returns NULL or the reason the value is refused (which
 * may live in buf).
 */
static const char *
conf_set(struct conf *c, const struct conf_key *k, const char *v,
    char *buf, size_t bufsz)
{
	char	**sp = (char **)((char *)c + k->off);
	long	 *lp = (long *)((char *)c + k->off);
	int64_t	  n;
	char	 *end;
	size_t	  i;

	switch (k->type) {
	case CT_PATH:
		if (*v != '/')
			return "must be an absolute path";
		/* FALLTHROUGH */
	case CT_STR:
		free(*sp);
		*sp = xstrdup(v);
		return NULL;
	case CT_INT:
		if (parse_int64(v, k->min, k->max, &n) == -1)
			return "must be a whole number in range";
		*lp = (long)n;
		return NULL;
	case CT_BOOL:
		if (strcmp(v, "on") == 0 || strcmp(v, "yes") == 0 ||
		    strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			*lp = 1;
		else if (strcmp(v, "off") == 0 || strcmp(v, "no") == 0 ||
		    strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			*lp = 0;
		else
			return "must be on or off";
		return NULL;
	case CT_MODE:
		errno = 0;
		n = strtol(v, &end, 8);
		if (*v == '\0' || *end != '\0' || errno != 0 || n < 0 ||
		    n > 0777)
			return "must be an octal mode such as 0660";
		*lp = (long)n;
		return NULL;
	case CT_LEVEL:
		for (i = 0; i < LOG__MAX; i++)
			if (strcmp(v, levels[i]) == 0) {
				*lp = (long)i;
				return NULL;
			}
		return "must be error, warn, info or debug";
	case CT_WORD:
		for (i = 0; i < (size_t)k->max; i++)
			if (strcmp(v, k->words[i]) == 0) {
				*lp = (long)i;
				return NULL;
			}
		return k->why;
	case CT_NETS:
		if (conf_nets(v, buf, bufsz) != NULL)
			return buf;
		free(*sp);
		*sp = xstrdup(v);
		return NULL;
	case CT_HOSTS:
		return conf_hosts(c, v);
	}
	return "unknown type";
}

/* Reads the 32-byte key: raw bytes, or 64 hex digits and a newline. */
static int
conf_read_key(struct conf *c, char *err, size_t errsz)
{
	unsigned char	buf[CONF_KEY_BYTES * 2 + 2];
	ssize_t		n;
	size_t		i;
	int		fd, hi, lo;

	if ((fd = open(c->data_key_file, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", c->data_key_file,
		    strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n == CONF_KEY_BYTES) {
		memcpy(c->data_key, buf, CONF_KEY_BYTES);
		OPENSSL_cleanse(buf, sizeof(buf));
		return 0;
	}
	if (n == 2 * CONF_KEY_BYTES || (n == 2 * CONF_KEY_BYTES + 1 &&
	    buf[2 * CONF_KEY_BYTES] == '\n')) {
		for (i = 0; i < CONF_KEY_BYTES; i++) {
			hi = OPENSSL_hexchar2int(buf[2 * i]);
			lo = OPENSSL_hexchar2int(buf[2 * i + 1]);
			if (hi < 0 || lo < 0)
				break;
			c->data_key[i] = (unsigned char)(hi << 4 | lo);
		}
		OPENSSL_cleanse(buf, sizeof(buf));
		if (i == CONF_KEY_BYTES)
			return 0;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	snprintf(err, errsz, "%s: must hold 32 random bytes "
	    "(raw, or 64 hex digits)", c->data_key_file);
	return -1;
}

int
conf_read_password(const char *path, char *s, char *err, size_t errsz)
{
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, s, CONF_SECRET_MAX + 1);
	close(fd);
	if (n > 0 && s[n - 1] == '\n')
		n--;
	if (n <= 0 || n > CONF_SECRET_MAX || memchr(s, '\n', n) != NULL ||
	    memchr(s, '\0', n) != NULL) {
		OPENSSL_cleanse(s, CONF_SECRET_MAX + 1);
		snprintf(err, errsz, "%s: must hold one line of 1-%d bytes",
		    path, CONF_SECRET_MAX);
		return -1;
	}
	s[n] = '\0';
	return 0;
}

/*
 * The directory's keys go together (its password file is read by
 * conf_parse()): 0, or -1 with the reason in err.
 */
static int
conf_check_ldap(struct conf *c, const char *fname, char *err, size_t errsz)
{
	if (c->ldap_uri == NULL)
		return 0;
	if (strncmp(c->ldap_uri, "ldap://", 7) != 0 &&
	    strncmp(c->ldap_uri, "ldaps://", 8) != 0) {
		snprintf(err, errsz, "%s: ldap_uri must start with ldap:// "
		    "or ldaps://", fname);
		return -1;
	}
	/*
	 * Every password staffdesk checks or writes, and the service
	 * account's, crosses this connection: in clear only on loopback.
	 */
	if (strncmp(c->ldap_uri, "ldap://", 7) == 0 && !c->ldap_starttls &&
	    strncmp(c->ldap_uri + 7, "127.", 4) != 0 &&
	    strncmp(c->ldap_uri + 7, "localhost", 9) != 0 &&
	    strncmp(c->ldap_uri + 7, "[::1]", 5) != 0) {
		snprintf(err, errsz, "%s: ldap_uri %s would send passwords "
		    "in clear: use ldaps://, or ldap_starttls = on (plain "
		    "ldap:// only to 127.0.0.1 or localhost)", fname,
		    c->ldap_uri);
		return -1;
	}
	if (c->ldap_bind_dn == NULL || c->ldap_bind_password_file == NULL ||
	    c->ldap_base_dn == NULL) {
		snprintf(err, errsz, "%s: ldap_uri needs ldap_bind_dn, "
		    "ldap_bind_password_file and ldap_base_dn", fname);
		return -1;
	}
	if (c->ldap_units_base == NULL)
		c->ldap_units_base = xstrdup(c->ldap_base_dn);
	return 0;
}

int
conf_parse_text(struct conf *c, const char *text, const char *fname,
    char *err, size_t errsz)
{
	char		 line[CONF_LINE_MAX + 2], *k, *v, *eq;
	char		 why_buf[256];
	const char	*p = text, *nl, *why;
	size_t		 len, i, lineno = 0;

	conf_defaults(c);
	while (*p != '\0') {
		lineno++;
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len > CONF_LINE_MAX) {
			snprintf(err, errsz, "%s:%zu: line longer than %d "
			    "bytes", fname, lineno, CONF_LINE_MAX);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl != NULL);
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			snprintf(err, errsz, "%s:%zu: expected key = value",
			    fname, lineno);
			return -1;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		for (i = 0; i < NELEM(keys); i++)
			if (strcmp(keys[i].name, k) == 0)
				break;
		if (i == NELEM(keys)) {
			snprintf(err, errsz, "%s:%zu: unknown key '%s'",
			    fname, lineno, k);
			return -1;
		}
		if ((why = conf_set(c, &keys[i], v, why_buf,
		    sizeof(why_buf))) != NULL) {
			snprintf(err, errsz, "%s:%zu: %s %s", fname, lineno,
			    k, why);
			return -1;
		}
	}
	if (c->cookie_secure == -1)
		c->cookie_secure = strncmp(c->base_url, "https://", 8) == 0;
	if (c->sms_command != NULL && c->sms_log != NULL) {
		snprintf(err, errsz, "%s: set sms_command or sms_log, not both",
		    fname);
		return -1;
	}
	/* The socket would win, silently: a host of a cluster that keeps
	 * the example's db_socket would use a database of its own. */
	if (c->db_socket != NULL && c->db_host != NULL) {
		snprintf(err, errsz, "%s: set db_socket (a server on this "
		    "host) or db_host (servers over TCP), not both", fname);
		return -1;
	}
	if (c->data_key_file == NULL) {
		snprintf(err, errsz, "%s: data_key_file is required", fname);
		return -1;
	}
	return conf_check_ldap(c, fname, err, errsz);
}

int
conf_parse(struct conf *c, const char *text, const char *fname,
    char *err, size_t errsz)
{
	if (conf_parse_text(c, text, fname, err, errsz) == -1)
		return -1;
	if (c->ldap_uri != NULL && conf_read_password(
	    c->ldap_bind_password_file, c->ldap_bind_password, err,
	    errsz) == -1)
		return -1;
	if (conf_read_key(c, err, errsz) != 0)
		return -1;
	if (crypt_derive(c->data_key, sizeof(c->data_key), CONF_OTP_INFO,
	    c->otp_key, sizeof(c->otp_key)) != 0) {
		snprintf(err, errsz, "%s: the one-time code key could not be "
		    "derived", fname);
		return -1;
	}
	return 0;
}

/* 1 when v, written after "key = ", reads back as v (trim() keeps it). */
static int
conf_value_ok(const char *v)
{
	size_t	n = strlen(v);

	return strchr(v, '\n') == NULL && v[0] != ' ' && v[0] != '\t' &&
	    (n == 0 || (v[n - 1] != ' ' && v[n - 1] != '\t' &&
	    v[n - 1] != '\r'));
}

int
conf_format(const struct conf *c, char *buf, size_t bufsz)
{
	const struct conf_key	*k;
	const char		*s = NULL;
	char			 line[CONF_LINE_MAX + 2];
	long			 v = 0;
	size_t			 i, o = 0;
	int			 n;

	for (i = 0; i < NELEM(keys); i++) {
		k = &keys[i];
		if (k->type == CT_STR || k->type == CT_PATH ||
		    k->type == CT_NETS || k->type == CT_HOSTS)
			s = *(char *const *)((const char *)c + k->off);
		else
			v = *(const long *)((const char *)c + k->off);
		switch (k->type) {
		case CT_STR:
		case CT_PATH:
		case CT_NETS:
		case CT_HOSTS:
			if (s == NULL)
				continue;
			if (!conf_value_ok(s))
				return -1;
			n = snprintf(line, sizeof(line), "%s = %s", k->name, s);
			break;
		case CT_INT:
			n = snprintf(line, sizeof(line), "%s = %ld", k->name, v);
			break;
		case CT_BOOL:
			n = snprintf(line, sizeof(line), "%s = %s", k->name,
			    v ? "on" : "off");
			break;
		case CT_MODE:
			n = snprintf(line, sizeof(line), "%s = 0%lo", k->name,
			    (unsigned long)v);
			break;
		case CT_LEVEL:
			if (v < 0 || v >= LOG__MAX)
				return -1;
			n = snprintf(line, sizeof(line), "%s = %s", k->name,
			    levels[v]);
			break;
		case CT_WORD:
			if (v < 0 || v >= k->max)
				return -1;
			n = snprintf(line, sizeof(line), "%s = %s", k->name,
			    k->words[v]);
			break;
		default:
			return -1;
		}
		if (n < 0 || n > CONF_LINE_MAX || (size_t)n + 1 >= bufsz - o)
			return -1;
		memcpy(buf + o, line, (size_t)n);
		o += (size_t)n;
		buf[o++] = '\n';
	}
	if (o >= bufsz)
		return -1;
	buf[o] = '\0';
	return (int)o;
}

const char *
conf_path(void)
{
	const char	*p = getenv("STAFFDESK_CONF");

	return p != NULL && *p != '\0' ? p : CONF_DEFAULT_PATH;
}

int
conf_load(struct conf *c, const char *path, char *err, size_t errsz)
{
	char	*buf;
	FILE	*f;
	size_t	 n;
	int	 rc;

	if (path == NULL)
		path = conf_path();
	if ((f = fopen(path, "re")) == NULL) {
		conf_defaults(c);
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(CONF_FILE_MAX + 1);
	n = fread(buf, 1, CONF_FILE_MAX + 1, f);
	fclose(f);
	if (n > CONF_FILE_MAX) {
		free(buf);
		conf_defaults(c);
		snprintf(err, errsz, "%s: larger than %d bytes", path,
		    CONF_FILE_MAX);
		return -1;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL) {
		free(buf);
		conf_defaults(c);
		snprintf(err, errsz, "%s: contains a NUL byte", path);
		return -1;
	}
	rc = conf_parse(c, buf, path, err, errsz);
	OPENSSL_cleanse(buf, n);
	free(buf);
	return rc;
}

void
conf_free(struct conf *c)
{
	size_t	i;

	for (i = 0; i < NELEM(keys); i++)
		if (keys[i].type == CT_STR || keys[i].type == CT_PATH ||
		    keys[i].type == CT_NETS || keys[i].type == CT_HOSTS)
			free(*(char **)((char *)c + keys[i].off));
	conf_hosts_free(c);
	OPENSSL_cleanse(c->data_key, sizeof(c->data_key));
	OPENSSL_cleanse(c->otp_key, sizeof(c->otp_key));
	OPENSSL_cleanse(c->ldap_bind_password, sizeof(c->ldap_bind_password));
	memset(c, 0, sizeof(*c));
}
