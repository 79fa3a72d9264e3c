package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode"
	"weak"
)

// ftsQuery turns what a person types into an FTS5 query: every word must match as a
// prefix. Punctuation separates words (so an email address or phone number works), and
// quoting each word keeps FTS5 operators typed by accident from being interpreted.
func ftsQuery(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	var b strings.Builder
	for i, w := range words {
		if i == 10 {
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + w + `"*`)
	}
	return b.String()
}

// Hit is one search result.
type Hit struct {
	Entity  string  `json:"entity"`
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Detail  string  `json:"detail"`
	Rank    float64 `json:"rank"`
	Deleted bool    `json:"-"`
}

// searchSpec is one kind's search: ranked by bm25 for records, newest first for the
// timeline (where rank order would make FTS5 score every match of a common word). Each
// picks its page of search rows first and only then joins the records, so a common word
// costs one ranking pass, not a join per match.
var searchSpecs = []struct {
	entity string
	query  string
}{
	{EntityContact, `SELECT c.id, c.name, trim(coalesce(co.name, '') || ' · ' || coalesce((SELECT email FROM contact_emails WHERE contact_id = c.id AND position = 0), ''), ' ·'), f.rank
		FROM (SELECT rowid, rank FROM contacts_fts WHERE contacts_fts MATCH ? ORDER BY rank LIMIT ?) f
		JOIN contacts c ON c.rowid = f.rowid LEFT JOIN companies co ON co.id = c.company_id ORDER BY f.rank`},
	{EntityCompany, `SELECT c.id, c.name, c.domain, f.rank
		FROM (SELECT rowid, rank FROM companies_fts WHERE companies_fts MATCH ? ORDER BY rank LIMIT ?) f
		JOIN companies c ON c.rowid = f.rowid ORDER BY f.rank`},
	{EntityDeal, `SELECT d.id, d.title, s.name || ' · ' || d.status, f.rank
		FROM (SELECT rowid, rank FROM deals_fts WHERE deals_fts MATCH ? ORDER BY rank LIMIT ?) f
		JOIN deals d ON d.rowid = f.rowid JOIN stages s ON s.id = d.stage_id ORDER BY f.rank`},
	{EntityFollowUp, `SELECT u.id, u.title, 'due ' || substr(u.due_at, 1, 10) || CASE WHEN u.done_at IS NULL THEN '' ELSE ' · done' END, f.rank
		FROM (SELECT rowid, rank FROM follow_ups_fts WHERE follow_ups_fts MATCH ? ORDER BY rank LIMIT ?) f
		JOIN follow_ups u ON u.rowid = f.rowid ORDER BY f.rank`},
	{EntityInteraction, `SELECT i.id, i.kind || ' ' || substr(i.occurred_at, 1, 10) || coalesce(' · ' || c.name, ''), substr(i.text, 1, 120), 0
		FROM (SELECT rowid FROM interactions_fts WHERE interactions_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f
		JOIN interactions i ON i.rowid = f.rowid LEFT JOIN contacts c ON c.id = i.contact_id`},
}

// Search finds records of every kind whose text matches every word of q as a prefix:
// contacts, companies and deals first by relevance, then follow-ups, then the newest
// matching timeline entries. limit caps each kind (0 means 20).
func (db *DB) Search(ctx context.Context, q string, limit int) ([]Hit, error) {
	fq := ftsQuery(q)
	if fq == "" {
		return nil, fmt.Errorf("%w: search for what? give at least one word", ErrInvalid)
	}
	if limit <= 0 {
		limit = 20
	}
	var hits []Hit
	for _, s := range searchSpecs {
		rows, err := db.query(ctx, s.query, fq, limit)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		var kind []Hit
		for rows.Next() {
			h := Hit{Entity: s.entity}
			if err := rows.Scan(&h.ID, &h.Title, &h.Detail, &h.Rank); err != nil {
				rows.Close()
				return nil, fmt.Errorf("search: %w", err)
			}
			kind = append(kind, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		sort.SliceStable(kind, func(i, j int) bool { return kind[i].Rank < kind[j].Rank })
		hits = append(hits, kind...)
	}
	return hits, nil
}

// stmtCache holds a database's prepared statements for the read paths that must answer
// within a few milliseconds (search, the agenda, the pipeline board): preparing costs
// 50-400 µs per query, and search runs on every keystroke in the TUI.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxCachedStmts bounds a cache: queries that embed a limit vary a little.
const maxCachedStmts = 100

// stmtCaches is keyed by a weak pointer, so it does not keep a database alive; when one
// is collected, its statements are closed.
var stmtCaches sync.Map // weak.Pointer[DB] → *stmtCache

// prepared returns q prepared on db, preparing it on first use, or nil when the cache is
// full.
func (db *DB) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	key := weak.Make(db)
	v, ok := stmtCaches.Load(key)
	if !ok {
		var loaded bool
		if v, loaded = stmtCaches.LoadOrStore(key, &stmtCache{m: map[string]*sql.Stmt{}}); !loaded {
			runtime.AddCleanup(db, func(key weak.Pointer[DB]) {
				if v, ok := stmtCaches.LoadAndDelete(key); ok {
					c := v.(*stmtCache)
					c.mu.Lock()
					defer c.mu.Unlock()
					for _, st := range c.m {
						st.Close()
					}
				}
			}, key)
		}
	}
	c := v.(*stmtCache)
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	if len(c.m) >= maxCachedStmts {
		return nil, nil
	}
	st, err := db.sql.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

// query runs q through the statement cache.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return db.sql.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs q through the statement cache and scans its one row into dest.
func (db *DB) queryRow(ctx context.Context, q string, args []any, dest ...any) error {
	st, err := db.prepared(ctx, q)
	if err != nil {
		return err
	}
	if st == nil {
		return db.sql.QueryRowContext(ctx, q, args...).Scan(dest...)
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}
