package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The TUI's pipeline board and weekly review read the open deals a window at a time:
// a board of 20,000 deals opens with the stage totals (Pipeline) and, per stage, only
// the cards that fit on screen. Both queries below read indexes in the order they
// return, so their cost grows with the window, not with the pipeline.

// openDeal is the condition every board query puts on deals, as the board indexes state it.
const openDeal = "d.status = 'open' AND d.deleted_at IS NULL AND d.merged_into IS NULL"

// BoardColumn returns a window of the open deals in one stage, in the board's order:
// longest in the stage first (so rotting deals lead), ties by insertion. offset counts
// the deals skipped; limit caps the window (0 means 50). The window is chosen from the
// deals_board_age index alone, then only its deals are read in full.
func (db *DB) BoardColumn(ctx context.Context, stageID string, offset, limit int) ([]Deal, error) {
	if offset < 0 {
		return nil, fmt.Errorf("%w: board offset %d is negative", ErrInvalid, offset)
	}
	if limit <= 0 {
		limit = 50
	}
	q := "SELECT " + dealCols + ` FROM (SELECT d.rowid AS r, d.stage_entered_at AS e FROM deals d INDEXED BY deals_board_age
		WHERE d.stage_id = ? AND ` + openDeal + ` ORDER BY d.stage_entered_at, d.rowid LIMIT ? OFFSET ?) w
		CROSS JOIN deals d ON d.rowid = w.r JOIN stages s ON s.id = d.stage_id
		LEFT JOIN contacts ct ON ct.id = d.contact_id LEFT JOIN companies co ON co.id = d.company_id
		ORDER BY w.e, w.r`
	rows, err := db.sql.QueryContext(ctx, q, stageID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("board column: %w", err)
	}
	defer rows.Close()
	out := []Deal{}
	for rows.Next() {
		d, err := scanDeal(rows)
		if err != nil {
			return nil, fmt.Errorf("board column: %w", err)
		}
		out = append(out, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("board column: %w", err)
	}
	return out, nil
}

// Why a deal is in the review queue, most urgent first.
const (
	// ReviewOverdue: the deal's next step is past due.
	ReviewOverdue = "overdue"
	// ReviewRotting: the deal has been in its stage longer than the stage allows.
	ReviewRotting = "rotting"
	// ReviewNoNextStep: the deal has no open follow-up.
	ReviewNoNextStep = "no next step"
	// ReviewScheduled: the deal is on track, with a next step ahead.
	ReviewScheduled = "scheduled"
)

// reviewReasons maps a queue tier to its reason.
var reviewReasons = []string{ReviewOverdue, ReviewRotting, ReviewNoNextStep, ReviewScheduled}

// ReviewItem is one deal of the weekly review, with why it needs attention and its next
// step (the earliest open follow-up linked to it), if any.
type ReviewItem struct {
	Deal     Deal      `json:"deal"`
	Reason   string    `json:"reason"`
	NextStep *FollowUp `json:"next_step,omitempty"`
	Rotting  bool      `json:"rotting"`
}

// ReviewQueue returns up to limit open deals (0 means 50) most in need of attention
// first: those whose next step is overdue (a timed follow-up past its time, an all-day one
// from an earlier day in loc), then rotting ones, then those with no next step, then the
// rest; within each group the most valuable first (value in minor units, whatever the
// currency), then by id. A deal's next step is its earliest open follow-up.
//
// The order is computed in SQL over the open deals: the next steps are grouped once from
// the follow-ups linked to deals (follow_ups_deal), each stage's rotting cutoff is
// computed once, and only the first limit deals are read in full.
func (db *DB) ReviewQueue(ctx context.Context, loc *time.Location, limit int) ([]ReviewItem, error) {
	if limit <= 0 {
		limit = 50
	}
	if loc == nil {
		loc = time.UTC
	}
	now := db.Now()
	dayStart, _ := DayBounds(now, loc)
	nowS, dayS := fmtTime(now), fmtTime(dayStart)
	// nx: each deal's earliest open follow-up (SQLite takes the bare columns id and
	// all_day from the row holding the min). st: each stage's rotting cutoff.
	q := `WITH nx AS MATERIALIZED (SELECT u.deal_id, min(u.due_at) AS due, u.id AS fid, u.all_day AS all_day
			FROM follow_ups u WHERE u.deal_id IS NOT NULL AND u.done_at IS NULL AND u.deleted_at IS NULL GROUP BY u.deal_id),
		st AS MATERIALIZED (SELECT id, CASE WHEN rotting_days > 0
			THEN strftime('%Y-%m-%dT%H:%M:%fZ', ?1, '-' || rotting_days || ' days') END AS cutoff FROM stages),
		q AS (SELECT d.rowid AS r, d.value AS v, d.id AS id, nx.fid AS fid, coalesce(d.stage_entered_at < st.cutoff, 0) AS rot,
			CASE WHEN nx.due < ?2 OR (nx.all_day = 0 AND nx.due < ?1) THEN 0
				WHEN d.stage_entered_at < st.cutoff THEN 1
				WHEN nx.due IS NULL THEN 2 ELSE 3 END AS tier
			FROM deals d JOIN st ON st.id = d.stage_id LEFT JOIN nx ON nx.deal_id = d.id
			WHERE ` + openDeal + `
			ORDER BY tier, d.value DESC, d.id LIMIT ?3)
		SELECT q.tier, q.rot, coalesce(q.fid, ''), ` + dealCols + ` FROM q CROSS JOIN deals d ON d.rowid = q.r
			JOIN stages s ON s.id = d.stage_id LEFT JOIN contacts ct ON ct.id = d.contact_id
			LEFT JOIN companies co ON co.id = d.company_id
		ORDER BY q.tier, q.v DESC, q.id`
	rows, err := db.sql.QueryContext(ctx, q, nowS, dayS, limit)
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	defer rows.Close()
	out := []ReviewItem{}
	var next []string
	for rows.Next() {
		var tier int
		var rot bool
		var fid string
		var d Deal
		var entered, created, updated string
		var closed, deleted sql.NullString
		err := rows.Scan(&tier, &rot, &fid, &d.ID, &d.Title, &d.ContactID, &d.Contact, &d.CompanyID, &d.Company,
			&d.Value.Amount, &d.Value.Currency, &d.StageID, &d.Stage, &d.Status, &d.LostReason, &d.ExpectedClose,
			&entered, &closed, &d.Notes, &d.Owner, &d.Visibility, &created, &updated, &deleted, &d.MergedInto)
		if err != nil {
			return nil, fmt.Errorf("review queue: %w", err)
		}
		d.StageEnteredAt, d.CreatedAt, d.UpdatedAt = parseTime(entered), parseTime(created), parseTime(updated)
		d.ClosedAt, d.DeletedAt = timePtr(closed), timePtr(deleted)
		d.Tags = []string{}
		out = append(out, ReviewItem{Deal: d, Reason: reviewReasons[tier], Rotting: rot})
		next = append(next, fid)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	rows.Close()
	for i, fid := range next {
		if fid == "" {
			continue
		}
		f, err := db.FindFollowUpByID(ctx, fid)
		if err != nil {
			return nil, fmt.Errorf("review queue: %w", err)
		}
		out[i].NextStep = f
	}
	return out, nil
}

// NextStep returns a deal's next step: its earliest open follow-up, or nil if it has none.
func (db *DB) NextStep(ctx context.Context, dealID string) (*FollowUp, error) {
	list, _, err := db.FindFollowUps(ctx, FollowUpFilter{DealID: dealID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	return &list[0], nil
}
