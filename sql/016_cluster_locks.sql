-- 016: named locks that hold across a Galera cluster (README: Scaling
-- out). GET_LOCK() is held on one node only, and SELECT ... FOR UPDATE
-- locks rows on the node that runs it only: Galera certifies a
-- transaction against the rows other nodes wrote, never against what
-- they locked. A row of this table is taken by writing it, so two
-- takers on two nodes collide: one commits, the other fails
-- certification, is retried and then sees the first one's work.
--   A lease (`sms flush`): holder and held_until, taken by an UPDATE
--   that finds it free (its affected rows say whether it was), kept
--   while working, given back by ending it now; a holder that dies
--   frees it when held_until passes.
--   A turnstile (the revoke that keeps the last global administrator):
--   turns + 1 in a transaction whose check must not race another
--   node's.
CREATE TABLE IF NOT EXISTS cluster_locks (
  name       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  holder     CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  held_until DATETIME(6) NOT NULL DEFAULT '1970-01-01 00:00:01',
  turns      BIGINT UNSIGNED NOT NULL DEFAULT 0
) ENGINE=InnoDB;

INSERT IGNORE INTO cluster_locks (name) VALUES ('sms.flush'),
  ('roles.global-administrator');
