/*
 * users.h: changes to a person's account that must carry others with
 * them, for every caller (staffdesk-admin, import, sync, the pages).
 */
#ifndef STAFFDESK_DB_USERS_H
#define STAFFDESK_DB_USERS_H

#include <stdint.h>

#include "db/db.h"

/*
 * Turns the account of user id on (enabled 1) or off (0), and ends all
 * of its sessions, in the caller's transaction: a disabled person's
 * cookie must not work again once they are enabled, and an enabled one
 * has none left from before. *changed (may be NULL): 1 when the flag
 * changed, 0 when it was so already. Returns DB_OK or a db_err.
 */
int	db_user_set_enabled(struct db *, const char *id, int enabled,
	    uint64_t *changed);

#endif
