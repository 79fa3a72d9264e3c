package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// FollowUpInput is a new follow-up for a contact or a deal.
type FollowUpInput struct {
	Title     string
	DueAt     time.Time
	AllDay    bool
	ContactID string
	DealID    string
}

// AddFollowUp schedules a follow-up.
func (db *DB) AddFollowUp(ctx context.Context, in FollowUpInput) (*FollowUp, error) {
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		return nil, fmt.Errorf("%w: say what to do (--text)", ErrInvalid)
	}
	if err := checkLen("text", in.Title, maxShort); err != nil {
		return nil, err
	}
	if in.DueAt.IsZero() {
		return nil, fmt.Errorf("%w: a follow-up needs a due date (--due)", ErrInvalid)
	}
	if in.ContactID == "" && in.DealID == "" {
		return nil, fmt.Errorf("%w: a follow-up needs a contact or a deal", ErrInvalid)
	}
	vis, label := db.visibility, ""
	if in.DealID != "" {
		d, err := db.FindDealByID(ctx, in.DealID)
		if err != nil {
			return nil, err
		}
		if in.ContactID == "" {
			in.ContactID = d.ContactID
		}
		vis, label = d.Visibility, d.Title
	} else {
		c, err := db.FindContactByID(ctx, in.ContactID)
		if err != nil {
			return nil, err
		}
		vis, label = c.Visibility, c.Name
	}
	id := newID()
	err := db.write(ctx, "add follow-up for "+label, func(t *Tx) error {
		return t.create(EntityFollowUp, id, Fields{"title": in.Title, "due_at": fmtTime(in.DueAt), "all_day": in.AllDay,
			"contact_id": nullStr(in.ContactID), "deal_id": nullStr(in.DealID),
			"owner": db.owner, "visibility": vis, "created_at": fmtTime(t.now)})
	})
	if err != nil {
		return nil, fmt.Errorf("add follow-up: %w", err)
	}
	return db.FindFollowUpByID(ctx, id)
}

// CompleteFollowUp marks a follow-up done now.
func (db *DB) CompleteFollowUp(ctx context.Context, id string) (*FollowUp, error) {
	f, err := db.FindFollowUpByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if f.DoneAt != nil {
		return nil, fmt.Errorf("%w: follow-up %q is already done", ErrConflict, f.Title)
	}
	return db.editFollowUp(ctx, f, "complete follow-up "+f.Title, func(now string) Fields { return Fields{"done_at": now} })
}

// ReopenFollowUp marks a done follow-up as not done.
func (db *DB) ReopenFollowUp(ctx context.Context, id string) (*FollowUp, error) {
	f, err := db.FindFollowUpByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if f.DoneAt == nil {
		return nil, fmt.Errorf("%w: follow-up %q is not done", ErrConflict, f.Title)
	}
	return db.editFollowUp(ctx, f, "reopen follow-up "+f.Title, func(string) Fields { return Fields{"done_at": nil} })
}

// SnoozeFollowUp moves a follow-up's due time; the op log keeps every earlier due time.
func (db *DB) SnoozeFollowUp(ctx context.Context, id string, until time.Time, allDay bool) (*FollowUp, error) {
	f, err := db.FindFollowUpByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if f.DoneAt != nil {
		return nil, fmt.Errorf("%w: follow-up %q is done; reopen it first", ErrConflict, f.Title)
	}
	// A whole day counts as the future until it has ended.
	if (allDay && !until.Add(24*time.Hour).After(db.Now())) || (!allDay && !until.After(db.Now())) {
		return nil, fmt.Errorf("%w: snooze until %s is not in the future", ErrInvalid, until.Local().Format("2006-01-02 15:04"))
	}
	return db.editFollowUp(ctx, f, "snooze follow-up "+f.Title, func(string) Fields {
		return Fields{"due_at": fmtTime(until), "all_day": allDay}
	})
}

// DeleteFollowUp tombstones a follow-up.
func (db *DB) DeleteFollowUp(ctx context.Context, id string) error {
	return db.setDeleted(ctx, EntityFollowUp, id, true)
}

// RestoreFollowUp undoes DeleteFollowUp.
func (db *DB) RestoreFollowUp(ctx context.Context, id string) error {
	return db.setDeleted(ctx, EntityFollowUp, id, false)
}

func (db *DB) editFollowUp(ctx context.Context, f *FollowUp, summary string, fields func(now string) Fields) (*FollowUp, error) {
	err := db.write(ctx, summary, func(t *Tx) error {
		_, err := t.update(EntityFollowUp, f.ID, fields(fmtTime(t.now)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.SplitN(summary, " ", 2)[0], err)
	}
	return db.FindFollowUpByID(ctx, f.ID)
}

const followUpCols = `u.id, u.title, u.due_at, u.all_day, coalesce(u.contact_id, ''), coalesce(c.name, ''),
	coalesce(u.deal_id, ''), coalesce(d.title, ''), u.done_at, u.owner, u.visibility, u.created_at, u.updated_at, u.deleted_at`

const followUpFrom = ` FROM follow_ups u LEFT JOIN contacts c ON c.id = u.contact_id LEFT JOIN deals d ON d.id = u.deal_id `

func scanFollowUp(sc interface{ Scan(...any) error }) (*FollowUp, error) {
	var f FollowUp
	var due, created, updated string
	var done, deleted sql.NullString
	err := sc.Scan(&f.ID, &f.Title, &due, &f.AllDay, &f.ContactID, &f.Contact, &f.DealID, &f.Deal,
		&done, &f.Owner, &f.Visibility, &created, &updated, &deleted)
	if err != nil {
		return nil, err
	}
	f.DueAt, f.CreatedAt, f.UpdatedAt = parseTime(due), parseTime(created), parseTime(updated)
	f.DoneAt, f.DeletedAt = timePtr(done), timePtr(deleted)
	return &f, nil
}

// FindFollowUpByID returns one follow-up.
func (db *DB) FindFollowUpByID(ctx context.Context, id string) (*FollowUp, error) {
	f, err := scanFollowUp(db.sql.QueryRowContext(ctx, "SELECT "+followUpCols+followUpFrom+"WHERE u.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("follow-up %s: %w", ShortID(id), ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find follow-up: %w", err)
	}
	return f, nil
}

// FollowUpFilter selects follow-ups. Open ones by default; Before limits them to those due
// before an instant (overdue: now; today: end of today).
type FollowUpFilter struct {
	Before    time.Time
	After     time.Time
	ContactID string
	DealID    string
	All       bool // done ones too (not deleted ones)
	Limit     int
	Offset    int
}

// FindFollowUps returns follow-ups ordered by due time, and how many match.
func (db *DB) FindFollowUps(ctx context.Context, f FollowUpFilter) ([]FollowUp, int, error) {
	where := []string{"u.deleted_at IS NULL"}
	var args []any
	if !f.All {
		where = append(where, "u.done_at IS NULL")
	}
	if !f.Before.IsZero() {
		where = append(where, "u.due_at < ?")
		args = append(args, fmtTime(f.Before))
	}
	if !f.After.IsZero() {
		where = append(where, "u.due_at >= ?")
		args = append(args, fmtTime(f.After))
	}
	if f.ContactID != "" {
		// A contact's follow-ups include those of the contacts merged into it.
		cond, a, err := db.mergedCond(ctx, EntityContact, "u.contact_id", f.ContactID)
		if err != nil {
			return nil, 0, fmt.Errorf("list follow-ups: %w", err)
		}
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.DealID != "" {
		where = append(where, "u.deal_id = ?")
		args = append(args, f.DealID)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM follow_ups u"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list follow-ups: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+followUpCols+followUpFrom+cond+" ORDER BY u.due_at, u.id"+limitClause(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list follow-ups: %w", err)
	}
	defer rows.Close()
	var out []FollowUp
	for rows.Next() {
		fu, err := scanFollowUp(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list follow-ups: %w", err)
		}
		out = append(out, *fu)
	}
	return out, total, rows.Err()
}
