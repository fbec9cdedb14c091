/*
 * directory.c: see directory.h.
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include <lber.h>
#include <ldap.h>
#include <openssl/crypto.h>

#include "auth/password.h"
#include "conf.h"
#include "directory.h"
#include "log.h"
#include "util.h"

int
dir_escape_filter(char *out, size_t outsz, const char *v)
{
	size_t	n = 0;

	for (; *v != '\0'; v++) {
		if (strchr("*()\\", *v) != NULL) {
			if (n + 3 >= outsz)
				return -1;
			snprintf(out + n, 4, "\\%02x", (unsigned char)*v);
			n += 3;
		} else {
			if (n + 1 >= outsz)
				return -1;
			out[n++] = *v;
		}
	}
	if (n >= outsz)
		return -1;
	out[n] = '\0';
	return (int)n;
}

int
dir_escape_dn(char *out, size_t outsz, const char *v)
{
	size_t	n = 0, len = strlen(v), i;
	int	special;

	for (i = 0; i < len; i++) {
		special = strchr("\"+,;<>=\\", v[i]) != NULL ||
		    (i == 0 && (v[i] == '#' || v[i] == ' ')) ||
		    (i == len - 1 && v[i] == ' ');
		if (n + 1 + special >= outsz)
			return -1;
		if (special)
			out[n++] = '\\';
		out[n++] = v[i];
	}
	if (n >= outsz)
		return -1;
	out[n] = '\0';
	return (int)n;
}

/*
 * The next code point of UTF-8 s at *i (RFC 3629: shortest form, no
 * surrogates, at most U+10FFFF), or -1.
 */
static long
utf8_next(const unsigned char *s, size_t *i)
{
	static const long	 min[4] = { 0, 0x80, 0x800, 0x10000 };
	long			 c = s[*i];
	int			 more, k;

	if (c < 0x80)
		more = 0;
	else if ((c & 0xe0) == 0xc0)
		more = 1, c &= 0x1f;
	else if ((c & 0xf0) == 0xe0)
		more = 2, c &= 0x0f;
	else if ((c & 0xf8) == 0xf0)
		more = 3, c &= 0x07;
	else
		return -1;
	for (k = 1; k <= more; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return -1;
		c = c << 6 | (s[*i + k] & 0x3f);
	}
	if (c < min[more] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*i += more + 1;
	return c;
}

/* Appends unit u as UTF-16LE: 0, or -1 when it does not fit. */
static int
put16(unsigned char *out, size_t outsz, size_t *n, unsigned u)
{
	if (*n + 2 > outsz)
		return -1;
	out[(*n)++] = u & 0xff;
	out[(*n)++] = u >> 8;
	return 0;
}

int
dir_ad_password(unsigned char *out, size_t outsz, const char *password)
{
	const unsigned char	*s = (const unsigned char *)password;
	size_t			 i = 0, n = 0;
	long			 c;

	if (put16(out, outsz, &n, '"') == -1)
		return -1;
	while (s[i] != '\0') {
		if ((c = utf8_next(s, &i)) == -1)
			goto bad;
		if (c >= 0x10000) {
			c -= 0x10000;
			if (put16(out, outsz, &n, 0xd800 | (c >> 10)) == -1 ||
			    put16(out, outsz, &n, 0xdc00 | (c & 0x3ff)) == -1)
				goto bad;
		} else if (put16(out, outsz, &n, (unsigned)c) == -1)
			goto bad;
	}
	if (put16(out, outsz, &n, '"') == -1)
		goto bad;
	return (int)n;
bad:
	OPENSSL_cleanse(out, outsz);
	return -1;
}

/* A temporary failure (down, timed out, busy) or any other: both -1. */
static int
dir_fail(const char *what, int rc)
{
	log_msg(LOG_WARN, "directory: %s: %s", what, ldap_err2string(rc));
	return -1;
}

static struct timeval
dir_timeout(const struct conf *c)
{
	return (struct timeval){ .tv_sec = c->ldap_timeout };
}

/* A connection, TLS as configured, not bound: 0, or -1. */
static int
dir_connect(const struct conf *c, LDAP **ldp)
{
	struct timeval	tv = dir_timeout(c);
	LDAP		*ld;
	int		 v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND;
	int		 zero = 0, rc;

	*ldp = NULL;
	if (c->ldap_uri == NULL) {
		log_msg(LOG_WARN, "directory: ldap_uri is not set");
		return -1;
	}
	if ((rc = ldap_initialize(&ld, c->ldap_uri)) != LDAP_SUCCESS)
		return dir_fail(c->ldap_uri, rc);
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != 0 ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != 0 ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != 0 ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != 0 ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != 0 ||
	    (c->ldap_ca_file != NULL && ldap_set_option(ld,
	    LDAP_OPT_X_TLS_CACERTFILE, c->ldap_ca_file) != 0) ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != 0) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		log_msg(LOG_WARN, "directory: cannot set the connection's "
		    "options");
		return -1;
	}
	if (c->ldap_starttls &&
	    (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return dir_fail("StartTLS", rc);
	}
	*ldp = ld;
	return 0;
}

/* A simple bind: the libldap result code. */
static int
dir_bind(LDAP *ld, const char *dn, const char *password)
{
	struct berval	cred;

	cred.bv_val = (char *)password;
	cred.bv_len = strlen(password);
	return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL,
	    NULL);
}

int
dir_open(const struct conf *c, LDAP **ldp)
{
	int	rc;

	if (dir_connect(c, ldp) == -1)
		return -1;
	if ((rc = dir_bind(*ldp, c->ldap_bind_dn, c->ldap_bind_password)) !=
	    LDAP_SUCCESS) {
		dir_close(*ldp);
		*ldp = NULL;
		return dir_fail("bind as ldap_bind_dn", rc);
	}
	return 0;
}

void
dir_close(LDAP *ld)
{
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
}

int
dir_find_dn(LDAP *ld, const struct conf *c, const char *upn,
    struct arena *a, char **dn)
{
	char		 value[DIR_VALUE_MAX], *filter, *d;
	char		*attrs[] = { (char *)LDAP_NO_ATTRS, NULL };
	struct timeval	 tv = dir_timeout(c);
	LDAPMessage	*res = NULL;
	int		 rc, n;

	*dn = NULL;
	if (dir_escape_filter(value, sizeof(value), upn) == -1)
		return DIR_NONE;
	filter = arena_printf(a, "(&%s(%s=%s))", c->ldap_people_filter,
	    c->ldap_attr_upn, value);
	rc = ldap_search_ext_s(ld, c->ldap_base_dn, LDAP_SCOPE_SUBTREE,
	    filter, attrs, 0, NULL, NULL, &tv, 2, &res);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		return dir_fail("search for a person", rc);
	}
	n = ldap_count_entries(ld, res);
	if (n != 1 || rc == LDAP_SIZELIMIT_EXCEEDED) {
		if (n > 1 || rc == LDAP_SIZELIMIT_EXCEEDED)
			log_msg(LOG_WARN, "directory: more than one entry "
			    "has %s=%s", c->ldap_attr_upn, value);
		ldap_msgfree(res);
		return DIR_NONE;
	}
	if ((d = ldap_get_dn(ld, ldap_first_entry(ld, res))) == NULL) {
		ldap_msgfree(res);
		return dir_fail("the DN of a person", LDAP_NO_MEMORY);
	}
	*dn = arena_strdup(a, d);
	ldap_memfree(d);
	ldap_msgfree(res);
	return 0;
}

int
dir_check_password(const struct conf *c, const char *upn,
    const char *password)
{
	struct arena	 a = { NULL };
	LDAP		*ld;
	char		*dn;
	int		 rc;

	/* An empty password would be an unauthenticated bind (RFC 4513 5.1.2). */
	if (*password == '\0')
		return DIR_WRONG_PASSWORD;
	if (dir_open(c, &ld) == -1)
		return -1;
	if ((rc = dir_find_dn(ld, c, upn, &a, &dn)) != 0)
		goto out;
	switch ((rc = dir_bind(ld, dn, password))) {
	case LDAP_SUCCESS:
		rc = 0;
		break;
	case LDAP_INVALID_CREDENTIALS:
	case LDAP_INAPPROPRIATE_AUTH:
		rc = DIR_WRONG_PASSWORD;
		break;
	default:
		rc = dir_fail("bind as a person", rc);
		break;
	}
out:
	dir_close(ld);
	arena_reset(&a);
	return rc;
}

const char *
dir_policy_text(int pperr)
{
	switch (pperr) {
	case PP_passwordTooShort:
		return "The directory refused the password: it is too short "
		    "for the directory's password policy.";
	case PP_passwordInHistory:
		return "The directory refused the password: it was used "
		    "recently. Choose one that has not been used before.";
	case PP_insufficientPasswordQuality:
		return "The directory refused the password: it does not meet "
		    "the directory's quality rules.";
	case PP_passwordTooLong:
		return "The directory refused the password: it is too long.";
	case PP_passwordTooYoung:
		return "The directory refused the password: it was changed "
		    "too recently to be changed again.";
	case PP_passwordModNotAllowed:
	case PP_mustSupplyOldPassword:
		return "The directory does not allow this password to be "
		    "changed here.";
	case PP_accountLocked:
		return "The directory has locked this account.";
	default:
		return "The directory refused the password under its "
		    "password policy.";
	}
}

/*
 * The result of an operation sent as msgid, with the ppolicy response
 * control if any: the LDAP result code; *pperr PP_noError or the
 * policy's error; *text the server's diagnostic (or NULL), in a.
 */
static int
dir_result(LDAP *ld, const struct conf *c, int msgid, int *pperr,
    struct arena *a, char **text)
{
	struct timeval	 tv = dir_timeout(c);
	LDAPMessage	*res = NULL;
	LDAPControl	**ctrls = NULL, *pp;
	char		*diag = NULL;
	ber_int_t	 expire, grace;
	LDAPPasswordPolicyError perr = PP_noError;
	int		 rc, err;

	*pperr = PP_noError;
	*text = NULL;
	if ((rc = ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, &res)) <= 0) {
		ldap_msgfree(res);
		return rc == 0 ? LDAP_TIMEOUT : LDAP_SERVER_DOWN;
	}
	rc = ldap_parse_result(ld, res, &err, NULL, &diag, NULL, &ctrls, 1);
	if (rc != LDAP_SUCCESS)
		return rc;
	if ((pp = ldap_control_find(LDAP_CONTROL_PASSWORDPOLICYRESPONSE,
	    ctrls, NULL)) != NULL && ldap_parse_passwordpolicy_control(ld,
	    pp, &expire, &grace, &perr) == LDAP_SUCCESS)
		*pperr = perr;
	if (diag != NULL && *diag != '\0')
		*text = arena_strdup(a, diag);
	ldap_memfree(diag);
	ldap_controls_free(ctrls);
	return err;
}

/* Password Modify (RFC 3062) of dn, with the ppolicy request control. */
static int
dir_passwd_openldap(LDAP *ld, const struct conf *c, const char *dn,
    const char *password, struct arena *a, const char **why)
{
	struct berval	 user, pw;
	LDAPControl	*ctrl = NULL, *ctrls[2] = { NULL, NULL };
	char		*text;
	int		 rc, msgid, pperr;

	user.bv_val = (char *)dn;
	user.bv_len = strlen(dn);
	pw.bv_val = (char *)password;
	pw.bv_len = strlen(password);
	if (ldap_create_passwordpolicy_control(ld, &ctrl) != LDAP_SUCCESS)
		return dir_fail("ppolicy control", LDAP_NO_MEMORY);
	ctrls[0] = ctrl;
	rc = ldap_passwd(ld, &user, NULL, &pw, ctrls, NULL, &msgid);
	ldap_control_free(ctrl);
	if (rc != LDAP_SUCCESS)
		return dir_fail("password modify", rc);
	rc = dir_result(ld, c, msgid, &pperr, a, &text);
	if (rc == LDAP_SUCCESS)
		return 0;
	if (pperr != PP_noError || rc == LDAP_CONSTRAINT_VIOLATION) {
		*why = dir_policy_text(pperr);
		if (pperr == PP_noError && text != NULL)
			*why = arena_printf(a, "The directory refused the "
			    "password: %s.", text);
		log_msg(LOG_INFO, "directory: password of %s refused: %s",
		    dn, text != NULL ? text : ldap_err2string(rc));
		return DIR_REFUSED;
	}
	return dir_fail("password modify", rc);
}

/* pwdReset TRUE, or removed: the "must change" of ppolicy. */
static int
dir_reset_flag(LDAP *ld, const char *dn, int must_change)
{
	char		*vals[] = { (char *)"TRUE", NULL };
	LDAPMod		 mod = { must_change ? LDAP_MOD_REPLACE :
	    LDAP_MOD_DELETE, (char *)"pwdReset", { must_change ? vals : NULL } };
	LDAPMod		*mods[] = { &mod, NULL };
	int		 rc;

	rc = ldap_modify_ext_s(ld, dn, mods, NULL, NULL);
	if (rc == LDAP_SUCCESS || (!must_change && rc == LDAP_NO_SUCH_ATTRIBUTE))
		return 0;
	return dir_fail("set pwdReset", rc);
}

/* unicodePwd replace and pwdLastSet 0 (must change) in one modify. */
static int
dir_passwd_ad(LDAP *ld, const char *dn, const char *password,
    int must_change, const char **why)
{
	unsigned char	 buf[2 * PW_MAX_BYTES + 4];
	struct berval	 pw, *pwv[2] = { &pw, NULL };
	char		*zero[] = { (char *)"0", NULL }, *diag = NULL;
	LDAPMod		 mpw = { LDAP_MOD_REPLACE | LDAP_MOD_BVALUES,
	    (char *)"unicodePwd", { NULL } };
	LDAPMod		 mlast = { LDAP_MOD_REPLACE, (char *)"pwdLastSet",
	    { zero } };
	LDAPMod		*mods[] = { &mpw, must_change ? &mlast : NULL, NULL };
	int		 n, rc;

	if ((n = dir_ad_password(buf, sizeof(buf), password)) == -1) {
		*why = "The password cannot be sent to the directory: it is "
		    "too long or not valid text.";
		return DIR_REFUSED;
	}
	pw.bv_val = (char *)buf;
	pw.bv_len = (ber_len_t)n;
	mpw.mod_bvalues = pwv;
	rc = ldap_modify_ext_s(ld, dn, mods, NULL, NULL);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc == LDAP_SUCCESS)
		return 0;
	if (rc == LDAP_CONSTRAINT_VIOLATION || rc == LDAP_UNWILLING_TO_PERFORM) {
		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
		log_msg(LOG_INFO, "directory: password of %s refused: %s", dn,
		    diag != NULL ? diag : ldap_err2string(rc));
		ldap_memfree(diag);
		*why = "The directory refused the password: it does not meet "
		    "the directory's password policy (length, complexity or "
		    "history).";
		return DIR_REFUSED;
	}
	return dir_fail("unicodePwd replace", rc);
}

int
dir_set_password(const struct conf *c, const char *upn,
    const char *password, int must_change, struct arena *a,
    const char **why)
{
	LDAP	*ld;
	char	*dn;
	int	 rc;

	*why = NULL;
	if (dir_open(c, &ld) == -1)
		return -1;
	if ((rc = dir_find_dn(ld, c, upn, a, &dn)) != 0)
		goto out;
	if (c->ldap_flavor == LDAP_FLAVOR_AD)
		rc = dir_passwd_ad(ld, dn, password, must_change, why);
	else if ((rc = dir_passwd_openldap(ld, c, dn, password, a, why)) == 0 &&
	    dir_reset_flag(ld, dn, must_change) == -1)
		/* The password is set: staffdesk's own flag still holds. */
		log_msg(LOG_WARN, "directory: %s has the new password but "
		    "not the must-change flag", dn);
out:
	dir_close(ld);
	return rc;
}
