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
	"unicode/utf8"
	"weak"

	"golang.org/x/text/unicode/norm"
)

// ftsQuery turns what a person types into an FTS5 query: every word must match as a
// prefix. Words typed with punctuation between them and no space (an email address, a
// domain, a phone number, a hyphenated name) must also be adjacent, as a phrase whose last
// word is a prefix: "ann.lee@acme.com" finds that address, not every record that mentions
// ann, lee and acme somewhere. Phrases of exact words also cost FTS5 far less than prefix
// words. Quoting keeps FTS5 operators typed by accident from being interpreted.
func ftsQuery(s string) string {
	var b strings.Builder
	for i, chunk := range queryChunks(s) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + strings.Join(chunk, " ") + `"*`)
	}
	return b.String()
}

// maxQueryWords bounds the words of a search, so a pasted paragraph stays cheap.
const maxQueryWords = 10

// queryChunks splits a search into its space-separated chunks, each a list of words
// (runs of letters and digits), keeping at most maxQueryWords words in all.
func queryChunks(s string) [][]string {
	var chunks [][]string
	n := 0
	for _, field := range strings.Fields(s) {
		words := strings.FieldsFunc(field, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
		if len(words) == 0 {
			continue
		}
		if n+len(words) > maxQueryWords {
			words = words[:maxQueryWords-n]
		}
		chunks = append(chunks, words)
		if n += len(words); n == maxQueryWords {
			break
		}
	}
	return chunks
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

// searchSpec is one kind's search: ranked by bm25 for records, newest first for follow-ups
// (open before done) and the timeline, where rank order would make FTS5 score every match
// of a common word. Each
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
	{EntityFollowUp, `SELECT u.id, u.title, 'due ' || substr(u.due_at, 1, 10) || CASE WHEN u.done_at IS NULL THEN '' ELSE ' · done' END, u.done_at IS NOT NULL
		FROM (SELECT rowid FROM follow_ups_fts WHERE follow_ups_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f
		JOIN follow_ups u ON u.rowid = f.rowid ORDER BY f.rowid DESC`},
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
	var err error
	if limit <= 0 {
		limit = 20
	}
	var hits []Hit
	for _, s := range searchSpecs {
		match := fq
		if s.entity == EntityInteraction {
			if match, err = db.timelineQuery(ctx, queryChunks(q)); err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			if match == "" {
				continue
			}
		}
		rows, err := db.query(ctx, s.query, match, limit)
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

// maxTermExpansion bounds how many words a typed prefix may expand into for the timeline
// search; a prefix shared by more words is looked up as a prefix.
const maxTermExpansion = 48

// timelineQuery builds the FTS5 query for the timeline search. A word typed as a prefix
// becomes the exact words of interaction_terms that start with it ("pric" → price OR
// prices OR pricing), which FTS5 reads newest first and stops after a page, instead of
// reading every posting of every such word before answering. A prefix of two letters is
// served by the table's prefix index; a single letter is left out, since it says nothing
// about a conversation. The query is empty when no word is left.
func (db *DB) timelineQuery(ctx context.Context, chunks [][]string) (string, error) {
	var parts []string
	for _, words := range chunks {
		last := words[len(words)-1]
		if len(words) == 1 && utf8.RuneCountInString(last) < 2 {
			continue
		}
		head := strings.Join(words[:len(words)-1], " ")
		if head != "" {
			head += " "
		}
		terms, err := db.expandTerm(ctx, foldTerm(last))
		if err != nil {
			return "", err
		}
		if terms == nil {
			parts = append(parts, `"`+head+last+`"*`)
			continue
		}
		alts := make([]string, len(terms))
		for i, t := range terms {
			alts[i] = `"` + head + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	return strings.Join(parts, " AND "), nil
}

// expandTerm returns the timeline's words that start with prefix, or nil when the prefix
// should be looked up as one: it is short enough for the prefix index, it starts more than
// maxTermExpansion words, or it starts none (then FTS5's own folding of the prefix has the
// last word, should it differ from foldTerm's).
func (db *DB) expandTerm(ctx context.Context, prefix string) ([]string, error) {
	if utf8.RuneCountInString(prefix) <= 2 {
		return nil, nil
	}
	rows, err := db.query(ctx, "SELECT term FROM interaction_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
		prefix, prefix+string(utf8.MaxRune), maxTermExpansion+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var terms []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(terms) > maxTermExpansion {
		return nil, nil
	}
	return terms, nil
}

// foldTerm folds a word as the search tables' tokenizer does (unicode61 with
// remove_diacritics 2): lower case, without accents.
func foldTerm(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
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
