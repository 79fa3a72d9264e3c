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
	// pending counts the contacts created since their last search statement was sent.
	pending int
	// off is set once the load changed a contact or company: the table is rebuilt.
	off bool
	// restore sets the search table's hash size back (which writes out its index).
	restore func() (sql.Result, error)
	// aux, when the table was empty, builds the index on a second connection instead
	// (bulksearch_aux.go).
	aux *auxSearch
}

// startBulkSearch readies the contacts' search table for a bulk load: a large in-memory
// hash, as for a rebuild. New contacts are found by rowid: each search statement indexes
// the live contacts above the highest rowid the table holds (see bulkSearchInsert), so
// indexing as they go in is on only when no search row lies above the contacts that
// exist (it never does, unless the index was damaged: then the table is rebuilt).
func startBulkSearch(ctx context.Context, tx *sql.Tx) (*bulkSearch, error) {
	src := indexSources[EntityContact]
	var above bool
	err := tx.QueryRowContext(ctx, "SELECT coalesce((SELECT max(id) FROM "+src.fts+"_docsize), 0) > coalesce((SELECT max(rowid) FROM contacts), 0)").Scan(&above)
	if err != nil {
		return nil, fmt.Errorf("bulk load: search: %w", err)
	}
	restoreHash, err := setHashSize(ctx, tx, src.fts, rebuildHashSize)
	if err != nil {
		return nil, fmt.Errorf("bulk load: search: %w", err)
	}
	// No merging while the load runs: each search statement's rows become a segment of
	// their own (written out when the next statement opens a savepoint), and merging them
	// as they come rewrites what was just written. A load leaves a few large segments,
	// which later writes merge as FTS5 always does.
	restoreMerge, err := setFTSOption(ctx, tx, src.fts, "automerge", 0, ftsDefaultAutomerge)
	if err != nil {
		return nil, fmt.Errorf("bulk load: search: %w", err)
	}
	restore := func() (sql.Result, error) {
		if _, err := restoreMerge(); err != nil {
			return nil, err
		}
		return restoreHash()
	}
	s := &bulkSearch{restore: restore, off: above}
	if !above {
		if s.aux, err = startAuxSearch(ctx, tx); err != nil {
			return nil, fmt.Errorf("bulk load: search: %w", err)
		}
	}
	return s, nil
}

// creating notes a new record before its rows are queued: a search row built aside must
// be ready by the time the record's row is written.
func (s *bulkSearch) creating(entity, id string, f Fields) {
	if s != nil && !s.off && s.aux != nil {
		s.aux.created(entity, id, f)
	}
}

// created notes a new record once all its rows are queued (at the end of Tx.create), and
// sends the statement that indexes the new contacts when enough of them wait.
func (s *bulkSearch) created(t *Tx, entity string) error {
	if s == nil || s.off || s.aux != nil || entity != EntityContact {
		return nil
	}
	s.pending++
	return s.flush(t, false)
}

// written notes that a batch of rows goes to the writer now (see auxSearch.written).
func (s *bulkSearch) written(b *rowBatch) {
	if s != nil && !s.off && s.aux != nil {
		s.aux.written(b)
	}
}

// changed notes a change other than a create to a record of entity.
func (s *bulkSearch) changed(entity string) {
	if s == nil || entity != EntityContact && entity != EntityCompany {
		return
	}
	s.off, s.pending = true, 0
}

// bulkSearchBatch is how many new contacts wait before a search statement indexes them.
//
// Contacts are indexed tens of thousands at a time, not with each batch of rows: FTS5
// writes its in-memory index out as a new segment whenever a later statement of the
// transaction opens a savepoint (every multi-row INSERT does), and many small segments
// cost more to write and to search than large ones. 50,000 contacts fill about half of
// the rebuild's hash (rebuildHashSize).
var bulkSearchBatch = 50000

// flush sends the rows queued for writing, then the statement that indexes the pending
// contacts: whenever there are any (all), or only once there are enough. It is called
// between creates, never within one, so every contact row written by then has all its
// rows written too.
func (s *bulkSearch) flush(t *Tx, all bool) error {
	if s == nil || s.off || s.pending == 0 || !all && s.pending < bulkSearchBatch {
		return nil
	}
	s.pending = 0
	if err := t.flushRows(); err != nil {
		return err
	}
	return t.execLater("index contacts", bulkSearchInsert(), nil)
}

// bulkSearchInsert is the statement that indexes the new contacts: the rebuild's
// INSERT … SELECT (rebuildTable), for the live contacts above the highest rowid the
// search table holds. Every contact row the writer has written by then is complete (its
// emails, phones, tags and company are written with it or before it: see flush), and a
// rowid range is read in rowid order, the order in which FTS5 adds rows without flushing
// its in-memory hash, so nothing needs sorting.
var bulkSearchInsert = sync.OnceValue(func() string {
	src := indexSources[EntityContact]
	vs := make([]string, len(strings.Split(src.cols, ",")))
	for i := range vs {
		vs[i] = fmt.Sprintf("v%d", i+1)
	}
	return fmt.Sprintf("INSERT INTO %s (rowid, %s) SELECT r, %s FROM (%s%s AND c.rowid > (SELECT coalesce(max(id), 0) FROM %s_docsize)) ORDER BY r",
		src.fts, src.cols, strings.Join(vs, ", "), src.query, src.allIDs, src.fts)
})

// end tells a search index built aside that every row is written (after Tx.settle), so it
// can be finished while the transaction does other work.
func (s *bulkSearch) end() {
	if s != nil && !s.off && s.aux != nil && !s.aux.failed {
		s.aux.end()
	}
}

// finish ends the indexing once every row is written (after Tx.settle): it writes out the
// index (or installs the one built aside), and reports the kinds whose search tables are
// up to date.
func (s *bulkSearch) finish(ctx context.Context, tx *sql.Tx) (indexed map[string]bool, err error) {
	if s == nil {
		return nil, nil
	}
	installed := false
	if a := s.aux; a != nil && !s.off && !a.failed {
		// If the second connection failed, the table is rebuilt from the records instead;
		// once installing has begun, a failure fails the load.
		if a.wait() == nil {
			if installed, err = a.install(ctx, tx); err != nil {
				return nil, fmt.Errorf("bulk load: search: %w", err)
			}
		}
	}
	s.close()
	if _, err := s.restore(); err != nil {
		return nil, fmt.Errorf("bulk load: search: %w", err)
	}
	if s.off || s.aux != nil && !installed {
		return nil, nil
	}
	return map[string]bool{EntityContact: true}, nil
}

// close releases what the indexing holds, however the load ended.
func (s *bulkSearch) close() {
	if s != nil && s.aux != nil {
		s.aux.close()
	}
}
