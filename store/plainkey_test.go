package store_test

import (
	"encoding/json"
	"testing"

	"github.com/rolo-crm/rolo/store"
)

// TestPlainKey: a key plainKey accepts is one json.Marshal writes as it is.
func TestPlainKey(t *testing.T) {
	for _, k := range []string{"", "name", "contact_id", "Field2", "a-b", "a b", "<x>", "é", `q"`, "a\\b", "a&b", "\u2028"} {
		b, err := json.Marshal(k)
		noErr(t, err)
		if store.PlainKey(k) && string(b) != `"`+k+`"` {
			t.Errorf("%q: plain, but json.Marshal writes %s", k, b)
		}
	}
	for _, k := range []string{"name", "contact_id", "Field2"} {
		if !store.PlainKey(k) {
			t.Errorf("%q: not plain", k)
		}
	}
}
