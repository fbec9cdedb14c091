/*
 * keys.c: see keys.h.
 */
#include "auth/password.h"
#include "authz.h"
#include "cursor.h"
#include "http.h"
#include "keys.h"
#include "location.h"
#include "phone.h"
#include "search.h"
#include "settings.h"

#define CODE_MAX	32
#define UPN_MAX		255
/*
 * What a location form may send at all (more is a 400): room over
 * location.h's rules, so a name or description a little too long is
 * answered by the form (422, the text kept), not by the dispatcher.
 */
#define NAME_FIELD_CHARS	(LOCATION_NAME_MAX * 3)
#define DESC_FIELD_CHARS	(LOCATION_DESC_MAX * 2)
#define ROLE_ID_MAX		64

static const char *const methods[] = { "totp", "recovery", "sms", NULL };
static const char *const phone_types[] = { "mobile", "alternateMobile",
    "office", NULL };
static const char *const phone_actions[] = { "save", "remove", NULL };
static const char *const results[] = { "success", "failure", NULL };
/* The words of enum settings_section, in its order. */
static const char *const sections[] = { "mystaff", "ca", "methods",
    "passwords", NULL };
_Static_assert(NELEM(sections) == SEC__MAX + 1, "sections[] names every "
    "settings section");
static const char *const clients[] = { "mystaff", "account", "admin", "cli",
    NULL };
/* The role ids in the order of enum role (authz_role_id() says each;
 * test_locations checks that they agree). */
static const char *const role_ids[] = { "global-administrator",
    "privileged-authentication-administrator",
    "authentication-administrator", "user-administrator",
    "helpdesk-administrator", "password-administrator",
    "authentication-policy-administrator",
    "conditional-access-administrator", "directory-reader",
    "reports-reader", "privileged-role-administrator", "security-reader",
    NULL };
static const char *const backs[] = { "person", "location", "unit", NULL };
static const char *const dones[] = { "created", "saved", "unchanged",
    "deleted", "added", "removed", "assigned", "revoked", NULL };
_Static_assert(NELEM(dones) == DONE__MAX + 1, "dones[] names every enum done");

_Static_assert(NELEM(role_ids) == ROLE__MAX + 1, "role_ids[] lists every "
    "role");

/* A location's id, or empty: the whole organisation. */
static int
valid_scope(const char *s, size_t len)
{
	return len == 0 || http_valid_uuid(s, len);
}

_Static_assert(PHONE__MAX == 3, "phone_types[] lists every phone type");

#define TEXT(name, max, valid)	{ name, max, valid, HTTP_TEXT, 0, 0, 0, NULL, 0 }
/* A name typed on a phone: its keyboard leaves a space after a word it
 * completed, and "ann@example.com " is no one. Never for a password. */
#define TRIMMED(name, max, valid) { name, max, valid, HTTP_TEXT, 0, 0, 0, \
    NULL, 1 }
#define INT(name, max, lo, hi)	{ name, max, http_valid_digits, HTTP_INT, \
    0, lo, hi, NULL, 0 }
#define CHOICE(name, words)	{ name, 16, http_valid_token, HTTP_CHOICE, \
    0, 0, 0, words, 0 }

const struct http_key route_keys[K__MAX] = {
	[K_CSRF] = TEXT("csrf", 64, http_valid_token),
	[K_USERNAME] = TRIMMED("username", UPN_MAX, http_valid_text),
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
	/* Dates as typed: the audit page says what is wrong with one. */
	[K_FROM] = TEXT("from", 32, http_valid_text),
	[K_TO] = TEXT("to", 32, http_valid_text),
	[K_SAVED] = CHOICE("saved", sections),
	[K_USER] = TEXT("user", UUID_LEN, http_valid_uuid),
	[K_CLIENT] = CHOICE("client", clients),
	[K_NAME] = { "name", NAME_FIELD_CHARS * 4, http_valid_text, HTTP_TEXT,
	    NAME_FIELD_CHARS, 0, 0, NULL },
	[K_DESCRIPTION] = { "description", DESC_FIELD_CHARS * 4,
	    http_valid_text, HTTP_TEXT, DESC_FIELD_CHARS, 0, 0, NULL },
	[K_UNIT] = TEXT("unit", UUID_LEN, valid_scope),
	[K_ROLE] = { "role", ROLE_ID_MAX, http_valid_token, HTTP_CHOICE, 0, 0,
	    0, role_ids },
	[K_UNIT_Q] = { "unit_q", SEARCH_Q_MAX * 4, http_valid_text, HTTP_TEXT,
	    SEARCH_Q_MAX, 0, 0, NULL },
	[K_SMS_Q] = { "sms_q", SEARCH_Q_MAX * 4, http_valid_text, HTTP_TEXT,
	    SEARCH_Q_MAX, 0, 0, NULL },
	[K_BACK] = CHOICE("back", backs),
	[K_DONE] = CHOICE("done", dones),
	[K_WHO] = TEXT("who", UUID_LEN, http_valid_uuid),
	[K_AT] = TEXT("at", UUID_LEN, valid_scope),
	[K_PHONE] = TEXT("phone", 64, http_valid_text),
	[K_WAS] = TEXT("was", 64, http_valid_text),
};
