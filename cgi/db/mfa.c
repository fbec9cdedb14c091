/*
 * mfa.c: see mfa.h.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "auth/crypt.h"
#include "db/db.h"
#include "db/mfa.h"

int
db_totp_get(struct db *db, struct arena *a, const unsigned char *key,
    const char *user_id, struct totp_row *t)
{
	struct db_rows	rs;
	struct db_val	p[1];
	int		rc, n;

	p[0] = DB_TEXT(user_id);
	if ((rc = db_query_one(db, a, Q_TOTP_GET, p, 1, &rs)) <= 0)
		return rc;
	n = crypt_open(key, (const unsigned char *)user_id, strlen(user_id),
	    (const unsigned char *)DB_CELL(&rs, 0, 0), rs.len[0], t->secret,
	    sizeof(t->secret));
	OPENSSL_cleanse(DB_CELL(&rs, 0, 0), rs.len[0]);
	if (n <= 0)
		return DB_ERR;
	t->len = (size_t)n;
	t->last_step = db_int(&rs, 0, 1, 0);
	t->confirmed = db_int(&rs, 0, 2, 0) != 0;
	return 1;
}

/* Seals secret for user_id into sealed[]; its length, or -1. */
static int
totp_seal(const unsigned char *key, const char *user_id,
    const unsigned char *secret, size_t len,
    unsigned char sealed[TOTP_SECRET_BYTES + CRYPT_OVERHEAD])
{
	return crypt_seal(key, (const unsigned char *)user_id, strlen(user_id),
	    secret, len, sealed, TOTP_SECRET_BYTES + CRYPT_OVERHEAD);
}

int
db_totp_store(struct db *db, const unsigned char *key, const char *user_id,
    const unsigned char *secret, size_t len)
{
	unsigned char	sealed[TOTP_SECRET_BYTES + CRYPT_OVERHEAD];
	struct db_val	p[2];
	int		n;

	if ((n = totp_seal(key, user_id, secret, len, sealed)) < 0)
		return DB_ERR;
	p[0] = DB_TEXT(user_id);
	p[1] = DB_BYTES((const char *)sealed, (size_t)n);
	return db_exec(db, Q_TOTP_PUT, p, 2, NULL);
}

int
db_totp_enrol(struct db *db, const unsigned char *key, const char *user_id,
    const unsigned char *secret, size_t len, int64_t step)
{
	unsigned char	sealed[TOTP_SECRET_BYTES + CRYPT_OVERHEAD];
	struct db_val	p[3];
	uint64_t	changed = 0;
	int		n, rc;

	if ((n = totp_seal(key, user_id, secret, len, sealed)) < 0)
		return DB_ERR;
	p[0] = DB_TEXT(user_id);
	p[1] = DB_BYTES((const char *)sealed, (size_t)n);
	p[2] = DB_INT(step);
	if ((rc = db_exec(db, Q_TOTP_ENROL, p, 3, &changed)) != DB_OK)
		return rc;
	return changed > 0;
}

int
db_recovery_new(struct db *db, const char *user_id,
    char codes[RECOVERY_CODES][CODE_RECOVERY_SIZE])
{
	char		norm[CODE_RECOVERY_SIZE], hash[65];
	struct db_val	p[2];
	size_t		i;
	int		rc;

	p[0] = DB_TEXT(user_id);
	if ((rc = db_exec(db, Q_RECOVERY_DELETE, p, 1, NULL)) != DB_OK)
		return rc;
	for (i = 0; i < RECOVERY_CODES; i++) {
		if (code_recovery(codes[i], CODE_RECOVERY_SIZE) == -1 ||
		    code_recovery_normalise(codes[i], norm, sizeof(norm)) < 0)
			return DB_ERR;
		sha256_hex(norm, strlen(norm), hash);
		p[1] = DB_TEXT(hash);
		if ((rc = db_exec(db, Q_RECOVERY_INSERT, p, 2, NULL)) != DB_OK)
			return rc;
	}
	OPENSSL_cleanse(norm, sizeof(norm));
	return DB_OK;
}

int
db_recovery_use(struct db *db, const char *user_id, const char *typed)
{
	char		norm[CODE_RECOVERY_SIZE], hash[65];
	struct db_val	p[2];
	uint64_t	n = 0;
	int		rc;

	if (code_recovery_normalise(typed, norm, sizeof(norm)) < 0)
		return 0;
	sha256_hex(norm, strlen(norm), hash);
	OPENSSL_cleanse(norm, sizeof(norm));
	p[0] = DB_TEXT(user_id);
	p[1] = DB_TEXT(hash);
	if ((rc = db_exec(db, Q_RECOVERY_USE, p, 2, &n)) != DB_OK)
		return rc;
	return n == 1;
}
