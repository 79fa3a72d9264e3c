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
	db, err := Open(ctx, filepath.Join(t.TempDir(), "rolo.db"), Options{Owner: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.sql.SetMaxOpenConns(1)
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
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM contacts").Scan(&n); err != nil || n != 1 {
		t.Fatalf("contacts after one committed and two failed loads: %d (%v), want 1", n, err)
	}
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
