package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The records behind a report's figures, for the TUI's drill-downs: each list selects
// exactly the deals that the report counted for one figure, so the length of the list is
// the figure. Lists come a window at a time (offset and limit; a limit of 0 means 50)
// with the number of records in all, and read the same indexes as the report.

// WinRateFilter picks the deals behind one figure of the win-rate report.
type WinRateFilter struct {
	// Status is StatusWon, StatusLost or "stale" (the open deals that the closed_and_stale
	// denominator counts); "" is every deal the report counted.
	Status string
	// BySource keeps only the deals whose contact has lead source Source ("" for none).
	BySource bool
	Source   string
	// StageID keeps only the deals whose furthest stage reached is this one.
	StageID string
}

// Stale is the WinRateFilter status of the open deals whose expected close date fell in
// the period.
const Stale = "stale"

// WinRateDeals returns a window of the deals that the win-rate report of p (with o's
// denominator) counted for the figure f picks, most recently closed first (the stale
// deals by expected close date, after the closed ones of the same day), and how many
// there are.
func (db *DB) WinRateDeals(ctx context.Context, p Period, o ReportOptions, f WinRateFilter, offset, limit int) ([]Deal, int, error) {
	if err := p.check(); err != nil {
		return nil, 0, fmt.Errorf("win-rate deals: %w", err)
	}
	den, err := o.denominator()
	if err != nil {
		return nil, 0, fmt.Errorf("win-rate deals: %w", err)
	}
	var counted []string
	var args []any
	if f.Status != Stale {
		c := closedIn
		if f.Status != "" {
			if f.Status != StatusWon && f.Status != StatusLost {
				return nil, 0, fmt.Errorf("win-rate deals: %w: status %q must be won, lost or stale", ErrInvalid, f.Status)
			}
			c += " AND d.status = ?"
		}
		counted = append(counted, "("+c+" AND "+liveDeal+")")
		args = append(args, p.instants()...)
		if f.Status != "" {
			args = append(args, f.Status)
		}
	}
	if den == WinRateClosedAndStale && (f.Status == "" || f.Status == Stale) {
		counted = append(counted, "("+staleIn+" AND "+liveDeal+")")
		args = append(args, p.days()...)
	}
	if len(counted) == 0 {
		return []Deal{}, 0, nil // stale deals, which this denominator does not count
	}
	// Closed and stale deals are each read from their own index (whose condition each
	// branch states): a UNION of the two, not an OR, which would read every deal.
	cond := counted[0]
	if len(counted) > 1 {
		cond = "d.rowid IN (SELECT d.rowid FROM deals d WHERE " + strings.Join(counted, " UNION ALL SELECT d.rowid FROM deals d WHERE ") + ")"
	}
	if f.BySource {
		cond += " AND coalesce((SELECT c.source FROM contacts c WHERE c.id = d.contact_id), '') = ?"
		args = append(args, f.Source)
	}
	if f.StageID != "" {
		r, err := db.ranking(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("win-rate deals: %w", err)
		}
		k := r.of(f.StageID)
		if k < 0 {
			return nil, 0, fmt.Errorf("win-rate deals: stage %s: %w", ShortID(f.StageID), ErrNotFound)
		}
		cond += " AND " + r.furthestIs(k)
	}
	return db.dealsWhere(ctx, cond+" AND "+liveDeal, args, "coalesce(d.closed_at, d.expected_close) DESC, d.id", offset, limit)
}

// FunnelFilter picks the deals behind one figure of the funnel.
type FunnelFilter struct {
	// StageID keeps the deals the funnel counted as having reached this stage.
	StageID string
	// Status keeps the deals now won, lost or open; "" keeps them all.
	Status string
}

// FunnelDeals returns a window of the deals created in p that the funnel counted for the
// figure f picks, newest first, and how many there are: for a stage, the deals whose
// furthest stage reached (see Funnel) is that one or a later one, and the won deals.
func (db *DB) FunnelDeals(ctx context.Context, p Period, f FunnelFilter, offset, limit int) ([]Deal, int, error) {
	if err := p.check(); err != nil {
		return nil, 0, fmt.Errorf("funnel deals: %w", err)
	}
	cond, args := createdIn, p.instants()
	if f.Status != "" {
		if f.Status != StatusWon && f.Status != StatusLost && f.Status != StatusOpen {
			return nil, 0, fmt.Errorf("funnel deals: %w: status %q must be won, lost or open", ErrInvalid, f.Status)
		}
		cond += " AND d.status = ?"
		args = append(args, f.Status)
	}
	if f.StageID != "" {
		r, err := db.ranking(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("funnel deals: %w", err)
		}
		k := r.of(f.StageID)
		if k < 0 {
			return nil, 0, fmt.Errorf("funnel deals: stage %s: %w", ShortID(f.StageID), ErrNotFound)
		}
		cond += " AND (d.status = 'won' OR " + r.reached(k) + ")"
	}
	return db.dealsWhere(ctx, cond+" AND "+liveDeal, args, "d.created_at DESC, d.id DESC", offset, limit)
}

// ClosedDeals returns a window of the deals won or lost in p, most recently closed first,
// and how many there are: the deals behind the cycle report of a period.
func (db *DB) ClosedDeals(ctx context.Context, p Period, offset, limit int) ([]Deal, int, error) {
	if err := p.check(); err != nil {
		return nil, 0, fmt.Errorf("closed deals: %w", err)
	}
	return db.dealsWhere(ctx, closedIn+" AND "+liveDeal, p.instants(), "d.closed_at DESC, d.id", offset, limit)
}

// OpenDealFilter picks open deals: by currency (the velocity) or by expected close date
// (a line of the forecast).
type OpenDealFilter struct {
	Currency string
	// CloseFrom and CloseTo keep the deals expected to close on or after the day
	// CloseFrom and before the day CloseTo (YYYY-MM-DD; either may be ""), which leaves
	// out the deals without an expected close date; Unscheduled keeps only those.
	CloseFrom, CloseTo string
	Unscheduled        bool
}

// OpenDeals returns a window of the open deals f picks, soonest expected to close first
// (those without a date last), and how many there are: the deals behind a currency of the
// velocity and behind a line of the forecast.
func (db *DB) OpenDeals(ctx context.Context, f OpenDealFilter, offset, limit int) ([]Deal, int, error) {
	cond := "d.status = 'open' AND " + liveDeal
	var args []any
	if f.Currency != "" {
		cond += " AND d.currency = ?"
		args = append(args, f.Currency)
	}
	switch {
	case f.Unscheduled && (f.CloseFrom != "" || f.CloseTo != ""):
		return nil, 0, fmt.Errorf("open deals: %w: a deal without an expected close date has none in a range", ErrInvalid)
	case f.Unscheduled:
		cond += " AND d.expected_close IS NULL"
	default:
		for _, b := range []struct{ field, op, day string }{{"from", ">=", f.CloseFrom}, {"to", "<", f.CloseTo}} {
			if b.day == "" {
				continue
			}
			if err := checkDate("expected close "+b.field, b.day); err != nil {
				return nil, 0, fmt.Errorf("open deals: %w", err)
			}
			cond += " AND d.expected_close " + b.op + " ?"
			args = append(args, b.day)
		}
		if f.CloseFrom != "" || f.CloseTo != "" {
			cond += " AND d.expected_close IS NOT NULL"
		}
	}
	return db.dealsWhere(ctx, cond, args, "d.expected_close IS NULL, d.expected_close, d.value DESC, d.id", offset, limit)
}

// dealsWhere counts the deals matching cond and returns the window of them from offset in
// order. The window is chosen first, from the deals alone (an index, where cond and order
// allow), and only its deals are joined to their stage, contact and company.
func (db *DB) dealsWhere(ctx context.Context, cond string, args []any, order string, offset, limit int) ([]Deal, int, error) {
	if offset < 0 {
		return nil, 0, fmt.Errorf("%w: offset %d is negative", ErrInvalid, offset)
	}
	if limit <= 0 {
		limit = 50
	}
	var n int
	if err := db.queryRow(ctx, "SELECT count(*) FROM deals d WHERE "+cond, args, &n); err != nil {
		return nil, 0, fmt.Errorf("list deals: %w", err)
	}
	out := []Deal{}
	if n <= offset {
		return out, n, nil
	}
	q := "SELECT " + dealCols + " FROM (SELECT d.rowid AS r FROM deals d WHERE " + cond + " ORDER BY " + order + " LIMIT ? OFFSET ?) w" +
		" CROSS JOIN deals d ON d.rowid = w.r JOIN stages s ON s.id = d.stage_id" +
		" LEFT JOIN contacts ct ON ct.id = d.contact_id LEFT JOIN companies co ON co.id = d.company_id ORDER BY " + order
	rows, err := db.query(ctx, q, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list deals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDeal(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list deals: %w", err)
		}
		out = append(out, *d)
	}
	return out, n, rows.Err()
}

// StageStay is a deal's stay in a stage, as the cycle report counts it.
type StageStay struct {
	Deal Deal `json:"deal"`
	// Days is the length of the stay, to a tenth of a day.
	Days float64 `json:"days"`
	// Ended is when the stay ended: by a move to the stage EndedBy (its name; "" for a
	// stage since deleted), or by closing the deal (EndedBy is won or lost).
	Ended   time.Time `json:"ended"`
	EndedBy string    `json:"ended_by"`
}

// StageStays returns a window of the stays in a stage that ended in p, most recently ended
// first, and how many there are: the stays behind the stage's median in the cycle report (the moves
// out of the stage in p, from the move into it or the deal's creation, and the deals
// closed in p while in it, from the move into it).
func (db *DB) StageStays(ctx context.Context, p Period, stageID string, offset, limit int) ([]StageStay, int, error) {
	if err := p.check(); err != nil {
		return nil, 0, fmt.Errorf("stage stays: %w", err)
	}
	if offset < 0 {
		return nil, 0, fmt.Errorf("stage stays: %w: offset %d is negative", ErrInvalid, offset)
	}
	if limit <= 0 {
		limit = 50
	}
	r, err := db.ranking(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("stage stays: %w", err)
	}
	if r.of(stageID) < 0 {
		return nil, 0, fmt.Errorf("stage stays: stage %s: %w", ShortID(stageID), ErrNotFound)
	}
	names := map[string]string{}
	for _, s := range r.stages {
		names[s.ID] = s.Name
	}
	// Which stays: the closed deals (k 'c', by deal rowid) and the moves (k 'm', by entry
	// rowid), read from covering indexes without their lengths.
	which := "SELECT 'c' AS k, d.rowid AS r, d.closed_at AS ended FROM deals d WHERE " + closedIn + " AND " + liveDeal + " AND d.stage_id = ?" +
		" UNION ALL SELECT 'm', h.rowid, h.occurred_at FROM interactions h INDEXED BY interactions_stage_history WHERE " + movedIn + " AND h.from_stage = ?"
	args := append(append(p.instants(), stageID), append(p.instants(), stageID)...)
	var n int
	if err := db.queryRow(ctx, "SELECT count(*) FROM ("+which+")", args, &n); err != nil {
		return nil, 0, fmt.Errorf("stage stays: %w", err)
	}
	out := []StageStay{}
	if n <= offset {
		return out, n, nil
	}
	// The window, most recently ended first; only its stays' lengths are computed.
	stays := "SELECT coalesce(d.id, h.deal_id), CASE w.k WHEN 'c' THEN " + closedStay + " ELSE " + movedStay + " END, w.ended," +
		" CASE w.k WHEN 'c' THEN d.status ELSE h.to_stage END" +
		" FROM (" + which + " ORDER BY ended DESC, k, r DESC LIMIT ? OFFSET ?) w" +
		" LEFT JOIN deals d ON w.k = 'c' AND d.rowid = w.r LEFT JOIN interactions h ON w.k = 'm' AND h.rowid = w.r" +
		" ORDER BY w.ended DESC, w.k, w.r DESC"
	var ids []string
	err = db.scan(ctx, stays, append(args, limit, offset),
		func(scan func(...any) error) error {
			var s StageStay
			var ended, how string
			if err := scan(&s.Deal.ID, &s.Days, &ended, &how); err != nil {
				return err
			}
			s.Days, s.Ended, s.EndedBy = round(s.Days, 1), parseTime(ended), how
			if how != StatusWon && how != StatusLost {
				s.EndedBy = names[how]
			}
			out = append(out, s)
			ids = append(ids, s.Deal.ID)
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("stage stays: %w", err)
	}
	// The window's deals, read in full by id.
	idList, err := json.Marshal(ids)
	if err != nil {
		return nil, 0, fmt.Errorf("stage stays: %w", err)
	}
	deals := map[string]Deal{}
	err = db.scan(ctx, "SELECT "+dealCols+dealFrom+"WHERE d.id IN (SELECT value FROM json_each(?))", []any{string(idList)},
		func(scan func(...any) error) error {
			d, err := scanDeal(scanFunc(scan))
			if err != nil {
				return err
			}
			deals[d.ID] = *d
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("stage stays: %w", err)
	}
	for i := range out {
		out[i].Deal = deals[out[i].Deal.ID]
	}
	return out, n, nil
}

// scanFunc lets a scan function stand for a row.
type scanFunc func(...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
