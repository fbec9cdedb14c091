-- 008: the SMS outbox as the one way a text goes (cgi/sms.h). A row
-- keeps what it is for (purpose), who it is for (user_id), the address
-- that asked (ip), the message sealed with the data key (AES-256-GCM,
-- the number as associated data; NULL once sent, given up or
-- superseded) and how delivery went (tries, exit_status). The old body
-- column only ever held a redacted description: purpose replaces it.
-- The limits count rows by number, user and address over the last
-- hour: one index each.

ALTER TABLE sms_outbox
  ADD COLUMN IF NOT EXISTS purpose VARCHAR(16) CHARACTER SET ascii NOT NULL
      DEFAULT 'reset_temp' AFTER number,
  ADD COLUMN IF NOT EXISTS user_id UUID NULL AFTER purpose,
  ADD COLUMN IF NOT EXISTS ip VARCHAR(45) CHARACTER SET ascii NULL AFTER user_id,
  ADD COLUMN IF NOT EXISTS sealed VARBINARY(640) NULL,
  ADD COLUMN IF NOT EXISTS tries INT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS exit_status INT NULL,
  MODIFY COLUMN status ENUM('queued','sent','failed','cancelled')
      NOT NULL DEFAULT 'queued',
  DROP COLUMN IF EXISTS body,
  ADD KEY IF NOT EXISTS sms_outbox_user (user_id, created_at),
  ADD KEY IF NOT EXISTS sms_outbox_ip (ip, created_at),
  ADD KEY IF NOT EXISTS sms_outbox_status (status, id);

ALTER TABLE sms_outbox ALTER COLUMN purpose DROP DEFAULT;
