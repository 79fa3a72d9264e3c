package store

import (
	"context"
	"fmt"
	"time"
)

// Agenda is what needs attention today.
type Agenda struct {
	Overdue   []FollowUp `json:"overdue"`
	DueToday  []FollowUp `json:"due_today"`
	Rotting   []Deal     `json:"rotting"`
	Neglected []Contact  `json:"neglected"`
}

// AgendaLimit caps each list of the agenda; the counts say how many there are in all.
type AgendaCounts struct {
	Overdue, DueToday, Rotting, Neglected int
}

// DayBounds returns the start of the local day holding now, and of the next day.
func DayBounds(now time.Time, loc *time.Location) (start, end time.Time) {
	l := now.In(loc)
	start = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	return start, start.AddDate(0, 0, 1)
}

// Today returns the agenda for the local day holding the store's now: overdue follow-ups
// (timed ones past their time, all-day ones from earlier days), those due later today,
// rotting deals (longer in their stage than its rotting limit) and neglected contacts
// (not touched within their cadence). limit caps each list (0 means 50).
func (db *DB) Today(ctx context.Context, loc *time.Location, limit int) (*Agenda, AgendaCounts, error) {
	if limit <= 0 {
		limit = 50
	}
	now := db.Now()
	start, end := DayBounds(now, loc)
	var a Agenda
	var n AgendaCounts
	overdue := "u.deleted_at IS NULL AND u.done_at IS NULL AND u.due_at < ? AND (u.all_day = 0 OR u.due_at < ?)"
	oargs := []any{fmtTime(now), fmtTime(start)}
	if err := db.followUpList(ctx, overdue, oargs, limit, &a.Overdue, &n.Overdue); err != nil {
		return nil, n, err
	}
	// Whatever is due before the start of today is overdue, so the lower bound changes
	// nothing but lets the query read only today's part of the follow_ups_agenda index.
	today := "u.deleted_at IS NULL AND u.done_at IS NULL AND u.due_at >= ? AND u.due_at < ? AND NOT (u.due_at < ? AND (u.all_day = 0 OR u.due_at < ?))"
	targs := []any{fmtTime(start), fmtTime(end), fmtTime(now), fmtTime(start)}
	if err := db.followUpList(ctx, today, targs, limit, &a.DueToday, &n.DueToday); err != nil {
		return nil, n, err
	}
	rot, total, err := db.RottingDeals(ctx, limit)
	if err != nil {
		return nil, n, err
	}
	a.Rotting, n.Rotting = rot, total
	neg, total, err := db.NeglectedContacts(ctx, limit)
	if err != nil {
		return nil, n, err
	}
	a.Neglected, n.Neglected = neg, total
	return &a, n, nil
}

func (db *DB) followUpList(ctx context.Context, cond string, args []any, limit int, out *[]FollowUp, total *int) error {
	if err := db.queryRow(ctx, "SELECT count(*) FROM follow_ups u WHERE "+cond, args, total); err != nil {
		return fmt.Errorf("agenda: %w", err)
	}
	rows, err := db.query(ctx, "SELECT "+followUpCols+followUpFrom+"WHERE "+cond+fmt.Sprintf(" ORDER BY u.due_at, u.id LIMIT %d", limit), args...)
	if err != nil {
		return fmt.Errorf("agenda: %w", err)
	}
	defer rows.Close()
	*out = []FollowUp{}
	for rows.Next() {
		f, err := scanFollowUp(rows)
		if err != nil {
			return fmt.Errorf("agenda: %w", err)
		}
		*out = append(*out, *f)
	}
	return rows.Err()
}

// rottingCond selects open deals longer in their stage than the stage allows.
const rottingCond = `d.status = 'open' AND d.deleted_at IS NULL AND s.rotting_days > 0
	AND d.stage_entered_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-' || s.rotting_days || ' days')`

// rottingCount counts them with the stages as the outer loop (CROSS JOIN fixes the
// order), so each stage's cutoff is computed once and bounds one range of the deals_open
// index, which the count reads alone.
const rottingCount = "SELECT count(*) FROM stages s CROSS JOIN deals d WHERE d.stage_id = s.id AND " + rottingCond

// RottingDeals returns open deals past their stage's rotting limit, longest-stuck first,
// and how many there are. The list reads deals_stuck in order and stops at the limit.
func (db *DB) RottingDeals(ctx context.Context, limit int) ([]Deal, int, error) {
	return db.RottingDealsAt(ctx, 0, limit)
}

// RottingDealsAt is RottingDeals from an offset: a window of the list further down.
func (db *DB) RottingDealsAt(ctx context.Context, offset, limit int) ([]Deal, int, error) {
	if offset < 0 {
		return nil, 0, fmt.Errorf("rotting deals: %w: offset %d is negative", ErrInvalid, offset)
	}
	now := fmtTime(db.Now())
	var total int
	if err := db.queryRow(ctx, rottingCount, []any{now}, &total); err != nil {
		return nil, 0, fmt.Errorf("rotting deals: %w", err)
	}
	q := "SELECT " + dealCols + dealFrom + "WHERE " + rottingCond + " ORDER BY d.stage_entered_at, d.id" + limitClause(limit, offset)
	rows, err := db.query(ctx, q, now)
	if err != nil {
		return nil, 0, fmt.Errorf("rotting deals: %w", err)
	}
	defer rows.Close()
	out := []Deal{}
	for rows.Next() {
		d, err := scanDeal(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("rotting deals: %w", err)
		}
		out = append(out, *d)
	}
	return out, total, rows.Err()
}

// touchDue is when a contact with a cadence becomes neglected: its last touch (or its
// creation, if never touched) plus the cadence. It is the expression of the
// contacts_touch_due index, so the agenda counts and orders neglected contacts from the
// index alone. (SQLite adds whole days as exact milliseconds, so "touched + cadence < now"
// selects the same contacts as "touched < now - cadence".)
const touchDue = `strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(c.last_touched_at, c.created_at), '+' || c.cadence_days || ' days')`

// neglectedCond selects contacts whose last touch (or creation, if never touched) is older
// than their cadence.
const neglectedCond = `c.cadence_days IS NOT NULL AND c.deleted_at IS NULL AND c.merged_into IS NULL
	AND ` + touchDue + ` < ?`

// NeglectedContacts returns contacts past their stay-in-touch cadence, most overdue first,
// and how many there are.
func (db *DB) NeglectedContacts(ctx context.Context, limit int) ([]Contact, int, error) {
	return db.NeglectedContactsAt(ctx, 0, limit)
}

// NeglectedContactsAt is NeglectedContacts from an offset: a window of the list further
// down.
func (db *DB) NeglectedContactsAt(ctx context.Context, offset, limit int) ([]Contact, int, error) {
	if offset < 0 {
		return nil, 0, fmt.Errorf("neglected contacts: %w: offset %d is negative", ErrInvalid, offset)
	}
	now := fmtTime(db.Now())
	var total int
	if err := db.queryRow(ctx, "SELECT count(*) FROM contacts c WHERE "+neglectedCond, []any{now}, &total); err != nil {
		return nil, 0, fmt.Errorf("neglected contacts: %w", err)
	}
	q := "SELECT " + contactCols + contactFrom + "WHERE " + neglectedCond +
		" ORDER BY " + touchDue + ", c.id" + limitClause(limit, offset)
	rows, err := db.query(ctx, q, now)
	if err != nil {
		return nil, 0, fmt.Errorf("neglected contacts: %w", err)
	}
	defer rows.Close()
	var list []*Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("neglected contacts: %w", err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := db.fillContacts(ctx, list); err != nil {
		return nil, 0, err
	}
	out := make([]Contact, len(list))
	for i, c := range list {
		out[i] = *c
	}
	return out, total, nil
}
