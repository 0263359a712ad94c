-- Issue 7 (write cost): the trigram index writes about 150 terms per entity, and with FTS5's
-- default automerge of 4 about a fifth of a create_entities call went into merging its segments.
-- Merging 8 segments of a level at a time rewrites each entry about half as often; a search
-- reads at most twice as many small segments, and maintenance's 'optimize' merges them all.
INSERT INTO graph_substring (graph_substring, rank) VALUES ('automerge', 8);
-- down
INSERT INTO graph_substring (graph_substring, rank) VALUES ('automerge', 4);
