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
	today := "u.deleted_at IS NULL AND u.done_at IS NULL AND u.due_at < ? AND NOT (u.due_at < ? AND (u.all_day = 0 OR u.due_at < ?))"
	targs := []any{fmtTime(end), fmtTime(now), fmtTime(start)}
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
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM follow_ups u WHERE "+cond, args...).Scan(total); err != nil {
		return fmt.Errorf("agenda: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+followUpCols+followUpFrom+"WHERE "+cond+fmt.Sprintf(" ORDER BY u.due_at, u.id LIMIT %d", limit), args...)
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

// rottingCond selects open deals longer in their stage than the stage allows. The
// per-stage cutoff keeps it on the deals_open index: one range scan per stage.
const rottingCond = `d.status = 'open' AND d.deleted_at IS NULL AND s.rotting_days > 0
	AND d.stage_entered_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-' || s.rotting_days || ' days')`

// RottingDeals returns open deals past their stage's rotting limit, longest-stuck first,
// and how many there are.
func (db *DB) RottingDeals(ctx context.Context, limit int) ([]Deal, int, error) {
	now := fmtTime(db.Now())
	var total int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id WHERE "+rottingCond, now).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("rotting deals: %w", err)
	}
	q := "SELECT " + dealCols + dealFrom + "WHERE " + rottingCond + " ORDER BY d.stage_entered_at, d.id" + limitClause(limit, 0)
	rows, err := db.sql.QueryContext(ctx, q, now)
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

// neglectedCond selects contacts whose last touch (or creation, if never touched) is older
// than their cadence.
const neglectedCond = `c.cadence_days IS NOT NULL AND c.deleted_at IS NULL AND c.merged_into IS NULL
	AND coalesce(c.last_touched_at, c.created_at) < strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-' || c.cadence_days || ' days')`

// NeglectedContacts returns contacts past their stay-in-touch cadence, most overdue first,
// and how many there are.
func (db *DB) NeglectedContacts(ctx context.Context, limit int) ([]Contact, int, error) {
	now := fmtTime(db.Now())
	var total int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM contacts c WHERE "+neglectedCond, now).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("neglected contacts: %w", err)
	}
	q := "SELECT " + contactCols + contactFrom + "WHERE " + neglectedCond +
		" ORDER BY julianday(coalesce(c.last_touched_at, c.created_at)) + c.cadence_days, c.id" + limitClause(limit, 0)
	rows, err := db.sql.QueryContext(ctx, q, now)
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
