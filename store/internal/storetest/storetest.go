// Package storetest holds checks that the store's tests and its importers' tests share.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// SearchWords lists every word instance the contacts' search index holds, one line each
// (rowid, column, position, word), as FTS5 reads it back: the whole index, to compare.
func SearchWords(t testing.TB, db *sql.DB) string {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.contact_words USING fts5vocab(main, contacts_fts, 'instance')"); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.QueryContext(ctx, "SELECT doc, col, offset, term FROM temp.contact_words ORDER BY doc, col, offset, term")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var doc, off int64
		var col, term string
		if err := rows.Scan(&doc, &col, &off, &term); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d %s %d %s\n", doc, col, off, term)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
