/*
 * audit.c: see audit.h.
 */
#include <stdio.h>
#include <string.h>

#include "db/audit.h"
#include "db/db.h"

int
audit_write(struct db *db, const struct audit *a)
{
	return q_audit_insert(db, &(struct q_audit_insert_in){
		.actor_id = DB_TEXT(a->actor_id),
		.actor_upn = DB_TEXT(a->actor_upn),
		.action = DB_TEXT(a->action),
		.target_id = DB_TEXT(a->target_id),
		.target_name = DB_TEXT(a->target_name),
		.result = DB_TEXT(a->ok ? "success" : "failure"),
		.reason = DB_TEXT(a->reason),
		.client = DB_TEXT(a->client),
		.ip = DB_TEXT(a->ip),
		.user_agent = DB_TEXT(a->user_agent),
		.details = DB_TEXT(a->details),
	}, NULL);
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
