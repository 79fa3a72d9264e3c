-- The sync server's tables on PostgreSQL: the same shape as the SQLite backend's
-- (sqlitestore), with PostgreSQL types. Values and change bodies are bytea, not text or
-- jsonb: they are kept byte for byte as devices sent them.
CREATE TABLE workspace (
    id         smallint PRIMARY KEY CHECK (id = 1),
    team       text NOT NULL,
    epoch      text NOT NULL,
    last_seq   bigint NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE users (
    name       text PRIMARY KEY,
    admin      boolean NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE devices (
    id         text PRIMARY KEY,
    user_name  text NOT NULL REFERENCES users (name),
    name       text NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX devices_user ON devices (user_name);

CREATE TABLE tokens (
    id         text PRIMARY KEY,
    sha256     bytea NOT NULL,
    device     text NOT NULL REFERENCES devices (id),
    created_at timestamptz NOT NULL
);
CREATE INDEX tokens_device ON tokens (device);

CREATE TABLE invites (
    id         text PRIMARY KEY,
    sha256     bytea NOT NULL,
    user_name  text NOT NULL,
    admin      boolean NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    used_by    text
);

-- seq is assigned by the writer holding the workspace row lock (last_seq + 1), never by a
-- sequence: a sequence hands out numbers at insert time, and two transactions could then
-- commit out of seq order, letting a cursor skip the one that committed later.
CREATE TABLE changes (
    seq         bigint PRIMARY KEY,
    op_id       text NOT NULL UNIQUE,
    device      text NOT NULL,
    kind        text NOT NULL,
    entity_id   text NOT NULL,
    body        bytea NOT NULL,
    received_at timestamptz NOT NULL
);
CREATE INDEX changes_entity ON changes (entity_id, kind);

-- Ops the server refused, with the answer it gave, so that a late duplicate of one gets
-- the same answer and is never applied.
CREATE TABLE rejections (
    op_id  text PRIMARY KEY,
    device text NOT NULL,
    code   text NOT NULL,
    reason text NOT NULL,
    at     timestamptz NOT NULL
);

CREATE TABLE records (
    id             text PRIMARY KEY,
    entity         text NOT NULL,
    owner          text NOT NULL,
    visibility     text NOT NULL,
    scope          text NOT NULL,
    created_hlc    bigint NOT NULL,
    created_device text NOT NULL
);
CREATE INDEX records_scope ON records (scope) WHERE scope <> '';

CREATE TABLE fields (
    record_id text NOT NULL,
    field     text NOT NULL,
    value     bytea NOT NULL,
    hlc       bigint NOT NULL,
    device    text NOT NULL,
    user_name text NOT NULL,
    op_id     text NOT NULL,
    PRIMARY KEY (record_id, field)
);
