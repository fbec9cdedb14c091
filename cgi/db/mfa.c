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
	struct q_totp_get_rows	 rows;
	struct q_totp_get_row	*row;
	int			 rc, n;

	if ((rc = q_totp_get(db, a, &(struct q_totp_get_in){
	    .user = DB_TEXT(user_id) }, &rows)) != DB_OK)
		return rc;
	if (rows.n == 0)
		return DB_NONE;
	row = &rows.row[0];
	n = crypt_open(key, (const unsigned char *)user_id, strlen(user_id),
	    (const unsigned char *)row->secret, row->secret_len, t->secret,
	    sizeof(t->secret));
	OPENSSL_cleanse(row->secret, row->secret_len);
	if (n <= 0)
		return DB_ERR;
	t->len = (size_t)n;
	t->last_step = row->last_step;
	t->confirmed = row->confirmed != 0;
	return DB_OK;
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
	int		n;

	if ((n = totp_seal(key, user_id, secret, len, sealed)) < 0)
		return DB_ERR;
	return q_totp_put(db, &(struct q_totp_put_in){
	    .user = DB_TEXT(user_id),
	    .secret = DB_BYTES((const char *)sealed, (size_t)n) }, NULL);
}

int
db_totp_enrol(struct db *db, const unsigned char *key, const char *user_id,
    const unsigned char *secret, size_t len, int64_t step)
{
	unsigned char	sealed[TOTP_SECRET_BYTES + CRYPT_OVERHEAD];
	uint64_t	changed = 0;
	int		n, rc;

	if ((n = totp_seal(key, user_id, secret, len, sealed)) < 0)
		return DB_ERR;
	if ((rc = q_totp_enrol(db, &(struct q_totp_enrol_in){
	    .user = DB_TEXT(user_id),
	    .secret = DB_BYTES((const char *)sealed, (size_t)n),
	    .step = DB_INT(step) }, &changed)) != DB_OK)
		return rc;
	return changed > 0 ? DB_OK : DB_NONE;
}

int
db_recovery_new(struct db *db, const char *user_id,
    char codes[RECOVERY_CODES][CODE_RECOVERY_SIZE])
{
	char		norm[CODE_RECOVERY_SIZE], hash[65];
	size_t		i;
	int		rc;

	if ((rc = q_recovery_delete(db, &(struct q_recovery_delete_in){
	    .user = DB_TEXT(user_id) }, NULL)) != DB_OK)
		return rc;
	for (i = 0; i < RECOVERY_CODES; i++) {
		if (code_recovery(codes[i], CODE_RECOVERY_SIZE) == -1 ||
		    code_recovery_normalise(codes[i], norm, sizeof(norm)) < 0)
			return DB_ERR;
		sha256_hex(norm, strlen(norm), hash);
		if ((rc = q_recovery_insert(db, &(struct q_recovery_insert_in){
		    .user = DB_TEXT(user_id), .code_hash = DB_TEXT(hash) },
		    NULL)) != DB_OK)
			return rc;
	}
	OPENSSL_cleanse(norm, sizeof(norm));
	return DB_OK;
}

int
db_recovery_use(struct db *db, const char *user_id, const char *typed)
{
	char		norm[CODE_RECOVERY_SIZE], hash[65];
	uint64_t	n = 0;
	int		rc;

	if (code_recovery_normalise(typed, norm, sizeof(norm)) < 0)
		return DB_NONE;
	sha256_hex(norm, strlen(norm), hash);
	OPENSSL_cleanse(norm, sizeof(norm));
	if ((rc = q_recovery_use(db, &(struct q_recovery_use_in){
	    .user = DB_TEXT(user_id), .code_hash = DB_TEXT(hash) }, &n)) !=
	    DB_OK)
		return rc;
	return n == 1 ? DB_OK : DB_NONE;
}
