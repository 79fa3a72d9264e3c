// Package jsonio writes the whole database as one JSON document and restores it: every
// table's rows (deleted records, timelines, follow-ups, deals, stages, the op history,
// the device's identity and clock), so that export → import into an empty database →
// export gives the same bytes.
//
// The document is
//
//	{
//	  "format": "rolo-export",
//	  "version": 1,
//	  "schema": 3,
//	  "tables": {
//	    "companies": [
//	      {"id":"…","name":"…",…},
//	      …
//	    ],
//	    …
//	  }
//	}
//
// Tables come in name order and rows in primary-key order, one row per line; a row's keys
// are its table's columns in schema order. Values are JSON strings, integers or null, as
// stored; the op log's fields, old and base columns, which hold JSON, are embedded as
// JSON. The search index is not exported: it is rebuilt from the records on import.
package jsonio

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/rolo-crm/rolo/store"
)

// Format and Version identify the document.
const (
	Format  = "rolo-export"
	Version = 1
)

// jsonColumns are the columns that hold JSON text, embedded as JSON in the document.
var jsonColumns = map[string]map[string]bool{
	"ops": {"fields": true, "old": true, "base": true},
}

// Stats counts what an export or import moved.
type Stats struct {
	Tables int `json:"tables"`
	Rows   int `json:"rows"`
}

// Export writes the whole database to w as one JSON document, from one consistent
// snapshot, streaming the rows.
func Export(ctx context.Context, db *store.DB, w io.Writer) (Stats, error) {
	var st Stats
	snap, err := db.Snapshot(ctx)
	if err != nil {
		return st, err
	}
	defer snap.Close()
	schema, err := snap.SchemaVersion()
	if err != nil {
		return st, fmt.Errorf("export json: %w", err)
	}
	tables, err := snap.Tables()
	if err != nil {
		return st, fmt.Errorf("export json: %w", err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, "{\n  \"format\": %q,\n  \"version\": %d,\n  \"schema\": %d,\n  \"tables\": {", Format, Version, schema)
	var line []byte
	for ti, t := range tables {
		if ti > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(appendString(nil, t.Name))
		bw.WriteString(": [")
		keys := make([][]byte, len(t.Columns))
		for i, c := range t.Columns {
			keys[i] = append(appendString(nil, c), ':')
		}
		rows := 0
		err := snap.Rows(t, func(vals []any) error {
			line = line[:0]
			if rows > 0 {
				line = append(line, ',')
			}
			line = append(line, "\n      {"...)
			for i, v := range vals {
				if i > 0 {
					line = append(line, ',')
				}
				line = append(line, keys[i]...)
				if line, err = appendValue(line, v, jsonColumns[t.Name][t.Columns[i]]); err != nil {
					return fmt.Errorf("export json: %s.%s: %w", t.Name, t.Columns[i], err)
				}
			}
			line = append(line, '}')
			rows++
			if rows%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			_, err := bw.Write(line)
			return err
		})
		if err != nil {
			return st, err
		}
		if rows > 0 {
			bw.WriteString("\n    ")
		}
		bw.WriteByte(']')
		st.Tables++
		st.Rows += rows
	}
	bw.WriteString("\n  }\n}\n")
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("export json: %w", err)
	}
	return st, nil
}

func appendValue(b []byte, v any, jsonText bool) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, errors.New("a number JSON cannot hold")
		}
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			// Keep the point, so the value comes back as a real number.
			return strconv.AppendFloat(b, x, 'f', 1, 64), nil
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64), nil
	case string:
		if jsonText && rawJSON(x) {
			return append(b, x...), nil
		}
		return appendString(b, x), nil
	case []byte:
		b = append(b, `{"blob":`...)
		b = appendString(b, base64.StdEncoding.EncodeToString(x))
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("unexpected value of type %T", v)
}

// rawJSON reports whether s can be embedded as it is: a JSON object or array with no
// space around it.
func rawJSON(s string) bool {
	if len(s) < 2 {
		return false
	}
	first, last := s[0], s[len(s)-1]
	return (first == '{' && last == '}' || first == '[' && last == ']') && json.Valid([]byte(s))
}

// appendString quotes s as JSON. Invalid UTF-8 becomes U+FFFD, as encoding/json does.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Import restores a document written by Export into db, which must be empty (a new
// database); it replaces the new database's identity, clock and stages with the
// exported ones. It is one transaction: on any error nothing is written.
func Import(ctx context.Context, db *store.DB, r io.Reader) (Stats, error) {
	var st Stats
	err := db.Restore(ctx, func(rs *store.Restorer) error {
		var err error
		st, err = restore(ctx, rs, r)
		return err
	})
	if err != nil {
		return Stats{}, err
	}
	return st, nil
}

func restore(ctx context.Context, rs *store.Restorer, r io.Reader) (Stats, error) {
	var st Stats
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	dec.UseNumber()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: not a rolo JSON export: "+format, append([]any{store.ErrInvalid}, args...)...)
	}
	if err := expectDelim(dec, '{'); err != nil {
		return st, bad("%v", err)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return st, bad("%v", err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return st, bad("%q is given twice", key)
		}
		seen[key] = true
		switch key {
		case "format":
			var f string
			if err := dec.Decode(&f); err != nil || f != Format {
				return st, bad("format is not %q", Format)
			}
		case "version":
			var v json.Number
			if err := dec.Decode(&v); err != nil || v.String() != strconv.Itoa(Version) {
				return st, bad("version %s is not %d", v, Version)
			}
		case "schema":
			var v json.Number
			if err := dec.Decode(&v); err != nil {
				return st, bad("schema is not a number")
			}
			n, err := v.Int64()
			if err != nil || n < 1 {
				return st, bad("schema %s is not a version", v)
			}
			if n > int64(store.SchemaVersion()) {
				return st, fmt.Errorf("%w: the export has schema version %d, this rolo knows up to %d; upgrade rolo", store.ErrInvalid, n, store.SchemaVersion())
			}
		case "tables":
			if !seen["format"] {
				return st, bad("\"format\" must come before \"tables\"")
			}
			n, err := restoreTables(ctx, dec, rs)
			st.Rows += n.Rows
			st.Tables += n.Tables
			if err != nil {
				return st, err
			}
		default:
			return st, bad("unknown key %q", key)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return st, bad("%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return st, bad("something follows the document")
	}
	for _, k := range []string{"format", "version", "schema", "tables"} {
		if !seen[k] {
			return st, bad("no %q", k)
		}
	}
	return st, nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("expected %q, found %v", d, tok)
	}
	return nil
}

func restoreTables(ctx context.Context, dec *json.Decoder, rs *store.Restorer) (Stats, error) {
	var st Stats
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{store.ErrInvalid}, args...)...)
	}
	if err := expectDelim(dec, '{'); err != nil {
		return st, bad("tables: %v", err)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return st, bad("tables: %v", err)
		}
		name, _ := tok.(string)
		if seen[name] {
			return st, bad("table %q is given twice", name)
		}
		seen[name] = true
		t, ok := rs.Table(name)
		if !ok {
			return st, bad("this database has no table %q (is the export from a newer rolo?)", name)
		}
		if err := rs.Clear(name); err != nil {
			return st, err
		}
		if err := expectDelim(dec, '['); err != nil {
			return st, bad("table %s: %v", name, err)
		}
		st.Tables++
		cols := make([]string, 0, len(t.Columns))
		vals := make([]any, 0, len(t.Columns))
		for dec.More() {
			var row map[string]json.RawMessage
			if err := dec.Decode(&row); err != nil {
				return st, bad("table %s, row %d: %v", name, st.Rows+1, err)
			}
			cols, vals = cols[:0], vals[:0]
			for _, c := range t.Columns {
				raw, ok := row[c]
				if !ok {
					continue
				}
				v, err := value(raw, jsonColumns[name][c])
				if err != nil {
					return st, bad("table %s, column %s: %v", name, c, err)
				}
				cols, vals = append(cols, c), append(vals, v)
			}
			if len(cols) != len(row) {
				for k := range row {
					if !containsString(t.Columns, k) {
						return st, bad("table %s has no column %q", name, k)
					}
				}
			}
			if len(cols) == 0 {
				return st, bad("table %s: a row with no columns", name)
			}
			if err := rs.Insert(name, cols, vals); err != nil {
				return st, err
			}
			st.Rows++
			if st.Rows%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return st, err
				}
			}
		}
		if err := expectDelim(dec, ']'); err != nil {
			return st, bad("table %s: %v", name, err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return st, bad("tables: %v", err)
	}
	return st, nil
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// value turns one JSON value of a row back into what the column held.
func value(raw json.RawMessage, jsonText bool) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("no value")
	}
	switch c := raw[0]; {
	case c == 'n':
		return nil, nil
	case c == 't':
		return int64(1), nil
	case c == 'f':
		return int64(0), nil
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return s, nil
	case c == '-' || c >= '0' && c <= '9':
		if bytes.ContainsAny(raw, ".eE") {
			f, err := strconv.ParseFloat(string(raw), 64)
			if err != nil {
				return nil, err
			}
			return f, nil
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not a 64-bit integer", raw)
		}
		return n, nil
	case (c == '{' || c == '[') && jsonText:
		return string(raw), nil
	case c == '{':
		var blob struct {
			Blob *string `json:"blob"`
		}
		if err := json.Unmarshal(raw, &blob); err != nil || blob.Blob == nil {
			return nil, errors.New("an object where a value belongs")
		}
		b, err := base64.StdEncoding.DecodeString(*blob.Blob)
		if err != nil {
			return nil, fmt.Errorf("blob: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("unexpected value %.20s", raw)
}
