-- 012: a list shows each person's mobile number (masked) instead of
-- "phone: yes/no", so a manager sees at a glance who has none. The
-- number is kept beside phone_count on users (by the same triggers,
-- now one statement per phone change for both) and copied to
-- unit_members with the other list columns (006), so a list page
-- still reads one range and no phones row per person.

ALTER TABLE users
  ADD COLUMN IF NOT EXISTS mobile VARCHAR(32) CHARACTER SET ascii
    COLLATE ascii_bin NULL;

ALTER TABLE unit_members
  ADD COLUMN IF NOT EXISTS mobile VARCHAR(32) CHARACTER SET ascii
    COLLATE ascii_bin NULL;

-- The new triggers first, then the old ones go: a phone changed in
-- between may be counted twice, and the recount below sets it right.
CREATE TRIGGER IF NOT EXISTS phones_listed_add AFTER INSERT ON phones
  FOR EACH ROW UPDATE users SET phone_count = phone_count + 1,
    mobile = IF(NEW.type = 'mobile', NEW.number, mobile)
  WHERE id = NEW.user_id;

CREATE TRIGGER IF NOT EXISTS phones_listed_remove AFTER DELETE ON phones
  FOR EACH ROW UPDATE users SET phone_count = GREATEST(phone_count, 1) - 1,
    mobile = IF(OLD.type = 'mobile', NULL, mobile)
  WHERE id = OLD.user_id;

CREATE TRIGGER IF NOT EXISTS phones_listed_change AFTER UPDATE ON phones
  FOR EACH ROW UPDATE users SET
    mobile = IF(NEW.type = 'mobile', NEW.number, NULL)
  WHERE id = NEW.user_id AND (NEW.type = 'mobile' OR OLD.type = 'mobile')
    AND NOT (BINARY NEW.number <=> BINARY OLD.number AND
      NEW.type <=> OLD.type);

DROP TRIGGER IF EXISTS phones_count_add;

DROP TRIGGER IF EXISTS phones_count_remove;

-- users_listed (006) again, copying the mobile number too.
DROP TRIGGER IF EXISTS users_listed;

CREATE TRIGGER IF NOT EXISTS users_listed AFTER UPDATE ON users
  FOR EACH ROW UPDATE unit_members SET sort_name = NEW.display_name,
    upn = NEW.upn, job_title = NEW.job_title,
    phone_count = NEW.phone_count, mobile = NEW.mobile,
    locked_until = NEW.locked_until,
    must_change_password = NEW.must_change_password, enabled = NEW.enabled
  WHERE user_id = NEW.id AND NOT (
    BINARY NEW.display_name <=> BINARY OLD.display_name AND
    BINARY NEW.upn <=> BINARY OLD.upn AND
    BINARY NEW.job_title <=> BINARY OLD.job_title AND
    NEW.phone_count <=> OLD.phone_count AND
    BINARY NEW.mobile <=> BINARY OLD.mobile AND
    NEW.locked_until <=> OLD.locked_until AND
    NEW.must_change_password <=> OLD.must_change_password AND
    NEW.enabled <=> OLD.enabled);

UPDATE users u
  SET phone_count = (SELECT COUNT(*) FROM phones p WHERE p.user_id = u.id),
    mobile = (SELECT p.number FROM phones p WHERE p.user_id = u.id AND
      p.type = 'mobile');

UPDATE unit_members m JOIN users u ON u.id = m.user_id
  SET m.phone_count = u.phone_count, m.mobile = u.mobile;
