/*
 * phonelib.cc: the little staffdesk asks of libphonenumber (Google's
 * per-country numbering plans, Debian's libphonenumber), behind C
 * (phone.h). The library's metadata is read on the first call.
 */
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "phone.h"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

extern "C" int
phone_cc_len(const char *e164)
{
	const PhoneNumberUtil	*u = PhoneNumberUtil::GetInstance();
	PhoneNumber		 n;
	int			 cc, len;

	if (e164 == NULL || *e164 != '+')
		return 0;
	try {
		/* "ZZ": no default region, so only "+" and a country code. */
		if (u->Parse(e164, "ZZ", &n) != PhoneNumberUtil::NO_PARSING_ERROR)
			return 0;
	} catch (...) {
		return 0;
	}
	for (cc = n.country_code(), len = 0; cc > 0; cc /= 10)
		len++;
	return len;
}
