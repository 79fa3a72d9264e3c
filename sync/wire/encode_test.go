package wire

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// TestMarshalChange: MarshalChange gives json.Marshal's bytes, for the ops it encodes
// itself and for those it hands on.
func TestMarshalChange(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "plain", "Zoë Müller", "a<b", "Tom & Jerry", "x>y", "quote\"d", `back\slash`, "tab\there",
		"line\nbreak", "\u2028sep", "para\u2029", "€ 5,000.00", "日本語", "\x00nul", "bad\xffutf8", "emoji 😀", "  spaced  "}
	raws := []string{`null`, `true`, `false`, `0`, `-12.5e3`, `"s"`, `""`, `"a b"`, `"<tag>"`, `"\u003c"`, `"\"q\""`,
		`"\\"`, `"€"`, `"\u2028"`, `[1,2,3]`, `[1, 2]`, `{"a":1}`, `{ "a": 1 }`, `{"email":"a@b.c","label":"work"}`,
		"\"line\\nbreak\"", `[{"phone":"+1 555"}]`, ` 1`, `1 `, `"a&b"`, `"x\\\"y"`}
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	var ops []Op
	for i := range 20000 {
		c := &Change{Seq: r.Int64N(1 << 40), User: pick(strs), Op: Op{OpID: pick(strs), HLC: r.Uint64(), Device: pick(strs),
			Entity: pick(strs), EntityID: pick(strs), Kind: pick(strs), At: time.Unix(r.Int64N(4e9), r.Int64N(1e9)).UTC()}}
		if r.IntN(10) > 0 {
			c.Fields = map[string]json.RawMessage{}
			for range r.IntN(12) {
				c.Fields[pick(strs)] = json.RawMessage(pick(raws))
			}
		}
		if r.IntN(3) == 0 {
			c.Base = map[string]string{}
			for range r.IntN(4) {
				c.Base[pick(strs)] = pick(strs)
			}
		}
		switch r.IntN(20) {
		case 0:
			c.Clocks = map[string]string{"name": "1@d"}
		case 1:
			c.Created = "1@d"
		case 2:
			c.Conflict = &Conflict{ID: "k", Field: "name", Winner: Side{Value: json.RawMessage(`"a"`)}, Loser: Side{Value: json.RawMessage(`"b"`)}}
		case 3:
			c.At = time.Time{}
		case 4:
			c.At = time.Date(2026, 11, 24, 12, 0, 0, 0, time.FixedZone("x", 3600))
		}
		want, werr := json.Marshal(c)
		got, gerr := MarshalChange(c)
		if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("change %d:\n got %s (%v)\nwant %s (%v)", i, got, gerr, want, werr)
		}
		// A push of the ops so far (and none, and nil).
		ops = append(ops, c.Op)
		if i%100 == 0 {
			ops = ops[:0]
			if i%200 == 0 {
				ops = nil
			}
		}
		if i%10 != 0 {
			continue
		}
		req := &PushRequest{DeviceID: pick(strs), Schema: r.IntN(100), Ops: ops}
		want, werr = json.Marshal(req)
		got, gerr = MarshalPush(req)
		if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("push %d:\n got %s (%v)\nwant %s (%v)", i, got, gerr, want, werr)
		}
	}
}

func BenchmarkMarshalChange(b *testing.B) {
	at := json.RawMessage(`"2026-11-24T12:00:00.000Z"`)
	c := &Change{Seq: 123456, User: "ann", Op: Op{OpID: "01a20ef0-8195-75c8-81e0-73f53b2d5fbd", HLC: 117672966380781568,
		Device: "01a20ef0-80b4-7ee9-baf0-307d72421d1c", Entity: "interaction", EntityID: "01935ef3-7427-7d4f-ab0f-3a41f4cb114a",
		Kind: KindCreate, At: time.Now().UTC(), Fields: map[string]json.RawMessage{"company_id": json.RawMessage("null"),
			"contact_id": json.RawMessage(`"01935ef3-7427-7d4f-ab0f-3a41f4cb114b"`), "created_at": at, "deal_id": json.RawMessage("null"),
			"kind": json.RawMessage(`"email"`), "occurred_at": at, "owner": json.RawMessage(`"ann"`),
			"text":       json.RawMessage(`"Sent the renewal quote for Starter plan (5,000.00 USD). Reported slow exports; passed to support."`),
			"visibility": json.RawMessage(`"team"`)}}}
	b.Run("json", func(b *testing.B) {
		for range b.N {
			json.Marshal(c)
		}
	})
	b.Run("MarshalChange", func(b *testing.B) {
		for range b.N {
			MarshalChange(c)
		}
	})
}
