package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/sqlitestore"
	"github.com/rolo-crm/rolo/sync/wire"
)

// BenchmarkPushCreates is the server's share of a first sync: pushes of 1000 creates each
// (one contact, then nine interactions about it, as in the standard data set, about ten
// fields an op), straight into Server.Push over on-disk SQLite storage with
// synchronous=FULL. Reports the ops the server writes per second.
func BenchmarkPushCreates(b *testing.B) {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(b.TempDir(), "server.db"), sqlitestore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Init(ctx, "acme", time.Now()); err != nil {
		b.Fatal(err)
	}
	benchPushCreates(b, server.New(server.Config{Storage: st}))
}

func benchPushCreates(b *testing.B, srv *server.Server) {
	ctx := context.Background()
	dev := server.Device{ID: uuid.Must(uuid.NewV7()).String(), User: "ann"}
	hlc := uint64(store.MakeHLC(time.Now().UnixMilli(), 0))
	s := func(v string) json.RawMessage { r, _ := json.Marshal(v); return r }
	const perPush = 1000
	ops := 0
	b.ResetTimer()
	for i := range b.N {
		req := &wire.PushRequest{DeviceID: dev.ID, Schema: 1}
		var contact string
		for j := range perPush {
			hlc++
			op := wire.Op{OpID: uuid.Must(uuid.NewV7()).String(), HLC: hlc, Device: dev.ID, EntityID: uuid.Must(uuid.NewV7()).String(),
				Kind: wire.KindCreate, At: time.Now().UTC()}
			at := s(time.Now().UTC().Format(time.RFC3339Nano))
			if j%10 == 0 {
				contact = op.EntityID
				op.Entity = store.EntityContact
				op.Fields = map[string]json.RawMessage{"name": s(fmt.Sprintf("Contact %d-%d", i, j)), "title": s("Buyer"),
					"email": s(fmt.Sprintf("c%d.%d@example.com", i, j)), "phone": s("+1 555 0100"), "company_id": json.RawMessage("null"),
					"owner": s("ann"), "visibility": s("team"), "notes": s("Met at the fair; wants a quote."), "created_at": at, "updated_at": at}
			} else {
				op.Entity = store.EntityInteraction
				op.Fields = map[string]json.RawMessage{"company_id": json.RawMessage("null"), "contact_id": s(contact), "created_at": at,
					"deal_id": json.RawMessage("null"), "kind": s("email"), "occurred_at": at, "owner": s("ann"),
					"text":       s("Sent the renewal quote for Starter plan (5,000.00 USD). Reported slow exports; passed to support."),
					"visibility": s("team")}
			}
			req.Ops = append(req.Ops, op)
		}
		resp, err := srv.Push(ctx, dev, req)
		if err != nil {
			b.Fatal(err)
		}
		if len(resp.Acked) != perPush {
			b.Fatalf("%d acked, %d rejected: %+v", len(resp.Acked), len(resp.Rejected), resp.Rejected[0])
		}
		ops += perPush
	}
	b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "ops/s")
}
