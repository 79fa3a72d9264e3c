// Package storagetest is the conformance suite every sync server storage backend passes:
// sqlitestore now, PostgreSQL when it joins. Run it from the backend's tests with a
// function that opens a fresh, empty storage.
package storagetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/wire"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// Run runs the suite; open returns a fresh, empty storage (closed by the suite).
func Run(t *testing.T, open func(t *testing.T) server.Storage) {
	fresh := func(t *testing.T) server.Storage {
		st := open(t)
		t.Cleanup(func() { st.Close() })
		return st
	}
	inited := func(t *testing.T) server.Storage {
		st := fresh(t)
		if _, err := st.Init(context.Background(), "acme", t0); err != nil {
			t.Fatal(err)
		}
		return st
	}
	t.Run("Init", func(t *testing.T) { testInit(t, fresh(t)) })
	t.Run("Enroll", func(t *testing.T) { testEnroll(t, inited(t)) })
	t.Run("Revoke", func(t *testing.T) { testRevoke(t, inited(t)) })
	t.Run("WriteAndRollback", func(t *testing.T) { testWrite(t, inited(t)) })
	t.Run("PullVisibility", func(t *testing.T) { testPull(t, inited(t)) })
	t.Run("Bulk", func(t *testing.T) { testBulk(t, inited(t)) })
	t.Run("ConcurrentWrites", func(t *testing.T) { testConcurrent(t, inited(t)) })
}

func testInit(t *testing.T, st server.Storage) {
	ctx := context.Background()
	if _, err := st.Workspace(ctx); !errors.Is(err, server.ErrNotInitialized) {
		t.Fatalf("Workspace before Init: %v", err)
	}
	ws, err := st.Init(ctx, "acme", t0)
	if err != nil {
		t.Fatal(err)
	}
	if !wire.ValidEpoch(ws.Epoch) || ws.Team != "acme" || ws.LastSeq != 0 {
		t.Fatalf("workspace %+v", ws)
	}
	if _, err := st.Init(ctx, "other", t0); !errors.Is(err, server.ErrExists) {
		t.Fatalf("second Init: %v", err)
	}
	got, err := st.Workspace(ctx)
	if err != nil || got.Epoch != ws.Epoch || got.Team != "acme" {
		t.Fatalf("Workspace = %+v, %v", got, err)
	}
}

func invite(t *testing.T, st server.Storage, id, user string, admin bool, expires time.Time) {
	t.Helper()
	if err := st.CreateInvite(context.Background(), server.Invite{ID: id, Hash: server.HashSecret(id + "-secret"), User: user, Admin: admin,
		CreatedAt: t0, ExpiresAt: expires}); err != nil {
		t.Fatal(err)
	}
}

func check(code string) func([]byte) bool {
	return func(h []byte) bool { return string(h) == string(server.HashSecret(code)) }
}

func enroll(t *testing.T, st server.Storage, id, device string) server.User {
	t.Helper()
	u, err := st.Enroll(context.Background(), id, check(id+"-secret"), t0.Add(time.Minute),
		server.Device{ID: device, Name: device}, server.Token{ID: "tok-" + device, Hash: server.HashSecret("token-" + device)})
	if err != nil {
		t.Fatalf("enroll %s: %v", device, err)
	}
	return u
}

func testEnroll(t *testing.T, st server.Storage) {
	ctx := context.Background()
	invite(t, st, "inv1", "ann", true, t0.Add(24*time.Hour))
	invite(t, st, "inv2", "ann", false, t0.Add(24*time.Hour))
	invite(t, st, "old", "bob", false, t0.Add(-time.Second))
	u := enroll(t, st, "inv1", "dev-a")
	if u.Name != "ann" || !u.Admin {
		t.Fatalf("user %+v", u)
	}
	tryEnroll := func(id, code, device string) error {
		_, err := st.Enroll(ctx, id, check(code), t0.Add(time.Minute), server.Device{ID: device}, server.Token{ID: "t-" + device, Hash: []byte("h")})
		return err
	}
	if err := tryEnroll("inv1", "inv1-secret", "dev-b"); !errors.Is(err, server.ErrInviteInvalid) {
		t.Fatalf("used invite: %v", err)
	}
	if err := tryEnroll("old", "old-secret", "dev-b"); !errors.Is(err, server.ErrInviteInvalid) {
		t.Fatalf("expired invite: %v", err)
	}
	if err := tryEnroll("inv2", "inv2-wrong", "dev-b"); !errors.Is(err, server.ErrInviteInvalid) {
		t.Fatalf("wrong code: %v", err)
	}
	if err := tryEnroll("nope", "nope-secret", "dev-b"); !errors.Is(err, server.ErrInviteInvalid) {
		t.Fatalf("unknown invite: %v", err)
	}
	if err := tryEnroll("inv2", "inv2-secret", "dev-a"); !errors.Is(err, server.ErrExists) {
		t.Fatalf("enrolling a device twice: %v", err)
	}
	// The refused attempt with the right code left the invite usable.
	u = enroll(t, st, "inv2", "dev-a2")
	if !u.Admin {
		t.Fatal("a second, non-admin invite for an admin demoted the user")
	}
	tok, dev, err := st.Token(ctx, "tok-dev-a")
	if err != nil || dev.ID != "dev-a" || dev.User != "ann" || !dev.Admin || string(tok.Hash) != string(server.HashSecret("token-dev-a")) {
		t.Fatalf("Token = %+v %+v %v", tok, dev, err)
	}
	if _, _, err := st.Token(ctx, "missing"); !errors.Is(err, server.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
	users, devs, err := st.Users(ctx)
	if err != nil || len(users) != 1 || len(devs) != 2 {
		t.Fatalf("Users = %+v %+v %v", users, devs, err)
	}
	later := t0.Add(time.Hour)
	if err := st.TouchDevice(ctx, "dev-a", later); err != nil {
		t.Fatal(err)
	}
	if _, dev, _ := st.Token(ctx, "tok-dev-a"); !dev.LastSeen.Equal(later) {
		t.Fatalf("last seen %v; want %v", dev.LastSeen, later)
	}
}

func testRevoke(t *testing.T, st server.Storage) {
	ctx := context.Background()
	invite(t, st, "inv1", "ann", false, t0.Add(24*time.Hour))
	enroll(t, st, "inv1", "dev-a")
	if err := st.RevokeDevice(ctx, "dev-a", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, dev, err := st.Token(ctx, "tok-dev-a")
	if err != nil || dev.RevokedAt == nil {
		t.Fatalf("after revoke: %+v %v", dev, err)
	}
	if err := st.RevokeDevice(ctx, "nope", t0); !errors.Is(err, server.ErrNotFound) {
		t.Fatalf("revoking an unknown device: %v", err)
	}
}

func op(id, device, entity, entityID, kind string, hlc uint64, fields map[string]string) *wire.Change {
	f := map[string]json.RawMessage{}
	for k, v := range fields {
		f[k] = json.RawMessage(v)
	}
	return &wire.Change{Op: wire.Op{OpID: id, HLC: hlc, Device: device, Entity: entity, EntityID: entityID, Kind: kind, Fields: f, At: t0}}
}

func sameField(a, b server.Field) bool {
	return string(a.Value) == string(b.Value) && a.HLC == b.HLC && a.Device == b.Device && a.User == b.User && a.OpID == b.OpID
}

func testWrite(t *testing.T, st server.Storage) {
	ctx := context.Background()
	err := st.Write(ctx, func(tx server.WriteTx) error {
		if tx.Workspace().LastSeq != 0 {
			return fmt.Errorf("last seq %d", tx.Workspace().LastSeq)
		}
		for i := 1; i <= 3; i++ {
			seq, err := tx.Append(op(fmt.Sprintf("op-%d", i), "dev-a", "contact", "c1", "create", uint64(i), map[string]string{"name": `"A"`}), t0)
			if err != nil || seq != int64(i) {
				return fmt.Errorf("append %d: seq %d, %v", i, seq, err)
			}
		}
		if seq, ok, err := tx.OpSeq("op-2"); err != nil || !ok || seq != 2 {
			return fmt.Errorf("OpSeq = %d %v %v", seq, ok, err)
		}
		if _, ok, err := tx.OpSeq("op-9"); err != nil || ok {
			return fmt.Errorf("OpSeq of an unknown op = %v %v", ok, err)
		}
		if _, ok, err := tx.Rejection("op-r"); err != nil || ok {
			return fmt.Errorf("rejection of an op never refused = %v %v", ok, err)
		}
		if err := tx.Reject(wire.Rejection{OpID: "op-r", Code: "forbidden", Reason: "no"}, "dev-a", t0); err != nil {
			return err
		}
		if err := tx.Reject(wire.Rejection{OpID: "op-r", Code: "invalid", Reason: "again"}, "dev-a", t0); err != nil {
			return err
		}
		if r, ok, err := tx.Rejection("op-r"); err != nil || !ok || r.Code != "forbidden" || r.Reason != "no" || r.OpID != "op-r" {
			return fmt.Errorf("rejection = %+v %v %v; want the first answer", r, ok, err)
		}
		r := server.Record{ID: "c1", Entity: "contact", Owner: "ann", Visibility: "team", CreatedHLC: 1, CreatedDevice: "dev-a"}
		if err := tx.PutRecord(r); err != nil {
			return err
		}
		if err := tx.PutRecord(server.Record{ID: "i1", Entity: "interaction", Owner: "ann", Visibility: "team", Scope: "c1", CreatedHLC: 2, CreatedDevice: "dev-a"}); err != nil {
			return err
		}
		got, ok, err := tx.Record("c1")
		if err != nil || !ok || got != r {
			return fmt.Errorf("record = %+v %v %v", got, ok, err)
		}
		// A record's fields are its first create's, overlaid by later writes.
		if fs, err := tx.Fields("c3"); err != nil || len(fs) != 0 {
			return fmt.Errorf("fields of a record with no create = %+v %v", fs, err)
		}
		cr := op("cr1", "dev-b", "contact", "c3", wire.KindCreate, 1<<39, map[string]string{"name": `"Ann0"`, "title": `"CEO"`})
		cr.User = "bob"
		again := op("cr2", "dev-a", "contact", "c3", wire.KindCreate, 1<<42, map[string]string{"title": `"CTO"`})
		for _, c := range []*wire.Change{cr, again} {
			if _, err := tx.Append(c, t0); err != nil {
				return err
			}
		}
		created := server.Field{Value: json.RawMessage(`"CEO"`), HLC: 1 << 39, Device: "dev-b", User: "bob", OpID: "cr1"}
		fs, err := tx.Fields("c3")
		if err != nil || len(fs) != 2 || string(fs["name"].Value) != `"Ann0"` || !sameField(fs["title"], created) {
			return fmt.Errorf("fields after the create = %+v %v; want its fields with its clock", fs, err)
		}
		f := server.Field{Value: json.RawMessage(`"Ann"`), HLC: 1 << 40, Device: "dev-a", User: "ann", OpID: "op-1"}
		if err := tx.PutField("c3", "name", f); err != nil {
			return err
		}
		f.HLC++
		if err := tx.PutField("c3", "name", f); err != nil {
			return err
		}
		fs, err = tx.Fields("c3")
		if err != nil || len(fs) != 2 || !sameField(fs["name"], f) || !sameField(fs["title"], created) {
			return fmt.Errorf("fields after PutField = %+v %v", fs, err)
		}
		deps, err := tx.Dependents("c1")
		if err != nil || len(deps) != 1 || deps[0].ID != "i1" {
			return fmt.Errorf("dependents = %+v %v", deps, err)
		}
		k := &wire.Change{Op: wire.Op{OpID: "k1", Entity: "contact", EntityID: "c1", Kind: wire.KindConflict},
			Conflict: &wire.Conflict{ID: "k1", Field: "name"}}
		if _, err := tx.Append(k, t0); err != nil {
			return err
		}
		ks, err := tx.ConflictsOf("c1")
		if err != nil || len(ks) != 1 || ks[0].Conflict == nil || ks[0].Conflict.Field != "name" {
			return fmt.Errorf("ConflictsOf = %+v %v", ks, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := st.Workspace(ctx)
	if ws.LastSeq != 6 {
		t.Fatalf("last seq %d after 6 appends", ws.LastSeq)
	}
	// A failing Write leaves nothing behind.
	boom := errors.New("boom")
	err = st.Write(ctx, func(tx server.WriteTx) error {
		if _, err := tx.Append(op("op-x", "dev-a", "contact", "c2", "create", 9, map[string]string{"name": `"X"`}), t0); err != nil {
			return err
		}
		if err := tx.PutRecord(server.Record{ID: "c2", Entity: "contact", Owner: "ann", Visibility: "team"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write returned %v", err)
	}
	err = st.Write(ctx, func(tx server.WriteTx) error {
		if _, ok, _ := tx.OpSeq("op-x"); ok {
			return errors.New("rolled-back change is in the log")
		}
		if _, ok, _ := tx.Record("c2"); ok {
			return errors.New("rolled-back record exists")
		}
		if tx.Workspace().LastSeq != 6 {
			return fmt.Errorf("last seq %d after a rollback", tx.Workspace().LastSeq)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testPull(t *testing.T, st server.Storage) {
	ctx := context.Background()
	err := st.Write(ctx, func(tx server.WriteTx) error {
		recs := []server.Record{
			{ID: "team1", Entity: "contact", Owner: "ann", Visibility: "team"},
			{ID: "priv1", Entity: "contact", Owner: "ann", Visibility: "private"},
			{ID: "note1", Entity: "interaction", Owner: "bob", Visibility: "team", Scope: "priv1"},
			{ID: "stage1", Entity: "stage", Visibility: "team"},
		}
		for _, r := range recs {
			if err := tx.PutRecord(r); err != nil {
				return err
			}
		}
		for i, c := range []*wire.Change{
			op("o1", "dev-a", "contact", "team1", "create", 1, map[string]string{"name": `"T"`}),
			op("o2", "dev-a", "contact", "priv1", "create", 2, map[string]string{"name": `"P"`}),
			op("o3", "dev-b", "interaction", "note1", "create", 3, map[string]string{"text": `"n"`}),
			op("o4", "dev-b", "stage", "stage1", "create", 4, map[string]string{"name": `"Lead"`}),
			{Op: wire.Op{OpID: "h1", Entity: "contact", EntityID: "priv1", Kind: wire.KindHide}},
			{Op: wire.Op{OpID: "h2", Entity: "contact", EntityID: "team1", Kind: wire.KindHide}},
			{Op: wire.Op{OpID: "k1", Entity: "contact", EntityID: "priv1", Kind: wire.KindConflict}, Conflict: &wire.Conflict{ID: "k1"}},
		} {
			if _, err := tx.Append(c, t0.Add(time.Duration(i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(cs []server.RawChange) string {
		s := ""
		for _, c := range cs {
			s += c.OpID + " "
		}
		return s
	}
	for _, tc := range []struct {
		name   string
		q      server.PullQuery
		want   string
		wantTo int64
	}{
		{"owner sees private, not own ops", server.PullQuery{Viewer: "ann", Device: "dev-a", Limit: 100}, "o3 o4 k1 ", 7},
		{"teammate", server.PullQuery{Viewer: "bob", Device: "dev-b", Limit: 100}, "o1 h1 ", 7},
		{"third user", server.PullQuery{Viewer: "cy", Device: "dev-c", Limit: 100}, "o1 o4 h1 ", 7},
		{"page", server.PullQuery{Viewer: "cy", Device: "dev-c", Limit: 2}, "o1 o4 ", 4},
		{"after", server.PullQuery{Viewer: "cy", Device: "dev-c", After: 4, Limit: 100}, "h1 ", 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, through, err := st.Pull(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if ids(got) != want || through != tc.wantTo {
				t.Fatalf("Pull = %q through %d; want %q through %d", ids(got), through, want, tc.wantTo)
			}
			for _, c := range got {
				if c.Seq == 0 {
					t.Fatalf("change %s without its seq", c.OpID)
				}
				// The body is what the device gets: the whole change, seq included.
				w, err := c.Decode()
				if err != nil || w.Seq != c.Seq || w.OpID != c.OpID {
					t.Fatalf("change %s at %d: body %s (%v)", c.OpID, c.Seq, c.Body, err)
				}
			}
		})
	}
}

// testConcurrent: 4 writers × 50 appends land as exactly 200 contiguous seqs, and a
// reader following the log with cursors while they write sees each exactly once.
func testConcurrent(t *testing.T, st server.Storage) {
	ctx := context.Background()
	if err := st.Write(ctx, func(tx server.WriteTx) error {
		return tx.PutRecord(server.Record{ID: "c", Entity: "contact", Owner: "ann", Visibility: "team"})
	}); err != nil {
		t.Fatal(err)
	}
	const writers, per = 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	done := make(chan struct{})
	seen := map[string]int{}
	var cursor int64
	go func() {
		defer close(done)
		for {
			page, through, err := st.Pull(ctx, server.PullQuery{After: cursor, Limit: 7, Viewer: "bob", Device: "reader"})
			if err != nil {
				errs <- err
				return
			}
			for _, c := range page {
				if c.Seq <= cursor {
					errs <- fmt.Errorf("seq %d at cursor %d", c.Seq, cursor)
					return
				}
				seen[c.OpID]++
			}
			cursor = through
			if len(seen) == writers*per {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				err := st.Write(ctx, func(tx server.WriteTx) error {
					_, err := tx.Append(op(fmt.Sprintf("w%d-%d", w, i), fmt.Sprintf("dev-%d", w), "contact", "c", "update", uint64(i+1),
						map[string]string{"title": `"x"`}), t0)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case <-done:
	case err := <-errs:
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		t.Fatalf("reader saw %d of %d changes", len(seen), writers*per)
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("change %s seen %d times", id, n)
		}
	}
	ws, _ := st.Workspace(ctx)
	if ws.LastSeq != writers*per {
		t.Fatalf("last seq %d; want %d", ws.LastSeq, writers*per)
	}
	all, _, err := st.Pull(ctx, server.PullQuery{Limit: 1000, Viewer: "bob", Device: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range all {
		if c.Seq != int64(i+1) {
			t.Fatalf("seq %d at position %d: not contiguous", c.Seq, i)
		}
	}
}

// testBulk: the bulk forms read and write what the row-by-row ones do, over more rows
// than one statement of a backend may hold, and AppendAll's seqs follow Append's.
func testBulk(t *testing.T, st server.Storage) {
	ctx := context.Background()
	const n = 700
	var opIDs, recIDs []string
	err := st.Write(ctx, func(tx server.WriteTx) error {
		if _, err := tx.Append(op("first", "dev-a", "contact", "r0", "create", 1, map[string]string{"name": `"0"`}), t0); err != nil {
			return err
		}
		var cs []*wire.Change
		var rs []server.Record
		var fs []server.FieldRow
		for i := range n {
			id, rec := fmt.Sprintf("op%d", i), fmt.Sprintf("r%d", i)
			opIDs, recIDs = append(opIDs, id), append(recIDs, rec)
			cs = append(cs, op(id, "dev-a", "contact", rec, "create", uint64(i+2), map[string]string{"name": fmt.Sprintf(`"%d"`, i)}))
			rs = append(rs, server.Record{ID: rec, Entity: "contact", Owner: "ann", Visibility: "team", CreatedHLC: uint64(i + 2), CreatedDevice: "dev-a"})
			for _, f := range []string{"name", "title"} {
				fs = append(fs, server.FieldRow{Record: rec, Name: f, Field: server.Field{Value: json.RawMessage(fmt.Sprintf(`"%s %d"`, f, i)),
					HLC: uint64(i + 2), Device: "dev-a", User: "ann", OpID: id}})
			}
		}
		if err := tx.AppendAll(cs, t0); err != nil {
			return err
		}
		for i, c := range cs {
			if c.Seq != int64(i+2) {
				return fmt.Errorf("AppendAll gave change %d seq %d; want %d", i, c.Seq, i+2)
			}
		}
		if tx.Workspace().LastSeq != n+1 {
			return fmt.Errorf("last seq %d after AppendAll; want %d", tx.Workspace().LastSeq, n+1)
		}
		if err := tx.PutRecords(rs); err != nil {
			return err
		}
		if err := tx.PutFieldRows(fs); err != nil {
			return err
		}
		// Replacing: the second write of a row wins.
		rs[5].Visibility = "private"
		if err := tx.PutRecords(rs[5:6]); err != nil {
			return err
		}
		fs[0].Field.Value = json.RawMessage(`"renamed"`)
		return tx.PutFieldRows(fs[:1])
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Write(ctx, func(tx server.WriteTx) error {
		seqs, err := tx.OpSeqs(append(opIDs, "first", "missing"))
		if err != nil {
			return err
		}
		if len(seqs) != n+1 || seqs["first"] != 1 || seqs["op0"] != 2 || seqs[opIDs[n-1]] != n+1 {
			return fmt.Errorf("OpSeqs: %d found, first %d, op0 %d", len(seqs), seqs["first"], seqs["op0"])
		}
		if err := tx.Reject(wire.Rejection{OpID: "op3", Code: wire.RejectForbidden, Reason: "no"}, "dev-a", t0); err != nil {
			return err
		}
		rejs, err := tx.Rejections(opIDs)
		if err != nil {
			return err
		}
		if len(rejs) != 1 || rejs["op3"].Code != wire.RejectForbidden {
			return fmt.Errorf("rejections: %+v", rejs)
		}
		recs, err := tx.Records(append(recIDs, "nope"))
		if err != nil {
			return err
		}
		if len(recs) != n || recs["r5"].Visibility != "private" || recs["r6"].Visibility != "team" || recs["r9"].CreatedHLC != 11 {
			return fmt.Errorf("records: %d found, r5 %+v", len(recs), recs["r5"])
		}
		fields, err := tx.Fields("r0")
		if err != nil {
			return err
		}
		if string(fields["name"].Value) != `"renamed"` || string(fields["title"].Value) != `"title 0"` || fields["title"].OpID != "op0" {
			return fmt.Errorf("Fields(r0) = %+v", fields)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	page, _, err := st.Pull(ctx, server.PullQuery{Limit: 1000, Viewer: "ann", Device: "other"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != n+1 {
		t.Fatalf("pulled %d changes; want %d", len(page), n+1)
	}
	for i, c := range page {
		w, err := c.Decode()
		if err != nil || w.Seq != int64(i+1) || c.Seq != w.Seq {
			t.Fatalf("change %d: seq %d, body %s (%v)", i, c.Seq, c.Body, err)
		}
	}
}
