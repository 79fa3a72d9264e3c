package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
)

// Bulk loads many records in one transaction (demo data, imports). Each record is still
// one create op in the op log, so history, undo and sync see it; the search index is
// rebuilt once at the end, which is several times faster than indexing row by row.
type Bulk struct {
	t *Tx
	n int
}

// bulkCacheKiB is the page cache a bulk load works with. The default 2 MB is too small
// to keep a B-tree's rightmost pages in memory while a million rows go in. A cache
// smaller than the pages a load changes (about 240 MB for 100,000 contacts) writes
// pages out to the WAL early and reads them back when they are changed again: with
// 64 MB, an import of 100,000 contacts wrote 60,000 pages twice and read 110,000 back,
// a system call each, and took about 7 % longer than with this size. Pages beyond it
// are written out as before; the cache shrinks back when the load ends.
const bulkCacheKiB = 256 << 10

// bulkGCPercent is the garbage collector's target while a bulk load runs. A load
// allocates garbage at a high rate (field maps, op-log JSON, driver arguments) while its
// live heap stays small, so the default target of 100 % collects many times a second;
// a higher target trades a few hundred megabytes for most of that CPU. The previous
// setting comes back when the load ends.
const bulkGCPercent = 400

// bulkGC counts the bulk loads running in this process, and keeps the garbage
// collector's target from before the first of them.
var bulkGC struct {
	sync.Mutex
	loads, prev int
}

// raiseGCPercent sets the collector's target to bulkGCPercent (unless it is higher
// already, or collection is off) until the function it returns is called; the previous
// target comes back when the last of the loads running together ends.
func raiseGCPercent() (restore func()) {
	bulkGC.Lock()
	defer bulkGC.Unlock()
	if bulkGC.loads == 0 {
		bulkGC.prev = debug.SetGCPercent(bulkGCPercent)
		if bulkGC.prev < 0 || bulkGC.prev > bulkGCPercent {
			debug.SetGCPercent(bulkGC.prev)
		}
	}
	bulkGC.loads++
	return func() {
		bulkGC.Lock()
		defer bulkGC.Unlock()
		if bulkGC.loads--; bulkGC.loads == 0 {
			debug.SetGCPercent(bulkGC.prev)
		}
	}
}

// Bulk runs fn in one transaction recorded as one change group named summary. Either
// everything fn created is committed, or nothing is.
//
// While it runs, the connection's page cache is larger, and the secondary indexes of
// nearly empty tables are dropped and rebuilt at the end (see deferIndexes); all of it
// inside the transaction, so no reader ever sees the difference.
func (db *DB) Bulk(ctx context.Context, summary string, fn func(b *Bulk) error) error {
	defer raiseGCPercent()()
	return db.writeTx(ctx, summary, true, func(t *Tx) error {
		var cache int64
		if err := t.tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
		if cache > -bulkCacheKiB && cache < bulkCacheKiB/4 { // negative: KiB; positive: pages
			if _, err := t.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -bulkCacheKiB)); err != nil {
				return fmt.Errorf("bulk load: %w", err)
			}
			defer t.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", cache))
		}
		deferred, err := deferIndexes(ctx, t.tx)
		if err != nil {
			return err
		}
		countActivity, err := deferActivity(ctx, t.tx)
		if err != nil {
			return err
		}
		if t.search, err = startBulkSearch(ctx, t.tx); err != nil {
			return err
		}
		b := &Bulk{t: t}
		if err := fn(b); err != nil {
			return err
		}
		if err := t.settle(); err != nil {
			return err
		}
		// A search index built aside is finished there while the indexes below are built.
		t.search.end()
		// The contacts' indexes come back after their last-touched times are set (which
		// reads the timeline through interactions_contact), so they are built once.
		if err := recreateIndexes(ctx, t.tx, deferred, func(table string) bool { return table != "contacts" }); err != nil {
			return err
		}
		if err := countActivity(); err != nil {
			return err
		}
		// Last-touched times change only with the timeline: a load that added no entry
		// (an import of contacts) leaves them as they are.
		if t.bulkWrote[EntityInteraction] {
			_, err = t.tx.ExecContext(ctx, `UPDATE contacts SET last_touched_at = (SELECT max(occurred_at) FROM interactions
				WHERE contact_id = contacts.id AND redacted = 0 AND superseded_by IS NULL AND kind IN ('call', 'email', 'meeting', 'note', 'message'))`)
			if err != nil {
				return fmt.Errorf("touch contacts: %w", err)
			}
			// A survivor of merges was last touched when any record merged into it was.
			survivors, err := t.ids("SELECT DISTINCT merged_into FROM contacts WHERE merged_into IS NOT NULL")
			if err != nil {
				return err
			}
			for _, id := range survivors {
				if err := t.touchChain(id); err != nil {
					return err
				}
			}
		}
		if err := recreateIndexes(ctx, t.tx, deferred, func(table string) bool { return table == "contacts" }); err != nil {
			return err
		}
		// Contacts indexed as they went in need no rebuild; else the index is rebuilt here.
		indexed, err := t.search.finish(ctx, t.tx)
		if err != nil {
			return err
		}
		return rebuildSearchOf(ctx, t.tx, t.bulkWrote, indexed)
	})
}

// searchDependents are the search tables that show another record's name: a contact's
// row shows its company's name, a deal's row its contact's and company's.
var searchDependents = map[string][]string{
	EntityCompany: {EntityContact, EntityDeal},
	EntityContact: {EntityDeal},
}

// rebuildSearchOf rebuilds, as rebuildSearch does, only the search tables of the kinds a
// bulk load wrote (and of those that show their names): an import of contacts into a
// database with a million timeline entries does not index the timeline again. The kinds
// in indexed are up to date already.
func rebuildSearchOf(ctx context.Context, tx *sql.Tx, wrote, indexed map[string]bool) error {
	need := map[string]bool{}
	for entity := range wrote {
		need[entity] = true
		for _, d := range searchDependents[entity] {
			need[d] = true
		}
	}
	for _, entity := range searchKinds {
		if !need[entity] || indexed[entity] {
			continue
		}
		if err := rebuildTable(ctx, tx, entity); err != nil {
			return err
		}
	}
	return nil
}

// deferredIndex is an index dropped for a bulk load, and the statement that recreates it.
type deferredIndex struct{ table, sql string }

func recreateIndexes(ctx context.Context, tx *sql.Tx, deferred []deferredIndex, which func(table string) bool) error {
	for _, d := range deferred {
		if !which(d.table) {
			continue
		}
		if _, err := tx.ExecContext(ctx, d.sql); err != nil {
			return fmt.Errorf("bulk load: rebuild index: %w", err)
		}
	}
	return nil
}

// deferTables are the record tables a bulk load fills. Their secondary indexes receive
// keys in random order (a timeline's contact ids, the random tails of ids), which costs a
// B-tree descent and often a page split per key. The op log is left out: its keys (op
// ids, the change group, record ids in creation order) arrive in order, and rebuilding
// its indexes would mean reading the largest table again.
var deferTables = []string{"companies", "contacts", "contact_emails", "contact_phones", "tags", "deals",
	"interactions", "follow_ups"}

// deferIndexRows is the size below which a table's secondary indexes are dropped for a
// bulk load: rebuilding that many existing rows' keys costs milliseconds, while a load
// into an empty table gains several seconds per million rows.
const deferIndexRows = 10000

// deferIndexes drops the secondary indexes of the deferTables that hold fewer than
// deferIndexRows rows, and returns the statements that recreate them: building an index
// once from sorted keys is several times faster than inserting a million keys in random
// order. Unique indexes stay, since they check constraints while rows go in.
func deferIndexes(ctx context.Context, tx *sql.Tx) ([]deferredIndex, error) {
	var recreate []deferredIndex
	for _, table := range deferTables {
		var n int
		q := fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s LIMIT %d)", table, deferIndexRows)
		if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
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
			if !strings.HasPrefix(strings.ToUpper(q), "CREATE UNIQUE") {
				names = append(names, name)
				recreate = append(recreate, deferredIndex{table, q})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("bulk load: %w", err)
		}
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `DROP INDEX "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
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
		fields["created_at"] = b.t.nowText()
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
