package pgstore_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/internal/synctest"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/pgstore"
	"github.com/rolo-crm/rolo/sync/server/pgstore/pgtest"
	"github.com/rolo-crm/rolo/sync/server/sqlitestore"
)

func copyFile(b *testing.B, from, to string) {
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMigrateFromSQLite_Standard: a device holding the standard data set (.bench/
// standard.db at the repository root, see docs/benchmarks.md) syncs it up through the
// embedded server; the server's data moves to PostgreSQL (timed); a server over
// PostgreSQL answers at the same address and the device syncs on: its next edit is
// pushed, nothing comes back twice, no resync.
func BenchmarkMigrateFromSQLite_Standard(b *testing.B) {
	pgtest.Require(b)
	src := filepath.Join("..", "..", "..", ".bench", "standard.db")
	if _, err := os.Stat(src); err != nil {
		b.Skip("no .bench/standard.db; see docs/benchmarks.md")
	}
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		path := filepath.Join(dir, "rep.db")
		copyFile(b, src, path)
		serverPath := filepath.Join(dir, "server.db")
		lite, err := sqlitestore.Open(ctx, serverPath, sqlitestore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := lite.Init(ctx, "acme", time.Now()); err != nil {
			b.Fatal(err)
		}
		front := &swappable{}
		srv := server.New(server.Config{Storage: lite, Rate: 1e6, Burst: 1e6})
		front.set(srv.Handler())
		hs := httptest.NewServer(front)
		tm := &synctest.Team{TB: b, Dir: dir, Store: lite, Server: srv, HTTP: hs, URL: hs.URL}
		db, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		dev := tm.Enrol(db, path, "ann", false, nil)
		start := time.Now()
		up, err := dev.Client.SyncNow(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("first sync through SQLite: %d ops in %v", up.Pushed, time.Since(start).Round(time.Second))
		front.set(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "moving", http.StatusServiceUnavailable)
		}))
		if err := lite.Close(); err != nil {
			b.Fatal(err)
		}
		pg, _ := pgtest.Open(b)
		b.StartTimer()
		start = time.Now()
		rep, err := pgstore.MigrateFromSQLite(ctx, serverPath, pg)
		if err != nil {
			b.Fatal(err)
		}
		moved := time.Since(start)
		b.StopTimer()
		front.set(server.New(server.Config{Storage: pg, Rate: 1e6, Burst: 1e6}).Handler())
		cs, _, err := db.FindContacts(ctx, store.ContactFilter{Limit: 1})
		if err != nil || len(cs) == 0 {
			b.Fatalf("contacts: %v", err)
		}
		title := "After the move"
		if _, err := db.UpdateContact(ctx, cs[0].ID, store.ContactUpdate{Title: &title}); err != nil {
			b.Fatal(err)
		}
		after, err := dev.Client.SyncNow(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if after.Resynced || after.Pushed != 1 || after.Pulled != 0 {
			b.Fatalf("sync after the move: %+v; want one op pushed, nothing pulled, no resync", after)
		}
		b.ReportMetric(moved.Seconds(), "move_s")
		b.ReportMetric(float64(rep.LastSeq), "changes")
		b.ReportMetric(float64(rep.Rows["fields"]), "fields")
		b.Logf("moved %d changes, %d records, %d fields in %v; the device synced on: %+v", rep.LastSeq, rep.Rows["records"],
			rep.Rows["fields"], moved.Round(time.Millisecond), after)
		db.Close()
		hs.Close()
		b.StartTimer()
	}
}
