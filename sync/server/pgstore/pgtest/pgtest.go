// Package pgtest gives PostgreSQL tests a throwaway schema each, in the database named
// by $ROLO_TEST_POSTGRES, and skips them with a message when it is unset.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/pgstore"
)

// Env names the environment variable that points tests at a PostgreSQL database.
const Env = "ROLO_TEST_POSTGRES"

// Require skips tb, with a message saying how to run it, when $ROLO_TEST_POSTGRES is unset.
func Require(tb testing.TB) {
	tb.Helper()
	if os.Getenv(Env) == "" {
		tb.Skip(skipMessage)
	}
}

const skipMessage = Env + " is not set; set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL tests"

// DSN returns a DSN for a fresh, empty schema of the database named by
// $ROLO_TEST_POSTGRES (its search_path set to that schema, so tests run in parallel and
// leave nothing behind: the schema is dropped in tb.Cleanup). It skips tb when the
// variable is unset.
func DSN(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(Env)
	if base == "" {
		tb.Skip(skipMessage)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("%s: %v", Env, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	schema := "rolo_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create test schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop test schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	return withParam(tb, base, "search_path", schema)
}

// withParam sets a query parameter of a URL DSN (or appends key=value to a key=value DSN).
func withParam(tb testing.TB, dsn, key, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatalf("%s: %v", Env, err)
		}
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + value
}

// Open opens a pgstore.Store on a fresh schema (see DSN), closed in tb.Cleanup.
func Open(tb testing.TB) (*pgstore.Store, string) {
	tb.Helper()
	dsn := DSN(tb)
	st, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st, dsn
}

// Cluster is n sync server replicas, each with its own pgstore.Store (its own pool, as
// separate `rolo serve` processes would have), over one database schema, each behind a
// loopback HTTP server.
type Cluster struct {
	TB      testing.TB
	DSN     string
	Stores  []*pgstore.Store
	Servers []*server.Server
	HTTP    []*httptest.Server
	URLs    []string
}

// NewCluster starts n replicas over a fresh schema whose workspace (team "acme") is
// initialised; every replica gets a copy of cfg with its own Storage. Each replica's
// pool keeps to 4 connections, so tests running in parallel stay well under the
// database's max_connections. Everything stops in tb.Cleanup.
func NewCluster(tb testing.TB, n int, cfg server.Config) *Cluster {
	tb.Helper()
	return NewClusterPool(tb, n, 4, cfg)
}

// NewClusterPool is NewCluster with maxConns connections in each replica's pool.
func NewClusterPool(tb testing.TB, n, maxConns int, cfg server.Config) *Cluster {
	tb.Helper()
	c := &Cluster{TB: tb, DSN: DSN(tb)}
	ctx := context.Background()
	for i := range n {
		st, err := pgstore.Open(ctx, withParam(tb, c.DSN, "pool_max_conns", strconv.Itoa(maxConns)))
		if err != nil {
			tb.Fatal(err)
		}
		if i == 0 {
			if _, err := st.Init(ctx, "acme", time.Now()); err != nil {
				st.Close()
				tb.Fatal(err)
			}
		}
		rc := cfg
		rc.Storage = st
		srv := server.New(rc)
		hs := httptest.NewServer(srv.Handler())
		tb.Cleanup(func() {
			hs.Close()
			st.Close()
		})
		c.Stores = append(c.Stores, st)
		c.Servers = append(c.Servers, srv)
		c.HTTP = append(c.HTTP, hs)
		c.URLs = append(c.URLs, hs.URL)
	}
	return c
}

// Invite returns a fresh invite code for user (valid on every replica).
func (c *Cluster) Invite(user string, admin bool) string {
	c.TB.Helper()
	code, _, err := server.CreateInvite(context.Background(), c.Stores[0], user, admin, time.Now())
	if err != nil {
		c.TB.Fatal(err)
	}
	return code
}
