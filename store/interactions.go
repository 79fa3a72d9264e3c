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

// InteractionInput is an entry a rep logs. At least one of ContactID, CompanyID, DealID is
// set; a contact's or deal's company is linked too, so the company timeline shows it.
type InteractionInput struct {
	Kind       string
	Text       string
	OccurredAt time.Time // zero means now
	ContactID  string
	CompanyID  string
	DealID     string
}

// LogInteraction appends an entry to the timeline and moves the contact's last-touched
// time forward when the entry is newer.
func (db *DB) LogInteraction(ctx context.Context, in InteractionInput) (*Interaction, error) {
	if !slices.Contains(InteractionKinds, in.Kind) {
		return nil, fmt.Errorf("%w: kind %q must be one of %s", ErrInvalid, in.Kind, strings.Join(InteractionKinds, ", "))
	}
	in.Text = strings.TrimSpace(in.Text)
	if in.Text == "" {
		return nil, fmt.Errorf("%w: say what happened (--text)", ErrInvalid)
	}
	if err := checkLen("text", in.Text, maxLong); err != nil {
		return nil, err
	}
	if in.ContactID == "" && in.CompanyID == "" && in.DealID == "" {
		return nil, fmt.Errorf("%w: an interaction needs a contact, company or deal", ErrInvalid)
	}
	at := in.OccurredAt
	if at.IsZero() {
		at = db.Now()
	}
	if at.After(db.Now().Add(366 * 24 * time.Hour)) {
		return nil, fmt.Errorf("%w: %s is more than a year ahead", ErrInvalid, at.Format(DateFormat))
	}
	vis := db.visibility
	label := ""
	if in.DealID != "" {
		d, err := db.FindDealByID(ctx, in.DealID)
		if err != nil {
			return nil, err
		}
		if in.ContactID == "" {
			in.ContactID = d.ContactID
		}
		if in.CompanyID == "" {
			in.CompanyID = d.CompanyID
		}
		vis, label = d.Visibility, d.Title
	}
	if in.ContactID != "" {
		c, err := db.FindContactByID(ctx, in.ContactID)
		if err != nil {
			return nil, err
		}
		if in.CompanyID == "" {
			in.CompanyID = c.CompanyID
		}
		vis, label = c.Visibility, c.Name
	} else if in.CompanyID != "" && label == "" {
		c, err := db.FindCompanyByID(ctx, in.CompanyID)
		if err != nil {
			return nil, err
		}
		vis, label = c.Visibility, c.Name
	}
	id := newID()
	err := db.write(ctx, fmt.Sprintf("log %s with %s", in.Kind, label), func(t *Tx) error {
		err := t.create(EntityInteraction, id, Fields{"kind": in.Kind, "occurred_at": fmtTime(at), "text": in.Text,
			"contact_id": nullStr(in.ContactID), "company_id": nullStr(in.CompanyID), "deal_id": nullStr(in.DealID),
			"owner": db.owner, "visibility": vis, "created_at": fmtTime(t.now)})
		if err != nil {
			return err
		}
		return t.touch(in.ContactID)
	})
	if err != nil {
		return nil, fmt.Errorf("log interaction: %w", err)
	}
	return db.FindInteractionByID(ctx, id)
}

// touch recomputes a contact's last-touched time from its live timeline (and those of the
// contacts it is merged into: see touchChain). It is derived data, so it is written
// without an op.
func (t *Tx) touch(contactID string) error {
	if contactID == "" {
		return nil
	}
	return t.touchChain(contactID)
}

// RedactInteraction hides a timeline entry by appending a redaction; the entry stays in the
// file and its op history.
func (db *DB) RedactInteraction(ctx context.Context, id string) error {
	i, err := db.FindInteractionByID(ctx, id)
	if err != nil {
		return err
	}
	return db.write(ctx, "remove "+i.Kind+" entry", func(t *Tx) error { return t.redact(i) })
}

func (t *Tx) redact(i *Interaction) error {
	var redacted int
	if err := t.tx.QueryRowContext(t.ctx, "SELECT redacted FROM interactions WHERE id = ?", i.ID).Scan(&redacted); err != nil {
		return err
	}
	if redacted != 0 {
		return fmt.Errorf("%w: the entry is already removed", ErrConflict)
	}
	now := fmtTime(t.now)
	err := t.create(EntityInteraction, newID(), Fields{"kind": "redaction", "occurred_at": now, "text": "",
		"contact_id": nullStr(i.ContactID), "company_id": nullStr(i.CompanyID), "deal_id": nullStr(i.DealID),
		"supersedes": i.ID, "owner": t.db.owner, "visibility": i.Visibility, "created_at": now})
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(t.ctx, "UPDATE interactions SET redacted = 1 WHERE id = ?", i.ID); err != nil {
		return err
	}
	t.markIndex(EntityInteraction, i.ID)
	return t.touch(i.ContactID)
}

// AmendInteraction replaces an entry's text by appending an amendment that supersedes it.
func (db *DB) AmendInteraction(ctx context.Context, id, text string) (*Interaction, error) {
	i, err := db.FindInteractionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, fmt.Errorf("%w: empty text", ErrInvalid)
	}
	if err := checkLen("text", text, maxLong); err != nil {
		return nil, err
	}
	nid := newID()
	err = db.write(ctx, "edit "+i.Kind+" entry", func(t *Tx) error {
		// Only the live version may be amended: amending a replaced or removed entry would put
		// a second version, or a removed entry, back on the timeline.
		var supersededBy sql.NullString
		var redacted int
		if err := t.tx.QueryRowContext(t.ctx, "SELECT superseded_by, redacted FROM interactions WHERE id = ?", i.ID).Scan(&supersededBy, &redacted); err != nil {
			return err
		}
		if supersededBy.Valid || redacted != 0 {
			return fmt.Errorf("%w: the entry was already edited or removed; edit its newest version", ErrConflict)
		}
		err := t.create(EntityInteraction, nid, Fields{"kind": i.Kind, "occurred_at": fmtTime(i.OccurredAt), "text": text,
			"contact_id": nullStr(i.ContactID), "company_id": nullStr(i.CompanyID), "deal_id": nullStr(i.DealID),
			"supersedes": i.ID, "owner": t.db.owner, "visibility": i.Visibility, "created_at": fmtTime(t.now)})
		if err != nil {
			return err
		}
		if _, err := t.tx.ExecContext(t.ctx, "UPDATE interactions SET superseded_by = ? WHERE id = ?", nid, i.ID); err != nil {
			return err
		}
		t.markIndex(EntityInteraction, i.ID)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("edit entry: %w", err)
	}
	return db.FindInteractionByID(ctx, nid)
}

const interactionCols = `i.id, i.kind, i.occurred_at, i.text, coalesce(i.contact_id, ''), coalesce(c.name, ''),
	coalesce(i.company_id, ''), coalesce(co.name, ''), coalesce(i.deal_id, ''), coalesce(d.title, ''),
	coalesce(i.supersedes, ''), i.owner, i.visibility, i.created_at`

const interactionFrom = ` FROM interactions i LEFT JOIN contacts c ON c.id = i.contact_id
	LEFT JOIN companies co ON co.id = i.company_id LEFT JOIN deals d ON d.id = i.deal_id `

func scanInteraction(sc interface{ Scan(...any) error }) (*Interaction, error) {
	var i Interaction
	var at, created string
	err := sc.Scan(&i.ID, &i.Kind, &at, &i.Text, &i.ContactID, &i.Contact, &i.CompanyID, &i.Company,
		&i.DealID, &i.Deal, &i.Supersedes, &i.Owner, &i.Visibility, &created)
	if err != nil {
		return nil, err
	}
	i.OccurredAt, i.CreatedAt = parseTime(at), parseTime(created)
	return &i, nil
}

// FindInteractionByID returns one timeline entry.
func (db *DB) FindInteractionByID(ctx context.Context, id string) (*Interaction, error) {
	i, err := scanInteraction(db.sql.QueryRowContext(ctx, "SELECT "+interactionCols+interactionFrom+"WHERE i.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("interaction %s: %w", ShortID(id), ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find interaction: %w", err)
	}
	return i, nil
}

// TimelineFilter picks one record's timeline and a page of it.
type TimelineFilter struct {
	ContactID, CompanyID, DealID string
	// Before pages backwards: only entries older than this (occurred_at, id) cursor.
	Before *Interaction
	Limit  int // 0 means 50
}

// Timeline returns a record's live entries, newest first.
func (db *DB) Timeline(ctx context.Context, f TimelineFilter) ([]Interaction, error) {
	col, id := "contact_id", f.ContactID
	switch {
	case f.DealID != "":
		col, id = "deal_id", f.DealID
	case f.CompanyID != "":
		col, id = "company_id", f.CompanyID
	case f.ContactID == "":
		return nil, fmt.Errorf("%w: timeline of what?", ErrInvalid)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	// A contact's or company's timeline includes those of the records merged into it.
	entity := map[string]string{"contact_id": EntityContact, "company_id": EntityCompany, "deal_id": EntityDeal}[col]
	cond, args, err := db.mergedCond(ctx, entity, "i."+col, id)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	q := "SELECT " + interactionCols + interactionFrom + "WHERE " + cond + " AND i.redacted = 0 AND i.superseded_by IS NULL AND i.kind <> 'redaction'"
	if f.Before != nil {
		q += " AND (i.occurred_at < ? OR (i.occurred_at = ? AND i.id < ?))"
		b := fmtTime(f.Before.OccurredAt)
		args = append(args, b, b, f.Before.ID)
	}
	q += fmt.Sprintf(" ORDER BY i.occurred_at DESC, i.id DESC LIMIT %d", f.Limit)
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	var out []Interaction
	for rows.Next() {
		i, err := scanInteraction(rows)
		if err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
		out = append(out, *i)
	}
	return out, rows.Err()
}
