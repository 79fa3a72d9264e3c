package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// ConflictFilter picks conflict records.
type ConflictFilter struct {
	// All includes resolved conflicts.
	All bool
	// EntityID restricts to one record's conflicts.
	EntityID string
	Limit    int // 0 means 100
}

const conflictCols = `k.id, k.entity, k.entity_id, k.field, k.winner_value, k.winner_hlc, k.winner_device, k.winner_user,
	k.loser_value, k.loser_hlc, k.loser_device, k.loser_user, k.at, k.resolved_at,
	coalesce((SELECT name FROM contacts WHERE id = k.entity_id), (SELECT name FROM companies WHERE id = k.entity_id),
		(SELECT title FROM deals WHERE id = k.entity_id), (SELECT title FROM follow_ups WHERE id = k.entity_id),
		(SELECT name FROM stages WHERE id = k.entity_id), '')`

func scanConflict(sc interface{ Scan(...any) error }) (*Conflict, error) {
	var c Conflict
	var wv, lv, at string
	var wh, lh int64
	var resolved sql.NullString
	if err := sc.Scan(&c.ID, &c.Entity, &c.EntityID, &c.Field, &wv, &wh, &c.WinnerDevice, &c.WinnerUser,
		&lv, &lh, &c.LoserDevice, &c.LoserUser, &at, &resolved, &c.Label); err != nil {
		return nil, err
	}
	c.WinnerValue, c.LoserValue = json.RawMessage(wv), json.RawMessage(lv)
	c.WinnerHLC, c.LoserHLC, c.At, c.ResolvedAt = HLC(wh), HLC(lh), parseTime(at), timePtr(resolved)
	return &c, nil
}

// Conflicts lists conflict records, newest first: open ones unless f.All.
func (db *DB) Conflicts(ctx context.Context, f ConflictFilter) ([]Conflict, error) {
	q := "SELECT " + conflictCols + " FROM sync_conflicts k WHERE 1"
	var args []any
	if !f.All {
		q += " AND k.resolved_at IS NULL"
	}
	if f.EntityID != "" {
		q += " AND k.entity_id = ?"
		args = append(args, f.EntityID)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q += fmt.Sprintf(" ORDER BY k.at DESC, k.id LIMIT %d", f.Limit)
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list conflicts: %w", err)
	}
	defer rows.Close()
	var out []Conflict
	for rows.Next() {
		c, err := scanConflict(rows)
		if err != nil {
			return nil, fmt.Errorf("list conflicts: %w", err)
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// OpenConflictCount is the number of conflicts not yet resolved on this device.
func (db *DB) OpenConflictCount(ctx context.Context) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL").Scan(&n)
	return n, err
}

// FindConflict returns the conflict whose id starts with ref (at least four characters).
func (db *DB) FindConflict(ctx context.Context, ref string) (*Conflict, error) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if len(ref) < 4 {
		return nil, fmt.Errorf("%w: conflict id %q: give at least four characters", ErrInvalid, ref)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+conflictCols+" FROM sync_conflicts k WHERE k.id >= ? AND k.id < ? ORDER BY k.id LIMIT 2",
		ref, ref+"\uffff")
	if err != nil {
		return nil, fmt.Errorf("find conflict: %w", err)
	}
	defer rows.Close()
	var found []*Conflict
	for rows.Next() {
		c, err := scanConflict(rows)
		if err != nil {
			return nil, err
		}
		found = append(found, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("conflict %s: %w", ref, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("%w: conflict id %q matches several; give more characters", ErrInvalid, ref)
}

// RestoreConflict puts a conflict's losing value back as a new edit of the record (which
// syncs like any edit) and marks the conflict resolved.
func (db *DB) RestoreConflict(ctx context.Context, id string) (*Conflict, error) {
	c, err := db.FindConflict(ctx, id)
	if err != nil {
		return nil, err
	}
	v, err := decodeValue(c.LoserValue)
	if err != nil {
		return nil, fmt.Errorf("restore conflict: %w", err)
	}
	s, err := spec(c.Entity)
	if err != nil {
		return nil, err
	}
	var present int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM "+s.table+" WHERE id = ?", c.EntityID).Scan(&present); err != nil {
		return nil, err
	}
	if present == 0 {
		return nil, fmt.Errorf("restore conflict: %s %s: %w", c.Entity, ShortID(c.EntityID), ErrNotFound)
	}
	err = db.write(ctx, fmt.Sprintf("restore %s of %s from conflict", c.Field, c.Entity), func(t *Tx) error {
		if _, err := t.update(c.Entity, c.EntityID, Fields{c.Field: v}); err != nil {
			return err
		}
		_, err := t.tx.ExecContext(ctx, "UPDATE sync_conflicts SET resolved_at = ? WHERE id = ?", t.nowText(), c.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("restore conflict: %w", err)
	}
	return db.FindConflict(ctx, c.ID)
}

// DismissConflict marks a conflict resolved on this device, keeping the winning value.
func (db *DB) DismissConflict(ctx context.Context, id string) (*Conflict, error) {
	c, err := db.FindConflict(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.ResolvedAt != nil {
		return nil, fmt.Errorf("%w: conflict %s is already resolved", ErrConflict, ShortID(c.ID))
	}
	if _, err := db.sql.ExecContext(ctx, "UPDATE sync_conflicts SET resolved_at = ? WHERE id = ?", fmtTime(db.Now()), c.ID); err != nil {
		return nil, fmt.Errorf("dismiss conflict: %w", err)
	}
	return db.FindConflict(ctx, c.ID)
}
