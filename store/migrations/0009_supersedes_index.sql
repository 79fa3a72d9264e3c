-- The entries that supersede a timeline entry (its amendments and redaction), found by
-- index: settling an entry, which every pulled timeline entry does, read the whole
-- timeline without it.
CREATE INDEX interactions_supersedes ON interactions (supersedes) WHERE supersedes IS NOT NULL;
