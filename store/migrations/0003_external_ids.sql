-- rolo schema, version 3: the ids other tools gave imported records.
--
-- An import remembers, per source ("hubspot", "pipedrive", "vcard"…), which record each
-- external id became, so importing the same file again (or a newer export of it) updates
-- those records instead of creating duplicates. This is local bookkeeping of the
-- importing machine, not part of any record: it is not in the op log.
CREATE TABLE external_ids (
    source      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    PRIMARY KEY (source, entity, external_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX external_ids_record ON external_ids (entity_id);
