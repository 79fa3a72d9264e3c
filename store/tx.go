package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	// offset corrects the wall clock when stamping (see SyncClockOffset).
	offset time.Duration
	ops    int
	// reindex collects the records whose search rows must be rebuilt before commit.
	reindex map[ref]bool
	// bulk skips per-record indexing; the caller rebuilds the index once.
	bulk  bool
	stmts map[string]*sql.Stmt
	// nowStr is now in the stored format, made once per transaction.
	nowStr string
	// opArgs holds the op-log rows a bulk load has not written yet (opValues values each).
	opArgs []any
	// rows holds the record rows a bulk load has not written yet, and w runs the writes
	// of a bulk load in the background (see bulkrows.go).
	rows *bulkRows
	w    *writer
	// conn is the transaction's connection, in a bulk load (the writer runs on it).
	conn *sql.Conn
	// bulkWrote names the kinds of record a bulk load created or changed.
	bulkWrote map[string]bool
	// search is how a bulk load indexes its new contacts as they go in (bulksearch.go).
	search *bulkSearch
	// optimistic applies runs of pulled changes without a savepoint each: a failed run
	// fails the transaction (errBulkFailed), which is then done again with savepoints.
	// A savepoint copies every page the run changes to the statement journal first,
	// a temporary file once it outgrows 64 KiB: a run's hundreds of megabytes.
	optimistic bool
	// touchLater, in a first pull, holds the contacts whose last-touched times runs of
	// pulled creates left to later (see touchRun); nil: set them at once.
	touchLater map[string]bool
}

// nowText is the transaction's time in the stored format.
func (t *Tx) nowText() string {
	if t.nowStr == "" {
		t.nowStr = fmtTime(t.now)
	}
	return t.nowStr
}

// exec runs a statement through a per-transaction cache of prepared statements, which
// matters when one transaction writes thousands of rows.
func (t *Tx) exec(q string, args ...any) (sql.Result, error) {
	st, err := t.prepared(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

// query runs a query through the transaction's statement cache.
func (t *Tx) query(q string, args ...any) (*sql.Rows, error) {
	st, err := t.prepared(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(t.ctx, args...)
}

// prepared returns q prepared on the transaction, preparing it on first use: parsing
// SQL is a third of the work of small writes such as a pulled page's.
func (t *Tx) prepared(q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(t.ctx, q)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[q] = st
	return st, nil
}

type ref struct{ entity, id string }

// txKey marks a context made inside a write: it carries the write's transaction.
type txKey struct{}

func withTx(ctx context.Context, tx *sql.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// reader is what a read runs on: the transaction of the write it is made in (a read that
// checks what it is about to change, with Tx.ctx), or else the pool. On the pool it would
// wait for a second connection while the write holds the first, forever when the pool has
// one (the TUI's), and it would not see the write's own changes.
func (db *DB) reader(ctx context.Context) interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
} {
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return tx
	}
	return db.sql
}

// write runs fn in one immediate transaction that is recorded as one change group with
// the given summary (shown by history and undo). A group that wrote no op is not recorded.
func (db *DB) write(ctx context.Context, summary string, fn func(t *Tx) error) error {
	return db.writeTx(ctx, summary, false, fn)
}

// writeTx is write; bulk runs the transaction on a connection of its own, set up for a
// bulk load (statement journals in memory), which the bulk writer runs on.
func (db *DB) writeTx(ctx context.Context, summary string, bulk bool, fn func(t *Tx) error) (err error) {
	// A cancelled context makes database/sql close the transaction's statements, so the
	// failure may surface as "statement is closed"; report it as the cancellation it is.
	defer func() {
		if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w: %v", ctx.Err(), err)
		}
	}()
	begin := db.sql.BeginTx
	var bulkConn *sql.Conn
	if bulk {
		// Each multi-row INSERT of a bulk load may fail halfway (a constraint), so
		// SQLite keeps a journal of every page it changes; past 64 KiB that journal is a
		// temporary file, which an import of 100,000 contacts wrote 120,000 times, two
		// system calls each. A bulk load has no savepoints, so each statement's journal
		// is freed when it ends.
		conn, done, err := db.setUpConn(ctx, memJournalSetting)
		if err != nil {
			return err
		}
		defer done()
		begin, bulkConn = conn.BeginTx, conn
	}
	sqlTx, err := begin(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer sqlTx.Rollback()
	t := &Tx{tx: sqlTx, db: db, ctx: withTx(ctx, sqlTx), now: db.Now(), group: newID(), summary: summary, reindex: map[ref]bool{}}
	t.bulk, t.conn = bulk, bulkConn
	// The clock is read inside the write lock, so two processes never issue the same reading
	// and a restart continues where the last writer stopped.
	if t.clock, t.offset, err = db.readClock(ctx, sqlTx); err != nil {
		return err
	}
	defer func() {
		t.stopWriter()
		t.search.close()
		for _, st := range t.stmts {
			st.Close()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := t.settle(); err != nil {
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
			VALUES (?, ?, ?, ?, ?, ?)`, t.group, seq, t.nowText(), db.device, t.summary, nullStr(t.undoes))
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

// connSetting is a pragma a connection keeps for one transaction: set before it
// begins (SQLite reads some settings only then), and back to restore after it ends.
type connSetting struct{ pragma, value, restore string }

// memJournalSetting keeps statement journals (and sorts) in memory: for transactions
// without long savepoints, whose journal would grow with every page they change.
var memJournalSetting = connSetting{"temp_store", "MEMORY", "DEFAULT"}

// setUpConn takes a connection from the pool and makes settings on it. done, called once
// the transaction has ended, puts them back, detaches any database the transaction
// attached (a bulk load's search index built aside) and returns the connection; one
// that cannot be put back as it was is closed instead, so that no other work runs with
// it.
func (db *DB) setUpConn(ctx context.Context, settings ...connSetting) (conn *sql.Conn, done func(), err error) {
	if conn, err = db.sql.Conn(ctx); err != nil {
		return nil, nil, mapErr(err)
	}
	set := 0
	done = func() {
		ctx := context.WithoutCancel(ctx)
		err := detachAll(ctx, conn)
		for _, s := range slices.Backward(settings[:set]) {
			if err != nil {
				break
			}
			_, err = conn.ExecContext(ctx, "PRAGMA "+s.pragma+" = "+s.restore)
		}
		if err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}
	for _, s := range settings {
		if _, err := conn.ExecContext(ctx, "PRAGMA "+s.pragma+" = "+s.value); err != nil {
			done()
			return nil, nil, fmt.Errorf("set %s: %w", s.pragma, err)
		}
		set++
	}
	return conn, done, nil
}

// detachAll detaches every database attached to conn. It must run outside a
// transaction: one that has read an attached database holds it until it ends.
func detachAll(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, "SELECT name FROM pragma_database_list WHERE name NOT IN ('main', 'temp')")
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		names = append(names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range names {
		if _, err := conn.ExecContext(ctx, `DETACH "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
			return err
		}
	}
	return nil
}

// tick advances the transaction's clock for one op.
func (t *Tx) tick() HLC {
	t.clock = t.clock.Next(t.now.Add(t.offset))
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
	if kind != OpCreate {
		t.search.changed(entity)
	}
	h := t.tick()
	fj, err := encodeFields(fields)
	if err != nil {
		return 0, fmt.Errorf("encode op: %w", err)
	}
	var oj, bj any
	if old != nil {
		b, err := encodeFields(old)
		if err != nil {
			return 0, fmt.Errorf("encode op: %w", err)
		}
		oj = string(b)
	}
	if base != nil {
		b, err := encodeFields(base)
		if err != nil {
			return 0, fmt.Errorf("encode op: %w", err)
		}
		bj = string(b)
	}
	args := []any{newID(), t.group, int64(h), t.db.device, entity, id, kind, string(fj), oj, bj, t.nowText()}
	if t.bulk {
		// A bulk load writes its ops opBatch rows per statement: the same rows in the same
		// order (so the same seq numbers), for a fraction of the per-statement cost.
		t.opArgs = append(t.opArgs, args...)
		t.ops++
		if len(t.opArgs) >= opBatch*opValues {
			return h, t.flushOps()
		}
		return h, nil
	}
	if _, err := t.exec(opInsert, args...); err != nil {
		return 0, fmt.Errorf("write op log: %w", err)
	}
	t.ops++
	return h, nil
}

const (
	opValues = 11 // values per op-log row
	opBatch  = 64 // op-log rows per statement in a bulk load
)

// opInsert is the INSERT of one op-log row.
const opInsert = "INSERT INTO ops (op_id, group_id, hlc, device, entity, entity_id, kind, fields, old, base, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// flushOps writes the op-log rows a bulk load has queued (through the writer: see
// bulkrows.go).
func (t *Tx) flushOps() error {
	if len(t.opArgs) == 0 {
		return nil
	}
	args := t.opArgs
	t.opArgs = make([]any, 0, cap(args))
	if t.rows == nil {
		t.rows = &bulkRows{byQuery: map[string]*rowBatch{}}
	}
	q, args := t.rows.statement(shapeOf(opInsert), len(args)/opValues, args)
	return t.execLater("write op log", q, args)
}

// encodeFields renders fields exactly as json.Marshal does (keys in order, HTML-safe
// escaping) but without reflection for the values records hold: strings, integers,
// booleans, nil and the email and phone lists. Anything else goes through json.Marshal.
// Every record written is one op, so this runs a million times in a bulk load.
func encodeFields(f Fields) ([]byte, error) {
	if f == nil {
		return json.Marshal(f)
	}
	var keyBuf [24]string
	keys := keyBuf[:0]
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 64*len(keys))
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		var ok bool
		if b, ok = appendJSONValue(b, f[k]); !ok {
			return json.Marshal(f)
		}
	}
	return append(b, '}'), nil
}

func appendJSONValue(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), true
	case string:
		return appendJSONString(b, x), true
	case bool:
		return strconv.AppendBool(b, x), true
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case int:
		return strconv.AppendInt(b, int64(x), 10), true
	case []Email:
		if x == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"email":`...)
			b = appendJSONString(b, e.Email)
			if e.Label != "" {
				b = append(b, `,"label":`...)
				b = appendJSONString(b, e.Label)
			}
			b = append(b, '}')
		}
		return append(b, ']'), true
	case []Phone:
		if x == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, p := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"phone":`...)
			b = appendJSONString(b, p.Phone)
			if p.Label != "" {
				b = append(b, `,"label":`...)
				b = appendJSONString(b, p.Label)
			}
			b = append(b, '}')
		}
		return append(b, ']'), true
	}
	return b, false
}

// appendJSONString quotes s as json.Marshal does. Strings that need no escaping (the
// usual case: printable text, valid UTF-8) are copied; the rest go through json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	high := false
	for i := 0; i < len(s); i++ {
		switch jsonByte[s[i]] {
		case jsonEscape:
			return appendMarshaled(b, s)
		case jsonHigh:
			high = true
		}
	}
	if high && (!utf8.ValidString(s) || strings.ContainsRune(s, '\u2028') || strings.ContainsRune(s, '\u2029')) {
		return appendMarshaled(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonByte classes the bytes of a string for appendJSONString.
var jsonByte = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c < 0x20, c == '"', c == '\\', c == '<', c == '>', c == '&':
			t[c] = jsonEscape
		case c >= utf8.RuneSelf:
			t[c] = jsonHigh
		}
	}
	return t
}()

const (
	jsonPlain = iota
	jsonEscape
	jsonHigh
)

func appendMarshaled(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
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
