/*
 * session.c: see session.h.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/crypt.h"
#include "authz.h"
#include "cidr.h"
#include "conf.h"
#include "db/db.h"
#include "db/roles.h"
#include "http.h"
#include "session.h"
#include "settings.h"

#define PRE_BYTES	16		/* the visitor cookie's randomness */
#define PRE_LEN		22		/* its base64url length */

static const char *const names_plain[COOKIE__MAX] =
    { "staffdesk", "staffdesk_pre" };
static const char *const names_secure[COOKIE__MAX] =
    { "__Host-staffdesk", "__Host-staffdesk_pre" };

const char *const *
sess_cookie_names(int secure)
{
	return secure ? names_secure : names_plain;
}

int
sess_expired(int64_t created, int64_t seen, int64_t now, long idle,
    long absolute)
{
	return now - seen >= idle || now - created >= absolute ||
	    created > now + 60;
}

int
sess_needs_mfa(const struct sess *s)
{
	return s->mfa_at == 0 && (s->has_role || s->has_totp);
}

static void
token_hash(const char *token, char out[65])
{
	sha256_hex(token, strlen(token), out);
}

int
sess_view_in(struct req *r, struct q_sess_load_in *load)
{
	const char	*tok = r->cookie[COOKIE_SESSION];
	char		*hash;

	if (tok == NULL || strlen(tok) != SESS_TOKEN_LEN ||
	    !http_valid_token(tok, SESS_TOKEN_LEN))
		return 0;
	hash = arena_alloc(&r->arena, 65);
	token_hash(tok, hash);
	load->token_hash = DB_TEXT(hash);
	return 1;
}

/* The role assignments of the session's user, as authz reads them. */
static struct authz_actor *
sess_actor(struct req *r, const char *user_id,
    const struct q_sess_load_rows *rows)
{
	struct authz_actor	*actor = arena_alloc(&r->arena, sizeof(*actor));
	struct assignment	*as;
	size_t			 i;
	int			 role;

	actor->user_id = user_id;
	actor->roles = as = arena_alloc(&r->arena, sizeof(*as) *
	    (rows->n + 1));
	actor->nroles = 0;
	for (i = 0; i < rows->n; i++) {
		/* None (NULL), or one this build does not know: no right. */
		if (rows->row[i].role == NULL ||
		    (role = authz_role_parse(rows->row[i].role)) < 0)
			continue;
		as[actor->nroles].role = (enum role)role;
		as[actor->nroles++].unit_id = rows->row[i].role_unit;
	}
	return actor;
}

int
sess_apply(struct req *r, const struct q_sess_load_in *in,
    const struct q_sess_load_rows *rows)
{
	const struct q_sess_load_row	*u;
	struct sess			*s;
	int64_t				 now = now_s();
	int				 rc;

	r->sess = NULL;
	if (rows->n == 0)
		return DB_OK;
	u = &rows->row[0];
	if ((rc = settings_current(r->db, u->settings_version,
	    r->settings)) != DB_OK)
		return rc;
	r->settings_loaded = 1;
	if (u->enabled != 1)		/* disabled user */
		return DB_OK;
	s = arena_alloc(&r->arena, sizeof(*s));
	memset(s, 0, sizeof(*s));
	memcpy(s->token_hash, in->token_hash.s, sizeof(s->token_hash) - 1);
	s->created_at = u->created;
	s->last_seen_at = u->last_seen;
	if (sess_expired(s->created_at, s->last_seen_at, now,
	    settings_int(r->settings, SET_SESSION_IDLE_MINUTES) * 60,
	    settings_int(r->settings, SET_SESSION_ABSOLUTE_HOURS) * 3600)) {
		(void)q_sess_delete(r->db, &(struct q_sess_delete_in){
		    .token_hash = in->token_hash }, NULL);
		return DB_OK;
	}
	if (snprintf(s->csrf, sizeof(s->csrf), "%s", u->csrf) >=
	    (int)sizeof(s->csrf) || snprintf(s->user_id, sizeof(s->user_id),
	    "%s", u->user_id) >= (int)sizeof(s->user_id))
		return DB_OK;
	s->mfa_at = u->mfa_at;
	s->mfa_remembered = u->mfa_remembered != 0;
	s->mfa_sms = u->mfa_sms != 0;
	s->signin_sms = u->signin_sms != 0;
	/* An MFA remembered on a trusted network counts only on one: used
	 * from anywhere else, the session owes its second factor again. */
	if (s->mfa_remembered && !cidr_list_has(settings_str(r->settings,
	    SET_CA_TRUSTED_NETWORKS), r->ip))
		s->mfa_at = 0;
	s->mfa_attempts = (int)u->mfa_attempts;
	s->upn = u->upn;
	s->display_name = u->display_name;
	s->must_change = u->must_change != 0;
	s->has_totp = u->has_totp != 0;
	s->onprem = u->onprem != 0;
	r->actor = sess_actor(r, s->user_id, rows);
	s->has_role = r->actor->nroles > 0;
	s->flash = u->flash;
	s->flashlen = u->flash_len;
	s->enrol = u->enrol_secret;
	s->enrollen = u->enrol_secret_len;
	/* A database taking no writes still shows pages: the session
	 * is only not kept alive meanwhile. */
	if (now - s->last_seen_at >= SESS_TOUCH_SECONDS &&
	    (rc = q_sess_touch(r->db, &(struct q_sess_touch_in){
	    .token_hash = in->token_hash }, NULL)) != DB_OK &&
	    rc != DB_READONLY)
		return rc;
	r->sess = s;
	return DB_OK;
}

int
sess_load(struct req *r)
{
	struct q_sess_load_in	in;
	struct q_sess_load_rows	rows;
	int			rc;

	r->sess = NULL;
	if (!sess_view_in(r, &in))
		return DB_OK;
	if ((rc = q_sess_load(r->db, &r->arena, &in, &rows)) != DB_OK)
		return rc;
	return sess_apply(r, &in, &rows);
}

int
sess_start(struct db *db, struct req *r, const char *user_id,
    enum sess_mfa mfa, struct sess_new *n)
{
	unsigned char	 raw[SESS_TOKEN_BYTES], c[SESS_TOKEN_BYTES];
	uint64_t	 made = 0;
	int		 rc;

	if (snprintf(n->user_id, sizeof(n->user_id), "%s", user_id) >=
	    (int)sizeof(n->user_id))
		return DB_ERR;
	random_bytes(raw, sizeof(raw));
	random_bytes(c, sizeof(c));
	b64url_encode(raw, sizeof(raw), n->token);
	b64url_encode(c, sizeof(c), n->csrf);
	OPENSSL_cleanse(raw, sizeof(raw));
	token_hash(n->token, n->hash);
	n->mfa = mfa;
	if (r->sess != NULL && (rc = q_sess_delete(db,
	    &(struct q_sess_delete_in){ .token_hash =
	    DB_TEXT(r->sess->token_hash) }, NULL)) != DB_OK)
		return rc;
	if (mfa == SESS_MFA_DONE && (rc = q_user_mfa_done(db,
	    &(struct q_user_mfa_done_in){ .id = DB_TEXT(n->user_id) },
	    NULL)) != DB_OK)
		return rc;
	if ((rc = q_sess_insert(db, &(struct q_sess_insert_in){
		.token_hash = DB_TEXT(n->hash),
		.csrf = DB_TEXT(n->csrf),
		.mfa = DB_INT(mfa),
		.remembered = DB_INT(mfa == SESS_MFA_REMEMBERED),
		.sms = DB_INT(mfa == SESS_MFA_SMS),
		.signin_sms = DB_INT(mfa == SESS_MFA_OWED_SMS),
		.ip = DB_TEXT(r->ip),
		.user_agent = DB_TEXT(r->ua),
		.user = DB_TEXT(n->user_id),
	}, &made)) != DB_OK)
		return rc;
	return made == 1 ? DB_OK : DB_NONE;	/* the user is gone */
}

void
sess_adopt(struct req *r, struct sess_new *n)
{
	http_cookie(r, sess_cookie_names(r->conf->cookie_secure)
	    [COOKIE_SESSION], n->token, -1, r->conf->cookie_secure);
	OPENSSL_cleanse(n->token, sizeof(n->token));
	if (r->sess == NULL) {
		r->sess = arena_alloc(&r->arena, sizeof(*r->sess));
		memset(r->sess, 0, sizeof(*r->sess));
		r->sess->created_at = now_s();
	}
	memcpy(r->sess->token_hash, n->hash, sizeof(n->hash));
	memcpy(r->sess->csrf, n->csrf, sizeof(n->csrf));
	memcpy(r->sess->user_id, n->user_id, sizeof(n->user_id));
	/* A remembered MFA's time is in the row; "a moment ago" will do
	 * for the rest of this request. */
	r->sess->mfa_at = n->mfa != SESS_MFA_OWED &&
	    n->mfa != SESS_MFA_OWED_SMS ? now_s() : 0;
	r->sess->mfa_remembered = n->mfa == SESS_MFA_REMEMBERED;
	r->sess->mfa_sms = n->mfa == SESS_MFA_SMS;
	r->sess->signin_sms = n->mfa == SESS_MFA_OWED_SMS;
	r->sess->mfa_attempts = 0;
	r->sess->flash = NULL;
}

int
sess_end(struct db *db, struct req *r)
{
	http_cookie(r, sess_cookie_names(r->conf->cookie_secure)
	    [COOKIE_SESSION], "", 0, r->conf->cookie_secure);
	if (r->sess == NULL)
		return DB_OK;
	return q_sess_delete(db, &(struct q_sess_delete_in){
	    .token_hash = DB_TEXT(r->sess->token_hash) }, NULL);
}

/* HMAC-SHA256(data key, "csrf" NUL visitor) as base64url. */
static void
pre_csrf(const struct req *r, const char *visitor, char out[SESS_TOKEN_LEN + 1])
{
	unsigned char	msg[5 + 64], md[32];
	unsigned int	mdlen = sizeof(md);
	size_t		n = strlen(visitor);

	if (n > 64)
		n = 64;
	memcpy(msg, "csrf", 5);
	memcpy(msg + 5, visitor, n);
	if (HMAC(EVP_sha256(), r->conf->data_key, sizeof(r->conf->data_key),
	    msg, 5 + n, md, &mdlen) == NULL)
		abort();
	b64url_encode(md, sizeof(md), out);
}

const char *
sess_csrf(struct req *r)
{
	unsigned char	 raw[PRE_BYTES];
	char		*visitor, *tok;

	if (r->sess != NULL)
		return r->sess->csrf;
	if (r->pre_csrf != NULL)
		return r->pre_csrf;
	visitor = r->cookie[COOKIE_PRE] != NULL ?
	    (char *)r->cookie[COOKIE_PRE] : NULL;
	if (visitor == NULL || strlen(visitor) != PRE_LEN ||
	    !http_valid_token(visitor, PRE_LEN)) {
		random_bytes(raw, sizeof(raw));
		visitor = arena_alloc(&r->arena, PRE_LEN + 1);
		b64url_encode(raw, sizeof(raw), visitor);
		http_cookie(r, sess_cookie_names(r->conf->cookie_secure)
		    [COOKIE_PRE], visitor, -1, r->conf->cookie_secure);
	}
	tok = arena_alloc(&r->arena, SESS_TOKEN_LEN + 1);
	pre_csrf(r, visitor, tok);
	return r->pre_csrf = tok;
}

int
sess_csrf_ok(struct req *r, const char *token)
{
	char	want[SESS_TOKEN_LEN + 1];

	if (token == NULL)
		return 0;
	if (r->sess != NULL)
		return str_ct_equal(r->sess->csrf, token);
	if (r->cookie[COOKIE_PRE] == NULL ||
	    strlen(r->cookie[COOKIE_PRE]) != PRE_LEN)
		return 0;
	pre_csrf(r, r->cookie[COOKIE_PRE], want);
	return str_ct_equal(want, token);
}

/*
 * The sealed text of a message: its kind as one letter, whom it is
 * about, a newline, then the text. Only these two functions read it.
 */
int
sess_flash_put(struct db *db, struct req *r, const char *hash,
    enum sess_flash kind, const char *about, const char *text)
{
	unsigned char	 sealed[SESS_FLASH_MAX + CRYPT_OVERHEAD];
	char		*plain;
	int		 n;

	plain = arena_printf(&r->arena, "%c%s\n%s", 'A' + (int)kind,
	    about != NULL ? about : "", text);
	if (strlen(plain) > SESS_FLASH_MAX)
		return DB_ERR;
	n = crypt_seal(r->conf->data_key, (const unsigned char *)hash, 64,
	    (const unsigned char *)plain, strlen(plain), sealed,
	    sizeof(sealed));
	OPENSSL_cleanse(plain, strlen(plain));
	if (n < 0)
		return DB_ERR;
	return q_sess_flash(db, &(struct q_sess_flash_in){
	    .flash = DB_BYTES((const char *)sealed, (size_t)n),
	    .token_hash = DB_TEXT(hash) }, NULL);
}

/*
 * The message about `about` (in the arena) and its kind, cleared first
 * when take; NULL when none waits.
 */
static char *
flash_open(struct req *r, const char *about, int take, enum sess_flash *kind)
{
	unsigned char	 plain[SESS_FLASH_MAX + 1];
	size_t		 alen;
	char		*out = NULL;
	int		 n;

	if (about == NULL)
		about = "";
	alen = strlen(about);
	if (r->sess == NULL || r->sess->flash == NULL)
		return NULL;
	n = crypt_open(r->conf->data_key, (const unsigned char *)
	    r->sess->token_hash, 64, (const unsigned char *)r->sess->flash,
	    r->sess->flashlen, plain, sizeof(plain) - 1);
	if (n < 0)
		return NULL;
	plain[n] = '\0';
	if ((size_t)n > alen + 1 && plain[0] >= 'A' &&
	    plain[0] < 'A' + FLASH__MAX && memcmp(plain + 1, about, alen) == 0 &&
	    plain[alen + 1] == '\n') {
		*kind = (enum sess_flash)(plain[0] - 'A');
		/* Shown at most once: cleared before it is returned. */
		if (!take || q_sess_flash(r->db, &(struct q_sess_flash_in){
		    .flash = DB_NULL, .token_hash =
		    DB_TEXT(r->sess->token_hash) }, NULL) == DB_OK)
			out = arena_strdup(&r->arena, (char *)plain + alen + 2);
		if (take)
			r->sess->flash = NULL;
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	return out;
}

char *
sess_flash_take(struct req *r, const char *about, enum sess_flash *kind)
{
	return flash_open(r, about, 1, kind);
}

int
sess_flash_waiting(struct req *r, const char *about)
{
	struct q_sess_flash_get_rows	 now;
	enum sess_flash			 kind;
	char				*s;

	/*
	 * Read again: the request that left it (a double click's first
	 * submit) may have committed after this one loaded the session.
	 */
	if (r->sess == NULL || q_sess_flash_get(r->db, &r->arena,
	    &(struct q_sess_flash_get_in){ .token_hash =
	    DB_TEXT(r->sess->token_hash) }, &now) != DB_OK || now.n != 1)
		return 0;
	r->sess->flash = now.row[0].flash;
	r->sess->flashlen = now.row[0].flash_len;
	s = flash_open(r, about, 0, &kind);

	if (s == NULL)
		return 0;
	OPENSSL_cleanse(s, strlen(s));
	return 1;
}

int
sess_enrol_get(struct req *r, unsigned char *secret, size_t max)
{
	int	n;

	if (r->sess == NULL || r->sess->enrol == NULL)
		return 0;
	n = crypt_open(r->conf->data_key, (const unsigned char *)
	    r->sess->token_hash, 64, (const unsigned char *)r->sess->enrol,
	    r->sess->enrollen, secret, max);
	return n > 0 ? n : 0;
}

int
sess_enrol_put(struct db *db, struct req *r, const unsigned char *secret,
    size_t len)
{
	unsigned char	sealed[SESS_ENROL_MAX + CRYPT_OVERHEAD];
	int		n = 0;

	if (secret != NULL && (len > SESS_ENROL_MAX || (n = crypt_seal(
	    r->conf->data_key, (const unsigned char *)r->sess->token_hash, 64,
	    secret, len, sealed, sizeof(sealed))) < 0))
		return DB_ERR;
	return q_sess_enrol(db, &(struct q_sess_enrol_in){
	    .secret = secret != NULL ? DB_BYTES((const char *)sealed,
	    (size_t)n) : DB_NULL,
	    .token_hash = DB_TEXT(r->sess->token_hash) }, NULL);
}
