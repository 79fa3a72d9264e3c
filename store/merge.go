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

// A merge folds a duplicate record (the absorbed one) into another (the survivor). It is
// one change group of ordinary field ops, so history, undo and sync need nothing new:
//
//   - the absorbed record gets merged_into = the survivor's id;
//   - the survivor gets the fields it takes from the absorbed one (emails, phones and tags
//     it lacks, empty fields the other fills, the other's notes appended).
//
// No child record is rewritten: the timeline, deals and follow-ups keep their contact_id
// and company_id, and reads gather a survivor's children through the records merged into
// it (transitively: if A was merged into B and B into C, C shows all three). A reference
// to an absorbed record resolves to its survivor.
//
// Unmerge writes one change group that sets the survivor's merged fields back to the
// values they had before the merge (the merge ops' old values) and clears merged_into. It
// refuses when a merged field of the survivor was changed since, because restoring it
// would silently drop that later edit; see docs/decisions.md.

// mergeable are the kinds of record that can be merged.
var mergeable = []string{EntityContact, EntityCompany}

// maxMergeDepth bounds a walk along merged_into, so a cycle (which only concurrent merges
// on two devices could create, and which check reports) cannot hang a read.
const maxMergeDepth = 64

// mergeSetSQL lists a record and every record merged into it, transitively. UNION (not
// UNION ALL) makes the walk stop on a cycle. The partial indexes of migration 5 make each
// step one probe.
func mergeSetSQL(table string) string {
	return "WITH RECURSIVE m(id) AS (SELECT ? UNION SELECT x.id FROM " + table + " x JOIN m ON x.merged_into = m.id) SELECT id FROM m"
}

// mergeSet returns id followed by the ids of the records merged into it, transitively.
// For kinds that are never merged it is just id.
func mergeSet(ctx context.Context, q queryer, entity, id string) ([]string, error) {
	s, ok := specs[entity]
	if !ok || !s.isCol("merged_into") {
		return []string{id}, nil
	}
	rows, err := q.QueryContext(ctx, mergeSetSQL(s.table), id)
	if err != nil {
		return nil, fmt.Errorf("read merges: %w", err)
	}
	defer rows.Close()
	ids := []string{id}
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			return nil, fmt.Errorf("read merges: %w", err)
		}
		if x != id {
			ids = append(ids, x)
		}
	}
	return ids, rows.Err()
}

// inIDs is the condition "col is one of ids", as the plain equality when there is one id
// (the usual case), so a query's plan does not change unless a merge happened.
func inIDs(col string, ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	if len(ids) == 1 {
		return col + " = ?", args
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args
}

// mergedCond is the condition for a child list: col names the record id or one of the
// records merged into it.
func (db *DB) mergedCond(ctx context.Context, entity, col, id string) (string, []any, error) {
	// Through the statement cache: this runs before every timeline, deal and follow-up
	// list of a record, and preparing would cost more than the query.
	ids, err := mergeSet(ctx, cachedQueryer{db}, entity, id)
	if err != nil {
		return "", nil, err
	}
	cond, args := inIDs(col, ids)
	return cond, args, nil
}

// survivorOf follows merged_into from id to the record that is not merged. It returns id
// itself when the record is not merged, and an error on a cycle.
func survivorOf(ctx context.Context, q queryer, entity, id string) (string, error) {
	s, ok := specs[entity]
	if !ok || !s.isCol("merged_into") {
		return id, nil
	}
	cur := id
	for range maxMergeDepth {
		rows, err := q.QueryContext(ctx, "SELECT merged_into FROM "+s.table+" WHERE id = ?", cur)
		if err != nil {
			return "", fmt.Errorf("read merges: %w", err)
		}
		var next sql.NullString
		found := rows.Next()
		if found {
			err = rows.Scan(&next)
		}
		rows.Close()
		if err != nil {
			return "", fmt.Errorf("read merges: %w", err)
		}
		if !found || !next.Valid {
			return cur, nil
		}
		cur = next.String
	}
	return "", fmt.Errorf("%s %s: merged into itself through a cycle of merges (run rolo check)", entity, ShortID(id))
}

// touchChain recomputes the last-touched time of a contact and of every contact it is
// merged into: a survivor was last touched when any record merged into it was.
func (t *Tx) touchChain(contactID string) error {
	seen := map[string]bool{}
	for id := contactID; id != "" && !seen[id] && len(seen) < maxMergeDepth; {
		seen[id] = true
		_, err := t.tx.ExecContext(t.ctx, `WITH RECURSIVE m(id) AS (SELECT ?1 UNION SELECT x.id FROM contacts x JOIN m ON x.merged_into = m.id)
			UPDATE contacts SET last_touched_at = (SELECT max(occurred_at) FROM interactions
			WHERE contact_id IN (SELECT id FROM m) AND redacted = 0 AND superseded_by IS NULL AND kind IN ('call', 'email', 'meeting', 'note', 'message'))
			WHERE id = ?1`, id)
		if err != nil {
			return fmt.Errorf("touch contact: %w", err)
		}
		var next sql.NullString
		err = t.tx.QueryRowContext(t.ctx, "SELECT merged_into FROM contacts WHERE id = ?", id).Scan(&next)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("touch contact: %w", err)
		}
		id = next.String
	}
	return nil
}

// beforeMergeChange is called before fields are applied to a record: when they change a
// contact's merged_into, the returned function recomputes the last-touched times of the
// contacts on both sides (the old survivor loses the timeline, the new one gains it). It
// runs for merges, unmerges, undo and changes applied by sync alike.
func (t *Tx) beforeMergeChange(entity, id string, fields Fields) (after func() error, err error) {
	if _, ok := fields["merged_into"]; !ok || entity != EntityContact {
		return func() error { return nil }, nil
	}
	var old sql.NullString
	err = t.tx.QueryRowContext(t.ctx, "SELECT merged_into FROM contacts WHERE id = ?", id).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read merges: %w", err)
	}
	return func() error {
		if old.Valid {
			if err := t.touchChain(old.String); err != nil {
				return err
			}
		}
		return t.touchChain(id)
	}, nil
}

// MergeConflict is a field both records fill with different values: the survivor keeps
// its own value, and the other's is listed (and kept in the absorbed record, so unmerge
// or a manual edit can bring it back).
type MergeConflict struct {
	Field string `json:"field"`
	Kept  string `json:"kept"`
	Other string `json:"other"`
}

// Merge describes a merge: planned (PlanMerge) or done (MergeRecords).
type Merge struct {
	Entity  string `json:"entity"`
	KeepID  string `json:"keep_id"`
	Keep    string `json:"keep"`
	OtherID string `json:"other_id"`
	Other   string `json:"other"`
	// Taken lists the survivor's fields that change, with their new values for people
	// ("email ada@home.example", "title Engineer", "tag vip").
	Taken []string `json:"taken"`
	// Conflicts lists the fields where the survivor keeps its value over the other's.
	Conflicts []MergeConflict `json:"conflicts"`
	// Group is the change group of a merge that was done (empty in a plan).
	Group string `json:"group,omitempty"`

	fields Fields // the survivor's changes
}

// PlanMerge works out, without writing, what merging otherID into keepID would do. It
// refuses what MergeRecords refuses.
func (db *DB) PlanMerge(ctx context.Context, keepID, otherID string) (*Merge, error) {
	m, err := db.planMerge(ctx, db.sql, keepID, otherID)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	return m, nil
}

// MergeRecords merges the record otherID into keepID (two contacts or two companies):
// keepID survives with the best of both records' fields, otherID is marked merged into
// it, and everything linked to otherID (timeline, deals, follow-ups, a company's
// contacts) shows under keepID from then on. It is one change group: undo reverts it,
// and so does Unmerge while the survivor's merged fields are unchanged.
//
// It refuses (ErrInvalid, nothing written) a record merged into itself, records of
// different kinds or of kinds that are not merged, a deleted record, and a record that is
// already merged into another.
func (db *DB) MergeRecords(ctx context.Context, keepID, otherID string) (*Merge, error) {
	var m *Merge
	err := db.write(ctx, "merge", func(t *Tx) error {
		var err error
		if m, err = t.merge(keepID, otherID); err != nil {
			return err
		}
		t.summary = fmt.Sprintf("merge %s %s into %s", m.Entity, m.Other, m.Keep)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	return m, nil
}

// merge merges otherID into keepID within t: the absorbed record's merged_into first,
// then the fields the survivor takes (mergeOps reads a merge back in that order).
func (t *Tx) merge(keepID, otherID string) (*Merge, error) {
	// Planned under the write lock, so nothing changes between the plan and the write.
	m, err := t.db.planMerge(t.ctx, t.tx, keepID, otherID)
	if err != nil {
		return nil, err
	}
	if _, err := t.update(m.Entity, m.OtherID, Fields{"merged_into": m.KeepID}); err != nil {
		return nil, err
	}
	if len(m.fields) > 0 {
		if _, err := t.update(m.Entity, m.KeepID, m.fields); err != nil {
			return nil, err
		}
	}
	m.Group = t.group
	return m, nil
}

// mergeRecord is what a merge needs of either record.
type mergeRecord struct {
	entity, id, label string
	deleted           bool
	mergedInto        string
	contact           *Contact
	company           *Company
}

// loadForMerge reads the contact or company with id.
func loadForMerge(ctx context.Context, q queryer, id string) (*mergeRecord, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+contactCols+contactFrom+"WHERE c.id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("read contact: %w", err)
	}
	var c *Contact
	if rows.Next() {
		c, err = scanContact(rows)
	}
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("read contact: %w", err)
	}
	if c != nil {
		if c.Emails, err = queryEmails(ctx, q, id); err != nil {
			return nil, err
		}
		if c.Phones, err = queryPhones(ctx, q, id); err != nil {
			return nil, err
		}
		if c.Tags, err = queryTags(ctx, q, EntityContact, id); err != nil {
			return nil, err
		}
		return &mergeRecord{entity: EntityContact, id: id, label: c.Name, deleted: c.DeletedAt != nil, mergedInto: c.MergedInto, contact: c}, nil
	}
	rows, err = q.QueryContext(ctx, "SELECT "+companyCols+" FROM companies c WHERE c.id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("read company: %w", err)
	}
	var co *Company
	if rows.Next() {
		co, err = scanCompany(rows)
	}
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("read company: %w", err)
	}
	if co != nil {
		if co.Tags, err = queryTags(ctx, q, EntityCompany, id); err != nil {
			return nil, err
		}
		return &mergeRecord{entity: EntityCompany, id: id, label: co.Name, deleted: co.DeletedAt != nil, mergedInto: co.MergedInto, company: co}, nil
	}
	for _, table := range []string{"deals", "follow_ups", "interactions"} {
		var n int
		if err := scanOne(ctx, q, "SELECT count(*) FROM "+table+" WHERE id = ?", []any{id}, &n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("%w: only contacts and companies can be merged, not %s", ErrInvalid, strings.ReplaceAll(strings.TrimSuffix(table, "s"), "_", "-")+"s")
		}
	}
	return nil, fmt.Errorf("record %s: %w", ShortID(id), ErrNotFound)
}

func scanOne(ctx context.Context, q queryer, query string, args []any, dest ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

func queryTags(ctx context.Context, q queryer, entity, id string) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT tag FROM tags WHERE entity = ? AND entity_id = ? ORDER BY tag", entity, id)
	if err != nil {
		return nil, fmt.Errorf("load tags: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var tag string
		if err := rows.Scan(&tag); err != nil {
			return nil, err
		}
		out = append(out, tag)
	}
	return out, rows.Err()
}

func (r *mergeRecord) noun() string { return r.entity }

// planMerge validates a merge and works out the survivor's changes.
func (db *DB) planMerge(ctx context.Context, q queryer, keepID, otherID string) (*Merge, error) {
	if keepID == "" || otherID == "" {
		return nil, fmt.Errorf("%w: name two records to merge", ErrInvalid)
	}
	if keepID == otherID {
		return nil, fmt.Errorf("%w: cannot merge a record into itself", ErrInvalid)
	}
	keep, err := loadForMerge(ctx, q, keepID)
	if err != nil {
		return nil, err
	}
	other, err := loadForMerge(ctx, q, otherID)
	if err != nil {
		return nil, err
	}
	if keep.entity != other.entity {
		return nil, fmt.Errorf("%w: cannot merge %s %q into %s %q: both must be contacts or both companies",
			ErrInvalid, other.noun(), other.label, keep.noun(), keep.label)
	}
	for _, r := range []*mergeRecord{keep, other} {
		if r.deleted {
			return nil, fmt.Errorf("%w: %s %q is deleted; restore it before merging", ErrInvalid, r.noun(), r.label)
		}
		if r.mergedInto != "" {
			into, _ := loadForMerge(ctx, q, r.mergedInto)
			name := ShortID(r.mergedInto)
			if into != nil {
				name = fmt.Sprintf("%q (%s)", into.label, ShortID(r.mergedInto))
			}
			return nil, fmt.Errorf("%w: %s %q is already merged into %s", ErrInvalid, r.noun(), r.label, name)
		}
	}
	m := &Merge{Entity: keep.entity, KeepID: keep.id, Keep: keep.label, OtherID: other.id, Other: other.label,
		Taken: []string{}, Conflicts: []MergeConflict{}, fields: Fields{}}
	if keep.contact != nil {
		err = m.planContact(keep.contact, other.contact)
	} else {
		err = m.planCompany(keep.company, other.company)
	}
	return m, err
}

// text merges one text field: an empty survivor field takes the other's value; two
// different values are a conflict (the survivor's is kept).
func (m *Merge) text(field, keep, other string) {
	switch {
	case other == "" || keep == other:
	case keep == "":
		m.fields[field] = other
		m.Taken = append(m.Taken, field+" "+quoteShort(other))
	default:
		m.Conflicts = append(m.Conflicts, MergeConflict{Field: field, Kept: keep, Other: other})
	}
}

// notes appends the other's notes to the survivor's, unless they are already there or
// the result would be too long (then it is a conflict).
func (m *Merge) notes(keep, other string) {
	switch {
	case strings.TrimSpace(other) == "" || strings.Contains(keep, other):
	case strings.TrimSpace(keep) == "":
		m.fields["notes"] = other
		m.Taken = append(m.Taken, "notes")
	case len(keep)+2+len(other) > maxLong:
		m.Conflicts = append(m.Conflicts, MergeConflict{Field: "notes", Kept: keep, Other: other})
	default:
		m.fields["notes"] = keep + "\n\n" + other
		m.Taken = append(m.Taken, "notes (appended)")
	}
}

func (m *Merge) tags(keep, other []string) {
	for _, tag := range other {
		if !slices.Contains(keep, tag) {
			m.fields["tag:"+tag] = true
			m.Taken = append(m.Taken, "tag "+tag)
		}
	}
}

func quoteShort(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 40 {
		s = string(r[:39]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

func (m *Merge) planContact(keep, other *Contact) error {
	if keep.Name != other.Name {
		m.Conflicts = append(m.Conflicts, MergeConflict{Field: "name", Kept: keep.Name, Other: other.Name})
	}
	m.text("title", keep.Title, other.Title)
	switch {
	case other.CompanyID == "" || other.CompanyID == keep.CompanyID:
	case keep.CompanyID == "":
		m.fields["company_id"] = other.CompanyID
		m.Taken = append(m.Taken, "company "+quoteShort(other.Company))
	default:
		m.Conflicts = append(m.Conflicts, MergeConflict{Field: "company", Kept: keep.Company, Other: other.Company})
	}
	emails := slices.Clone(keep.Emails)
	for _, e := range other.Emails {
		if !slices.ContainsFunc(emails, func(o Email) bool { return strings.EqualFold(o.Email, e.Email) }) {
			emails = append(emails, e)
			m.Taken = append(m.Taken, "email "+e.Email)
		}
	}
	if len(emails) > len(keep.Emails) {
		m.fields["emails"] = emails
	}
	phones := slices.Clone(keep.Phones)
	for _, p := range other.Phones {
		if !slices.ContainsFunc(phones, func(o Phone) bool { return PhoneDigits(o.Phone) == PhoneDigits(p.Phone) }) {
			phones = append(phones, p)
			m.Taken = append(m.Taken, "phone "+p.Phone)
		}
	}
	if len(phones) > len(keep.Phones) {
		m.fields["phones"] = phones
	}
	m.text("address", keep.Address, other.Address)
	m.text("source", keep.Source, other.Source)
	m.notes(keep.Notes, other.Notes)
	m.tags(keep.Tags, other.Tags)
	switch {
	case other.CadenceDays == 0 || other.CadenceDays == keep.CadenceDays:
	case keep.CadenceDays == 0:
		m.fields["cadence_days"] = int64(other.CadenceDays)
		m.Taken = append(m.Taken, fmt.Sprintf("cadence %d days", other.CadenceDays))
	default:
		m.Conflicts = append(m.Conflicts, MergeConflict{Field: "cadence_days", Kept: fmt.Sprint(keep.CadenceDays), Other: fmt.Sprint(other.CadenceDays)})
	}
	m.sameOrConflict("owner", keep.Owner, other.Owner)
	m.sameOrConflict("visibility", keep.Visibility, other.Visibility)
	return nil
}

func (m *Merge) sameOrConflict(field, keep, other string) {
	if keep != other {
		m.Conflicts = append(m.Conflicts, MergeConflict{Field: field, Kept: keep, Other: other})
	}
}

func (m *Merge) planCompany(keep, other *Company) error {
	if keep.Name != other.Name {
		m.Conflicts = append(m.Conflicts, MergeConflict{Field: "name", Kept: keep.Name, Other: other.Name})
	}
	m.text("domain", keep.Domain, other.Domain)
	m.text("phone", keep.Phone, other.Phone)
	m.text("address", keep.Address, other.Address)
	m.notes(keep.Notes, other.Notes)
	m.tags(keep.Tags, other.Tags)
	m.sameOrConflict("owner", keep.Owner, other.Owner)
	m.sameOrConflict("visibility", keep.Visibility, other.Visibility)
	return nil
}

// Unmerged describes what Unmerge restored.
type Unmerged struct {
	Entity     string `json:"entity"`
	ID         string `json:"id"`
	Name       string `json:"name"`
	SurvivorID string `json:"survivor_id"`
	Survivor   string `json:"survivor"`
	// Restored lists the survivor's fields set back to their values before the merge.
	Restored []string `json:"restored"`
	Group    string   `json:"group"`
}

// Unmerge undoes the merge of the record id into its survivor: the survivor's fields
// that the merge changed get their earlier values back and id is no longer merged, in one
// change group. Both records are then exactly as before the merge (apart from their
// updated_at times and field clocks), and their children show under each again.
//
// id may also name a survivor into which exactly one record was merged; with several it
// returns an *AmbiguousError listing them. It refuses (ErrInvalid, nothing written) a
// record that is not merged, a survivor that is itself merged into another record (unmerge
// that first), and a survivor whose merged fields were changed after the merge.
func (db *DB) Unmerge(ctx context.Context, id string) (*Unmerged, error) {
	var u *Unmerged
	err := db.write(ctx, "unmerge", func(t *Tx) error {
		rec, err := loadForMerge(ctx, t.tx, id)
		if err != nil {
			return err
		}
		if rec.mergedInto == "" {
			absorbed, err := mergedDirectly(ctx, t.tx, rec.entity, rec.id)
			if err != nil {
				return err
			}
			switch len(absorbed) {
			case 0:
				return fmt.Errorf("%w: %s %q is not merged with another record", ErrInvalid, rec.noun(), rec.label)
			case 1:
				if rec, err = loadForMerge(ctx, t.tx, absorbed[0].ID); err != nil {
					return err
				}
			default:
				return &AmbiguousError{Ref: rec.label, Candidates: absorbed}
			}
		}
		surv, err := loadForMerge(ctx, t.tx, rec.mergedInto)
		if err != nil {
			return fmt.Errorf("the record %s %q was merged into: %w", rec.noun(), rec.label, err)
		}
		if surv.mergedInto != "" {
			into, _ := loadForMerge(ctx, t.tx, surv.mergedInto)
			name := ShortID(surv.mergedInto)
			if into != nil {
				name = into.label
			}
			return fmt.Errorf("%w: %q was since merged into %q; unmerge %s (%s) first", ErrInvalid, surv.label, name, surv.label, ShortID(surv.id))
		}
		ops, err := mergeOps(ctx, t.tx, rec.id, surv.id)
		if err != nil {
			return err
		}
		restore := Fields{}
		var edited []string
		s, _ := spec(surv.entity)
		for _, op := range ops {
			if op.EntityID != surv.id {
				continue
			}
			cur, _, err := t.current(s, surv.entity, surv.id, op.Fields)
			if err != nil {
				return err
			}
			for _, k := range op.Fields.sortedKeys() {
				switch {
				case sameJSON(cur[k], op.Fields[k]):
					restore[k] = op.Old[k]
				case sameJSON(cur[k], op.Old[k]):
					// already back to its earlier value
				default:
					edited = append(edited, fieldLabel(k))
				}
			}
		}
		if len(edited) > 0 {
			return fmt.Errorf("%w: cannot unmerge exactly: the %s of %q changed after the merge; undo that edit first (rolo history shows it)",
				ErrInvalid, strings.Join(edited, ", "), surv.label)
		}
		t.summary = fmt.Sprintf("unmerge %s %s from %s", rec.entity, rec.label, surv.label)
		if len(restore) > 0 {
			if _, err := t.update(surv.entity, surv.id, restore); err != nil {
				return err
			}
		}
		if _, err := t.update(rec.entity, rec.id, Fields{"merged_into": nil}); err != nil {
			return err
		}
		u = &Unmerged{Entity: rec.entity, ID: rec.id, Name: rec.label, SurvivorID: surv.id, Survivor: surv.label,
			Restored: []string{}, Group: t.group}
		for _, k := range restore.sortedKeys() {
			u.Restored = append(u.Restored, fieldLabel(k))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unmerge: %w", err)
	}
	return u, nil
}

// sameJSON compares two field values by their JSON form with object keys in order, so a
// list read from the database ([]Phone) equals the same list decoded from the op log.
func sameJSON(a, b any) bool {
	norm := func(v any) string {
		j, _ := json.Marshal(canon(v))
		var x any
		dec := json.NewDecoder(strings.NewReader(string(j)))
		dec.UseNumber()
		if dec.Decode(&x) != nil {
			return string(j)
		}
		j, _ = json.Marshal(x)
		return string(j)
	}
	return norm(a) == norm(b)
}

// fieldLabel names a field for people: "tag:vip" is "tag vip".
func fieldLabel(k string) string {
	if tag, ok := strings.CutPrefix(k, "tag:"); ok {
		return "tag " + tag
	}
	return k
}

// mergeOps returns the ops that merged id into survivor: the newest op that set id's
// merged_into to survivor, and the ops that follow it in its change group up to the next
// merge (a group may hold several merges: rolo dedupe --apply is one change).
func mergeOps(ctx context.Context, q queryer, id, survivor string) ([]*Change, error) {
	var group string
	var seq int64
	err := scanOne(ctx, q, `SELECT group_id, seq FROM ops WHERE entity_id = ? AND json_extract(fields, '$.merged_into') = ?
		ORDER BY seq DESC LIMIT 1`, []any{id, survivor}, &group, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: the op log holds no merge of %s into %s", ErrInvalid, ShortID(id), ShortID(survivor))
	}
	if err != nil {
		return nil, fmt.Errorf("read merge: %w", err)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+opCols+" FROM ops o LEFT JOIN op_groups g ON g.id = o.group_id WHERE o.group_id = ? AND o.seq >= ? ORDER BY o.seq", group, seq)
	if err != nil {
		return nil, fmt.Errorf("read merge: %w", err)
	}
	defer rows.Close()
	var out []*Change
	for rows.Next() {
		c, err := scanOp(rows)
		if err != nil {
			return nil, fmt.Errorf("read merge: %w", err)
		}
		if _, next := c.Fields["merged_into"]; next && len(out) > 0 {
			break // the next merge of the group
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// mergedDirectly lists the live records merged straight into id, newest merge first.
func mergedDirectly(ctx context.Context, q queryer, entity, id string) ([]Candidate, error) {
	s, err := spec(entity)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT id, name FROM "+s.table+" WHERE merged_into = ? AND deleted_at IS NULL ORDER BY updated_at DESC, id", id)
	if err != nil {
		return nil, fmt.Errorf("read merges: %w", err)
	}
	defer rows.Close()
	out := []Candidate{}
	for rows.Next() {
		c := Candidate{Entity: entity}
		if err := rows.Scan(&c.ID, &c.Label); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MergedInto lists the records merged straight into the contact or company id (for
// showing, and to pick one to unmerge).
func (db *DB) MergedInto(ctx context.Context, entity, id string) ([]Candidate, error) {
	if !slices.Contains(mergeable, entity) {
		return nil, fmt.Errorf("%w: only contacts and companies are merged", ErrInvalid)
	}
	return mergedDirectly(ctx, db.sql, entity, id)
}

// Survivor returns the record that id was merged into, following merges to the end: id
// itself when it is not merged.
func (db *DB) Survivor(ctx context.Context, entity, id string) (string, error) {
	return survivorOf(ctx, db.sql, entity, id)
}

// followMerges replaces candidates that were merged into another record by their
// survivors (noting the record named in Via), drops duplicates, and drops survivors that
// are deleted unless deleted records were asked for.
func (db *DB) followMerges(ctx context.Context, found []Candidate, o ResolveOptions) ([]Candidate, error) {
	var out []Candidate
	for _, c := range found {
		if s, ok := specs[c.Entity]; ok && s.isCol("merged_into") && !o.Merged {
			surv, err := survivorOf(ctx, db.sql, c.Entity, c.ID)
			if err != nil {
				return nil, err
			}
			if surv != c.ID {
				via := c
				c = Candidate{Entity: c.Entity, ID: surv, Via: &via}
				var deleted sql.NullString
				label := refTables[c.Entity].label
				err := db.sql.QueryRowContext(ctx, "SELECT "+label+", deleted_at FROM "+s.table+" WHERE id = ?", surv).Scan(&c.Label, &deleted)
				if errors.Is(err, sql.ErrNoRows) {
					continue // merged into a record this database does not hold
				}
				if err != nil {
					return nil, fmt.Errorf("resolve: %w", err)
				}
				if deleted.Valid && !o.Deleted {
					continue
				}
			}
		}
		// A record named directly wins over the same record reached through a merge.
		if i := slices.IndexFunc(out, func(x Candidate) bool { return x.Entity == c.Entity && x.ID == c.ID }); i < 0 {
			out = append(out, c)
		} else if c.Via == nil {
			out[i] = c
		}
	}
	return out, nil
}

// mergeChecks are the merge invariants rolo check verifies.
var mergeChecks = []struct{ name, what, query string }{
	{"merges", "records merged into a record that does not exist or is of another kind",
		`SELECT (SELECT count(*) FROM contacts WHERE merged_into IS NOT NULL AND merged_into NOT IN (SELECT id FROM contacts))
		+ (SELECT count(*) FROM companies WHERE merged_into IS NOT NULL AND merged_into NOT IN (SELECT id FROM companies))
		+ (SELECT count(*) FROM deals WHERE merged_into IS NOT NULL AND merged_into NOT IN (SELECT id FROM deals))`},
	{"merges", "records merged into themselves through a cycle of merges", "SELECT " + cycleCheck("contacts") + " + " + cycleCheck("companies") + " + " + cycleCheck("deals")},
}

func cycleCheck(table string) string {
	return fmt.Sprintf(`(WITH RECURSIVE walk(start, cur, depth) AS (
		SELECT id, merged_into, 1 FROM %[1]s WHERE merged_into IS NOT NULL
		UNION ALL
		SELECT w.start, x.merged_into, w.depth + 1 FROM walk w JOIN %[1]s x ON x.id = w.cur
		WHERE x.merged_into IS NOT NULL AND w.cur <> w.start AND w.depth < %[2]d)
		SELECT count(DISTINCT start) FROM walk WHERE cur = start)`, table, maxMergeDepth)
}

func init() {
	checks = append(checks, mergeChecks...)
}

// mergeSetAny is mergeSet for an id of any kind.
func mergeSetAny(ctx context.Context, q queryer, id string) ([]string, error) {
	for _, entity := range []string{EntityContact, EntityCompany, EntityDeal} {
		ids, err := mergeSet(ctx, q, entity, id)
		if err != nil {
			return nil, err
		}
		if len(ids) > 1 {
			return ids, nil
		}
	}
	return []string{id}, nil
}

// cachedQueryer runs queries through the database's statement cache.
type cachedQueryer struct{ db *DB }

// QueryContext implements queryer.
func (c cachedQueryer) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.db.query(ctx, q, args...)
}
