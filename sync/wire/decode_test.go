package wire

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// A push as clients write it is read by the fast reader, into what encoding/json reads.
func TestDecodePushFast(t *testing.T) {
	at := time.Date(2026, 11, 24, 12, 0, 0, 123e6, time.UTC)
	req := PushRequest{DeviceID: "dev-1", Schema: 9, Ops: []Op{
		{OpID: "op-1", HLC: 1<<63 + 5, Device: "dev-1", Entity: "contact", EntityID: "c-1", Kind: KindCreate, At: at,
			Fields: map[string]json.RawMessage{
				"name":    json.RawMessage(`"Zoë \"Z\" Ødegård\n\u00e9"`),
				"emails":  json.RawMessage(`[{"email":"z@x.io","label":"work"}]`),
				"value":   json.RawMessage(`-12.5e+3`),
				"deleted": json.RawMessage(`null`),
				"tag:vip": json.RawMessage(`true`),
				"n":       json.RawMessage(`0`),
				"nested":  json.RawMessage(`{"a":[1,2,{"b":false}],"c":{}}`),
			}},
		{OpID: "op-2", HLC: 7, Device: "dev-1", Entity: "deal", EntityID: "d-1", Kind: KindUpdate,
			Fields: map[string]json.RawMessage{"stage_id": json.RawMessage(`"s-2"`)}, Base: map[string]string{"stage_id": "6@dev-2"}},
	}}
	for _, enc := range []func(*PushRequest) ([]byte, error){
		MarshalPush,
		func(r *PushRequest) ([]byte, error) { return json.Marshal(r) },
		func(r *PushRequest) ([]byte, error) { return json.MarshalIndent(r, " ", "\t") },
	} {
		body, err := enc(&req)
		if err != nil {
			t.Fatal(err)
		}
		fast, ok := decodePushFast(body)
		if !ok {
			t.Fatalf("the fast reader left to encoding/json:\n%s", body)
		}
		slow, err := decodePushJSON(body)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("fast %+v\nslow %+v", fast, slow)
		}
		got, err := DecodePush(bytes.NewReader(body))
		if err != nil || !reflect.DeepEqual(got, slow) {
			t.Fatalf("DecodePush = %+v, %v", got, err)
		}
	}
	// Forms the fast reader leaves to encoding/json, which decides.
	for _, body := range []string{
		`{"device_id":"d","OPS":[]}`,                             // a key in another case
		`{"device_id":"d\u0041","ops":[]}`,                       // an escape outside a value
		`{"device_id":"d","ops":null}`,                           // null
		`{"device_id":"d","ops":[],"ops":[]}`,                    // a key twice
		`{"device_id":"d","ops":[{"hlc":1.0}]}`,                  // a fraction where an integer goes
		`{"device_id":"d","ops":[]}}`,                            // something after the object
		`{"device_id":"d","schema":-1,"ops":[]}`,                 // a negative schema
		`{"device_id":"d","ops":[{"at":"yesterday"}]}`,           // a time that is not one
		`{"device_id":"d","ops":[{"fields":{"a":tru}}]}`,         // not JSON
		`{"device_id":"d","ops":[{"fields":{"a":01}}]}`,          // not JSON either
		`{"device_id":"d","ops":[{"surprise":1}]}`,               // an unknown key
		"{\"device_id\":\"d\xff\",\"ops\":[]}",                   // not UTF-8
		`{"device_id":"d","ops":[{"hlc":18446744073709551616}]}`, // past 64 bits
	} {
		if _, ok := decodePushFast([]byte(body)); ok {
			t.Errorf("the fast reader read %s", body)
		}
	}
}

// FuzzDecodePushFast: whatever the fast reader accepts, encoding/json reads as the same
// request.
func FuzzDecodePushFast(f *testing.F) {
	b, _ := MarshalPush(&PushRequest{DeviceID: "d", Schema: 1, Ops: []Op{{OpID: "o", HLC: 3, Device: "d", Entity: "contact",
		EntityID: "e", Kind: KindCreate, At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Fields: map[string]json.RawMessage{"a": json.RawMessage(`[1,"x",{"y":null}]`), "b": json.RawMessage(`"\u00e9\n"`)},
		Base:   map[string]string{"a": "1@d"}}}})
	f.Add(b)
	f.Add([]byte(`{"device_id":"d","ops":[{"fields":{"a": 1 , "b":-0.5E-2}}]}`))
	f.Add([]byte(`{"ops":[]} `))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := decodePushFast(data)
		if !ok {
			return
		}
		slow, err := decodePushJSON(data)
		if err != nil {
			t.Fatalf("the fast reader read %q, which encoding/json refuses: %v", data, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: fast %+v, encoding/json %+v", data, fast, slow)
		}
		// The checks after it skip only what the fast reader checked: the values.
		if (checkPush(fast, true) == nil) != (checkPush(slow, false) == nil) {
			t.Fatalf("%q: checked %v after the fast reader, %v after encoding/json", data, checkPush(fast, true), checkPush(slow, false))
		}
	})
}
