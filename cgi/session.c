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
#include "conf.h"
#include "db/db.h"
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

/* The actor's assignments from "role unit-or-dash,..." (unknown roles skipped). */
static struct authz_actor *
parse_roles(struct req *r, const char *user_id, char *list)
{
	struct authz_actor	*a = arena_alloc(&r->arena, sizeof(*a));
	struct assignment	*as;
	char			*item, *save, *sp;
	size_t			 n = 1;
	int			 role;

	for (sp = list; sp != NULL && *sp != '\0'; sp++)
		n += *sp == ',';
	as = arena_alloc(&r->arena, sizeof(*as) * n);
	a->user_id = user_id;
	a->roles = as;
	a->nroles = 0;
	for (item = list ? strtok_r(list, ",", &save) : NULL; item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if ((sp = strchr(item, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		if ((role = authz_role_parse(item)) < 0)
			continue;
		as[a->nroles].role = (enum role)role;
		as[a->nroles++].unit_id = strcmp(sp, "-") == 0 ? NULL : sp;
	}
	return a;
}

int
sess_load(struct req *r)
{
	const char	*tok = r->cookie[COOKIE_SESSION];
	struct db_rows	 rs;
	struct db_val	 p[1];
	struct sess	*s;
	int64_t		 now = now_s();
	int		 rc;

	r->sess = NULL;
	if (tok == NULL || strlen(tok) != SESS_TOKEN_LEN ||
	    !http_valid_token(tok, SESS_TOKEN_LEN))
		return DB_OK;
	s = arena_alloc(&r->arena, sizeof(*s));
	memset(s, 0, sizeof(*s));
	token_hash(tok, s->token_hash);
	p[0] = DB_TEXT(s->token_hash);
	if ((rc = db_query_one(r->db, &r->arena, Q_SESS_LOAD, p, 1, &rs)) <= 0)
		return rc;
	settings_parse(&r->arena, r->settings, DB_CELL(&rs, 0, 13));
	r->settings_loaded = 1;
	if (db_int(&rs, 0, 9, 0) != 1)		/* disabled user */
		return DB_OK;
	s->created_at = db_int(&rs, 0, 1, 0);
	s->last_seen_at = db_int(&rs, 0, 2, 0);
	if (sess_expired(s->created_at, s->last_seen_at, now,
	    settings_int(r->settings, SET_SESSION_IDLE_MINUTES) * 60,
	    settings_int(r->settings, SET_SESSION_ABSOLUTE_HOURS) * 3600)) {
		(void)db_exec(r->db, Q_SESS_DELETE, p, 1, NULL);
		return DB_OK;
	}
	if (snprintf(s->csrf, sizeof(s->csrf), "%s", DB_CELL(&rs, 0, 0)) >=
	    (int)sizeof(s->csrf) || snprintf(s->user_id, sizeof(s->user_id),
	    "%s", DB_CELL(&rs, 0, 5)) >= (int)sizeof(s->user_id))
		return DB_OK;
	s->mfa_at = db_int(&rs, 0, 3, 0);
	s->mfa_attempts = (int)db_int(&rs, 0, 4, 0);
	s->upn = DB_CELL(&rs, 0, 6);
	s->display_name = DB_CELL(&rs, 0, 7);
	s->must_change = db_int(&rs, 0, 8, 0) != 0;
	s->has_totp = db_int(&rs, 0, 10, 0) != 0;
	r->actor = parse_roles(r, s->user_id, DB_CELL(&rs, 0, 11));
	s->has_role = r->actor->nroles > 0;
	s->flash = DB_CELL(&rs, 0, 12);
	s->flashlen = rs.len[12];
	s->enrol = DB_CELL(&rs, 0, 14);
	s->enrollen = rs.len[14];
	if (now - s->last_seen_at >= SESS_TOUCH_SECONDS &&
	    (rc = db_exec(r->db, Q_SESS_TOUCH, p, 1, NULL)) != DB_OK)
		return rc;
	r->sess = s;
	return DB_OK;
}

int
sess_start(struct db *db, struct req *r, const char *user_id, int mfa_done,
    struct sess_new *n)
{
	unsigned char	 raw[SESS_TOKEN_BYTES], c[SESS_TOKEN_BYTES];
	struct db_val	 p[6];
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
	n->mfa_done = mfa_done;
	if (r->sess != NULL) {
		p[0] = DB_TEXT(r->sess->token_hash);
		if ((rc = db_exec(db, Q_SESS_DELETE, p, 1, NULL)) != DB_OK)
			return rc;
	}
	p[0] = DB_TEXT(n->hash);
	p[1] = DB_TEXT(n->user_id);
	p[2] = DB_TEXT(n->csrf);
	p[3] = DB_INT(mfa_done);
	p[4] = DB_TEXT(r->ip);
	p[5] = DB_TEXT(r->ua);
	return db_exec(db, Q_SESS_INSERT, p, 6, NULL);
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
	r->sess->mfa_at = n->mfa_done ? now_s() : 0;
	r->sess->mfa_attempts = 0;
	r->sess->flash = NULL;
}

int
sess_end(struct db *db, struct req *r)
{
	struct db_val	p[1];
	int		rc;

	http_cookie(r, sess_cookie_names(r->conf->cookie_secure)
	    [COOKIE_SESSION], "", 0, r->conf->cookie_secure);
	if (r->sess == NULL)
		return DB_OK;
	p[0] = DB_TEXT(r->sess->token_hash);
	if ((rc = db_exec(db, Q_SESS_DELETE, p, 1, NULL)) != DB_OK)
		return rc;
	return DB_OK;
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

int
sess_flash_put(struct db *db, struct req *r, const char *hash,
    const char *kind, const char *text)
{
	unsigned char	 sealed[SESS_FLASH_MAX + CRYPT_OVERHEAD];
	char		*plain;
	struct db_val	 p[2];
	int		 n;

	plain = arena_printf(&r->arena, "%s\n%s", kind, text);
	if (strlen(plain) > SESS_FLASH_MAX)
		return DB_ERR;
	n = crypt_seal(r->conf->data_key, (const unsigned char *)hash, 64, (const unsigned char *)plain,
	    strlen(plain), sealed, sizeof(sealed));
	OPENSSL_cleanse(plain, strlen(plain));
	if (n < 0)
		return DB_ERR;
	p[0] = DB_BYTES((const char *)sealed, (size_t)n);
	p[1] = DB_TEXT(hash);
	return db_exec(db, Q_SESS_FLASH, p, 2, NULL);
}

/* The flash of this kind (in the arena), cleared first when take; or NULL. */
static char *
flash_open(struct req *r, const char *kind, int take)
{
	unsigned char	 plain[SESS_FLASH_MAX + 1];
	struct db_val	 p[2];
	size_t		 klen = strlen(kind);
	char		*out = NULL;
	int		 n;

	if (r->sess == NULL || r->sess->flash == NULL)
		return NULL;
	n = crypt_open(r->conf->data_key, (const unsigned char *)
	    r->sess->token_hash, 64, (const unsigned char *)r->sess->flash,
	    r->sess->flashlen, plain, sizeof(plain) - 1);
	if (n < 0)
		return NULL;
	plain[n] = '\0';
	if ((size_t)n > klen && memcmp(plain, kind, klen) == 0 &&
	    plain[klen] == '\n') {
		p[0] = DB_NULL;
		p[1] = DB_TEXT(r->sess->token_hash);
		/* Shown at most once: cleared before it is returned. */
		if (!take || db_exec(r->db, Q_SESS_FLASH, p, 2, NULL) == DB_OK)
			out = arena_strdup(&r->arena, (char *)plain + klen + 1);
		if (take)
			r->sess->flash = NULL;
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	return out;
}

char *
sess_flash_take(struct req *r, const char *kind)
{
	return flash_open(r, kind, 1);
}

int
sess_flash_peek(struct req *r, const char *kind)
{
	char	*s = flash_open(r, kind, 0);

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
	struct db_val	p[2];
	int		n = 0;

	if (secret != NULL && (len > SESS_ENROL_MAX || (n = crypt_seal(
	    r->conf->data_key, (const unsigned char *)r->sess->token_hash, 64,
	    secret, len, sealed, sizeof(sealed))) < 0))
		return DB_ERR;
	p[0] = secret != NULL ? DB_BYTES((const char *)sealed, (size_t)n) :
	    DB_NULL;
	p[1] = DB_TEXT(r->sess->token_hash);
	return db_exec(db, Q_SESS_ENROL, p, 2, NULL);
}
