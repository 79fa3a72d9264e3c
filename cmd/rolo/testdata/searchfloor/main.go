// Command searchfloor is the floor rolo's whole-process search is measured against: a
// minimal Go program that opens the same database file with modernc.org/sqlite, runs the
// same FTS5 statements `rolo search QUERY --json` runs, and prints the rows as JSON. It
// lives under testdata so it is never part of rolo; BenchmarkProcessSearch builds it.
package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode"

	_ "modernc.org/sqlite"
)

var queries = []string{
	`SELECT c.id, c.name, trim(coalesce(co.name, '') || ' · ' || coalesce((SELECT email FROM contact_emails WHERE contact_id = c.id AND position = 0), ''), ' ·'), f.rank
		FROM contacts_fts f JOIN contacts c ON c.rowid = f.rowid LEFT JOIN companies co ON co.id = c.company_id
		WHERE contacts_fts MATCH ? ORDER BY f.rank LIMIT ?`,
	`SELECT c.id, c.name, c.domain, f.rank FROM companies_fts f JOIN companies c ON c.rowid = f.rowid
		WHERE companies_fts MATCH ? ORDER BY f.rank LIMIT ?`,
	`SELECT d.id, d.title, s.name || ' · ' || d.status, f.rank FROM deals_fts f JOIN deals d ON d.rowid = f.rowid JOIN stages s ON s.id = d.stage_id
		WHERE deals_fts MATCH ? ORDER BY f.rank LIMIT ?`,
	`SELECT u.id, u.title, 'due ' || substr(u.due_at, 1, 10) || CASE WHEN u.done_at IS NULL THEN '' ELSE ' · done' END, 0
		FROM (SELECT rowid FROM follow_ups_fts WHERE follow_ups_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f
		JOIN follow_ups u ON u.rowid = f.rowid`,
	`SELECT i.id, i.kind || ' ' || substr(i.occurred_at, 1, 10) || coalesce(' · ' || c.name, ''), substr(i.text, 1, 120), 0
		FROM (SELECT rowid FROM interactions_fts WHERE interactions_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f
		JOIN interactions i ON i.rowid = f.rowid LEFT JOIN contacts c ON c.id = i.contact_id`,
}

type hit struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Detail string  `json:"detail"`
	Rank   float64 `json:"rank"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: searchfloor DB QUERY")
		os.Exit(2)
	}
	db, err := sql.Open("sqlite", "file:"+os.Args[1]+"?_pragma=busy_timeout(5000)")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	var words []string
	for _, w := range strings.FieldsFunc(os.Args[2], func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		words = append(words, `"`+w+`"*`)
	}
	q := strings.Join(words, " ")
	hits := []hit{}
	for _, sq := range queries {
		rows, err := db.Query(sq, q, 20)
		if err != nil {
			panic(err)
		}
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.ID, &h.Title, &h.Detail, &h.Rank); err != nil {
				panic(err)
			}
			hits = append(hits, h)
		}
		rows.Close()
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(hits); err != nil {
		panic(err)
	}
}
