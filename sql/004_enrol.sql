-- 004: the secret of an authenticator being set up lives in the session
-- that set it up (sealed with data_key_file), not on the user: another
-- session of the same user can neither see it nor plant its own.

ALTER TABLE sessions
  ADD COLUMN IF NOT EXISTS enrol_secret VARBINARY(128) NULL;

DELETE FROM totp WHERE confirmed = 0;
