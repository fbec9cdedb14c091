/*
 * keys.c: see keys.h.
 */
#include "auth/password.h"
#include "cursor.h"
#include "http.h"
#include "keys.h"
#include "search.h"

#define CODE_MAX	32
#define UPN_MAX		255

const struct http_key route_keys[K__MAX] = {
	[K_CSRF] = { "csrf", 64, http_valid_token },
	[K_USERNAME] = { "username", UPN_MAX, http_valid_text },
	[K_PASSWORD] = { "password", PW_MAX_BYTES, http_valid_text },
	[K_CODE] = { "code", CODE_MAX, http_valid_text },
	[K_METHOD] = { "method", 16, http_valid_token },
	[K_CURRENT_PASSWORD] =
	    { "current_password", PW_MAX_BYTES, http_valid_text },
	[K_NEW_PASSWORD] = { "new_password", PW_MAX_BYTES, http_valid_text },
	[K_CONFIRM_PASSWORD] =
	    { "confirm_password", PW_MAX_BYTES, http_valid_text },
	[K_NEXT] = { "next", HTTP_PATH_MAX, http_valid_local_path },
	/* q is bounded in characters by search_terms(): 4 bytes each. */
	[K_Q] = { "q", SEARCH_Q_MAX * 4, http_valid_text },
	[K_AFTER] = { "after", CURSOR_MAX, NULL },
	[K_BEFORE] = { "before", CURSOR_MAX, NULL },
	[K_VERSION] = { "version", 10, http_valid_digits },
	[K_TYPE] = { "type", 16, http_valid_token },
	[K_NUMBER] = { "number", 64, http_valid_text },
	[K_ACTION] = { "action", 64, http_valid_text },
	[K_ACTOR] = { "actor", UPN_MAX, http_valid_text },
	[K_TARGET] = { "target", 256, http_valid_text },
	[K_RESULT] = { "result", 16, http_valid_token },
	[K_FROM] = { "from", 10, http_valid_text },
	[K_TO] = { "to", 10, http_valid_text },
};
