-- 009: one-time codes (cgi/auth/otp.h, cgi/db/otp.h). The otp_codes
-- table of 001 was never written; it becomes one row per user and
-- purpose (a new code replaces the previous one, a used code is
-- deleted), with the per-code salt of its keyed hash and when it was
-- made. A code is never stored in clear: code_hash is HMAC-SHA256
-- under the data key. attempts counts wrong tries (OTP_TRIES_MAX: dead).
-- sessions.mfa_sms says that a session's second factor was a texted
-- code, which does not satisfy ca.require_totp; sessions.signin_sms that
-- its first factor was one, so its second may not be a text again.
-- sms_signin_selected is the list sms.signin = selected lets in
-- (`staffdesk-admin sms select --user UPN`), as mystaff_selected is.

DELETE FROM otp_codes;

ALTER TABLE otp_codes
  ADD COLUMN IF NOT EXISTS salt CHAR(32) CHARACTER SET ascii
      COLLATE ascii_bin NOT NULL AFTER purpose,
  ADD COLUMN IF NOT EXISTS created_at DATETIME(6) NOT NULL,
  DROP COLUMN IF EXISTS used_at,
  DROP KEY IF EXISTS otp_codes_user,
  ADD UNIQUE KEY IF NOT EXISTS otp_codes_one (user_id, purpose);

ALTER TABLE sessions
  ADD COLUMN IF NOT EXISTS mfa_sms TINYINT(1) NOT NULL DEFAULT 0
      AFTER mfa_remembered,
  ADD COLUMN IF NOT EXISTS signin_sms TINYINT(1) NOT NULL DEFAULT 0
      AFTER mfa_sms;

CREATE TABLE IF NOT EXISTS sms_signin_selected (
  user_id UUID NOT NULL PRIMARY KEY,
  CONSTRAINT sms_signin_selected_user_fk FOREIGN KEY (user_id)
      REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;
