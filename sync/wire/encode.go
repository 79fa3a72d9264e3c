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
	b = append(b, `,"op_id":`...)
	b = appendString(b, c.OpID)
	b = append(b, `,"hlc":`...)
	b = strconv.AppendUint(b, c.HLC, 10)
	b = append(b, `,"device":`...)
	b = appendString(b, c.Device)
	b = append(b, `,"entity":`...)
	b = appendString(b, c.Entity)
	b = append(b, `,"entity_id":`...)
	b = appendString(b, c.EntityID)
	b = append(b, `,"kind":`...)
	b = appendString(b, c.Kind)
	b = append(b, `,"fields":{`...)
	var keyBuf [32]string
	keys := keyBuf[:0]
	for k := range c.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		v := c.Fields[k]
		if !plainJSON(v) {
			return json.Marshal(c)
		}
		b = append(b, v...)
	}
	b = append(b, '}')
	if len(c.Base) > 0 {
		b = append(b, `,"base":{`...)
		keys = keys[:0]
		for k := range c.Base {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, c.Base[k])
		}
		b = append(b, '}')
	}
	at, err := c.At.MarshalJSON()
	if err != nil {
		return json.Marshal(c) // the same error, worded as json.Marshal words it
	}
	b = append(b, `,"at":`...)
	b = append(b, at...)
	return append(b, '}'), nil
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
