-- rolo schema, version 5: the words of the timeline, for fast prefix search.
--
-- FTS5 answers a prefix query ("pricing"*) by first reading every posting of every word
-- that starts with the prefix, unless a prefix index of exactly that length exists. On a
-- million timeline entries that costs milliseconds per keystroke for a common word, where
-- an exact word is read newest-first and stops after a page. So search expands a typed
-- prefix into the words that start with it, from this table, and asks FTS5 for any of
-- those exact words. Words are added as entries are indexed and never removed: a word no
-- entry uses any more matches nothing, at no cost.
CREATE TABLE interaction_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;

-- fts5vocab lists the words an FTS5 index holds (as its tokenizer folded them). Reading it
-- whole is slow (it counts every posting), so it is read only to fill interaction_terms in
-- one pass, here, after a bulk rebuild, and by rolo check.
CREATE VIRTUAL TABLE interactions_vocab USING fts5vocab(interactions_fts, 'row');
INSERT INTO interaction_terms (term) SELECT term FROM interactions_vocab;
