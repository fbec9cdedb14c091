/*
 * directory.h: the on-premises LDAP directory (README: LDAP), through
 * OpenLDAP's libldap, configured by the ldap_* keys of conf.h. Named
 * directory, not ldap, because -Icgi would make a cgi/ldap.h hide
 * libldap's <ldap.h>.
 *
 * Every function follows util.h's rule: 0 done; -1 the directory could
 * not be reached or answered an error (logged, never with a password:
 * the caller answers 503); positive an answer, from enum dir_answer.
 */
#ifndef STAFFDESK_DIRECTORY_H
#define STAFFDESK_DIRECTORY_H

#include <stddef.h>

#include <ldap.h>

struct conf;
struct arena;

enum dir_answer {
	DIR_NONE = 1,		/* no entry (or more than one) has the UPN */
	DIR_WRONG_PASSWORD,	/* the bind as the person was refused */
	DIR_REFUSED,		/* the directory's policy refused the password */
};

/* Longest filter value or DN value dir_escape_* writes, escaped. */
#define DIR_VALUE_MAX	1024

/*
 * RFC 4515 §3: value with '*', '(', ')' and '\' written as \2a, \28,
 * \29, \5c, so it is one assertion value inside a filter (a C string
 * holds no NUL to escape).
 * Returns the length written to out (NUL-terminated), or -1 when it
 * does not fit in outsz.
 */
int	 dir_escape_filter(char *out, size_t outsz, const char *value);

/*
 * RFC 4514 §2.4: value escaped as one attribute value of a DN: '"',
 * '+', ',', ';', '<', '>', '=', '\' with a backslash, a leading '#' or
 * space and a trailing space too. Returns the length written, or -1
 * when it does not fit. (Sync reads DNs as the directory gives them;
 * this is for a DN made from a name.)
 */
int	 dir_escape_dn(char *out, size_t outsz, const char *value);

/*
 * Active Directory's unicodePwd value ([MS-ADTS] 3.1.1.3.1.5.1): the
 * password in double quotes, as UTF-16LE. Returns the byte length
 * written to out, or -1 when password is not valid UTF-8 or does not
 * fit.
 */
int	 dir_ad_password(unsigned char *out, size_t outsz,
	    const char *password);

/*
 * A connection bound as the service account (ldap_bind_dn), StartTLS
 * first when ldap_starttls is on, every operation bounded by
 * ldap_timeout. 0 and *ldp, or -1 (nothing to close). For sync: search
 * it with the ldap_* attribute map; dir_close() it.
 */
int	 dir_open(const struct conf *, LDAP **ldp);
void	 dir_close(LDAP *);

/*
 * The DN of the one person under ldap_base_dn matching
 * (&ldap_people_filter(ldap_attr_upn=upn)), copied into a; 0, DIR_NONE,
 * or -1.
 */
int	 dir_find_dn(LDAP *, const struct conf *, const char *upn,
	    struct arena *a, char **dn);

/*
 * Checks password by binding as the person with upn (found as the
 * service account): 0 right, DIR_WRONG_PASSWORD, DIR_NONE, or -1.
 */
int	 dir_check_password(const struct conf *, const char *upn,
	    const char *password);

/*
 * Sets the password of the person with upn as the service account:
 * ldap_flavor openldap, the Password Modify extended operation (RFC
 * 3062) with the password policy request control, then pwdReset TRUE
 * when must_change (else removed); ad, a unicodePwd replace (which AD
 * accepts only over TLS) and pwdLastSet 0 when must_change. Returns 0,
 * DIR_NONE, DIR_REFUSED with the directory's reason in plain words in
 * *why (allocated in a), or -1.
 */
int	 dir_set_password(const struct conf *, const char *upn,
	    const char *password, int must_change, struct arena *a,
	    const char **why);

/* The sentence for a ppolicy error (LDAPPasswordPolicyError). */
const char *dir_policy_text(int pperr);

#endif
