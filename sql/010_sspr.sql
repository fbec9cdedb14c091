-- 010: self-service password reset (/reset, cgi/pages/sspr.c). A
-- visitor's flow is one row keyed by the SHA-256 of their visitor
-- cookie (the one their CSRF token is bound to): whose password, which
-- step was passed (1 the username, 2 a code sent, 3 the code passed,
-- 4 the code and the authenticator app passed), wrong app codes
-- (OTP_TRIES_MAX: the flow ends), until when. The row
-- is the only proof of a passed step: a crafted POST cannot skip one.
-- It is deleted by the reset and by a new step 1 that leads nowhere.

CREATE TABLE IF NOT EXISTS sspr_flows (
  visitor_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
      PRIMARY KEY,
  user_id UUID NOT NULL,
  step TINYINT NOT NULL,
  attempts TINYINT NOT NULL DEFAULT 0,
  expires_at DATETIME(6) NOT NULL,
  KEY sspr_flows_expires (expires_at),
  CONSTRAINT sspr_flows_user_fk FOREIGN KEY (user_id)
      REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;
