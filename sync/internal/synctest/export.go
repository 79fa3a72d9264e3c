package synctest

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/wire"
)

// ServerDB opens the server's SQLite file read-only, for checks that read its tables.
func (tm *Team) ServerDB(tb testing.TB) *sql.DB {
	tb.Helper()
	if tm.DB != nil {
		return tm.DB(tb)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(tm.Dir, "server.db")+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Export is the server's canonical export (store.CanonicalRecord lines) of the records
// the whole team sees: what every device's team export must equal.
func (tm *Team) Export(tb testing.TB) string {
	tb.Helper()
	db := tm.ServerDB(tb)
	rows, err := db.Query(`SELECT r.id, r.entity, f.field, f.value, f.hlc, f.device FROM records r
		LEFT JOIN records s ON s.id = CASE WHEN r.scope <> '' THEN r.scope ELSE r.id END
		JOIN fields f ON f.record_id = r.id
		WHERE r.entity = 'stage' OR (s.id IS NOT NULL AND s.visibility = 'team')
		ORDER BY r.id`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	byID := map[string]*store.CanonicalRecord{}
	var order []string
	for rows.Next() {
		var id, entity, field, value, dev string
		var h int64
		if err := rows.Scan(&id, &entity, &field, &value, &h, &dev); err != nil {
			tb.Fatal(err)
		}
		r, ok := byID[id]
		if !ok {
			r = &store.CanonicalRecord{Entity: entity, ID: id, Fields: map[string]json.RawMessage{}, Clocks: map[string]string{}}
			byID[id] = r
			order = append(order, id)
		}
		if v, ok := store.CanonicalValue(json.RawMessage(value)); ok {
			r.Fields[field] = v
			r.Clocks[field] = wire.Clock(uint64(h), dev)
		}
	}
	recs := make([]store.CanonicalRecord, 0, len(order))
	for _, id := range order {
		recs = append(recs, *byID[id])
	}
	var b bytes.Buffer
	if err := store.WriteCanonical(&b, recs); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// Change is one row of the server's log as checks read it.
type Change struct {
	Seq  int64
	Kind string
	wire.Change
}

// Log returns the server's whole log.
func (tm *Team) Log(tb testing.TB) []Change {
	tb.Helper()
	db := tm.ServerDB(tb)
	rows, err := db.Query("SELECT seq, kind, body FROM changes ORDER BY seq")
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var body string
		if err := rows.Scan(&c.Seq, &c.Kind, &body); err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal([]byte(body), &c.Change); err != nil {
			tb.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// Fields returns the server's current value and clock of every field, keyed
// "record/field".
func (tm *Team) Fields(tb testing.TB) map[string]string {
	tb.Helper()
	db := tm.ServerDB(tb)
	rows, err := db.Query("SELECT record_id, field, value, hlc, device FROM fields")
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, f, v, d string
		var h int64
		if err := rows.Scan(&id, &f, &v, &h, &d); err != nil {
			tb.Fatal(err)
		}
		out[id+"/"+f] = string(wire.CanonicalJSON(json.RawMessage(v))) + " " + strconv.FormatInt(h, 10) + "@" + d
	}
	return out
}
