package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/client"
	"github.com/rolo-crm/rolo/sync/internal/synctest"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/wire"
	_ "modernc.org/sqlite"
)

// call sends a raw request and returns the status and body.
func call(t *testing.T, method, url, token string, body io.Reader, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func pushRaw(t *testing.T, tm *synctest.Team, d *synctest.Device, ops ...wire.Op) wire.PushResponse {
	t.Helper()
	b, _ := json.Marshal(wire.PushRequest{DeviceID: d.DB.Device(), Ops: ops})
	code, body := call(t, "POST", tm.URL+"/v1/sync/push", d.Client.Token, bytes.NewReader(b), nil)
	if code != 200 {
		t.Fatalf("push: %d %s", code, body)
	}
	var resp wire.PushResponse
	json.Unmarshal([]byte(body), &resp)
	return resp
}

func edit(d *synctest.Device, entity, id string, fields map[string]string) wire.Op {
	f := map[string]json.RawMessage{}
	for k, v := range fields {
		f[k] = json.RawMessage(v)
	}
	return wire.Op{OpID: fmt.Sprintf("op-%d", time.Now().UnixNano()), HLC: uint64(store.MakeHLC(time.Now().UnixMilli(), 0)),
		Device: d.DB.Device(), Entity: entity, EntityID: id, Kind: wire.KindUpdate, Fields: f}
}

func TestSecurity_PrivateRecords(t *testing.T) {
	ctx := context.Background()
	tm := synctest.NewTeam(t, server.Config{})
	ann := tm.Join("ann", false, store.Options{Owner: "ann"}, nil)
	bob := tm.Join("bob", false, store.Options{Owner: "bob"}, nil)
	boss := tm.Join("boss", true, store.Options{Owner: "boss"}, nil)
	priv, err := ann.DB.CreateContact(ctx, store.ContactInput{Name: "Private Pat", Visibility: "private", Notes: "secret-note-xyz"})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ann.DB.CreateContact(ctx, store.ContactInput{Name: "Team Tess"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*synctest.Device{ann, bob, boss} {
		if _, err := d.Client.SyncNow(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// bob cannot read it: nothing of it in his pull, nor in the admin's.
	for _, d := range []*synctest.Device{bob, boss} {
		code, body := call(t, "GET", tm.URL+"/v1/sync/pull", d.Client.Token, nil, nil)
		if code != 200 || strings.Contains(body, priv.ID) || strings.Contains(body, "secret-note-xyz") {
			t.Fatalf("%s's pull shows the private record: %d %s", d.User, code, body)
		}
	}
	// bob cannot write it: refused per op (the other op of the push goes through).
	resp := pushRaw(t, tm, bob, edit(bob, "contact", priv.ID, map[string]string{"title": `"pwned"`}),
		edit(bob, "contact", pub.ID, map[string]string{"title": `"Buyer"`}))
	if len(resp.Rejected) != 1 || resp.Rejected[0].Code != wire.RejectForbidden || len(resp.Acked) != 1 {
		t.Fatalf("push: %+v", resp)
	}
	// Only the owner or an admin changes owner or visibility.
	resp = pushRaw(t, tm, bob, edit(bob, "contact", pub.ID, map[string]string{"visibility": `"private"`}))
	if len(resp.Rejected) != 1 || resp.Rejected[0].Code != wire.RejectForbidden {
		t.Fatalf("bob made ann's record private: %+v", resp)
	}
	resp = pushRaw(t, tm, boss, edit(boss, "contact", pub.ID, map[string]string{"owner": `"bob"`}))
	if len(resp.Acked) != 1 {
		t.Fatalf("the admin could not reassign: %+v", resp)
	}
	// A record is created as its author's, and ops are signed by the pushing device.
	create := edit(bob, "contact", "c-forged", map[string]string{"name": `"F"`, "owner": `"ann"`, "visibility": `"team"`})
	create.Kind = wire.KindCreate
	foreign := edit(bob, "contact", pub.ID, map[string]string{"title": `"x"`})
	foreign.Device = ann.DB.Device()
	resp = pushRaw(t, tm, bob, create, foreign)
	if len(resp.Rejected) != 2 || resp.Rejected[0].Code != wire.RejectForbidden || resp.Rejected[1].Code != wire.RejectWrongDevice {
		t.Fatalf("forged ops: %+v", resp)
	}
	// Pushing as another device id: 403 for the whole request.
	b, _ := json.Marshal(wire.PushRequest{DeviceID: ann.DB.Device(), Ops: []wire.Op{foreign}})
	if code, body := call(t, "POST", tm.URL+"/v1/sync/push", bob.Client.Token, bytes.NewReader(b), nil); code != 403 {
		t.Fatalf("push as another device: %d %s", code, body)
	}
}

func TestSecurity_Tokens(t *testing.T) {
	ctx := context.Background()
	tm := synctest.NewTeam(t, server.Config{})
	ann := tm.Join("ann", false, store.Options{Owner: "ann"}, nil)
	bob := tm.Join("bob", false, store.Options{Owner: "bob"}, nil)
	url := tm.URL + "/v1/sync/pull"
	if code, _ := call(t, "GET", url, ann.Client.Token, nil, nil); code != 200 {
		t.Fatalf("good token: %d", code)
	}
	for name, tok := range map[string]string{
		"none":      "",
		"malformed": "hello",
		"wrong":     ann.Client.Token[:len(ann.Client.Token)-2] + "xx",
		"unknown":   "rolo_0011223344556677_" + strings.Repeat("A", 43),
	} {
		if code, _ := call(t, "GET", url, tok, nil, nil); code != 401 {
			t.Errorf("%s token: %d; want 401", name, code)
		}
	}
	if err := tm.Store.RevokeDevice(ctx, ann.DB.Device(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if code, _ := call(t, "GET", url, ann.Client.Token, nil, nil); code != 401 {
		t.Fatalf("revoked token: %d; want 401", code)
	}
	if _, err := ann.Client.SyncNow(ctx); err == nil || !strings.Contains(err.Error(), "refused this device's token") {
		t.Fatalf("sync with a revoked token: %v", err)
	}
	if code, _ := call(t, "GET", url, bob.Client.Token, nil, nil); code != 200 {
		t.Fatalf("revoking ann's device locked bob out: %d", code)
	}
	// The token table holds hashes only.
	tm.Store.Close()
	db, err := sql.Open("sqlite", filepath.Join(tm.Dir, "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT id, sha256, device, created_at FROM tokens")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, dev, at string
		var hash []byte
		rows.Scan(&id, &hash, &dev, &at)
		for _, tok := range []string{ann.Client.Token, bob.Client.Token} {
			secret := tokenSecret(t, tok)
			if strings.Contains(id+string(hash)+dev+at, secret) {
				t.Fatal("a token secret is stored in clear")
			}
			if strings.Contains(tok, id) && !bytes.Equal(hash, server.HashSecret(tok)) {
				t.Fatal("stored hash is not the token's SHA-256")
			}
		}
		if len(hash) != 32 {
			t.Fatalf("hash of %d bytes", len(hash))
		}
		n++
	}
	if n != 2 {
		t.Fatalf("%d tokens stored", n)
	}
}

func TestSecurity_Invites(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	tm := synctest.NewTeam(t, server.Config{Now: clock})
	code := tm.Invite("ann", false)
	if _, err := client.Enroll(ctx, nil, tm.URL, code, "dev-1", "one"); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Enroll(ctx, nil, tm.URL, code, "dev-2", "two"); err == nil || !strings.Contains(err.Error(), "invite code") {
		t.Fatalf("used invite: %v", err)
	}
	old := tm.Invite("bob", false)
	mu.Lock()
	now = now.Add(25 * time.Hour)
	mu.Unlock()
	if _, err := client.Enroll(ctx, nil, tm.URL, old, "dev-3", "three"); err == nil || !strings.Contains(err.Error(), "invite code") {
		t.Fatalf("expired invite: %v", err)
	}
}

func TestSecurity_Limits(t *testing.T) {
	tm := synctest.NewTeam(t, server.Config{})
	ann := tm.Join("ann", false, store.Options{Owner: "ann"}, nil)
	url := tm.URL + "/v1/sync/push"
	big := append([]byte(`{"device_id":"`+ann.DB.Device()+`","ops":[],"x":"`), bytes.Repeat([]byte("x"), wire.MaxBody)...)
	if code, _ := call(t, "POST", url, ann.Client.Token, bytes.NewReader(big), nil); code != 413 {
		t.Fatalf("oversized body: %d; want 413", code)
	}
	// A gzip bomb: a small body that inflates past the limit.
	var zb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zb, gzip.BestCompression)
	zw.Write([]byte(`{"device_id":"` + ann.DB.Device() + `","ops":[],"x":"`))
	zero := make([]byte, 1<<20)
	for i := range zero {
		zero[i] = 'a'
	}
	for range 20 {
		zw.Write(zero)
	}
	zw.Close()
	if zb.Len() > wire.MaxBody {
		t.Fatalf("bomb of %d bytes is not small", zb.Len())
	}
	if code, body := call(t, "POST", url, ann.Client.Token, &zb, map[string]string{"Content-Encoding": "gzip"}); code != 413 {
		t.Fatalf("gzip bomb: %d %s; want 413", code, body)
	}
	if code, _ := call(t, "POST", url, ann.Client.Token, strings.NewReader("{"), nil); code != 400 {
		t.Fatalf("malformed push: %d; want 400", code)
	}
	if code, _ := call(t, "GET", tm.URL+"/v1/sync/pull?cursor=v9.zz", ann.Client.Token, nil, nil); code != 400 {
		t.Fatalf("malformed cursor: %d; want 400", code)
	}
	if code, body := call(t, "GET", tm.URL+"/v1/sync/pull?cursor=v1.abc.0", ann.Client.Token, nil, nil); code != 409 || !strings.Contains(body, wire.CodeEpochChanged) {
		t.Fatalf("foreign epoch: %d %s; want 409", code, body)
	}
	if code, _ := call(t, "GET", tm.URL+"/v1/sync/pull", ann.Client.Token, nil, map[string]string{wire.HeaderProto: "9"}); code != 426 {
		t.Fatalf("future protocol: %d; want 426", code)
	}
	if code, _ := call(t, "GET", tm.URL+"/v1/health", "", nil, nil); code != 200 {
		t.Fatalf("health: %d", code)
	}
}

func TestSecurity_RateLimits(t *testing.T) {
	tm := synctest.NewTeam(t, server.Config{Rate: 1, Burst: 5})
	ann := tm.Join("ann", false, store.Options{Owner: "ann"}, nil)
	got429 := false
	for range 20 {
		if code, _ := call(t, "GET", tm.URL+"/v1/sync/info", ann.Client.Token, nil, nil); code == 429 {
			got429 = true
			break
		}
	}
	if !got429 {
		t.Fatal("a burst of 20 requests at 1/s (burst 5) was never refused")
	}
	// Failed authentications: 10 per minute per address, then 429 even for a good token.
	codes := map[int]int{}
	for range 12 {
		code, _ := call(t, "GET", tm.URL+"/v1/sync/info", "rolo_0011223344556677_bad", nil, nil)
		codes[code]++
	}
	if codes[401] != 10 || codes[429] != 2 {
		t.Fatalf("failed logins answered %v; want 10×401 then 429", codes)
	}
}

func TestLogsHoldNoSecrets(t *testing.T) {
	ctx := context.Background()
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tm := synctest.NewTeam(t, server.Config{Logger: log})
	ann := tm.Join("ann", false, store.Options{Owner: "ann"}, nil)
	if _, err := ann.DB.CreateContact(ctx, store.ContactInput{Name: "Zebulon Quux", Notes: "value-marker-123"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ann.Client.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	call(t, "GET", tm.URL+"/v1/sync/pull", ann.Client.Token+"x", nil, nil)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	secret := tokenSecret(t, ann.Client.Token)
	for _, s := range []string{secret, "Zebulon", "value-marker-123"} {
		if strings.Contains(out, s) {
			t.Fatalf("log contains %q:\n%s", s, out)
		}
	}
	if !strings.Contains(out, "path=/v1/sync/push") || !strings.Contains(out, "status=401") {
		t.Fatalf("log lacks the requests:\n%s", out)
	}
}

// tokenSecret returns the secret of a token "rolo_<hex id>_<secret>": all that follows the
// id (the secret is base64url, which may hold '_' itself).
func tokenSecret(t *testing.T, tok string) string {
	t.Helper()
	_, secret, _ := strings.Cut(strings.TrimPrefix(tok, "rolo_"), "_")
	if len(secret) < 40 {
		t.Fatalf("token %q: secret %q", tok, secret)
	}
	return secret
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestStr: the fast path of str decodes as json.Unmarshal does.
func TestStr(t *testing.T) {
	for _, raw := range []string{`"plain"`, `""`, `"Zoë"`, `"a\"b"`, `"a\\b"`, `"\u00e9"`, "\"tab\there\"", "\"bad\xff\"", `null`, `12`,
		`true`, `["a"]`, `"`, ``, `"a"b"`, `{"a":"b"}`, `"<&>"`, "\"\u2028\""} {
		var want string
		json.Unmarshal([]byte(raw), &want)
		if got := server.Str(json.RawMessage(raw)); got != want {
			t.Errorf("str(%q) = %q, want %q", raw, got, want)
		}
	}
}
