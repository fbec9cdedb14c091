/*
 * sspr.c: see sspr.h.
 */
#include <stddef.h>

#include "sspr.h"

const char *
sspr_refusal(const struct sspr_person *p, int admins_on)
{
	if (!p->known)
		return "unknown_user";
	if (!p->enabled)
		return "disabled";
	if (p->phones < 1)
		return "no_phone";
	if (p->has_role && !admins_on)
		return "role_holder";
	if (p->has_role && !p->has_totp)
		return "no_totp";
	return NULL;
}

int
sspr_may(enum sspr_act act, enum sspr_step step, int has_role)
{
	switch (act) {
	case SSPR_SEND:
		return step == SSPR_NAMED || step == SSPR_SENT;
	case SSPR_CODE:
		return step == SSPR_SENT;
	case SSPR_TOTP:
		return has_role && step == SSPR_CODE_OK;
	case SSPR_PASSWORD:
		return step == (has_role ? SSPR_BOTH_OK : SSPR_CODE_OK);
	default:
		return 0;
	}
}
