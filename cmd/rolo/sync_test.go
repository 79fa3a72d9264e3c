package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/sqlitestore"
)

// TestSyncCommands drives a team end to end through the command line: server init and
// invite, two databases joining and syncing through a real server on loopback, status,
// conflicts, users and revoke.
func TestSyncCommands(t *testing.T) {
	e := newEnv(t)
	data := filepath.Join(e.dir, "server.db")
	init := e.object("server", "init", "--team", "acme", "--admin", "ann", "--data", data)
	if init["team"] != "acme" || init["code"] == "" {
		t.Fatalf("init: %v", init)
	}
	if r := e.raw("server", "init", "--team", "again", "--data", data); r.code != 1 || !strings.Contains(r.err, "already holds a team") {
		t.Fatalf("second init: %s", r)
	}
	st, err := sqlitestore.Open(context.Background(), data, sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hs := httptest.NewServer(server.New(server.Config{Storage: st, Now: func() time.Time { return fixedNow }}).Handler())
	defer hs.Close()

	ann, bob := e.device("ann"), e.device("bob")
	must := e.must
	must(ann("contact", "add", "Cleo Park", "--email", "cleo@x.io"))
	if r := ann("sync"); r.code != 1 || !strings.Contains(r.err, "rolo sync join") {
		t.Fatalf("sync before joining: %s", r)
	}
	out := must(ann("sync", "join", hs.URL, init["code"].(string)))
	if !strings.Contains(out, "as ann") {
		t.Fatalf("join: %s", out)
	}
	// The token is kept readable by its owner only.
	toks, _ := filepath.Glob(filepath.Join(e.dir, "config", "rolo", "tokens", "*"))
	if len(toks) != 1 {
		t.Fatalf("token files %v", toks)
	}
	if fi, _ := os.Stat(toks[0]); fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v", fi.Mode().Perm())
	}
	if r := ann("sync", "join", hs.URL, init["code"].(string)); r.code == 0 {
		t.Fatalf("an invite used twice: %s", r)
	}
	out = must(ann("sync"))
	if !strings.Contains(out, "Pushed") {
		t.Fatalf("sync: %s", out)
	}
	inv := e.object("server", "invite", "--user", "bob", "--data", data)
	// A bad --visibility is refused before the invite is used.
	if r := bob("sync", "join", hs.URL, inv["code"].(string), "--visibility", "everyone"); r.code != 2 || !strings.Contains(r.err, "keep, private or team") {
		t.Fatalf("join with a bad visibility: %s", r)
	}
	must(bob("contact", "add", "Bob's Mum", "--visibility", "team"))
	must(bob("sync", "join", hs.URL, inv["code"].(string), "--name", "bob-laptop", "--visibility", "private"))
	if out := must(bob("contact", "show", "Bob's Mum")); !strings.Contains(out, "private") {
		t.Fatalf("bob's own contact after joining privately:\n%s", out)
	}
	must(bob("sync"))
	if out := must(bob("contact", "list")); !strings.Contains(out, "Cleo Park") {
		t.Fatalf("bob's contacts:\n%s", out)
	}
	// Concurrent edits: one wins everywhere, the other is a conflict to restore.
	must(ann("contact", "edit", "Cleo", "--title", "CEO"))
	must(bob("contact", "edit", "Cleo", "--title", "Founder"))
	must(ann("sync"))
	must(bob("sync"))
	must(ann("sync"))
	var list []obj
	decode(t, must(ann("conflicts", "--json")), &list)
	if len(list) != 1 || list[0]["field"] != "title" {
		t.Fatalf("conflicts: %v", list)
	}
	id := list[0]["id"].(string)
	must(ann("conflicts", "restore", id[:8]))
	if out := must(ann("conflicts")); !strings.Contains(out, "No open conflicts") {
		t.Fatalf("after restore: %s", out)
	}
	status := must(ann("sync", "--status"))
	for _, want := range []string{hs.URL, "reachable", "acme, as ann", "Pending:", "1 change"} {
		if !strings.Contains(status, want) {
			t.Fatalf("status lacks %q:\n%s", want, status)
		}
	}
	// A device whose clock runs hours fast: its edit is re-stamped by the server's clock
	// and lands; sync warns, and --status shows the correction.
	e.setNow(fixedNow.Add(3 * time.Hour))
	must(ann("contact", "edit", "Cleo", "--title", "Chair"))
	r := ann("sync")
	if r.code != 0 || !strings.Contains(r.err, "this device's clock is 3h0m0s ahead of the server's") ||
		!strings.Contains(r.err, "re-stamped") {
		t.Fatalf("sync with a fast clock: %s", r)
	}
	if status := must(ann("sync", "--status")); !strings.Contains(status, "Clock:") {
		t.Fatalf("status lacks the clock:\n%s", status)
	}
	e.setNow(fixedNow)
	users := must(e.raw("server", "users", "--data", data))
	if !strings.Contains(users, "bob-laptop") || strings.Count(users, "active") != 2 {
		t.Fatalf("users:\n%s", users)
	}
	var u obj
	decode(t, must(e.raw("server", "users", "--data", data, "--json")), &u)
	for _, d := range u["devices"].([]any) {
		dev := d.(map[string]any)
		if dev["user"] == "bob" {
			must(e.raw("server", "revoke", dev["id"].(string), "--data", data))
		}
	}
	if r := bob("sync"); r.code != 1 || !strings.Contains(r.err, "revoked or expired") {
		t.Fatalf("sync after revoke: %s", r)
	}
	if r := e.raw("serve", "--listen", "0.0.0.0:0", "--data", data); r.code != 2 || !strings.Contains(r.err, "refusing plain HTTP") {
		t.Fatalf("plain HTTP on a public address: %s", r)
	}
	backup := filepath.Join(e.dir, "server-backup.db")
	must(e.raw("server", "backup", backup, "--data", data))
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup: %v %v", fi, err)
	}
}

// TestServeGracefully runs rolo serve on loopback, checks its health endpoint, and stops
// it the way SIGTERM does (its context ends): it exits 0 after finishing.
func TestServeGracefully(t *testing.T) {
	e := newEnv(t)
	data := filepath.Join(e.dir, "server.db")
	e.object("server", "init", "--team", "acme", "--data", data)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--listen", addr, "--data", data}, Stdio{In: strings.NewReader(""), Out: io.Discard, Err: &errb})
	}()
	ok := false
	for range 100 {
		resp, err := http.Get("http://" + addr + "/v1/health")
		if err == nil {
			resp.Body.Close()
			ok = resp.StatusCode == 200
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !ok {
		t.Fatalf("health check failed; stderr:\n%s", errb.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d:\n%s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(errb.String(), `"msg":"stopped"`) {
		t.Fatalf("log:\n%s", errb.String())
	}
}
