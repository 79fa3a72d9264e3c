package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Snapshot is one consistent read of the database for an export: every query sees the
// same committed state, and rows stream (nothing loads a whole table into memory). It is
// a deferred read transaction, so writers are not blocked while it is open.
type Snapshot struct {
	ctx context.Context
	tx  *sql.Tx
}

// Snapshot opens a consistent read of the database; Close it when done.
func (db *DB) Snapshot(ctx context.Context) (*Snapshot, error) {
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", mapErr(err))
	}
	// Pin the snapshot now: a deferred transaction reads its state at its first read.
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM meta").Scan(&n); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	return &Snapshot{ctx: ctx, tx: tx}, nil
}

// Close ends the snapshot.
func (s *Snapshot) Close() error { return s.tx.Rollback() }

// cursor walks rows of (key, values…) ordered by key, for merging child rows into their
// parents in one pass.
type cursor struct {
	rows *sql.Rows
	ok   bool
	key  string
	vals []string
	err  error
}

func (s *Snapshot) cursor(n int, q string, args ...any) (*cursor, error) {
	rows, err := s.tx.QueryContext(s.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	c := &cursor{rows: rows, vals: make([]string, n)}
	c.next()
	return c, c.err
}

func (c *cursor) next() {
	if c.ok = c.rows.Next(); !c.ok {
		c.err = c.rows.Err()
		return
	}
	ptrs := []any{&c.key}
	for i := range c.vals {
		ptrs = append(ptrs, &c.vals[i])
	}
	if c.err = c.rows.Scan(ptrs...); c.err != nil {
		c.ok = false
	}
}

// seek skips rows whose key sorts before key, then calls fn for each row with that key.
func (c *cursor) each(key string, fn func(vals []string)) error {
	for c.ok && c.key < key {
		c.next()
	}
	for c.ok && c.key == key {
		fn(c.vals)
		c.next()
	}
	return c.err
}

// Contacts calls fn for every live contact (not deleted, not merged) in id order, with its
// company name, emails, phones and tags.
func (s *Snapshot) Contacts(fn func(*Contact) error) error {
	rows, err := s.tx.QueryContext(s.ctx, "SELECT "+contactCols+contactFrom+"WHERE c.deleted_at IS NULL AND c.merged_into IS NULL ORDER BY c.id")
	if err != nil {
		return fmt.Errorf("export contacts: %w", err)
	}
	defer rows.Close()
	emails, err := s.cursor(2, "SELECT contact_id, email, label FROM contact_emails ORDER BY contact_id, position")
	if err != nil {
		return fmt.Errorf("export contacts: %w", err)
	}
	defer emails.rows.Close()
	phones, err := s.cursor(2, "SELECT contact_id, phone, label FROM contact_phones ORDER BY contact_id, position")
	if err != nil {
		return fmt.Errorf("export contacts: %w", err)
	}
	defer phones.rows.Close()
	tags, err := s.cursor(1, "SELECT entity_id, tag FROM tags WHERE entity = ? ORDER BY entity_id, tag", EntityContact)
	if err != nil {
		return fmt.Errorf("export contacts: %w", err)
	}
	defer tags.rows.Close()
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return fmt.Errorf("export contacts: %w", err)
		}
		err = errors.Join(
			emails.each(c.ID, func(v []string) { c.Emails = append(c.Emails, Email{Email: v[0], Label: v[1]}) }),
			phones.each(c.ID, func(v []string) { c.Phones = append(c.Phones, Phone{Phone: v[0], Label: v[1]}) }),
			tags.each(c.ID, func(v []string) { c.Tags = append(c.Tags, v[0]) }))
		if err != nil {
			return fmt.Errorf("export contacts: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export contacts: %w", err)
	}
	return nil
}

// OpenFollowUps calls fn for every follow-up that is neither done nor deleted, by due
// time (then id), with its contact's name and deal's title.
func (s *Snapshot) OpenFollowUps(fn func(*FollowUp) error) error {
	rows, err := s.tx.QueryContext(s.ctx, "SELECT "+followUpCols+followUpFrom+"WHERE u.done_at IS NULL AND u.deleted_at IS NULL ORDER BY u.due_at, u.id")
	if err != nil {
		return fmt.Errorf("export follow-ups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFollowUp(rows)
		if err != nil {
			return fmt.Errorf("export follow-ups: %w", err)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Meetings calls fn for every live meeting on a timeline that takes place after the
// given instant, by time (then id).
func (s *Snapshot) Meetings(after time.Time, fn func(*Interaction) error) error {
	rows, err := s.tx.QueryContext(s.ctx, "SELECT "+interactionCols+interactionFrom+`WHERE i.kind = 'meeting' AND i.redacted = 0
		AND i.superseded_by IS NULL AND i.occurred_at > ? ORDER BY i.occurred_at, i.id`, fmtTime(after))
	if err != nil {
		return fmt.Errorf("export meetings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		i, err := scanInteraction(rows)
		if err != nil {
			return fmt.Errorf("export meetings: %w", err)
		}
		if err := fn(i); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Table describes one table of the database for a full dump: its columns (generated
// ones left out) in schema order, and the columns of its primary key.
type Table struct {
	Name    string
	Columns []string
	Key     []string
}

// tables lists the tables a dump holds: every table of the schema but SQLite's own, the
// search index and the activity counts (both rebuilt from the records), by name.
func tables(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]Table, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT IN ('activity_hours', 'interaction_terms') ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Table
	for _, n := range names {
		t := Table{Name: n}
		rows, err := q.QueryContext(ctx, "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", n)
		if err != nil {
			return nil, fmt.Errorf("list columns: %w", err)
		}
		keys := map[int]string{}
		for rows.Next() {
			var c string
			var pk int
			if err := rows.Scan(&c, &pk); err != nil {
				rows.Close()
				return nil, err
			}
			t.Columns = append(t.Columns, c)
			if pk > 0 {
				keys[pk] = c
			}
		}
		rows.Close()
		for i := 1; i <= len(keys); i++ {
			t.Key = append(t.Key, keys[i])
		}
		out = append(out, t)
	}
	return out, nil
}

// Tables lists the tables of a full dump, by name.
func (s *Snapshot) Tables() ([]Table, error) { return tables(s.ctx, s.tx) }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Rows calls fn with every row of t, ordered by its primary key (rowid if it has none).
// vals holds, per column, nil, int64, float64, string or []byte; it is reused.
func (s *Snapshot) Rows(t Table, fn func(vals []any) error) error {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = quoteIdent(c)
	}
	order := "rowid"
	if len(t.Key) > 0 {
		keys := make([]string, len(t.Key))
		for i, k := range t.Key {
			keys[i] = quoteIdent(k)
		}
		order = strings.Join(keys, ", ")
	}
	rows, err := s.tx.QueryContext(s.ctx, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(cols, ", "), quoteIdent(t.Name), order))
	if err != nil {
		return fmt.Errorf("dump %s: %w", t.Name, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("dump %s: %w", t.Name, err)
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SchemaVersion is the schema version of the snapshot's database.
func (s *Snapshot) SchemaVersion() (int, error) {
	var v int
	err := s.tx.QueryRowContext(s.ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// Restorer writes the rows of a full dump into an empty database (see DB.Restore).
type Restorer struct {
	ctx     context.Context
	tx      *sql.Tx
	tables  map[string]Table
	cleared map[string]bool
	stmts   map[string]*sql.Stmt
}

// recordTables are the tables whose rows make a database "not empty" for a restore.
var recordTables = []struct{ table, one, many string }{
	{"contacts", "contact", "contacts"}, {"companies", "company", "companies"}, {"deals", "deal", "deals"},
	{"interactions", "timeline entry", "timeline entries"}, {"follow_ups", "follow-up", "follow-ups"},
	{"ops", "change", "changes"},
}

// Restore runs fn in one transaction that replaces the database's content with the rows
// fn inserts, then rebuilds the search index: all of it, or nothing. The database must be
// empty (no records and no history, as a new database is); a table fn inserts into is
// emptied first, so a dump's meta and stages replace the new database's own. Foreign keys
// are checked at the end, so tables may come in any order.
func (db *DB) Restore(ctx context.Context, fn func(r *Restorer) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("restore: %w", mapErr(err))
	}
	defer tx.Rollback()
	var counts []string
	for _, t := range recordTables {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+t.table).Scan(&n); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		switch {
		case n == 1:
			counts = append(counts, "1 "+t.one)
		case n > 1:
			counts = append(counts, fmt.Sprintf("%d %s", n, t.many))
		}
	}
	if len(counts) > 0 {
		return fmt.Errorf("%w: %s is not empty (%s); a JSON export restores into a new database only (use --db with a new file)",
			ErrConflict, db.path, strings.Join(counts, ", "))
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	ts, err := tables(ctx, tx)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	r := &Restorer{ctx: ctx, tx: tx, tables: map[string]Table{}, cleared: map[string]bool{}, stmts: map[string]*sql.Stmt{}}
	for _, t := range ts {
		r.tables[t.Name] = t
	}
	defer func() {
		for _, st := range r.stmts {
			st.Close()
		}
	}()
	countActivity, err := deferActivity(ctx, tx)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := fn(r); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := countActivity(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// The restored database must open again: it needs its identity and clock.
	meta := map[string]string{}
	rows, err := tx.QueryContext(ctx, "SELECT key, value FROM meta WHERE key IN ('device_id', 'owner', 'hlc')")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return fmt.Errorf("restore: %w", err)
		}
		meta[k] = v
	}
	rows.Close()
	if meta["device_id"] == "" || meta["owner"] == "" {
		return fmt.Errorf("restore: %w: the export has no device id or owner in meta", ErrInvalid)
	}
	if _, err := ParseHLC(meta["hlc"]); err != nil {
		return fmt.Errorf("restore: %w: the export's clock (meta hlc %q) is not valid", ErrInvalid, meta["hlc"])
	}
	var table string
	err = tx.QueryRowContext(ctx, "SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1").Scan(&table)
	if err == nil {
		return fmt.Errorf("restore: %w: a row of %s points to a record the export does not hold", ErrInvalid, table)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("restore: %w", err)
	}
	if err := rebuildSearch(ctx, tx); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("restore: %w", mapErr(err))
	}
	db.device, db.owner = meta["device_id"], meta["owner"]
	if h, err := ParseHLC(meta["hlc"]); err == nil {
		db.mu.Lock()
		db.lastHLC = h
		db.mu.Unlock()
	}
	return nil
}

// Table returns the table named name, if the database has it.
func (r *Restorer) Table(name string) (Table, bool) {
	t, ok := r.tables[name]
	return t, ok
}

// Insert adds one row to table: vals[i] is the value of cols[i] (nil, int64, float64,
// string or []byte). The table's existing rows are removed before its first insert.
func (r *Restorer) Insert(table string, cols []string, vals []any) error {
	t, ok := r.tables[table]
	if !ok {
		return fmt.Errorf("%w: this database has no table %q (is the export from a newer rolo?)", ErrInvalid, table)
	}
	if err := r.Clear(table); err != nil {
		return err
	}
	key := table
	quoted := make([]string, len(cols))
	for i, c := range cols {
		if !containsString(t.Columns, c) {
			return fmt.Errorf("%w: table %s has no column %q", ErrInvalid, table, c)
		}
		quoted[i] = quoteIdent(c)
		key += "\x00" + c
	}
	st, ok := r.stmts[key]
	if !ok {
		var err error
		q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quoteIdent(table), strings.Join(quoted, ", "),
			strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", "))
		if st, err = r.tx.PrepareContext(r.ctx, q); err != nil {
			return fmt.Errorf("restore %s: %w", table, err)
		}
		r.stmts[key] = st
	}
	if _, err := st.ExecContext(r.ctx, vals...); err != nil {
		return fmt.Errorf("restore %s: %w", table, mapErr(err))
	}
	return nil
}

// Clear empties table (once: later calls do nothing), for a dump that lists the table
// with no rows.
func (r *Restorer) Clear(table string) error {
	if r.cleared[table] {
		return nil
	}
	if _, ok := r.tables[table]; !ok {
		return fmt.Errorf("%w: this database has no table %q (is the export from a newer rolo?)", ErrInvalid, table)
	}
	if _, err := r.tx.ExecContext(r.ctx, "DELETE FROM "+quoteIdent(table)); err != nil {
		return fmt.Errorf("restore %s: %w", table, err)
	}
	r.cleared[table] = true
	return nil
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
