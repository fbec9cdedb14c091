/*
 * audit.c: see audit.h.
 */
#include <stdio.h>
#include <string.h>

#include "db/audit.h"
#include "db/db.h"

const char *
audit_details(struct arena *ar, const char *details, const char *request_id)
{
	const char	*id, *p;
	size_t		 n;

	if (request_id == NULL || *request_id == '\0')
		return details;
	id = json_string(ar, request_id);
	if (details == NULL)
		return arena_printf(ar, "{\"requestId\":%s}", id);
	n = strlen(details);
	while (n > 0 && strchr(" \t\r\n", details[n - 1]) != NULL)
		n--;
	if (details[0] != '{' || n < 2 || details[n - 1] != '}')
		return details;
	for (p = details + 1; p < details + n - 1 &&
	    strchr(" \t\r\n", *p) != NULL; p++)
		continue;
	if (p == details + n - 1)	/* {} */
		return arena_printf(ar, "{\"requestId\":%s}", id);
	return arena_printf(ar, "%.*s,\"requestId\":%s}", (int)(n - 1),
	    details, id);
}

int
audit_write(struct db *db, const struct audit *a)
{
	struct arena	ar = { NULL };
	int		rc;

	rc = q_audit_insert(db, &(struct q_audit_insert_in){
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
		.details = DB_TEXT(audit_details(&ar, a->details,
		    a->request_id)),
	}, NULL);
	arena_reset(&ar);
	return rc;
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
