/*
 * phonelib.cc: the little staffdesk asks of libphonenumber (Google's
 * per-country numbering plans, Debian's libphonenumber), behind C
 * (phone.h). The library's metadata is read on the first call.
 */
#include <cstdint>
#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "phone.h"
extern "C" {
#include "util.h"
}

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

/*
 * Whether cc is a country calling code (known[cc] 1, else -1), asked of
 * the library once a process for each: its answer builds a list of
 * regions every time (a seventh of a worker's time on a 50-row list).
 */
#define CC_MAX	999	/* country calling codes are 1 to 3 digits */

static bool
cc_known(int cc)
{
	static signed char	known[CC_MAX + 1];	/* 0: not yet asked */
	std::string		region;

	if (known[cc] == 0) {
		PhoneNumberUtil::GetInstance()->GetRegionCodeForCountryCode(cc,
		    &region);
		known[cc] = region != "ZZ" ? 1 : -1;
	}
	return known[cc] == 1;
}

/*
 * Country calling codes are prefix-free, so the first one to three
 * digits that name one are it: a table look-up, where parsing the
 * number ran the plans' regular expressions (a quarter of a 50-row
 * list's time went there). Only "+", digits and an extension
 * (" x" and digits) are a number. The code's digits, or 0; *ccp: the
 * code.
 */
static int
cc_split(const char *e164, int *ccp)
{
	size_t	n;
	int	cc, len;

	if (e164 == NULL || *e164 != '+')
		return 0;
	n = strspn(e164 + 1, "0123456789");
	if (e164[1] == '0' || n < 4 || n > 15 || (e164[1 + n] != '\0' &&
	    (strncmp(e164 + 1 + n, " x", 2) != 0 || e164[3 + n] == '\0' ||
	    e164[3 + n + strspn(e164 + 3 + n, "0123456789")] != '\0')))
		return 0;
	for (cc = 0, len = 1; len <= 3; len++) {
		cc = cc * 10 + (e164[len] - '0');
		if (cc_known(cc)) {
			*ccp = cc;
			return len;
		}
	}
	return 0;
}

extern "C" int
phone_cc_len(const char *e164)
{
	int	cc;

	return cc_split(e164, &cc);
}

extern "C" int
phone_national_e164(const char *national, const char *country,
    char out[PHONE_MAX])
{
	const PhoneNumberUtil	*u = PhoneNumberUtil::GetInstance();
	PhoneNumber		 n;
	std::string		 e164;

	if (national == NULL || country == NULL || !phone_region_known(country))
		return -1;
	try {
		/* A whole number: not one that works only locally. */
		if (u->Parse(national, country, &n) !=
		    PhoneNumberUtil::NO_PARSING_ERROR ||
		    u->IsPossibleNumberWithReason(n) !=
		    PhoneNumberUtil::IS_POSSIBLE)
			return -1;
		u->Format(n, PhoneNumberUtil::E164, &e164);
	} catch (...) {
		return -1;
	}
	if (e164.size() >= PHONE_MAX)
		return -1;
	std::memcpy(out, e164.c_str(), e164.size() + 1);
	return 0;
}

extern "C" int
phone_region_known(const char *country)
{
	if (country == NULL || std::strlen(country) != 2)
		return 0;
	try {
		/* 0: a region the numbering plans do not know */
		return PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(
		    country) != 0;
	} catch (...) {
		return 0;
	}
}

/* 1 when a and b have the same digits in the same order. */
static int
same_digits(const char *a, const char *b)
{
	for (;; a++, b++) {
		while (*a != '\0' && (*a < '0' || *a > '9'))
			a++;
		while (*b != '\0' && (*b < '0' || *b > '9'))
			b++;
		if (*a != *b)
			return 0;
		if (*a == '\0')
			return 1;
	}
}

/*
 * A number as kept ("+", country code, national number: cc_split()
 * says it is one) into n, as Parse() would have it, without Parse(): its
 * regular expressions were four fifths of formatting one, and a fifth of
 * a worker's time on a profile. What Format() makes of it is checked
 * against the number's digits below. One with an extension (setting a
 * string field needs protobuf itself) or a national number that starts
 * with 0 (a national prefix, or Italy's leading zero: Parse() knows
 * which) is left to Parse(). Of 20,000 random numbers of 113 codes, all
 * came out as Parse() had them but 36 (0.2%) that start with another
 * national prefix ("+1 1...", "+998 8..."), numbers no plan gives: shown
 * with their digits as kept, after a space, where Parse() showed them
 * without one.
 */
static bool
kept_number(const char *e164, PhoneNumber *n)
{
	const char	*p;
	uint64_t	 nat;
	int		 cc = 0, len = cc_split(e164, &cc);

	if (len == 0 || e164[1 + len] == '0' || strchr(e164, ' ') != NULL)
		return false;
	/* Digits only, 15 at most (cc_split()): no overflow. */
	for (nat = 0, p = e164 + 1 + len; *p != '\0'; p++)
		nat = nat * 10 + (uint64_t)(*p - '0');
	n->set_country_code(cc);
	n->set_national_number(nat);
	return true;
}

extern "C" char *
phone_format(struct arena *a, const char *number)
{
	const PhoneNumberUtil	*u = PhoneNumberUtil::GetInstance();
	PhoneNumber		 n;
	std::string		 out;

	if (number == NULL)
		return NULL;
	try {
		if (!kept_number(number, &n) && u->Parse(number, "ZZ", &n) !=
		    PhoneNumberUtil::NO_PARSING_ERROR)
			return arena_strdup(a, number);
		u->Format(n, PhoneNumberUtil::INTERNATIONAL, &out);
	} catch (...) {
		return arena_strdup(a, number);
	}
	/*
	 * The plans read a national prefix after some country codes
	 * ("+84 0..."): shown without it, the number would not be the one
	 * kept and dialled.
	 */
	if (!same_digits(out.c_str(), number))
		return arena_strdup(a, number);
	return arena_strdup(a, out.c_str());
}
