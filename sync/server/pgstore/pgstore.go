// Package pgstore is the sync server's PostgreSQL storage, for teams that run several
// `rolo serve` replicas against one database. Every push holds a row lock on the
// workspace for its whole transaction and takes its seqs under that lock, so the log's
// seq order is its commit order on every replica, and a pull that reads one snapshot sees
// every change up to the log's end exactly once.
package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/wire"
)

// DefaultMaxConns is the pool size when the DSN sets no pool_max_conns. Pushes take one
// connection per replica at a time (they queue in the replica first, see Store.Write);
// the rest serve pulls and token checks.
const DefaultMaxConns = 10

// Store is the PostgreSQL storage. It implements server.Storage. Several Stores (one per
// replica) may share one database.
type Store struct {
	pool *pgxpool.Pool
	// wsem lets one push of this replica at a time wait for the workspace row lock, so a
	// burst of pushes queues here instead of holding every pooled connection.
	wsem chan struct{}
}

// Open connects to the database dsn (a postgres:// URL or key=value string; pgxpool
// settings such as pool_max_conns, and server settings such as search_path or
// statement_timeout, may be given in it) and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres storage: %w", redact(err))
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres storage: %w", redact(err))
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres storage: %w", err)
	}
	return &Store{pool: pool, wsem: make(chan struct{}, 1)}, nil
}

// redact keeps a password in a DSN out of an error message.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("invalid DSN (postgres://user:password@host:port/database?sslmode=...)")
	}
	return err
}

// Pool returns the connection pool, for tools that read the database beside the store.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close implements server.Storage.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

func utc(t time.Time) time.Time { return t.UTC() }

func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// Init implements server.Storage.
func (s *Store) Init(ctx context.Context, team string, now time.Time) (server.Workspace, error) {
	var b [8]byte
	rand.Read(b[:])
	ws := server.Workspace{Team: team, Epoch: hex.EncodeToString(b[:]), CreatedAt: now.UTC().Truncate(time.Millisecond)}
	_, err := s.pool.Exec(ctx, "INSERT INTO workspace (id, team, epoch, last_seq, created_at) VALUES (1, $1, $2, 0, $3)",
		team, ws.Epoch, ws.CreatedAt)
	if isUnique(err) {
		return server.Workspace{}, fmt.Errorf("init: %w", server.ErrExists)
	}
	if err != nil {
		return server.Workspace{}, fmt.Errorf("init: %w", err)
	}
	return ws, nil
}

const workspaceSQL = "SELECT team, epoch, last_seq, created_at FROM workspace WHERE id = 1"

func workspace(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, lock bool) (server.Workspace, error) {
	var ws server.Workspace
	sql := workspaceSQL
	if lock {
		sql += " FOR UPDATE"
	}
	err := q.QueryRow(ctx, sql).Scan(&ws.Team, &ws.Epoch, &ws.LastSeq, &ws.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return ws, server.ErrNotInitialized
	}
	ws.CreatedAt = utc(ws.CreatedAt)
	return ws, err
}

// Workspace implements server.Storage.
func (s *Store) Workspace(ctx context.Context) (server.Workspace, error) {
	return workspace(ctx, s.pool, false)
}

// CreateInvite implements server.Storage.
func (s *Store) CreateInvite(ctx context.Context, inv server.Invite) error {
	_, err := s.pool.Exec(ctx, "INSERT INTO invites (id, sha256, user_name, admin, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
		inv.ID, inv.Hash, inv.User, inv.Admin, inv.CreatedAt, inv.ExpiresAt)
	if err != nil {
		return fmt.Errorf("create invite: %w", err)
	}
	return nil
}

// Enroll implements server.Storage. The invite's row is locked for the transaction, so
// two replicas redeeming the same code at once cannot both succeed.
func (s *Store) Enroll(ctx context.Context, codeID string, check func([]byte) bool, now time.Time, dev server.Device, tok server.Token) (server.User, error) {
	var u server.User
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var hash []byte
		var user string
		var admin, used bool
		var expires time.Time
		err := tx.QueryRow(ctx, "SELECT sha256, user_name, admin, expires_at, used_at IS NOT NULL FROM invites WHERE id = $1 FOR UPDATE",
			codeID).Scan(&hash, &user, &admin, &expires, &used)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && (!check(hash) || used || !now.Before(expires))) {
			return server.ErrInviteInvalid
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM devices WHERE id = $1", dev.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("device %s: %w", dev.ID, server.ErrExists)
		}
		u.Name = user
		if err := tx.QueryRow(ctx, `INSERT INTO users (name, admin, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET admin = users.admin OR excluded.admin
			RETURNING admin, created_at`, user, admin, now).Scan(&u.Admin, &u.CreatedAt); err != nil {
			return err
		}
		u.CreatedAt = utc(u.CreatedAt)
		if _, err := tx.Exec(ctx, "UPDATE invites SET used_at = $1, used_by = $2 WHERE id = $3", now, dev.ID, codeID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO devices (id, user_name, name, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)",
			dev.ID, user, dev.Name, now); err != nil {
			if isUnique(err) { // enrolled on another replica since the check
				return fmt.Errorf("device %s: %w", dev.ID, server.ErrExists)
			}
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO tokens (id, sha256, device, created_at) VALUES ($1, $2, $3, $4)", tok.ID, tok.Hash, dev.ID, now)
		return err
	})
	if err != nil {
		if errors.Is(err, server.ErrInviteInvalid) || errors.Is(err, server.ErrExists) {
			return server.User{}, err
		}
		return server.User{}, fmt.Errorf("enroll: %w", err)
	}
	return u, nil
}

const deviceCols = "d.id, d.user_name, u.admin, d.name, d.created_at, d.last_seen, d.revoked_at"

func scanDevice(sc pgx.Row, pre ...any) (server.Device, error) {
	var d server.Device
	dest := append(pre, &d.ID, &d.User, &d.Admin, &d.Name, &d.CreatedAt, &d.LastSeen, &d.RevokedAt)
	if err := sc.Scan(dest...); err != nil {
		return d, err
	}
	d.CreatedAt, d.LastSeen = utc(d.CreatedAt), utc(d.LastSeen)
	if d.RevokedAt != nil {
		t := d.RevokedAt.UTC()
		d.RevokedAt = &t
	}
	return d, nil
}

// Token implements server.Storage.
func (s *Store) Token(ctx context.Context, id string) (server.Token, server.Device, error) {
	var t server.Token
	row := s.pool.QueryRow(ctx, "SELECT t.id, t.sha256, t.device, t.created_at, "+deviceCols+
		" FROM tokens t JOIN devices d ON d.id = t.device JOIN users u ON u.name = d.user_name WHERE t.id = $1", id)
	d, err := scanDevice(row, &t.ID, &t.Hash, &t.Device, &t.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, d, server.ErrNotFound
	}
	t.CreatedAt = utc(t.CreatedAt)
	return t, d, err
}

// TouchDevice implements server.Storage.
func (s *Store) TouchDevice(ctx context.Context, id string, now time.Time) error {
	_, err := s.pool.Exec(ctx, "UPDATE devices SET last_seen = $1 WHERE id = $2 AND last_seen < $1", now, id)
	return err
}

// Users implements server.Storage.
func (s *Store) Users(ctx context.Context) ([]server.User, []server.Device, error) {
	rows, err := s.pool.Query(ctx, "SELECT name, admin, created_at FROM users ORDER BY name")
	if err != nil {
		return nil, nil, err
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (server.User, error) {
		var u server.User
		err := r.Scan(&u.Name, &u.Admin, &u.CreatedAt)
		u.CreatedAt = utc(u.CreatedAt)
		return u, err
	})
	if err != nil {
		return nil, nil, err
	}
	rows, err = s.pool.Query(ctx, "SELECT "+deviceCols+" FROM devices d JOIN users u ON u.name = d.user_name ORDER BY d.user_name, d.created_at, d.id")
	if err != nil {
		return nil, nil, err
	}
	devs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (server.Device, error) { return scanDevice(r) })
	if err != nil {
		return nil, nil, err
	}
	return users, devs, nil
}

// RevokeDevice implements server.Storage.
func (s *Store) RevokeDevice(ctx context.Context, id string, now time.Time) error {
	tag, err := s.pool.Exec(ctx, "UPDATE devices SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2", now, id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("device %s: %w", id, server.ErrNotFound)
	}
	return nil
}

// Write implements server.Storage. The transaction's first statement locks the workspace
// row (SELECT … FOR UPDATE), and the lock is held until commit: pushes on every replica
// run one at a time, each reads last_seq as the previous push committed it and numbers
// its changes after it, so seq order is commit order. Within a replica, pushes queue for
// the lock in Go, so waiting pushes do not hold pooled connections that pulls need.
func (s *Store) Write(ctx context.Context, fn func(server.WriteTx) error) error {
	select {
	case s.wsem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.wsem }()
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		ws, err := workspace(ctx, tx, true)
		if err != nil {
			return err
		}
		wt := &writeTx{ctx: ctx, tx: tx, ws: ws}
		if err := fn(wt); err != nil {
			return err
		}
		if wt.ws.LastSeq != ws.LastSeq {
			if _, err := tx.Exec(ctx, "UPDATE workspace SET last_seq = $1 WHERE id = 1", wt.ws.LastSeq); err != nil {
				return err
			}
		}
		return nil
	})
}

type writeTx struct {
	ctx context.Context
	tx  pgx.Tx
	ws  server.Workspace
}

func (w *writeTx) Workspace() server.Workspace { return w.ws }

func (w *writeTx) OpSeq(opID string) (int64, bool, error) {
	var seq int64
	err := w.tx.QueryRow(w.ctx, "SELECT seq FROM changes WHERE op_id = $1", opID).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return seq, err == nil, err
}

func (w *writeTx) Rejection(opID string) (wire.Rejection, bool, error) {
	r := wire.Rejection{OpID: opID}
	err := w.tx.QueryRow(w.ctx, "SELECT code, reason FROM rejections WHERE op_id = $1", opID).Scan(&r.Code, &r.Reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

func (w *writeTx) Reject(r wire.Rejection, device string, now time.Time) error {
	_, err := w.tx.Exec(w.ctx, "INSERT INTO rejections (op_id, device, code, reason, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (op_id) DO NOTHING",
		r.OpID, device, r.Code, r.Reason, now)
	return err
}

const recordCols = "id, entity, owner, visibility, scope, created_hlc, created_device"

func scanRecord(row pgx.Row) (server.Record, error) {
	var r server.Record
	var h int64
	err := row.Scan(&r.ID, &r.Entity, &r.Owner, &r.Visibility, &r.Scope, &h, &r.CreatedDevice)
	r.CreatedHLC = uint64(h)
	return r, err
}

func (w *writeTx) Record(id string) (server.Record, bool, error) {
	r, err := scanRecord(w.tx.QueryRow(w.ctx, "SELECT "+recordCols+" FROM records WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return server.Record{}, false, nil
	}
	return r, err == nil, err
}

func (w *writeTx) Fields(id string) (map[string]server.Field, error) {
	out := map[string]server.Field{}
	var body []byte
	err := w.tx.QueryRow(w.ctx, "SELECT body FROM changes WHERE entity_id = $1 AND kind = 'create' ORDER BY seq LIMIT 1", id).Scan(&body)
	if err == nil {
		if out, err = server.CreateFields(body); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	rows, err := w.tx.Query(w.ctx, "SELECT field, value, hlc, device, user_name, op_id FROM fields WHERE record_id = $1", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var v []byte
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
	_, err := w.tx.Exec(w.ctx, `INSERT INTO records (`+recordCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET entity = excluded.entity, owner = excluded.owner, visibility = excluded.visibility,
		scope = excluded.scope, created_hlc = excluded.created_hlc, created_device = excluded.created_device`,
		r.ID, r.Entity, r.Owner, r.Visibility, r.Scope, int64(r.CreatedHLC), r.CreatedDevice)
	return err
}

func (w *writeTx) PutField(id, field string, f server.Field) error {
	_, err := w.tx.Exec(w.ctx, `INSERT INTO fields (record_id, field, value, hlc, device, user_name, op_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (record_id, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, device = excluded.device,
		user_name = excluded.user_name, op_id = excluded.op_id`, id, field, []byte(f.Value), int64(f.HLC), f.Device, f.User, f.OpID)
	return err
}

func (w *writeTx) Append(c *wire.Change, now time.Time) (int64, error) {
	c.Seq = w.ws.LastSeq + 1
	body, err := wire.MarshalChange(c)
	if err != nil {
		return 0, err
	}
	if _, err := w.tx.Exec(w.ctx, "INSERT INTO changes (seq, op_id, device, kind, entity_id, body, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		c.Seq, c.OpID, c.Device, c.Kind, c.EntityID, body, now); err != nil {
		return 0, err
	}
	w.ws.LastSeq = c.Seq
	return c.Seq, nil
}

func (w *writeTx) Dependents(scope string) ([]server.Record, error) {
	rows, err := w.tx.Query(w.ctx, "SELECT "+recordCols+" FROM records WHERE scope = $1 ORDER BY id", scope)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (server.Record, error) { return scanRecord(r) })
}

func (w *writeTx) ConflictsOf(id string) ([]wire.Change, error) {
	rows, err := w.tx.Query(w.ctx, "SELECT body FROM changes WHERE entity_id = $1 AND kind = $2 ORDER BY seq", id, wire.KindConflict)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (wire.Change, error) {
		var b []byte
		var c wire.Change
		if err := r.Scan(&b); err != nil {
			return c, err
		}
		return c, json.Unmarshal(b, &c)
	})
}

// Snapshot implements server.Storage: one REPEATABLE READ snapshot, so the record, its
// scope and its fields agree.
func (s *Store) Snapshot(ctx context.Context, id string) (rec, scope server.Record, fields map[string]server.Field, ok bool, err error) {
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		r := &writeTx{ctx: ctx, tx: tx}
		var err error
		if rec, ok, err = r.Record(id); err != nil || !ok {
			return err
		}
		scope = rec
		if rec.Scope != "" {
			sr, found, err := r.Record(rec.Scope)
			if err != nil {
				return err
			}
			if found {
				scope = sr
			}
		}
		fields, err = r.Fields(id)
		return err
	})
	if err != nil {
		return server.Record{}, server.Record{}, nil, false, err
	}
	return rec, scope, fields, ok, nil
}

// pullSQL selects the changes a viewer may see (the same rule as sqlitestore's): an op,
// show or conflict when the record's scope is team-visible or the viewer's; a hide when
// it is neither. A device's own ops are not sent back to it.
const pullSQL = `SELECT c.seq, c.op_id, c.body FROM changes c
	LEFT JOIN records r ON r.id = c.entity_id
	LEFT JOIN records s ON s.id = CASE WHEN r.scope <> '' THEN r.scope ELSE r.id END
	WHERE c.seq > $1 AND c.seq <= $2
	AND NOT (c.device = $3 AND c.kind IN ('create', 'update', 'delete', 'restore', 'append'))
	AND CASE WHEN r.id IS NULL THEN c.kind <> 'hide'
		WHEN c.kind = 'hide' THEN NOT (coalesce(s.visibility, r.visibility) = 'team' OR coalesce(s.owner, r.owner) = $4)
		ELSE coalesce(s.visibility, r.visibility) = 'team' OR coalesce(s.owner, r.owner) = $4 END
	ORDER BY c.seq LIMIT $5`

// Pull implements server.Storage. It reads in one REPEATABLE READ snapshot: last_seq and
// the changes it covers were committed together, so every change up to the end it
// reports is in the snapshot, and none after it is returned.
func (s *Store) Pull(ctx context.Context, q server.PullQuery) ([]server.RawChange, int64, error) {
	var out []server.RawChange
	var through int64
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		ws, err := workspace(ctx, tx, false)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, pullSQL, q.After, ws.LastSeq, q.Device, q.Viewer, q.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		size := 0
		for rows.Next() {
			var c server.RawChange
			if err := rows.Scan(&c.Seq, &c.OpID, (*[]byte)(&c.Body)); err != nil {
				return err
			}
			out = append(out, c)
			if size += len(c.Body); size >= wire.MaxPullBytes {
				through = c.Seq
				return nil
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		through = ws.LastSeq
		if len(out) == q.Limit {
			through = out[len(out)-1].Seq
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, through, nil
}

var _ server.Storage = (*Store)(nil)

func (w *writeTx) OpSeqs(ids []string) (map[string]int64, error) {
	rows, err := w.tx.Query(w.ctx, "SELECT op_id, seq FROM changes WHERE op_id = ANY($1)", ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, err
		}
		out[id] = seq
	}
	return out, rows.Err()
}

func (w *writeTx) Rejections(ids []string) (map[string]wire.Rejection, error) {
	rows, err := w.tx.Query(w.ctx, "SELECT op_id, code, reason FROM rejections WHERE op_id = ANY($1)", ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]wire.Rejection{}
	for rows.Next() {
		var r wire.Rejection
		if err := rows.Scan(&r.OpID, &r.Code, &r.Reason); err != nil {
			return nil, err
		}
		out[r.OpID] = r
	}
	return out, rows.Err()
}

func (w *writeTx) Records(ids []string) (map[string]server.Record, error) {
	rows, err := w.tx.Query(w.ctx, "SELECT "+recordCols+" FROM records WHERE id = ANY($1)", ids)
	if err != nil {
		return nil, err
	}
	recs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (server.Record, error) { return scanRecord(r) })
	if err != nil {
		return nil, err
	}
	out := make(map[string]server.Record, len(recs))
	for _, r := range recs {
		out[r.ID] = r
	}
	return out, nil
}

// PutRecords writes all the records in one statement (arrays unnested).
func (w *writeTx) PutRecords(rs []server.Record) error {
	if len(rs) == 0 {
		return nil
	}
	n := len(rs)
	ids, ents, owners, vis := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	scopes, hlcs, devs := make([]string, 0, n), make([]int64, 0, n), make([]string, 0, n)
	for _, r := range rs {
		ids, ents, owners, vis = append(ids, r.ID), append(ents, r.Entity), append(owners, r.Owner), append(vis, r.Visibility)
		scopes, hlcs, devs = append(scopes, r.Scope), append(hlcs, int64(r.CreatedHLC)), append(devs, r.CreatedDevice)
	}
	_, err := w.tx.Exec(w.ctx, `INSERT INTO records (`+recordCols+`)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])
		ON CONFLICT (id) DO UPDATE SET entity = excluded.entity, owner = excluded.owner, visibility = excluded.visibility,
		scope = excluded.scope, created_hlc = excluded.created_hlc, created_device = excluded.created_device`,
		ids, ents, owners, vis, scopes, hlcs, devs)
	return err
}

// PutFieldRows writes all the fields in one statement (arrays unnested).
func (w *writeTx) PutFieldRows(rows []server.FieldRow) error {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	recs, names, values, hlcs := make([]string, 0, n), make([]string, 0, n), make([][]byte, 0, n), make([]int64, 0, n)
	devices, users, ops := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	for _, r := range rows {
		f := r.Field
		recs, names, values, hlcs = append(recs, r.Record), append(names, r.Name), append(values, []byte(f.Value)), append(hlcs, int64(f.HLC))
		devices, users, ops = append(devices, f.Device), append(users, f.User), append(ops, f.OpID)
	}
	_, err := w.tx.Exec(w.ctx, `INSERT INTO fields (record_id, field, value, hlc, device, user_name, op_id)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[], $5::text[], $6::text[], $7::text[])
		ON CONFLICT (record_id, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, device = excluded.device,
		user_name = excluded.user_name, op_id = excluded.op_id`, recs, names, values, hlcs, devices, users, ops)
	return err
}

// AppendAll writes all the changes in one statement (arrays unnested).
func (w *writeTx) AppendAll(cs []*wire.Change, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	n := len(cs)
	seqs, ops, devs, kinds, ents, bodies := make([]int64, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([][]byte, n)
	for i, c := range cs {
		c.Seq = w.ws.LastSeq + int64(i) + 1
		b, err := wire.MarshalChange(c)
		if err != nil {
			return err
		}
		seqs[i], ops[i], devs[i], kinds[i], ents[i], bodies[i] = c.Seq, c.OpID, c.Device, c.Kind, c.EntityID, b
	}
	if _, err := w.tx.Exec(w.ctx, `INSERT INTO changes (seq, op_id, device, kind, entity_id, body, received_at)
		SELECT s, o, d, k, e, b, $7 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[]) AS t (s, o, d, k, e, b)`,
		seqs, ops, devs, kinds, ents, bodies, now); err != nil {
		return err
	}
	w.ws.LastSeq += int64(n)
	return nil
}
