package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

// TestBulk_ConnectionSettings checks that a bulk load runs with its statement journals
// in memory, and that the connection goes back to the pool as it was, after a load that
// commits and after one that fails. The pool has one connection, so every statement
// here runs on the one the loads used.
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
	for _, fail := range []bool{false, true} {
		err := db.Bulk(ctx, "load", func(b *Bulk) error {
			if got := tempStore(b.t.tx); got != 2 {
				t.Errorf("temp_store in a bulk load = %d, want 2 (MEMORY)", got)
			}
			if err := b.Create(EntityContact, NewID(), Fields{"name": "Ada Lovelace"}); err != nil {
				return err
			}
			if fail {
				return failed
			}
			return nil
		})
		if fail && !errors.Is(err, failed) || !fail && err != nil {
			t.Fatalf("load (fail %v): %v", fail, err)
		}
		if got := tempStore(db.sql); got != before {
			t.Errorf("temp_store after a load (fail %v) = %d, want %d", fail, got, before)
		}
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM contacts").Scan(&n); err != nil || n != 1 {
		t.Fatalf("contacts after one committed and one failed load: %d (%v), want 1", n, err)
	}
}
