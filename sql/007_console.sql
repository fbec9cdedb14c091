-- 007: Conditional Access's trusted networks. users.last_mfa_at is when
-- the person last passed a second factor; a password sign-in from a
-- trusted network within ca.signin_frequency_hours of it is not asked
-- again, and its session says so (sessions.mfa_remembered), so that it
-- is asked after all when the session is used from anywhere else.

ALTER TABLE users
  ADD COLUMN IF NOT EXISTS last_mfa_at DATETIME(6) NULL;

ALTER TABLE sessions
  ADD COLUMN IF NOT EXISTS mfa_remembered TINYINT(1) NOT NULL DEFAULT 0;
