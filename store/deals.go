package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
)

// DealInput is a new deal. ContactID must be a contact's id; Company is an id or a name
// (an unknown name creates the company). Stage is a stage name; empty means the first.
type DealInput struct {
	Title         string
	ContactID     string
	Company       string
	Value         int64
	Currency      string
	Stage         string
	ExpectedClose string // YYYY-MM-DD or empty
	Tags          []string
	Notes         string
	Visibility    string
}

// DealUpdate changes a deal; nil pointers leave a field alone.
type DealUpdate struct {
	Title         *string
	ContactID     *string // "" unlinks
	Company       *string // id or name; "" unlinks
	Value         *int64
	Currency      *string
	ExpectedClose *string // "" clears
	Notes         *string
	Visibility    *string
	AddTags       []string
	RemoveTags    []string
}

func (db *DB) checkCurrency(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return db.currency, nil
	}
	if !ValidCurrency(code) {
		return "", fmt.Errorf("%w: unknown currency code %q (use an ISO 4217 code such as USD or EUR)", ErrInvalid, code)
	}
	return code, nil
}

func checkDate(field, s string) error {
	if s == "" {
		return nil
	}
	if _, err := time.Parse(DateFormat, s); err != nil {
		return fmt.Errorf("%w: %s %q is not a date (YYYY-MM-DD)", ErrInvalid, field, s)
	}
	return nil
}

func (db *DB) liveID(ctx context.Context, table, noun, id string) error {
	var n int
	if err := db.reader(ctx).QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE id = ? AND deleted_at IS NULL", id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s %s: %w", noun, ShortID(id), ErrNotFound)
	}
	return nil
}

// CreateDeal adds an open deal and returns it.
func (db *DB) CreateDeal(ctx context.Context, in DealInput) (*Deal, error) {
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		return nil, fmt.Errorf("%w: a deal needs a title", ErrInvalid)
	}
	if err := checkTexts(map[string]string{"title": in.Title, "notes": in.Notes}); err != nil {
		return nil, err
	}
	if in.Value < 0 {
		return nil, fmt.Errorf("%w: deal value %d is negative", ErrInvalid, in.Value)
	}
	cur, err := db.checkCurrency(in.Currency)
	if err != nil {
		return nil, err
	}
	if err := checkDate("expected close", in.ExpectedClose); err != nil {
		return nil, err
	}
	tags, err := validateTags(in.Tags)
	if err != nil {
		return nil, err
	}
	vis, err := db.visibilityOr(in.Visibility)
	if err != nil {
		return nil, err
	}
	var stage Stage
	if in.Stage == "" {
		stages, err := db.Stages(ctx)
		if err != nil {
			return nil, err
		}
		if len(stages) == 0 {
			return nil, fmt.Errorf("%w: the pipeline has no stages", ErrConflict)
		}
		stage = stages[0]
	} else if stage, err = db.FindStage(ctx, in.Stage); err != nil {
		return nil, err
	}
	company := in.Company
	if in.ContactID != "" {
		c, err := db.FindContactByID(ctx, in.ContactID)
		if err != nil {
			return nil, err
		}
		if company == "" {
			company = c.CompanyID
		}
	}
	id := newID()
	err = db.write(ctx, "add deal "+in.Title, func(t *Tx) error {
		companyID, err := t.companyFor(company, vis)
		if err != nil {
			return err
		}
		now := fmtTime(t.now)
		f := Fields{"title": in.Title, "contact_id": nullStr(in.ContactID), "company_id": nullStr(companyID),
			"value": in.Value, "currency": cur, "stage_id": stage.ID, "status": StatusOpen,
			"expected_close": nullStr(in.ExpectedClose), "stage_entered_at": now, "notes": in.Notes,
			"owner": db.owner, "visibility": vis, "created_at": now}
		for _, tag := range tags {
			f["tag:"+tag] = true
		}
		return t.create(EntityDeal, id, f)
	})
	if err != nil {
		return nil, fmt.Errorf("add deal: %w", err)
	}
	return db.FindDealByID(ctx, id)
}

// UpdateDeal applies u to the deal with id.
func (db *DB) UpdateDeal(ctx context.Context, id string, u DealUpdate) (*Deal, error) {
	err := db.write(ctx, "edit deal", func(t *Tx) error {
		// Read under the write lock, so that a concurrent edit cannot land between this
		// read and the write below and be lost.
		cur, err := db.FindDealByID(t.ctx, id)
		if err != nil {
			return err
		}
		t.summary = "edit deal " + cur.Title
		f, err := db.dealFields(t.ctx, cur, u)
		if err != nil {
			return err
		}
		if u.Company != nil {
			companyID, err := t.companyFor(*u.Company, cur.Visibility)
			if err != nil {
				return err
			}
			f["company_id"] = nullStr(companyID)
		}
		_, err = t.update(EntityDeal, id, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("edit deal: %w", err)
	}
	return db.FindDealByID(ctx, id)
}

// dealFields turns an update into the fields that change, validating every value.
func (db *DB) dealFields(ctx context.Context, cur *Deal, u DealUpdate) (Fields, error) {
	f := Fields{}
	if u.Title != nil {
		t := strings.TrimSpace(*u.Title)
		if t == "" {
			return nil, fmt.Errorf("%w: a deal needs a title", ErrInvalid)
		}
		if err := checkTexts(map[string]string{"title": t}); err != nil {
			return nil, err
		}
		f["title"] = t
	}
	if u.Value != nil {
		if *u.Value < 0 {
			return nil, fmt.Errorf("%w: deal value %d is negative", ErrInvalid, *u.Value)
		}
		f["value"] = *u.Value
	}
	if u.Currency != nil {
		c, err := db.checkCurrency(*u.Currency)
		if err != nil {
			return nil, err
		}
		f["currency"] = c
	}
	if u.ExpectedClose != nil {
		if err := checkDate("expected close", *u.ExpectedClose); err != nil {
			return nil, err
		}
		f["expected_close"] = nullStr(*u.ExpectedClose)
	}
	if u.Notes != nil {
		if err := checkTexts(map[string]string{"notes": *u.Notes}); err != nil {
			return nil, err
		}
		f["notes"] = *u.Notes
	}
	if u.Visibility != nil {
		if err := checkVisibility(*u.Visibility); err != nil {
			return nil, err
		}
		f["visibility"] = *u.Visibility
	}
	if u.ContactID != nil {
		if *u.ContactID != "" {
			if err := db.liveID(ctx, "contacts", "contact", *u.ContactID); err != nil {
				return nil, err
			}
		}
		f["contact_id"] = nullStr(*u.ContactID)
	}
	if err := tagFields(f, cur.Tags, u.AddTags, u.RemoveTags); err != nil {
		return nil, err
	}
	return f, nil
}

// MoveDeal puts an open deal in another stage and appends the move to its timeline.
func (db *DB) MoveDeal(ctx context.Context, id, stageName string) (*Deal, error) {
	d, err := db.FindDealByID(ctx, id)
	if err != nil {
		return nil, err
	}
	stage, err := db.FindStage(ctx, stageName)
	if err != nil {
		return nil, err
	}
	if d.Status != StatusOpen {
		return nil, fmt.Errorf("%w: deal %q is %s; reopen it before moving it", ErrConflict, d.Title, d.Status)
	}
	if d.StageID == stage.ID {
		return nil, fmt.Errorf("%w: deal %q is already in %s", ErrConflict, d.Title, stage.Name)
	}
	err = db.write(ctx, fmt.Sprintf("move deal %s to %s", d.Title, stage.Name), func(t *Tx) error {
		if _, err := t.update(EntityDeal, id, Fields{"stage_id": stage.ID, "stage_entered_at": fmtTime(t.now)}); err != nil {
			return err
		}
		return t.appendEntry(d, "stage_change", fmt.Sprintf("Stage: %s → %s", d.Stage, stage.Name),
			Fields{"from_stage": d.StageID, "to_stage": stage.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("move deal: %w", err)
	}
	return db.FindDealByID(ctx, id)
}

// CloseDeal marks an open deal won or lost (with an optional reason) and appends it to the
// timeline; status StatusOpen reopens a closed deal.
func (db *DB) CloseDeal(ctx context.Context, id, status, reason string) (*Deal, error) {
	d, err := db.FindDealByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkTexts(map[string]string{"reason": reason}); err != nil {
		return nil, err
	}
	switch {
	case status != StatusWon && status != StatusLost && status != StatusOpen:
		return nil, fmt.Errorf("%w: status %q must be open, won or lost", ErrInvalid, status)
	case d.Status == status:
		return nil, fmt.Errorf("%w: deal %q is already %s", ErrConflict, d.Title, status)
	case status != StatusOpen && d.Status != StatusOpen:
		return nil, fmt.Errorf("%w: deal %q is already %s; reopen it first", ErrConflict, d.Title, d.Status)
	}
	verb := map[string]string{StatusWon: "win", StatusLost: "lose", StatusOpen: "reopen"}[status]
	err = db.write(ctx, verb+" deal "+d.Title, func(t *Tx) error {
		f := Fields{"status": status, "lost_reason": "", "closed_at": nil}
		text := "Reopened"
		switch status {
		case StatusWon:
			f["closed_at"] = fmtTime(t.now)
			text = "Won: " + d.Value.String()
		case StatusLost:
			f["closed_at"] = fmtTime(t.now)
			f["lost_reason"] = reason
			text = "Lost"
			if reason != "" {
				text += ": " + reason
			}
		}
		if _, err := t.update(EntityDeal, id, f); err != nil {
			return err
		}
		return t.appendEntry(d, "status_change", text)
	})
	if err != nil {
		return nil, fmt.Errorf("%s deal: %w", verb, err)
	}
	return db.FindDealByID(ctx, id)
}

// appendEntry appends a system entry (a stage or status change) to a deal's timeline, with
// any extra fields (a stage change names its stages: from_stage and to_stage).
func (t *Tx) appendEntry(d *Deal, kind, text string, extra ...Fields) error {
	now := fmtTime(t.now)
	f := Fields{"kind": kind, "occurred_at": now, "text": text,
		"contact_id": nullStr(d.ContactID), "company_id": nullStr(d.CompanyID), "deal_id": d.ID,
		"owner": t.db.owner, "visibility": d.Visibility, "created_at": now}
	for _, e := range extra {
		maps.Copy(f, e)
	}
	return t.create(EntityInteraction, newID(), f)
}

// DeleteDeal tombstones a deal.
func (db *DB) DeleteDeal(ctx context.Context, id string) error {
	return db.setDeleted(ctx, EntityDeal, id, true)
}

// RestoreDeal undoes DeleteDeal.
func (db *DB) RestoreDeal(ctx context.Context, id string) error {
	return db.setDeleted(ctx, EntityDeal, id, false)
}

const dealCols = `d.id, d.title, coalesce(d.contact_id, ''), coalesce(ct.name, ''), coalesce(d.company_id, ''), coalesce(co.name, ''),
	d.value, d.currency, d.stage_id, s.name, d.status, d.lost_reason, coalesce(d.expected_close, ''),
	d.stage_entered_at, d.closed_at, d.notes, d.owner, d.visibility, d.created_at, d.updated_at, d.deleted_at,
	coalesce(d.merged_into, '')`

const dealFrom = ` FROM deals d JOIN stages s ON s.id = d.stage_id LEFT JOIN contacts ct ON ct.id = d.contact_id
	LEFT JOIN companies co ON co.id = d.company_id `

func scanDeal(sc interface{ Scan(...any) error }) (*Deal, error) {
	var d Deal
	var entered, created, updated string
	var closed, deleted sql.NullString
	err := sc.Scan(&d.ID, &d.Title, &d.ContactID, &d.Contact, &d.CompanyID, &d.Company,
		&d.Value.Amount, &d.Value.Currency, &d.StageID, &d.Stage, &d.Status, &d.LostReason, &d.ExpectedClose,
		&entered, &closed, &d.Notes, &d.Owner, &d.Visibility, &created, &updated, &deleted, &d.MergedInto)
	if err != nil {
		return nil, err
	}
	d.StageEnteredAt, d.CreatedAt, d.UpdatedAt = parseTime(entered), parseTime(created), parseTime(updated)
	d.ClosedAt, d.DeletedAt = timePtr(closed), timePtr(deleted)
	d.Tags = []string{}
	return &d, nil
}

// FindDealByID returns one deal, deleted or not.
func (db *DB) FindDealByID(ctx context.Context, id string) (*Deal, error) {
	d, err := scanDeal(db.reader(ctx).QueryRowContext(ctx, "SELECT "+dealCols+dealFrom+"WHERE d.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("deal %s: %w", ShortID(id), ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find deal: %w", err)
	}
	tags, err := db.loadTags(ctx, EntityDeal, []any{id})
	if err != nil {
		return nil, err
	}
	if t := tags[id]; t != nil {
		d.Tags = t
	}
	return d, nil
}

// DealFilter selects deals for a list.
type DealFilter struct {
	StageID   string
	Status    string // "" means open
	ContactID string
	CompanyID string
	All       bool // every status, and deleted deals
	Limit     int
	Offset    int
}

// FindDeals returns one page of deals, newest first, and how many match.
func (db *DB) FindDeals(ctx context.Context, f DealFilter) ([]Deal, int, error) {
	var where []string
	var args []any
	if !f.All {
		where = append(where, "d.deleted_at IS NULL AND d.merged_into IS NULL")
		if f.Status == "" {
			f.Status = StatusOpen
		}
	}
	for col, v := range map[string]string{"d.status": f.Status, "d.stage_id": f.StageID} {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	// A contact's or company's deals include those of the records merged into it.
	for _, l := range []struct{ entity, col, id string }{{EntityContact, "d.contact_id", f.ContactID}, {EntityCompany, "d.company_id", f.CompanyID}} {
		if l.id != "" {
			cond, a, err := db.mergedCond(ctx, l.entity, l.col, l.id)
			if err != nil {
				return nil, 0, fmt.Errorf("list deals: %w", err)
			}
			where = append(where, cond)
			args = append(args, a...)
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM deals d"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list deals: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+dealCols+dealFrom+cond+" ORDER BY d.created_at DESC, d.id DESC"+limitClause(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list deals: %w", err)
	}
	defer rows.Close()
	var out []Deal
	var ids []any
	for rows.Next() {
		d, err := scanDeal(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list deals: %w", err)
		}
		out = append(out, *d)
		ids = append(ids, d.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	tags, err := db.loadTags(ctx, EntityDeal, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		if t := tags[out[i].ID]; t != nil {
			out[i].Tags = t
		}
	}
	return out, total, nil
}
