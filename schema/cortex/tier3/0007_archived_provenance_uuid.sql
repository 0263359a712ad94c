-- cortex/tier3: archived provenance links keep their stable key (cortex tier2 0008), so an archive
-- moves it with the row and a restore brings it back.
ALTER TABLE archived_provenance_links ADD COLUMN uuid TEXT;
-- down
ALTER TABLE archived_provenance_links DROP COLUMN uuid;
