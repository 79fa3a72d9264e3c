-- rolo schema, version 1.
--
-- Times are UTC text in one fixed-width format, 2006-01-02T15:04:05.000Z, so they read
-- well in the sqlite3 shell and sort correctly as text. Calendar dates (a deal's expected
-- close) are YYYY-MM-DD. Money is an integer number of minor units plus an ISO 4217 code.
-- Ids are UUIDv7 text. Every record carries its creation clock (hlc, device): the clock a
-- field has until an edit gives it a row in field_clocks.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE companies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL CHECK (name <> ''),
    domain      TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    owner       TEXT NOT NULL,
    visibility  TEXT NOT NULL CHECK (visibility IN ('private', 'team')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT,
    merged_into TEXT,
    hlc         INTEGER NOT NULL,
    device      TEXT NOT NULL,
    tail        TEXT GENERATED ALWAYS AS (substr(id, 25)) VIRTUAL
) STRICT;
CREATE INDEX companies_name ON companies (name COLLATE NOCASE);
CREATE INDEX companies_tail ON companies (tail);
CREATE INDEX companies_domain ON companies (domain COLLATE NOCASE) WHERE domain <> '';

CREATE TABLE contacts (
    id              TEXT PRIMARY KEY,
    first_name      TEXT NOT NULL DEFAULT '',
    last_name       TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL CHECK (name <> ''),
    title           TEXT NOT NULL DEFAULT '',
    company_id      TEXT REFERENCES companies (id),
    address         TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    cadence_days    INTEGER CHECK (cadence_days IS NULL OR cadence_days > 0),
    last_touched_at TEXT,
    owner           TEXT NOT NULL,
    visibility      TEXT NOT NULL CHECK (visibility IN ('private', 'team')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT,
    merged_into     TEXT,
    hlc             INTEGER NOT NULL,
    device          TEXT NOT NULL,
    tail            TEXT GENERATED ALWAYS AS (substr(id, 25)) VIRTUAL
) STRICT;
CREATE INDEX contacts_name ON contacts (name COLLATE NOCASE);
CREATE INDEX contacts_tail ON contacts (tail);
CREATE INDEX contacts_company ON contacts (company_id);
-- Contacts with a stay-in-touch cadence, for the neglected list.
CREATE INDEX contacts_cadence ON contacts (last_touched_at)
    WHERE cadence_days IS NOT NULL AND deleted_at IS NULL AND merged_into IS NULL;

CREATE TABLE contact_emails (
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    position   INTEGER NOT NULL,
    email      TEXT NOT NULL CHECK (email <> ''),
    label      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (contact_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_emails_email ON contact_emails (email COLLATE NOCASE);

CREATE TABLE contact_phones (
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    position   INTEGER NOT NULL,
    phone      TEXT NOT NULL CHECK (phone <> ''),
    label      TEXT NOT NULL DEFAULT '',
    digits     TEXT NOT NULL,
    PRIMARY KEY (contact_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_phones_digits ON contact_phones (digits);

-- Tags of contacts, companies and deals. The set is per element: adding and removing a
-- tag are separate field changes ("tag:NAME"), so concurrent edits merge.
CREATE TABLE tags (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    tag       TEXT NOT NULL CHECK (tag <> ''),
    PRIMARY KEY (entity, entity_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX tags_tag ON tags (tag, entity);

CREATE TABLE stages (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL CHECK (name <> ''),
    position     INTEGER NOT NULL,
    probability  INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    rotting_days INTEGER NOT NULL CHECK (rotting_days >= 0),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT,
    hlc          INTEGER NOT NULL,
    device       TEXT NOT NULL
) STRICT;

CREATE TABLE deals (
    id               TEXT PRIMARY KEY,
    title            TEXT NOT NULL CHECK (title <> ''),
    contact_id       TEXT REFERENCES contacts (id),
    company_id       TEXT REFERENCES companies (id),
    value            INTEGER NOT NULL DEFAULT 0 CHECK (value >= 0),
    currency         TEXT NOT NULL CHECK (length(currency) = 3),
    stage_id         TEXT NOT NULL REFERENCES stages (id),
    status           TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    lost_reason      TEXT NOT NULL DEFAULT '',
    expected_close   TEXT,
    stage_entered_at TEXT NOT NULL,
    closed_at        TEXT,
    notes            TEXT NOT NULL DEFAULT '',
    owner            TEXT NOT NULL,
    visibility       TEXT NOT NULL CHECK (visibility IN ('private', 'team')),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    merged_into      TEXT,
    hlc              INTEGER NOT NULL,
    device           TEXT NOT NULL,
    tail             TEXT GENERATED ALWAYS AS (substr(id, 25)) VIRTUAL
) STRICT;
CREATE INDEX deals_tail ON deals (tail);
CREATE INDEX deals_title ON deals (title COLLATE NOCASE);
CREATE INDEX deals_open ON deals (stage_id, stage_entered_at)
    WHERE status = 'open' AND deleted_at IS NULL;
CREATE INDEX deals_contact ON deals (contact_id);
CREATE INDEX deals_company ON deals (company_id);
CREATE INDEX deals_closed ON deals (closed_at) WHERE status <> 'open';

-- The timeline. Append-only: an edit appends an amendment that supersedes the entry, a
-- delete appends a redaction; superseded_by and redacted are kept by the store so reads
-- need no scan of later entries.
CREATE TABLE interactions (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'note', 'message',
                                               'stage_change', 'status_change', 'redaction')),
    occurred_at   TEXT NOT NULL,
    text          TEXT NOT NULL DEFAULT '',
    contact_id    TEXT REFERENCES contacts (id),
    company_id    TEXT REFERENCES companies (id),
    deal_id       TEXT REFERENCES deals (id),
    supersedes    TEXT REFERENCES interactions (id),
    superseded_by TEXT,
    redacted      INTEGER NOT NULL DEFAULT 0,
    owner         TEXT NOT NULL,
    visibility    TEXT NOT NULL CHECK (visibility IN ('private', 'team')),
    created_at    TEXT NOT NULL,
    hlc           INTEGER NOT NULL,
    device        TEXT NOT NULL,
    tail          TEXT GENERATED ALWAYS AS (substr(id, 25)) VIRTUAL
) STRICT;
CREATE INDEX interactions_contact ON interactions (contact_id, occurred_at) WHERE contact_id IS NOT NULL;
CREATE INDEX interactions_company ON interactions (company_id, occurred_at) WHERE company_id IS NOT NULL;
CREATE INDEX interactions_deal ON interactions (deal_id, occurred_at) WHERE deal_id IS NOT NULL;
CREATE INDEX interactions_tail ON interactions (tail);

CREATE TABLE follow_ups (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL CHECK (title <> ''),
    due_at      TEXT NOT NULL,
    all_day     INTEGER NOT NULL DEFAULT 0,
    contact_id  TEXT REFERENCES contacts (id),
    deal_id     TEXT REFERENCES deals (id),
    done_at     TEXT,
    owner       TEXT NOT NULL,
    visibility  TEXT NOT NULL CHECK (visibility IN ('private', 'team')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT,
    hlc         INTEGER NOT NULL,
    device      TEXT NOT NULL,
    tail        TEXT GENERATED ALWAYS AS (substr(id, 25)) VIRTUAL
) STRICT;
CREATE INDEX follow_ups_open ON follow_ups (due_at) WHERE done_at IS NULL AND deleted_at IS NULL;
CREATE INDEX follow_ups_contact ON follow_ups (contact_id);
CREATE INDEX follow_ups_deal ON follow_ups (deal_id);
CREATE INDEX follow_ups_tail ON follow_ups (tail);

-- The op log: every change, in local order. fields holds the new values, old the values
-- they replaced (for history and undo; never sent), base the field clocks the editor saw.
CREATE TABLE ops (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id     TEXT NOT NULL UNIQUE,
    group_id  TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    device    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    fields    TEXT NOT NULL,
    old       TEXT,
    base      TEXT,
    at        TEXT NOT NULL
) STRICT;
CREATE INDEX ops_entity ON ops (entity_id, seq);
CREATE INDEX ops_group ON ops (group_id);

-- A change group is what one command did; undo reverts the newest group not yet undone.
CREATE TABLE op_groups (
    id        TEXT PRIMARY KEY,
    seq       INTEGER NOT NULL UNIQUE,
    at        TEXT NOT NULL,
    device    TEXT NOT NULL,
    summary   TEXT NOT NULL,
    undoes    TEXT,
    undone_by TEXT
) STRICT;

-- The clock of every field edited since its record was created.
CREATE TABLE field_clocks (
    entity_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    device    TEXT NOT NULL,
    PRIMARY KEY (entity_id, field)
) STRICT, WITHOUT ROWID;

-- Full-text search. Contentless tables keyed by the record's rowid: the text lives once,
-- in its table, and the store keeps the index current on every write.
CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    name, emails, phones, company, title, tags, notes,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE VIRTUAL TABLE companies_fts USING fts5 (
    name, domain, phone, tags, notes,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE VIRTUAL TABLE deals_fts USING fts5 (
    title, contact, company, tags,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE VIRTUAL TABLE interactions_fts USING fts5 (
    text,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2'
);
CREATE VIRTUAL TABLE follow_ups_fts USING fts5 (
    title,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2'
);
