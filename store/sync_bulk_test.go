package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// TestSync_BulkApplyMatchesOneByOne: the changes of a busy device (companies, contacts
// with emails and tags, deals, follow-ups, timeline entries with amendments and
// redactions, merges), delivered in order and out of order, in pages of many sizes,
// leave a database exactly as applying them one at a time does: every table, op log
// included.
func TestSync_BulkApplyMatchesOneByOne(t *testing.T) {
	ctx := context.Background()
	clk := newClock(t0)
	src := mustOpen(t, store.Options{Now: clk.Now, Owner: "ann"})
	noErr(t, src.PrepareJoin(ctx, "ann"))
	r := rand.New(rand.NewPCG(1, 2))
	var contacts []string
	var entries []*store.Interaction
	for i := range 6 {
		clk.Add(time.Second)
		_, err := src.CreateCompany(ctx, store.CompanyInput{Name: fmt.Sprintf("Company %d", i)})
		noErr(t, err)
	}
	for i := range 60 {
		clk.Add(time.Second)
		in := store.ContactInput{Name: fmt.Sprintf("Person %d Tester", i), Title: []string{"", "CEO", "CTO"}[i%3],
			Company: fmt.Sprintf("Company %d", i%6)}
		if i%2 == 0 {
			in.Emails = []store.Email{{Email: fmt.Sprintf("p%d@example.com", i), Label: "work"}}
			in.Tags = []string{"vip"}
		}
		c, err := src.CreateContact(ctx, in)
		noErr(t, err)
		contacts = append(contacts, c.ID)
		for range r.IntN(4) {
			clk.Add(time.Minute)
			e, err := src.LogInteraction(ctx, store.InteractionInput{Kind: []string{"call", "email", "note"}[r.IntN(3)],
				Text: "talked", ContactID: contacts[r.IntN(len(contacts))]})
			noErr(t, err)
			entries = append(entries, e)
		}
		if i%7 == 3 && len(entries) > 0 {
			clk.Add(time.Second)
			k := r.IntN(len(entries))
			a, err := src.AmendInteraction(ctx, entries[k].ID, "amended")
			noErr(t, err)
			entries[k] = a
		}
		if i%11 == 5 && len(entries) > 0 {
			clk.Add(time.Second)
			k := r.IntN(len(entries))
			noErr(t, src.RedactInteraction(ctx, entries[k].ID))
			entries = append(entries[:k], entries[k+1:]...)
		}
		if i%13 == 12 {
			clk.Add(time.Second)
			_, err := src.MergeRecords(ctx, contacts[i-1], contacts[i-2])
			noErr(t, err)
		}
		if i%5 == 0 {
			clk.Add(time.Second)
			_, err := src.AddFollowUp(ctx, store.FollowUpInput{Title: "call back", DueAt: t0.Add(48 * time.Hour), ContactID: c.ID})
			noErr(t, err)
			_, err = src.CreateDeal(ctx, store.DealInput{Title: fmt.Sprintf("Deal %d", i), ContactID: c.ID, Company: fmt.Sprintf("Company %d", i%6)})
			noErr(t, err)
		}
	}
	changes := toRemote(t, src, "ann")
	// An amendment naming another contact than its entry's, an op delivered twice, a
	// field no record has (parked).
	for i, c := range changes {
		if c.Entity == store.EntityInteraction && c.Kind == store.OpCreate && len(c.Fields["supersedes"]) > 4 && i%2 == 0 {
			b, _ := json.Marshal(contacts[i%len(contacts)])
			changes[i].Fields["contact_id"] = b
		}
	}
	changes = append(changes, changes[len(changes)/2])
	bad := changes[len(changes)/3]
	bad.OpID += "-bad"
	bad.EntityID = store.NewID()
	bad.Fields = map[string]json.RawMessage{"no_such_field": []byte(`1`)}
	changes = append(changes, bad)
	// A create that fails only when written (the schema refuses its kind): a run holding
	// it is taken back and applied one by one.
	for _, c := range changes {
		if c.Entity == store.EntityInteraction && c.Kind == store.OpCreate {
			c.OpID += "-bogus"
			c.EntityID = store.NewID()
			c.Fields = map[string]json.RawMessage{"kind": []byte(`"bogus"`), "occurred_at": c.Fields["occurred_at"],
				"owner": c.Fields["owner"], "visibility": c.Fields["visibility"], "created_at": c.Fields["created_at"]}
			changes = append(changes[:len(changes)/4], append([]store.RemoteChange{c}, changes[len(changes)/4:]...)...)
			break
		}
	}
	t.Logf("%d changes", len(changes))

	shuffled := append([]store.RemoteChange(nil), changes...)
	for i := 0; i+30 <= len(shuffled); i += 30 {
		w := shuffled[i : i+30]
		r.Shuffle(len(w), func(a, b int) { w[a], w[b] = w[b], w[a] })
	}
	for name, list := range map[string][]store.RemoteChange{"in order": changes, "shuffled": shuffled} {
		t.Run(name, func(t *testing.T) {
			empty := filepath.Join(t.TempDir(), "empty.db")
			db := mustOpenPath(t, empty, store.Options{Now: clk.Now, Owner: "bob"})
			noErr(t, db.PrepareJoin(ctx, "bob"))
			noErr(t, db.Close())
			var dumps []string
			for _, runMin := range []int{1 << 30, 2, 16} {
				path := filepath.Join(t.TempDir(), "bob.db")
				copyDB(t, empty, path)
				db := mustOpenPath(t, path, store.Options{Now: clk.Now, Owner: "bob"})
				restore := store.SetBulkRunMin(runMin)
				var total store.ApplyResult
				for i, page := 0, 1; i < len(list); page = page*2 + 1 {
					end := min(i+page, len(list))
					res, err := db.ApplyPulled(ctx, list[i:end], map[string]string{store.SyncCursor: fmt.Sprintf("v1.a.%d", end)},
						store.PullOptions{DeferSearch: runMin == 2})
					noErr(t, err)
					total.Applied += res.Applied
					total.Skipped += res.Skipped
					total.Parked += res.Parked
					i = end
				}
				noErr(t, db.FinishPull(ctx))
				restore()
				if total.Parked != 2 || total.Applied < len(changes)*9/10 {
					t.Errorf("run min %d: %+v", runMin, total)
				}
				checkHealthy(t, db)
				dumps = append(dumps, fmt.Sprintf("%+v\n", total)+dump(t, db)+searchDump(t, db)+
					dumpQuery(t, db, "SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
			}
			for i := 1; i < len(dumps); i++ {
				if dumps[i] != dumps[0] {
					t.Fatalf("bulk apply differs from one by one:\n%s", diffLines(dumps[0], dumps[i]))
				}
			}
		})
	}
}

// searchDump lists what a few searches find.
func searchDump(t *testing.T, db *store.DB) string {
	var out string
	for _, q := range []string{"person", "tester", "company", "talked", "amended", "deal", "call"} {
		res, err := db.Search(context.Background(), q, 1000)
		noErr(t, err)
		out += fmt.Sprintf("%s: %d\n", q, len(res))
	}
	return out
}

func copyDB(t *testing.T, from, to string) {
	src, err := os.Open(from)
	noErr(t, err)
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	noErr(t, err)
	_, err = io.Copy(dst, src)
	noErr(t, err)
	noErr(t, dst.Close())
}

// TestSync_FirstPullTouchesLater: the last-touched times a first pull leaves to later are
// set by FinishPull, or first by a transaction outside the pull that applies changes
// (here an ApplyRemote), to what the source device has.
func TestSync_FirstPullTouchesLater(t *testing.T) {
	ctx := context.Background()
	clk := newClock(t0)
	src := mustOpen(t, store.Options{Now: clk.Now, Owner: "ann"})
	noErr(t, src.PrepareJoin(ctx, "ann"))
	c, err := src.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace"})
	noErr(t, err)
	for i := range 20 {
		clk.Add(time.Minute)
		_, err := src.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: fmt.Sprintf("call %d", i), ContactID: c.ID})
		noErr(t, err)
	}
	want, err := src.FindContactByID(ctx, c.ID)
	noErr(t, err)
	if want.LastTouchedAt == nil {
		t.Fatal("the source contact was never touched")
	}
	changes := toRemote(t, src, "ann")
	for _, finish := range []string{"FinishPull", "ApplyRemote"} {
		t.Run(finish, func(t *testing.T) {
			db := mustOpen(t, store.Options{Now: clk.Now, Owner: "bob"})
			noErr(t, db.PrepareJoin(ctx, "bob"))
			_, err := db.ApplyPulled(ctx, changes, map[string]string{store.SyncCursor: "v1.a.1"}, store.PullOptions{DeferSearch: true})
			noErr(t, err)
			if got, err := db.FindContactByID(ctx, c.ID); err != nil || got.LastTouchedAt != nil {
				t.Fatalf("the pull touched the contact at once (%v, %v): nothing left to later", got.LastTouchedAt, err)
			}
			if finish == "ApplyRemote" {
				_, err = db.ApplyRemote(ctx, nil, map[string]string{})
			} else {
				err = db.FinishPull(ctx)
			}
			noErr(t, err)
			got, err := db.FindContactByID(ctx, c.ID)
			noErr(t, err)
			if got.LastTouchedAt == nil || !got.LastTouchedAt.Equal(*want.LastTouchedAt) {
				t.Errorf("last touched %v, want %v", got.LastTouchedAt, want.LastTouchedAt)
			}
			noErr(t, db.FinishPull(ctx))
			got, err = db.FindContactByID(ctx, c.ID)
			noErr(t, err)
			if got.LastTouchedAt == nil || !got.LastTouchedAt.Equal(*want.LastTouchedAt) {
				t.Errorf("after FinishPull: last touched %v, want %v", got.LastTouchedAt, want.LastTouchedAt)
			}
		})
	}
}
