package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to dest with VACUUM INTO, which reads
// one snapshot and so is safe while other rolo processes write. It refuses to overwrite.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("back up: %s already exists; choose another name", dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("back up: %w", err)
	}
	if st, err := os.Stat(filepath.Dir(dest)); err != nil || !st.IsDir() {
		return fmt.Errorf("back up: directory %s does not exist", filepath.Dir(dest))
	}
	// VACUUM INTO accepts an empty file: create it first, readable by its owner only.
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	f.Close()
	if _, err := db.sql.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("back up: %w", err)
	}
	return nil
}

// Problem is one thing Check found wrong.
type Problem struct {
	Check  string `json:"check"`
	Detail string `json:"detail"`
}

// checks are the store's own invariants: each query returns a count of violations.
var checks = []struct{ name, what, query string }{
	{"names", "contacts whose name is not first + last name",
		`SELECT count(*) FROM contacts WHERE name <> trim(first_name || ' ' || last_name)`},
	{"links", "records linked to a missing contact, company, deal or stage",
		`SELECT (SELECT count(*) FROM deals d WHERE d.stage_id NOT IN (SELECT id FROM stages))
		+ (SELECT count(*) FROM follow_ups WHERE contact_id IS NULL AND deal_id IS NULL)`},
	{"op log", "records with no create op in the op log",
		`SELECT (SELECT count(*) FROM contacts WHERE id NOT IN (SELECT entity_id FROM ops WHERE kind = 'create'))
		+ (SELECT count(*) FROM companies WHERE id NOT IN (SELECT entity_id FROM ops WHERE kind = 'create'))
		+ (SELECT count(*) FROM deals WHERE id NOT IN (SELECT entity_id FROM ops WHERE kind = 'create'))
		+ (SELECT count(*) FROM follow_ups WHERE id NOT IN (SELECT entity_id FROM ops WHERE kind = 'create'))`},
	{"op log", "ops that belong to no change group",
		`SELECT count(*) FROM ops WHERE group_id NOT IN (SELECT id FROM op_groups)`},
	{"clock", "records or ops with a clock ahead of the stored clock",
		`SELECT (SELECT count(*) FROM ops WHERE hlc > (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'hlc'))`},
	{"search", "contacts missing from or extra in the search index",
		`SELECT abs((SELECT count(*) FROM contacts WHERE deleted_at IS NULL AND merged_into IS NULL) - (SELECT count(*) FROM contacts_fts))`},
	{"search", "companies missing from or extra in the search index",
		`SELECT abs((SELECT count(*) FROM companies WHERE deleted_at IS NULL AND merged_into IS NULL) - (SELECT count(*) FROM companies_fts))`},
	{"search", "deals missing from or extra in the search index",
		`SELECT abs((SELECT count(*) FROM deals WHERE deleted_at IS NULL AND merged_into IS NULL) - (SELECT count(*) FROM deals_fts))`},
	{"search", "timeline entries missing from or extra in the search index",
		`SELECT abs((SELECT count(*) FROM interactions WHERE redacted = 0 AND superseded_by IS NULL AND kind IN ('call', 'email', 'meeting', 'note', 'message')) - (SELECT count(*) FROM interactions_fts))`},
	{"search", "words of the timeline's search index missing from interaction_terms (prefix search would miss them)",
		`SELECT count(*) FROM interactions_vocab v WHERE NOT EXISTS (SELECT 1 FROM interaction_terms t WHERE t.term = v.term)`},
	{"reports", "hours whose activity counts differ from the timeline (the activity report would be wrong)",
		`WITH t AS (SELECT substr(occurred_at, 1, 13) AS hour, kind, count(*) AS n FROM interactions
			WHERE redacted = 0 AND superseded_by IS NULL AND occurred_at > '' AND kind IN ('call', 'email', 'meeting', 'note', 'message')
			GROUP BY 1, 2),
		a AS (SELECT hour, kind, n FROM activity_hours WHERE n <> 0)
		SELECT (SELECT count(*) FROM (SELECT * FROM a EXCEPT SELECT * FROM t)) + (SELECT count(*) FROM (SELECT * FROM t EXCEPT SELECT * FROM a))`},
	{"deals", "closed deals without a close time, or open deals with one",
		`SELECT count(*) FROM deals WHERE (status = 'open') = (closed_at IS NOT NULL)`},
}

// Check runs SQLite's integrity and foreign-key checks and the store's own invariants, and
// returns what is wrong (nothing means healthy).
func (db *DB) Check(ctx context.Context) ([]Problem, error) {
	var out []Problem
	rows, err := db.sql.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		if s != "ok" {
			out = append(out, Problem{"integrity", s})
		}
	}
	rows.Close()
	rows, err = db.sql.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	for rows.Next() {
		var table, parent string
		var rowid, fkid any
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, Problem{"foreign keys", fmt.Sprintf("a row of %s points to a missing %s row", table, parent)})
	}
	rows.Close()
	// A first pull interrupted before FinishPull left search to the next sync on purpose:
	// the index is knowingly incomplete then, not damaged (see SearchPending).
	pending, err := db.SearchPending(ctx)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	for _, c := range checks {
		if pending && c.name == "search" {
			continue
		}
		var n int
		if err := db.sql.QueryRowContext(ctx, c.query).Scan(&n); err != nil {
			return nil, fmt.Errorf("check %s: %w", c.name, err)
		}
		if n > 0 {
			out = append(out, Problem{c.name, fmt.Sprintf("%d %s", n, c.what)})
		}
	}
	return out, nil
}

// SearchPending reports whether a first pull left its search indexing (and the indexes it
// dropped) to FinishPull, which the next sync runs: until then search misses what the
// pull brought.
func (db *DB) SearchPending(ctx context.Context) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM sync_state WHERE key IN (?, ?)", syncSearchStale, syncDeferredIndexes).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read sync state: %w", err)
	}
	return n > 0, nil
}

// Counts is how many live records of each kind the database holds.
type Counts struct {
	Contacts     int `json:"contacts"`
	Companies    int `json:"companies"`
	Deals        int `json:"deals"`
	OpenDeals    int `json:"open_deals"`
	Interactions int `json:"interactions"`
	FollowUps    int `json:"follow_ups"`
	Ops          int `json:"ops"`
}

// Count returns record counts.
func (db *DB) Count(ctx context.Context) (Counts, error) {
	var c Counts
	err := db.sql.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM contacts WHERE deleted_at IS NULL AND merged_into IS NULL),
		(SELECT count(*) FROM companies WHERE deleted_at IS NULL AND merged_into IS NULL),
		(SELECT count(*) FROM deals WHERE deleted_at IS NULL AND merged_into IS NULL),
		(SELECT count(*) FROM deals WHERE deleted_at IS NULL AND status = 'open'),
		(SELECT count(*) FROM interactions WHERE redacted = 0 AND superseded_by IS NULL AND kind <> 'redaction'),
		(SELECT count(*) FROM follow_ups WHERE deleted_at IS NULL AND done_at IS NULL),
		(SELECT coalesce(max(seq), 0) FROM ops)`).Scan(&c.Contacts, &c.Companies, &c.Deals, &c.OpenDeals, &c.Interactions, &c.FollowUps, &c.Ops)
	if err != nil {
		return c, fmt.Errorf("count: %w", err)
	}
	return c, nil
}
