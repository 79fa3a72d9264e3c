package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestCheck_SearchPending: while a first pull has left search to the next sync, Check does
// not report the knowingly incomplete index as damage; otherwise it does.
func TestCheck_SearchPending(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "rolo.db"), Options{Owner: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateContact(ctx, ContactInput{Name: "Ann Lee"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.ExecContext(ctx, "DELETE FROM contacts_fts"); err != nil {
		t.Fatal(err)
	}
	searchProblems := func() int {
		probs, err := db.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range probs {
			if p.Check == "search" {
				n++
			}
		}
		return n
	}
	if n := searchProblems(); n != 1 {
		t.Errorf("%d search problems with the index emptied, want 1", n)
	}
	if _, err := db.sql.ExecContext(ctx, "INSERT INTO sync_state (key, value) VALUES (?, '1')", syncSearchStale); err != nil {
		t.Fatal(err)
	}
	if pending, err := db.SearchPending(ctx); err != nil || !pending {
		t.Fatalf("SearchPending = %v, %v", pending, err)
	}
	if n := searchProblems(); n != 0 {
		t.Errorf("%d search problems while a pull's search is pending, want 0", n)
	}
	if err := db.FinishPull(ctx); err != nil {
		t.Fatal(err)
	}
	if n := searchProblems(); n != 0 {
		t.Errorf("%d search problems after FinishPull rebuilt the index, want 0", n)
	}
}
