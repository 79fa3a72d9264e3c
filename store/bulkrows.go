package store

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// A bulk load (demo data, a large import) writes its new rows many to a statement: the
// rows of one shape (table and column set) queue up and go in as one multi-row INSERT,
// which spends the per-statement cost (database/sql, binding, a VDBE program start)
// once per batch instead of once per row. The rows of a batch are the same rows in the
// same order as one INSERT each would write.
//
// Links must point to rows already written (foreign keys are checked at the end of each
// statement), so pending batches are written parents first (batchRank), all of them
// whenever one is full, and before anything else in the transaction reads or changes
// records (Tx.update, the end of the bulk load's own work: see settle).

// rowBatchRows is how many rows one multi-row INSERT carries.
var rowBatchRows = 100

// batchRank orders tables so that every row's links are written before it.
var batchRank = map[string]int{
	"companies": 0, "stages": 0, "contacts": 1, "deals": 2, "interactions": 3, "follow_ups": 4,
	"contact_emails": 5, "contact_phones": 5, "tags": 5,
}

// rowBatch is the queued rows of one INSERT shape.
type rowBatch struct {
	batchShape
	rows int
	args []any
}

// batchShape is a single-row INSERT split into its head and its tuple.
type batchShape struct {
	table string
	head  string   // "INSERT INTO t (a, b) VALUES "
	tuple string   // "(?, ?)"
	cols  []string // a, b
}

// bulkRows is a transaction's pending batches, in the order their shapes first came.
type bulkRows struct {
	byQuery map[string]*rowBatch
	order   []*rowBatch
	pending int
	// statements caches the text of the INSERTs written with literals (see statement);
	// tuples holds their tuples, and shared counts the tuples of each head.
	statements map[stmtKey]string
	tuples     map[[2]string]bool
	shared     map[string]int
}

// batchShapes caches how a single-row INSERT splits into its head and its tuple.
var batchShapes sync.Map // string → batchShape

func shapeOf(q string) batchShape {
	if v, ok := batchShapes.Load(q); ok {
		return v.(batchShape)
	}
	i := strings.Index(q, " VALUES ")
	s := batchShape{head: q[:i+len(" VALUES ")], tuple: q[i+len(" VALUES "):]}
	f := strings.Fields(strings.TrimPrefix(strings.TrimPrefix(q, "INSERT OR IGNORE INTO "), "INSERT INTO "))
	s.table = f[0]
	if open, end := strings.IndexByte(s.head, '('), strings.LastIndexByte(s.head, ')'); open >= 0 && end > open {
		for _, c := range strings.Split(s.head[open+1:end], ",") {
			s.cols = append(s.cols, strings.TrimSpace(c))
		}
	}
	batchShapes.Store(q, s)
	return s
}

// insert writes one row with the single-row INSERT q: at once, or in a bulk load queued
// with the rows of the same shape.
func (t *Tx) insert(q string, args ...any) error {
	if !t.bulk {
		_, err := t.exec(q, args...)
		return err
	}
	if t.rows == nil {
		t.rows = &bulkRows{byQuery: map[string]*rowBatch{}}
	}
	b := t.rows.byQuery[q]
	if b == nil {
		b = &rowBatch{batchShape: shapeOf(q)}
		t.rows.byQuery[q] = b
		t.rows.order = append(t.rows.order, b)
	}
	b.args = append(b.args, args...)
	b.rows++
	t.rows.pending++
	if b.rows >= rowBatchRows {
		return t.flushRows()
	}
	return nil
}

// flushRows writes every queued row, parents first.
func (t *Tx) flushRows() error {
	if t.rows != nil && t.rows.pending > 0 {
		order := slices.Clone(t.rows.order)
		slices.SortStableFunc(order, func(a, b *rowBatch) int { return batchRank[a.table] - batchRank[b.table] })
		for _, b := range order {
			if b.rows == 0 {
				continue
			}
			t.search.written(b)
			q, args := t.rows.statement(b.batchShape, b.rows, b.args)
			if err := t.execLater("write "+b.table, q, args); err != nil {
				return err
			}
			// The writer owns the sent arguments now.
			b.args, b.rows = make([]any, 0, cap(b.args)), 0
		}
		t.rows.pending = 0
	}
	return nil
}

// A bulk load's batches are written by a second goroutine, the writer, while the first
// builds the next ones (field maps, op-log JSON, ids): the work of Go and the work of
// SQLite overlap, on two cores. The writer runs the statements in the order they were
// sent. Whatever must see them waits for the writer first (settle).
//
// The writer runs its statements on the SQLite driver's connection directly (the
// transaction's own, through sql.Conn.Raw): database/sql would check and convert each of
// a load's millions of arguments again, and allocate for it, for nothing.

// writer is a transaction's background statement runner.
type writer struct {
	jobs  chan writeJob
	done  chan struct{}
	stmts map[string]driver.Stmt
	// args is the arguments of the statement being run, reused.
	args []driver.NamedValue
	// err is the first failure; later jobs are skipped. Read by the sender only after
	// a sync reply (or done) has been received.
	err error
}

type writeJob struct {
	what string
	q    string
	args []any
	sync chan error // a sync job: reply with the first error so far
}

// execLater runs q with args: in a bulk load on the writer, else at once. It reports an
// earlier failure of the writer if there was one.
func (t *Tx) execLater(what, q string, args []any) error {
	if !t.bulk || t.conn == nil { // no connection of its own: the writer has none to run on
		if _, err := t.exec(q, args...); err != nil {
			return fmt.Errorf("%s: %w", what, mapErr(err))
		}
		return nil
	}
	if t.w == nil {
		t.w = &writer{jobs: make(chan writeJob, 8), done: make(chan struct{}), stmts: map[string]driver.Stmt{}}
		go t.runWriter(t.w)
	}
	select {
	case t.w.jobs <- writeJob{what: what, q: q, args: args}:
		return nil
	case <-t.w.done:
		return t.w.err
	}
}

func (t *Tx) runWriter(w *writer) {
	defer close(w.done)
	for j := range w.jobs {
		if j.sync != nil {
			j.sync <- w.err
			continue
		}
		if w.err != nil {
			continue
		}
		if err := t.conn.Raw(func(dc any) error { return w.run(t.ctx, dc, j) }); err != nil {
			w.err = fmt.Errorf("bulk load: %s: %w", j.what, mapErr(err))
		}
	}
}

// run runs one job on the driver's connection dc.
func (w *writer) run(ctx context.Context, dc any, j writeJob) error {
	st, ok := w.stmts[j.q]
	if !ok {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errors.New("the SQLite driver cannot prepare statements")
		}
		var err error
		if st, err = prep.PrepareContext(ctx, j.q); err != nil {
			return err
		}
		w.stmts[j.q] = st
	}
	exec, ok := st.(driver.StmtExecContext)
	if !ok {
		return errors.New("the SQLite driver cannot run statements")
	}
	w.args = w.args[:0]
	for i, a := range j.args {
		v, err := driverValue(a)
		if err != nil {
			return fmt.Errorf("argument %d: %w", i+1, err)
		}
		w.args = append(w.args, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	_, err := exec.ExecContext(ctx, w.args)
	clear(w.args) // let the values go
	return err
}

// driverValue converts an argument as database/sql would for the SQLite driver: the
// types the store writes are values already.
func driverValue(a any) (driver.Value, error) {
	switch a.(type) {
	case nil, string, int64, float64, bool, []byte, time.Time:
		return a, nil
	}
	return driver.DefaultParameterConverter.ConvertValue(a)
}

// settle writes every queued row and op and waits until the writer has run them, so
// the transaction can be read and changed directly again.
func (t *Tx) settle() error {
	if err := t.flushRows(); err != nil {
		return err
	}
	if err := t.search.flush(t, true); err != nil {
		return err
	}
	if err := t.flushOps(); err != nil {
		return err
	}
	if t.w == nil {
		return nil
	}
	reply := make(chan error, 1)
	select {
	case t.w.jobs <- writeJob{sync: reply}:
	case <-t.w.done:
		return t.w.err
	}
	return <-reply
}

// stopWriter ends the writer goroutine and closes its statements.
func (t *Tx) stopWriter() {
	if t.w == nil {
		return
	}
	close(t.w.jobs)
	<-t.w.done
	t.conn.Raw(func(any) error {
		for _, st := range t.w.stmts {
			st.Close()
		}
		return nil
	})
	t.w = nil
}

// sharedColumns are the columns in which a bulk load repeats one value in every row: the
// transaction's device, time and change group, the database's owner and default
// visibility, the kind of record and of change. When every row of a batch holds the same
// value in such a column, the statement carries it once, as a literal, instead of each
// row binding it: a load binds millions of arguments, and the driver copies each text.
var sharedColumns = map[string]bool{"device": true, "group_id": true, "at": true, "owner": true, "visibility": true,
	"created_at": true, "updated_at": true, "entity": true, "kind": true, "old": true, "base": true}

// maxSharedStatements bounds the tuples with literals one head may have in a
// transaction: past it, new ones are bound as usual. (A column that repeats a value
// only now and then, or values that change from batch to batch, would otherwise make a
// new statement for SQLite to compile each time.)
const maxSharedStatements = 4

type stmtKey struct {
	head, tuple string
	rows        int
}

// statement is the multi-row INSERT of s for rows rows with args, and the arguments it
// binds: the sharedColumns whose value every row holds are written once, as literals.
func (r *bulkRows) statement(s batchShape, rows int, args []any) (string, []any) {
	per := len(s.cols)
	if rows < 2 || per == 0 || len(args) != rows*per {
		return batchInsert(s.head, s.tuple, rows), args
	}
	var lits []string // by column; "" binds
	for c, name := range s.cols {
		if !sharedColumns[name] {
			continue
		}
		lit, ok := sqlLiteral(args[c])
		for i := c + per; ok && i < len(args); i += per {
			ok = sameLiteral(args[i], args[c])
		}
		if ok {
			if lits == nil {
				lits = make([]string, per)
			}
			lits[c] = lit
		}
	}
	if lits == nil {
		return batchInsert(s.head, s.tuple, rows), args
	}
	var tuple strings.Builder
	tuple.WriteByte('(')
	for c, lit := range lits {
		if c > 0 {
			tuple.WriteString(", ")
		}
		tuple.WriteString(cmp.Or(lit, "?"))
	}
	tuple.WriteByte(')')
	key := stmtKey{s.head, tuple.String(), rows}
	q, ok := r.statements[key]
	if !ok {
		if r.statements == nil {
			r.statements, r.tuples, r.shared = map[stmtKey]string{}, map[[2]string]bool{}, map[string]int{}
		}
		if t := [2]string{s.head, key.tuple}; !r.tuples[t] {
			if r.shared[s.head] >= maxSharedStatements {
				return batchInsert(s.head, s.tuple, rows), args
			}
			r.tuples[t] = true
			r.shared[s.head]++
		}
		q = buildInsert(s.head, key.tuple, rows)
		r.statements[key] = q
	}
	bound := make([]any, 0, len(args))
	for i, a := range args {
		if lits[i%per] == "" {
			bound = append(bound, a)
		}
	}
	return q, bound
}

// sqlLiteral writes v as an SQL literal, if it is a value sharedColumns hold: NULL, an
// integer, or a short text.
func sqlLiteral(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "NULL", true
	case int64:
		return strconv.FormatInt(x, 10), true
	case string:
		if len(x) > 64 || strings.IndexByte(x, 0) >= 0 || !utf8.ValidString(x) {
			return "", false
		}
		return "'" + strings.ReplaceAll(x, "'", "''") + "'", true
	}
	return "", false
}

// sameLiteral reports whether a and b, of the types sqlLiteral writes, are the same value.
func sameLiteral(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	}
	return false
}

type batchKey struct {
	head string
	rows int
}

// batchInserts caches the text of multi-row INSERTs.
var batchInserts sync.Map // batchKey → string

func batchInsert(head, tuple string, rows int) string {
	key := batchKey{head, rows}
	if q, ok := batchInserts.Load(key); ok {
		return q.(string)
	}
	q := buildInsert(head, tuple, rows)
	if rows == rowBatchRows || rows == opBatch {
		batchInserts.Store(key, q)
	}
	return q
}

// buildInsert is the INSERT of head with rows tuples.
func buildInsert(head, tuple string, rows int) string {
	var b strings.Builder
	b.Grow(len(head) + rows*(len(tuple)+2))
	b.WriteString(head)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	return b.String()
}

// insertChild writes a child row (an email, a phone) of a record: queued with the others
// when the record was just created in a bulk load, at once otherwise.
func (t *Tx) insertChild(fresh bool, q string, args ...any) error {
	if fresh {
		return t.insert(q, args...)
	}
	_, err := t.exec(q, args...)
	return err
}

// noteBulkWrite remembers, in a bulk load, that a record of entity was written, so that
// only the search tables that need it are rebuilt.
func (t *Tx) noteBulkWrite(entity string) {
	if !t.bulk {
		return
	}
	if t.bulkWrote == nil {
		t.bulkWrote = map[string]bool{}
	}
	if !t.bulkWrote[entity] {
		t.bulkWrote[entity] = true
	}
}
