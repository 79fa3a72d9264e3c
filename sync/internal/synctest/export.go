package synctest

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/server"
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
	fields := serverFields(tb, db)
	rows, err := db.Query(`SELECT r.id, r.entity FROM records r
		LEFT JOIN records s ON s.id = CASE WHEN r.scope <> '' THEN r.scope ELSE r.id END
		WHERE r.entity = 'stage' OR (s.id IS NOT NULL AND s.visibility = 'team')
		ORDER BY r.id`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var recs []store.CanonicalRecord
	for rows.Next() {
		var id, entity string
		if err := rows.Scan(&id, &entity); err != nil {
			tb.Fatal(err)
		}
		r := store.CanonicalRecord{Entity: entity, ID: id, Fields: map[string]json.RawMessage{}, Clocks: map[string]string{}}
		for name, f := range fields[id] {
			if v, ok := store.CanonicalValue(f.Value); ok {
				r.Fields[name] = v
				r.Clocks[name] = wire.Clock(f.HLC, f.Device)
			}
		}
		if len(fields[id]) > 0 {
			recs = append(recs, r)
		}
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if err := store.WriteCanonical(&b, recs); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// serverFields reads every record's current fields from the server's tables as the
// storage defines them (server.WriteTx.Fields): the first create's, overlaid by the
// fields rows.
func serverFields(tb testing.TB, db *sql.DB) map[string]map[string]server.Field {
	tb.Helper()
	out := map[string]map[string]server.Field{}
	rows, err := db.Query("SELECT entity_id, body FROM changes WHERE kind = 'create' ORDER BY seq")
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var id string
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			tb.Fatal(err)
		}
		if _, ok := out[id]; ok {
			continue
		}
		fs, err := server.CreateFields(body)
		if err != nil {
			tb.Fatal(err)
		}
		out[id] = fs
	}
	if err := rows.Close(); err != nil {
		tb.Fatal(err)
	}
	rows, err = db.Query("SELECT record_id, field, value, hlc, device FROM fields")
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name, v, d string
		var h int64
		if err := rows.Scan(&id, &name, &v, &h, &d); err != nil {
			tb.Fatal(err)
		}
		if out[id] == nil {
			out[id] = map[string]server.Field{}
		}
		out[id][name] = server.Field{Value: json.RawMessage(v), HLC: uint64(h), Device: d}
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
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
	out := map[string]string{}
	for id, fs := range serverFields(tb, tm.ServerDB(tb)) {
		for name, f := range fs {
			out[id+"/"+name] = string(wire.CanonicalJSON(f.Value)) + " " + strconv.FormatUint(f.HLC, 10) + "@" + f.Device
		}
	}
	return out
}
