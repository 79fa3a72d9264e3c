package client_test

import (
	"fmt"
	"testing"

	"github.com/rolo-crm/rolo/sync/internal/synctest"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/pgstore/pgtest"
)

// BenchmarkConcurrentClients_Postgres is BenchmarkConcurrentClients (50 devices, each
// editing and syncing about twice a second for ROLO_SYNC_BENCH_SECONDS) against one and
// against three server replicas over one PostgreSQL database ($ROLO_TEST_POSTGRES), the
// devices spread across the replicas.
func BenchmarkConcurrentClients_Postgres(b *testing.B) {
	pgtest.Require(b)
	for _, n := range []int{1, 3} {
		name := "replicas=1"
		if n == 3 {
			name = "replicas=3"
		}
		b.Run(name, func(b *testing.B) {
			benchClients(b, synctest.NewPostgresTeamIn(b, b.TempDir(), n, server.Config{}))
		})
	}
}

// BenchmarkServerLoad_Postgres is BenchmarkServerLoad against one and against three
// server replicas over one PostgreSQL database ($ROLO_TEST_POSTGRES), the devices spread
// across the replicas.
func BenchmarkServerLoad_Postgres(b *testing.B) {
	pgtest.Require(b)
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			serverLoad(b, func(b *testing.B) *synctest.Team {
				return synctest.NewPostgresTeamIn(b, b.TempDir(), n, server.Config{})
			})
		})
	}
}
