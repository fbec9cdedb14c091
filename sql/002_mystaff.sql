-- 002: what My Staff pages need to be index range scans with keyset
-- pagination: members sorted by name within a unit, and a word table
-- for prefix search ("Smi" finds "Anna Smith"; "+1425" finds a phone).

ALTER TABLE unit_members
  ADD COLUMN IF NOT EXISTS sort_name VARCHAR(256) CHARACTER SET utf8mb4
    COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '';

ALTER TABLE unit_members
  ADD KEY IF NOT EXISTS unit_members_sorted (unit_id, sort_name, user_id);

UPDATE unit_members m JOIN users u ON u.id = m.user_id
  SET m.sort_name = u.display_name;

-- One row per word of a name, and per UPN, email and phone (digits);
-- utf8mb4_unicode_ci folds case and accents as MariaDB does. Clustered
-- on (word, sort_name, ref_id): a prefix search reads its first page in
-- index order and stops, without sorting every match.
CREATE TABLE IF NOT EXISTS search_words (
  word      VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
  sort_name VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
  ref_id    UUID NOT NULL,
  kind      ENUM('unit','user') NOT NULL,
  PRIMARY KEY (word, sort_name, ref_id),
  KEY search_words_ref (ref_id, word)
) ENGINE=InnoDB;
