package store

import (
	"context"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// withMigrationsBefore makes Open see only the shipped migrations numbered below n until
// the test ends.
func withMigrationsBefore(tb testing.TB, n int) {
	tb.Helper()
	m := fstest.MapFS{}
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if v, _ := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0]); v >= n {
			continue
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			tb.Fatal(err)
		}
		m["migrations/"+e.Name()] = &fstest.MapFile{Data: b}
	}
	old := migrationFS
	migrationFS = m
	tb.Cleanup(func() { migrationFS = old })
}

// TestOpen_MigratesStageHistory upgrades a database written before the reports (schema
// 3): its stage changes get their stages from their text, and its activity is counted.
func TestOpen_MigratesStageHistory(t *testing.T) {
	ctx := context.Background()
	clk := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return clk }
	path := filepath.Join(t.TempDir(), "rolo.db")

	withMigrationsBefore(t, 4)
	old := openT(t, path, Options{Now: now, Stages: []StageSpec{{"Lead", 10, 14}, {"Won → Lost", 50, 0}, {"Proposal", 60, 0}}})
	if v := userVersion(t, path); v != 3 {
		t.Fatalf("schema %d, want 3", v)
	}
	c, err := old.CreateContact(ctx, ContactInput{Name: "Ada Lovelace"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := old.CreateDeal(ctx, DealInput{Title: "Engines", ContactID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	stages, err := old.Stages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Schema 3 had no stage columns: its moves are text only. One names a stage that no
	// longer exists (renamed since); a stage name holding the arrow must still match.
	for i, text := range []string{"Stage: Lead → Won → Lost", "Stage: Won → Lost → Proposal", "Stage: Pitch → Lead"} {
		_, err := old.sql.Exec(`INSERT INTO interactions (id, kind, occurred_at, text, contact_id, deal_id, owner, visibility, created_at, hlc, device)
			VALUES (?, 'stage_change', ?, ?, ?, ?, 'me', 'team', ?, 1, 'dev')`, newID(), fmtTime(clk.Add(time.Duration(i)*time.Hour)), text, c.ID, d.ID, fmtTime(clk))
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.sql.Exec("UPDATE deals SET stage_id = ? WHERE id = ?", stages[2].ID, d.ID); err != nil { // where the moves took it
		t.Fatal(err)
	}
	// Today's code logs through a table of a later schema (5): lend it for these writes.
	if _, err := old.sql.Exec("CREATE TABLE interaction_terms (term TEXT PRIMARY KEY) WITHOUT ROWID"); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"call", "call", "email"} {
		if _, err := old.LogInteraction(ctx, InteractionInput{Kind: kind, Text: "hello", ContactID: c.ID, OccurredAt: clk.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.sql.Exec("DROP TABLE interaction_terms"); err != nil {
		t.Fatal(err)
	}
	old.Close()

	migrationFS = migrationFiles
	db := openT(t, path, Options{Now: now, NoBackup: true})
	if v := userVersion(t, path); v != SchemaVersion() {
		t.Fatalf("schema %d, want %d", v, SchemaVersion())
	}
	rows, err := db.sql.Query(`SELECT text, coalesce(from_stage, '-'), coalesce(to_stage, '-') FROM interactions
		WHERE kind = 'stage_change' ORDER BY occurred_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := [][2]string{{stages[0].ID, stages[1].ID}, {stages[1].ID, stages[2].ID}, {"-", "-"}}
	i := 0
	for rows.Next() {
		var text, from, to string
		if err := rows.Scan(&text, &from, &to); err != nil {
			t.Fatal(err)
		}
		if i >= len(want) || from != want[i][0] || to != want[i][1] {
			t.Errorf("%q: from %s to %s", text, from, to)
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("%d stage changes", i)
	}
	var counts string
	if err := db.sql.QueryRow(`SELECT group_concat(kind || '=' || n, ' ') FROM (SELECT kind, n FROM activity_hours ORDER BY kind)`).Scan(&counts); err != nil {
		t.Fatal(err)
	}
	if counts != "call=2 email=1" {
		t.Errorf("activity_hours: %s", counts)
	}
	// The migrated database reports from its history: the deal went Lead → "Won → Lost" →
	// Proposal, so it counts for every stage, and it spent an hour in "Won → Lost".
	f, err := db.Funnel(ctx, Period{clk.Add(-time.Hour), clk.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if f.Deals != 1 || f.Stages[0].Reached != 1 || f.Stages[1].Reached != 1 || f.Stages[2].Reached != 1 {
		t.Errorf("funnel: %+v", f)
	}
	cy, err := db.Cycle(ctx, Period{clk.Add(-time.Hour), clk.Add(3 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if s := cy.Stages[1]; s.Stints != 1 || s.MedianDays == nil || *s.MedianDays != round(1.0/24, 1) {
		t.Errorf("cycle: %+v", cy.Stages)
	}
}
