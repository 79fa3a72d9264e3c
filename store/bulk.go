package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
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
		if kb := os.Getenv("ROLO_BULK_CACHE_KB"); kb != "" {
			if _, err := t.tx.ExecContext(ctx, "PRAGMA cache_size = -"+kb); err != nil {
				return err
			}
			defer t.tx.ExecContext(ctx, "PRAGMA cache_size = -2000")
		}
		var recreate []string
		if os.Getenv("ROLO_BULK_NODEFER") == "" {
			var err error
			if recreate, err = deferIndexes(ctx, t.tx); err != nil {
				return err
			}
		}
		b := &Bulk{t: t}
		if err := fn(b); err != nil {
			return err
		}
		for _, q := range recreate {
			if _, err := t.tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("rebuild index: %w", err)
			}
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

// bulkTables are the tables a bulk load writes.
var bulkTables = []string{"companies", "contacts", "contact_emails", "contact_phones", "tags", "deals",
	"interactions", "follow_ups", "ops"}

// deferIndexRows is the size up to which a table's secondary indexes are dropped for a
// bulk load and rebuilt after it: rebuilding that many rows' keys costs milliseconds.
const deferIndexRows = 10000

// deferIndexes drops the secondary indexes of the bulk tables that hold few rows, and
// returns the statements that recreate them. Inserting a million keys in random order
// (a timeline's contact ids, the random tails of ids) costs a B-tree descent and often a
// page split each; building the index once from sorted keys is several times faster. It
// all happens inside the write transaction, so no reader ever sees a missing index, and
// unique indexes, which enforce constraints while rows go in, are kept.
func deferIndexes(ctx context.Context, tx *sql.Tx) ([]string, error) {
	var recreate []string
	for _, table := range bulkTables {
		var n int
		if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s LIMIT %d)", table, deferIndexRows)).Scan(&n); err != nil {
			return nil, fmt.Errorf("bulk load: %w", err)
		}
		if n >= deferIndexRows {
			continue
		}
		rows, err := tx.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", table)
		if err != nil {
			return nil, fmt.Errorf("bulk load: %w", err)
		}
		var names []string
		for rows.Next() {
			var name, q string
			if err := rows.Scan(&name, &q); err != nil {
				rows.Close()
				return nil, fmt.Errorf("bulk load: %w", err)
			}
			if strings.HasPrefix(strings.ToUpper(q), "CREATE UNIQUE") {
				continue
			}
			names = append(names, name)
			recreate = append(recreate, q)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("bulk load: %w", err)
		}
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
				return nil, fmt.Errorf("bulk load: %w", err)
			}
		}
	}
	return recreate, nil
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
