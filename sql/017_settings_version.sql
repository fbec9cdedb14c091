-- 017: the settings' version, one number the table's triggers move at
-- every change. A worker keeps its copy of the settings and reads them
-- again only when the version its request's session query brings
-- (Q_SESS_LOAD) is not the copy's: the admin console's "from the next
-- request of every worker" holds without every request reading the
-- whole table.
CREATE TABLE IF NOT EXISTS settings_version (
  id      TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  version BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB;

INSERT INTO settings_version (id, version) VALUES (1, 1)
  ON DUPLICATE KEY UPDATE version = version;

CREATE TRIGGER IF NOT EXISTS settings_version_add AFTER INSERT ON settings
  FOR EACH ROW UPDATE settings_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER IF NOT EXISTS settings_version_change AFTER UPDATE ON settings
  FOR EACH ROW UPDATE settings_version SET version = version + 1 WHERE id = 1;

CREATE TRIGGER IF NOT EXISTS settings_version_remove AFTER DELETE ON settings
  FOR EACH ROW UPDATE settings_version SET version = version + 1 WHERE id = 1;
