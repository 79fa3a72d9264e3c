package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// This file holds the narrow, windowed queries the TUI draws from. Each reads one small
// window through an index, so scrolling or typing costs the same at 100 contacts as at
// 100,000: lists page by keyset on (name, id) rather than by OFFSET, and search takes a
// bounded number of full-text matches.

// ListKey is a position in a list ordered by name (case-insensitively) then id: the
// keyset a window continues from.
type ListKey struct {
	Name, ID string
}

// Window asks for one window of a list ordered by name, id. With neither After nor Before
// it starts at the top (or, with FromEnd, ends at the bottom). Rows always come back in
// ascending order.
type Window struct {
	After   *ListKey // rows strictly after this key
	From    *ListKey // rows from this key on (the row itself included): a reload in place
	Before  *ListKey // rows strictly before this key
	FromEnd bool     // the last Limit rows
	Limit   int      // 0 means 100
}

func (w Window) clause(nameCol, idCol string) (cond string, args []any, desc bool) {
	switch {
	case w.After != nil:
		// The first term bounds a range of the name index; the second breaks ties.
		cond = fmt.Sprintf(" AND %[1]s >= ? COLLATE NOCASE AND (%[1]s > ? COLLATE NOCASE OR %[2]s > ?)", nameCol, idCol)
		args = []any{w.After.Name, w.After.Name, w.After.ID}
	case w.From != nil:
		cond = fmt.Sprintf(" AND %[1]s >= ? COLLATE NOCASE AND (%[1]s > ? COLLATE NOCASE OR %[2]s >= ?)", nameCol, idCol)
		args = []any{w.From.Name, w.From.Name, w.From.ID}
	case w.Before != nil:
		cond = fmt.Sprintf(" AND %[1]s <= ? COLLATE NOCASE AND (%[1]s < ? COLLATE NOCASE OR %[2]s < ?)", nameCol, idCol)
		args = []any{w.Before.Name, w.Before.Name, w.Before.ID}
		desc = true
	case w.FromEnd:
		desc = true
	}
	return cond, args, desc
}

func (w Window) order(nameCol, idCol string, desc bool) string {
	lim := w.Limit
	if lim <= 0 {
		lim = 100
	}
	dir := ""
	if desc {
		dir = " DESC"
	}
	return fmt.Sprintf(" ORDER BY %s COLLATE NOCASE%s, %s%s LIMIT %d", nameCol, dir, idCol, dir, lim)
}

// ContactRow is one line of the TUI's contact list: only what the list shows.
type ContactRow struct {
	ID            string
	Name          string
	Company       string
	Email         string
	LastTouchedAt *time.Time
	Tags          []string
}

// Key is the row's position in the list order.
func (r ContactRow) Key() ListKey { return ListKey{Name: r.Name, ID: r.ID} }

const contactRowCols = `c.id, c.name, coalesce(co.name, ''),
	coalesce((SELECT email FROM contact_emails WHERE contact_id = c.id AND position = 0), ''), c.last_touched_at`

const contactRowFrom = ` FROM contacts c LEFT JOIN companies co ON co.id = c.company_id `

// ContactWindow returns one window of live contacts ordered by name, read through the
// contacts_name index.
func (db *DB) ContactWindow(ctx context.Context, w Window) ([]ContactRow, error) {
	cond, args, desc := w.clause("c.name", "c.id")
	q := "SELECT " + contactRowCols + contactRowFrom + "WHERE c.deleted_at IS NULL AND c.merged_into IS NULL" +
		cond + w.order("c.name", "c.id", desc)
	out, err := db.contactRows(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("contact window: %w", err)
	}
	if desc {
		slices.Reverse(out)
	}
	return out, nil
}

// SearchContactRows returns the live contacts whose text matches every word of query as
// a prefix, ordered by name. It reads at most max matches from the full-text index (0
// means 500), so a one-letter query costs no more than a precise one; more reports that
// there were further matches (the rep types on to narrow).
func (db *DB) SearchContactRows(ctx context.Context, query string, max int) (rows []ContactRow, more bool, err error) {
	fq := ftsQuery(query)
	if fq == "" {
		return nil, false, nil
	}
	if max <= 0 {
		max = 500
	}
	q := "SELECT " + contactRowCols + ` FROM (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? LIMIT ?) f
		JOIN contacts c ON c.rowid = f.rowid LEFT JOIN companies co ON co.id = c.company_id
		WHERE c.deleted_at IS NULL AND c.merged_into IS NULL ORDER BY c.name COLLATE NOCASE, c.id`
	out, err := db.contactRows(ctx, q, fq, max+1)
	if err != nil {
		return nil, false, fmt.Errorf("search contacts: %w", err)
	}
	if len(out) > max {
		out, more = out[:max], true
	}
	return out, more, nil
}

func (db *DB) contactRows(ctx context.Context, q string, args ...any) ([]ContactRow, error) {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ContactRow{}
	var ids []any
	for rows.Next() {
		var r ContactRow
		var touched sql.NullString
		if err := rows.Scan(&r.ID, &r.Name, &r.Company, &r.Email, &touched); err != nil {
			return nil, err
		}
		r.LastTouchedAt = timePtr(touched)
		out = append(out, r)
		ids = append(ids, r.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	tags, err := db.loadTags(ctx, EntityContact, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Tags = tags[out[i].ID]
	}
	return out, nil
}

// CompanyRow is one line of the TUI's company list.
type CompanyRow struct {
	ID     string
	Name   string
	Domain string
	Tags   []string
}

// Key is the row's position in the list order.
func (r CompanyRow) Key() ListKey { return ListKey{Name: r.Name, ID: r.ID} }

// CompanyWindow returns one window of live companies ordered by name.
func (db *DB) CompanyWindow(ctx context.Context, w Window) ([]CompanyRow, error) {
	cond, args, desc := w.clause("c.name", "c.id")
	q := "SELECT c.id, c.name, c.domain FROM companies c WHERE c.deleted_at IS NULL AND c.merged_into IS NULL" +
		cond + w.order("c.name", "c.id", desc)
	out, err := db.companyRows(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("company window: %w", err)
	}
	if desc {
		slices.Reverse(out)
	}
	return out, nil
}

// SearchCompanyRows is SearchContactRows for companies.
func (db *DB) SearchCompanyRows(ctx context.Context, query string, max int) (rows []CompanyRow, more bool, err error) {
	fq := ftsQuery(query)
	if fq == "" {
		return nil, false, nil
	}
	if max <= 0 {
		max = 500
	}
	q := `SELECT c.id, c.name, c.domain FROM (SELECT rowid FROM companies_fts WHERE companies_fts MATCH ? LIMIT ?) f
		JOIN companies c ON c.rowid = f.rowid
		WHERE c.deleted_at IS NULL AND c.merged_into IS NULL ORDER BY c.name COLLATE NOCASE, c.id`
	out, err := db.companyRows(ctx, q, fq, max+1)
	if err != nil {
		return nil, false, fmt.Errorf("search companies: %w", err)
	}
	if len(out) > max {
		out, more = out[:max], true
	}
	return out, more, nil
}

func (db *DB) companyRows(ctx context.Context, q string, args ...any) ([]CompanyRow, error) {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CompanyRow{}
	var ids []any
	for rows.Next() {
		var r CompanyRow
		if err := rows.Scan(&r.ID, &r.Name, &r.Domain); err != nil {
			return nil, err
		}
		out = append(out, r)
		ids = append(ids, r.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	tags, err := db.loadTags(ctx, EntityCompany, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Tags = tags[out[i].ID]
	}
	return out, nil
}

// CompanyContacts returns up to limit live contacts of a company, by name.
func (db *DB) CompanyContacts(ctx context.Context, companyID string, limit int) ([]ContactRow, error) {
	if limit <= 0 {
		limit = 50
	}
	q := "SELECT " + contactRowCols + contactRowFrom +
		"WHERE c.company_id = ? AND c.deleted_at IS NULL AND c.merged_into IS NULL ORDER BY c.name COLLATE NOCASE, c.id" +
		limitClause(limit, 0)
	out, err := db.contactRows(ctx, q, companyID)
	if err != nil {
		return nil, fmt.Errorf("company contacts: %w", err)
	}
	return out, nil
}

// StatusCounts are the figures of the TUI's status bar.
type StatusCounts struct {
	Contacts  int
	OpenDeals int
	Overdue   int
}

// StatusCounts counts live contacts, open deals and overdue follow-ups, each from an
// index (the counts run on every change, so they must not read whole tables). The
// created_at term matches the partial index contacts_touched, which the count reads alone.
func (db *DB) StatusCounts(ctx context.Context, loc *time.Location) (StatusCounts, error) {
	var c StatusCounts
	now := db.Now()
	start, _ := DayBounds(now, loc)
	err := db.sql.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM contacts WHERE deleted_at IS NULL AND merged_into IS NULL AND created_at > ''),
		(SELECT count(*) FROM deals WHERE status = 'open' AND deleted_at IS NULL),
		(SELECT count(*) FROM follow_ups u WHERE u.deleted_at IS NULL AND u.done_at IS NULL AND u.due_at < ? AND (u.all_day = 0 OR u.due_at < ?))`,
		fmtTime(now), fmtTime(start)).Scan(&c.Contacts, &c.OpenDeals, &c.Overdue)
	if err != nil {
		return c, fmt.Errorf("status counts: %w", err)
	}
	return c, nil
}

// DoneFollowUps returns the most recently completed follow-ups (live ones), newest first,
// and how many there are.
func (db *DB) DoneFollowUps(ctx context.Context, limit, offset int) ([]FollowUp, int, error) {
	if limit <= 0 {
		limit = 50
	}
	cond := " WHERE u.deleted_at IS NULL AND u.done_at IS NOT NULL"
	var total int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM follow_ups u"+cond).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("done follow-ups: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+followUpCols+followUpFrom+cond+" ORDER BY u.done_at DESC, u.id DESC"+limitClause(limit, offset))
	if err != nil {
		return nil, 0, fmt.Errorf("done follow-ups: %w", err)
	}
	defer rows.Close()
	out := []FollowUp{}
	for rows.Next() {
		f, err := scanFollowUp(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("done follow-ups: %w", err)
		}
		out = append(out, *f)
	}
	return out, total, rows.Err()
}

// IsEmpty reports whether the database holds no live contact, company or deal: a first
// run, where the TUI greets the rep instead of showing empty lists.
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM contacts WHERE deleted_at IS NULL) +
		EXISTS (SELECT 1 FROM companies WHERE deleted_at IS NULL) +
		EXISTS (SELECT 1 FROM deals WHERE deleted_at IS NULL)`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("is empty: %w", err)
	}
	return n == 0, nil
}
