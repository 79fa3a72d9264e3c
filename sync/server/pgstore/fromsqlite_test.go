package pgstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/demo"
	"github.com/rolo-crm/rolo/sync/client"
	"github.com/rolo-crm/rolo/sync/internal/synctest"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/pgstore"
	"github.com/rolo-crm/rolo/sync/server/pgstore/pgtest"
	"github.com/rolo-crm/rolo/sync/server/sqlitestore"
)

// swappable is one server address whose handler can be replaced, as a host name keeps
// pointing at the team's server while the machine behind it changes.
type swappable struct{ h atomic.Pointer[http.Handler] }

func (s *swappable) set(h http.Handler) { s.h.Store(&h) }

func (s *swappable) ServeHTTP(w http.ResponseWriter, r *http.Request) { (*s.h.Load()).ServeHTTP(w, r) }

func syncNow(t *testing.T, d *synctest.Device) client.Report {
	t.Helper()
	rep, err := d.Client.SyncNow(context.Background())
	if err != nil {
		t.Fatalf("%s: sync: %v", d.User, err)
	}
	if rep.Resynced {
		t.Fatalf("%s: sync resynced (the server's log looked new)", d.User)
	}
	return rep
}

func teamExport(t *testing.T, d *synctest.Device) string {
	t.Helper()
	var b bytes.Buffer
	if err := d.DB.SyncExport(context.Background(), &b, store.ExportOptions{TeamOnly: true}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestMigrateFromSQLite: a team syncs through the embedded server (a demo data set, a
// private contact, a conflict); the server is stopped and its data moved to PostgreSQL;
// a server over PostgreSQL answers at the same address, and both devices sync on with
// their old cursors and tokens: no resync, nothing pulled twice, new edits flow both ways.
func TestMigrateFromSQLite(t *testing.T) {
	pg, dsn := pgtest.Open(t)
	ctx := context.Background()
	dir := synctest.Dir(t)
	path := filepath.Join(dir, "server.db")
	lite, err := sqlitestore.Open(ctx, path, sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lite.Init(ctx, "acme", time.Now()); err != nil {
		t.Fatal(err)
	}
	front := &swappable{}
	srv := server.New(server.Config{Storage: lite, Rate: 1e6, Burst: 1e6})
	front.set(srv.Handler())
	hs := httptest.NewServer(front)
	defer hs.Close()
	tm := &synctest.Team{TB: t, Dir: dir, Store: lite, Server: srv, HTTP: hs, URL: hs.URL}

	// ann brings a demo data set; bob joins empty.
	annPath := filepath.Join(dir, "ann.db")
	annDB, err := store.Open(ctx, annPath, store.Options{Owner: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	defer annDB.Close()
	stats, err := demo.Generate(ctx, annDB, demo.Options{Contacts: 60, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	ann := tm.Enrol(annDB, annPath, "ann", true, nil)
	bob := tm.Join("bob", false, store.Options{Owner: "bob"}, nil)
	if rep := syncNow(t, ann); rep.Pushed < stats.Records() {
		t.Fatalf("ann pushed %d ops for %d records", rep.Pushed, stats.Records())
	}
	if rep := syncNow(t, bob); rep.Pulled < stats.Records() {
		t.Fatalf("bob pulled %d changes for %d records", rep.Pulled, stats.Records())
	}
	// A private contact, and a conflict: both edit the same contact's title offline.
	if _, err := annDB.CreateContact(ctx, store.ContactInput{Name: "Secret Person", Visibility: "private"}); err != nil {
		t.Fatal(err)
	}
	cs, _, err := bob.DB.FindContacts(ctx, store.ContactFilter{Limit: 2})
	if err != nil || len(cs) == 0 {
		t.Fatalf("bob's contacts: %v %v", cs, err)
	}
	a, b := "Chief Annoyer", "Chief Bobber"
	if _, err := annDB.UpdateContact(ctx, cs[0].ID, store.ContactUpdate{Title: &a}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.DB.UpdateContact(ctx, cs[0].ID, store.ContactUpdate{Title: &b}); err != nil {
		t.Fatal(err)
	}
	syncNow(t, ann)
	syncNow(t, bob)
	syncNow(t, ann)
	before, err := lite.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	annState, _ := annDB.SyncState(ctx)
	bobState, _ := bob.DB.SyncState(ctx)
	if teamExport(t, ann) != teamExport(t, bob) {
		t.Fatal("before the move, ann and bob differ")
	}

	// The move: the old server stops, its data goes to PostgreSQL.
	front.set(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "moving", http.StatusServiceUnavailable)
	}))
	if err := lite.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := pgstore.MigrateFromSQLite(ctx, path, pg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Epoch != before.Epoch || rep.LastSeq != before.LastSeq || rep.Rows["changes"] != before.LastSeq ||
		rep.Rows["users"] != 2 || rep.Rows["devices"] != 2 || rep.Rows["tokens"] != 2 || rep.Rows["invites"] != 2 {
		t.Fatalf("report %+v; workspace before %+v", rep, before)
	}
	after, err := pg.Workspace(ctx)
	if err != nil || after != before {
		t.Fatalf("workspace after the move %+v, %v; before %+v", after, err, before)
	}
	sameTables(t, path, pg)
	var conflicts, private int
	if err := pg.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM changes WHERE kind = 'conflict'),
		(SELECT count(*) FROM records WHERE visibility = 'private')`).Scan(&conflicts, &private); err != nil || conflicts == 0 || private == 0 {
		t.Fatalf("moved %d conflicts and %d private records (%v); the test wants some of each", conflicts, private, err)
	}
	t.Logf("moved %+v", rep)

	// Moving again, into the now non-empty database, is refused and changes nothing.
	if _, err := pgstore.MigrateFromSQLite(ctx, path, pg); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("second migration: %v", err)
	}
	if ws, _ := pg.Workspace(ctx); ws != before {
		t.Fatalf("workspace after a refused migration %+v", ws)
	}

	// A new server over PostgreSQL (a second replica too) answers at the same address.
	pg2, err := pgstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg2.Close()
	front.set(server.New(server.Config{Storage: pg2, Rate: 1e6, Burst: 1e6}).Handler())
	for _, d := range []*synctest.Device{ann, bob} {
		if rep := syncNow(t, d); rep.Pushed != 0 || rep.Pulled != 0 {
			t.Fatalf("%s's first sync after the move moved %+v; want nothing", d.User, rep)
		}
	}
	if s, _ := annDB.SyncState(ctx); s.Cursor != annState.Cursor {
		t.Fatalf("ann's cursor moved from %q to %q without any change", annState.Cursor, s.Cursor)
	}
	if s, _ := bob.DB.SyncState(ctx); s.Cursor != bobState.Cursor {
		t.Fatalf("bob's cursor moved from %q to %q without any change", bobState.Cursor, s.Cursor)
	}
	// New edits flow both ways, each pulled once.
	title := "After the move"
	if _, err := annDB.UpdateContact(ctx, cs[1%len(cs)].ID, store.ContactUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.DB.CreateContact(ctx, store.ContactInput{Name: "New On Postgres"}); err != nil {
		t.Fatal(err)
	}
	if rep := syncNow(t, ann); rep.Pushed != 1 {
		t.Fatalf("ann pushed %d; want 1", rep.Pushed)
	}
	bobRep := syncNow(t, bob)
	if bobRep.Pushed < 1 || bobRep.Pulled != 1 {
		t.Fatalf("bob's sync %+v; want his create pushed and ann's edit pulled once", bobRep)
	}
	if rep := syncNow(t, ann); rep.Pulled != bobRep.Pushed {
		t.Fatalf("ann's sync %+v; want bob's %d ops pulled once", rep, bobRep.Pushed)
	}
	if teamExport(t, ann) != teamExport(t, bob) {
		t.Fatal("after the move, ann and bob differ")
	}
	ws, _ := pg.Workspace(ctx)
	if ws.Epoch != before.Epoch || ws.LastSeq <= before.LastSeq {
		t.Fatalf("workspace after new edits %+v; before %+v", ws, before)
	}
}

// sameTables compares every table of the SQLite file with PostgreSQL's, row by row.
func sameTables(t *testing.T, path string, pg *pgstore.Store) {
	t.Helper()
	lite, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	for _, q := range []struct{ lite, pg string }{
		{"SELECT seq || ' ' || op_id || ' ' || device || ' ' || kind || ' ' || entity_id || ' ' || body FROM changes ORDER BY seq",
			"SELECT seq || ' ' || op_id || ' ' || device || ' ' || kind || ' ' || entity_id || ' ' || convert_from(body, 'UTF8') FROM changes ORDER BY seq"},
		{"SELECT record_id || ' ' || field || ' ' || value || ' ' || hlc || ' ' || device || ' ' || user || ' ' || op_id FROM fields ORDER BY record_id, field",
			"SELECT record_id || ' ' || field || ' ' || convert_from(value, 'UTF8') || ' ' || hlc || ' ' || device || ' ' || user_name || ' ' || op_id FROM fields ORDER BY record_id COLLATE \"C\", field COLLATE \"C\""},
		{"SELECT id || ' ' || entity || ' ' || owner || ' ' || visibility || ' ' || scope || ' ' || created_hlc || ' ' || created_device FROM records ORDER BY id",
			"SELECT id || ' ' || entity || ' ' || owner || ' ' || visibility || ' ' || scope || ' ' || created_hlc || ' ' || created_device FROM records ORDER BY id COLLATE \"C\""},
		{"SELECT id || ' ' || hex(sha256) || ' ' || device FROM tokens ORDER BY id",
			"SELECT id || ' ' || upper(encode(sha256, 'hex')) || ' ' || device FROM tokens ORDER BY id COLLATE \"C\""},
	} {
		var want, got []string
		rows, err := lite.Query(q.lite)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			want = append(want, s)
		}
		rows.Close()
		prows, err := pg.Pool().Query(context.Background(), q.pg)
		if err != nil {
			t.Fatal(err)
		}
		got, err = pgx.CollectRows(prows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 || fmt.Sprint(want) != fmt.Sprint(got) {
			t.Fatalf("%s: SQLite has %d rows, PostgreSQL %d, or they differ", q.pg, len(want), len(got))
		}
	}
}

// A SQLite file in a format newer than this build's is refused before anything is moved.
func TestMigrateFromSQLite_NewerFormat(t *testing.T) {
	pg, _ := pgtest.Open(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "server.db")
	lite, err := sqlitestore.Open(ctx, path, sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lite.Init(ctx, "acme", time.Now()); err != nil {
		t.Fatal(err)
	}
	lite.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", sqlitestore.Version+1)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := pgstore.MigrateFromSQLite(ctx, path, pg); err == nil || !strings.Contains(err.Error(), "newer than this rolo's") {
		t.Fatalf("migrating a newer file: %v", err)
	}
	if _, err := pg.Workspace(ctx); !errors.Is(err, server.ErrNotInitialized) {
		t.Fatalf("after the refusal the database has a workspace: %v", err)
	}
}
