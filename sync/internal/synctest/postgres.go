package synctest

import (
	"database/sql"
	"log/slog"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for the checks' queries
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/pgstore"
	"github.com/rolo-crm/rolo/sync/server/pgstore/pgtest"
)

// NewPostgresTeam starts a team "acme" served by n replicas over one PostgreSQL schema
// (see pgtest.NewCluster; it skips tb when $ROLO_TEST_POSTGRES is unset). Devices that
// Join are spread across the replicas in turn, and the checks in export.go read the
// PostgreSQL tables. Store is nil: the replicas' stores are in the cluster.
func NewPostgresTeam(tb testing.TB, n int, cfg server.Config) *Team {
	tb.Helper()
	if cfg.Logger == nil && testing.Verbose() {
		cfg.Logger = slog.Default()
	}
	return newPostgresTeam(tb, Dir(tb), pgtest.NewCluster(tb, n, cfg))
}

// NewPostgresTeamIn is NewPostgresTeam for benchmarks: devices' databases go in dir (on
// disk, as NewTeamIn's), and each replica's pool has pgstore's default size.
func NewPostgresTeamIn(tb testing.TB, dir string, n int, cfg server.Config) *Team {
	tb.Helper()
	return newPostgresTeam(tb, dir, pgtest.NewClusterPool(tb, n, pgstore.DefaultMaxConns, cfg))
}

func newPostgresTeam(tb testing.TB, dir string, c *pgtest.Cluster) *Team {
	return &Team{TB: tb, Dir: dir, Server: c.Servers[0], HTTP: c.HTTP[0], URL: c.URLs[0], Replicas: c.URLs,
		DB: func(tb testing.TB) *sql.DB {
			tb.Helper()
			db, err := sql.Open("pgx", c.DSN)
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { db.Close() })
			return db
		}}
}

// joinURL is the server a new device joins: the next replica in turn, or the only server.
func (tm *Team) joinURL() string {
	if len(tm.Replicas) == 0 {
		return tm.URL
	}
	tm.next++
	return tm.Replicas[tm.next%len(tm.Replicas)]
}
