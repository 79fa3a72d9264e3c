package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
)

// A bulk load into an empty contacts' search index (an import into a new database) builds
// that index on a second SQLite connection, to an in-memory database of its own, while
// the writer writes the records: tokenizing is the largest single cost of such a load,
// and the transaction's own connection can only do one thing at a time. At the end the
// finished index is copied into the transaction: the search table is dropped and created
// anew (so no FTS5 state cached on the connection outlives it), and its shadow tables
// (the index's segments, its rows' sizes, its settings) take the rows built aside, read
// in place: the in-memory database is attached to the transaction's connection, which
// detaches it once the transaction has ended (setUpConn).
//
// The search rows are made in Go from the fields of each new contact, exactly as the
// rebuild's SELECT makes them from the rows (indexSources: the name, the emails and the
// phones with their digits in list order, the company's name, the title, the tags in
// order, the notes). Each takes the rowid its contact gets: rows go in batch by batch in
// the order flushRows writes them, and SQLite gives each new row the next rowid. That is
// checked before the copy; if anything differs, or the load does anything the rows
// cannot follow (a change to a contact or company, a field of an unexpected type, a
// company the load cannot name), the table is rebuilt at the end instead, as without
// this.

// auxSearch builds a bulk load's contacts' search index on a second connection.
type auxSearch struct {
	createSQL string
	// next is the rowid the next contact row written gets; base is the highest before.
	base, next int64
	// companies names the companies a contact may link to (those that existed when the
	// load began, and those it created).
	companies map[string]string
	// rows are the search rows of new contacts whose record rows are not written yet.
	rows map[string]*[7]string
	// order lists the new contacts in the order of their rowids.
	order []string
	// failed means the index cannot be copied: the table is rebuilt at the end.
	failed bool

	// uri names the in-memory database (memdb, shared by name within the process).
	uri   string
	conn  *sql.Conn
	db    *sql.DB
	batch []auxRow
	ch    chan []auxRow
	done  chan struct{}
	err   atomic.Pointer[error]
}

// auxInstalls counts the indexes installed (for tests).
var auxInstalls atomic.Int64

type auxRow struct {
	rowid int64
	cols  *[7]string
}

// auxSchema is the name the in-memory database is attached under.
const auxSchema = "rolo_search_aside"

// auxSearchBatch is how many search rows go to the second connection at a time.
const auxSearchBatch = 1024

// auxHashSize is the memory FTS5 fills on the second connection before writing a segment:
// 100,000 contacts make about three.
const auxHashSize = 32 << 20

// startAuxSearch starts building the contacts' search index aside, if the table is empty
// (else it returns nil: the load indexes as it goes).
func startAuxSearch(ctx context.Context, tx *sql.Tx) (*auxSearch, error) {
	src := indexSources[EntityContact]
	var empty bool
	if err := tx.QueryRowContext(ctx, "SELECT NOT EXISTS (SELECT 1 FROM "+src.fts+"_docsize)").Scan(&empty); err != nil || !empty {
		return nil, err
	}
	a := &auxSearch{companies: map[string]string{}, rows: map[string]*[7]string{}}
	if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", src.fts).Scan(&a.createSQL); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(rowid), 0) FROM contacts").Scan(&a.base); err != nil {
		return nil, err
	}
	a.next = a.base + 1
	rows, err := tx.QueryContext(ctx, "SELECT id, name FROM companies")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, err
		}
		a.companies[id] = name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := a.open(ctx); err != nil {
		// The second connection is an optimisation: without it the load indexes as it goes.
		a.close()
		return nil, nil
	}
	return a, nil
}

// open makes the second connection's database and search table, and starts the goroutine
// that fills it.
func (a *auxSearch) open(ctx context.Context) (err error) {
	a.uri = "file:/rolo-search-" + newID() + "?vfs=memdb"
	if a.db, err = sql.Open("sqlite", a.uri); err != nil {
		return err
	}
	if a.conn, err = a.db.Conn(ctx); err != nil {
		return err
	}
	ch := make(chan []auxRow, 16)
	a.ch, a.done = ch, make(chan struct{})
	go func() {
		defer close(a.done)
		// The driver's connection directly: a million rows through database/sql cost as
		// much again as FTS5's own work.
		if err := a.conn.Raw(func(dc any) error { return a.fill(ctx, dc, ch) }); err != nil {
			a.err.Store(&err)
			for range ch { // let the load go on; its end sees the error
			}
		}
	}()
	return nil
}

// fill creates the search table and indexes every row sent until the channel closes,
// in one transaction, committed at the end.
func (a *auxSearch) fill(ctx context.Context, dc any, ch <-chan []auxRow) error {
	conn, ok := dc.(interface {
		driver.ExecerContext
		driver.ConnPrepareContext
	})
	if !ok {
		return errors.New("the SQLite driver cannot prepare statements")
	}
	exec := func(q string, args ...driver.NamedValue) error {
		_, err := conn.ExecContext(ctx, q, args)
		return err
	}
	fts := indexSources[EntityContact].fts
	if err := exec(a.createSQL); err != nil {
		return err
	}
	// Segments are written as the in-memory hash fills, while rows still come, so little
	// is left for the commit; none is merged (the load's own table merges them later).
	for k, v := range map[string]int64{"hashsize": auxHashSize, "automerge": 0} {
		if err := exec("INSERT INTO "+fts+" ("+fts+", rank) VALUES (?, ?)", driver.NamedValue{Ordinal: 1, Value: k}, driver.NamedValue{Ordinal: 2, Value: v}); err != nil {
			return err
		}
	}
	if err := exec("BEGIN"); err != nil {
		return err
	}
	// One row a statement: a statement of one row opens no savepoint, and a savepoint
	// would write FTS5's in-memory hash out as a segment of its own.
	st, err := conn.PrepareContext(ctx, "INSERT INTO "+fts+" (rowid, "+indexSources[EntityContact].cols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer st.Close()
	ins, ok := st.(driver.StmtExecContext)
	if !ok {
		return errors.New("the SQLite driver cannot run statements")
	}
	args := make([]driver.NamedValue, 8)
	for i := range args {
		args[i].Ordinal = i + 1
	}
	for batch := range ch {
		for _, r := range batch {
			args[0].Value = r.rowid
			for i, c := range r.cols {
				args[i+1].Value = c
			}
			if _, err := ins.ExecContext(ctx, args); err != nil {
				return err
			}
		}
	}
	return exec("COMMIT")
}

// created makes the search row of a new contact, or notes a new company's name.
func (a *auxSearch) created(entity, id string, f Fields) {
	if a.failed {
		return
	}
	switch entity {
	case EntityCompany:
		name, ok := f["name"].(string)
		if !ok {
			a.failed = true
		}
		a.companies[id] = name
	case EntityContact:
		row, live, ok := a.contactRow(f)
		switch {
		case !ok:
			a.failed = true
		case live:
			a.rows[id] = row
		default:
			a.rows[id] = nil // a row is written, so a rowid taken, but nothing indexed
		}
	}
}

// contactRow is the search row of a new contact with fields f, as the rebuild's SELECT
// makes it (indexSources); live is false for a contact created deleted or merged; ok is
// false when the fields are not of the types the store writes as they are.
func (a *auxSearch) contactRow(f Fields) (row *[7]string, live, ok bool) {
	text := func(k string) (string, bool) {
		switch v := f[k].(type) {
		case string:
			return v, true
		case nil:
			_, set := f[k]
			return "", !set // absent: the column's default ''; an explicit NULL: not ours to judge
		default:
			return "", false
		}
	}
	row = new([7]string)
	var okName, okTitle, okNotes bool
	row[0], okName = text("name")
	row[4], okTitle = text("title")
	row[6], okNotes = text("notes")
	if !okName || !okTitle || !okNotes {
		return nil, false, false
	}
	for _, k := range []string{"deleted_at", "merged_into"} {
		if v, set := f[k]; set && v != nil {
			return nil, false, true
		}
	}
	var okEmails, okPhones bool
	row[1], okEmails = joinList(f["emails"], validUTF8Emails, func(e Email) string { return e.Email })
	row[2], okPhones = joinList(f["phones"], validUTF8Phones, func(p Phone) string { return p.Phone + " " + PhoneDigits(p.Phone) })
	if !okEmails || !okPhones {
		return nil, false, false
	}
	switch c := f["company_id"].(type) {
	case nil:
	case string:
		name, known := a.companies[c]
		if !known {
			return nil, false, false
		}
		row[3] = name
	default:
		return nil, false, false
	}
	var tags []string
	for k, v := range f {
		if tag, isTag := strings.CutPrefix(k, "tag:"); isTag {
			on, isBool := v.(bool)
			if !isBool {
				return nil, false, false
			}
			if on {
				tags = append(tags, tag)
			}
		}
	}
	slices.Sort(tags)
	row[5] = strings.Join(tags, " ")
	return row, true, true
}

// joinList is a list field's words in the search row (group_concat(…, ' ') over its rows
// in list order): v must be absent or a list as the store writes it, else ok is false.
func joinList[T any](v any, valid func([]T) bool, word func(T) string) (s string, ok bool) {
	if v == nil {
		return "", true
	}
	l, isList := v.([]T)
	if !isList || !valid(l) {
		return "", false
	}
	ws := make([]string, len(l))
	for i, x := range l {
		ws[i] = word(x)
	}
	return strings.Join(ws, " "), true
}

// written notes that the rows of b go to the writer now, in this order: each new contact
// among them takes the next rowid, and its search row goes to the second connection.
func (a *auxSearch) written(b *rowBatch) {
	if a.failed || b.table != "contacts" || b.rows == 0 {
		return
	}
	per := len(b.args) / b.rows
	for i := range b.rows {
		id, _ := b.args[i*per].(string)
		row, ok := a.rows[id]
		if !ok {
			return
		}
		delete(a.rows, id)
		a.order = append(a.order, id)
		if row != nil {
			a.batch = append(a.batch, auxRow{a.next, row})
		}
		a.next++
	}
	if len(a.batch) >= auxSearchBatch {
		a.send()
	}
}

func (a *auxSearch) send() {
	if len(a.batch) > 0 {
		a.ch <- a.batch
		a.batch = nil
	}
}

// end tells the second connection that no more rows come: it commits its index.
func (a *auxSearch) end() {
	if a.ch != nil {
		a.send()
		close(a.ch)
		a.ch = nil
	}
}

// wait waits until the second connection has finished the index.
func (a *auxSearch) wait() error {
	a.end()
	<-a.done
	if p := a.err.Load(); p != nil {
		return *p
	}
	return nil
}

// install replaces the transaction's contacts' search table with the one built aside. It
// reports false, having changed nothing, when the rowids the rows were built for are not
// the ones the contacts got.
func (a *auxSearch) install(ctx context.Context, tx *sql.Tx) (bool, error) {
	if len(a.rows) > 0 {
		return false, nil // contacts created whose rows were never written
	}
	rows, err := tx.QueryContext(ctx, "SELECT rowid, id FROM contacts WHERE rowid > ? ORDER BY rowid", a.base)
	if err != nil {
		return false, err
	}
	n := 0
	same := true
	for rows.Next() {
		var rowid int64
		var id string
		if err := rows.Scan(&rowid, &id); err != nil {
			rows.Close()
			return false, err
		}
		if n >= len(a.order) || rowid != a.base+1+int64(n) || id != a.order[n] {
			same = false
		}
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	if !same || n != len(a.order) {
		return false, nil
	}

	fts := indexSources[EntityContact].fts
	// The table's settings other than FTS5's own version stay as they were.
	settings, err := copyRows(ctx, tx, "SELECT k, v FROM "+fts+"_config WHERE k <> 'version'")
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "ATTACH ? AS "+auxSchema, a.uri); err != nil {
		return false, err
	}
	shadows, err := copyRows(ctx, tx, "SELECT name FROM "+auxSchema+".sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '\\' ORDER BY name",
		strings.ReplaceAll(fts, "_", "\\_")+"\\_%")
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "DROP TABLE "+fts); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, a.createSQL); err != nil {
		return false, err
	}
	for _, row := range shadows {
		name := row[0].(string)
		// Same table definitions on both sides, and an empty table: SQLite copies the
		// rows as they are, without decoding them.
		q := `INSERT INTO main."` + name + `" SELECT * FROM ` + auxSchema + `."` + name + `"`
		if name == fts+"_config" {
			q += " WHERE k = 'version'"
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM main."`+name+`"`); err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return false, fmt.Errorf("copy %s: %w", name, err)
		}
	}
	for _, s := range settings {
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+fts+"_config (k, v) VALUES (?, ?)", s...); err != nil {
			return false, err
		}
	}
	auxInstalls.Add(1)
	return true, nil
}

// close releases the second connection, whatever state the load ended in.
func (a *auxSearch) close() {
	if a == nil {
		return
	}
	if a.done != nil {
		a.end()
		<-a.done
	}
	if a.conn != nil {
		a.conn.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// copyRows reads every row of a query.
func copyRows(ctx context.Context, from querier, q string, args ...any) ([][]any, error) {
	rows, err := from.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	return scanAll(rows, len(cols))
}

// scanAll reads the rest of rows, of n columns each.
func scanAll(rows *sql.Rows, n int) ([][]any, error) {
	var out [][]any
	for rows.Next() {
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			// An empty blob scans as a nil []byte, which the driver would bind as NULL.
			if b, isBlob := v.([]byte); isBlob && b == nil {
				vals[i] = []byte{}
			}
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}
