package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/pgstore"
	"github.com/rolo-crm/rolo/sync/server/pgstore/pgtest"
	"github.com/rolo-crm/rolo/sync/server/sqlitestore"
)

// serveInBackground runs rolo serve with args until the test ends and returns the URL it
// logged when it was ready.
func serveInBackground(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), Stdio{In: strings.NewReader(""), Out: io.Discard, Err: pw})
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("rolo serve exited %d", code)
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var line struct{ Msg, URL string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				urls <- line.URL
			}
		}
		close(urls)
	}()
	select {
	case u, ok := <-urls:
		if !ok {
			t.Fatalf("rolo serve %q stopped before serving", args)
		}
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("rolo serve did not start in 30 s")
	}
	return ""
}

// TestServePostgres: the server commands and two replicas of rolo serve against one
// PostgreSQL database, the DSN from --postgres or $ROLO_SERVER_POSTGRES.
func TestServePostgres(t *testing.T) {
	e := newEnv(t)
	// rolo serve keeps real time, so invites must be made in it too.
	old := nowFunc
	nowFunc = time.Now
	t.Cleanup(func() { nowFunc = old })
	dsn := pgtest.DSN(t)
	init := e.object("server", "init", "--team", "acme", "--admin", "ann", "--postgres", dsn)
	if init["team"] != "acme" || init["code"] == "" {
		t.Fatalf("init: %v", init)
	}
	if r := e.raw("server", "init", "--team", "again", "--postgres", dsn); r.code != 1 || !strings.Contains(r.err, "already holds a team") {
		t.Fatalf("second init: %s", r)
	}
	t.Setenv(postgresEnv, dsn)
	inv := e.object("server", "invite", "--user", "bob")
	// Two replicas, the DSN from the environment and from the flag.
	one := serveInBackground(t)
	two := serveInBackground(t, "--postgres", dsn)

	ann, bob := e.device("ann"), e.device("bob")
	must := e.must
	must(ann("contact", "add", "Cleo Park", "--email", "cleo@x.io"))
	must(ann("sync", "join", one, init["code"].(string)))
	must(ann("sync"))
	must(bob("sync", "join", two, inv["code"].(string), "--name", "bob-laptop"))
	must(bob("sync"))
	if out := must(bob("contact", "list")); !strings.Contains(out, "Cleo Park") {
		t.Fatalf("bob's contacts (from the other replica):\n%s", out)
	}
	must(bob("contact", "edit", "Cleo", "--title", "Founder"))
	must(bob("sync"))
	must(ann("sync"))
	if out := must(ann("contact", "show", "Cleo")); !strings.Contains(out, "Founder") {
		t.Fatalf("ann's Cleo:\n%s", out)
	}
	var u obj
	decode(t, must(e.raw("server", "users", "--json")), &u)
	if devs := u["devices"].([]any); len(devs) != 2 {
		t.Fatalf("users: %v", u)
	}
	for _, d := range u["devices"].([]any) {
		if dev := d.(map[string]any); dev["user"] == "bob" {
			must(e.raw("server", "revoke", dev["id"].(string), "--postgres", dsn))
		}
	}
	if r := bob("sync"); r.code != 1 || !strings.Contains(r.err, "revoked or expired") {
		t.Fatalf("sync after revoke: %s", r)
	}
	if r := e.raw("server", "backup", filepath.Join(e.dir, "b.db")); r.code != 1 || !strings.Contains(r.err, "pg_dump") {
		t.Fatalf("backup on PostgreSQL: %s", r)
	}
	if r := e.raw("server", "users", "--postgres", dsn, "--data", filepath.Join(e.dir, "s.db")); r.code != 2 || !strings.Contains(r.err, "not both") {
		t.Fatalf("--data and --postgres: %s", r)
	}
	// An explicit --data wins over the environment.
	if r := e.raw("server", "users", "--data", filepath.Join(e.dir, "none.db")); r.code != 1 || !strings.Contains(r.err, "no server storage at") {
		t.Fatalf("--data with $%s set: %s", postgresEnv, r)
	}
	if r := e.raw("server", "users", "--postgres", "postgres://nobody:secret@127.0.0.1:1/x?connect_timeout=2"); r.code != 1 || strings.Contains(r.err, "secret") {
		t.Fatalf("unreachable database: %s", r)
	}
}

// TestMigrateToPostgres: a team synced through the embedded server moves to PostgreSQL
// with rolo server migrate-to-postgres, and its device syncs on without a resync.
func TestMigrateToPostgres(t *testing.T) {
	e := newEnv(t)
	data := filepath.Join(e.dir, "server.db")
	init := e.object("server", "init", "--team", "acme", "--admin", "ann", "--data", data)
	lite, err := sqlitestore.Open(context.Background(), data, sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(server.Config{Storage: lite, Now: func() time.Time { return fixedNow }}).Handler())
	ann := e.device("ann")
	must := e.must
	must(ann("contact", "add", "Cleo Park"))
	must(ann("sync", "join", hs.URL, init["code"].(string)))
	must(ann("sync"))
	hs.Close()
	lite.Close()

	dsn := pgtest.DSN(t)
	if r := e.raw("server", "migrate-to-postgres", "--from", data); r.code != 2 || !strings.Contains(r.err, "--postgres") {
		t.Fatalf("without a target: %s", r)
	}
	moved := e.object("server", "migrate-to-postgres", "--from", data, "--postgres", dsn)
	if moved["team"] != "acme" || moved["epoch"] != init["epoch"] {
		t.Fatalf("migrate: %v", moved)
	}
	if r := e.raw("server", "migrate-to-postgres", "--data", data, "--postgres", dsn); r.code != 1 || !strings.Contains(r.err, "not empty") {
		t.Fatalf("migrating into a database with data: %s", r)
	}
	pg, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	hs = httptest.NewServer(server.New(server.Config{Storage: pg, Now: func() time.Time { return fixedNow }}).Handler())
	defer hs.Close()
	// The server moved to a new address here; a real move keeps the address.
	t.Setenv("ROLO_SYNC_SERVER", hs.URL)
	must(ann("contact", "add", "Dana Lee"))
	out := must(ann("sync", "--json"))
	var rep obj
	decode(t, out, &rep)
	if rep["resynced"] == true || rep["pushed"] != json.Number("1") {
		t.Fatalf("sync after the move: %s", out)
	}
}
