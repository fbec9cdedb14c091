/*
 * AES-256-GCM sealing of secrets at rest, OpenSSL EVP.
 */
#include <limits.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "auth/crypt.h"

/* 1 when (p, len) is a usable buffer argument for EVP: non-NULL or empty. */
static int
crypt_buf_ok(const unsigned char *p, size_t len)
{
	return (p != NULL || len == 0) && len <= INT_MAX - CRYPT_OVERHEAD;
}

/* Feeds aad to an initialised GCM context. Returns 0 or -1. */
static int
crypt_aad(EVP_CIPHER_CTX *ctx, int enc, const unsigned char *aad,
    size_t aadlen)
{
	int len;

	if (aadlen == 0)
		return 0;
	if (enc)
		return EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aadlen)
		    == 1 ? 0 : -1;
	return EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aadlen)
	    == 1 ? 0 : -1;
}

int
crypt_seal(const unsigned char key[CRYPT_KEY_LEN],
    const unsigned char *aad, size_t aadlen,
    const unsigned char *pt, size_t ptlen,
    unsigned char *out, size_t outsz)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *nonce = out, *ct = out + CRYPT_NONCE_LEN;
	int len, rc = -1;

	if (key == NULL || out == NULL || !crypt_buf_ok(aad, aadlen) ||
	    !crypt_buf_ok(pt, ptlen) || outsz < ptlen + CRYPT_OVERHEAD)
		return -1;
	if (RAND_bytes(nonce, CRYPT_NONCE_LEN) != 1)
		goto out;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) != 1 ||
	    crypt_aad(ctx, 1, aad, aadlen) != 0)
		goto out;
	if (ptlen > 0 &&
	    (EVP_EncryptUpdate(ctx, ct, &len, pt, (int)ptlen) != 1 ||
	    (size_t)len != ptlen))
		goto out;
	if (EVP_EncryptFinal_ex(ctx, ct + ptlen, &len) != 1 || len != 0 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPT_TAG_LEN,
	    ct + ptlen) != 1)
		goto out;
	rc = (int)(ptlen + CRYPT_OVERHEAD);
out:
	if (rc < 0)
		explicit_bzero(out, ptlen + CRYPT_OVERHEAD);
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
crypt_open(const unsigned char key[CRYPT_KEY_LEN],
    const unsigned char *aad, size_t aadlen,
    const unsigned char *in, size_t inlen,
    unsigned char *out, size_t outsz)
{
	EVP_CIPHER_CTX *ctx = NULL;
	const unsigned char *nonce = in, *ct = in + CRYPT_NONCE_LEN;
	unsigned char tag[CRYPT_TAG_LEN], fin[CRYPT_TAG_LEN];
	size_t ctlen;
	int len, rc = -1;

	if (key == NULL || in == NULL || inlen < CRYPT_OVERHEAD ||
	    !crypt_buf_ok(aad, aadlen))
		return -1;
	ctlen = inlen - CRYPT_OVERHEAD;
	if (!crypt_buf_ok(out, ctlen) || outsz < ctlen)
		return -1;
	/* EVP_CTRL_GCM_SET_TAG takes a non-const pointer: hand it a copy. */
	memcpy(tag, ct + ctlen, CRYPT_TAG_LEN);

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) != 1 ||
	    crypt_aad(ctx, 0, aad, aadlen) != 0)
		goto out;
	if (ctlen > 0 &&
	    (EVP_DecryptUpdate(ctx, out, &len, ct, (int)ctlen) != 1 ||
	    (size_t)len != ctlen))
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPT_TAG_LEN,
	    tag) != 1 ||
	    EVP_DecryptFinal_ex(ctx, fin, &len) != 1 || len != 0)
		goto out;	/* tag mismatch: tampered, wrong key or aad */
	rc = (int)ctlen;
out:
	if (rc < 0 && ctlen > 0)
		explicit_bzero(out, ctlen);
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
crypt_derive(const unsigned char *key, size_t keylen, const char *info,
    unsigned char *out, size_t outlen)
{
	EVP_PKEY_CTX	*ctx;
	size_t		 n = outlen;
	int		 ok;

	if ((ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL)) == NULL)
		return -1;
	ok = EVP_PKEY_derive_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0 &&
	    EVP_PKEY_CTX_set1_hkdf_key(ctx, key, (int)keylen) > 0 &&
	    EVP_PKEY_CTX_add1_hkdf_info(ctx, (const unsigned char *)info,
	    (int)strlen(info)) > 0 &&
	    EVP_PKEY_derive(ctx, out, &n) > 0 && n == outlen;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		OPENSSL_cleanse(out, outlen);
	return ok ? 0 : -1;
}
