package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Each search table is contentless and keyed by its record's rowid. indexSources gives,
// per entity, the SELECT that produces the search row, and whether a record is live
// (searchable); reindexing one record and rebuilding a whole table share that SELECT.
type indexSource struct {
	fts    string
	cols   string // the FTS columns, in order
	query  string // selects rowid, live, then one value per FTS column; ends in a WHERE
	byID   string // appended to query to pick one record
	allIDs string // appended to query to pick every record
}

var indexSources = map[string]indexSource{
	EntityContact: {
		fts:  "contacts_fts",
		cols: "name, emails, phones, company, title, tags, notes",
		query: `SELECT c.rowid AS r,
			c.deleted_at IS NULL AND c.merged_into IS NULL AS live,
			c.name AS v1,
			coalesce((SELECT group_concat(email, ' ') FROM contact_emails WHERE contact_id = c.id), '') AS v2,
			coalesce((SELECT group_concat(phone || ' ' || digits, ' ') FROM contact_phones WHERE contact_id = c.id), '') AS v3,
			coalesce(co.name, '') AS v4,
			c.title AS v5,
			coalesce((SELECT group_concat(tag, ' ') FROM tags WHERE entity = 'contact' AND entity_id = c.id), '') AS v6,
			c.notes AS v7
			FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE `,
		byID:   "c.id = ?",
		allIDs: "c.deleted_at IS NULL AND c.merged_into IS NULL",
	},
	EntityCompany: {
		fts:  "companies_fts",
		cols: "name, domain, phone, tags, notes",
		query: `SELECT c.rowid AS r,
			c.deleted_at IS NULL AND c.merged_into IS NULL AS live,
			c.name AS v1,
			c.domain AS v2,
			c.phone AS v3,
			coalesce((SELECT group_concat(tag, ' ') FROM tags WHERE entity = 'company' AND entity_id = c.id), '') AS v4,
			c.notes AS v5
			FROM companies c WHERE `,
		byID:   "c.id = ?",
		allIDs: "c.deleted_at IS NULL AND c.merged_into IS NULL",
	},
	EntityDeal: {
		fts:  "deals_fts",
		cols: "title, contact, company, tags",
		query: `SELECT d.rowid AS r,
			d.deleted_at IS NULL AND d.merged_into IS NULL AS live,
			d.title AS v1,
			coalesce(ct.name, '') AS v2,
			coalesce(co.name, '') AS v3,
			coalesce((SELECT group_concat(tag, ' ') FROM tags WHERE entity = 'deal' AND entity_id = d.id), '') AS v4
			FROM deals d LEFT JOIN contacts ct ON ct.id = d.contact_id LEFT JOIN companies co ON co.id = d.company_id WHERE `,
		byID:   "d.id = ?",
		allIDs: "d.deleted_at IS NULL AND d.merged_into IS NULL",
	},
	EntityInteraction: {
		fts:  "interactions_fts",
		cols: "text",
		query: `SELECT i.rowid AS r,
			i.redacted = 0 AND i.superseded_by IS NULL AND i.kind IN ('call', 'email', 'meeting', 'note', 'message') AS live,
			i.text AS v1
			FROM interactions i WHERE `,
		byID:   "i.id = ?",
		allIDs: "i.redacted = 0 AND i.superseded_by IS NULL AND i.kind IN ('call', 'email', 'meeting', 'note', 'message')",
	},
	EntityFollowUp: {
		fts:  "follow_ups_fts",
		cols: "title",
		query: `SELECT f.rowid AS r,
			f.deleted_at IS NULL AS live,
			f.title AS v1
			FROM follow_ups f WHERE `,
		byID:   "f.id = ?",
		allIDs: "f.deleted_at IS NULL",
	},
}

// markIndex queues a record for reindexing at commit; records whose search rows show its
// name (a company's contacts and deals, a contact's deals) follow.
func (t *Tx) markIndex(entity, id string) {
	if t.bulk {
		return
	}
	if _, ok := indexSources[entity]; ok {
		t.reindex[ref{entity, id}] = true
	}
}

func (t *Tx) flushIndex() error {
	for r := range t.reindex {
		var dependents []ref
		switch r.entity {
		case EntityCompany:
			for _, q := range []struct{ entity, sql string }{
				{EntityContact, "SELECT id FROM contacts WHERE company_id = ?"},
				{EntityDeal, "SELECT id FROM deals WHERE company_id = ?"},
			} {
				ids, err := t.ids(q.sql, r.id)
				if err != nil {
					return err
				}
				for _, id := range ids {
					dependents = append(dependents, ref{q.entity, id})
				}
			}
		case EntityContact:
			ids, err := t.ids("SELECT id FROM deals WHERE contact_id = ?", r.id)
			if err != nil {
				return err
			}
			for _, id := range ids {
				dependents = append(dependents, ref{EntityDeal, id})
			}
		}
		for _, d := range append(dependents, r) {
			if err := t.indexOne(d); err != nil {
				return err
			}
		}
	}
	clear(t.reindex)
	return nil
}

func (t *Tx) ids(q string, args ...any) ([]string, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("read ids: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (t *Tx) indexOne(r ref) error {
	src := indexSources[r.entity]
	rows, err := t.query(src.query+src.byID, r.id)
	if err != nil {
		return fmt.Errorf("index %s: %w", r.entity, err)
	}
	var vals []any
	if rows.Next() {
		cols, _ := rows.Columns()
		vals = make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return fmt.Errorf("index %s: %w", r.entity, err)
		}
	}
	rows.Close()
	if vals == nil {
		return nil
	}
	rowid := vals[0]
	if _, err := t.exec("DELETE FROM "+src.fts+" WHERE rowid = ?", rowid); err != nil {
		return fmt.Errorf("index %s: %w", r.entity, err)
	}
	if live, _ := vals[1].(int64); live == 0 {
		return nil
	}
	args := append([]any{rowid}, vals[2:]...)
	q := fmt.Sprintf("INSERT INTO %s (rowid, %s) VALUES (?%s)", src.fts, src.cols, repeat(", ?", len(vals)-2))
	if _, err := t.exec(q, args...); err != nil {
		return fmt.Errorf("index %s: %w", r.entity, err)
	}
	if r.entity == EntityInteraction {
		if err := t.addTerms(vals[2]); err != nil {
			return fmt.Errorf("index %s: %w", r.entity, err)
		}
	}
	return nil
}

// addTerms adds the words of a timeline entry to interaction_terms. The words are those
// the search table's own tokenizer produces: text goes through a scratch FTS5 table in
// the connection's temp schema with the same tokenizer, and its vocabulary is copied.
func (t *Tx) addTerms(text any) error {
	for _, q := range []string{
		`CREATE VIRTUAL TABLE IF NOT EXISTS temp.rolo_terms USING fts5 (t, content = '', tokenize = 'unicode61 remove_diacritics 2')`,
		`CREATE VIRTUAL TABLE IF NOT EXISTS temp.rolo_terms_vocab USING fts5vocab(temp, rolo_terms, 'row')`,
	} {
		if _, err := t.exec(q); err != nil {
			return err
		}
	}
	if _, err := t.exec("INSERT INTO temp.rolo_terms (rowid, t) VALUES (1, ?)", text); err != nil {
		return err
	}
	if _, err := t.exec("INSERT OR IGNORE INTO interaction_terms (term) SELECT term FROM temp.rolo_terms_vocab"); err != nil {
		return err
	}
	_, err := t.exec("INSERT INTO temp.rolo_terms (rolo_terms) VALUES ('delete-all')")
	return err
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

// RebuildSearch empties and refills every search table from the records, in one
// statement per table. Bulk loads (demo, import) write rows first and call this once,
// which is several times faster than indexing row by row.
func (db *DB) RebuildSearch(ctx context.Context) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := rebuildSearch(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// rebuildHashSize is the memory FTS5 may fill with new index entries before it writes
// them out as a segment, while a whole table is indexed at once. The default (1 MB) cuts
// a million timeline entries into hundreds of small segments that must then be merged;
// 64 MB makes a few large ones, which saves a third of the time.
const rebuildHashSize = 64 << 20

// ftsDefaultHashSize is FTS5's own default, restored after a rebuild.
const ftsDefaultHashSize = 1 << 20

func rebuildSearch(ctx context.Context, tx *sql.Tx) error {
	for _, entity := range searchKinds {
		if err := rebuildTable(ctx, tx, entity); err != nil {
			return err
		}
	}
	return nil
}

// searchKinds are the kinds with a search table, in the order they are rebuilt.
var searchKinds = []string{EntityCompany, EntityContact, EntityDeal, EntityInteraction, EntityFollowUp}

// rebuildTable empties and refills one kind's search table in one statement; for the
// timeline it also adds the index's new words to interaction_terms.
func rebuildTable(ctx context.Context, tx *sql.Tx, entity string) error {
	src := indexSources[entity]
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+src.fts); err != nil {
		return fmt.Errorf("rebuild search: %w", err)
	}
	// allIDs selects only live records, so the live column is left out.
	n := len(strings.Split(src.cols, ","))
	vs := make([]string, n)
	for i := range vs {
		vs[i] = fmt.Sprintf("v%d", i+1)
	}
	restore, err := setHashSize(ctx, tx, src.fts, rebuildHashSize)
	if err != nil {
		return fmt.Errorf("rebuild search %s: %w", entity, err)
	}
	q := fmt.Sprintf("INSERT INTO %s (rowid, %s) SELECT r, %s FROM (%s)", src.fts, src.cols, strings.Join(vs, ", "), src.query+src.allIDs)
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("rebuild search %s: %w", entity, err)
	}
	if _, err := restore(); err != nil {
		return fmt.Errorf("rebuild search %s: %w", entity, err)
	}
	if entity == EntityInteraction {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO interaction_terms (term) SELECT term FROM interactions_vocab"); err != nil {
			return fmt.Errorf("rebuild search terms: %w", err)
		}
	}
	return nil
}

// setHashSize sets an FTS5 table's hashsize option (kept in its _config table) and returns
// a function that sets the previous value back.
func setHashSize(ctx context.Context, tx *sql.Tx, fts string, size int) (restore func() (sql.Result, error), err error) {
	return setFTSOption(ctx, tx, fts, "hashsize", size, ftsDefaultHashSize)
}

// ftsDefaultAutomerge is FTS5's own default automerge setting.
const ftsDefaultAutomerge = 4

// setFTSOption sets an FTS5 table's integer option key (kept in its _config table; def
// is FTS5's default when the table has no setting) and returns a function that sets the
// previous value back.
func setFTSOption(ctx context.Context, tx *sql.Tx, fts, key string, value, def int) (restore func() (sql.Result, error), err error) {
	prev := def
	err = tx.QueryRowContext(ctx, "SELECT v FROM "+fts+"_config WHERE k = ?", key).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	set := "INSERT INTO " + fts + " (" + fts + ", rank) VALUES (?, ?)"
	if _, err := tx.ExecContext(ctx, set, key, value); err != nil {
		return nil, err
	}
	return func() (sql.Result, error) { return tx.ExecContext(ctx, set, key, prev) }, nil
}
