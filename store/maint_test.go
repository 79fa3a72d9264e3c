package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

func TestDB_Backup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		dest := filepath.Join(t.TempDir(), "copy.db")
		noErr(t, f.db.Backup(ctx, dest))
		want := must[store.Counts](t)(f.db.Count(ctx))
		b := mustOpenPath(t, dest)
		if got := must[store.Counts](t)(b.Count(ctx)); got != want {
			t.Errorf("backup counts %+v, want %+v", got, want)
		}
		if b.Device() != f.db.Device() {
			t.Errorf("backup device %s, want %s", b.Device(), f.db.Device())
		}
		if b.Migrated != nil {
			t.Errorf("opening a backup migrated it: %+v", b.Migrated)
		}
		checkHealthy(t, b)
		if !found(t, b, "bernoulli", f.entry.ID) {
			t.Errorf("the backup's search index is empty")
		}
	})
	t.Run("RefusesToOverwrite", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		dest := filepath.Join(t.TempDir(), "precious.txt")
		noErr(t, os.WriteFile(dest, []byte("keep me"), 0o644))
		err := f.db.Backup(ctx, dest)
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("err = %v", err)
		}
		if b, _ := os.ReadFile(dest); string(b) != "keep me" {
			t.Errorf("the existing file was overwritten")
		}
		noErr(t, f.db.Backup(ctx, filepath.Join(filepath.Dir(dest), "ok.db")))
		err = f.db.Backup(ctx, filepath.Join(filepath.Dir(dest), "ok.db"))
		if err == nil {
			t.Errorf("second backup to the same name succeeded")
		}
	})
	t.Run("MissingDirectory", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		err := f.db.Backup(ctx, filepath.Join(t.TempDir(), "no", "copy.db"))
		if err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestDB_Check(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("Healthy", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		checkHealthy(t, f.db)
		checkHealthy(t, mustOpen(t))
	})
	for _, tc := range []struct {
		name   string
		break_ func(t *testing.T, f *fixture)
		want   string
	}{
		{"SearchRowMissing", func(t *testing.T, f *fixture) {
			execSQL(t, f.db, "DELETE FROM contacts_fts WHERE rowid = (SELECT rowid FROM contacts WHERE id = ?)", f.contact.ID)
		}, "1 contacts missing from or extra in the search index"},
		{"TimelineSearchRowMissing", func(t *testing.T, f *fixture) {
			execSQL(t, f.db, "DELETE FROM interactions_fts WHERE rowid = (SELECT rowid FROM interactions WHERE id = ?)", f.entry.ID)
		}, "1 timeline entries missing from or extra in the search index"},
		{"DealSearchRowMissing", func(t *testing.T, f *fixture) {
			execSQL(t, f.db, "DELETE FROM deals_fts")
		}, "1 deals missing from or extra in the search index"},
		{"TimelineWordMissing", func(t *testing.T, f *fixture) {
			execSQL(t, f.db, "DELETE FROM interaction_terms WHERE term = 'bernoulli'")
		}, "1 words of the timeline's search index missing from interaction_terms"},
		{"ActivityCountOff", func(t *testing.T, f *fixture) {
			execSQL(t, f.db, "UPDATE activity_hours SET n = n + 1")
		}, "hours whose activity counts differ from the timeline"},
		{"NameNotFirstPlusLast", func(t *testing.T, f *fixture) {
			execSQL(t, f.db, "UPDATE contacts SET name = 'Someone Else' WHERE id = ?", f.contact.ID)
		}, "1 contacts whose name is not first + last name"},
		{"RecordWithoutCreateOp", func(t *testing.T, f *fixture) {
			execSQL(t, f.db, "DELETE FROM ops WHERE entity_id = ? AND kind = 'create'", f.deal.ID)
		}, "1 records with no create op in the op log"},
		{"OpWithoutGroup", func(t *testing.T, f *fixture) {
			execSQL(t, f.db, "DELETE FROM op_groups WHERE seq = (SELECT max(seq) FROM op_groups)")
		}, "1 ops that belong to no change group"},
		{"ClockBehindOps", func(t *testing.T, f *fixture) {
			execSQL(t, f.db, "UPDATE meta SET value = '1' WHERE key = 'hlc'")
		}, "records or ops with a clock ahead of the stored clock"},
		{"WonWithoutCloseTime", func(t *testing.T, f *fixture) {
			execSQL(t, f.db, "UPDATE deals SET status = 'won' WHERE id = ?", f.deal.ID)
		}, "1 closed deals without a close time, or open deals with one"},
		{"FollowUpWithoutLink", func(t *testing.T, f *fixture) {
			execSQL(t, f.db, "UPDATE follow_ups SET contact_id = NULL WHERE id = ?", f.followUp.ID)
		}, "records linked to a missing contact, company, deal or stage"},
		{"DanglingForeignKey", func(t *testing.T, f *fixture) {
			conn, err := f.db.SQL().Conn(ctx)
			noErr(t, err)
			defer conn.Close()
			_, err = conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF")
			noErr(t, err)
			_, err = conn.ExecContext(ctx, "UPDATE contacts SET company_id = 'no-such-company' WHERE id = ?", f.contact.ID)
			noErr(t, err)
			_, err = conn.ExecContext(ctx, "PRAGMA foreign_keys = ON")
			noErr(t, err)
		}, "a row of contacts points to a missing companies row"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.break_(t, f)
			probs, err := f.db.Check(ctx)
			noErr(t, err)
			var all []string
			for _, p := range probs {
				all = append(all, p.Check+": "+p.Detail)
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Errorf("Check = %q, want a problem saying %q", all, tc.want)
			}
		})
	}
	t.Run("RebuildSearchRepairs", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		execSQL(t, f.db, "DELETE FROM contacts_fts")
		execSQL(t, f.db, "DELETE FROM interactions_fts")
		if probs := must[[]store.Problem](t)(f.db.Check(ctx)); len(probs) != 2 {
			t.Errorf("problems = %+v", probs)
		}
		noErr(t, f.db.RebuildSearch(ctx))
		checkHealthy(t, f.db)
		wantFound(t, f.db, "lovelace", f.contact.ID)
	})
}

func execSQL(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.SQL().Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestDB_Count(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	got := must[store.Counts](t)(f.db.Count(ctx))
	ops, _ := opCounts(t, f.db)
	want := store.Counts{Contacts: 1, Companies: 1, Deals: 1, OpenDeals: 1, Interactions: 1, FollowUps: 1, Ops: ops}
	if got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	must[*store.Deal](t)(f.db.CloseDeal(ctx, f.deal.ID, store.StatusWon, ""))
	must[*store.FollowUp](t)(f.db.CompleteFollowUp(ctx, f.followUp.ID))
	noErr(t, f.db.RedactInteraction(ctx, f.entry.ID))
	noErr(t, f.db.DeleteContact(ctx, f.contact.ID))
	got = must[store.Counts](t)(f.db.Count(ctx))
	if got.Contacts != 0 || got.Deals != 1 || got.OpenDeals != 0 || got.Interactions != 1 || got.FollowUps != 0 {
		// the won deal's status entry is on the timeline; the redacted call is not
		t.Errorf("counts = %+v", got)
	}
}

func TestDB_Bulk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		db, _ := openClock(t)
		coID, cID, dID := store.NewID(), store.NewID(), store.NewID()
		err := db.Bulk(ctx, "import test", func(b *store.Bulk) error {
			if b.Owner() != "tester" {
				t.Errorf("owner = %q", b.Owner())
			}
			stages, err := b.Stages()
			if err != nil {
				return err
			}
			for _, r := range []struct {
				entity, id string
				f          store.Fields
			}{
				{store.EntityCompany, coID, store.Fields{"name": "Bulk Co"}},
				{store.EntityContact, cID, store.Fields{"first_name": "Bulk", "last_name": "Person", "name": "Bulk Person", "company_id": coID,
					"emails": []store.Email{{Email: "bulk@example.com"}}, "tag:imported": true}},
				{store.EntityDeal, dID, store.Fields{"title": "Bulk deal", "contact_id": cID, "currency": "USD", "stage_id": stages[0].ID,
					"status": "open", "stage_entered_at": store.FormatTime(t0)}},
				{store.EntityInteraction, store.NewID(), store.Fields{"kind": "call", "occurred_at": store.FormatTime(t0.Add(-time.Hour)),
					"text": "imported call", "contact_id": cID}},
				{store.EntityFollowUp, store.NewID(), store.Fields{"title": "imported follow-up", "due_at": store.FormatTime(t0), "contact_id": cID}},
			} {
				if err := b.Create(r.entity, r.id, r.f); err != nil {
					return err
				}
			}
			if b.Created() != 5 {
				t.Errorf("created = %d", b.Created())
			}
			return nil
		})
		noErr(t, err)
		if _, groups := opCounts(t, db); groups != 1 {
			t.Errorf("%d change groups, want 1", groups)
		}
		if n := scalar[int](t, db, "SELECT count(*) FROM ops WHERE kind = 'create'"); n != 5 {
			t.Errorf("%d create ops", n)
		}
		c := must[*store.Contact](t)(db.FindContactByID(ctx, cID))
		if c.Visibility != "team" || c.Owner != "tester" || c.LastTouchedAt == nil || !c.LastTouchedAt.Equal(t0.Add(-time.Hour)) ||
			c.Company != "Bulk Co" || c.PrimaryEmail() != "bulk@example.com" {
			t.Errorf("bulk contact = %+v", c)
		}
		for _, q := range []string{"bulk person", "bulk@example.com", "imported", "bulk deal", "imported call", "imported follow"} {
			if hits := must[[]store.Hit](t)(db.Search(ctx, q, 0)); len(hits) == 0 {
				t.Errorf("search %q finds nothing after a bulk load", q)
			}
		}
		checkHealthy(t, db)
		// a bulk load is one change: one undo takes it all back
		must[*store.Undone](t)(db.Undo(ctx))
		if n := must[store.Counts](t)(db.Count(ctx)); n.Contacts != 0 || n.Companies != 0 || n.Deals != 0 || n.FollowUps != 0 || n.Interactions != 0 {
			t.Errorf("counts after undoing the bulk load = %+v", n)
		}
		checkHealthy(t, db)
	})
	t.Run("ErrorRollsBackEverything", func(t *testing.T) {
		t.Parallel()
		db, _ := openClock(t)
		must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Already Here"}))
		before := dump(t, db)
		boom := errors.New("boom")
		err := db.Bulk(ctx, "import", func(b *store.Bulk) error {
			if err := b.Create(store.EntityContact, store.NewID(), store.Fields{"first_name": "A", "name": "A"}); err != nil {
				return err
			}
			return boom
		})
		wantErr(t, err, boom)
		assertUnchanged(t, db, before)
		err = db.Bulk(ctx, "import", func(b *store.Bulk) error {
			if err := b.Create(store.EntityContact, store.NewID(), store.Fields{"first_name": "A", "name": "A"}); err != nil {
				return err
			}
			return b.Create(store.EntityContact, store.NewID(), store.Fields{"first_name": "B", "name": "B", "shoe_size": "42"})
		})
		wantErr(t, err, store.ErrInvalid)
		assertUnchanged(t, db, before)
		err = db.Bulk(ctx, "import", func(b *store.Bulk) error {
			return b.Create("planet", store.NewID(), store.Fields{"name": "Mars"})
		})
		wantErr(t, err, store.ErrInvalid)
		err = db.Bulk(ctx, "import", func(b *store.Bulk) error {
			return b.Create(store.EntityContact, store.NewID(), store.Fields{"name": ""}) // the schema refuses it
		})
		wantErr(t, err, store.ErrConflict)
		assertUnchanged(t, db, before)
		checkHealthy(t, db)
	})
}
