/*
 * Random one-time codes and the lockout schedule.
 */
#include <string.h>

#include <openssl/rand.h>

#include "auth/codes.h"

#define CODE_RAND_BATCH 64	/* random bytes drawn per RAND_bytes call */

int
code_random(const char *alphabet, size_t n, char *out, size_t outsz)
{
	unsigned char buf[CODE_RAND_BATCH];
	size_t k, limit, got = 0, i = CODE_RAND_BATCH;
	int rc = -1;

	if (alphabet == NULL || out == NULL || outsz == 0 || n > outsz - 1)
		return -1;
	k = strlen(alphabet);
	if (k == 0 || k > 256)
		goto out;
	limit = 256 - 256 % k;	/* bytes >= limit would bias the draw */

	while (got < n) {
		if (i == CODE_RAND_BATCH) {
			if (RAND_bytes(buf, sizeof(buf)) != 1)
				goto out;
			i = 0;
		}
		if (buf[i] < limit)
			out[got++] = alphabet[buf[i] % k];
		i++;
	}
	out[n] = '\0';
	rc = 0;
out:
	if (rc != 0)
		explicit_bzero(out, outsz);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

int
code_temp_password(char *out, size_t outsz)
{
	return code_random(TEMP_PW_ALPHABET, TEMP_PW_LEN, out, outsz);
}

int
code_recovery(char *out, size_t outsz)
{
	char raw[CODE_RECOVERY_CHARS + 1];
	size_t i, j = 0;

	if (out == NULL || outsz < CODE_RECOVERY_SIZE)
		return -1;
	if (code_random(CODE_RECOVERY_ALPHABET, CODE_RECOVERY_CHARS,
	    raw, sizeof(raw)) != 0)
		return -1;
	for (i = 0; i < CODE_RECOVERY_CHARS; i++) {
		if (i > 0 && i % CODE_RECOVERY_GROUP == 0)
			out[j++] = '-';
		out[j++] = raw[i];
	}
	out[j] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

int
code_recovery_normalise(const char *in, char *out, size_t outsz)
{
	size_t n = 0;
	int c;

	if (in == NULL || out == NULL || outsz < CODE_RECOVERY_CHARS + 1)
		return -1;
	for (; *in != '\0'; in++) {
		c = (unsigned char)*in;
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == '\0' || strchr(CODE_RECOVERY_ALPHABET, c) == NULL ||
		    n == CODE_RECOVERY_CHARS)
			goto bad;
		out[n++] = (char)c;
	}
	if (n != CODE_RECOVERY_CHARS)
		goto bad;
	out[n] = '\0';
	return (int)n;
bad:
	explicit_bzero(out, outsz);
	return -1;
}

long
lockout_delay(int failures, int threshold, long base)
{
	long delay = base < LOCKOUT_MAX_SECONDS ? base : LOCKOUT_MAX_SECONDS;
	int i;

	if (failures < threshold)
		return 0;
	for (i = threshold; i < failures; i++)
		if ((delay *= 2) >= LOCKOUT_MAX_SECONDS)
			return LOCKOUT_MAX_SECONDS;
	return delay < LOCKOUT_MAX_SECONDS ? delay : LOCKOUT_MAX_SECONDS;
}
