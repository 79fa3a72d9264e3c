package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Tx is one write transaction: the change and its op-log entries commit together or not
// at all. It carries the change group (what undo reverts) and the clock.
type Tx struct {
	tx      *sql.Tx
	db      *DB
	ctx     context.Context
	now     time.Time
	group   string
	summary string
	undoes  string
	clock   HLC
	ops     int
	// reindex collects the records whose search rows must be rebuilt before commit.
	reindex map[ref]bool
	// bulk skips per-record indexing; the caller rebuilds the index once.
	bulk  bool
	stmts map[string]*sql.Stmt
}

// exec runs a statement through a per-transaction cache of prepared statements, which
// matters when one transaction writes thousands of rows.
func (t *Tx) exec(q string, args ...any) (sql.Result, error) {
	st, ok := t.stmts[q]
	if !ok {
		var err error
		if st, err = t.tx.PrepareContext(t.ctx, q); err != nil {
			return nil, err
		}
		if t.stmts == nil {
			t.stmts = map[string]*sql.Stmt{}
		}
		t.stmts[q] = st
	}
	return st.ExecContext(t.ctx, args...)
}

type ref struct{ entity, id string }

// write runs fn in one immediate transaction that is recorded as one change group with
// the given summary (shown by history and undo). A group that wrote no op is not recorded.
func (db *DB) write(ctx context.Context, summary string, fn func(t *Tx) error) error {
	sqlTx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer sqlTx.Rollback()
	t := &Tx{tx: sqlTx, db: db, ctx: ctx, now: db.Now(), group: newID(), summary: summary, reindex: map[ref]bool{}}
	// The clock is read inside the write lock, so two processes never issue the same reading
	// and a restart continues where the last writer stopped.
	var stored string
	if err := sqlTx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'hlc'").Scan(&stored); err != nil {
		return fmt.Errorf("read clock: %w", err)
	}
	if t.clock, err = ParseHLC(stored); err != nil {
		return err
	}
	defer func() {
		for _, st := range t.stmts {
			st.Close()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flushIndex(); err != nil {
		return err
	}
	if t.ops > 0 {
		if _, err := sqlTx.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = 'hlc'", t.clock.String()); err != nil {
			return fmt.Errorf("save clock: %w", err)
		}
		var seq int64
		if err := sqlTx.QueryRowContext(ctx, "SELECT max(seq) FROM ops").Scan(&seq); err != nil {
			return fmt.Errorf("record change: %w", err)
		}
		_, err := sqlTx.ExecContext(ctx, `INSERT INTO op_groups (id, seq, at, device, summary, undoes)
			VALUES (?, ?, ?, ?, ?, ?)`, t.group, seq, fmtTime(t.now), db.device, t.summary, nullStr(t.undoes))
		if err != nil {
			return fmt.Errorf("record change: %w", err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return mapErr(err)
	}
	db.mu.Lock()
	if t.clock > db.lastHLC {
		db.lastHLC = t.clock
	}
	db.mu.Unlock()
	return nil
}

// tick advances the transaction's clock for one op.
func (t *Tx) tick() HLC {
	t.clock = t.clock.Next(t.now)
	return t.clock
}

// Fields maps a record's field names to values: nil, string, int64, bool, or for the
// list fields (emails, phones) a slice. Tag membership is the field "tag:NAME" (bool).
type Fields map[string]any

// Op is one entry of the op log.
type Op struct {
	Seq      int64     `json:"seq"`
	OpID     string    `json:"op_id"`
	GroupID  string    `json:"group_id"`
	HLC      HLC       `json:"hlc"`
	Device   string    `json:"device"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Kind     string    `json:"kind"`
	Fields   Fields    `json:"fields"`
	Old      Fields    `json:"old,omitempty"`
	Base     Fields    `json:"base,omitempty"`
	At       time.Time `json:"at"`
}

// Op kinds.
const (
	OpCreate  = "create"
	OpUpdate  = "update"
	OpDelete  = "delete"
	OpRestore = "restore"
	OpAppend  = "append"
)

// logOp appends one op. base holds the field clocks the editor saw (nil for creates).
func (t *Tx) logOp(entity, id, kind string, fields, old, base Fields) (HLC, error) {
	h := t.tick()
	fj, err := json.Marshal(fields)
	if err != nil {
		return 0, fmt.Errorf("encode op: %w", err)
	}
	var oj, bj any
	if old != nil {
		b, err := json.Marshal(old)
		if err != nil {
			return 0, fmt.Errorf("encode op: %w", err)
		}
		oj = string(b)
	}
	if base != nil {
		b, err := json.Marshal(base)
		if err != nil {
			return 0, fmt.Errorf("encode op: %w", err)
		}
		bj = string(b)
	}
	_, err = t.exec(`INSERT INTO ops (op_id, group_id, hlc, device, entity, entity_id, kind, fields, old, base, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, newID(), t.group, int64(h), t.db.device, entity, id, kind, string(fj), oj, bj, fmtTime(t.now))
	if err != nil {
		return 0, fmt.Errorf("write op log: %w", err)
	}
	t.ops++
	return h, nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// mapErr turns SQLite constraint failures into the store's sentinels.
func mapErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CONSTRAINT:
			return fmt.Errorf("%w: %s", ErrConflict, strings.TrimPrefix(se.Error(), "constraint failed: "))
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("database is busy (another rolo is writing); try again: %w", err)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("database is read-only: %w", err)
		}
	}
	return err
}
