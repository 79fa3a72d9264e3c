// Package synctest builds real teams for tests: a sync server over SQLite on a loopback
// HTTP listener, and devices (real store databases) enrolled with invites.
package synctest

import (
	"context"
	"database/sql"
	"log/slog"
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

// Dir returns a fresh directory for databases: under /dev/shm when it exists (tmpfs, so
// fsync costs nothing and hundreds of seeds run fast), else t.TempDir.
func Dir(tb testing.TB) string {
	tb.Helper()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "rolo-sync-test-")
		if err == nil {
			tb.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return tb.TempDir()
}

// Team is a running server.
type Team struct {
	TB     testing.TB
	Dir    string
	Store  *sqlitestore.Store
	Server *server.Server
	HTTP   *httptest.Server
	URL    string
	// Replicas, when set, are several servers over one storage (NewPostgresTeam); Enrol
	// points each new device at the next one in turn.
	Replicas []string
	next     int
	// DB, when set, opens the server's database for the checks in export.go.
	DB func(testing.TB) *sql.DB
}

// NewTeam starts a server for team "acme"; cfg's Storage is filled in.
func NewTeam(tb testing.TB, cfg server.Config) *Team {
	tb.Helper()
	dir := Dir(tb)
	st, err := sqlitestore.Open(context.Background(), filepath.Join(dir, "server.db"), sqlitestore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := st.Init(context.Background(), "acme", time.Now()); err != nil {
		tb.Fatal(err)
	}
	cfg.Storage = st
	if cfg.Logger == nil && os.Getenv("ROLO_SYNC_LOG") != "" {
		cfg.Logger = slog.Default() // the server's request log, for debugging a test
	}
	srv := server.New(cfg)
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(func() {
		hs.Close()
		st.Close()
	})
	return &Team{TB: tb, Dir: dir, Store: st, Server: srv, HTTP: hs, URL: hs.URL}
}

// Invite returns a fresh invite code for user.
func (tm *Team) Invite(user string, admin bool) string {
	tm.TB.Helper()
	code, _, err := tm.Server.CreateInvite(context.Background(), user, admin)
	if err != nil {
		tm.TB.Fatal(err)
	}
	return code
}

// Device is one enrolled database.
type Device struct {
	User   string
	DB     *store.DB
	Client *client.Client
	Path   string
}

// Join opens a new database (opts), enrols it as user through transport (nil means the
// default) and prepares it for its first sync.
func (tm *Team) Join(user string, admin bool, opts store.Options, transport http.RoundTripper) *Device {
	tm.TB.Helper()
	path := filepath.Join(tm.Dir, user+"-"+time.Now().Format("150405.000000000")+".db")
	db, err := store.Open(context.Background(), path, opts)
	if err != nil {
		tm.TB.Fatal(err)
	}
	tm.TB.Cleanup(func() { db.Close() })
	return tm.Enrol(db, path, user, admin, transport)
}

// Enrol enrols an open database as user.
func (tm *Team) Enrol(db *store.DB, path, user string, admin bool, transport http.RoundTripper) *Device {
	tm.TB.Helper()
	ctx := context.Background()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: transport}
	url := tm.joinURL()
	res, err := client.Enroll(ctx, &http.Client{Timeout: 30 * time.Second}, url, tm.Invite(user, admin), db.Device(), user+"'s laptop")
	if err != nil {
		tm.TB.Fatal(err)
	}
	if err := db.PrepareJoin(ctx, res.User); err != nil {
		tm.TB.Fatal(err)
	}
	if err := db.SetSyncState(ctx, map[string]string{store.SyncServer: url, store.SyncTeam: res.Team}); err != nil {
		tm.TB.Fatal(err)
	}
	return &Device{User: user, DB: db, Path: path, Client: &client.Client{BaseURL: url, Token: res.Token, DB: db, HTTP: hc}}
}

// NewTeamIn starts a server whose storage lives in dir (on disk for benchmarks).
func NewTeamIn(tb testing.TB, dir string, cfg server.Config) *Team {
	tb.Helper()
	st, err := sqlitestore.Open(context.Background(), filepath.Join(dir, "server.db"), sqlitestore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := st.Init(context.Background(), "acme", time.Now()); err != nil {
		tb.Fatal(err)
	}
	cfg.Storage = st
	srv := server.New(cfg)
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(func() {
		hs.Close()
		st.Close()
	})
	return &Team{TB: tb, Dir: dir, Store: st, Server: srv, HTTP: hs, URL: hs.URL}
}

// JoinIn opens a new database in dir and enrols it as user.
func (tm *Team) JoinIn(dir, user string, opts store.Options) *Device {
	tm.TB.Helper()
	path := filepath.Join(dir, user+".db")
	db, err := store.Open(context.Background(), path, opts)
	if err != nil {
		tm.TB.Fatal(err)
	}
	tm.TB.Cleanup(func() { db.Close() })
	return tm.Enrol(db, path, user, false, nil)
}
