/*
 * Secrets at rest (e.g. TOTP keys): AES-256-GCM (NIST SP 800-38D) with a
 * random 96-bit nonce per message.
 */
#ifndef STAFFDESK_AUTH_CRYPT_H
#define STAFFDESK_AUTH_CRYPT_H

#include <stddef.h>

#define CRYPT_KEY_LEN   32
#define CRYPT_NONCE_LEN 12
#define CRYPT_TAG_LEN   16
#define CRYPT_OVERHEAD  28	/* CRYPT_NONCE_LEN + CRYPT_TAG_LEN */

/*
 * Encrypts pt into out = nonce || ciphertext || tag (ptlen +
 * CRYPT_OVERHEAD bytes). aad (NULL when aadlen is 0) is authenticated, not
 * stored: pass the same bytes (e.g. the user id) to crypt_open(). out must
 * not overlap pt. Returns the output length, or -1 (out too small, input
 * too large, RNG or cipher failure; out is then wiped).
 */
int crypt_seal(const unsigned char key[CRYPT_KEY_LEN],
    const unsigned char *aad, size_t aadlen,
    const unsigned char *pt, size_t ptlen,
    unsigned char *out, size_t outsz);

/*
 * Decrypts what crypt_seal() wrote. Returns the plaintext length
 * (inlen - CRYPT_OVERHEAD), or -1 when in is too short, out too small, or
 * the tag does not verify (tampered, wrong key, wrong aad); on -1 nothing
 * of the plaintext is left in out. out must not overlap in.
 */
int crypt_open(const unsigned char key[CRYPT_KEY_LEN],
    const unsigned char *aad, size_t aadlen,
    const unsigned char *in, size_t inlen,
    unsigned char *out, size_t outsz);

/*
 * HKDF-SHA256 (RFC 5869) with no salt: a key for one use (info names
 * it) from a master key, so that one secret never serves two purposes.
 * 0, or -1 (out wiped).
 */
int crypt_derive(const unsigned char *key, size_t keylen, const char *info,
    unsigned char *out, size_t outlen);

#endif /* STAFFDESK_AUTH_CRYPT_H */
