-- 003: manager actions. password_version lets a reset form refuse to
-- act on a password that changed since the form was shown (a second
-- manager, a double submit). A mobile number belongs to one person
-- (it signs in by SMS): a unique key on mobile numbers only.

ALTER TABLE users
  ADD COLUMN IF NOT EXISTS password_version INT UNSIGNED NOT NULL DEFAULT 0;

ALTER TABLE phones
  ADD COLUMN IF NOT EXISTS mobile_key VARCHAR(32) CHARACTER SET ascii
    AS (IF(type = 'mobile', number, NULL)) PERSISTENT;

ALTER TABLE phones
  ADD UNIQUE KEY IF NOT EXISTS phones_mobile_unique (mobile_key);
