/*
 * keys.c: see keys.h.
 */
#include "auth/password.h"
#include "cursor.h"
#include "http.h"
#include "keys.h"
#include "phone.h"
#include "search.h"

#define CODE_MAX	32
#define UPN_MAX		255

static const char *const methods[] = { "totp", "recovery", NULL };
static const char *const phone_types[] = { "mobile", "alternateMobile",
    "office", NULL };
static const char *const phone_actions[] = { "save", "remove", NULL };
static const char *const results[] = { "success", "failure", NULL };
/* The sections of /admin/settings, in the order of pages/settings.c. */
static const char *const sections[] = { "mystaff", "ca", "methods",
    "passwords", NULL };
static const char *const clients[] = { "mystaff", "account", "admin", "cli",
    NULL };

_Static_assert(PHONE__MAX == 3, "phone_types[] lists every phone type");

#define TEXT(name, max, valid)	{ name, max, valid, HTTP_TEXT, 0, 0, 0, NULL }
#define INT(name, max, lo, hi)	{ name, max, http_valid_digits, HTTP_INT, \
    0, lo, hi, NULL }
#define CHOICE(name, words)	{ name, 16, http_valid_token, HTTP_CHOICE, \
    0, 0, 0, words }

const struct http_key route_keys[K__MAX] = {
	[K_CSRF] = TEXT("csrf", 64, http_valid_token),
	[K_USERNAME] = TEXT("username", UPN_MAX, http_valid_text),
	[K_PASSWORD] = TEXT("password", PW_MAX_BYTES, http_valid_text),
	[K_CODE] = TEXT("code", CODE_MAX, http_valid_text),
	[K_METHOD] = CHOICE("method", methods),
	[K_CURRENT_PASSWORD] =
	    TEXT("current_password", PW_MAX_BYTES, http_valid_text),
	[K_NEW_PASSWORD] = TEXT("new_password", PW_MAX_BYTES, http_valid_text),
	[K_CONFIRM_PASSWORD] =
	    TEXT("confirm_password", PW_MAX_BYTES, http_valid_text),
	[K_NEXT] = TEXT("next", HTTP_PATH_MAX, http_valid_local_path),
	/* q: SEARCH_Q_MAX characters of up to 4 bytes each */
	[K_Q] = { "q", SEARCH_Q_MAX * 4, http_valid_text, HTTP_TEXT,
	    SEARCH_Q_MAX, 0, 0, NULL },
	[K_AFTER] = TEXT("after", CURSOR_MAX, NULL),
	[K_BEFORE] = TEXT("before", CURSOR_MAX, NULL),
	[K_VERSION] = INT("version", 10, 0, UINT32_MAX),
	[K_TYPE] = CHOICE("type", phone_types),
	[K_NUMBER] = TEXT("number", 64, http_valid_text),
	[K_PHONE_ACTION] = CHOICE("action", phone_actions),
	[K_AUDIT_ACTION] = TEXT("action", 64, http_valid_text),
	[K_AUDIT_BEFORE] = INT("before", 19, 1, INT64_MAX),
	[K_AUDIT_AFTER] = INT("after", 19, 1, INT64_MAX),
	[K_ACTOR] = TEXT("actor", UPN_MAX, http_valid_text),
	[K_TARGET] = TEXT("target", 256, http_valid_text),
	[K_RESULT] = CHOICE("result", results),
	[K_FROM] = { "from", 10, NULL, HTTP_DATE, 0, 0, 0, NULL },
	[K_TO] = { "to", 10, NULL, HTTP_DATE, 0, 0, 0, NULL },
	[K_SAVED] = CHOICE("saved", sections),
	[K_USER] = TEXT("user", UUID_LEN, http_valid_uuid),
	[K_CLIENT] = CHOICE("client", clients),
};
