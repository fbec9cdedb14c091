-- 006: a location's list is read from unit_members alone. The columns
-- a row of the list shows are copied there (kept by a trigger on
-- users), and the rows are clustered in list order, so a page is one
-- range of the primary key with no lookup per person (make bench: the
-- lookups in users were about a seventh of /units/{id}).

ALTER TABLE unit_members
  ADD COLUMN IF NOT EXISTS upn VARCHAR(255) CHARACTER SET utf8mb4
    COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS job_title VARCHAR(128) CHARACTER SET utf8mb4
    COLLATE utf8mb4_unicode_ci NULL,
  ADD COLUMN IF NOT EXISTS phone_count TINYINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS locked_until DATETIME(6) NULL,
  ADD COLUMN IF NOT EXISTS must_change_password TINYINT(1) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS enabled TINYINT(1) NOT NULL DEFAULT 1;

ALTER TABLE unit_members
  ADD UNIQUE KEY IF NOT EXISTS unit_members_one (unit_id, user_id),
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (unit_id, sort_name, user_id),
  DROP KEY IF EXISTS unit_members_sorted;

-- Names compare as bytes: a change of case or accent is a change.
CREATE TRIGGER IF NOT EXISTS users_listed AFTER UPDATE ON users
  FOR EACH ROW UPDATE unit_members SET sort_name = NEW.display_name,
    upn = NEW.upn, job_title = NEW.job_title,
    phone_count = NEW.phone_count, locked_until = NEW.locked_until,
    must_change_password = NEW.must_change_password, enabled = NEW.enabled
  WHERE user_id = NEW.id AND NOT (
    BINARY NEW.display_name <=> BINARY OLD.display_name AND
    BINARY NEW.upn <=> BINARY OLD.upn AND
    BINARY NEW.job_title <=> BINARY OLD.job_title AND
    NEW.phone_count <=> OLD.phone_count AND
    NEW.locked_until <=> OLD.locked_until AND
    NEW.must_change_password <=> OLD.must_change_password AND
    NEW.enabled <=> OLD.enabled);

UPDATE unit_members m JOIN users u ON u.id = m.user_id
  SET m.sort_name = u.display_name, m.upn = u.upn,
    m.job_title = u.job_title, m.phone_count = u.phone_count,
    m.locked_until = u.locked_until,
    m.must_change_password = u.must_change_password,
    m.enabled = u.enabled;
