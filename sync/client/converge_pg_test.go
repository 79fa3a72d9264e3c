package client_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/sync/internal/synctest"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/pgstore/pgtest"
)

// TestConvergence_Postgres is the convergence test (see TestConvergence) against three
// server replicas over one PostgreSQL database, the devices spread across them. It needs
// $ROLO_TEST_POSTGRES (skips without it). ROLO_SYNC_PG_SEEDS sets the number of seeds
// (default a quarter of TestConvergence's: 50, or 2 under -race or with -short; CI runs
// 50 without -race in a step of its own), ROLO_SYNC_OPS the ops per device,
// ROLO_SYNC_SEED runs one seed.
func TestConvergence_Postgres(t *testing.T) {
	pgtest.Require(t)
	def := max(defaultSeeds/4, 2)
	if testing.Short() {
		def = 2
	}
	seeds := envInt("ROLO_SYNC_PG_SEEDS", def)
	ops := envInt("ROLO_SYNC_OPS", 200)
	first := uint64(1)
	if s := os.Getenv("ROLO_SYNC_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("ROLO_SYNC_SEED=%q", s)
		}
		first, seeds = n, 1
	}
	replicas := func(tb testing.TB, cfg server.Config) *synctest.Team { return synctest.NewPostgresTeam(tb, 3, cfg) }
	start := time.Now()
	for i := range seeds {
		seed := first + uint64(i)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			defer func() {
				if t.Failed() {
					t.Logf("seed %d failed; rerun it alone: ROLO_SYNC_SEED=%d go test ./sync/client -run TestConvergence_Postgres -v", seed, seed)
				}
			}()
			converge(t, seed, ops, replicas)
		})
	}
	t.Cleanup(func() {
		t.Logf("%d seeds × 5 devices × %d ops on 3 PostgreSQL replicas in %v", seeds, ops, time.Since(start).Round(time.Millisecond))
	})
}
