package wire

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MarshalChange encodes a change exactly as json.Marshal does, without reflection for
// the changes a push appends (ops: no clocks, creation clock or conflict), which is
// every change of a first sync; anything else, and any value json.Marshal would rewrite
// (whitespace between tokens, HTML-unsafe characters), goes through json.Marshal.
func MarshalChange(c *Change) ([]byte, error) {
	if len(c.Clocks) > 0 || c.Created != "" || c.Conflict != nil || c.Fields == nil {
		return json.Marshal(c)
	}
	b := make([]byte, 0, 256+64*len(c.Fields))
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, c.Seq, 10)
	if c.User != "" {
		b = append(b, `,"user":`...)
		b = appendString(b, c.User)
	}
	b = append(b, ',')
	b, ok := appendOpFields(b, &c.Op)
	if !ok {
		return json.Marshal(c)
	}
	return append(b, '}'), nil
}

// MarshalPush encodes a push exactly as json.Marshal does, its ops without reflection
// (falling back to json.Marshal as MarshalChange does).
func MarshalPush(req *PushRequest) ([]byte, error) {
	if req.Ops == nil {
		return json.Marshal(req)
	}
	n := 64
	for i := range req.Ops {
		n += 256 + 64*len(req.Ops[i].Fields)
	}
	b := make([]byte, 0, n)
	b = append(b, `{"device_id":`...)
	b = appendString(b, req.DeviceID)
	b = append(b, `,"schema":`...)
	b = strconv.AppendInt(b, int64(req.Schema), 10)
	b = append(b, `,"ops":[`...)
	for i := range req.Ops {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		var ok bool
		if b, ok = appendOpFields(b, &req.Ops[i]); !ok {
			return json.Marshal(req)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...), nil
}

// appendOpFields appends an op's members (without braces) as json.Marshal writes them;
// false when json.Marshal must do it (no fields, a value it would rewrite, a time it
// refuses).
func appendOpFields(b []byte, op *Op) ([]byte, bool) {
	if op.Fields == nil {
		return b, false
	}
	b = append(b, `"op_id":`...)
	b = appendString(b, op.OpID)
	b = append(b, `,"hlc":`...)
	b = strconv.AppendUint(b, op.HLC, 10)
	b = append(b, `,"device":`...)
	b = appendString(b, op.Device)
	b = append(b, `,"entity":`...)
	b = appendString(b, op.Entity)
	b = append(b, `,"entity_id":`...)
	b = appendString(b, op.EntityID)
	b = append(b, `,"kind":`...)
	b = appendString(b, op.Kind)
	b = append(b, `,"fields":`...)
	b, ok := appendObject(b, op.Fields, func(b []byte, v json.RawMessage) ([]byte, bool) {
		return append(b, v...), plainJSON(v)
	})
	if !ok {
		return b, false
	}
	if len(op.Base) > 0 {
		b = append(b, `,"base":`...)
		b, _ = appendObject(b, op.Base, func(b []byte, v string) ([]byte, bool) { return appendString(b, v), true })
	}
	at, err := op.At.MarshalJSON()
	if err != nil {
		return b, false
	}
	b = append(b, `,"at":`...)
	return append(b, at...), true
}

// appendObject appends m as a JSON object with its keys in order, as json.Marshal
// writes a map, each value by value; false as soon as value refuses one.
func appendObject[V any](b []byte, m map[string]V, value func(b []byte, v V) ([]byte, bool)) ([]byte, bool) {
	var keyBuf [32]string
	keys := keyBuf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		var ok bool
		if b, ok = value(b, m[k]); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// plainJSON reports whether json.Marshal copies the raw value v unchanged: it is not
// empty, has no whitespace outside strings and nothing HTML-unsafe (<, >, &, U+2028,
// U+2029) to escape. It does not check that v is valid JSON: the values of a checked op
// are (CheckOp).
func plainJSON(v json.RawMessage) bool {
	if len(v) == 0 {
		return false
	}
	in := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '"':
			in = !in
		case '\\':
			if in {
				i++ // the escaped byte, never a quote that ends the string
			}
		case ' ', '\t', '\n', '\r':
			if !in {
				return false
			}
		case '<', '>', '&', 0xE2: // 0xE2 starts U+2028 and U+2029 (and other runes)
			return false
		}
	}
	return !in
}

// appendString quotes s as json.Marshal does. Strings that need no escaping (printable
// text, valid UTF-8) are copied; the rest go through json.Marshal.
func appendString(b []byte, s string) []byte {
	high := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
		if c >= utf8.RuneSelf {
			high = true
		}
	}
	if high && (!utf8.ValidString(s) || strings.ContainsRune(s, '\u2028') || strings.ContainsRune(s, '\u2029')) {
		q, _ := json.Marshal(s)
		return append(b, q...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
