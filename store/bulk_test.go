package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBulk_ConnectionSettings checks that a bulk load runs with its statement journals
// in memory, and that the connection goes back to the pool as it was, after a load that
// commits, one that fails, and one whose rows the writer cannot write (a link to a
// company that does not exist). The pool has one connection, so every statement here
// runs on the one the loads used.
func TestBulk_ConnectionSettings(t *testing.T) {
	ctx := context.Background()
	db := openOneConn(t)
	tempStore := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int {
		t.Helper()
		var n int
		if err := q.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := tempStore(db.sql)
	if before == 2 {
		t.Fatalf("temp_store is MEMORY before any bulk load")
	}
	installs := auxInstalls.Load()
	failed := errors.New("stop")
	for _, how := range []string{"commits", "fails", "breaks a link"} {
		err := db.Bulk(ctx, "load", func(b *Bulk) error {
			if got := tempStore(b.t.tx); got != 2 {
				t.Errorf("temp_store in a bulk load = %d, want 2 (MEMORY)", got)
			}
			f := Fields{"name": "Ada Lovelace"}
			if how == "breaks a link" {
				f["company_id"] = "no-such-company"
			}
			if err := b.Create(EntityContact, NewID(), f); err != nil {
				return err
			}
			if how == "fails" {
				return failed
			}
			return nil
		})
		switch {
		case how == "commits" && err != nil,
			how == "fails" && !errors.Is(err, failed),
			how == "breaks a link" && (err == nil || !strings.Contains(err.Error(), "FOREIGN KEY")):
			t.Fatalf("a load that %s: %v", how, err)
		}
		if got := tempStore(db.sql); got != before {
			t.Errorf("temp_store after a load that %s = %d, want %d", how, got, before)
		}
		// The first load built its search index aside and attached it to copy it in.
		if how == "commits" && auxInstalls.Load() != installs+1 {
			t.Errorf("the committed load did not install a search index built aside")
		}
		if names := attachedDBs(t, db); len(names) > 0 {
			t.Errorf("after a load that %s, the connection still has %v attached", how, names)
		}
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM contacts").Scan(&n); err != nil || n != 1 {
		t.Fatalf("contacts after one committed and two failed loads: %d (%v), want 1", n, err)
	}
}

// TestSetUpConn_Detaches checks that a connection set up for a transaction goes back to
// the pool without the databases the transaction attached, however it ended.
func TestSetUpConn_Detaches(t *testing.T) {
	ctx := context.Background()
	db := openOneConn(t)
	for _, end := range []string{"commit", "rollback"} {
		conn, done, err := db.setUpConn(ctx, memJournalSetting)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		uri := "file:/rolo-test-" + NewID() + "?vfs=memdb"
		var n int
		if _, err := tx.ExecContext(ctx, "ATTACH ? AS aside", uri); err != nil {
			t.Fatal(err)
		}
		// Reading it makes the transaction hold it: it cannot be detached before the end.
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM aside.sqlite_master").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if end == "commit" {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
		done()
		if names := attachedDBs(t, db); len(names) > 0 {
			t.Errorf("after %s: %v still attached, want none", end, names)
		}
		if err := db.sql.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&n); err != nil || n == 2 {
			t.Errorf("after %s: temp_store %d (%v), want it put back", end, n, err)
		}
	}
}

// openOneConn opens a new database whose pool has one connection, so that every
// statement of a test runs on the connection the code under test used.
func openOneConn(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "rolo.db"), Options{Owner: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.sql.SetMaxOpenConns(1)
	return db
}

// attachedDBs names the databases attached to db's connection, but for main and temp.
func attachedDBs(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.sql.QueryContext(context.Background(), "SELECT name FROM pragma_database_list WHERE name NOT IN ('main', 'temp')")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// TestBulk_SharedValues checks that values every row of a batch repeats are written once,
// as literals, quotes and all, and that the rows stored are the same as when bound.
func TestBulk_SharedValues(t *testing.T) {
	t.Run("statement", func(t *testing.T) {
		r := &bulkRows{}
		s := shapeOf("INSERT INTO contacts (id, owner, name) VALUES (?, ?, ?)")
		q, args := r.statement(s, 2, []any{"a", "Tess O'Brien", "Ada", "b", "Tess O'Brien", "Bo"})
		if want := "INSERT INTO contacts (id, owner, name) VALUES (?, 'Tess O''Brien', ?), (?, 'Tess O''Brien', ?)"; q != want {
			t.Errorf("statement:\n got %s\nwant %s", q, want)
		}
		if want := []any{"a", "Ada", "b", "Bo"}; !slices.Equal(args, want) {
			t.Errorf("arguments %v, want %v", args, want)
		}
		// name is not a shared column; owner differs; a value that is not text.
		for _, rows := range [][]any{
			{"a", "Tess", "Ada", "b", "Bo", "Bo"},
			{"a", []byte("x"), "Ada", "b", []byte("x"), "Bo"},
		} {
			q, args := r.statement(s, 2, rows)
			if q != batchInsert(s.head, s.tuple, 2) || !slices.EqualFunc(args, rows, func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
				t.Errorf("rows %v: statement %s with %v, want every value bound", rows, q, args)
			}
		}
		// Past maxSharedStatements tuples for one head, new ones are bound.
		for i := range maxSharedStatements + 2 {
			owner := fmt.Sprintf("owner %d", i)
			q, _ := r.statement(s, 2, []any{"a", owner, "Ada", "b", owner, "Bo"})
			literal := strings.Contains(q, "'"+owner+"'")
			if want := i < maxSharedStatements-1; literal != want { // "Tess O'Brien" was the first
				t.Errorf("tuple %d: literal %v, want %v", i+2, literal, want)
			}
		}
	})
	t.Run("stored", func(t *testing.T) {
		ctx := context.Background()
		db, err := Open(ctx, filepath.Join(t.TempDir(), "rolo.db"), Options{Owner: "Tess O'Brien"})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		const n = 250
		err = db.Bulk(ctx, "load", func(b *Bulk) error {
			for i := range n {
				f := Fields{"name": fmt.Sprintf("Person %d", i), "tag:vip": true, "emails": []Email{{Email: fmt.Sprintf("p%d@example.com", i)}}}
				if err := b.Create(EntityContact, NewID(), f); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var rows, owners, tags, ops int
		var group string
		q := `SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM contacts WHERE owner = 'Tess O''Brien' AND visibility = 'team' AND device = ?),
			(SELECT count(*) FROM tags WHERE entity = 'contact' AND tag = 'vip'),
			(SELECT count(*) FROM ops WHERE kind = 'create' AND entity = 'contact' AND device = ? AND old IS NULL AND base IS NULL AND at <> ''),
			(SELECT id FROM op_groups WHERE summary = 'load')`
		if err := db.sql.QueryRowContext(ctx, q, db.device, db.device).Scan(&rows, &owners, &tags, &ops, &group); err != nil {
			t.Fatal(err)
		}
		if rows != n || owners != n || tags != n || ops != n {
			t.Errorf("contacts %d, with the owner, visibility and device %d, tagged %d, create ops %d; want %d each", rows, owners, tags, ops, n)
		}
		var inGroup int
		if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM ops WHERE group_id = ?", group).Scan(&inGroup); err != nil || inGroup != n {
			t.Errorf("ops in the load's change group: %d (%v), want %d", inGroup, err, n)
		}
	})
}
