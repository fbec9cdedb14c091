-- 005: a list row is read from the rows the list already visits, with
-- no subquery per row (make bench: the phone subquery and search's
-- first-word subquery were each about a third of their query's time).

-- How many phone numbers a person has, so a list says "phone: yes"
-- from the users row. Kept by the database itself, for every writer;
-- the triggers come before the count, so a phone added or removed
-- meanwhile is counted right either way (a removal before the count
-- stops at 0 instead of failing).
ALTER TABLE users
  ADD COLUMN IF NOT EXISTS phone_count TINYINT UNSIGNED NOT NULL DEFAULT 0;

CREATE TRIGGER IF NOT EXISTS phones_count_add AFTER INSERT ON phones
  FOR EACH ROW UPDATE users SET phone_count = phone_count + 1
  WHERE id = NEW.user_id;

CREATE TRIGGER IF NOT EXISTS phones_count_remove AFTER DELETE ON phones
  FOR EACH ROW UPDATE users SET phone_count = GREATEST(phone_count, 1) - 1
  WHERE id = OLD.user_id;

UPDATE users u
  SET phone_count = (SELECT COUNT(*) FROM phones p WHERE p.user_id = u.id);

-- The word before this one among the same person's (or location's)
-- words, in the collation's order. The words starting with q are one
-- run of that order, so a person's first matching word is the one
-- whose prev_word does not start with q: search shows each person once
-- by testing a column. (Where the collation expands a letter, "ß" as
-- "ss", the run can break: then a person shows twice, never not at
-- all, as their first matching word always stays.) Written with the
-- words (search_index()).
ALTER TABLE search_words
  ADD COLUMN IF NOT EXISTS prev_word VARCHAR(100) CHARACTER SET utf8mb4
    COLLATE utf8mb4_unicode_ci NULL;

UPDATE search_words s
  SET s.prev_word = (SELECT MAX(d.word) FROM search_words d
    WHERE d.ref_id = s.ref_id AND d.word < s.word);
