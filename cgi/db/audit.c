/*
 * audit.c: see audit.h.
 */
#include <stdio.h>
#include <string.h>

#include "db/audit.h"
#include "db/db.h"
#include "http.h"
#include "session.h"

int
audit_write(struct db *db, const struct req *r, const struct audit *a)
{
	struct db_val	 p[11];
	const char	*actor_id = a->actor_id, *actor_upn = a->actor_upn;

	if (actor_id == NULL && r != NULL && r->sess != NULL) {
		actor_id = r->sess->user_id;
		actor_upn = r->sess->upn;
	}
	p[0] = DB_TEXT(actor_id);
	p[1] = DB_TEXT(actor_upn);
	p[2] = DB_TEXT(a->action);
	p[3] = DB_TEXT(a->target_id);
	p[4] = DB_TEXT(a->target_name);
	p[5] = DB_TEXT(a->ok ? "success" : "failure");
	p[6] = DB_TEXT(a->reason);
	p[7] = DB_TEXT(a->client);
	p[8] = DB_TEXT(r != NULL ? r->ip : NULL);
	p[9] = DB_TEXT(r != NULL ? r->ua : NULL);
	p[10] = DB_TEXT(a->details);
	return db_exec(db, Q_AUDIT_INSERT, p, NELEM(p), NULL);
}

char *
json_string(struct arena *ar, const char *s)
{
	size_t		 n = strlen(s), o = 0;
	char		*out = arena_alloc(ar, 6 * n + 3);
	const unsigned char *p;

	out[o++] = '"';
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f) {
			o += (size_t)snprintf(out + o, 7, "\\u%04x", *p);
		} else
			out[o++] = (char)*p;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}
