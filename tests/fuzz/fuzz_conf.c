/*
 * fuzz_conf.c: the config file (conf.h) from memory, as conf_load()
 * hands it over (at most CONF_FILE_MAX bytes, no NUL). A refused file
 * names the file and a line the input has; a parsed one keeps every key
 * in its bounds and the keys that go together, and conf_format() writes
 * it back as text that parses to the same (the same text again).
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"

#define FNAME	"fuzz.conf"

/* The longest line of text, in bytes; *lines: how many it has. */
static size_t
longest_line(const char *text, size_t *lines)
{
	const char	*nl;
	size_t		 len, max = 0;

	for (*lines = 0; *text != '\0'; text += len + (nl != NULL)) {
		(*lines)++;
		nl = strchr(text, '\n');
		len = nl != NULL ? (size_t)(nl - text) : strlen(text);
		if (len > max)
			max = len;
	}
	return max;
}

/* 1 when s is unset, or one line with no blank at either end. */
static int
text_ok(const char *s)
{
	size_t	n;

	if (s == NULL)
		return 1;
	n = strlen(s);
	return strchr(s, '\n') == NULL && (n == 0 || (s[0] != ' ' &&
	    s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t' &&
	    s[n - 1] != '\r'));
}

static int
path_ok(const char *s)
{
	return s == NULL || (s[0] == '/' && text_ok(s));
}

/* The bounds of conf.c's table and the rules across keys. */
static void
check_parsed(const struct conf *c)
{
	FUZZ_CHECK(c->db_port >= 1 && c->db_port <= 65535);
	FUZZ_CHECK(c->db_timeout >= 1 && c->db_timeout <= 300);
	FUZZ_CHECK(c->ldap_timeout >= 1 && c->ldap_timeout <= 300);
	FUZZ_CHECK(c->socket_mode >= 0 && c->socket_mode <= 0777);
	FUZZ_CHECK(c->workers >= 1 && c->workers <= 256);
	FUZZ_CHECK(c->max_requests >= 0 && c->max_requests <= 100000000);
	FUZZ_CHECK(c->cookie_secure == 0 || c->cookie_secure == 1);
	FUZZ_CHECK(c->ldap_starttls == 0 || c->ldap_starttls == 1);
	FUZZ_CHECK(c->ldap_sync_phones == 0 || c->ldap_sync_phones == 1);
	FUZZ_CHECK(c->log_level >= 0 && c->log_level < LOG__MAX);
	FUZZ_CHECK(c->ldap_units >= 0 && c->ldap_units < LDAP_UNITS__MAX);
	FUZZ_CHECK(c->ldap_flavor >= 0 && c->ldap_flavor < LDAP_FLAVOR__MAX);
	FUZZ_CHECK(path_ok(c->db_socket) && path_ok(c->listen) &&
	    path_ok(c->templates) && path_ok(c->data_key_file) &&
	    path_ok(c->sms_command) && path_ok(c->sms_log) &&
	    path_ok(c->ldap_ca_file) && path_ok(c->ldap_bind_password_file) &&
	    path_ok(c->db_migrate_password_file));
	FUZZ_CHECK(text_ok(c->db_host) && text_ok(c->db_user) &&
	    text_ok(c->db_password) && text_ok(c->db_name) &&
	    text_ok(c->base_url) && text_ok(c->ldap_uri) &&
	    text_ok(c->ldap_bind_dn) && text_ok(c->ldap_base_dn) &&
	    text_ok(c->ldap_people_filter) && text_ok(c->ldap_attr_upn) &&
	    text_ok(c->ldap_units_base) && text_ok(c->db_migrate_user));
	FUZZ_CHECK(c->data_key_file != NULL);
	FUZZ_CHECK(c->sms_command == NULL || c->sms_log == NULL);
	FUZZ_CHECK(c->ldap_uri == NULL ||
	    ((strncmp(c->ldap_uri, "ldap://", 7) == 0 ||
	    strncmp(c->ldap_uri, "ldaps://", 8) == 0) &&
	    c->ldap_bind_dn != NULL && c->ldap_bind_password_file != NULL &&
	    c->ldap_base_dn != NULL && c->ldap_units_base != NULL));
	/* Nothing was read: no key, no password. */
	FUZZ_CHECK(c->ldap_bind_password[0] == '\0');
}

int
fuzz_conf(const uint8_t *data, size_t size)
{
	static char	 out[2 * CONF_FILE_MAX], again[sizeof(out)];
	struct conf	 c, d;
	char		*text, err[CONF_LINE_MAX + 128], *end;
	size_t		 lines, longest;
	unsigned long	 at;
	int		 n;

	/* What conf_load() refuses before parsing. */
	if (size > CONF_FILE_MAX || !fuzz_no_nul(data, size))
		return 0;
	text = fuzz_text(data, size);
	longest = longest_line(text, &lines);
	err[0] = '\0';
	if (conf_parse_text(&c, text, FNAME, err, sizeof(err)) != 0) {
		/* "fuzz.conf:LINE: reason" or "fuzz.conf: reason" */
		FUZZ_CHECK(strncmp(err, FNAME ":", strlen(FNAME ":")) == 0);
		end = err + strlen(FNAME ":");
		if (*end != ' ') {
			at = strtoul(end, &end, 10);
			FUZZ_CHECK(at >= 1 && at <= lines);
			FUZZ_CHECK(*end == ':');
		}
		FUZZ_CHECK(strlen(end) > 2);
		conf_free(&c);
		free(text);
		return 0;
	}
	check_parsed(&c);
	n = conf_format(&c, out, sizeof(out));
	if (n == -1)
		/* only a value on a line too long for " = " around it */
		FUZZ_CHECK(longest + 2 > CONF_LINE_MAX);
	else {
		FUZZ_CHECK((size_t)n == strlen(out));
		FUZZ_CHECK(conf_parse_text(&d, out, FNAME, err,
		    sizeof(err)) == 0);
		check_parsed(&d);
		FUZZ_CHECK(conf_format(&d, again, sizeof(again)) == n);
		FUZZ_CHECK(strcmp(out, again) == 0);
		conf_free(&d);
	}
	conf_free(&c);
	free(text);
	return 0;
}
