package pgstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/client"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/pgstore/pgtest"
	"github.com/rolo-crm/rolo/sync/wire"
	"golang.org/x/time/rate"
)

// device is an enrolled device speaking the wire protocol directly.
type device struct {
	id, user, token string
	hc              *http.Client
}

func enrollDevice(t *testing.T, c *pgtest.Cluster, url, user string) *device {
	t.Helper()
	id := uuid.NewString()
	hc := &http.Client{Timeout: 60 * time.Second}
	res, err := client.Enroll(context.Background(), hc, url, c.Invite(user, false), id, user+"'s device")
	if err != nil {
		t.Fatal(err)
	}
	return &device{id: id, user: user, token: res.Token, hc: hc}
}

func (d *device) call(ctx context.Context, method, url string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set(wire.HeaderProto, wire.Proto)
	resp, err := d.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var eb wire.ErrorBody
		json.NewDecoder(resp.Body).Decode(&eb)
		return fmt.Errorf("%s %s: %d %s: %s", method, url, resp.StatusCode, eb.Error.Code, eb.Error.Message)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (d *device) push(ctx context.Context, url string, ops []wire.Op) (*wire.PushResponse, error) {
	var resp wire.PushResponse
	err := d.call(ctx, http.MethodPost, url+"/v1/sync/push", wire.PushRequest{DeviceID: d.id, Schema: store.SchemaVersion(), Ops: ops}, &resp)
	return &resp, err
}

func (d *device) pull(ctx context.Context, url, cursor string, limit int) (*wire.PullResponse, error) {
	var resp wire.PullResponse
	err := d.call(ctx, http.MethodGet, url+"/v1/sync/pull?cursor="+cursor+"&limit="+strconv.Itoa(limit), nil, &resp)
	return &resp, err
}

// orderingOps is how many ops the ordering test pushes: 10,000 (ROLO_TEST_PG_ORDERING_OPS
// overrides it; -short divides it by ten).
func orderingOps(t *testing.T) int {
	n := 10000
	if s := os.Getenv("ROLO_TEST_PG_ORDERING_OPS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 8 {
			t.Fatalf("ROLO_TEST_PG_ORDERING_OPS=%q: give a number ≥ 8", s)
		}
		n = v
	} else if testing.Short() {
		n /= 10
	}
	return n
}

// TestOrdering_Replicas: three replicas over one database, eight devices pushing
// concurrently (each push to a random replica, some pushes repeated on another replica),
// and three readers following the log with cursors, each pull from the next replica
// round-robin with a random page size. Every reader sees every commit exactly once and in
// order (the whole log, seqs 1..N), every op is in the log once with the seq it was acked
// with, and repeated pushes change nothing.
func TestOrdering_Replicas(t *testing.T) {
	total := orderingOps(t)
	const pushers, readers = 8, 3
	c := pgtest.NewCluster(t, 3, server.Config{Rate: rate.Inf})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)

	var devs, rdrs []*device
	for i := range pushers {
		devs = append(devs, enrollDevice(t, c, c.URLs[i%3], fmt.Sprintf("user%d", i)))
	}
	for i := range readers {
		rdrs = append(rdrs, enrollDevice(t, c, c.URLs[i%3], "reader"))
	}

	var acked sync.Map // op id → seq
	var pushed atomic.Int64
	var pushersDone atomic.Bool
	errs := make(chan error, pushers+readers)
	var wg sync.WaitGroup
	for i, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
			per := total / pushers
			if i < total%pushers {
				per++
			}
			var hlc uint64 = uint64(store.MakeHLC(time.Now().UnixMilli(), 0))
			type rec struct {
				id    string
				clock string // the clock of its name field, which this device alone writes
			}
			var recs []rec
			for sent := 0; sent < per; {
				n := min(1+rng.IntN(40), per-sent)
				ops := make([]wire.Op, 0, n)
				for range n {
					hlc++
					op := wire.Op{OpID: uuid.NewString(), HLC: hlc, Device: d.id, Entity: store.EntityContact, At: time.Now().UTC()}
					if len(recs) == 0 || rng.IntN(4) == 0 {
						op.Kind, op.EntityID = wire.KindCreate, uuid.NewString()
						op.Fields = map[string]json.RawMessage{"name": json.RawMessage(strconv.Quote(op.OpID)),
							"owner": json.RawMessage(strconv.Quote(d.user)), "visibility": json.RawMessage(`"team"`)}
						recs = append(recs, rec{op.EntityID, wire.Clock(hlc, d.id)})
					} else {
						r := &recs[rng.IntN(len(recs))]
						op.Kind, op.EntityID = wire.KindUpdate, r.id
						op.Fields = map[string]json.RawMessage{"name": json.RawMessage(strconv.Quote(op.OpID))}
						op.Base = map[string]string{"name": r.clock}
						r.clock = wire.Clock(hlc, d.id)
					}
					ops = append(ops, op)
				}
				url := c.URLs[rng.IntN(3)]
				resp, err := d.push(ctx, url, ops)
				if err != nil {
					errs <- err
					return
				}
				if len(resp.Acked) != len(ops) || len(resp.Rejected) != 0 {
					errs <- fmt.Errorf("push of %d ops: %d acked, rejected %+v", len(ops), len(resp.Acked), resp.Rejected)
					return
				}
				for _, a := range resp.Acked {
					if prev, dup := acked.LoadOrStore(a.OpID, a.Seq); dup {
						errs <- fmt.Errorf("op %s acked twice (seqs %d, %d)", a.OpID, prev, a.Seq)
						return
					}
				}
				if rng.IntN(8) == 0 { // the answer was "lost": the same push again, elsewhere
					again, err := d.push(ctx, c.URLs[rng.IntN(3)], ops)
					if err != nil {
						errs <- err
						return
					}
					for j, a := range again.Acked {
						if a != resp.Acked[j] {
							errs <- fmt.Errorf("repeated push acked %+v; first time %+v", a, resp.Acked[j])
							return
						}
					}
				}
				sent += n
				pushed.Add(int64(n))
			}
		}()
	}

	type seen struct {
		seqs []int64
		ops  []string
	}
	views := make([]seen, readers)
	var rwg sync.WaitGroup
	for i, d := range rdrs {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(100+i)))
			cursor, last := "", int64(0)
			for k := 0; ; k++ {
				done := pushersDone.Load() // read before the pull: a later empty page then means the end
				page, err := d.pull(ctx, c.URLs[(i+k)%3], cursor, 1+rng.IntN(500))
				if err != nil {
					errs <- err
					return
				}
				for _, ch := range page.Changes {
					if ch.Seq <= last {
						errs <- fmt.Errorf("reader %d: seq %d after %d", i, ch.Seq, last)
						return
					}
					last = ch.Seq
					views[i].seqs = append(views[i].seqs, ch.Seq)
					views[i].ops = append(views[i].ops, ch.OpID)
				}
				cursor = page.NextCursor
				if done && !page.HasMore {
					return
				}
				if len(page.Changes) == 0 {
					time.Sleep(2 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	pushersDone.Store(true)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if pushed.Load() != int64(total) {
		t.Fatalf("pushed %d ops; want %d", pushed.Load(), total)
	}

	// The log as the database has it.
	rows, err := c.Stores[0].Pool().Query(ctx, "SELECT seq, op_id FROM changes ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Seq int64
		Op  string
	}
	log, err := pgx.CollectRows(rows, pgx.RowToStructByPos[entry])
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != total {
		t.Fatalf("the log has %d changes; want %d (one per op)", len(log), total)
	}
	for i, e := range log {
		if e.Seq != int64(i+1) {
			t.Fatalf("log position %d has seq %d: not contiguous", i, e.Seq)
		}
		if s, ok := acked.Load(e.Op); !ok || s.(int64) != e.Seq {
			t.Fatalf("op %s at seq %d was acked with %v", e.Op, e.Seq, s)
		}
	}
	ws, err := c.Stores[1].Workspace(ctx)
	if err != nil || ws.LastSeq != int64(total) {
		t.Fatalf("workspace %+v, %v; want last seq %d", ws, err, total)
	}
	for i, v := range views {
		if len(v.seqs) != len(log) {
			t.Fatalf("reader %d saw %d changes; want %d", i, len(v.seqs), len(log))
		}
		for j, e := range log {
			if v.seqs[j] != e.Seq || v.ops[j] != e.Op {
				t.Fatalf("reader %d: position %d is seq %d op %s; the log has seq %d op %s", i, j, v.seqs[j], v.ops[j], e.Seq, e.Op)
			}
		}
	}
}
