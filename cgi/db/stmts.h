/*
 * stmts.h: every SQL statement staffdesk runs, by name, with its
 * parameters and its columns by name:
 *
 *	STMT(Q_NAME, IN(param, ...), OUT(column, column:int, ...), "SQL")
 *
 * db.h and db.c include it with STMT() defined (an X-macro) for the
 * enum, the text and the name. cgi/db/stmts-gen.awk reads IN() and
 * OUT() (and the COLS() groups) and writes build/db_stmts.[ch]: per
 * statement a struct of its parameters, a struct of a row and a
 * function q_name() that runs it, so C names every value it sends and
 * reads (row.upn), and db.c checks when it prepares a statement that the
 * SQL has as many parameters and columns as declared here.
 *
 * Every statement is prepared once per connection and run with bound
 * parameters; none is built from strings at run time. Times are UTC
 * (the connection sets time_zone = '+00:00').
 */
#define EPOCH(c)	"FLOOR(UNIX_TIMESTAMP(" c "))"
/*
 * A role assignment's scope in a role list (db/roles.h): '*' for the
 * organisation, else the unit's id. Explicit, so a list cut short by
 * group_concat_max_len cannot read as organisation scope.
 */
#define ROLE_SCOPE(r)	"IF(" r ".unit_id IS NULL, '*', " r ".scope_key)"
/* "Insert unless it is there": unlike INSERT IGNORE, other errors stay errors. */
#define KEEP(col)	"ON DUPLICATE KEY UPDATE " col " = " col
/*
 * The columns of a person in a list (COLS person), from users or from
 * the copy in unit_members (sql/006_members_list.sql).
 */
#define PERSON_OF(id, name, t) id ", " name ", " t ".upn, " t ".job_title, " \
    t ".phone_count > 0, " t ".mobile, " \
    "IFNULL(" t ".locked_until > UTC_TIMESTAMP(6), 0), " \
    t ".must_change_password, IFNULL(" t ".enabled, 1)"
#define PERSON(u)	PERSON_OF(u ".id", u ".display_name", u)
/* mobile: the mobile number, kept beside phone_count (sql/011). */
COLS(person, id, name, upn, job_title, has_phone:int, mobile, locked:int,
    must_change:int, enabled:int)
/* A location in a list: id, name, description, head count. */
COLS(unit, id, name, description, members)
#define MEMBER(m)	PERSON_OF(m ".user_id", m ".sort_name", m)

/* settings */
STMT(Q_SETTINGS_ALL, IN(), OUT(name, value),
    "SELECT name, value FROM settings")
/* The same, locked until the transaction ends (two saves, one by one). */
STMT(Q_SETTINGS_LOCK, IN(), OUT(=Q_SETTINGS_ALL),
    "SELECT name, value FROM settings FOR UPDATE")
/* Bumped by the table's triggers (sql/017) at every change. */
STMT(Q_SETTINGS_VERSION, IN(), OUT(version:int),
    "SELECT version FROM settings_version WHERE id = 1")
STMT(Q_SETTING_SET, IN(name, value), OUT(),
    "INSERT INTO settings (name, value) VALUES (?, ?) "
    "ON DUPLICATE KEY UPDATE value = VALUES(value)")

/* migrations */
STMT(Q_MIGRATIONS, IN(), OUT(version:int),
    "SELECT version FROM schema_migrations")
STMT(Q_MIGRATION_ADD, IN(version), OUT(),
    "INSERT INTO schema_migrations (version, applied_at) "
    "VALUES (?, UTC_TIMESTAMP(6))")
/* 1 on a Galera node that replicates (migrate then applies DDL in TOI). */
STMT(Q_WSREP_ON, IN(), OUT(on:int),
    "SELECT @@wsrep_on")

/*
 * Named locks a cluster honours (sql/016): a lease is taken for
 * seconds when free (1 row: taken), kept while still its holder's
 * (1 row: kept), given back at once; a turnstile is passed by writing
 * it, inside the transaction it guards.
 */
STMT(Q_LEASE_TAKE, IN(holder, seconds, name), OUT(),
    "UPDATE cluster_locks SET holder = ?, held_until = UTC_TIMESTAMP(6) + "
    "INTERVAL ? SECOND WHERE name = ? AND held_until < UTC_TIMESTAMP(6)")
STMT(Q_LEASE_KEEP, IN(seconds, name, holder), OUT(),
    "UPDATE cluster_locks SET held_until = UTC_TIMESTAMP(6) + INTERVAL ? "
    "SECOND WHERE name = ? AND holder = ? AND held_until >= "
    "UTC_TIMESTAMP(6)")
STMT(Q_LEASE_GIVE, IN(name, holder), OUT(),
    "UPDATE cluster_locks SET holder = NULL, held_until = "
    "UTC_TIMESTAMP(6) WHERE name = ? AND holder = ?")
STMT(Q_TURNSTILE, IN(name), OUT(),
    "UPDATE cluster_locks SET turns = turns + 1 WHERE name = ?")

/* users */
STMT(Q_USER_SIGNIN, IN(upn),
    OUT(id, upn, display_name, password_hash, enabled:int,
    failed_signins:int, locked:int, must_change:int, temp_expired:int,
    has_totp:int, has_role:int, mfa_age:int, onprem:int),
    "SELECT id, upn, display_name, password_hash, enabled, "
    "failed_signins, IFNULL(locked_until > UTC_TIMESTAMP(6), 0), "
    "must_change_password, IFNULL(temp_password_expires_at < "
    "UTC_TIMESTAMP(6), 0), EXISTS (SELECT 1 FROM totp t WHERE "
    "t.user_id = users.id AND t.confirmed = 1), EXISTS (SELECT 1 FROM "
    "role_assignments r WHERE r.user_id = users.id), "
    "IFNULL(TIMESTAMPDIFF(SECOND, last_mfa_at, UTC_TIMESTAMP(6)), -1), "
    "source = 'onprem' FROM users WHERE upn = ?")
STMT(Q_USER_FAIL, IN(lock_if, lock_seconds, id), OUT(),
    "UPDATE users SET failed_signins = failed_signins + 1, "
    "locked_until = IF(? > 0, UTC_TIMESTAMP(6) + INTERVAL ? SECOND, "
    "locked_until) WHERE id = ?")
/* A password the directory holds (onprem.writeback = ldap): no copy. */
STMT(Q_USER_DROP_HASH, IN(id), OUT(),
    "UPDATE users SET password_hash = NULL WHERE id = ? AND "
    "password_hash IS NOT NULL")
STMT(Q_USER_SIGNIN_OK, IN(id), OUT(),
    "UPDATE users SET failed_signins = 0, locked_until = "
    "NULL, last_signin_at = UTC_TIMESTAMP(6) WHERE id = ?")
STMT(Q_USER_BY_ID, IN(id),
    OUT(id, upn, display_name, given_name, surname, email, job_title,
    department, source, last_signin, must_change:int, enabled:int,
    password_hash, locked:int, password_version:int, temp_expires),
    "SELECT id, upn, display_name, given_name, surname, "
    "email, job_title, department, source, " EPOCH("last_signin_at") ", "
    "must_change_password, enabled, password_hash, "
    "IFNULL(locked_until > UTC_TIMESTAMP(6), 0), password_version, "
    EPOCH("temp_password_expires_at") " FROM users WHERE id = ?")
/*
 * The holder of a mobile number (unique: sql/003) for SMS sign-in, with
 * what the sign-in needs; selected: on the sms.signin list.
 */
STMT(Q_USER_BY_MOBILE, IN(number),
    OUT(id, upn, display_name, enabled:int, failed_signins:int, locked:int,
    must_change:int, has_totp:int, has_role:int, selected:int),
    "SELECT u.id, u.upn, u.display_name, u.enabled, u.failed_signins, "
    "IFNULL(u.locked_until > UTC_TIMESTAMP(6), 0), "
    "u.must_change_password, EXISTS (SELECT 1 FROM totp t WHERE "
    "t.user_id = u.id AND t.confirmed = 1), EXISTS (SELECT 1 FROM "
    "role_assignments r WHERE r.user_id = u.id), EXISTS (SELECT 1 FROM "
    "sms_signin_selected s WHERE s.user_id = u.id) FROM phones p JOIN "
    "users u ON u.id = p.user_id WHERE p.number = ? AND p.type = 'mobile'")
STMT(Q_USER_BY_UPN, IN(upn), OUT(id, display_name),
    "SELECT id, display_name FROM users WHERE upn = ?")
STMT(Q_USER_INSERT, IN(id, upn, display_name, given_name, surname, email, job_title,
    department, source, password_hash, must_change), OUT(),
    "INSERT INTO users (id, upn, display_name, given_name, "
    "surname, email, job_title, department, source, password_hash, "
    "must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
/* params: hash, must_change, temp ttl seconds (NULL: none), id */
STMT(Q_USER_SET_PASSWORD, IN(password_hash, must_change, ttl_seconds, id),
    OUT(),
    "UPDATE users SET password_hash = ?, "
    "must_change_password = ?, temp_password_expires_at = "
    "UTC_TIMESTAMP(6) + INTERVAL ? SECOND, failed_signins = 0, "
    "locked_until = NULL, password_version = password_version + 1, "
    "updated_at = UTC_TIMESTAMP(6) WHERE id = ?")
/*
 * A manager's reset: a temporary password that must be changed, the
 * lockout cleared. Only if the password is still the version the form
 * showed. Params: hash, ttl seconds, id, version.
 */
STMT(Q_USER_RESET, IN(password_hash, ttl_seconds, id, version), OUT(),
    "UPDATE users SET password_hash = ?, "
    "must_change_password = 1, temp_password_expires_at = "
    "UTC_TIMESTAMP(6) + INTERVAL ? SECOND, failed_signins = 0, "
    "locked_until = NULL, password_version = password_version + 1, "
    "updated_at = UTC_TIMESTAMP(6) WHERE id = ? AND password_version = ?")
STMT(Q_USER_ENABLE, IN(enabled, id), OUT(),
    "UPDATE users SET enabled = ?, updated_at = "
    "UTC_TIMESTAMP(6) WHERE id = ?")
STMT(Q_USER_UNITS, IN(user), OUT(id, name),
    "SELECT un.id, un.name FROM unit_members m JOIN units un "
    "ON un.id = m.unit_id WHERE m.user_id = ? ORDER BY un.name")
STMT(Q_USER_ROLES, IN(user), OUT(role, unit_id, unit_name),
    "SELECT r.role, r.unit_id, un.name FROM role_assignments r "
    "LEFT JOIN units un ON un.id = r.unit_id WHERE r.user_id = ? "
    "ORDER BY r.role, un.name")
STMT(Q_USER_PHONES, IN(user), OUT(type, number),
    "SELECT type, number FROM phones WHERE user_id = ? "
    "ORDER BY type")
/*
 * The same, locked with the person's row, for a change to them: a
 * second change at once waits, then reads what the first wrote (a
 * person without phones is one row of NULLs; without a row, gone).
 */
STMT(Q_USER_PHONES_LOCK, IN(user), OUT(=Q_USER_PHONES),
    "SELECT p.type, p.number FROM users u LEFT JOIN phones p "
    "ON p.user_id = u.id WHERE u.id = ? FOR UPDATE")
/*
 * A new number, or a changed one: separate statements, so a mobile
 * number held by someone else is a duplicate key (DB_DUP), never an
 * ON DUPLICATE KEY UPDATE of the holder's row. Params: number last.
 */
STMT(Q_PHONE_INSERT, IN(user, type, number), OUT(),
    "INSERT INTO phones (user_id, type, number) VALUES "
    "(?, ?, ?)")
STMT(Q_PHONE_UPDATE, IN(number, user, type), OUT(),
    "UPDATE phones SET number = ? WHERE user_id = ? AND "
    "type = ?")
STMT(Q_PHONE_DELETE, IN(user, type), OUT(),
    "DELETE FROM phones WHERE user_id = ? AND type = ?")

/* units, memberships, roles */
STMT(Q_UNIT_INSERT, IN(id, name, description), OUT(),
    "INSERT INTO units (id, name, description) "
    "VALUES (?, ?, ?)")
STMT(Q_UNIT_BY_ID, IN(id), OUT(id, name),
    "SELECT id, name FROM units WHERE id = ?")
STMT(Q_UNIT_BY_NAME, IN(name), OUT(=Q_UNIT_BY_ID),
    "SELECT id, name FROM units WHERE name = ?")
/*
 * Memberships (unit, user) from j, with the columns a list shows. The
 * users rows are read locked: a change to one waits, and its trigger
 * then finds the membership to update.
 */
#define MEMBERS_ADD(more) "INSERT INTO unit_members (unit_id, user_id, " \
    "sort_name, upn, job_title, phone_count, mobile, locked_until, " \
    "must_change_password, enabled) SELECT j.unit, u.id, " \
    "u.display_name, u.upn, u.job_title, u.phone_count, u.mobile, " \
    "u.locked_until, u.must_change_password, u.enabled FROM (SELECT " \
    "CAST(? AS UUID) AS unit, CAST(? AS UUID) AS person" more ") j " \
    "JOIN users u ON u.id = j.person LOCK IN SHARE MODE " KEEP("user_id")
STMT(Q_MEMBER_ADD, IN(unit, user), OUT(),
    MEMBERS_ADD(""))
STMT(Q_MEMBER_REMOVE, IN(=Q_MEMBER_ADD), OUT(),
    "DELETE FROM unit_members WHERE unit_id = ? AND "
    "user_id = ?")
STMT(Q_ROLE_ASSIGN, IN(user, role, unit), OUT(),
    "INSERT INTO role_assignments (user_id, role, unit_id) "
    "VALUES (?, ?, ?)")
STMT(Q_ROLE_REVOKE, IN(user, role, scope_key), OUT(),
    "DELETE FROM role_assignments WHERE user_id = ? AND "
    "role = ? AND scope_key = ?")

/* sessions */
/*
 * mfa is enum sess_mfa: 0 owed, 1 done now, 2 remembered (the user's
 * last_mfa_at, on a trusted network), 3 done now by a texted code, 4
 * owed after a sign-in by a texted code; remembered is 1 for 2, sms 1
 * for 3, signin_sms 1 for 4.
 * No row when the user is gone.
 */
STMT(Q_SESS_INSERT, IN(token_hash, csrf, mfa, remembered, sms, signin_sms,
    ip, user_agent, user),
    OUT(),
    "INSERT INTO sessions (token_hash, user_id, csrf, "
    "created_at, last_seen_at, mfa_at, mfa_remembered, mfa_sms, "
    "signin_sms, ip, user_agent) SELECT ?, u.id, ?, UTC_TIMESTAMP(6), "
    "UTC_TIMESTAMP(6), CASE ? WHEN 1 THEN UTC_TIMESTAMP(6) WHEN 2 THEN "
    "u.last_mfa_at WHEN 3 THEN UTC_TIMESTAMP(6) END, "
    "?, ?, ?, ?, ? FROM users u WHERE u.id = ?")
STMT(Q_USER_MFA_DONE, IN(id), OUT(),
    "UPDATE users SET last_mfa_at = UTC_TIMESTAMP(6) WHERE id = ?")
/*
 * What a signed-in request needs before its page, in one statement: the
 * session and its user, with the settings' version (sql/017), by which
 * a worker knows whether its copy of the settings is still the table's;
 * one row per role assignment of the user (role NULL: none; role_unit
 * NULL: the organisation), the session's columns repeated on each. A
 * page with a view runs it with its own statements (VIEW below).
 */
STMT(Q_SESS_LOAD, IN(token_hash:ascii),
    OUT(csrf, created:int, last_seen:int, mfa_at:int, mfa_remembered:int,
    mfa_attempts:int, user_id, upn, display_name, must_change:int,
    enabled:int, has_totp:int, flash:bytes, settings_version:int,
    enrol_secret:bytes, mfa_sms:int, signin_sms:int, onprem:int, role,
    role_unit),
    "SELECT s.csrf, " EPOCH("s.created_at") ", "
    EPOCH("s.last_seen_at") ", " EPOCH("s.mfa_at") ", s.mfa_remembered, "
    "s.mfa_attempts, "
    "u.id, u.upn, u.display_name, u.must_change_password, u.enabled, "
    "t.user_id IS NOT NULL, s.flash, v.version, s.enrol_secret, "
    "s.mfa_sms, s.signin_sms, IFNULL(u.source = 'onprem', 0), r.role, "
    "r.unit_id FROM sessions s JOIN users u ON u.id = s.user_id "
    "LEFT JOIN settings_version v ON v.id = 1 "
    "LEFT JOIN totp t ON t.user_id = u.id AND t.confirmed = 1 "
    "LEFT JOIN role_assignments r ON r.user_id = u.id "
    "WHERE s.token_hash = ?")
STMT(Q_SESS_TOUCH, IN(token_hash), OUT(),
    "UPDATE sessions SET last_seen_at = UTC_TIMESTAMP(6) "
    "WHERE token_hash = ?")
STMT(Q_SESS_DELETE, IN(token_hash), OUT(),
    "DELETE FROM sessions WHERE token_hash = ?")
STMT(Q_SESS_DELETE_OTHERS, IN(user, token_hash), OUT(),
    "DELETE FROM sessions WHERE user_id = ? AND "
    "token_hash <> ?")
STMT(Q_SESS_DELETE_USER, IN(user), OUT(),
    "DELETE FROM sessions WHERE user_id = ?")
STMT(Q_SESS_LIST, IN(user),
    OUT(token_hash, created, last_seen, ip, user_agent, mfa_done:int),
    "SELECT token_hash, " EPOCH("created_at") ", "
    EPOCH("last_seen_at") ", ip, user_agent, mfa_at IS NOT NULL "
    "FROM sessions WHERE user_id = ? ORDER BY last_seen_at DESC LIMIT 50")
/* Takes one MFA attempt, if any is left. Params: hash, the maximum. */
STMT(Q_SESS_MFA_TRY, IN(token_hash, max), OUT(),
    "UPDATE sessions SET mfa_attempts = mfa_attempts + 1 "
    "WHERE token_hash = ? AND mfa_attempts < ?")
STMT(Q_SESS_FLASH, IN(flash, token_hash), OUT(),
    "UPDATE sessions SET flash = ? WHERE token_hash = ?")
/* The message as committed now (a double submit's first answer's). */
STMT(Q_SESS_FLASH_GET, IN(token_hash), OUT(flash:bytes),
    "SELECT flash FROM sessions WHERE token_hash = ?")
/* Windows and locks an hour past any limit's use (sms flush). */
STMT(Q_RATE_PURGE, IN(older_seconds), OUT(),
    "DELETE FROM rate_limits WHERE window_start < "
    "UTC_TIMESTAMP(6) - INTERVAL ? SECOND LIMIT 10000")
STMT(Q_SESS_PURGE, IN(idle_seconds, absolute_seconds), OUT(),
    "DELETE FROM sessions WHERE last_seen_at < "
    "UTC_TIMESTAMP(6) - INTERVAL ? SECOND OR created_at < "
    "UTC_TIMESTAMP(6) - INTERVAL ? SECOND LIMIT 1000")

/*
 * One-time codes (cgi/db/otp.h): one row per user and purpose, the
 * code only as a keyed hash. A new code replaces the previous one.
 */
STMT(Q_OTP_PUT, IN(user, purpose, salt, code_hash, ttl_seconds), OUT(),
    "REPLACE INTO otp_codes (user_id, purpose, salt, code_hash, "
    "expires_at, attempts, created_at) VALUES (?, ?, ?, ?, "
    "UTC_TIMESTAMP(6) + INTERVAL ? SECOND, 0, UTC_TIMESTAMP(6))")
/* The code of a try, locked until the transaction ends; now from the
 * database's clock, as expires_at. */
STMT(Q_OTP_LOCK, IN(user, purpose),
    OUT(salt, code_hash, expires:int, attempts:int, now:int),
    "SELECT salt, code_hash, " EPOCH("expires_at") ", attempts, "
    EPOCH("UTC_TIMESTAMP(6)") " FROM otp_codes WHERE user_id = ? AND "
    "purpose = ? FOR UPDATE")
STMT(Q_OTP_WRONG, IN(user, purpose), OUT(),
    "UPDATE otp_codes SET attempts = attempts + 1 WHERE user_id = ? AND "
    "purpose = ?")
/* A phone number changed: the codes out belong to the old one. */
STMT(Q_OTP_FORGET_USER, IN(user), OUT(),
    "DELETE FROM otp_codes WHERE user_id = ?")
STMT(Q_OTP_SPEND, IN(user, purpose), OUT(),
    "DELETE FROM otp_codes WHERE user_id = ? AND purpose = ?")

/*
 * Self-service password reset (cgi/pages/sspr.c): a visitor's flow,
 * keyed by the SHA-256 of the visitor cookie; a new step 1 replaces it.
 */
STMT(Q_SSPR_PUT, IN(visitor, user, ttl_seconds), OUT(),
    "REPLACE INTO sspr_flows (visitor_hash, user_id, step, expires_at) "
    "VALUES (?, ?, 1, UTC_TIMESTAMP(6) + INTERVAL ? SECOND)")
/* The live flow of a visitor, locked until the transaction ends. */
STMT(Q_SSPR_LOCK, IN(visitor), OUT(user_id, step:int, attempts:int),
    "SELECT user_id, step, attempts FROM sspr_flows WHERE visitor_hash = ? AND "
    "expires_at > UTC_TIMESTAMP(6) FOR UPDATE")
/* Moves a flow from one step to the next: 1 row, or 0 when it was not there. */
STMT(Q_SSPR_STEP, IN(step, visitor, from_step), OUT(),
    "UPDATE sspr_flows SET step = ? WHERE visitor_hash = ? AND step = ? "
    "AND expires_at > UTC_TIMESTAMP(6)")
STMT(Q_SSPR_WRONG, IN(visitor), OUT(),
    "UPDATE sspr_flows SET attempts = attempts + 1 WHERE visitor_hash = ?")
STMT(Q_SSPR_END, IN(visitor), OUT(),
    "DELETE FROM sspr_flows WHERE visitor_hash = ? OR expires_at < "
    "UTC_TIMESTAMP(6)")

/* TOTP and recovery codes */
STMT(Q_TOTP_GET, IN(user), OUT(secret:bytes, last_step:int, confirmed:int),
    "SELECT secret, last_step, confirmed FROM totp "
    "WHERE user_id = ?")
/*
 * Confirms an enrolment: the first confirmed secret wins; a user who
 * has one already is left as is (0 rows). Params: user, sealed secret,
 * the step the code matched.
 */
STMT(Q_TOTP_ENROL, IN(user, secret, step), OUT(),
    "INSERT INTO totp (user_id, secret, last_step, confirmed) "
    "VALUES (?, ?, ?, 1) ON DUPLICATE KEY UPDATE "
    "secret = IF(confirmed, secret, VALUES(secret)), "
    "last_step = IF(confirmed, last_step, VALUES(last_step)), "
    "confirmed = 1")
STMT(Q_SESS_ENROL, IN(secret, token_hash), OUT(),
    "UPDATE sessions SET enrol_secret = ? WHERE token_hash = ?")
STMT(Q_TOTP_STEP, IN(step, user, step_again), OUT(),
    "UPDATE totp SET last_step = ? WHERE user_id = ? AND "
    "confirmed = 1 AND last_step < ?")
STMT(Q_TOTP_PUT, IN(user, secret), OUT(),
    "REPLACE INTO totp (user_id, secret, last_step, confirmed) "
    "VALUES (?, ?, 0, 1)")
STMT(Q_RECOVERY_DELETE, IN(user), OUT(),
    "DELETE FROM recovery_codes WHERE user_id = ?")
STMT(Q_RECOVERY_INSERT, IN(user, code_hash), OUT(),
    "INSERT INTO recovery_codes (user_id, code_hash) "
    "VALUES (?, ?)")
STMT(Q_RECOVERY_USE, IN(user, code_hash), OUT(),
    "UPDATE recovery_codes SET used_at = UTC_TIMESTAMP(6) "
    "WHERE user_id = ? AND code_hash = ? AND used_at IS NULL LIMIT 1")
STMT(Q_RECOVERY_LEFT, IN(user), OUT(left:int),
    "SELECT COUNT(*) FROM recovery_codes WHERE "
    "user_id = ? AND used_at IS NULL")

/* rate limits: a fixed window of ? seconds per key */
STMT(Q_RATE_GET, IN(key, window_seconds), OUT(count:int),
    "SELECT count FROM rate_limits WHERE `key` = ? AND "
    "window_start > UTC_TIMESTAMP(6) - INTERVAL ? SECOND")
STMT(Q_RATE_HIT, IN(key, window_seconds), OUT(),
    "INSERT INTO rate_limits (`key`, window_start, count) "
    "VALUES (?, UTC_TIMESTAMP(6), 1) ON DUPLICATE KEY UPDATE "
    "count = IF(window_start > UTC_TIMESTAMP(6) - INTERVAL ? SECOND, "
    "count + 1, 1), window_start = IF(count = 1, UTC_TIMESTAMP(6), "
    "window_start)")

/* audit */
STMT(Q_AUDIT_INSERT, IN(actor_id, actor_upn, action, target_id, target_name,
    result, reason, client, ip, user_agent, details), OUT(),
    "INSERT INTO audit_log (at, actor_id, actor_upn, "
    "action, target_id, target_name, result, reason, client, ip, "
    "user_agent, details) VALUES (UTC_TIMESTAMP(6), ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?)")

/* the command line */
STMT(Q_UNIT_INSERT_KEEP, IN(=Q_UNIT_INSERT), OUT(),
    "INSERT INTO units (id, name, description) "
    "VALUES (?, ?, ?) " KEEP("id"))
/*
 * The demo's multi-row inserts (demo.c): DEMO_ROWS people, and
 * DEMO_MEMBERS memberships (3 each), a statement; db_exec() refuses a
 * count that does not match. A short batch repeats its last row: a
 * no-op, as each keeps what is there.
 */
#define ROWS10(r)	r "," r "," r "," r "," r "," r "," r "," r "," r "," r
#define M1		" UNION ALL SELECT ?, ?"
#define M5		M1 M1 M1 M1 M1
STMT(Q_DEMO_USERS, IN(rows[DEMO_ROWS](id, upn, display_name, given_name,
    surname, email, job_title, department, source, password_hash)), OUT(),
    "INSERT INTO users (id, upn, display_name, given_name, "
    "surname, email, job_title, department, source, password_hash, "
    "must_change_password) VALUES "
    ROWS10("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)") " " KEEP("id"))
STMT(Q_DEMO_MOBILES, IN(rows[DEMO_ROWS](user, number)), OUT(),
    "INSERT INTO phones (user_id, type, number) VALUES "
    ROWS10("(?, 'mobile', ?)") " " KEEP("user_id"))
STMT(Q_DEMO_MEMBERS, IN(rows[DEMO_MEMBERS](unit, user)), OUT(),
    MEMBERS_ADD(M5 M5 M5 M5 M5 M1 M1 M1 M1))
STMT(Q_ROLE_ASSIGN_KEEP, IN(=Q_ROLE_ASSIGN), OUT(),
    "INSERT INTO role_assignments (user_id, role, "
    "unit_id) VALUES (?, ?, ?) " KEEP("id"))

/* My Staff (pages/lists.c, person.c). Keyset pages fetch LIST_PAGE + 1 rows. */
STMT(Q_MYSTAFF_IS_SELECTED, IN(user), OUT(yes:int),
    "SELECT 1 FROM mystaff_selected WHERE user_id = ?")
STMT(Q_MYSTAFF_SELECT, IN(user), OUT(),
    "INSERT INTO mystaff_selected (user_id) VALUES (?) "
    KEEP("user_id"))
STMT(Q_MYSTAFF_UNSELECT, IN(=Q_MYSTAFF_SELECT), OUT(),
    "DELETE FROM mystaff_selected WHERE user_id = ?")
/* The list sms.signin = selected lets in (the same shape). */
STMT(Q_SMS_SIGNIN_SELECT, IN(=Q_MYSTAFF_SELECT), OUT(),
    "INSERT INTO sms_signin_selected (user_id) VALUES (?) "
    KEEP("user_id"))
STMT(Q_SMS_SIGNIN_UNSELECT, IN(=Q_MYSTAFF_SELECT), OUT(),
    "DELETE FROM sms_signin_selected WHERE user_id = ?")
STMT(Q_MYSTAFF_PEOPLE, IN(max), OUT(id, display_name, upn),
    "SELECT u.id, u.display_name, u.upn FROM mystaff_selected s "
    "JOIN users u ON u.id = s.user_id ORDER BY u.display_name, u.upn "
    "LIMIT ?")
STMT(Q_MYSTAFF_LIST, IN(), OUT(upn),
    "SELECT u.upn FROM mystaff_selected s JOIN users u "
    "ON u.id = s.user_id ORDER BY u.upn")
STMT(Q_SMS_SIGNIN_PEOPLE, IN(=Q_MYSTAFF_PEOPLE), OUT(=Q_MYSTAFF_PEOPLE),
    "SELECT u.id, u.display_name, u.upn FROM sms_signin_selected s "
    "JOIN users u ON u.id = s.user_id ORDER BY u.display_name, u.upn "
    "LIMIT ?")
STMT(Q_SMS_SIGNIN_LIST, IN(), OUT(=Q_MYSTAFF_LIST),
    "SELECT u.upn FROM sms_signin_selected s JOIN users u "
    "ON u.id = s.user_id ORDER BY u.upn")
STMT(Q_ACTOR_UNITS, IN(user), OUT(unit:unit),
    "SELECT un.id, un.name, un.description, un.member_count "
    "FROM units un WHERE un.id "
    "IN (SELECT r.unit_id FROM role_assignments r WHERE r.user_id = ?) "
    "ORDER BY un.name LIMIT 500")
STMT(Q_UNITS_AFTER, IN(name), OUT(unit:unit),
    "SELECT id, name, description, member_count FROM units WHERE name > ? "
    "ORDER BY name LIMIT 51")
STMT(Q_UNITS_BEFORE, IN(=Q_UNITS_AFTER), OUT(=Q_UNITS_AFTER),
    "SELECT id, name, description, member_count FROM units WHERE name < ? "
    "ORDER BY name DESC LIMIT 51")
STMT(Q_UNIT_GET, IN(id), OUT(unit:unit),
    "SELECT id, name, description, member_count FROM units WHERE id = ?")
/*
 * Keyset pages compare row values, (name, id) > (?, ?); the name >= ?
 * beside it makes the range start at the cursor, not at the first
 * name (row values alone are not a range): a late page of a big
 * location reads 51 rows, not all before it. Params: name, name, id.
 */
/*
 * The location's own name, description and head count ride along (the
 * location is a constant row of the join), saving a round trip; an
 * empty page brings no row, and Q_UNIT_GET then tells empty from
 * unknown. Params: unit, name, name, id.
 */
#define MEMBERS_OF "SELECT " MEMBER("m") ", m.sort_name, un.name, " \
    "un.description, un.member_count FROM units un JOIN unit_members m " \
    "ON m.unit_id = un.id WHERE un.id = ? AND "
STMT(Q_MEMBERS_AFTER, IN(unit, from_name, name, id), OUT(person:person,
    sort_name, unit_name, unit_description, unit_count),
    MEMBERS_OF "m.sort_name >= ? AND (m.sort_name, m.user_id) > (?, ?) "
    "ORDER BY m.sort_name, m.user_id LIMIT 51")
STMT(Q_MEMBERS_BEFORE, IN(=Q_MEMBERS_AFTER), OUT(=Q_MEMBERS_AFTER),
    MEMBERS_OF "m.sort_name <= ? AND (m.sort_name, m.user_id) < (?, ?) "
    "ORDER BY m.sort_name DESC, m.user_id DESC LIMIT 51")
STMT(Q_USERS_AFTER, IN(from_name, name, id), OUT(person:person, sort_name),
    "SELECT " PERSON("u") ", u.display_name FROM users u "
    "WHERE u.display_name >= ? AND (u.display_name, u.id) > (?, ?) "
    "ORDER BY u.display_name, u.id LIMIT 51")
STMT(Q_USERS_BEFORE, IN(=Q_USERS_AFTER), OUT(=Q_USERS_AFTER),
    "SELECT " PERSON("u") ", u.display_name FROM users u "
    "WHERE u.display_name <= ? AND (u.display_name, u.id) < (?, ?) "
    "ORDER BY u.display_name DESC, u.id DESC LIMIT 51")
/* A profile's phones, locations and roles (kind, a, b, c, sort). */
#define U8(x)	"CONVERT(" x " USING utf8mb4)"	/* one collation for UNION */
STMT(Q_USER_DETAILS, IN(phones_of, units_of, roles_of),
    OUT(kind, a, b, c, sort),
    "SELECT 'phone', " U8("type") ", " U8("number") ", NULL, "
    U8("type") " FROM phones WHERE user_id = ? UNION ALL SELECT 'unit', "
    U8("un.id") ", " U8("un.name") ", NULL, " U8("un.name") " FROM "
    "unit_members m JOIN units un ON un.id = m.unit_id WHERE m.user_id = ? "
    "UNION ALL SELECT 'role', " U8("r.role") ", " U8("r.unit_id") ", "
    U8("un.name") ", " U8("r.role") " FROM role_assignments r LEFT JOIN "
    "units un ON un.id = r.unit_id WHERE r.user_id = ? ORDER BY 1, 5")
/*
 * Search: matches in (word, name, id) order, straight from the primary
 * key. A person matching through two words is shown at the first: the
 * row whose prev_word does not match too (sql/005_lists.sql). What
 * authz needs of each person rides along (a second query for the page
 * measured slower): roles as db/roles.h reads them (ROLE_SCOPE), looked
 * up only for those who hold some (sql/019: IF runs one branch; a count
 * gone wrong still reads them), and locations as "ID NAME" lines
 * (db_named_decode()), for authz and the page, a line break in a name
 * made a space so that no line can name another location. Params: term,
 * [term 2], term again, then the cursor: word, word, name, id.
 */
#define SEARCH_HIT(extra) "SELECT " PERSON("u") ", s.sort_name, s.kind, " \
    "s.ref_id, NULL, s.word, IF(u.role_count <> 0, (SELECT " \
    "GROUP_CONCAT(r.role, ':', " ROLE_SCOPE("r") ") FROM " \
    "role_assignments r WHERE r.user_id = s.ref_id), NULL), " \
    "(SELECT GROUP_CONCAT(un.id, ' ', REPLACE(un.name, '\n', ' ') " \
    "ORDER BY un.name SEPARATOR '\n') FROM unit_members m JOIN " \
    "units un ON un.id = m.unit_id WHERE m.user_id = s.ref_id) " \
    "FROM search_words s LEFT JOIN users u ON " \
    "u.id = s.ref_id WHERE s.word LIKE ? ESCAPE '!' " extra " AND " \
    "(s.prev_word IS NULL OR s.prev_word NOT LIKE ? ESCAPE '!') AND " \
    "s.word >= ? AND (s.word, s.sort_name, s.ref_id) > (?, ?, ?) " \
    "ORDER BY s.word, s.sort_name, s.ref_id LIMIT 51"
STMT(Q_SEARCH1, IN(term, prev_term, from_word, word, name, id),
    OUT(person:person, sort_name, kind, ref_id, description, word, roles,
    unit_names),
    SEARCH_HIT(""))
STMT(Q_SEARCH2, IN(term, term2, prev_term, from_word, word, name, id),
    OUT(=Q_SEARCH1),
    SEARCH_HIT("AND EXISTS (SELECT 1 FROM search_words s2 WHERE "
    "s2.ref_id = s.ref_id AND s2.word LIKE ? ESCAPE '!')"))
/* The same, people only: an admin form's picker (page_pick_people()). */
STMT(Q_PICK1, IN(=Q_SEARCH1), OUT(=Q_SEARCH1),
    SEARCH_HIT("AND s.kind = 'user'"))
STMT(Q_PICK2, IN(=Q_SEARCH2), OUT(=Q_SEARCH1),
    SEARCH_HIT("AND s.kind = 'user' AND EXISTS (SELECT 1 FROM "
    "search_words s2 WHERE s2.ref_id = s.ref_id AND s2.word LIKE ? "
    "ESCAPE '!')"))
STMT(Q_SEARCH_FORGET, IN(ref), OUT(),
    "DELETE FROM search_words WHERE ref_id = ?")
/*
 * The words of users or units of one kind (search_batch_flush()), each
 * with the word before it among its owner's: collation order,
 * duplicates folded as the key would. A word there already (the demo
 * run again) stays. Params: kind, then SEARCH_ROWS rows of id, name,
 * word (4 + 5 x 7 = 40 rows); NULL rows are unused.
 */
#define SW1	" UNION ALL SELECT ?, ?, ?"
#define SW5	SW1 SW1 SW1 SW1 SW1
STMT(Q_SEARCH_ADD, IN(kind, rows[SEARCH_ROWS](ref, name, word)), OUT(),
    "INSERT INTO search_words (ref_id, kind, sort_name, "
    "word, prev_word) SELECT ref, ?, name, w, LAG(w) OVER (PARTITION BY "
    "ref ORDER BY w) FROM (SELECT DISTINCT ref, name, w FROM (SELECT ? "
    "AS ref, CONVERT(? USING utf8mb4) COLLATE utf8mb4_unicode_ci AS name, "
    "CONVERT(? USING utf8mb4) COLLATE utf8mb4_unicode_ci AS w"
    SW1 SW1 SW1 SW1 SW5 SW5 SW5 SW5 SW5 SW5 SW5 ") a WHERE w IS NOT NULL) "
    "d ON DUPLICATE KEY UPDATE prev_word = VALUES(prev_word)")
STMT(Q_REINDEX_USERS, IN(after), OUT(id, display_name, upn, email, phones),
    "SELECT u.id, u.display_name, u.upn, u.email, "
    "(SELECT GROUP_CONCAT(p.number SEPARATOR ' ') FROM phones p WHERE "
    "p.user_id = u.id) FROM users u WHERE u.id > ? ORDER BY u.id LIMIT 1000")
STMT(Q_REINDEX_UNITS, IN(), OUT(id, name),
    "SELECT id, name FROM units")

/*
 * The admin console's locations, members and roles (pages/locations.c).
 * A change to a location locks its row first: FOR UPDATE to rename or
 * delete it or to add or remove a member (the trigger of sql/018 writes
 * its head count there), LOCK IN SHARE MODE to add a role there. A
 * membership or role being added holds at least a shared lock (the
 * foreign key's check) until it commits, so a delete that has the row
 * sees every one of them, and one added after the delete finds no
 * location. (Connections read committed: each read sees what has
 * committed when it runs.)
 */
STMT(Q_UNIT_LOCK, IN(id), OUT(id, name, description),
    "SELECT id, name, description FROM units WHERE id = ? FOR UPDATE")
STMT(Q_UNIT_HOLD, IN(=Q_UNIT_LOCK), OUT(=Q_UNIT_LOCK),
    "SELECT id, name, description FROM units WHERE id = ? "
    "LOCK IN SHARE MODE")
/* What keeps a location from being deleted. Params: unit twice. */
STMT(Q_UNIT_USES, IN(members_of, roles_at), OUT(members:int, roles:int),
    "SELECT (SELECT COUNT(*) FROM unit_members WHERE unit_id = ?), "
    "(SELECT COUNT(*) FROM role_assignments WHERE unit_id = ?)")
STMT(Q_UNIT_UPDATE, IN(name, description, id), OUT(),
    "UPDATE units SET name = ?, description = ? WHERE id = ?")
STMT(Q_UNIT_DELETE, IN(id), OUT(),
    "DELETE FROM units WHERE id = ?")
/*
 * Who holds which role for the whole organisation (/admin/roles before
 * anything is picked), by role and name, at most max.
 */
STMT(Q_ORG_ROLES, IN(max), OUT(role, user_id, display_name, upn,
    enabled:int),
    "SELECT r.role, u.id, u.display_name, u.upn, u.enabled FROM "
    "role_assignments r JOIN users u ON u.id = r.user_id WHERE "
    "r.unit_id IS NULL ORDER BY r.role, u.display_name, u.id LIMIT ?")
/* The roles held at a location, by person, at most max. */
STMT(Q_UNIT_ROLES, IN(unit, max), OUT(role, user_id, display_name, upn),
    "SELECT r.role, u.id, u.display_name, u.upn FROM role_assignments r "
    "JOIN users u ON u.id = r.user_id WHERE r.unit_id = ? "
    "ORDER BY u.display_name, u.id, r.role LIMIT ?")
STMT(Q_USER_NAME, IN(id), OUT(id, display_name, upn),
    "SELECT id, display_name, upn FROM users WHERE id = ?")
STMT(Q_MEMBER_IS, IN(unit, user), OUT(yes:int),
    "SELECT 1 FROM unit_members WHERE unit_id = ? AND user_id = ?")
/* A row when the person holds the role there (scope_key: "" or a unit). */
STMT(Q_ROLE_HELD, IN(user, role, scope_key), OUT(yes:int),
    "SELECT 1 FROM role_assignments WHERE user_id = ? AND role = ? AND "
    "scope_key = ?")
/*
 * Before a global-administrator is revoked for the organisation: every
 * org-scope assignment of the role, locked (all of them, whoever is
 * revoked, so two revokes queue instead of each counting the other),
 * and how many belong to enabled people other than the one losing it.
 * Params: that person, the role id.
 */
STMT(Q_GLOBAL_ADMINS_LOCK, IN(except, role), OUT(others:int),
    "SELECT IFNULL(SUM(r.user_id <> ? AND u.enabled = 1), 0) FROM "
    "role_assignments r JOIN users u ON u.id = r.user_id WHERE "
    "r.role = ? AND r.unit_id IS NULL FOR UPDATE")
/*
 * After Q_GLOBAL_ADMINS_LOCK found nobody else enabled: the others who
 * hold the role for the organisation with their accounts disabled (a
 * refusal names them), at most max. Params: that person, the role id,
 * max.
 */
STMT(Q_GLOBAL_ADMINS_DISABLED, IN(except, role, max), OUT(display_name),
    "SELECT u.display_name FROM role_assignments r JOIN users u ON "
    "u.id = r.user_id WHERE r.user_id <> ? AND r.role = ? AND "
    "r.unit_id IS NULL AND u.enabled = 0 ORDER BY u.display_name, u.id "
    "LIMIT ?")
/*
 * Locations whose name has a word q starts, as search finds them
 * (SEARCH_HIT below, for units): in (word, name, id) order, each
 * location once. Params: term, [term 2,] term again, then the cursor:
 * word, word, name, id.
 */
#define UNIT_HIT(extra) "SELECT un.id, un.name, un.description, " \
    "un.member_count, s.word, " \
    "s.sort_name FROM search_words s JOIN units un ON un.id = s.ref_id " \
    "WHERE s.kind = 'unit' AND s.word LIKE ? ESCAPE '!' " extra " AND " \
    "(s.prev_word IS NULL OR s.prev_word NOT LIKE ? ESCAPE '!') AND " \
    "s.word >= ? AND (s.word, s.sort_name, s.ref_id) > (?, ?, ?) " \
    "ORDER BY s.word, s.sort_name, s.ref_id LIMIT 51"
STMT(Q_UNIT_SEARCH1, IN(term, prev_term, from_word, word, name, id),
    OUT(unit:unit, word, sort_name),
    UNIT_HIT(""))
STMT(Q_UNIT_SEARCH2, IN(term, term2, prev_term, from_word, word, name, id),
    OUT(=Q_UNIT_SEARCH1),
    UNIT_HIT("AND EXISTS (SELECT 1 FROM search_words s2 WHERE "
    "s2.ref_id = s.ref_id AND s2.word LIKE ? ESCAPE '!')"))

/*
 * SMS (cgi/sms.h): the outbox holds each text sealed with the data key,
 * never in clear, and drops the sealed copy once it is sent, given up
 * or superseded.
 */
/*
 * A row lock that serialises the limit checks of one key (its count
 * means nothing). It writes the row: a Galera node certifies against
 * rows written, not locked, so the checks of one key on two nodes
 * collide and one is retried, as two on one server queue.
 */
STMT(Q_SMS_LOCK, IN(key), OUT(),
    "INSERT INTO rate_limits (`key`, window_start, count) VALUES "
    "(?, UTC_TIMESTAMP(6), 0) ON DUPLICATE KEY UPDATE count = count + 1")
/*
 * The time (µs) of the (offset+1)-th newest text within the window, and
 * the database's clock beside it: the window is judged on one clock.
 */
#define SMS_NTH(where) "SELECT CAST(UNIX_TIMESTAMP(created_at) * 1000000 " \
    "AS SIGNED), CAST(UNIX_TIMESTAMP(UTC_TIMESTAMP(6)) * 1000000 AS SIGNED) " \
    "FROM sms_outbox WHERE " where " AND created_at > " \
    "UTC_TIMESTAMP(6) - INTERVAL ? SECOND ORDER BY created_at DESC " \
    "LIMIT 1 OFFSET ?"
/* Per number and per account: the texts of one pool (sms.c), by purpose. */
STMT(Q_SMS_NTH_NUMBER, IN(number, purpose1, purpose2, window_seconds, offset),
    OUT(at_us:int, now_us:int),
    SMS_NTH("number = ? AND purpose IN (?, ?)"))
STMT(Q_SMS_NTH_USER, IN(user, purpose1, purpose2, window_seconds, offset),
    OUT(=Q_SMS_NTH_NUMBER), SMS_NTH("user_id = ? AND purpose IN (?, ?)"))
/* Per address: every text but the notices, which a change makes, not asks. */
STMT(Q_SMS_NTH_IP, IN(ip, window_seconds, offset), OUT(=Q_SMS_NTH_NUMBER),
    SMS_NTH("ip = ? AND purpose NOT IN ('notify', 'notify_reset')"))
STMT(Q_SMS_QUEUE, IN(number, purpose, user, ip, sealed), OUT(),
    "INSERT INTO sms_outbox (number, purpose, user_id, ip, sealed, status) "
    "VALUES (?, ?, ?, ?, ?, 'queued')")
/* An unsent text of the same user and purpose is superseded by a new one. */
STMT(Q_SMS_SUPERSEDE, IN(user, purpose), OUT(),
    "UPDATE sms_outbox SET status = 'cancelled', sealed = NULL WHERE "
    "user_id = ? AND purpose = ? AND status IN ('queued', 'failed') AND "
    "sealed IS NOT NULL")
/* A number changed: what waits for it (not the notice) is not sent. */
STMT(Q_SMS_FORGET_NUMBER, IN(user, number), OUT(),
    "UPDATE sms_outbox SET status = 'cancelled', sealed = NULL WHERE "
    "user_id = ? AND number = ? AND purpose <> 'notify' AND "
    "status IN ('queued', 'failed') AND sealed IS NOT NULL")
STMT(Q_SMS_GET, IN(id), OUT(number, purpose, sealed:bytes, tries:int,
    age:int),
    "SELECT number, purpose, sealed, tries, "
    "TIMESTAMPDIFF(SECOND, created_at, UTC_TIMESTAMP(6)) FROM sms_outbox "
    "WHERE id = ? AND status IN ('queued', 'failed') AND sealed IS NOT NULL")
/* Takes one attempt: changes the row only when nobody else took it. */
STMT(Q_SMS_CLAIM, IN(id, tries), OUT(),
    "UPDATE sms_outbox SET tries = tries + 1 WHERE id = ? AND tries = ? "
    "AND status IN ('queued', 'failed') AND sealed IS NOT NULL")
/* How the attempt went; keep = 0 drops the sealed message (no retry). */
STMT(Q_SMS_DONE, IN(status, exit_status, keep, id), OUT(),
    "UPDATE sms_outbox SET status = ?, exit_status = ?, sealed = "
    "IF(? > 0, sealed, NULL), sent_at = IF(status = 'sent', "
    "UTC_TIMESTAMP(6), sent_at) WHERE id = ? AND status <> 'cancelled'")
/* What `sms flush` retries: not sent yet, a try left, not just queued. */
STMT(Q_SMS_PENDING, IN(settle_seconds, tries_max, max),
    OUT(id:int),
    "SELECT id FROM sms_outbox WHERE status IN ('queued', 'failed') AND "
    "sealed IS NOT NULL AND (status = 'failed' OR created_at < "
    "UTC_TIMESTAMP(6) - INTERVAL ? SECOND) AND tries < ? ORDER BY id "
    "LIMIT ?")
/* The outbox, newest first, without the messages. */
STMT(Q_SMS_RECENT, IN(max),
    OUT(id:int, created_at, number, purpose, user_upn, status, tries:int,
    exit_status, sent_at),
    "SELECT o.id, DATE_FORMAT(o.created_at, '%Y-%m-%d %H:%i:%s'), "
    "o.number, o.purpose, u.upn, o.status, o.tries, o.exit_status, "
    "DATE_FORMAT(o.sent_at, '%Y-%m-%d %H:%i:%s') FROM sms_outbox o "
    "LEFT JOIN users u ON u.id = o.user_id ORDER BY o.id DESC LIMIT ?")

/*
 * The audit log (pages/admin.c). An entry, every column: at in UTC with
 * its microseconds, the UUIDs as text.
 */
#define AUDIT_ENTRY "id, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), " \
    "CAST(actor_id AS CHAR), actor_upn, action, CAST(target_id AS CHAR), " \
    "target_name, result, reason, client, ip, user_agent, details"
COLS(audit_entry, id:int, at, actor_id, actor_upn, action, target_id,
    target_name, result, reason, client, ip, user_agent, details)
/*
 * Keyset on id, which only grows: OLDER reads the entries below an id,
 * newest first; NEWER those above it, oldest first. Each filter is
 * skipped when its first parameter is NULL. Params: the id; actor,
 * actor; target, target, target id; action, action; result, result;
 * client, client; from, from; to, to (the day after the last one
 * asked); how many rows.
 */
#define AUDIT_FILTERS "AND (? IS NULL OR actor_upn LIKE ? ESCAPE '!') " \
    "AND (? IS NULL OR target_name LIKE ? ESCAPE '!' OR " \
    "CAST(target_id AS CHAR) = ?) " \
    "AND (? IS NULL OR action LIKE ? ESCAPE '!') " \
    "AND (? IS NULL OR result = ?) AND (? IS NULL OR client = ?) " \
    "AND (? IS NULL OR at >= ?) AND (? IS NULL OR at < ?) "
STMT(Q_AUDIT_OLDER, IN(edge, actor_on, actor, target_on, target, target_id,
    action_on, action, result_on, result, client_on, client, from_on, from,
    to_on, to, max), OUT(entry:audit_entry),
    "SELECT " AUDIT_ENTRY " FROM audit_log WHERE id < ? " AUDIT_FILTERS
    "ORDER BY id DESC LIMIT ?")
STMT(Q_AUDIT_NEWER, IN(=Q_AUDIT_OLDER), OUT(=Q_AUDIT_OLDER),
    "SELECT " AUDIT_ENTRY " FROM audit_log WHERE id > ? " AUDIT_FILTERS
    "ORDER BY id LIMIT ?")
STMT(Q_AUDIT_GET, IN(id), OUT(=Q_AUDIT_OLDER),
    "SELECT " AUDIT_ENTRY " FROM audit_log WHERE id = ?")
/*
 * A location's recent activity: the entries about its members (those
 * of now) of the last ? days, keyset on id as above. Params: the unit,
 * the days, the id, how many rows.
 */
#define ACTIVITY_OF "FROM audit_log WHERE target_id IN (SELECT m.user_id " \
    "FROM unit_members m WHERE m.unit_id = ?) AND at >= " \
    "UTC_TIMESTAMP(6) - INTERVAL ? DAY "
STMT(Q_ACTIVITY_OLDER, IN(unit, days, edge, max), OUT(=Q_AUDIT_OLDER),
    "SELECT " AUDIT_ENTRY " " ACTIVITY_OF "AND id < ? "
    "ORDER BY id DESC LIMIT ?")
STMT(Q_ACTIVITY_NEWER, IN(=Q_ACTIVITY_OLDER), OUT(=Q_AUDIT_OLDER),
    "SELECT " AUDIT_ENTRY " " ACTIVITY_OF "AND id > ? "
    "ORDER BY id LIMIT ?")

/*
 * The roster (roster.c): what staffdesk has, read whole once per
 * import or sync, and a person's fields written as the directory has
 * them.
 */
STMT(Q_ROSTER_PEOPLE, IN(), OUT(id, upn, display_name, given_name, surname,
    email, job_title, department, source, enabled:int),
    "SELECT id, upn, display_name, given_name, surname, email, "
    "job_title, department, source, enabled FROM users")
STMT(Q_ROSTER_PHONES, IN(), OUT(user_id, type, number),
    "SELECT user_id, type, number FROM phones")
STMT(Q_ROSTER_UNITS, IN(), OUT(id, name),
    "SELECT id, name FROM units")
STMT(Q_ROSTER_MEMBERS, IN(), OUT(user_id, unit_id),
    "SELECT user_id, unit_id FROM unit_members")
/*
 * New people and their phones, ROSTER_ROWS a statement (a round trip per
 * row was most of an import's time); fewer go one by one
 * (Q_USER_INSERT, Q_PHONE_INSERT). Unlike the demo's, a person or a
 * mobile number there already is an error (DB_DUP), not kept quietly.
 * Memberships ROSTER_MEMBER_ROWS a statement; a row left NULL is no row.
 */
STMT(Q_ROSTER_USERS_ADD, IN(rows[ROSTER_ROWS](id, upn, display_name, given_name,
    surname, email, job_title, department, source)), OUT(),
    "INSERT INTO users (id, upn, display_name, given_name, surname, "
    "email, job_title, department, source) VALUES "
    ROWS10("(?, ?, ?, ?, ?, ?, ?, ?, ?)"))
STMT(Q_ROSTER_PHONES_ADD, IN(rows[ROSTER_ROWS](user, type, number)), OUT(),
    "INSERT INTO phones (user_id, type, number) VALUES "
    ROWS10("(?, ?, ?)"))
STMT(Q_ROSTER_MEMBERS_ADD, IN(rows[ROSTER_MEMBER_ROWS](unit, user)), OUT(),
    MEMBERS_ADD(M5 M5 M5 M5 M5 M1 M1 M1 M1))
STMT(Q_ROSTER_USER_UPDATE, IN(upn, display_name, given_name, surname, email,
    job_title, department, source, id), OUT(),
    "UPDATE users SET upn = ?, display_name = ?, given_name = ?, "
    "surname = ?, email = ?, job_title = ?, department = ?, source = ?, "
    "updated_at = UTC_TIMESTAMP(6) WHERE id = ?")

/* The helpers above are for this file only. */
#undef EPOCH
#undef ROLE_SCOPE
#undef KEEP
#undef PERSON_OF
#undef PERSON
#undef MEMBER
#undef MEMBERS_ADD
#undef ROWS10
#undef M1
#undef M5
#undef MEMBERS_OF
#undef U8
#undef SEARCH_HIT
#undef UNIT_HIT
#undef SW1
#undef SW5
#undef AUDIT_ENTRY
#undef AUDIT_FILTERS
#undef ACTIVITY_OF

/*
 * Views: a page's statements and the session's, run in one round trip
 * (db.h). The session's comes first in each, as sess_apply() reads it;
 * =V_OTHER: the same struct as V_OTHER, whose statements these mirror.
 */
VIEW(V_MEMBERS_AFTER, Q_SESS_LOAD, Q_MEMBERS_AFTER)
VIEW(V_MEMBERS_BEFORE, =V_MEMBERS_AFTER, Q_SESS_LOAD, Q_MEMBERS_BEFORE)
VIEW(V_USER, Q_SESS_LOAD, Q_USER_BY_ID, Q_USER_DETAILS)
VIEW(V_SEARCH1, Q_SESS_LOAD, Q_SEARCH1)
VIEW(V_SEARCH2, Q_SESS_LOAD, Q_SEARCH2)
