-- Issue 18 (ingest that stays flat as the store grows): each batch of new entities is one
-- trigram segment of about 150 terms per entity, and with automerge 8 every entry was rewritten
-- once per level, a level more for every eightfold growth: bulk entity ingest fell by a fifth
-- to a quarter from the first to the last tenth of 500,000 entities. Merging 16 segments at a
-- time keeps it within about 5-10%. A substring query reads at most 15 segments per level
-- (measured: 3-character queries unchanged at 0.04 ms on 500,000 entities); maintenance's
-- 'optimize' still merges them all. graph_search keeps 4: more segments there doubled
-- two-word ranked searches.
INSERT INTO graph_substring (graph_substring, rank) VALUES ('automerge', 16);
-- down
INSERT INTO graph_substring (graph_substring, rank) VALUES ('automerge', 8);
