/*
 * otp.c: see otp.h.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "conf.h"
#include "db/db.h"
#include "db/otp.h"
#include "util.h"

int
db_otp_issue(struct db *db, const unsigned char *key, const char *user_id,
    enum otp_purpose p, char code[OTP_SIZE])
{
	unsigned char	salt[OTP_SALT_BYTES];
	char		salt_hex[OTP_SALT_HEX], hash[OTP_HASH_HEX];
	int		rc = DB_ERR;

	random_bytes(salt, sizeof(salt));
	hex_encode(salt, sizeof(salt), salt_hex);
	if (otp_new(code) != 0 || otp_hash(key, CONF_KEY_BYTES, salt_hex,
	    user_id, p, code, hash) != 0)
		goto out;
	rc = q_otp_put(db, &(struct q_otp_put_in){
	    .user = DB_TEXT(user_id), .purpose = DB_TEXT(otp_purpose_id(p)),
	    .salt = DB_TEXT(salt_hex), .code_hash = DB_TEXT(hash),
	    .ttl_seconds = DB_INT(OTP_TTL_SECONDS) }, NULL);
out:
	if (rc != DB_OK)
		OPENSSL_cleanse(code, OTP_SIZE);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

int
db_otp_check(struct db *db, const unsigned char *key, const char *user_id,
    enum otp_purpose p, const char *typed, enum otp_verdict *verdict)
{
	struct q_otp_lock_rows	 rows;
	struct arena		 a = { NULL };
	struct db_val		 user = DB_TEXT(user_id);
	struct db_val		 purpose = DB_TEXT(otp_purpose_id(p));
	char			 code[OTP_SIZE], hash[OTP_HASH_HEX];
	int			 rc, match = 0;

	*verdict = OTP_NONE;
	if ((rc = q_otp_lock(db, &a, &(struct q_otp_lock_in){ .user = user,
	    .purpose = purpose }, &rows)) != DB_OK || rows.n == 0)
		goto out;
	/* A stored hash of another length (damaged) matches nothing. */
	if (rows.row[0].code_hash != NULL &&
	    strlen(rows.row[0].code_hash) == OTP_HASH_HEX - 1 &&
	    otp_normalise(typed, code) == 0 && otp_hash(key, CONF_KEY_BYTES,
	    rows.row[0].salt, user_id, p, code, hash) == 0)
		match = CRYPTO_memcmp(hash, rows.row[0].code_hash,
		    OTP_HASH_HEX) == 0;
	*verdict = otp_judge(rows.row[0].expires, rows.row[0].attempts,
	    rows.row[0].now, match);
	if (*verdict == OTP_OK)
		rc = q_otp_spend(db, &(struct q_otp_spend_in){ .user = user,
		    .purpose = purpose }, NULL);
	else if (*verdict == OTP_WRONG || *verdict == OTP_KILLED)
		rc = q_otp_wrong(db, &(struct q_otp_wrong_in){ .user = user,
		    .purpose = purpose }, NULL);
out:
	OPENSSL_cleanse(code, sizeof(code));
	OPENSSL_cleanse(hash, sizeof(hash));
	arena_reset(&a);
	return rc;
}
