package pgstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/pgstore"
	"github.com/rolo-crm/rolo/sync/server/pgstore/pgtest"
	"github.com/rolo-crm/rolo/sync/server/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) server.Storage {
		st, err := pgstore.Open(context.Background(), pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

// TestMigrate_Concurrent: five replicas opening a fresh schema at once all succeed, and
// each migration is applied exactly once (a second apply would fail on the tables it
// creates or on the migrations table's key, so any error is a double apply).
func TestMigrate_Concurrent(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	const replicas = 5
	var wg sync.WaitGroup
	stores := make([]*pgstore.Store, replicas)
	errs := make([]error, replicas)
	start := make(chan struct{})
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			stores[i], errs[i] = pgstore.Open(ctx, dsn)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	rows, err := stores[0].Pool().Query(ctx, "SELECT version FROM rolo_schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != pgstore.SchemaVersion() {
		t.Fatalf("applied versions %v; want 1..%d once each", versions, pgstore.SchemaVersion())
	}
	for i, v := range versions {
		if v != i+1 {
			t.Fatalf("applied versions %v; want 1..%d once each", versions, pgstore.SchemaVersion())
		}
	}
	// Reopening applies nothing and works.
	st, err := pgstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := stores[1].Init(ctx, "acme", t0()); err != nil {
		t.Fatal(err)
	}
}

// TestOpen_NoSchema: a search_path naming no existing schema is a clear error.
func TestOpen_NoSchema(t *testing.T) {
	dsn := pgtest.DSN(t)
	_, err := pgstore.Open(context.Background(), strings.Replace(dsn, "search_path=rolo_test_", "search_path=rolo_missing_", 1))
	if err == nil {
		t.Fatal("opened a database whose search_path names no schema")
	}
}

func t0() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }
