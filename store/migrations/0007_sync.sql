-- rolo schema, version 7: team sync (see docs/sync.md).
--
-- The op log already holds every local change in order; what sync adds is where this
-- device stands with its server. Ops of other devices that sync applies are appended to
-- the same ops table (with their own device and clock), so history shows who changed what
-- and a replayed change is recognised by its op_id.

-- Key/value state of the link with the server: server URL, user, the pull cursor (with
-- its epoch), the seq of the last local op the server has answered for, the last sync.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Ops the server refused (direction 'push': the op stays in ops, never sent again) and
-- pulled changes this database could not apply ('pull': the change is kept here whole).
-- Shown by `rolo sync --status`; nothing is dropped.
CREATE TABLE sync_parked (
    op_id     TEXT PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    code      TEXT NOT NULL,
    reason    TEXT NOT NULL,
    change    TEXT,
    at        TEXT NOT NULL
) STRICT;

-- Records to read again from the server: the local effect of a refused op was taken
-- back, and the team's copy (which that op may have hidden here) replaces it.
CREATE TABLE sync_refetch (
    entity_id TEXT PRIMARY KEY,
    entity    TEXT NOT NULL
) STRICT;

-- Conflict records: a value that lost to a concurrent edit of the same field, with both
-- values, their clocks, users and devices. The server creates them; every device that can
-- see the record receives them. resolved_at is local: this device dismissed or restored it.
CREATE TABLE sync_conflicts (
    id            TEXT PRIMARY KEY,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    field         TEXT NOT NULL,
    winner_value  TEXT NOT NULL,
    winner_hlc    INTEGER NOT NULL,
    winner_device TEXT NOT NULL,
    winner_user   TEXT NOT NULL,
    loser_value   TEXT NOT NULL,
    loser_hlc     INTEGER NOT NULL,
    loser_device  TEXT NOT NULL,
    loser_user    TEXT NOT NULL,
    at            TEXT NOT NULL,
    resolved_at   TEXT
) STRICT;
CREATE INDEX sync_conflicts_open ON sync_conflicts (at) WHERE resolved_at IS NULL;
CREATE INDEX sync_conflicts_record ON sync_conflicts (entity_id);

-- The pending ops are this device's ops after the last one answered: read by device and
-- seq without scanning the remote ops.
CREATE INDEX ops_device ON ops (device, seq);
