-- A create's fields are no longer written as fields rows as well as in its change: the
-- server reads them from the record's first create in the log, and fields holds only
-- the writes after it. Existing rows stay valid (they hold the values the changes do),
-- so nothing is moved; this migration marks the format, so that an older rolo, which
-- would read the fields of new records from fields alone, refuses the database.
COMMENT ON TABLE fields IS 'field writes after a record''s create; the create''s own fields are in its change (changes, kind create)';
