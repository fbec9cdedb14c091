-- 018: a location's head count, kept on units by triggers on
-- unit_members. Every page that shows it counted the members instead:
-- a location of 2,000 people read 2,000 index entries at every view of
-- any of its pages, and on the bench's 50-person location the count
-- was a seventh of MariaDB's time for /units/{id}. The triggers come
-- before the count, so a member added or removed meanwhile is counted
-- (as in 005). Signed: a count that drifted (a row deleted by hand
-- with the triggers dropped) reads wrong, not as an error that stops
-- a removal.
ALTER TABLE units
  ADD COLUMN IF NOT EXISTS member_count INT NOT NULL DEFAULT 0;

CREATE TRIGGER IF NOT EXISTS unit_members_counted AFTER INSERT ON unit_members
  FOR EACH ROW UPDATE units SET member_count = member_count + 1
  WHERE id = NEW.unit_id;

CREATE TRIGGER IF NOT EXISTS unit_members_uncounted AFTER DELETE ON unit_members
  FOR EACH ROW UPDATE units SET member_count = member_count - 1
  WHERE id = OLD.unit_id;

-- A person's memberships go with them by the foreign key's cascade,
-- which fires no trigger: they are taken off the counts first.
CREATE TRIGGER IF NOT EXISTS users_uncounted BEFORE DELETE ON users
  FOR EACH ROW UPDATE units un JOIN unit_members m ON m.unit_id = un.id
  SET un.member_count = un.member_count - 1 WHERE m.user_id = OLD.id;

-- Repeatable read, so the count's reads are locking ones that see, and
-- hold, what a writer committed meanwhile (read committed would count
-- from the statement's start and could miss one for good).
SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;
UPDATE units un SET member_count =
  (SELECT COUNT(*) FROM unit_members m WHERE m.unit_id = un.id);
SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED;
