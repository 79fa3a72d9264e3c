package client_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/client"
	"github.com/rolo-crm/rolo/sync/internal/synctest"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/wire"
)

// The convergence test: five devices of four users (ann has two) make random offline
// edits over a small shared set of records, with skewed clocks (one device two hours
// fast), syncing in random order and in part (push only, pull only), through a transport
// that loses, duplicates or reorders 10% of requests. After two quiet rounds every
// device's export of the team's data is byte-identical and equals the server's; every op
// is on the server or parked with a reason; the server's values are the fold of its log;
// and every value overwritten by a concurrent edit is in a conflict record.
//
// ROLO_SYNC_SEEDS sets the number of seeds (default 25; 4 under -race, 5 with -short; CI runs 200),
// ROLO_SYNC_OPS the ops per device (default 200), ROLO_SYNC_SEED runs one seed.

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func TestConvergence(t *testing.T) {
	seeds := envInt("ROLO_SYNC_SEEDS", defaultSeeds)
	if testing.Short() && os.Getenv("ROLO_SYNC_SEEDS") == "" {
		seeds = 5
	}
	ops := envInt("ROLO_SYNC_OPS", 200)
	first := uint64(1)
	if s := os.Getenv("ROLO_SYNC_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("ROLO_SYNC_SEED=%q", s)
		}
		first, seeds = n, 1
	}
	start := time.Now()
	for i := range seeds {
		seed := first + uint64(i)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			defer func() {
				if t.Failed() {
					t.Logf("seed %d failed; rerun it alone: ROLO_SYNC_SEED=%d go test ./sync/client -run TestConvergence -v", seed, seed)
				}
			}()
			converge(t, seed, ops, synctest.NewTeam)
		})
	}
	t.Cleanup(func() {
		t.Logf("%d seeds × 5 devices × %d ops in %v", seeds, ops, time.Since(start).Round(time.Millisecond))
	})
}

// world is one seed's team.
type world struct {
	t      *testing.T
	r      *rand.Rand
	tm     *synctest.Team
	devs   []*dev
	clock  atomic.Int64 // base time, Unix ms
	stages []string
}

type dev struct {
	*synctest.Device
	faulty *synctest.Faulty
	n      int // ops made
}

func (w *world) now() time.Time { return time.UnixMilli(w.clock.Load()).UTC() }

func converge(t *testing.T, seed uint64, opsPer int, newTeam func(testing.TB, server.Config) *synctest.Team) {
	ctx := context.Background()
	w := &world{t: t, r: rand.New(rand.NewPCG(seed, 1))}
	w.clock.Store(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixMilli())
	w.tm = newTeam(t, server.Config{Rate: 1e6, Burst: 1e6, AuthFailures: 1e6, Now: w.now})
	users := []string{"ann", "ann", "bob", "cy", "dee"}
	for i, u := range users {
		skew := time.Duration(w.r.IntN(20*60)-10*60) * time.Second // ±10 min
		if i == 3 {
			skew = 2 * time.Hour // one device's clock is hours fast
		}
		f := synctest.NewFaulty(seed*10+uint64(i), 0)
		d := w.tm.Join(u, i == 0, store.Options{Owner: u, Now: func() time.Time { return w.now().Add(skew) }}, f)
		w.devs = append(w.devs, &dev{Device: d, faulty: f})
	}
	// The shared set: a few records everyone has before going offline.
	d0 := w.devs[0]
	for i := range 4 {
		if _, err := d0.DB.CreateCompany(ctx, store.CompanyInput{Name: fmt.Sprintf("Company %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 8 {
		in := store.ContactInput{Name: fmt.Sprintf("Person %d", i), Company: fmt.Sprintf("Company %d", i%4), Tags: []string{"shared"}}
		c, err := d0.DB.CreateContact(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := d0.DB.CreateDeal(ctx, store.DealInput{Title: fmt.Sprintf("Deal %d", i), ContactID: c.ID, Value: 1000}); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.quiet(ctx)
	for _, s := range mustStages(t, d0.DB) {
		w.stages = append(w.stages, s.Name)
	}
	// Offline work, random syncs, a faulty network.
	for _, d := range w.devs {
		d.faulty.SetRate(0.10)
	}
	total := opsPer * len(w.devs)
	for made := 0; made < total; {
		d := w.devs[w.r.IntN(len(w.devs))]
		if d.n < opsPer {
			w.step(ctx, d)
			d.n++
			made++
		}
		w.clock.Add(int64(200 + w.r.IntN(3000)))
		if w.r.IntN(12) == 0 {
			s := w.devs[w.r.IntN(len(w.devs))]
			var rep client.Report
			switch w.r.IntN(3) {
			case 0:
				s.Client.SyncNow(ctx)
			case 1:
				s.Client.PushOnce(ctx, &rep)
			case 2:
				s.Client.PullOnce(ctx, &rep)
			}
		}
	}
	for _, d := range w.devs {
		d.faulty.SetRate(0)
	}
	w.quiet(ctx)
	w.check(ctx, seed)
}

// quiet runs two rounds of complete syncs on a good network.
func (w *world) quiet(ctx context.Context) {
	for round := 0; round < 2; round++ {
		for _, d := range w.devs {
			if _, err := d.Client.SyncNow(ctx); err != nil {
				w.t.Fatalf("quiet sync of %s: %v", d.User, err)
			}
		}
	}
}

func mustStages(t *testing.T, db *store.DB) []store.Stage {
	s, err := db.Stages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pick returns a random id of the device's records of table (any record, deleted too,
// when all), or "".
func (w *world) pick(d *dev, table, where string) string {
	q := "SELECT id FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	rows, err := d.DB.SQL().Query(q + " ORDER BY id")
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return ""
	}
	return ids[w.r.IntN(len(ids))]
}

// kinds of random operation; adding one is one entry here and one case in step.
var kinds = []struct {
	name   string
	weight int
}{
	{"create", 8}, {"edit", 25}, {"delete", 4}, {"restore", 4}, {"merge", 3}, {"unmerge", 3},
	{"tag", 10}, {"log", 12}, {"amend", 4}, {"redact", 3}, {"followup", 4}, {"deal", 8}, {"visibility", 4},
	{"undo", 4},
}

func (w *world) kind() string {
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	n := w.r.IntN(total)
	for _, k := range kinds {
		if n < k.weight {
			return k.name
		}
		n -= k.weight
	}
	return kinds[0].name
}

var words = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}

func (w *world) word() string { return words[w.r.IntN(len(words))] }

// step makes one random operation on d. Operations the store refuses (a deal already in
// that stage, a record already deleted) are part of life and change nothing.
func (w *world) step(ctx context.Context, d *dev) {
	db := d.DB
	mine := fmt.Sprintf("owner = '%s'", d.User)
	switch w.kind() {
	case "create":
		vis := "team"
		if w.r.IntN(8) == 0 {
			vis = "private"
		}
		if w.r.IntN(3) == 0 {
			db.CreateCompany(ctx, store.CompanyInput{Name: "Co " + w.word(), Visibility: vis})
		} else {
			in := store.ContactInput{Name: "New " + w.word(), Visibility: vis}
			if co := w.pick(d, "companies", "deleted_at IS NULL"); co != "" && w.r.IntN(2) == 0 {
				in.Company = co
			}
			db.CreateContact(ctx, in)
		}
	case "edit":
		if w.r.IntN(3) == 0 {
			if id := w.pick(d, "companies", ""); id != "" {
				dom, notes := w.word()+".example", w.word()
				db.UpdateCompany(ctx, id, store.CompanyUpdate{Domain: &dom, Notes: &notes})
			}
			return
		}
		id := w.pick(d, "contacts", "")
		if id == "" {
			return
		}
		u := store.ContactUpdate{}
		switch w.r.IntN(5) {
		case 0:
			s := w.word()
			u.Title = &s
		case 1:
			s := w.word() + " " + w.word()
			u.Notes = &s
		case 2:
			u.AddEmails = []store.Email{{Email: w.word() + "@x.example"}}
		case 3:
			u.AddPhones = []store.Phone{{Phone: fmt.Sprintf("+1 555 %04d", w.r.IntN(10000))}}
		case 4:
			n := 1 + w.r.IntN(30)
			u.CadenceDays = &n
		}
		db.UpdateContact(ctx, id, u)
	case "delete":
		if id := w.pick(d, "contacts", "deleted_at IS NULL"); id != "" {
			db.DeleteContact(ctx, id)
		}
	case "restore":
		if id := w.pick(d, "contacts", "deleted_at IS NOT NULL"); id != "" {
			db.RestoreContact(ctx, id)
		}
	case "merge":
		// rolo merge: merged_into on the absorbed record and the survivor's picks, in one
		// change group. A refusal (a deleted record, a merge chain) is a no-op.
		a, b := w.pick(d, "contacts", "merged_into IS NULL"), w.pick(d, "contacts", "merged_into IS NULL")
		if a != "" && b != "" && a != b {
			db.MergeRecords(ctx, b, a)
		}
	case "unmerge":
		if id := w.pick(d, "contacts", "merged_into IS NOT NULL"); id != "" {
			db.Unmerge(ctx, id)
		}
	case "tag":
		if id := w.pick(d, "contacts", ""); id != "" {
			tag := []string{w.word()}
			if w.r.IntN(2) == 0 {
				db.UpdateContact(ctx, id, store.ContactUpdate{AddTags: tag})
			} else {
				db.UpdateContact(ctx, id, store.ContactUpdate{RemoveTags: tag})
			}
		}
	case "log":
		in := store.InteractionInput{Kind: store.InteractionKinds[w.r.IntN(len(store.InteractionKinds))], Text: w.word() + " " + w.word()}
		if w.r.IntN(4) == 0 {
			in.DealID = w.pick(d, "deals", "")
		} else {
			in.ContactID = w.pick(d, "contacts", "")
		}
		if in.DealID != "" || in.ContactID != "" {
			db.LogInteraction(ctx, in)
		}
	case "amend":
		if id := w.pick(d, "interactions", "redacted = 0 AND superseded_by IS NULL AND kind IN ('call','email','meeting','note','message')"); id != "" {
			db.AmendInteraction(ctx, id, "amended "+w.word())
		}
	case "redact":
		if id := w.pick(d, "interactions", "redacted = 0 AND superseded_by IS NULL AND kind IN ('call','email','meeting','note','message')"); id != "" {
			db.RedactInteraction(ctx, id)
		}
	case "followup":
		if w.r.IntN(2) == 0 {
			if id := w.pick(d, "contacts", "deleted_at IS NULL"); id != "" {
				db.AddFollowUp(ctx, store.FollowUpInput{Title: "call " + w.word(), DueAt: w.now().Add(48 * time.Hour), ContactID: id})
			}
		} else if id := w.pick(d, "follow_ups", "done_at IS NULL"); id != "" {
			db.CompleteFollowUp(ctx, id)
		}
	case "deal":
		switch w.r.IntN(4) {
		case 0:
			if c := w.pick(d, "contacts", "deleted_at IS NULL"); c != "" {
				db.CreateDeal(ctx, store.DealInput{Title: "Deal " + w.word(), ContactID: c, Value: int64(w.r.IntN(100)) * 100})
			}
		case 1, 2:
			if id := w.pick(d, "deals", "status = 'open'"); id != "" {
				db.MoveDeal(ctx, id, w.stages[w.r.IntN(len(w.stages))])
			}
		case 3:
			if id := w.pick(d, "deals", ""); id != "" {
				db.CloseDeal(ctx, id, []string{store.StatusWon, store.StatusLost, store.StatusOpen}[w.r.IntN(3)], w.word())
			}
		}
	case "undo":
		// Undo writes new ops that restore this device's last change group (refused when
		// nothing is left or the record went away, like any other operation).
		db.Undo(ctx)
	case "visibility":
		// Only the owner turns a record private or back (the server refuses others).
		vis := []string{"private", "team"}[w.r.IntN(2)]
		if w.r.IntN(2) == 0 {
			if id := w.pick(d, "contacts", mine); id != "" {
				db.UpdateContact(ctx, id, store.ContactUpdate{Visibility: &vis})
			}
		} else if id := w.pick(d, "deals", mine); id != "" {
			db.UpdateDeal(ctx, id, store.DealUpdate{Visibility: &vis})
		}
	}
}

func (w *world) check(ctx context.Context, seed uint64) {
	t := w.t
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d: "+format, append([]any{seed}, args...)...)
	}
	exports := make([]string, len(w.devs))
	for i, d := range w.devs {
		var b bytes.Buffer
		if err := d.DB.SyncExport(ctx, &b, store.ExportOptions{TeamOnly: true, Derived: true}); err != nil {
			t.Fatal(err)
		}
		exports[i] = b.String()
		if i > 0 && exports[i] != exports[0] {
			fail("device %d (%s) and device 0 differ:\n%s\n%s", i, d.User, diff(exports[0], exports[i]), w.describe(ctx))
		}
	}
	var plain bytes.Buffer
	if err := w.devs[0].DB.SyncExport(ctx, &plain, store.ExportOptions{TeamOnly: true}); err != nil {
		t.Fatal(err)
	}
	if srv := w.tm.Export(t); srv != plain.String() {
		fail("the server's export and device 0's differ:\n%s", diff(srv, plain.String()))
	}
	if plain.Len() < 1000 {
		fail("suspiciously little data: %q", plain.String())
	}
	log := w.tm.Log(t)
	onServer := map[string]bool{}
	// The skew guard: the device hours fast had its changes re-stamped, so nothing in
	// the log is stamped past the server's clock by more than it accepts.
	limit := uint64(store.MakeHLC(w.now().Add(wire.MaxClockAhead).UnixMilli(), 0))
	for _, c := range log {
		if c.HLC > limit {
			fail("change %s is stamped %s, ahead of the server's clock", c.OpID, store.HLC(c.HLC).Time())
		}
		onServer[c.OpID] = true
	}
	// No op lost: each is on the server or parked with a reason.
	for _, d := range w.devs {
		parked := map[string]string{}
		ps, err := d.DB.ParkedOps(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.Direction == "pull" {
				fail("%s could not apply a pulled change: %+v", d.User, p)
			}
			parked[p.OpID] = p.Code + ": " + p.Reason
		}
		pending, _, err := d.DB.PendingOps(ctx, 1)
		if err != nil || len(pending) != 0 {
			fail("%s still has unsent ops: %v %v", d.User, pending, err)
		}
		rows, err := d.DB.SQL().Query("SELECT op_id, entity FROM ops WHERE device = ? AND entity <> 'group'", d.DB.Device())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var id, entity string
			rows.Scan(&id, &entity)
			n++
			if !onServer[id] && parked[id] == "" {
				rows.Close()
				fail("%s's op %s (%s) is neither on the server nor parked", d.User, id, entity)
			}
		}
		rows.Close()
		if n == 0 {
			fail("%s made no ops", d.User)
		}
	}
	// The server's values are the fold of its log: the latest clock of each field.
	type write struct {
		val  string
		hlc  uint64
		dev  string
		op   string
		base string
	}
	latest := map[string]write{}
	writes := map[string][]write{}
	losers := map[string]bool{} // record/field/loser op, and record/field=loser value
	for _, c := range log {
		switch c.Kind {
		case wire.KindConflict:
			losers[c.EntityID+"/"+c.Conflict.Field+"/"+c.Conflict.Loser.OpID] = true
			losers[c.EntityID+"/"+c.Conflict.Field+"="+string(wire.CanonicalJSON(c.Conflict.Loser.Value))] = true
			continue
		case wire.KindShow, wire.KindHide:
			continue
		}
		for f, v := range c.Fields {
			k := c.EntityID + "/" + f
			wr := write{string(wire.CanonicalJSON(v)), c.HLC, c.Device, c.OpID, c.Base[f]}
			writes[k] = append(writes[k], wr)
			if cur, ok := latest[k]; !ok || wire.Later(wr.hlc, wr.dev, cur.hlc, cur.dev) {
				latest[k] = wr
			}
		}
	}
	fields := w.tm.Fields(t)
	for k, wr := range latest {
		if got, want := fields[k], wr.val+" "+strconv.FormatUint(wr.hlc, 10)+"@"+wr.dev; got != want {
			fail("server field %s is %s; the fold of the log says %s", k, got, want)
		}
	}
	// Nobody loses a word: every value written is the current one, was seen by whoever
	// overwrote it, equals one of those, or is kept as a conflict record.
	conflicts := 0
	for k, ws := range writes {
		seen := map[string]bool{latest[k].val: true}
		for _, a := range ws {
			for _, b := range ws {
				if b.base == wire.Clock(a.hlc, a.dev) {
					seen[a.val] = true
				}
			}
		}
		for _, a := range ws {
			if seen[a.val] || a.val == "null" || a.val == `""` || len(k) > 11 && k[len(k)-11:] == "/created_at" {
				continue
			}
			if !losers[k+"/"+a.op] && !losers[k+"="+a.val] {
				var b bytes.Buffer
				for _, x := range ws {
					fmt.Fprintf(&b, "  %s %d@%s base %s op %s\n", x.val, x.hlc, x.dev[len(x.dev)-4:], x.base, x.op)
				}
				fail("value %s of %s (op %s) was overwritten by a concurrent edit and is in no conflict record; writes:\n%s", a.val, k, a.op, b.String())
			}
			conflicts++
		}
	}
	t.Logf("seed %d: %d changes on the server, %d conflict records checked; faults %s", seed, len(log), conflicts, w.faults())
}

// describe lists the devices and what they parked, for failure messages.
func (w *world) describe(ctx context.Context) string {
	var b bytes.Buffer
	for i, d := range w.devs {
		ps, _ := d.DB.ParkedOps(ctx)
		fmt.Fprintf(&b, "device %d %s %s: %d parked\n", i, d.User, d.DB.Device(), len(ps))
		for _, p := range ps {
			fmt.Fprintf(&b, "  %s %s %s %s: %s\n", p.Direction, p.Entity, p.EntityID, p.Code, p.Reason)
		}
	}
	return b.String()
}

func (w *world) faults() string {
	lost, answers, dup, re := 0, 0, 0, 0
	for _, d := range w.devs {
		lost += d.faulty.Lost
		answers += d.faulty.LostAnswers
		dup += d.faulty.Duplicated
		re += d.faulty.Reordered
	}
	return fmt.Sprintf("lost %d, answers lost %d, duplicated %d, reordered %d", lost, answers, dup, re)
}

// diff shows the first differing lines of two exports.
func diff(a, b string) string {
	la, lb := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	var out bytes.Buffer
	shown := 0
	for i := 0; i < max(len(la), len(lb)) && shown < 6; i++ {
		var x, y []byte
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if !bytes.Equal(x, y) {
			fmt.Fprintf(&out, "line %d:\n- %s\n+ %s\n", i+1, x, y)
			shown++
		}
	}
	fmt.Fprintf(&out, "(%d and %d lines)", len(la), len(lb))
	return out.String()
}
