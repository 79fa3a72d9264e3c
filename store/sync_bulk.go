package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Pulled changes are applied in runs: a run of creates of records this database does not
// have yet (nearly all of a new device's first pull) is applied together, with the
// store's bulk machinery (multi-row INSERTs written by a second goroutine, see
// bulkrows.go): what the database holds of the run's records, ops and timelines is read
// by a few queries for the whole run, not by a few per change, and the work every change
// would have done on records already there (settling timeline entries, last-touched
// times) is done once at the run's end, for the records it concerns.
//
// The result is the one applying the run change by change (applyChange) gives: a change
// that might not be a plain create of a new record, or whose effect would depend on the
// order of the run (an entry amending another contact's entry, a merge chain too deep
// to follow), ends the run and goes the per-change way; if anything in a run fails, the
// run is taken back to its savepoint and applied change by change, which parks only the
// changes that fail.

// syncSearchStale (a sync_state key) is set while a first pull leaves search indexing
// to FinishPull.
const syncSearchStale = "search_stale"

// syncDeferredIndexes (a sync_state key) holds the indexes a first pull dropped, for
// FinishPull to create again: a JSON list of {table, sql}.
const syncDeferredIndexes = "deferred_indexes"

// pullCacheKiB is the page cache of a first pull's transactions: one holds the pages of
// tens of thousands of changes (their timeline entries touch contacts all over the
// table) until it commits.
const pullCacheKiB = 256 << 10

// pullKeepIndexes are the indexes a first pull reads while it applies (settling
// timeline entries, last-touched times, merge chains): never dropped.
var pullKeepIndexes = map[string]bool{"interactions_contact": true, "interactions_supersedes": true, "contacts_merged": true}

// prepareFirstPull readies a transaction of a first pull: a larger page cache, and on the
// first one the nearly empty tables' secondary indexes dropped (and listed in sync_state
// for FinishPull). It returns what restores the cache.
func (t *Tx) prepareFirstPull() (func(), error) {
	var cache int64
	if err := t.tx.QueryRowContext(t.ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
		return nil, err
	}
	restore := func() {}
	if cache > -pullCacheKiB && cache < pullCacheKiB/4 { // negative: KiB; positive: pages
		if _, err := t.tx.ExecContext(t.ctx, fmt.Sprintf("PRAGMA cache_size = %d", -pullCacheKiB)); err != nil {
			return nil, err
		}
		restore = func() { t.tx.ExecContext(context.WithoutCancel(t.ctx), fmt.Sprintf("PRAGMA cache_size = %d", cache)) }
	}
	var n int
	if err := t.tx.QueryRowContext(t.ctx, "SELECT count(*) FROM sync_state WHERE key IN (?, ?)", syncSearchStale, syncDeferredIndexes).Scan(&n); err != nil {
		return restore, err
	}
	if n > 0 {
		return restore, nil // not the first transaction of this pull
	}
	var dropped []droppedIndex
	for _, table := range deferTables {
		var rows int
		q := fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s LIMIT %d)", table, deferIndexRows)
		if err := t.tx.QueryRowContext(t.ctx, q).Scan(&rows); err != nil {
			return restore, err
		}
		if rows >= deferIndexRows {
			continue
		}
		list, err := t.indexesOf(table)
		if err != nil {
			return restore, err
		}
		dropped = append(dropped, list...)
	}
	for _, d := range dropped {
		if _, err := t.tx.ExecContext(t.ctx, `DROP INDEX "`+strings.ReplaceAll(d.Name, `"`, `""`)+`"`); err != nil {
			return restore, fmt.Errorf("first pull: %w", err)
		}
	}
	b, err := json.Marshal(dropped)
	if err != nil {
		return restore, err
	}
	return restore, setSyncState(t.ctx, t.tx, map[string]string{syncDeferredIndexes: string(b)})
}

// droppedIndex is an index a first pull dropped.
type droppedIndex struct {
	Table string `json:"table"`
	Name  string `json:"name"`
	SQL   string `json:"sql"`
}

// indexesOf lists table's secondary indexes a first pull may drop: not unique, not read
// by the pull.
func (t *Tx) indexesOf(table string) ([]droppedIndex, error) {
	rows, err := t.tx.QueryContext(t.ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []droppedIndex
	for rows.Next() {
		var name, q string
		if err := rows.Scan(&name, &q); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(strings.ToUpper(q), "CREATE UNIQUE") && !pullKeepIndexes[name] {
			out = append(out, droppedIndex{Table: table, Name: name, SQL: q})
		}
	}
	return out, rows.Err()
}

// bulkRunMin is the fewest changes worth applying as a run; shorter ones go one by one
// (a variable for tests).
var bulkRunMin = 16

// deferSearchRecords is the most records a database may hold for its first pull to
// leave search to one rebuild at the end: above it the rebuild would redo more than the
// pull brings.
const deferSearchRecords = 10000

// applyChanges applies changes in order: runs of plain creates together, the rest one by
// one.
func (t *Tx) applyChanges(changes []RemoteChange, res *ApplyResult) error {
	for i := 0; i < len(changes); {
		j := i
		for j < len(changes) && bulkCandidate(&changes[j]) {
			j++
		}
		if j-i >= bulkRunMin {
			if err := t.applyRun(changes[i:j], res); err != nil {
				return err
			}
			i = j
			continue
		}
		for end := min(j+1, len(changes)); i < end; i++ {
			if err := t.applyOne(&changes[i], res); err != nil {
				return err
			}
		}
	}
	return nil
}

// bulkCandidate says whether c, by itself, is a create a run may take: an op creating a
// record of a known kind with known fields, whose fields all carry the op's clock, and
// (a contact) not merged into another.
func bulkCandidate(c *RemoteChange) bool {
	if c.Kind != OpCreate || c.OpID == "" || c.EntityID == "" || len(c.Clocks) > 0 || c.Created != "" {
		return false
	}
	s, err := spec(c.Entity)
	if err != nil {
		return false
	}
	for k := range c.Fields {
		if !s.has(k) {
			return false
		}
	}
	if c.Entity == EntityContact {
		if v, ok := c.Fields["merged_into"]; ok && string(v) != "null" {
			return false
		}
	}
	return true
}

// applyRun applies a run of candidates: as many as the database's state allows
// together, then the one that stopped them alone, and so on.
func (t *Tx) applyRun(run []RemoteChange, res *ApplyResult) error {
	for len(run) > 0 {
		if len(run) < bulkRunMin {
			for i := range run {
				if err := t.applyOne(&run[i], res); err != nil {
					return err
				}
			}
			return nil
		}
		n, err := t.bulkApply(run, res)
		if err != nil {
			return err
		}
		if n < len(run) {
			if err := t.applyOne(&run[n], res); err != nil {
				return err
			}
			n++
		}
		run = run[n:]
	}
	return nil
}

// errBulkFailed ends a transaction that applied runs without savepoints
// (Tx.optimistic) when one of them failed: ApplyPulled applies its changes again, in a
// new transaction, with savepoints.
var errBulkFailed = errors.New("a run of pulled changes failed")

// bulkApply applies a prefix of run together and returns its length; on a failure it
// takes the prefix back and applies the whole run change by change instead (or, in an
// optimistic transaction, fails with errBulkFailed).
func (t *Tx) bulkApply(run []RemoteChange, res *ApplyResult) (int, error) {
	saved := *res
	if !t.optimistic {
		if _, err := t.exec("SAVEPOINT bulk"); err != nil {
			return 0, err
		}
	}
	n, marks, touch, err := t.bulkWrite(run, res)
	t.bulk = false
	if err == nil {
		err = t.touchRun(touch)
	}
	if err == nil {
		for _, r := range marks {
			t.markIndex(r.entity, r.id)
		}
		if t.optimistic {
			return n, nil
		}
		_, err = t.exec("RELEASE bulk")
		return n, err
	}
	t.stopWriter()
	t.rows = nil
	if t.ctx.Err() != nil {
		return 0, err
	}
	if t.optimistic {
		return 0, fmt.Errorf("%w: %w", errBulkFailed, err)
	}
	*res = saved
	if _, err := t.exec("ROLLBACK TO bulk"); err != nil {
		return 0, err
	}
	if _, err := t.exec("RELEASE bulk"); err != nil {
		return 0, err
	}
	for i := range run {
		if err := t.applyOne(&run[i], res); err != nil {
			return 0, err
		}
	}
	return len(run), nil
}

// runState is what the database held of a run's records before it.
type runState struct {
	ops     map[string]bool         // op ids in the op log
	exists  map[ref]bool            // records
	contact map[string]*contactLink // contacts, with the contact each is merged into
	entry   map[string]string       // timeline entries, with their contact ("" for none)
	amended map[string]bool         // timeline entries another entry supersedes
	lookup  func(string) (*contactLink, error)
}

type contactLink struct {
	exists bool
	into   string
}

// bulkWrite creates the records of a prefix of run, as applyChange would one by one, and
// returns how many, the records whose search rows to rebuild and the contacts whose
// last-touched times to set (touchRun).
func (t *Tx) bulkWrite(run []RemoteChange, res *ApplyResult) (int, []ref, []string, error) {
	st, err := t.runState(run)
	if err != nil {
		return 0, nil, nil, err
	}
	seq, err := t.nextOpSeq()
	if err != nil {
		return 0, nil, nil, err
	}
	t.bulk = true
	runOps := map[string]bool{}
	created := map[ref]bool{}
	newContacts := map[string]bool{}
	newEntries := map[string]string{} // entry → its contact
	amendedInRun := map[string]bool{}
	var settle []string
	touched := map[string]bool{}
	var touch []string
	var marks []ref
	n := 0
	for ; n < len(run); n++ {
		c := &run[n]
		key := ref{c.Entity, c.EntityID}
		if st.ops[c.OpID] || runOps[c.OpID] || st.exists[key] || created[key] {
			break
		}
		fields := make(Fields, len(c.Fields))
		ok := true
		for k, raw := range c.Fields {
			v, err := decodeValue(raw)
			if err != nil {
				ok = false
				break
			}
			fields[k] = v
		}
		if !ok {
			break
		}
		var path []string
		var supersedes string
		if c.Entity == EntityInteraction {
			contact, _ := fields["contact_id"].(string)
			supersedes, _ = fields["supersedes"].(string)
			if supersedes != "" {
				// Settling the amended entry changes its contact's last-touched time,
				// which only this entry's touch recomputes: the same contact, or none yet.
				other, ok := newEntries[supersedes]
				if !ok {
					other, ok = st.entry[supersedes]
				}
				if ok && other != contact {
					break
				}
			}
			if path, ok, err = touchPath(contact, newContacts, st); err != nil {
				return n, nil, nil, err
			} else if !ok {
				break
			}
		}
		// Everything applyChange would find is known: apply.
		s, _ := spec(c.Entity)
		t.observe(c.HLC)
		if err := t.insertRow(s, c.Entity, c.EntityID, fields, c.HLC, c.Device); err != nil {
			return n, nil, nil, err
		}
		if _, ok := indexSources[c.Entity]; ok {
			marks = append(marks, key)
		}
		runOps[c.OpID] = true
		created[key] = true
		switch c.Entity {
		case EntityContact:
			newContacts[c.EntityID] = true
		case EntityInteraction:
			contact, _ := fields["contact_id"].(string)
			newEntries[c.EntityID] = contact
			// settleEntry: the entry itself (a no-op unless something supersedes it,
			// then or later in the run), the entry it supersedes, its contact's chain.
			settle = append(settle, c.EntityID)
			if supersedes != "" {
				amendedInRun[supersedes] = true
				settle = append(settle, supersedes)
			}
			for _, id := range path {
				if !touched[id] {
					touched[id] = true
					touch = append(touch, id)
				}
			}
		}
		fj, base, at := t.remoteLogValues(c)
		if err := t.insert(`INSERT INTO ops (seq, op_id, group_id, hlc, device, entity, entity_id, kind, fields, base, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			seq, c.OpID, c.OpID, int64(c.HLC), c.Device, c.Entity, c.EntityID, c.Kind, fj, base, fmtTime(at)); err != nil {
			return n, nil, nil, err
		}
		if err := t.insert(`INSERT OR IGNORE INTO op_groups (id, seq, at, device, summary) VALUES (?, ?, ?, ?, ?)`,
			c.OpID, seq, fmtTime(at), c.Device, remoteSummary(c)); err != nil {
			return n, nil, nil, err
		}
		seq++
		res.Applied++
	}
	if err := t.settle(); err != nil {
		return n, nil, nil, err
	}
	t.stopWriter()
	seen := map[string]bool{}
	for _, id := range settle {
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, isNew := newEntries[id]; isNew && !st.amended[id] && !amendedInRun[id] {
			continue // nothing supersedes it: it stays as inserted
		}
		if err := t.settleOne(id); err != nil {
			return n, nil, nil, fmt.Errorf("settle timeline entry: %w", err)
		}
		marks = append(marks, ref{EntityInteraction, id})
	}
	return n, marks, touch, nil
}

// touchPath lists the contacts touchChain(contact) would update now: the contact and
// those it is merged into, as far as they exist. It reports false when the chain is too
// long to follow here.
func touchPath(contact string, newContacts map[string]bool, st *runState) ([]string, bool, error) {
	var path []string
	seen := map[string]bool{}
	for id := contact; id != "" && !seen[id]; {
		if len(seen) >= maxMergeDepth-1 {
			return nil, false, nil
		}
		seen[id] = true
		if newContacts[id] {
			path = append(path, id) // created by the run, merged into none
			break
		}
		l, err := st.lookup(id)
		if err != nil {
			return nil, false, err
		}
		if !l.exists {
			break
		}
		path = append(path, id)
		id = l.into
	}
	return path, true, nil
}

// syncTouchLater (a sync_state key) lists the contacts whose last-touched times a first
// pull left to later (a JSON list): see touchRun.
const syncTouchLater = "touch_later"

// touchRun sets the last-touched times of the contacts a run touched, at once or, in a
// first pull, later: when a change is applied by itself (flushTouches), else at
// FinishPull. The times come out as setting them at once gives. A run touches the
// contacts its entries name and those they are merged into, as far as they exist, and
// it is their timelines only that the runs in between change (runs create no merge, and
// an entry amending another contact's entry ends a run), each run touching those it
// changes; a change applied by itself, which may change any, first sets the waiting ones.
// Each run of a first pull touched tens of thousands of contacts, reading most of the
// timeline again.
func (t *Tx) touchRun(ids []string) error {
	if t.touchLater == nil {
		return t.touchAll(ids)
	}
	for _, id := range ids {
		t.touchLater[id] = true
	}
	return nil
}

// flushTouches sets the last-touched times touchRun left to later.
func (t *Tx) flushTouches() error {
	if len(t.touchLater) == 0 {
		return nil
	}
	ids := make([]string, 0, len(t.touchLater))
	for id := range t.touchLater {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	clear(t.touchLater)
	return t.touchAll(ids)
}

// loadTouchLater reads the contacts an earlier transaction of this pull left to touch.
func (t *Tx) loadTouchLater() error {
	t.touchLater = map[string]bool{}
	var list string
	err := t.tx.QueryRowContext(t.ctx, "SELECT value FROM sync_state WHERE key = ?", syncTouchLater).Scan(&list)
	if errors.Is(err, sql.ErrNoRows) || list == "" {
		return nil
	}
	if err != nil {
		return err
	}
	var ids []string
	if err := json.Unmarshal([]byte(list), &ids); err != nil {
		return fmt.Errorf("read contacts to touch: %w", err)
	}
	for _, id := range ids {
		t.touchLater[id] = true
	}
	return nil
}

// touchWaiting sets the last-touched times an unfinished first pull left to later,
// before a transaction that is not part of it applies changes one by one.
func (t *Tx) touchWaiting() error {
	if err := t.loadTouchLater(); err != nil {
		return err
	}
	n := len(t.touchLater)
	err := t.flushTouches()
	t.touchLater = nil
	if err != nil || n == 0 {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, "DELETE FROM sync_state WHERE key = ?", syncTouchLater)
	return err
}

// saveTouchLater keeps the contacts left to touch for the next transaction.
func (t *Tx) saveTouchLater() error {
	ids := make([]string, 0, len(t.touchLater))
	for id := range t.touchLater {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return setSyncState(t.ctx, t.tx, map[string]string{syncTouchLater: jsonList(ids)})
}

// touchAll sets the last-touched time of contacts as touchChain does each: one statement
// for those no contact is merged into, one each for the others.
func (t *Tx) touchAll(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	list, _ := json.Marshal(ids)
	survivors, err := t.ids("SELECT DISTINCT merged_into FROM contacts WHERE merged_into IN (SELECT value FROM json_each(?))", string(list))
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `UPDATE contacts SET last_touched_at = (SELECT max(occurred_at) FROM interactions
		WHERE contact_id = contacts.id AND redacted = 0 AND superseded_by IS NULL AND kind IN ('call', 'email', 'meeting', 'note', 'message'))
		WHERE id IN (SELECT value FROM json_each(?1)) AND id NOT IN (SELECT value FROM json_each(?2))`, string(list), jsonList(survivors))
	if err != nil {
		return fmt.Errorf("touch contacts: %w", err)
	}
	for _, id := range survivors {
		_, err := t.tx.ExecContext(t.ctx, `WITH RECURSIVE m(id) AS (SELECT ?1 UNION SELECT x.id FROM contacts x JOIN m ON x.merged_into = m.id)
			UPDATE contacts SET last_touched_at = (SELECT max(occurred_at) FROM interactions
			WHERE contact_id IN (SELECT id FROM m) AND redacted = 0 AND superseded_by IS NULL AND kind IN ('call', 'email', 'meeting', 'note', 'message'))
			WHERE id = ?1`, id)
		if err != nil {
			return fmt.Errorf("touch contact: %w", err)
		}
	}
	return nil
}

func jsonList(ids []string) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// runState reads what the database holds of run's ops and records.
func (t *Tx) runState(run []RemoteChange) (*runState, error) {
	st := &runState{ops: map[string]bool{}, exists: map[ref]bool{}, contact: map[string]*contactLink{},
		entry: map[string]string{}, amended: map[string]bool{}}
	opIDs := make([]string, 0, len(run))
	byEntity := map[string][]string{}
	var contacts, entries, amended []string
	seenContact := map[string]bool{}
	for i := range run {
		c := &run[i]
		opIDs = append(opIDs, c.OpID)
		byEntity[c.Entity] = append(byEntity[c.Entity], c.EntityID)
		switch c.Entity {
		case EntityContact:
			contacts = append(contacts, c.EntityID)
		case EntityInteraction:
			entries = append(entries, c.EntityID)
			amended = append(amended, c.EntityID)
			if id := rawString(c.Fields["contact_id"]); id != "" && !seenContact[id] {
				seenContact[id] = true
				contacts = append(contacts, id)
			}
			if id := rawString(c.Fields["supersedes"]); id != "" {
				entries = append(entries, id)
			}
		}
	}
	each := func(q string, ids []string, fn func(a, b string)) error {
		rows, err := t.tx.QueryContext(t.ctx, q, jsonList(ids))
		if err != nil {
			return fmt.Errorf("read pulled records: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var a, b string
			if err := rows.Scan(&a, &b); err != nil {
				return err
			}
			fn(a, b)
		}
		return rows.Err()
	}
	err := each("SELECT op_id, '' FROM ops WHERE op_id IN (SELECT value FROM json_each(?))", opIDs, func(a, _ string) { st.ops[a] = true })
	if err != nil {
		return nil, err
	}
	for entity, ids := range byEntity {
		s, _ := spec(entity)
		if entity == EntityContact || entity == EntityInteraction {
			continue
		}
		if err := each("SELECT id, '' FROM "+s.table+" WHERE id IN (SELECT value FROM json_each(?))", ids,
			func(a, _ string) { st.exists[ref{entity, a}] = true }); err != nil {
			return nil, err
		}
	}
	for _, id := range contacts {
		st.contact[id] = &contactLink{}
	}
	if err := each("SELECT id, coalesce(merged_into, '') FROM contacts WHERE id IN (SELECT value FROM json_each(?))", contacts,
		func(a, b string) {
			st.contact[a] = &contactLink{exists: true, into: b}
			st.exists[ref{EntityContact, a}] = true
		}); err != nil {
		return nil, err
	}
	if err := each("SELECT id, coalesce(contact_id, '') FROM interactions WHERE id IN (SELECT value FROM json_each(?))", entries,
		func(a, b string) {
			st.entry[a] = b
			st.exists[ref{EntityInteraction, a}] = true
		}); err != nil {
		return nil, err
	}
	if err := each("SELECT DISTINCT supersedes, '' FROM interactions WHERE supersedes IN (SELECT value FROM json_each(?))", amended,
		func(a, _ string) { st.amended[a] = true }); err != nil {
		return nil, err
	}
	// Contacts further up a merge chain are read when a chain leads there; no row the
	// run writes is among them (the run creates no contact merged into another, and
	// those it creates are looked up in the run first).
	st.lookup = func(id string) (*contactLink, error) {
		if l, ok := st.contact[id]; ok {
			return l, nil
		}
		l := &contactLink{}
		var into *string
		err := t.queryRow("SELECT merged_into FROM contacts WHERE id = ?", id).Scan(&into)
		if err == nil {
			l.exists = true
			if into != nil {
				l.into = *into
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		st.contact[id] = l
		return l, nil
	}
	return st, nil
}

// rawString is a JSON string value's text, or "" for anything else.
func rawString(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// nextOpSeq is the seq the op log's next row gets (AUTOINCREMENT: past every seq ever
// used).
func (t *Tx) nextOpSeq() (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(t.ctx, `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'ops'), 0),
		coalesce((SELECT max(seq) FROM ops), 0)) + 1`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read op log: %w", err)
	}
	return n, nil
}

// DeferSearchForPull says whether the pull about to start should leave search to
// FinishPull (PullOptions.DeferSearch): a first pull into a database holding few
// records, or one resuming such a pull.
func (db *DB) DeferSearchForPull(ctx context.Context) (bool, error) {
	var stale, pulled, n int
	err := db.sql.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM sync_state WHERE key IN (?1, ?4)),
		(SELECT count(*) FROM sync_state WHERE key = ?2 AND value <> ''),
		(SELECT count(*) FROM (SELECT 1 FROM contacts LIMIT ?3)) + (SELECT count(*) FROM (SELECT 1 FROM companies LIMIT ?3)) +
		(SELECT count(*) FROM (SELECT 1 FROM deals LIMIT ?3)) + (SELECT count(*) FROM (SELECT 1 FROM interactions LIMIT ?3)) +
		(SELECT count(*) FROM (SELECT 1 FROM follow_ups LIMIT ?3))`,
		syncSearchStale, SyncCursor, deferSearchRecords, syncDeferredIndexes).Scan(&stale, &pulled, &n)
	if err != nil {
		return false, fmt.Errorf("read sync state: %w", err)
	}
	return stale > 0 || (pulled == 0 && n < deferSearchRecords), nil
}

// FinishPull ends a pull that left search to it: the contacts whose last-touched times
// it left are touched, the indexes it dropped are created again and every search table
// is rebuilt, in one transaction with clearing the marks.
// It does nothing when no pull deferred search.
func (db *DB) FinishPull(ctx context.Context) error {
	if pending, err := db.SearchPending(ctx); err != nil || !pending {
		return err
	}
	err := db.syncWrite(ctx, func(t *Tx) error {
		var list sql.NullString
		err := t.tx.QueryRowContext(t.ctx, "SELECT value FROM sync_state WHERE key = ?", syncDeferredIndexes).Scan(&list)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Before the contacts' indexes come back, so they are built once.
		if err := t.loadTouchLater(); err != nil {
			return err
		}
		if err := t.flushTouches(); err != nil {
			return err
		}
		if list.Valid {
			var dropped []droppedIndex
			if err := json.Unmarshal([]byte(list.String), &dropped); err != nil {
				return fmt.Errorf("read dropped indexes: %w", err)
			}
			for _, d := range dropped {
				var n int
				if err := t.tx.QueryRowContext(t.ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?", d.Name).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					continue // there again (a migration made it)
				}
				if _, err := t.tx.ExecContext(t.ctx, d.SQL); err != nil {
					return fmt.Errorf("create index %s: %w", d.Name, err)
				}
			}
		}
		if err := rebuildSearch(t.ctx, t.tx); err != nil {
			return err
		}
		clear(t.reindex)
		_, err = t.tx.ExecContext(t.ctx, "DELETE FROM sync_state WHERE key IN (?, ?, ?)", syncSearchStale, syncDeferredIndexes, syncTouchLater)
		return err
	})
	if err != nil {
		return fmt.Errorf("index pulled records: %w", err)
	}
	return nil
}
