package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Change is one entry of a record's history: an op, with the change group it belongs to.
type Change struct {
	Op
	Summary string `json:"summary"`
}

func decodeFields(s sql.NullString) (Fields, error) {
	if !s.Valid {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s.String)))
	dec.UseNumber()
	var f Fields
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode op: %w", err)
	}
	return f, nil
}

const opCols = `o.seq, o.op_id, o.group_id, o.hlc, o.device, o.entity, o.entity_id, o.kind, o.fields, o.old, o.base, o.at,
	coalesce(g.summary, '')`

func scanOp(sc interface{ Scan(...any) error }) (*Change, error) {
	var c Change
	var fields string
	var old, base sql.NullString
	var at string
	var h int64
	if err := sc.Scan(&c.Seq, &c.OpID, &c.GroupID, &h, &c.Device, &c.Entity, &c.EntityID, &c.Kind, &fields, &old, &base, &at, &c.Summary); err != nil {
		return nil, err
	}
	c.HLC, c.At = HLC(h), parseTime(at)
	var err error
	if c.Fields, err = decodeFields(sql.NullString{String: fields, Valid: true}); err != nil {
		return nil, err
	}
	if c.Old, err = decodeFields(old); err != nil {
		return nil, err
	}
	if c.Base, err = decodeFields(base); err != nil {
		return nil, err
	}
	return &c, nil
}

// History returns every op that changed the record with id, oldest first; for a contact
// or company, also those of the records merged into it (their creation, the merge).
func (db *DB) History(ctx context.Context, id string) ([]Change, error) {
	ids, err := mergeSetAny(ctx, db.sql, id)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	cond, args := inIDs("o.entity_id", ids)
	rows, err := db.sql.QueryContext(ctx, "SELECT "+opCols+" FROM ops o LEFT JOIN op_groups g ON g.id = o.group_id WHERE "+cond+" ORDER BY o.seq", args...)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		c, err := scanOp(rows)
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// Undone describes what Undo reverted.
type Undone struct {
	Group   string    `json:"group"`
	Summary string    `json:"summary"`
	At      time.Time `json:"at"`
	Ops     int       `json:"ops"`
}

// Undo reverts the newest change group made on this device that is not itself an undo and
// not undone yet, by writing new ops that restore the old values. Calling it again reverts
// the group before. The undo is a change group of its own, so it shows in history and syncs.
func (db *DB) Undo(ctx context.Context) (*Undone, error) {
	var u Undone
	var at string
	err := db.sql.QueryRowContext(ctx, `SELECT id, summary, at FROM op_groups
		WHERE device = ? AND undoes IS NULL AND undone_by IS NULL ORDER BY seq DESC LIMIT 1`, db.device).Scan(&u.Group, &u.Summary, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNothingToUndo
	}
	if err != nil {
		return nil, fmt.Errorf("undo: %w", err)
	}
	u.At = parseTime(at)
	rows, err := db.sql.QueryContext(ctx, "SELECT "+opCols+" FROM ops o LEFT JOIN op_groups g ON g.id = o.group_id WHERE o.group_id = ? ORDER BY o.seq DESC", u.Group)
	if err != nil {
		return nil, fmt.Errorf("undo: %w", err)
	}
	var ops []*Change
	for rows.Next() {
		c, err := scanOp(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("undo: %w", err)
		}
		ops = append(ops, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	err = db.write(ctx, "undo "+u.Summary, func(t *Tx) error {
		t.undoes = u.Group
		for _, op := range ops {
			if err := t.revert(op); err != nil {
				return err
			}
		}
		res, err := t.tx.ExecContext(ctx, "UPDATE op_groups SET undone_by = ? WHERE id = ? AND undone_by IS NULL", t.group, u.Group)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: that change was just undone elsewhere", ErrConflict)
		}
		if t.ops == 0 {
			// Everything was already reverted by later edits; still record the undo so the
			// next undo moves on to the group before.
			_, err := t.logOp("group", u.Group, "undo", Fields{}, nil, nil)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("undo: %w", err)
	}
	u.Ops = len(ops)
	return &u, nil
}

// revert writes the ops that cancel op.
func (t *Tx) revert(op *Change) error {
	if op.Entity == EntityInteraction {
		return t.revertEntry(op)
	}
	switch op.Kind {
	case OpCreate:
		return t.ensureDeleted(op.Entity, op.EntityID, true)
	case OpDelete:
		return t.ensureDeleted(op.Entity, op.EntityID, false)
	case OpRestore:
		return t.ensureDeleted(op.Entity, op.EntityID, true)
	case OpUpdate:
		_, err := t.update(op.Entity, op.EntityID, op.Old)
		return err
	}
	return nil
}

func (t *Tx) ensureDeleted(entity, id string, deleted bool) error {
	var v any
	if deleted {
		v = fmtTime(t.now)
	}
	s, err := spec(entity)
	if err != nil {
		return err
	}
	var cur sql.NullString
	if err := t.tx.QueryRowContext(t.ctx, "SELECT deleted_at FROM "+s.table+" WHERE id = ?", id).Scan(&cur); err != nil {
		return fmt.Errorf("undo %s: %w", entity, err)
	}
	if cur.Valid == deleted {
		return nil
	}
	_, err = t.update(entity, id, Fields{"deleted_at": v})
	return err
}

// revertEntry cancels a timeline append: a logged entry is redacted, a redaction is
// cancelled by appending a copy of the entry it hid, an amendment is redacted and the
// entry it replaced shown again (and the contact's last-touched time recomputed).
func (t *Tx) revertEntry(op *Change) error {
	i, err := t.entry(op.EntityID)
	if err != nil {
		return err
	}
	var redacted int
	if err := t.tx.QueryRowContext(t.ctx, "SELECT redacted FROM interactions WHERE id = ?", i.ID).Scan(&redacted); err != nil {
		return err
	}
	if i.Kind == "redaction" {
		hidden, err := t.entry(i.Supersedes)
		if err != nil {
			return err
		}
		id := newID()
		err = t.create(EntityInteraction, id, Fields{"kind": hidden.Kind, "occurred_at": fmtTime(hidden.OccurredAt), "text": hidden.Text,
			"contact_id": nullStr(hidden.ContactID), "company_id": nullStr(hidden.CompanyID), "deal_id": nullStr(hidden.DealID),
			"supersedes": hidden.ID, "owner": t.db.owner, "visibility": hidden.Visibility, "created_at": fmtTime(t.now)})
		if err != nil {
			return err
		}
		if err := t.settleOne(hidden.ID); err != nil {
			return err
		}
		return t.touch(hidden.ContactID)
	}
	// The entry may live on in a newer version: an amendment, or the copy that undoing its
	// redaction or an amendment of it appended. Reverting the entry hides the live version.
	live := i
	for {
		var next sql.NullString
		if err := t.tx.QueryRowContext(t.ctx, "SELECT superseded_by, redacted FROM interactions WHERE id = ?", live.ID).Scan(&next, &redacted); err != nil {
			return err
		}
		if !next.Valid && redacted != 0 {
			// a copy appended by an older rolo that did not mark what it replaced
			err := t.tx.QueryRowContext(t.ctx, "SELECT id FROM interactions WHERE supersedes = ? AND kind = ? ORDER BY rowid DESC LIMIT 1",
				live.ID, live.Kind).Scan(&next)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if !next.Valid {
			if redacted != 0 {
				return nil // already hidden
			}
			break
		}
		if live, err = t.entry(next.String); err != nil {
			return err
		}
	}
	if err := t.redact(live); err != nil {
		return err
	}
	if i.Supersedes != "" {
		// An amendment: show the text it replaced again, as a copy of the replaced entry
		// appended as its newest amendment. Every device derives the same timeline from
		// that (settleOne); clearing the replaced entry's superseded_by here instead would
		// hold only on this device, since elsewhere the removed amendment still replaces it.
		old, err := t.entry(i.Supersedes)
		if err != nil {
			return err
		}
		err = t.create(EntityInteraction, newID(), Fields{"kind": old.Kind, "occurred_at": fmtTime(old.OccurredAt), "text": old.Text,
			"contact_id": nullStr(old.ContactID), "company_id": nullStr(old.CompanyID), "deal_id": nullStr(old.DealID),
			"supersedes": old.ID, "owner": t.db.owner, "visibility": old.Visibility, "created_at": fmtTime(t.now)})
		if err != nil {
			return err
		}
		if err := t.settleOne(old.ID); err != nil {
			return err
		}
	}
	return t.touch(i.ContactID)
}

func (t *Tx) entry(id string) (*Interaction, error) {
	i, err := scanInteraction(t.tx.QueryRowContext(t.ctx, "SELECT "+interactionCols+interactionFrom+"WHERE i.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("interaction %s: %w", ShortID(id), ErrNotFound)
	}
	return i, err
}
