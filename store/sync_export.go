package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// CanonicalRecord is one line of a canonical export: a record's non-empty field values
// and the clock of each, in one byte-exact form, so that two copies of the team's data
// (two devices, or a device and the server) can be compared with a checksum.
type CanonicalRecord struct {
	Entity string                     `json:"entity"`
	ID     string                     `json:"id"`
	Fields map[string]json.RawMessage `json:"fields"`
	Clocks map[string]string          `json:"clocks"`
}

// CanonicalValue puts a field value in canonical form; ok is false for an empty value
// (null, "", false, 0 or an empty list), which a canonical export leaves out, since a
// field never set and a field set empty read the same. true is 1, as SQLite stores it.
func CanonicalValue(raw json.RawMessage) (json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return raw, true
	}
	switch x := v.(type) {
	case nil:
		return nil, false
	case string:
		if x == "" {
			return nil, false
		}
	case bool:
		if !x {
			return nil, false
		}
		return json.RawMessage("1"), true
	case json.Number:
		if x.String() == "0" {
			return nil, false
		}
	case []any:
		if len(x) == 0 {
			return nil, false
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return raw, true
	}
	return b, true
}

// WriteCanonical writes records as sorted JSON lines (by entity, then id).
func WriteCanonical(w io.Writer, recs []CanonicalRecord) error {
	sort.Slice(recs, func(i, j int) bool {
		if recs[i].Entity != recs[j].Entity {
			return recs[i].Entity < recs[j].Entity
		}
		return recs[i].ID < recs[j].ID
	})
	bw := bufio.NewWriter(w)
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ExportOptions choose what SyncExport writes.
type ExportOptions struct {
	// TeamOnly leaves out records the team cannot see: private ones, and timeline
	// entries and follow-ups of private records.
	TeamOnly bool
	// Derived adds what each device derives from the records (a timeline entry's "_live":
	// not redacted nor replaced), which the server does not hold.
	Derived bool
}

// SyncExport writes the database's synced data in canonical form (see CanonicalRecord):
// every record of every synced entity, sorted. It reads one consistent snapshot. It
// serves tests and diagnostics comparing devices with each other and with the server.
func (db *DB) SyncExport(ctx context.Context, w io.Writer, o ExportOptions) error {
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	clocks := map[string]map[string]string{}
	rows, err := tx.QueryContext(ctx, "SELECT entity_id, field, hlc, device FROM field_clocks")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, f, d string
		var h int64
		if err := rows.Scan(&id, &f, &h, &d); err != nil {
			rows.Close()
			return err
		}
		if clocks[id] == nil {
			clocks[id] = map[string]string{}
		}
		clocks[id][f] = clock{HLC(h), d}.String()
	}
	rows.Close()
	vis := map[string]string{}       // visibility of contacts, companies and deals
	createdOf := map[string]string{} // creation clock per record
	var recs []CanonicalRecord
	for _, entity := range syncEntities {
		s := specs[entity]
		cols := append([]string{"id", "hlc", "device"}, s.cols...)
		if entity == EntityInteraction {
			cols = append(cols, "redacted = 0 AND superseded_by IS NULL")
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+s.table)
		if err != nil {
			return fmt.Errorf("export %s: %w", entity, err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			id := asString(vals[0])
			created := clock{HLC(vals[1].(int64)), asString(vals[2])}.String()
			createdOf[id] = created
			r := CanonicalRecord{Entity: entity, ID: id, Fields: map[string]json.RawMessage{}, Clocks: map[string]string{}}
			for i, c := range s.cols {
				r.put(c, vals[3+i], clocks[id], created)
			}
			if entity == EntityInteraction && o.Derived {
				r.Fields["_live"] = json.RawMessage(fmt.Sprint(vals[len(vals)-1]))
			}
			recs = append(recs, r)
			switch entity {
			case EntityContact, EntityCompany, EntityDeal:
				vis[id] = asString(vals[3+s.colIdx["visibility"]])
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	byID := map[string]int{}
	for i, r := range recs {
		byID[r.ID] = i
	}
	for _, q := range []struct{ sql, field string }{
		{"SELECT contact_id, json_group_array(json_object('email', email, 'label', label)) FROM (SELECT * FROM contact_emails ORDER BY contact_id, position) GROUP BY contact_id", "emails"},
		{"SELECT contact_id, json_group_array(json_object('phone', phone, 'label', label)) FROM (SELECT * FROM contact_phones ORDER BY contact_id, position) GROUP BY contact_id", "phones"},
		{"SELECT entity_id, 'tag:' || tag FROM tags", ""},
	} {
		rows, err := tx.QueryContext(ctx, q.sql)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, v string
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return err
			}
			i, ok := byID[id]
			if !ok {
				continue
			}
			r := &recs[i]
			created := createdOf[id]
			if q.field == "" {
				r.put(v, true, clocks[id], created)
			} else {
				var list []map[string]string
				json.Unmarshal([]byte(v), &list)
				for _, m := range list {
					if m["label"] == "" {
						delete(m, "label")
					}
				}
				r.put(q.field, list, clocks[id], created)
			}
		}
		rows.Close()
	}
	out := recs[:0]
	for _, r := range recs {
		if o.TeamOnly && !r.team(vis) {
			continue
		}
		out = append(out, r)
	}
	return WriteCanonical(w, out)
}

// put adds a field with its clock, unless its value is empty.
func (r *CanonicalRecord) put(field string, v any, clocks map[string]string, created string) {
	var raw json.RawMessage
	switch x := v.(type) {
	case []byte:
		raw, _ = json.Marshal(string(x))
	default:
		raw, _ = json.Marshal(x)
	}
	cv, ok := CanonicalValue(raw)
	if !ok {
		return
	}
	r.Fields[field] = cv
	if c, ok := clocks[field]; ok {
		r.Clocks[field] = c
	} else {
		r.Clocks[field] = created
	}
}

// team reports whether the team sees the record: stages always; contacts, companies and
// deals by their visibility; timeline entries and follow-ups by their deal's, else their
// contact's, else their company's (ScopeOf).
func (r CanonicalRecord) team(vis map[string]string) bool {
	switch r.Entity {
	case EntityStage:
		return true
	case EntityContact, EntityCompany, EntityDeal:
		return vis[r.ID] == "team"
	}
	get := func(f string) string {
		var s string
		json.Unmarshal(r.Fields[f], &s)
		return s
	}
	scope := ScopeOf(r.Entity, get)
	if scope == "" {
		return get("visibility") == "team"
	}
	return vis[scope] == "team"
}

// ScopeOf names the record whose visibility governs a record of entity: itself ("") for
// contacts, companies, deals and stages; for a timeline entry its deal, else its contact,
// else its company; for a follow-up its deal, else its contact. field reads the record's
// fields. Server and devices decide visibility by the same rule.
func ScopeOf(entity string, field func(string) string) string {
	var links []string
	switch entity {
	case EntityInteraction:
		links = []string{"deal_id", "contact_id", "company_id"}
	case EntityFollowUp:
		links = []string{"deal_id", "contact_id"}
	}
	for _, l := range links {
		if v := field(l); v != "" {
			return v
		}
	}
	return ""
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
