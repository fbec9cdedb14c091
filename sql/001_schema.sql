-- 001: the first schema: people, locations, roles, phones, MFA, sessions,
-- codes, SMS, limits, audit, settings. Times are UTC DATETIME(6).
-- Each statement is idempotent so a migration cut short can be re-run.

CREATE TABLE IF NOT EXISTS users (
  id                       UUID NOT NULL PRIMARY KEY,
  upn                      VARCHAR(255) NOT NULL,
  display_name             VARCHAR(256) NOT NULL,
  given_name               VARCHAR(64) NULL,
  surname                  VARCHAR(64) NULL,
  email                    VARCHAR(255) NULL,
  job_title                VARCHAR(128) NULL,
  department               VARCHAR(128) NULL,
  source                   ENUM('cloud','onprem') NOT NULL DEFAULT 'cloud',
  password_hash            VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  must_change_password     TINYINT(1) NOT NULL DEFAULT 0,
  temp_password_expires_at DATETIME(6) NULL,
  enabled                  TINYINT(1) NOT NULL DEFAULT 1,
  failed_signins           INT NOT NULL DEFAULT 0,
  locked_until             DATETIME(6) NULL,
  last_signin_at           DATETIME(6) NULL,
  created_at               DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  updated_at               DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY users_upn (upn),
  KEY users_name (display_name, id),
  KEY users_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS units (
  id          UUID NOT NULL PRIMARY KEY,
  name        VARCHAR(128) NOT NULL,
  description VARCHAR(512) NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  UNIQUE KEY units_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS unit_members (
  unit_id UUID NOT NULL,
  user_id UUID NOT NULL,
  PRIMARY KEY (unit_id, user_id),
  KEY unit_members_user (user_id),
  CONSTRAINT unit_members_unit_fk FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE CASCADE,
  CONSTRAINT unit_members_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- unit_id NULL is an org-scope assignment; scope_key makes it unique too.
CREATE TABLE IF NOT EXISTS role_assignments (
  id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id   UUID NOT NULL,
  role      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  unit_id   UUID NULL,
  scope_key VARCHAR(36) CHARACTER SET ascii AS (IFNULL(CAST(unit_id AS CHAR), '')) PERSISTENT,
  UNIQUE KEY role_assignments_one (user_id, role, scope_key),
  KEY role_assignments_unit (unit_id),
  CONSTRAINT role_assignments_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT role_assignments_unit_fk FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS phones (
  user_id UUID NOT NULL,
  type    ENUM('mobile','alternateMobile','office') NOT NULL,
  number  VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (user_id, type),
  KEY phones_number (number),
  CONSTRAINT phones_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- secret: AES-256-GCM sealed with data_key_file, bound to user_id.
CREATE TABLE IF NOT EXISTS totp (
  user_id    UUID NOT NULL PRIMARY KEY,
  secret     VARBINARY(128) NOT NULL,
  last_step  BIGINT NOT NULL DEFAULT 0,
  confirmed  TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  CONSTRAINT totp_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS recovery_codes (
  id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id   UUID NOT NULL,
  code_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  used_at   DATETIME(6) NULL,
  KEY recovery_codes_user (user_id, code_hash),
  CONSTRAINT recovery_codes_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS sessions (
  token_hash   CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  user_id      UUID NOT NULL,
  csrf         CHAR(43) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at   DATETIME(6) NOT NULL,
  last_seen_at DATETIME(6) NOT NULL,
  mfa_at       DATETIME(6) NULL,
  mfa_attempts INT NOT NULL DEFAULT 0,
  flash        VARBINARY(2048) NULL,
  ip           VARCHAR(45) CHARACTER SET ascii NULL,
  user_agent   VARCHAR(256) NULL,
  KEY sessions_user (user_id),
  KEY sessions_seen (last_seen_at),
  CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS otp_codes (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id    UUID NOT NULL,
  purpose    ENUM('signin','mfa','reset') NOT NULL,
  code_hash  CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  attempts   INT NOT NULL DEFAULT 0,
  used_at    DATETIME(6) NULL,
  KEY otp_codes_user (user_id, purpose, expires_at),
  CONSTRAINT otp_codes_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS sms_outbox (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  number     VARCHAR(32) CHARACTER SET ascii NOT NULL,
  body       VARCHAR(512) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  sent_at    DATETIME(6) NULL,
  status     ENUM('queued','sent','failed') NOT NULL DEFAULT 'queued',
  KEY sms_outbox_number (number, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS rate_limits (
  `key`        VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  window_start DATETIME(6) NOT NULL,
  count        INT NOT NULL DEFAULT 0
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS audit_log (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at          DATETIME(6) NOT NULL,
  actor_id    UUID NULL,
  actor_upn   VARCHAR(255) NULL,
  action      VARCHAR(64) CHARACTER SET ascii NOT NULL,
  target_id   UUID NULL,
  target_name VARCHAR(256) NULL,
  result      ENUM('success','failure') NOT NULL,
  reason      VARCHAR(64) CHARACTER SET ascii NULL,
  client      ENUM('mystaff','account','admin','cli') NOT NULL,
  ip          VARCHAR(45) CHARACTER SET ascii NULL,
  user_agent  VARCHAR(256) NULL,
  details     JSON NULL,
  KEY audit_at (at),
  KEY audit_actor (actor_id, at),
  KEY audit_target (target_id, at),
  KEY audit_action (action, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS settings (
  name  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  value VARCHAR(1024) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS mystaff_selected (
  user_id UUID NOT NULL PRIMARY KEY,
  CONSTRAINT mystaff_selected_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;
