/*
 * users.c: see users.h.
 */
#include "db/users.h"

int
db_user_set_enabled(struct db *db, const char *id, int enabled,
    uint64_t *changed)
{
	int	rc;

	if ((rc = q_user_enable(db, &(struct q_user_enable_in){
	    .enabled = DB_INT(enabled != 0), .id = DB_TEXT(id) }, changed)) !=
	    DB_OK)
		return rc;
	return q_sess_delete_user(db, &(struct q_sess_delete_user_in){
	    .user = DB_TEXT(id) }, NULL);
}
