// Package sqlitestore is the sync server's embedded storage: one SQLite file (WAL,
// synchronous=FULL, so nothing is acknowledged before it is durable), one writer.
package sqlitestore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/wire"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

const schema = `
CREATE TABLE IF NOT EXISTS workspace (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    team       TEXT NOT NULL,
    epoch      TEXT NOT NULL,
    last_seq   INTEGER NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS users (
    name       TEXT PRIMARY KEY,
    admin      INTEGER NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS devices (
    id         TEXT PRIMARY KEY,
    user       TEXT NOT NULL REFERENCES users (name),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    revoked_at TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS tokens (
    id         TEXT PRIMARY KEY,
    sha256     BLOB NOT NULL,
    device     TEXT NOT NULL REFERENCES devices (id),
    created_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS invites (
    id         TEXT PRIMARY KEY,
    sha256     BLOB NOT NULL,
    user       TEXT NOT NULL,
    admin      INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS changes (
    seq         INTEGER PRIMARY KEY,
    op_id       TEXT NOT NULL UNIQUE,
    device      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS changes_entity ON changes (entity_id, kind);
CREATE TABLE IF NOT EXISTS rejections (
    op_id  TEXT PRIMARY KEY,
    device TEXT NOT NULL,
    code   TEXT NOT NULL,
    reason TEXT NOT NULL,
    at     TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS records (
    id             TEXT PRIMARY KEY,
    entity         TEXT NOT NULL,
    owner          TEXT NOT NULL,
    visibility     TEXT NOT NULL,
    scope          TEXT NOT NULL,
    created_hlc    INTEGER NOT NULL,
    created_device TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS records_scope ON records (scope) WHERE scope <> '';
CREATE TABLE IF NOT EXISTS fields (
    record_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    value     TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    device    TEXT NOT NULL,
    user      TEXT NOT NULL,
    op_id     TEXT NOT NULL,
    PRIMARY KEY (record_id, field)
) STRICT, WITHOUT ROWID;
`

// Statements of the write path.
const (
	opSeqSQL     = "SELECT seq FROM changes WHERE op_id = ?"
	rejectionSQL = "SELECT code, reason FROM rejections WHERE op_id = ?"
	rejectSQL    = "INSERT INTO rejections (op_id, device, code, reason, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (op_id) DO NOTHING"
	recordSQL    = "SELECT id, entity, owner, visibility, scope, created_hlc, created_device FROM records WHERE id = ?"
	fieldsSQL    = "SELECT field, value, hlc, device, user, op_id FROM fields WHERE record_id = ?"
	// createSQL finds the change that created a record: its first create in the log.
	createSQL    = "SELECT body FROM changes WHERE entity_id = ? AND kind = 'create' ORDER BY seq LIMIT 1"
	appendSQL    = "INSERT INTO changes (seq, op_id, device, kind, entity_id, body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
	putRecordSQL = `INSERT INTO records (id, entity, owner, visibility, scope, created_hlc, created_device) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET entity = excluded.entity, owner = excluded.owner, visibility = excluded.visibility,
		scope = excluded.scope, created_hlc = excluded.created_hlc, created_device = excluded.created_device`
	putFieldSQL = `INSERT INTO fields (record_id, field, value, hlc, device, user, op_id) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (record_id, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, device = excluded.device,
		user = excluded.user, op_id = excluded.op_id`
)

const timeFormat = "2006-01-02T15:04:05.000Z"

// Store is the SQLite storage. It implements server.Storage.
type Store struct {
	w  *sql.DB // one connection: the single writer
	r  *sql.DB // readers
	mu sync.Mutex
	// Statements prepared once (per connection, by database/sql) instead of parsed per use.
	wstmts, rstmts            map[string]*sql.Stmt
	rWorkspace, rPull, rToken *sql.Stmt

	// The background checkpointer (see checkpointer).
	kick, stop, stopped chan struct{}
	stopOnce            sync.Once
}

// Options tune Open.
type Options struct {
	// Unsafe turns off fsync (synchronous=OFF). Tests only: a crash can lose acknowledged
	// changes.
	Unsafe bool
}

// Page caches (SQLite's cache_size, per connection, filled only as pages are read). The
// single writer's is larger: a push's creates land all over the records and fields
// indexes, and every index page it must read back from the file costs a system call and a
// parse. 128 MiB holds the inner pages of those indexes for a few million records (a
// team's first sync of a 100,000-contact database writes about 1.2 million records and
// 11 million fields).
const (
	writerCacheKiB = 128 << 10
	readerCacheKiB = 32000
)

// Checkpoints copy the WAL's pages into the database file. SQLite runs one at the end of
// any commit that finds the WAL past wal_autocheckpoint pages, before that push can be
// answered. The server instead checkpoints in the background, on a reader connection,
// at most every checkpointEvery while pushes commit, and leaves the writer's own
// checkpoint as a backstop for a WAL that grows past walBackstopPages (the background
// one fell behind).
const (
	checkpointEvery  = 250 * time.Millisecond
	walBackstopPages = 16384 // 64 MiB
)

// Open opens (creating if needed) the server storage at path.
func Open(ctx context.Context, path string, o Options) (*Store, error) {
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600); err != nil {
		return nil, fmt.Errorf("open server storage: %w", err)
	} else {
		f.Close()
	}
	sync := "FULL"
	if o.Unsafe {
		sync = "OFF"
	}
	dsn := func(lock string, cacheKiB int) string {
		q := url.Values{}
		// temp_store(MEMORY): a statement that writes many rows keeps its statement
		// journal (the pages it may have to undo) in memory, not in a temporary file
		// it writes page by page. mmap_size: pages are read from the file mapped into
		// memory (up to its first 2 GiB), not copied in with a system call each; a merge
		// reads records all over a large file. (A read error on a mapped file stops the
		// process instead of failing the request: SQLite's documented trade-off.)
		for _, p := range []string{"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(" + sync + ")",
			fmt.Sprintf("cache_size(-%d)", cacheKiB), "temp_store(MEMORY)", "mmap_size(2147418112)"} {
			q.Add("_pragma", p)
		}
		if lock != "" {
			q.Set("_txlock", lock)
		}
		return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn("immediate", writerCacheKiB)+"&_pragma="+url.QueryEscape(fmt.Sprintf("wal_autocheckpoint(%d)", walBackstopPages)))
	if err != nil {
		return nil, fmt.Errorf("open server storage: %w", err)
	}
	w.SetMaxOpenConns(1)
	if err := upgrade(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open server storage %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn("", readerCacheKiB))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open server storage: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	st := &Store{w: w, r: r, wstmts: map[string]*sql.Stmt{}, rstmts: map[string]*sql.Stmt{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
	go st.checkpointer()
	if err := st.prepare(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("open server storage %s: %w", path, err)
	}
	return st, nil
}

// checkpointer runs a PASSIVE checkpoint (one that never waits for the writer or
// readers) after commits, at most every checkpointEvery, until Close. A checkpoint that
// fails is left to the next one, or to the writer's backstop.
func (s *Store) checkpointer() {
	defer close(s.stopped)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		}
		s.r.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		select {
		case <-s.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// Version is the storage format this build reads and writes, kept in PRAGMA user_version:
//
//	0: before formats were numbered: every field a create carried was also a fields row.
//	1: a create's fields are read from its change in the log (server.CreateFields), and
//	   only later writes are fields rows. A version 0 file reads the same (its create
//	   rows hold the values the changes do), so it is upgraded by stamping it.
//
// A file of a later version is refused: this build would misread it.
const Version = 1

// upgrade creates the tables a new file lacks and brings an older format to Version.
func upgrade(ctx context.Context, w *sql.DB) error {
	var v int
	if err := w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v > Version {
		return fmt.Errorf("its format is version %d, newer than this rolo's %d: upgrade rolo", v, Version)
	}
	if _, err := w.ExecContext(ctx, schema); err != nil {
		return err
	}
	if v < Version {
		if _, err := w.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", Version)); err != nil {
			return err
		}
	}
	return nil
}

// Statements of the write path and of the reads, prepared at Open.
var (
	writeSQL = []string{workspaceSQL, setLastSeqSQL, opSeqSQL, rejectionSQL, rejectSQL, recordSQL, createSQL, fieldsSQL,
		putRecordSQL, putFieldSQL, appendSQL}
	readSQL = []string{workspaceSQL, pullSQL, tokenSQL, recordSQL, createSQL, fieldsSQL}
)

func (s *Store) prepare(ctx context.Context) error {
	for _, q := range append(writeSQL, bulkSQL()...) {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		s.wstmts[q] = st
	}
	for _, q := range readSQL {
		st, err := s.r.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		s.rstmts[q] = st
	}
	s.rWorkspace, s.rPull, s.rToken = s.rstmts[workspaceSQL], s.rstmts[pullSQL], s.rstmts[tokenSQL]
	return nil
}

// Close implements server.Storage.
func (s *Store) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.stopped
	for _, m := range []map[string]*sql.Stmt{s.wstmts, s.rstmts} {
		for _, st := range m {
			st.Close()
		}
	}
	err := s.r.Close()
	if werr := s.w.Close(); err == nil {
		err = werr
	}
	return err
}

// Backup writes a consistent copy of the storage to dest (VACUUM INTO), safe while the
// server runs.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("back up: %s exists", dest)
	}
	_, err := s.r.ExecContext(ctx, "VACUUM INTO ?", dest)
	if err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	return os.Chmod(dest, 0o600)
}

func ft(t time.Time) string { return t.UTC().Format(timeFormat) }

func pt(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

// Init implements server.Storage.
func (s *Store) Init(ctx context.Context, team string, now time.Time) (server.Workspace, error) {
	var b [8]byte
	rand.Read(b[:])
	ws := server.Workspace{Team: team, Epoch: hex.EncodeToString(b[:]), CreatedAt: now.UTC().Truncate(time.Millisecond)}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.w.ExecContext(ctx, "INSERT INTO workspace (id, team, epoch, last_seq, created_at) VALUES (1, ?, ?, 0, ?)", team, ws.Epoch, ft(now))
	if err != nil {
		if _, werr := s.Workspace(ctx); werr == nil {
			return server.Workspace{}, fmt.Errorf("init: %w", server.ErrExists)
		}
		return server.Workspace{}, fmt.Errorf("init: %w", err)
	}
	return ws, nil
}

// Workspace implements server.Storage.
func (s *Store) Workspace(ctx context.Context) (server.Workspace, error) {
	return workspace(ctx, s.rWorkspace)
}

const workspaceSQL = "SELECT team, epoch, last_seq, created_at FROM workspace WHERE id = 1"

func workspace(ctx context.Context, st *sql.Stmt) (server.Workspace, error) {
	var ws server.Workspace
	var at string
	err := st.QueryRowContext(ctx).Scan(&ws.Team, &ws.Epoch, &ws.LastSeq, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return ws, server.ErrNotInitialized
	}
	ws.CreatedAt = pt(at)
	return ws, err
}

// CreateInvite implements server.Storage.
func (s *Store) CreateInvite(ctx context.Context, inv server.Invite) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.w.ExecContext(ctx, "INSERT INTO invites (id, sha256, user, admin, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
		inv.ID, inv.Hash, inv.User, inv.Admin, ft(inv.CreatedAt), ft(inv.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create invite: %w", err)
	}
	return nil
}

// Enroll implements server.Storage.
func (s *Store) Enroll(ctx context.Context, codeID string, check func([]byte) bool, now time.Time, dev server.Device, tok server.Token) (server.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return server.User{}, err
	}
	defer tx.Rollback()
	var hash []byte
	var user, expires string
	var admin bool
	var used sql.NullString
	err = tx.QueryRowContext(ctx, "SELECT sha256, user, admin, expires_at, used_at FROM invites WHERE id = ?", codeID).Scan(&hash, &user, &admin, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!check(hash) || used.Valid || !now.Before(pt(expires)))) {
		return server.User{}, server.ErrInviteInvalid
	}
	if err != nil {
		return server.User{}, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM devices WHERE id = ?", dev.ID).Scan(&n); err != nil {
		return server.User{}, err
	}
	if n > 0 {
		return server.User{}, fmt.Errorf("device %s: %w", dev.ID, server.ErrExists)
	}
	u := server.User{Name: user, Admin: admin, CreatedAt: now.UTC().Truncate(time.Millisecond)}
	if _, err := tx.ExecContext(ctx, `INSERT INTO users (name, admin, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET admin = max(admin, excluded.admin)`, user, admin, ft(now)); err != nil {
		return server.User{}, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT admin, created_at FROM users WHERE name = ?", user).Scan(&u.Admin, &expires); err != nil {
		return server.User{}, err
	}
	u.CreatedAt = pt(expires)
	stmts := []struct {
		q    string
		args []any
	}{
		{"UPDATE invites SET used_at = ?, used_by = ? WHERE id = ?", []any{ft(now), dev.ID, codeID}},
		{"INSERT INTO devices (id, user, name, created_at, last_seen) VALUES (?, ?, ?, ?, ?)", []any{dev.ID, user, dev.Name, ft(now), ft(now)}},
		{"INSERT INTO tokens (id, sha256, device, created_at) VALUES (?, ?, ?, ?)", []any{tok.ID, tok.Hash, dev.ID, ft(now)}},
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return server.User{}, fmt.Errorf("enroll: %w", err)
		}
	}
	return u, tx.Commit()
}

const deviceCols = "d.id, d.user, u.admin, d.name, d.created_at, d.last_seen, d.revoked_at"

const tokenSQL = "SELECT t.id, t.sha256, t.device, t.created_at, " + deviceCols +
	" FROM tokens t JOIN devices d ON d.id = t.device JOIN users u ON u.name = d.user WHERE t.id = ?"

func scanDevice(sc interface{ Scan(...any) error }) (server.Device, error) {
	var d server.Device
	var created, seen string
	var revoked sql.NullString
	if err := sc.Scan(&d.ID, &d.User, &d.Admin, &d.Name, &created, &seen, &revoked); err != nil {
		return d, err
	}
	d.CreatedAt, d.LastSeen = pt(created), pt(seen)
	if revoked.Valid {
		t := pt(revoked.String)
		d.RevokedAt = &t
	}
	return d, nil
}

// Token implements server.Storage.
func (s *Store) Token(ctx context.Context, id string) (server.Token, server.Device, error) {
	var t server.Token
	var created string
	row := s.rToken.QueryRowContext(ctx, id)
	var d server.Device
	var dcreated, seen string
	var revoked sql.NullString
	err := row.Scan(&t.ID, &t.Hash, &t.Device, &created, &d.ID, &d.User, &d.Admin, &d.Name, &dcreated, &seen, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return t, d, server.ErrNotFound
	}
	if err != nil {
		return t, d, err
	}
	t.CreatedAt, d.CreatedAt, d.LastSeen = pt(created), pt(dcreated), pt(seen)
	if revoked.Valid {
		rt := pt(revoked.String)
		d.RevokedAt = &rt
	}
	return t, d, nil
}

// TouchDevice implements server.Storage.
func (s *Store) TouchDevice(ctx context.Context, id string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.w.ExecContext(ctx, "UPDATE devices SET last_seen = ? WHERE id = ? AND last_seen < ?", ft(now), id, ft(now))
	return err
}

// Users implements server.Storage.
func (s *Store) Users(ctx context.Context) ([]server.User, []server.Device, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT name, admin, created_at FROM users ORDER BY name")
	if err != nil {
		return nil, nil, err
	}
	var users []server.User
	for rows.Next() {
		var u server.User
		var at string
		if err := rows.Scan(&u.Name, &u.Admin, &at); err != nil {
			rows.Close()
			return nil, nil, err
		}
		u.CreatedAt = pt(at)
		users = append(users, u)
	}
	rows.Close()
	rows, err = s.r.QueryContext(ctx, "SELECT "+deviceCols+" FROM devices d JOIN users u ON u.name = d.user ORDER BY d.user, d.created_at, d.id")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var devs []server.Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, nil, err
		}
		devs = append(devs, d)
	}
	return users, devs, rows.Err()
}

// RevokeDevice implements server.Storage.
func (s *Store) RevokeDevice(ctx context.Context, id string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.w.ExecContext(ctx, "UPDATE devices SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", ft(now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("device %s: %w", id, server.ErrNotFound)
	}
	return nil
}

// Write implements server.Storage: BEGIN IMMEDIATE on the single writer connection.
func (s *Store) Write(ctx context.Context, fn func(server.WriteTx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	wt := &writeTx{ctx: ctx, tx: tx, prepared: s.wstmts, stmts: map[string]*sql.Stmt{}}
	st, err := wt.stmt(workspaceSQL)
	if err != nil {
		return err
	}
	ws, err := workspace(ctx, st)
	if err != nil {
		return err
	}
	wt.ws, wt.start = ws, ws.LastSeq
	defer func() {
		for _, st := range wt.stmts {
			st.Close()
		}
	}()
	if err := fn(wt); err != nil {
		return err
	}
	if wt.ws.LastSeq != wt.start {
		if err := wt.exec(setLastSeqSQL, wt.ws.LastSeq); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return nil
}

const setLastSeqSQL = "UPDATE workspace SET last_seq = ? WHERE id = 1"

type writeTx struct {
	ctx   context.Context
	tx    *sql.Tx
	ws    server.Workspace
	start int64
	// prepared are the statements prepared once on the connection; stmts those this
	// transaction uses.
	prepared map[string]*sql.Stmt
	stmts    map[string]*sql.Stmt
}

func (w *writeTx) stmt(q string) (*sql.Stmt, error) {
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	var st *sql.Stmt
	var err error
	if p, ok := w.prepared[q]; ok {
		st = w.tx.StmtContext(w.ctx, p)
	} else {
		st, err = w.tx.PrepareContext(w.ctx, q)
	}
	if err != nil {
		return nil, err
	}
	w.stmts[q] = st
	return st, nil
}

func (w *writeTx) exec(q string, args ...any) error {
	st, err := w.stmt(q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(w.ctx, args...)
	return err
}

func (w *writeTx) queryRow(q string, args ...any) (*sql.Row, error) {
	st, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(w.ctx, args...), nil
}

func (w *writeTx) Workspace() server.Workspace { return w.ws }

func (w *writeTx) OpSeq(opID string) (int64, bool, error) {
	row, err := w.queryRow(opSeqSQL, opID)
	if err != nil {
		return 0, false, err
	}
	var seq int64
	err = row.Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return seq, err == nil, err
}

func (w *writeTx) Rejection(opID string) (wire.Rejection, bool, error) {
	row, err := w.queryRow(rejectionSQL, opID)
	if err != nil {
		return wire.Rejection{}, false, err
	}
	r := wire.Rejection{OpID: opID}
	err = row.Scan(&r.Code, &r.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

func (w *writeTx) Reject(r wire.Rejection, device string, now time.Time) error {
	return w.exec(rejectSQL,
		r.OpID, device, r.Code, r.Reason, ft(now))
}

func (w *writeTx) Record(id string) (server.Record, bool, error) {
	row, err := w.queryRow(recordSQL, id)
	if err != nil {
		return server.Record{}, false, err
	}
	var r server.Record
	var h int64
	err = row.Scan(&r.ID, &r.Entity, &r.Owner, &r.Visibility, &r.Scope, &h, &r.CreatedDevice)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	r.CreatedHLC = uint64(h)
	return r, err == nil, err
}

func (w *writeTx) Fields(id string) (map[string]server.Field, error) {
	out := map[string]server.Field{}
	row, err := w.queryRow(createSQL, id)
	if err != nil {
		return nil, err
	}
	var body []byte
	if err := row.Scan(&body); err == nil {
		if out, err = server.CreateFields(body); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	st, err := w.stmt(fieldsSQL)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(w.ctx, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, v string
		var f server.Field
		var h int64
		if err := rows.Scan(&name, &v, &h, &f.Device, &f.User, &f.OpID); err != nil {
			return nil, err
		}
		f.Value, f.HLC = json.RawMessage(v), uint64(h)
		out[name] = f
	}
	return out, rows.Err()
}

func (w *writeTx) PutRecord(r server.Record) error {
	return w.exec(putRecordSQL,
		r.ID, r.Entity, r.Owner, r.Visibility, r.Scope, int64(r.CreatedHLC), r.CreatedDevice)
}

func (w *writeTx) PutField(id, field string, f server.Field) error {
	return w.exec(putFieldSQL, id, field, string(f.Value), int64(f.HLC), f.Device, f.User, f.OpID)
}

func (w *writeTx) Append(c *wire.Change, now time.Time) (int64, error) {
	c.Seq = w.ws.LastSeq + 1
	body, err := wire.MarshalChange(c)
	if err != nil {
		return 0, err
	}
	if err := w.exec(appendSQL,
		c.Seq, c.OpID, c.Device, c.Kind, c.EntityID, string(body), ft(now)); err != nil {
		return 0, err
	}
	w.ws.LastSeq = c.Seq
	return c.Seq, nil
}

func (w *writeTx) Dependents(scope string) ([]server.Record, error) {
	rows, err := w.tx.QueryContext(w.ctx, "SELECT id, entity, owner, visibility, scope, created_hlc, created_device FROM records WHERE scope = ? ORDER BY id", scope)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []server.Record
	for rows.Next() {
		var r server.Record
		var h int64
		if err := rows.Scan(&r.ID, &r.Entity, &r.Owner, &r.Visibility, &r.Scope, &h, &r.CreatedDevice); err != nil {
			return nil, err
		}
		r.CreatedHLC = uint64(h)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (w *writeTx) ConflictsOf(id string) ([]wire.Change, error) {
	rows, err := w.tx.QueryContext(w.ctx, "SELECT body FROM changes WHERE entity_id = ? AND kind = ? ORDER BY seq", id, wire.KindConflict)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []wire.Change
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var c wire.Change
		if err := json.Unmarshal([]byte(b), &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Snapshot implements server.Storage.
func (s *Store) Snapshot(ctx context.Context, id string) (rec, scope server.Record, fields map[string]server.Field, ok bool, err error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return rec, scope, nil, false, err
	}
	defer tx.Rollback()
	r := &writeTx{ctx: ctx, tx: tx, prepared: s.rstmts, stmts: map[string]*sql.Stmt{}}
	defer func() {
		for _, st := range r.stmts {
			st.Close()
		}
	}()
	if rec, ok, err = r.Record(id); err != nil || !ok {
		return rec, scope, nil, ok, err
	}
	scope = rec
	if rec.Scope != "" {
		if sr, found, err := r.Record(rec.Scope); err != nil {
			return rec, scope, nil, false, err
		} else if found {
			scope = sr
		}
	}
	fields, err = r.Fields(id)
	return rec, scope, fields, err == nil, err
}

// pullSQL selects the changes a viewer may see: an op, show or conflict when the record's
// scope is team-visible or the viewer's; a hide when it is neither. A device's own ops are
// not sent back to it.
const pullSQL = `SELECT c.seq, c.op_id, c.body FROM changes c
	LEFT JOIN records r ON r.id = c.entity_id
	LEFT JOIN records s ON s.id = CASE WHEN r.scope <> '' THEN r.scope ELSE r.id END
	WHERE c.seq > ?1 AND c.seq <= ?2
	AND NOT (c.device = ?3 AND c.kind IN ('create', 'update', 'delete', 'restore', 'append'))
	AND CASE WHEN r.id IS NULL THEN c.kind <> 'hide'
		WHEN c.kind = 'hide' THEN NOT (coalesce(s.visibility, r.visibility) = 'team' OR coalesce(s.owner, r.owner) = ?4)
		ELSE coalesce(s.visibility, r.visibility) = 'team' OR coalesce(s.owner, r.owner) = ?4 END
	ORDER BY c.seq LIMIT ?5`

// Pull implements server.Storage. It reads one snapshot, so the log's end and the page
// agree.
func (s *Store) Pull(ctx context.Context, q server.PullQuery) ([]server.RawChange, int64, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	ws, err := workspace(ctx, tx.StmtContext(ctx, s.rWorkspace))
	if err != nil {
		return nil, 0, err
	}
	rows, err := tx.StmtContext(ctx, s.rPull).QueryContext(ctx, q.After, ws.LastSeq, q.Device, q.Viewer, q.Limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []server.RawChange
	size := 0
	for rows.Next() {
		var c server.RawChange
		if err := rows.Scan(&c.Seq, &c.OpID, (*[]byte)(&c.Body)); err != nil {
			return nil, 0, err
		}
		out = append(out, c)
		if size += len(c.Body); size >= wire.MaxPullBytes {
			return out, c.Seq, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) == q.Limit {
		return out, out[len(out)-1].Seq, nil
	}
	return out, ws.LastSeq, nil
}

var _ server.Storage = (*Store)(nil)

// chunkRows is the most rows one bulk statement writes (and ids one bulk read asks
// for): a whole chunk's statement is prepared once, at Open.
const chunkRows = 256

// Bulk statements: an INSERT's head and tail around its VALUES, an IN (?) query.
const (
	putRecordsHead = "INSERT INTO records (id, entity, owner, visibility, scope, created_hlc, created_device)"
	putRecordsTail = `ON CONFLICT (id) DO UPDATE SET entity = excluded.entity, owner = excluded.owner, visibility = excluded.visibility,
		scope = excluded.scope, created_hlc = excluded.created_hlc, created_device = excluded.created_device`
	putFieldsHead = "INSERT INTO fields (record_id, field, value, hlc, device, user, op_id)"
	putFieldsTail = `ON CONFLICT (record_id, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, device = excluded.device,
		user = excluded.user, op_id = excluded.op_id`
	appendAllHead = "INSERT INTO changes (seq, op_id, device, kind, entity_id, body, received_at)"
	opSeqsSQL     = "SELECT op_id, seq FROM changes WHERE op_id IN (?)"
	rejectionsSQL = "SELECT op_id, code, reason FROM rejections WHERE op_id IN (?)"
	recordsSQL    = "SELECT id, entity, owner, visibility, scope, created_hlc, created_device FROM records WHERE id IN (?)"
)

func insertSQL(head, tail string, rows, cols int) string {
	return head + " VALUES " + placeholders(rows, cols) + " " + tail
}

func inSQL(q string, n int) string {
	return strings.Replace(q, "(?)", "("+strings.Repeat("?, ", n-1)+"?)", 1)
}

// bulkSQL are the whole-chunk bulk statements, prepared at Open.
func bulkSQL() []string {
	return []string{insertSQL(putRecordsHead, putRecordsTail, chunkRows, 7), insertSQL(putFieldsHead, putFieldsTail, chunkRows, 7),
		insertSQL(appendAllHead, "", chunkRows, 7), inSQL(opSeqsSQL, chunkRows), inSQL(rejectionsSQL, chunkRows), inSQL(recordsSQL, chunkRows)}
}

// placeholders returns "(?, ?), (?, ?)…": rows groups of cols.
func placeholders(rows, cols int) string {
	one := "(" + strings.Repeat("?, ", cols-1) + "?)"
	return strings.Repeat(one+", ", rows-1) + one
}

// chunks calls fn on successive slices of at most chunkRows of n items.
func chunks(n int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += chunkRows {
		if err := fn(lo, min(lo+chunkRows, n)); err != nil {
			return err
		}
	}
	return nil
}

func (w *writeTx) queryIn(q string, ids []string, scan func(*sql.Rows) error) error {
	return chunks(len(ids), func(lo, hi int) error {
		st, err := w.stmt(inSQL(q, hi-lo))
		if err != nil {
			return err
		}
		args := make([]any, hi-lo)
		for i, id := range ids[lo:hi] {
			args[i] = id
		}
		rows, err := st.QueryContext(w.ctx, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

func (w *writeTx) OpSeqs(ids []string) (map[string]int64, error) {
	out := map[string]int64{}
	return out, w.queryIn(opSeqsSQL, ids, func(r *sql.Rows) error {
		var id string
		var seq int64
		err := r.Scan(&id, &seq)
		out[id] = seq
		return err
	})
}

func (w *writeTx) Rejections(ids []string) (map[string]wire.Rejection, error) {
	out := map[string]wire.Rejection{}
	return out, w.queryIn(rejectionsSQL, ids, func(r *sql.Rows) error {
		var rj wire.Rejection
		err := r.Scan(&rj.OpID, &rj.Code, &rj.Reason)
		out[rj.OpID] = rj
		return err
	})
}

func (w *writeTx) Records(ids []string) (map[string]server.Record, error) {
	out := map[string]server.Record{}
	return out, w.queryIn(recordsSQL, ids, func(r *sql.Rows) error {
		var rec server.Record
		var h int64
		err := r.Scan(&rec.ID, &rec.Entity, &rec.Owner, &rec.Visibility, &rec.Scope, &h, &rec.CreatedDevice)
		rec.CreatedHLC = uint64(h)
		out[rec.ID] = rec
		return err
	})
}

// insertRows runs an INSERT of n rows of cols values, args(i) giving row i's, in as few
// statements as the parameter limit allows; tail follows the VALUES list.
func (w *writeTx) insertRows(head, tail string, n, cols int, args func(i int, into []any) []any) error {
	return chunks(n, func(lo, hi int) error {
		st, err := w.stmt(insertSQL(head, tail, hi-lo, cols))
		if err != nil {
			return err
		}
		a := make([]any, 0, (hi-lo)*cols)
		for i := lo; i < hi; i++ {
			a = args(i, a)
		}
		_, err = st.ExecContext(w.ctx, a...)
		return err
	})
}

func (w *writeTx) PutRecords(rs []server.Record) error {
	return w.insertRows(putRecordsHead, putRecordsTail, len(rs), 7,
		func(i int, a []any) []any {
			r := rs[i]
			return append(a, r.ID, r.Entity, r.Owner, r.Visibility, r.Scope, int64(r.CreatedHLC), r.CreatedDevice)
		})
}

func (w *writeTx) PutFieldRows(rows []server.FieldRow) error {
	return w.insertRows(putFieldsHead, putFieldsTail, len(rows), 7,
		func(i int, a []any) []any {
			r := rows[i]
			return append(a, r.Record, r.Name, string(r.Field.Value), int64(r.Field.HLC), r.Field.Device, r.Field.User, r.Field.OpID)
		})
}

func (w *writeTx) AppendAll(cs []*wire.Change, now time.Time) error {
	bodies := make([]string, len(cs))
	for i, c := range cs {
		c.Seq = w.ws.LastSeq + int64(i) + 1
		b, err := wire.MarshalChange(c)
		if err != nil {
			return err
		}
		bodies[i] = string(b)
	}
	at := ft(now)
	err := w.insertRows(appendAllHead, "", len(cs), 7,
		func(i int, a []any) []any {
			c := cs[i]
			return append(a, c.Seq, c.OpID, c.Device, c.Kind, c.EntityID, bodies[i], at)
		})
	if err != nil {
		return err
	}
	w.ws.LastSeq += int64(len(cs))
	return nil
}
