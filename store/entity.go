package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Entity names, as they appear in the op log.
const (
	EntityContact     = "contact"
	EntityCompany     = "company"
	EntityDeal        = "deal"
	EntityStage       = "stage"
	EntityInteraction = "interaction"
	EntityFollowUp    = "follow_up"
)

// entitySpec says how an entity's fields map onto its table.
type entitySpec struct {
	table string
	// cols are the scalar fields, each a column of the same name.
	cols []string
	// lists are fields kept in child tables (a contact's emails and phones).
	lists []string
	// tags says whether "tag:NAME" fields apply.
	tags bool
	// colIdx maps each of cols to its position (built at init).
	colIdx map[string]int
}

func init() {
	for name, s := range specs {
		if len(s.cols) > 64 {
			panic("store: insertRow keeps column sets in a uint64")
		}
		s.colIdx = make(map[string]int, len(s.cols))
		for i, c := range s.cols {
			s.colIdx[c] = i
		}
		specs[name] = s
	}
}

var specs = map[string]entitySpec{
	EntityCompany: {table: "companies", tags: true, cols: []string{
		"name", "domain", "phone", "address", "notes",
		"owner", "visibility", "created_at", "deleted_at", "merged_into"}},
	EntityContact: {table: "contacts", tags: true, lists: []string{"emails", "phones"}, cols: []string{
		"first_name", "last_name", "name", "title", "company_id", "address", "source", "notes",
		"cadence_days", "owner", "visibility", "created_at", "deleted_at", "merged_into"}},
	EntityStage: {table: "stages", cols: []string{
		"name", "position", "probability", "rotting_days", "created_at", "deleted_at"}},
	EntityDeal: {table: "deals", tags: true, cols: []string{
		"title", "contact_id", "company_id", "value", "currency", "stage_id", "status",
		"lost_reason", "expected_close", "stage_entered_at", "closed_at", "notes",
		"owner", "visibility", "created_at", "deleted_at", "merged_into"}},
	EntityInteraction: {table: "interactions", cols: []string{
		"kind", "occurred_at", "text", "contact_id", "company_id", "deal_id", "supersedes",
		"owner", "visibility", "created_at", "from_stage", "to_stage"}},
	EntityFollowUp: {table: "follow_ups", cols: []string{
		"title", "due_at", "all_day", "contact_id", "deal_id", "done_at",
		"owner", "visibility", "created_at", "deleted_at"}},
}

func (s entitySpec) has(field string) bool {
	if s.tags && strings.HasPrefix(field, "tag:") {
		return true
	}
	if s.isCol(field) {
		return true
	}
	for _, c := range s.lists {
		if c == field {
			return true
		}
	}
	return false
}

func (s entitySpec) isCol(field string) bool {
	if s.colIdx != nil {
		_, ok := s.colIdx[field]
		return ok
	}
	for _, c := range s.cols {
		if c == field {
			return true
		}
	}
	return false
}

func spec(entity string) (entitySpec, error) {
	s, ok := specs[entity]
	if !ok {
		return s, fmt.Errorf("%w: unknown entity %q", ErrInvalid, entity)
	}
	return s, nil
}

// sortedKeys returns the field names in a stable order.
func (f Fields) sortedKeys() []string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// create inserts a record from fields and logs it as one create op. The record's clock is
// the op's clock.
func (t *Tx) create(entity, id string, fields Fields) error {
	s, err := spec(entity)
	if err != nil {
		return err
	}
	h, err := t.logOp(entity, id, OpCreate, fields, nil, nil)
	if err != nil {
		return err
	}
	t.search.creating(entity, id, fields)
	if err := t.insertRow(s, entity, id, fields, h, t.db.device); err != nil {
		return err
	}
	t.markIndex(entity, id)
	return t.search.created(t, entity)
}

// insertRow writes the row and its child rows without logging.
func (t *Tx) insertRow(s entitySpec, entity, id string, fields Fields, h HLC, device string) error {
	// Which columns are set, as a bit set over s.cols, and which list and tag fields.
	var mask uint64
	var special []string
	for k := range fields {
		if i, ok := s.colIdx[k]; ok {
			mask |= 1 << i
			continue
		}
		if !s.has(k) {
			return unknownField(s, entity, fields)
		}
		special = append(special, k)
	}
	updated := s.isCol("created_at") && entity != EntityInteraction
	args := make([]any, 0, 4+bits.OnesCount64(mask))
	args = append(args, id, int64(h), device)
	for i, c := range s.cols {
		if mask&(1<<i) != 0 {
			args = append(args, sqlValue(fields[c]))
		}
	}
	if updated {
		created, _ := fields["created_at"].(string)
		if created == "" {
			created = t.nowText()
		}
		args = append(args, created)
	}
	if err := t.insert(insertSQL(s, entity, mask, updated), args...); err != nil {
		return fmt.Errorf("create %s: %w", entity, mapErr(err))
	}
	t.noteBulkWrite(entity)
	sort.Strings(special)
	for _, k := range special {
		if err := t.writeSpecial(entity, id, k, fields[k], true); err != nil {
			return err
		}
	}
	return nil
}

// unknownField reports the first field, in name order, that entity does not have.
func unknownField(s entitySpec, entity string, fields Fields) error {
	for _, k := range fields.sortedKeys() {
		if !s.has(k) {
			return fmt.Errorf("%w: %s has no field %q", ErrInvalid, entity, k)
		}
	}
	return fmt.Errorf("%w: %s has an unknown field", ErrInvalid, entity)
}

type insertKey struct {
	entity string
	mask   uint64
}

// insertSQLs caches the INSERT text per entity and column set: a bulk load of a million
// rows uses a handful of them, and building each once keeps formatting out of the loop.
var insertSQLs sync.Map // insertKey → string

func insertSQL(s entitySpec, entity string, mask uint64, updated bool) string {
	key := insertKey{entity, mask}
	if q, ok := insertSQLs.Load(key); ok {
		return q.(string)
	}
	cols := []string{"id", "hlc", "device"}
	for i, c := range s.cols {
		if mask&(1<<i) != 0 {
			cols = append(cols, c)
		}
	}
	if updated {
		cols = append(cols, "updated_at")
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", s.table, strings.Join(cols, ", "),
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", "))
	insertSQLs.Store(key, q)
	return q
}

// update changes fields of a record, logging one op with the old values and the field
// clocks the editor saw. Fields whose value does not change are dropped; it reports
// whether anything changed.
func (t *Tx) update(entity, id string, fields Fields) (bool, error) {
	s, err := spec(entity)
	if err != nil {
		return false, err
	}
	// Rows a bulk load queued must be in place before they are read or changed.
	if err := t.settle(); err != nil {
		return false, err
	}
	old, base, err := t.current(s, entity, id, fields)
	if err != nil {
		return false, err
	}
	changed := Fields{}
	for k, v := range fields {
		if !sameValue(old[k], v) {
			changed[k] = v
		} else {
			delete(old, k)
			delete(base, k)
		}
	}
	if len(changed) == 0 {
		return false, nil
	}
	kind := OpUpdate
	if len(changed) == 1 {
		if v, ok := changed["deleted_at"]; ok {
			if v == nil {
				kind = OpRestore
			} else {
				kind = OpDelete
			}
		}
	}
	h, err := t.logOp(entity, id, kind, changed, old, base)
	if err != nil {
		return false, err
	}
	if err := t.applyFields(s, entity, id, changed); err != nil {
		return false, err
	}
	t.noteBulkWrite(entity)
	for _, k := range changed.sortedKeys() {
		_, err := t.tx.ExecContext(t.ctx, `INSERT INTO field_clocks (entity_id, field, hlc, device) VALUES (?, ?, ?, ?)
			ON CONFLICT (entity_id, field) DO UPDATE SET hlc = excluded.hlc, device = excluded.device`,
			id, k, int64(h), t.db.device)
		if err != nil {
			return false, fmt.Errorf("update %s: %w", entity, err)
		}
	}
	t.markIndex(entity, id)
	return true, nil
}

// applyFields writes values onto an existing row and its child rows, without logging.
func (t *Tx) applyFields(s entitySpec, entity, id string, fields Fields) error {
	afterMerge, err := t.beforeMergeChange(entity, id, fields)
	if err != nil {
		return err
	}
	var sets []string
	var args []any
	for _, k := range fields.sortedKeys() {
		if !s.has(k) {
			return fmt.Errorf("%w: %s has no field %q", ErrInvalid, entity, k)
		}
		if s.isCol(k) {
			sets = append(sets, k+" = ?")
			args = append(args, sqlValue(fields[k]))
		}
	}
	if s.isCol("created_at") && entity != EntityInteraction {
		sets = append(sets, "updated_at = ?")
		args = append(args, t.nowText())
	}
	if len(sets) > 0 {
		args = append(args, id)
		res, err := t.tx.ExecContext(t.ctx, fmt.Sprintf("UPDATE %s SET %s WHERE id = ?", s.table, strings.Join(sets, ", ")), args...)
		if err != nil {
			return fmt.Errorf("update %s: %w", entity, mapErr(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("update %s %s: %w", entity, id, ErrNotFound)
		}
	}
	for _, k := range fields.sortedKeys() {
		if s.isCol(k) {
			continue
		}
		if err := t.writeSpecial(entity, id, k, fields[k], false); err != nil {
			return err
		}
	}
	return afterMerge()
}

// current reads the present values and field clocks of the named fields.
func (t *Tx) current(s entitySpec, entity, id string, fields Fields) (old, base Fields, err error) {
	var cols []string
	for _, k := range fields.sortedKeys() {
		if !s.has(k) {
			return nil, nil, fmt.Errorf("%w: %s has no field %q", ErrInvalid, entity, k)
		}
		if s.isCol(k) {
			cols = append(cols, k)
		}
	}
	vals := make([]any, len(cols)+2)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	q := fmt.Sprintf("SELECT %s hlc, device FROM %s WHERE id = ?", strings.Join(append(cols, ""), ", "), s.table)
	if err := t.tx.QueryRowContext(t.ctx, q, id).Scan(ptrs...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, fmt.Errorf("%s %s: %w", entity, id, ErrNotFound)
		}
		return nil, nil, fmt.Errorf("read %s: %w", entity, err)
	}
	old = Fields{}
	for i, c := range cols {
		old[c] = vals[i]
	}
	for _, k := range fields.sortedKeys() {
		if s.isCol(k) {
			continue
		}
		v, err := t.readSpecial(entity, id, k)
		if err != nil {
			return nil, nil, err
		}
		old[k] = v
	}
	created := fmt.Sprintf("%d@%s", vals[len(cols)], vals[len(cols)+1])
	base = Fields{}
	for k := range fields {
		base[k] = created
	}
	rows, err := t.tx.QueryContext(t.ctx, "SELECT field, hlc, device FROM field_clocks WHERE entity_id = ?", id)
	if err != nil {
		return nil, nil, fmt.Errorf("read clocks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f, dev string
		var h int64
		if err := rows.Scan(&f, &h, &dev); err != nil {
			return nil, nil, fmt.Errorf("read clocks: %w", err)
		}
		if _, ok := fields[f]; ok {
			base[f] = fmt.Sprintf("%d@%s", h, dev)
		}
	}
	return old, base, rows.Err()
}

// writeSpecial writes a list or tag field; fresh means the record was just inserted, so
// there are no old child rows to replace.
func (t *Tx) writeSpecial(entity, id, field string, v any, fresh bool) error {
	switch {
	case strings.HasPrefix(field, "tag:"):
		tag := strings.TrimPrefix(field, "tag:")
		on, _ := v.(bool)
		var err error
		if on && fresh {
			err = t.insert("INSERT OR IGNORE INTO tags (entity, entity_id, tag) VALUES (?, ?, ?)", entity, id, tag)
		} else if on {
			_, err = t.exec("INSERT OR IGNORE INTO tags (entity, entity_id, tag) VALUES (?, ?, ?)", entity, id, tag)
		} else {
			_, err = t.tx.ExecContext(t.ctx, "DELETE FROM tags WHERE entity = ? AND entity_id = ? AND tag = ?", entity, id, tag)
		}
		if err != nil {
			return fmt.Errorf("write tag: %w", mapErr(err))
		}
		return nil
	case field == "emails":
		var list []Email
		if l, ok := v.([]Email); ok && validUTF8Emails(l) {
			list = l
		} else if err := convert(v, &list); err != nil {
			return err
		}
		if !fresh {
			if _, err := t.exec("DELETE FROM contact_emails WHERE contact_id = ?", id); err != nil {
				return fmt.Errorf("write emails: %w", err)
			}
		}
		for i, e := range list {
			if err := t.insertChild(fresh, "INSERT INTO contact_emails (contact_id, position, email, label) VALUES (?, ?, ?, ?)",
				id, int64(i), e.Email, e.Label); err != nil {
				return fmt.Errorf("write emails: %w", mapErr(err))
			}
		}
		return nil
	case field == "phones":
		var list []Phone
		if l, ok := v.([]Phone); ok && validUTF8Phones(l) {
			list = l
		} else if err := convert(v, &list); err != nil {
			return err
		}
		if !fresh {
			if _, err := t.exec("DELETE FROM contact_phones WHERE contact_id = ?", id); err != nil {
				return fmt.Errorf("write phones: %w", err)
			}
		}
		for i, p := range list {
			if err := t.insertChild(fresh, "INSERT INTO contact_phones (contact_id, position, phone, label, digits) VALUES (?, ?, ?, ?, ?)",
				id, int64(i), p.Phone, p.Label, PhoneDigits(p.Phone)); err != nil {
				return fmt.Errorf("write phones: %w", mapErr(err))
			}
		}
		return nil
	}
	return fmt.Errorf("%w: %s has no field %q", ErrInvalid, entity, field)
}

func (t *Tx) readSpecial(entity, id, field string) (any, error) {
	switch {
	case strings.HasPrefix(field, "tag:"):
		var n int
		err := t.tx.QueryRowContext(t.ctx, "SELECT count(*) FROM tags WHERE entity = ? AND entity_id = ? AND tag = ?",
			entity, id, strings.TrimPrefix(field, "tag:")).Scan(&n)
		return n > 0, err
	case field == "emails":
		return queryEmails(t.ctx, t.tx, id)
	case field == "phones":
		return queryPhones(t.ctx, t.tx, id)
	}
	return nil, fmt.Errorf("%w: %s has no field %q", ErrInvalid, entity, field)
}

// validUTF8Emails reports whether a typed list can be used as is: convert's JSON round trip
// would only change it by replacing invalid UTF-8.
func validUTF8Emails(list []Email) bool {
	for _, e := range list {
		if !utf8.ValidString(e.Email) || !utf8.ValidString(e.Label) {
			return false
		}
	}
	return true
}

func validUTF8Phones(list []Phone) bool {
	for _, p := range list {
		if !utf8.ValidString(p.Phone) || !utf8.ValidString(p.Label) {
			return false
		}
	}
	return true
}

// convert reshapes a field value (a Go value or one decoded from JSON) into out.
func convert(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode field: %w", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode field: %w", err)
	}
	return nil
}

// sqlValue turns a field value into a driver value.
func sqlValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		return x.String()
	case float64:
		return int64(x)
	case int:
		return int64(x)
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case *string:
		if x == nil {
			return nil
		}
		return *x
	}
	return v
}

// sameValue compares two field values by their canonical JSON form.
func sameValue(a, b any) bool {
	ja, _ := json.Marshal(canon(a))
	jb, _ := json.Marshal(canon(b))
	return string(ja) == string(jb)
}

func canon(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case int, int64, float64, json.Number, bool:
		return sqlValue(x)
	case []Email, []Phone, []any:
		if b, _ := json.Marshal(x); string(b) == "null" || string(b) == "[]" {
			return []any{}
		}
	}
	return v
}
