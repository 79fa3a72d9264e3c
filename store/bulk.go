package store

import (
	"context"
	"fmt"
)

// Bulk loads many records in one transaction (demo data, imports). Each record is still
// one create op in the op log, so history, undo and sync see it; the search index is
// rebuilt once at the end, which is several times faster than indexing row by row.
type Bulk struct {
	t *Tx
	n int
}

// Bulk runs fn in one transaction recorded as one change group named summary. Either
// everything fn created is committed, or nothing is.
func (db *DB) Bulk(ctx context.Context, summary string, fn func(b *Bulk) error) error {
	return db.write(ctx, summary, func(t *Tx) error {
		t.bulk = true
		b := &Bulk{t: t}
		if err := fn(b); err != nil {
			return err
		}
		if err := rebuildSearch(ctx, t.tx); err != nil {
			return err
		}
		_, err := t.tx.ExecContext(ctx, `UPDATE contacts SET last_touched_at = (SELECT max(occurred_at) FROM interactions
			WHERE contact_id = contacts.id AND redacted = 0 AND superseded_by IS NULL AND kind IN ('call', 'email', 'meeting', 'note', 'message'))`)
		if err != nil {
			return fmt.Errorf("touch contacts: %w", err)
		}
		return nil
	})
}

// Create adds one record of entity with the given fields (see the schema: field names are
// column names, plus "emails", "phones" and "tag:NAME"). Owner and visibility default to
// the database's.
func (b *Bulk) Create(entity, id string, fields Fields) error {
	s, err := spec(entity)
	if err != nil {
		return err
	}
	if s.isCol("owner") && fields["owner"] == nil {
		fields["owner"] = b.t.db.owner
	}
	if s.isCol("visibility") && fields["visibility"] == nil {
		fields["visibility"] = b.t.db.visibility
	}
	if s.isCol("created_at") && fields["created_at"] == nil {
		fields["created_at"] = fmtTime(b.t.now)
	}
	b.n++
	return b.t.create(entity, id, fields)
}

// Stages returns the pipeline, for linking deals.
func (b *Bulk) Stages() ([]Stage, error) { return b.t.db.Stages(b.t.ctx) }

// Owner is the database owner's name.
func (b *Bulk) Owner() string { return b.t.db.owner }

// Created is how many records Create has added.
func (b *Bulk) Created() int { return b.n }

// NewID returns a fresh record id.
func NewID() string { return newID() }

// FormatTime renders an instant the way the store keeps it.
var FormatTime = fmtTime
