package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/client"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/sqlitestore"
)

// serverStandardDB returns a sync server database holding the standard data set, as the
// rep's first push leaves it: ROLO_BENCH_SERVER_DB, else .bench/server-standard.db at the
// repository root. When the file is missing it is built once (minutes: the standard data
// set, ROLO_BENCH_DB or .bench/standard.db, is copied, joins a team and pushes) and kept.
func serverStandardDB(b *testing.B) string {
	p := os.Getenv("ROLO_BENCH_SERVER_DB")
	if p == "" {
		p = filepath.Join("..", "..", ".bench", "server-standard.db")
	}
	if _, err := os.Stat(p); err == nil {
		return p
	}
	src := standardDB(b)
	ctx := context.Background()
	dir := b.TempDir()
	path := filepath.Join(dir, "rep.db")
	copyFile(b, src, path)
	st, hs, srv := startServer(b, filepath.Join(dir, "server.db"), true)
	db, err := store.Open(ctx, path, store.Options{NoBackup: true})
	if err != nil {
		b.Fatal(err)
	}
	rep := enrol(b, hs.URL, srv, db, "ann")
	start := time.Now()
	r, err := rep.SyncNow(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s: pushed %d ops in %v", p, r.Pushed, time.Since(start).Round(time.Second))
	db.Close()
	hs.Close()
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		b.Fatal(err)
	}
	copyFile(b, filepath.Join(dir, "server.db"), p+".partial")
	if err := os.Rename(p+".partial", p); err != nil {
		b.Fatal(err)
	}
	return p
}

// startServer opens (init: creates) the server storage at path and serves it on loopback.
func startServer(b *testing.B, path string, init bool) (*sqlitestore.Store, *httptest.Server, *server.Server) {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, path, sqlitestore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if init {
		if _, err := st.Init(ctx, "acme", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	srv := server.New(server.Config{Storage: st, Rate: 1e6, Burst: 1e6})
	return st, httptest.NewServer(srv.Handler()), srv
}

// enrol joins db to the team at url as user and returns its client.
func enrol(b *testing.B, url string, srv *server.Server, db *store.DB, user string) *client.Client {
	ctx := context.Background()
	code, _, err := srv.CreateInvite(ctx, user, false)
	if err != nil {
		b.Fatal(err)
	}
	res, err := client.Enroll(ctx, &http.Client{Timeout: 30 * time.Second}, url, code, db.Device(), user+"'s laptop")
	if err != nil {
		b.Fatal(err)
	}
	if err := db.PrepareJoin(ctx, res.User); err != nil {
		b.Fatal(err)
	}
	if err := db.SetSyncState(ctx, map[string]string{store.SyncServer: url, store.SyncTeam: res.Team}); err != nil {
		b.Fatal(err)
	}
	return &client.Client{BaseURL: url, Token: res.Token, DB: db, HTTP: &http.Client{Timeout: 60 * time.Second}}
}

// BenchmarkFirstPull: a new, empty teammate device joins a team whose server holds the
// standard data set (pushed by the rep) and pulls all of it over loopback; the pull half
// of BenchmarkFirstSync alone. Both on disk, synchronous=FULL on both sides. The server's
// database is a copy of serverStandardDB's, made before the timer starts.
// ROLO_BENCH_PULL_SECONDS stops the pull after that many seconds (the rate is still
// reported).
func BenchmarkFirstPull(b *testing.B) {
	cached := serverStandardDB(b)
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		copyFile(b, cached, filepath.Join(dir, "server.db"))
		st, hs, srv := startServer(b, filepath.Join(dir, "server.db"), false)
		db, err := store.Open(ctx, filepath.Join(dir, "bob.db"), store.Options{Owner: "bob", NoBackup: true})
		if err != nil {
			b.Fatal(err)
		}
		c := enrol(b, hs.URL, srv, db, "bob")
		pctx, cancel := ctx, context.CancelFunc(func() {})
		if secs := envInt("ROLO_BENCH_PULL_SECONDS", 0); secs > 0 {
			// A cap, for measuring a slow pull's rate without waiting for its end.
			pctx, cancel = context.WithTimeout(ctx, time.Duration(secs)*time.Second)
		}
		b.StartTimer()
		start := time.Now()
		rep, err := c.SyncNow(pctx)
		pull := time.Since(start)
		cancel()
		if err != nil && pctx.Err() == nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(pull.Seconds(), "pull_s")
		b.ReportMetric(float64(rep.Pulled)/pull.Seconds(), "changes/s")
		b.Logf("a new device pulled %d changes in %v (%.0f changes/s)", rep.Pulled, pull.Round(time.Millisecond),
			float64(rep.Pulled)/pull.Seconds())
		db.Close()
		hs.Close()
		st.Close()
		b.StartTimer()
	}
}
