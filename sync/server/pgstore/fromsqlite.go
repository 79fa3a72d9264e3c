package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rolo-crm/rolo/sync/server/sqlitestore"
	_ "modernc.org/sqlite" // the "sqlite" driver, to read the embedded server's file
)

// MigrationReport counts what MigrateFromSQLite copied.
type MigrationReport struct {
	Team    string
	Epoch   string
	LastSeq int64
	// Rows copied per table.
	Rows map[string]int64
}

// column is one column to copy: its name in SQLite, its name in PostgreSQL, and how to
// read it from SQLite.
type column struct {
	from, to string
	kind     byte // 's' text, 'n' nullable text, 'i' integer, 'b' boolean, 'x' blob, 'j' text kept as bytes, 't' time, 'u' nullable time
}

// copyTables lists the embedded server's tables (sqlitestore's schema) in an order that
// satisfies the foreign keys.
var copyTables = []struct {
	name string
	cols []column
}{
	{"workspace", []column{{"id", "id", 'i'}, {"team", "team", 's'}, {"epoch", "epoch", 's'}, {"last_seq", "last_seq", 'i'}, {"created_at", "created_at", 't'}}},
	{"users", []column{{"name", "name", 's'}, {"admin", "admin", 'b'}, {"created_at", "created_at", 't'}}},
	{"devices", []column{{"id", "id", 's'}, {"user", "user_name", 's'}, {"name", "name", 's'}, {"created_at", "created_at", 't'},
		{"last_seen", "last_seen", 't'}, {"revoked_at", "revoked_at", 'u'}}},
	{"tokens", []column{{"id", "id", 's'}, {"sha256", "sha256", 'x'}, {"device", "device", 's'}, {"created_at", "created_at", 't'}}},
	{"invites", []column{{"id", "id", 's'}, {"sha256", "sha256", 'x'}, {"user", "user_name", 's'}, {"admin", "admin", 'b'},
		{"created_at", "created_at", 't'}, {"expires_at", "expires_at", 't'}, {"used_at", "used_at", 'u'}, {"used_by", "used_by", 'n'}}},
	{"records", []column{{"id", "id", 's'}, {"entity", "entity", 's'}, {"owner", "owner", 's'}, {"visibility", "visibility", 's'},
		{"scope", "scope", 's'}, {"created_hlc", "created_hlc", 'i'}, {"created_device", "created_device", 's'}}},
	{"fields", []column{{"record_id", "record_id", 's'}, {"field", "field", 's'}, {"value", "value", 'j'}, {"hlc", "hlc", 'i'},
		{"device", "device", 's'}, {"user", "user_name", 's'}, {"op_id", "op_id", 's'}}},
	{"changes", []column{{"seq", "seq", 'i'}, {"op_id", "op_id", 's'}, {"device", "device", 's'}, {"kind", "kind", 's'},
		{"entity_id", "entity_id", 's'}, {"body", "body", 'j'}, {"received_at", "received_at", 't'}}},
	{"rejections", []column{{"op_id", "op_id", 's'}, {"device", "device", 's'}, {"code", "code", 's'}, {"reason", "reason", 's'}, {"at", "at", 't'}}},
}

// optionalTables may be missing from a file an older rolo wrote (it had no such table).
var optionalTables = map[string]bool{"rejections": true}

// MigrateFromSQLite copies an embedded (SQLite) sync server's data at sqlitePath into
// pg, whose tables must be empty: the workspace with its epoch and last seq, users,
// devices, token and invite hashes, records, fields, conflicts and the whole change log
// with its seqs. Devices' cursors stay valid (same epoch, same seqs) and their tokens
// keep working, so they sync on against the new server as if nothing happened. Stop the
// SQLite server first. Everything is copied in one PostgreSQL transaction, from one
// SQLite snapshot, and the row counts are checked before it commits: on any error
// nothing is written.
func MigrateFromSQLite(ctx context.Context, sqlitePath string, pg *Store) (MigrationReport, error) {
	rep := MigrationReport{Rows: map[string]int64{}}
	if _, err := os.Stat(sqlitePath); err != nil {
		return rep, fmt.Errorf("migrate: %w", err)
	}
	src, err := sql.Open("sqlite", "file:"+(&url.URL{Path: sqlitePath}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return rep, fmt.Errorf("migrate: %w", err)
	}
	defer src.Close()
	stx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return rep, fmt.Errorf("migrate: open %s: %w", sqlitePath, err)
	}
	defer stx.Rollback()
	var n int
	if err := stx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('workspace', 'changes')").Scan(&n); err != nil {
		return rep, fmt.Errorf("migrate: read %s: %w", sqlitePath, err)
	}
	if n != 2 {
		return rep, fmt.Errorf("migrate: %s is not a rolo server's storage", sqlitePath)
	}
	// Every format up to this build's reads into this schema; a newer one may not.
	var version int
	if err := stx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return rep, fmt.Errorf("migrate: read %s: %w", sqlitePath, err)
	}
	if version > sqlitestore.Version {
		return rep, fmt.Errorf("migrate: %s is in format version %d, newer than this rolo's %d: upgrade rolo", sqlitePath, version, sqlitestore.Version)
	}
	if err := stx.QueryRowContext(ctx, "SELECT team, epoch, last_seq FROM workspace WHERE id = 1").Scan(&rep.Team, &rep.Epoch, &rep.LastSeq); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return rep, fmt.Errorf("migrate: %s has no workspace (never initialised): nothing to move", sqlitePath)
		}
		return rep, fmt.Errorf("migrate: read %s: %w", sqlitePath, err)
	}
	want := map[string]int64{}
	tables := copyTables[:0:0]
	for _, t := range copyTables {
		if optionalTables[t.name] {
			var n int
			if err := stx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", t.name).Scan(&n); err != nil {
				return rep, fmt.Errorf("migrate: read %s: %w", sqlitePath, err)
			}
			if n == 0 {
				continue
			}
		}
		tables = append(tables, t)
		var c int64
		if err := stx.QueryRowContext(ctx, "SELECT count(*) FROM "+t.name).Scan(&c); err != nil {
			return rep, fmt.Errorf("migrate: count %s: %w", t.name, err)
		}
		want[t.name] = c
	}
	var maxSeq int64
	if err := stx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&maxSeq); err != nil {
		return rep, fmt.Errorf("migrate: read %s: %w", sqlitePath, err)
	}
	if maxSeq != rep.LastSeq || want["changes"] != rep.LastSeq {
		return rep, fmt.Errorf("migrate: %s is inconsistent: last seq %d, %d changes up to seq %d; run an integrity check first",
			sqlitePath, rep.LastSeq, want["changes"], maxSeq)
	}

	err = pgx.BeginFunc(ctx, pg.pool, func(tx pgx.Tx) error {
		names := make([]string, len(copyTables))
		for i, t := range copyTables {
			names[i] = t.name
		}
		// No replica writes while the copy runs (they would find no workspace anyway).
		if _, err := tx.Exec(ctx, "LOCK TABLE "+strings.Join(names, ", ")+" IN EXCLUSIVE MODE"); err != nil {
			return err
		}
		for _, t := range copyTables {
			var nonEmpty bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+t.name+")").Scan(&nonEmpty); err != nil {
				return err
			}
			if nonEmpty {
				return fmt.Errorf("the PostgreSQL database already holds a sync server's data (table %s is not empty); migrate into an empty database", t.name)
			}
		}
		for _, t := range tables {
			got, err := copyTable(ctx, stx, tx, t.name, t.cols)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			var c int64
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+t.name).Scan(&c); err != nil {
				return err
			}
			if got != want[t.name] || c != want[t.name] {
				return fmt.Errorf("copy %s: %d rows in SQLite, %d read, %d in PostgreSQL", t.name, want[t.name], got, c)
			}
			rep.Rows[t.name] = c
		}
		var ws struct {
			epoch                string
			last, maxSeq, minSeq int64
		}
		if err := tx.QueryRow(ctx, `SELECT w.epoch, w.last_seq, coalesce(max(c.seq), 0), coalesce(min(c.seq), 1)
			FROM workspace w LEFT JOIN changes c ON true GROUP BY w.epoch, w.last_seq`).Scan(&ws.epoch, &ws.last, &ws.maxSeq, &ws.minSeq); err != nil {
			return err
		}
		if ws.epoch != rep.Epoch || ws.last != rep.LastSeq || ws.maxSeq != rep.LastSeq || ws.minSeq != 1 {
			return fmt.Errorf("after the copy the log is epoch %s, last seq %d, seqs %d..%d; want epoch %s and seqs 1..%d",
				ws.epoch, ws.last, ws.minSeq, ws.maxSeq, rep.Epoch, rep.LastSeq)
		}
		return nil
	})
	if err != nil {
		return MigrationReport{}, fmt.Errorf("migrate: %w", err)
	}
	return rep, nil
}

// copyTable streams one SQLite table into PostgreSQL with COPY and returns the rows read.
func copyTable(ctx context.Context, stx *sql.Tx, tx pgx.Tx, table string, cols []column) (int64, error) {
	from := make([]string, len(cols))
	to := make([]string, len(cols))
	for i, c := range cols {
		from[i], to[i] = `"`+c.from+`"`, c.to
	}
	rows, err := stx.QueryContext(ctx, "SELECT "+strings.Join(from, ", ")+" FROM "+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	src := &sqliteRows{rows: rows, cols: cols}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, to, src); err != nil {
		return src.n, err
	}
	return src.n, src.Err()
}

// sqliteRows adapts SQLite rows to pgx.CopyFromSource, converting each column.
type sqliteRows struct {
	rows *sql.Rows
	cols []column
	vals []any
	err  error
	n    int64
}

func (r *sqliteRows) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	raw := make([]any, len(r.cols))
	dest := make([]any, len(r.cols))
	for i := range raw {
		dest[i] = &raw[i]
	}
	if r.err = r.rows.Scan(dest...); r.err != nil {
		return false
	}
	r.vals = make([]any, len(r.cols))
	for i, c := range r.cols {
		v, err := convert(raw[i], c.kind)
		if err != nil {
			r.err = fmt.Errorf("row %d, column %s: %w", r.n+1, c.from, err)
			return false
		}
		r.vals[i] = v
	}
	r.n++
	return true
}

func (r *sqliteRows) Values() ([]any, error) { return r.vals, r.err }

func (r *sqliteRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// sqliteTime is the embedded server's time format (sqlitestore writes UTC milliseconds).
const sqliteTime = "2006-01-02T15:04:05.000Z"

func convert(v any, kind byte) (any, error) {
	if v == nil {
		if kind == 'n' || kind == 'u' {
			return nil, nil
		}
		return nil, errors.New("NULL in a NOT NULL column")
	}
	text := func() (string, bool) {
		switch x := v.(type) {
		case string:
			return x, true
		case []byte:
			return string(x), true
		}
		return "", false
	}
	switch kind {
	case 's', 'n':
		if s, ok := text(); ok {
			return s, nil
		}
	case 'j':
		if s, ok := text(); ok {
			return []byte(s), nil
		}
	case 'x':
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case 'i':
		if x, ok := v.(int64); ok {
			return x, nil
		}
	case 'b':
		if x, ok := v.(int64); ok {
			return x != 0, nil
		}
	case 't', 'u':
		if s, ok := text(); ok {
			t, err := time.Parse(sqliteTime, s)
			if err != nil {
				if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
					return nil, fmt.Errorf("time %q: %w", s, err)
				}
			}
			return t.UTC(), nil
		}
	}
	return nil, fmt.Errorf("unexpected %T value", v)
}
