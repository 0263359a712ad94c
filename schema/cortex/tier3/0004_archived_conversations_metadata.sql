-- conversations gained metadata (cortex tier1 0006): the archive keeps the same columns.
ALTER TABLE archived_conversations ADD COLUMN metadata TEXT CHECK (metadata IS NULL OR json_valid(metadata));
-- down
ALTER TABLE archived_conversations DROP COLUMN metadata;
