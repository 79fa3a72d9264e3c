package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCursor(t *testing.T) {
	for _, c := range []Cursor{{}, {Epoch: "ab12", Seq: 0}, {Epoch: "0123456789abcdef", Seq: 42}, {Epoch: "f", Seq: 1<<63 - 1}} {
		got, err := ParseCursor(c.String())
		if err != nil || got != c {
			t.Errorf("ParseCursor(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
	}
	for _, s := range []string{"v1", "v1.", "v1..1", "v1.AB.1", "v1.ab.", "v1.ab.-1", "v1.ab.01", "v1.ab.1.2",
		"v2.ab.1", "v1.ab.+1", "v1.ab.99999999999999999999", "v1." + strings.Repeat("a", 33) + ".1", "v1.ab. 1"} {
		if _, err := ParseCursor(s); !errors.Is(err, ErrBadCursor) {
			t.Errorf("ParseCursor(%q) = %v; want ErrBadCursor", s, err)
		}
	}
}

func validPush() PushRequest {
	return PushRequest{DeviceID: "dev-1", Schema: 5, Ops: []Op{{
		OpID: "op-1", HLC: 1 << 20, Device: "dev-1", Entity: "contact", EntityID: "c-1", Kind: KindUpdate,
		Fields: map[string]json.RawMessage{"name": json.RawMessage(`"Ann"`), "tag:vip": json.RawMessage(`true`)},
		Base:   map[string]string{"name": "12@dev-2"},
	}}}
}

func encode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodePush(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		req, err := DecodePush(bytes.NewReader(encode(t, validPush())))
		if err != nil {
			t.Fatal(err)
		}
		if len(req.Ops) != 1 || string(req.Ops[0].Fields["name"]) != `"Ann"` {
			t.Fatalf("decoded %+v", req)
		}
	})
	bad := map[string]func(r *PushRequest){
		"no device":     func(r *PushRequest) { r.DeviceID = "" },
		"bad op id":     func(r *PushRequest) { r.Ops[0].OpID = "a b" },
		"no entity":     func(r *PushRequest) { r.Ops[0].Entity = "" },
		"bad entity":    func(r *PushRequest) { r.Ops[0].Entity = "Contact;" },
		"no clock":      func(r *PushRequest) { r.Ops[0].HLC = 0 },
		"server kind":   func(r *PushRequest) { r.Ops[0].Kind = KindHide },
		"no fields":     func(r *PushRequest) { r.Ops[0].Fields = nil },
		"bad field":     func(r *PushRequest) { r.Ops[0].Fields["Na me"] = json.RawMessage(`1`) },
		"bad tag":       func(r *PushRequest) { r.Ops[0].Fields["tag:a b"] = json.RawMessage(`true`) },
		"huge value":    func(r *PushRequest) { r.Ops[0].Fields["notes"] = encode(t, strings.Repeat("x", MaxFieldValue)) },
		"base no field": func(r *PushRequest) { r.Ops[0].Base["title"] = "1@d" },
		"bad base":      func(r *PushRequest) { r.Ops[0].Base["name"] = "x@d" },
		"twice":         func(r *PushRequest) { r.Ops = append(r.Ops, r.Ops[0]) },
		"too many": func(r *PushRequest) {
			for i := range MaxOpsPerPush {
				op := r.Ops[0]
				op.OpID = fmt.Sprintf("op-x%d", i)
				r.Ops = append(r.Ops, op)
			}
		},
	}
	for name, mutate := range bad {
		t.Run(name, func(t *testing.T) {
			r := validPush()
			mutate(&r)
			if _, err := DecodePush(bytes.NewReader(encode(t, r))); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	for _, body := range []string{"", "{", "[]", `{"device_id":"d","ops":[],"extra":1}`, `{"device_id":"d","ops":[]} {}`} {
		if _, err := DecodePush(strings.NewReader(body)); err == nil {
			t.Errorf("accepted %q", body)
		}
	}
}

func TestClock(t *testing.T) {
	h, d, err := ParseClock(Clock(123, "dev-a"))
	if err != nil || h != 123 || d != "dev-a" {
		t.Fatalf("round trip: %d %q %v", h, d, err)
	}
	if !Later(2, "a", 1, "z") || !Later(1, "b", 1, "a") || Later(1, "a", 1, "a") {
		t.Fatal("Later orders wrongly")
	}
}

func TestCanonicalJSON(t *testing.T) {
	a := CanonicalJSON(json.RawMessage(`{"b": 1, "a":"\u003c"}`))
	b := CanonicalJSON(json.RawMessage(`{"a":"<","b":1}`))
	if !bytes.Equal(a, b) {
		t.Fatalf("%s != %s", a, b)
	}
}

// FuzzDecodePush: no input panics the decoder, and whatever it accepts re-encodes to a
// request it accepts again.
func FuzzDecodePush(f *testing.F) {
	b, _ := json.Marshal(validPush())
	f.Add(b)
	f.Add([]byte(`{"device_id":"d","ops":[{"op_id":"o","hlc":1,"device":"d","entity":"contact","entity_id":"e","kind":"create","fields":{"tag:x":true}}]}`))
	f.Add([]byte(`{"ops":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := DecodePush(bytes.NewReader(data))
		if err != nil {
			return
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodePush(bytes.NewReader(again)); err != nil {
			t.Fatalf("accepted %q but not its re-encoding: %v", data, err)
		}
	})
}

// FuzzParseCursor: no input panics the parser, and every accepted cursor round-trips.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"", "v1.ab.0", "v1.0123456789abcdef.123", "v1.x.1", "v1.a.-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			return
		}
		if c.String() != s {
			t.Fatalf("ParseCursor(%q).String() = %q", s, c.String())
		}
		if c.Seq < 0 {
			t.Fatalf("negative position from %q", s)
		}
	})
}
