package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ActivityCounts are the timeline entries a rep logged, by kind.
type ActivityCounts struct {
	Calls    int `json:"calls"`
	Emails   int `json:"emails"`
	Meetings int `json:"meetings"`
	Notes    int `json:"notes"`
	Messages int `json:"messages"`
	Total    int `json:"total"`
}

func (c *ActivityCounts) add(kind string, n int) {
	switch kind {
	case "call":
		c.Calls += n
	case "email":
		c.Emails += n
	case "meeting":
		c.Meetings += n
	case "note":
		c.Notes += n
	case "message":
		c.Messages += n
	default:
		return
	}
	c.Total += n
}

// Of returns the count of one kind ("call", "email", "meeting", "note", "message"), or
// the total for "total".
func (c ActivityCounts) Of(kind string) int {
	switch kind {
	case "call":
		return c.Calls
	case "email":
		return c.Emails
	case "meeting":
		return c.Meetings
	case "note":
		return c.Notes
	case "message":
		return c.Messages
	case "total":
		return c.Total
	}
	return 0
}

// ActivityWeek is one week of activity.
type ActivityWeek struct {
	Start time.Time `json:"start"`
	// End is the start of the next week, or the end of the report for the current week.
	End time.Time `json:"end"`
	// Complete says whether the week is over (its End is a full week after its Start).
	Complete bool `json:"complete"`
	ActivityCounts
}

// ActivityTrend compares the last complete week with the complete weeks before it.
type ActivityTrend struct {
	// Kind is call, email, meeting, note, message or total.
	Kind     string `json:"kind"`
	LastWeek int    `json:"last_week"`
	// Average is the mean of the complete weeks before the last one, to a tenth; absent
	// when there are none.
	Average *float64 `json:"average,omitempty"`
	// ChangePct is (LastWeek − Average) ÷ Average × 100, to a tenth; absent when there is
	// no average or it is zero.
	ChangePct *float64 `json:"change_pct,omitempty"`
}

// Activity is what a rep logged per week.
type Activity struct {
	Period
	Weeks []ActivityWeek `json:"weeks"`
	// TrendWeek is the start of the last complete week, the one the trend is about;
	// absent (and Trend empty) when no week is complete.
	TrendWeek *time.Time      `json:"trend_week,omitempty"`
	Trend     []ActivityTrend `json:"trend"`
}

// ActivityOptions choose the weeks of the activity report.
type ActivityOptions struct {
	// To ends the report (exclusive): the last week is the one holding the moment just
	// before it, cut short at To. Zero means now.
	To time.Time
	// From, when set, makes the first week the one holding From; otherwise the report
	// has Weeks weeks.
	From time.Time
	// Weeks is how many weeks when From is not set; 0 means 12.
	Weeks int
	// WeekStart is the first day of a week (Sunday is the zero value: set it).
	WeekStart time.Weekday
	// Loc is the time zone whose midnights start the weeks; nil means UTC.
	Loc *time.Location
}

// maxActivityWeeks bounds a report (ten years of weeks).
const maxActivityWeeks = 530

// activityKinds is the SQL list of the kinds counted.
const activityKinds = "('call', 'email', 'meeting', 'note', 'message')"

// Activity counts the calls, emails, meetings, notes and messages of the live timeline
// (not removed, not replaced by an edit) per week, and the trend: the last complete week
// against the mean of the complete weeks before it. Entries count in the week they
// occurred, in o.Loc. It reads the hourly counts kept in activity_hours, and counts
// entries one by one only in the parts of hours that a week boundary cuts.
func (db *DB) Activity(ctx context.Context, o ActivityOptions) (*Activity, error) {
	a, err := db.activity(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("activity: %w", err)
	}
	return a, nil
}

func (db *DB) activity(ctx context.Context, o ActivityOptions) (*Activity, error) {
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	if o.To.IsZero() {
		o.To = db.Now()
	}
	if o.Weeks < 0 || o.Weeks > maxActivityWeeks {
		return nil, fmt.Errorf("%w: weeks %d must be between 1 and %d", ErrInvalid, o.Weeks, maxActivityWeeks)
	}
	if o.Weeks == 0 {
		o.Weeks = 12
	}
	last := weekStart(o.To.Add(-time.Nanosecond), o.WeekStart, o.Loc)
	first := last.AddDate(0, 0, -7*(o.Weeks-1))
	if !o.From.IsZero() {
		if !o.From.Before(o.To) {
			return nil, Period{o.From, o.To}.check()
		}
		first = weekStart(o.From, o.WeekStart, o.Loc)
	}
	a := &Activity{Period: Period{first, o.To}.utc(), Weeks: []ActivityWeek{}, Trend: []ActivityTrend{}}
	for s := first; s.Before(o.To); s = s.AddDate(0, 0, 7) {
		if len(a.Weeks) == maxActivityWeeks {
			return nil, fmt.Errorf("%w: more than %d weeks; choose a shorter period", ErrInvalid, maxActivityWeeks)
		}
		end, complete := s.AddDate(0, 0, 7), true
		if o.To.Before(end) {
			end, complete = o.To, false
		}
		a.Weeks = append(a.Weeks, ActivityWeek{Start: s.UTC(), End: end.UTC(), Complete: complete})
	}
	if err := db.countActivity(ctx, a.Weeks); err != nil {
		return nil, err
	}
	a.trend()
	return a, nil
}

// weekStart is the midnight that starts the week holding t.
func weekStart(t time.Time, first time.Weekday, loc *time.Location) time.Time {
	l := t.In(loc)
	back := (int(l.Weekday()) - int(first) + 7) % 7
	return time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
}

func hourKey(t time.Time) string { return t.UTC().Format("2006-01-02T15") }

// countActivity fills in the counts of each week: whole UTC hours from activity_hours in
// one query, and the cut parts of hours at the ends of weeks entry by entry.
func (db *DB) countActivity(ctx context.Context, weeks []ActivityWeek) error {
	type part struct {
		week     int
		from, to time.Time
	}
	var whole []any
	var cuts []part
	for i, w := range weeks {
		lo := w.Start.Truncate(time.Hour) // UTC times: whole hours since the zero time
		if lo.Before(w.Start) {
			lo = lo.Add(time.Hour)
		}
		hi := w.End.Truncate(time.Hour)
		if lo.After(hi) { // the week is within one hour
			cuts = append(cuts, part{i, w.Start, w.End})
			continue
		}
		if lo.Before(hi) {
			whole = append(whole, i, hourKey(lo), hourKey(hi))
		}
		if w.Start.Before(lo) {
			cuts = append(cuts, part{i, w.Start, lo})
		}
		if hi.Before(w.End) {
			cuts = append(cuts, part{i, hi, w.End})
		}
	}
	if len(whole) > 0 {
		q := "WITH w(i, lo, hi) AS (VALUES (?, ?, ?)" + strings.Repeat(", (?, ?, ?)", len(whole)/3-1) + ")" +
			" SELECT w.i, a.kind, sum(a.n) FROM w JOIN activity_hours a ON a.hour >= w.lo AND a.hour < w.hi GROUP BY w.i, a.kind"
		if err := db.addActivity(ctx, weeks, -1, q, whole...); err != nil {
			return err
		}
	}
	for _, c := range cuts {
		q := "SELECT kind, count(*) FROM interactions INDEXED BY interactions_activity WHERE substr(occurred_at, 1, 13) = ?" +
			" AND occurred_at >= ? AND occurred_at < ? AND redacted = 0 AND superseded_by IS NULL AND occurred_at > '' AND kind IN " + activityKinds + " GROUP BY kind"
		if err := db.addActivity(ctx, weeks, c.week, q, hourKey(c.from), fmtTime(c.from), fmtTime(c.to)); err != nil {
			return err
		}
	}
	return nil
}

// addActivity adds the (kind, count) rows of q to weeks[week], or the (week, kind, count)
// rows to their weeks when week is -1.
func (db *DB) addActivity(ctx context.Context, weeks []ActivityWeek, week int, q string, args ...any) error {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		i := week
		var kind string
		var n int
		dest := []any{&kind, &n}
		if week < 0 {
			dest = []any{&i, &kind, &n}
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		weeks[i].add(kind, n)
	}
	return rows.Err()
}

func (a *Activity) trend() {
	var complete []ActivityWeek
	for _, w := range a.Weeks {
		if w.Complete {
			complete = append(complete, w)
		}
	}
	if len(complete) == 0 {
		return
	}
	last, prev := complete[len(complete)-1], complete[:len(complete)-1]
	start := last.Start
	a.TrendWeek = &start
	for _, kind := range append(slices.Clone(InteractionKinds), "total") {
		t := ActivityTrend{Kind: kind, LastWeek: last.Of(kind)}
		if len(prev) > 0 {
			sum := 0
			for _, w := range prev {
				sum += w.Of(kind)
			}
			mean := float64(sum) / float64(len(prev))
			avg := round(mean, 1)
			t.Average = &avg
			if mean > 0 {
				ch := round((float64(t.LastWeek)-mean)/mean*100, 1)
				t.ChangePct = &ch
			}
		}
		a.Trend = append(a.Trend, t)
	}
}

// deferActivity prepares a bulk load or a restore, inside its transaction: counting a
// million new timeline entries one trigger at a time would cost seconds, so the insert
// trigger of activity_hours is dropped for the load, and the returned function recreates
// it and recounts the hours that the new entries fall in, from interactions_activity
// (which must exist again by then). The update and delete triggers stay: entries that
// were there before are counted by them as usual, and any miscount of a new entry is in
// an hour that is recounted.
func deferActivity(ctx context.Context, tx *sql.Tx) (restore func() error, err error) {
	var start int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(rowid), 0) FROM interactions").Scan(&start); err != nil {
		return nil, fmt.Errorf("activity counts: %w", err)
	}
	var trigger string
	err = tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'interactions_activity_insert'").Scan(&trigger)
	if errors.Is(err, sql.ErrNoRows) {
		return func() error { return nil }, nil
	}
	if err != nil {
		return nil, fmt.Errorf("activity counts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DROP TRIGGER interactions_activity_insert"); err != nil {
		return nil, fmt.Errorf("activity counts: %w", err)
	}
	return func() error {
		if _, err := tx.ExecContext(ctx, trigger); err != nil {
			return fmt.Errorf("activity counts: %w", err)
		}
		// The hours the new entries fall in. A load into an empty timeline recounts every
		// hour, without reading the new rows for their range.
		lo, hi := "", "\uffff"
		if start > 0 {
			var l, h sql.NullString
			if err := tx.QueryRowContext(ctx, "SELECT min(substr(occurred_at, 1, 13)), max(substr(occurred_at, 1, 13)) FROM interactions WHERE rowid > ?",
				start).Scan(&l, &h); err != nil {
				return fmt.Errorf("activity counts: %w", err)
			}
			if !l.Valid {
				return nil
			}
			lo, hi = l.String, h.String
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM activity_hours WHERE hour >= ? AND hour <= ?", lo, hi); err != nil {
			return fmt.Errorf("activity counts: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO activity_hours (hour, kind, n)
			SELECT substr(occurred_at, 1, 13), kind, count(*) FROM interactions INDEXED BY interactions_activity
			WHERE substr(occurred_at, 1, 13) >= ? AND substr(occurred_at, 1, 13) <= ? AND redacted = 0 AND superseded_by IS NULL
			AND occurred_at > '' AND kind IN `+activityKinds+` GROUP BY substr(occurred_at, 1, 13), kind`, lo, hi)
		if err != nil {
			return fmt.Errorf("activity counts: %w", err)
		}
		return nil
	}, nil
}

// ActivityFilter picks the timeline entries behind the activity report's counts.
type ActivityFilter struct {
	// From and To bound the time the entries occurred: From inclusive, To exclusive, as
	// a week of the report (ActivityWeek's Start and End).
	From, To time.Time
	// Kind is one of InteractionKinds, or "" for all of them.
	Kind string
	// After continues a list after the last entry of a window (ActivityPage.Next); nil
	// starts with the newest entry.
	After *ActivityCursor
	// Limit caps the window; 0 means 50.
	Limit int
}

// ActivityCursor marks the entry a window of ActivityEntries ended with.
type ActivityCursor struct {
	at  string
	row int64
}

// ActivityPage is one window of the entries behind the activity report.
type ActivityPage struct {
	Entries []Interaction `json:"entries"`
	// Counts are all the entries from From to To by kind (whatever Kind picks), counted
	// as the activity report counts them: Counts.Of(Kind) is the length of the whole list.
	Counts ActivityCounts `json:"counts"`
	// Next continues the list after Entries; nil when they are the last.
	Next *ActivityCursor `json:"-"`
}

// ActivityEntries returns a window of the entries that the activity report counts between
// f.From and f.To (calls, emails, meetings, notes and messages, not removed and not
// replaced by an edit), newest first, and their counts by kind. The window is read from
// interactions_activity in the order of its hours, so only the entries of the hours it
// spans are sorted, and only its entries are read in full: a window costs the same at
// the top of a week of 100,000 entries as at its bottom.
func (db *DB) ActivityEntries(ctx context.Context, f ActivityFilter) (*ActivityPage, error) {
	if err := (Period{f.From, f.To}).check(); err != nil {
		return nil, fmt.Errorf("activity entries: %w", err)
	}
	if f.Kind != "" && !slices.Contains(InteractionKinds, f.Kind) {
		return nil, fmt.Errorf("activity entries: %w: kind %q must be one of %s", ErrInvalid, f.Kind, strings.Join(InteractionKinds, ", "))
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	span := []ActivityWeek{{Start: f.From.UTC(), End: f.To.UTC()}}
	if err := db.countActivity(ctx, span); err != nil {
		return nil, fmt.Errorf("activity entries: %w", err)
	}
	page := &ActivityPage{Entries: []Interaction{}, Counts: span[0].ActivityCounts}
	hi := hourKey(f.To)
	cond := "substr(occurred_at, 1, 13) >= ? AND substr(occurred_at, 1, 13) <= ? AND occurred_at >= ? AND occurred_at < ?" +
		" AND redacted = 0 AND superseded_by IS NULL AND occurred_at > '' AND kind IN " + activityKinds
	var args []any
	if f.After != nil {
		hi = min(hi, f.After.at[:min(13, len(f.After.at))])
		cond += " AND (occurred_at, rowid) < (?, ?)"
	}
	args = append(args, hourKey(f.From), hi, fmtTime(f.From), fmtTime(f.To))
	if f.After != nil {
		args = append(args, f.After.at, f.After.row)
	}
	if f.Kind != "" {
		cond += " AND kind = ?"
		args = append(args, f.Kind)
	}
	// One more than the window, to know whether another follows.
	q := "SELECT w.r, w.at, " + interactionCols + " FROM (SELECT rowid AS r, occurred_at AS at FROM interactions INDEXED BY interactions_activity WHERE " + cond +
		" ORDER BY substr(occurred_at, 1, 13) DESC, occurred_at DESC, rowid DESC LIMIT ?) w CROSS JOIN interactions i ON i.rowid = w.r" +
		" LEFT JOIN contacts c ON c.id = i.contact_id LEFT JOIN companies co ON co.id = i.company_id LEFT JOIN deals d ON d.id = i.deal_id" +
		" ORDER BY w.at DESC, w.r DESC"
	rows, err := db.query(ctx, q, append(args, f.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("activity entries: %w", err)
	}
	defer rows.Close()
	var last ActivityCursor
	for rows.Next() {
		var cur ActivityCursor
		i, err := scanInteraction(prefixScan{rows, []any{&cur.row, &cur.at}})
		if err != nil {
			return nil, fmt.Errorf("activity entries: %w", err)
		}
		if len(page.Entries) == f.Limit {
			page.Next = &last
			break
		}
		page.Entries = append(page.Entries, *i)
		last = cur
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("activity entries: %w", err)
	}
	return page, nil
}

// prefixScan scans the columns of a row that come before those another scanner reads.
type prefixScan struct {
	rows   *sql.Rows
	prefix []any
}

func (p prefixScan) Scan(dest ...any) error { return p.rows.Scan(append(p.prefix, dest...)...) }
