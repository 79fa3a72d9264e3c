package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
)

// A bulk load that only creates contacts (an import into a new database, rolo demo)
// indexes them for search as they go in, instead of rebuilding the whole search table at
// the end: each time the writer has written a set of new contacts (with their emails,
// phones, tags and companies), it also writes their search rows, with the same SELECT a
// rebuild uses, restricted to those contacts. The tokenizing then runs on the writer,
// while the importing goroutine builds the next rows, rather than after everything else.
//
// The search rows come from the rows just written (and take their rowids from them), so
// they are exactly the rows a rebuild would make, as long as nothing but creates touched
// contacts and companies: a contact's search row shows its company's name, its emails,
// phones and tags. Once the load updates, deletes or merges a contact or a company, the
// contacts' search table is rebuilt at the end as before.

// bulkSearch is a bulk load's indexing of new contacts.
type bulkSearch struct {
	// pending are the contacts created since the last batch of rows was written.
	pending []string
	// off is set once the load changed a contact or company: the table is rebuilt.
	off bool
	// restore sets the search table's hash size back (which writes out its index).
	restore func() (sql.Result, error)
}

// startBulkSearch readies the contacts' search table for a bulk load: a large in-memory
// hash, as for a rebuild.
func startBulkSearch(ctx context.Context, tx *sql.Tx) (*bulkSearch, error) {
	restore, err := setHashSize(ctx, tx, indexSources[EntityContact].fts, rebuildHashSize)
	if err != nil {
		return nil, fmt.Errorf("bulk load: search: %w", err)
	}
	return &bulkSearch{restore: restore}, nil
}

// created notes a new contact, once all its rows are queued (at the end of Tx.create).
func (s *bulkSearch) created(entity, id string) {
	if s == nil || s.off || entity != EntityContact {
		return
	}
	s.pending = append(s.pending, id)
}

// changed notes a change other than a create to a record of entity.
func (s *bulkSearch) changed(entity string) {
	if s == nil || entity != EntityContact && entity != EntityCompany {
		return
	}
	s.off, s.pending = true, nil
}

// bulkSearchIDs is how many contacts one search statement indexes: a list of new
// contacts is padded to the next of these sizes (repeating an id changes nothing in an
// IN list), so that a handful of prepared statements serve the whole load.
//
// Contacts are indexed many thousands at a time, not with each batch of rows: FTS5
// writes its in-memory index out as a new segment whenever a later statement of the
// transaction opens a savepoint (every multi-row INSERT does), and many small segments
// cost more to merge than the tokenizing saved.
var bulkSearchIDs = []int{16, 256, 4096, 16384}

// flush sends, after the rows just queued for writing, the statements that index the
// pending contacts: all of them, or only once there are enough for the largest
// statement.
func (s *bulkSearch) flush(t *Tx, all bool) error {
	if s == nil || s.off || len(s.pending) == 0 || !all && len(s.pending) < bulkSearchIDs[len(bulkSearchIDs)-1] {
		return nil
	}
	ids := s.pending
	s.pending = nil
	for len(ids) > 0 {
		n := bulkSearchIDs[len(bulkSearchIDs)-1]
		for _, size := range bulkSearchIDs {
			if size >= len(ids) {
				n = size
				break
			}
		}
		chunk := ids[:min(n, len(ids))]
		ids = ids[len(chunk):]
		args := make([]any, n)
		for i := range args {
			args[i] = chunk[min(i, len(chunk)-1)]
		}
		if err := t.execLater("index contacts", bulkSearchInsert(n), args); err != nil {
			return err
		}
	}
	return nil
}

// bulkSearchInserts caches the text of the indexing statements by size.
var bulkSearchInserts sync.Map // int → string

// bulkSearchInsert is the statement that indexes up to n new contacts: the rebuild's
// INSERT … SELECT (rebuildTable), for the live contacts among the n ids, in rowid order
// (FTS5 writes rows in ascending rowid order without flushing its in-memory hash).
func bulkSearchInsert(n int) string {
	if q, ok := bulkSearchInserts.Load(n); ok {
		return q.(string)
	}
	src := indexSources[EntityContact]
	vs := make([]string, len(strings.Split(src.cols, ",")))
	for i := range vs {
		vs[i] = fmt.Sprintf("v%d", i+1)
	}
	q := fmt.Sprintf("INSERT INTO %s (rowid, %s) SELECT r, %s FROM (%s%s AND c.id IN (%s)) ORDER BY r",
		src.fts, src.cols, strings.Join(vs, ", "), src.query, src.allIDs, strings.TrimSuffix(strings.Repeat("?, ", n), ", "))
	bulkSearchInserts.Store(n, q)
	return q
}

// finish ends the indexing once every row is written (after Tx.settle): it writes out the
// index, and reports the kinds whose search tables are up to date.
func (s *bulkSearch) finish() (indexed map[string]bool, err error) {
	if s == nil {
		return nil, nil
	}
	if _, err := s.restore(); err != nil {
		return nil, fmt.Errorf("bulk load: search: %w", err)
	}
	if s.off {
		return nil, nil
	}
	return map[string]bool{EntityContact: true}, nil
}
