package store

// Internal tests: they replace the migration files through the migrationFS seam, so none of
// them runs in parallel (parallel tests start only after every sequential test is done).

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// openT opens the database at path and closes it when the test ends.
func openT(tb testing.TB, path string, opts Options) *DB {
	tb.Helper()
	db, err := Open(context.Background(), path, opts)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// withMigrations makes Open see the given extra migrations after the shipped ones until
// the test ends.
func withMigrations(tb testing.TB, extra map[string]string) {
	tb.Helper()
	m := fstest.MapFS{}
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			tb.Fatal(err)
		}
		m["migrations/"+e.Name()] = &fstest.MapFile{Data: b}
	}
	for name, sql := range extra {
		m["migrations/"+name] = &fstest.MapFile{Data: []byte(sql)}
	}
	old := migrationFS
	migrationFS = m
	tb.Cleanup(func() { migrationFS = old })
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func userVersion(tb testing.TB, path string) int {
	tb.Helper()
	sdb, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer sdb.Close()
	var v int
	if err := sdb.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestOpen_Idempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rolo.db")
	db, err := Open(ctx, path, Options{Owner: "first"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateContact(ctx, ContactInput{Name: "Ada Lovelace"}); err != nil {
		t.Fatal(err)
	}
	device := db.Device()
	db.Close()
	before := readFile(t, path)

	for range 2 {
		db := openT(t, path, Options{Owner: "second", Stages: []StageSpec{{"Other", 1, 1}}})
		if db.Migrated != nil || db.Device() != device || db.Owner() != "first" {
			t.Errorf("reopen: migrated %+v, device %s, owner %s", db.Migrated, db.Device(), db.Owner())
		}
		stages, err := db.Stages(ctx)
		if err != nil || len(stages) != len(DefaultStages()) {
			t.Errorf("stages after reopen = %+v, %v", stages, err)
		}
		db.Close()
	}
	if after := readFile(t, path); !bytes.Equal(before, after) {
		t.Errorf("opening an up-to-date database changed the file")
	}
	if v := userVersion(t, path); v != SchemaVersion() {
		t.Errorf("user_version = %d", v)
	}
}

// TestOpen_Concurrent opens one new file from several handles at once: one migrates, the
// others wait and find the schema in place.
func TestOpen_Concurrent(t *testing.T) {
	ctx := context.Background()
	for range 5 {
		path := filepath.Join(t.TempDir(), "rolo.db")
		var wg sync.WaitGroup
		dbs := make([]*DB, 4)
		errs := make([]error, 4)
		for i := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dbs[i], errs[i] = Open(ctx, path, Options{})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("handle %d: %v", i, err)
			}
			defer dbs[i].Close()
		}
		var n int
		if err := dbs[0].sql.QueryRow("SELECT count(*) FROM stages").Scan(&n); err != nil || n != len(DefaultStages()) {
			t.Errorf("%d stages, %v", n, err)
		}
		for _, db := range dbs[1:] {
			if db.Device() != dbs[0].Device() {
				t.Errorf("devices differ: %s %s", db.Device(), dbs[0].Device())
			}
		}
	}
}

func TestOpen_ErrTooNew(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"WAL", func(t *testing.T, path string) {
			db := openT(t, path, Options{})
			if _, err := db.CreateContact(ctx, ContactInput{Name: "Future Person"}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.sql.Exec("PRAGMA user_version = 99"); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}},
		{"RollbackJournal", func(t *testing.T, path string) {
			// a future rolo might not use WAL; opening must not convert its file
			sdb, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer sdb.Close()
			for _, q := range []string{"CREATE TABLE future (x)", "INSERT INTO future VALUES (1)", "PRAGMA user_version = 99"} {
				if _, err := sdb.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "rolo.db")
			tc.make(t, path)
			before := readFile(t, path)
			files := dirNames(t, dir)
			_, err := Open(ctx, path, Options{})
			if !errors.Is(err, ErrTooNew) {
				t.Fatalf("err = %v, want ErrTooNew", err)
			}
			if !strings.Contains(err.Error(), "99") {
				t.Errorf("error %q does not say the version", err)
			}
			if after := readFile(t, path); !bytes.Equal(before, after) {
				t.Errorf("refusing a newer database changed its file")
			}
			if got := dirNames(t, dir); strings.Join(got, " ") != strings.Join(files, " ") {
				t.Errorf("files beside it: %v, before %v", got, files)
			}
		})
	}
}

func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestOpen_BadPath(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Run("Directory", func(t *testing.T) {
		_, err := Open(ctx, dir, Options{})
		if err == nil || !strings.Contains(err.Error(), "is a directory") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("MissingParent", func(t *testing.T) {
		path := filepath.Join(dir, "no", "such", "rolo.db")
		_, err := Open(ctx, path, Options{})
		if err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("err = %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "no")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open created the missing directory")
		}
	})
	t.Run("NotADatabase", func(t *testing.T) {
		path := filepath.Join(dir, "notes.txt")
		text := bytes.Repeat([]byte("these are my notes, not a database\n"), 200)
		if err := os.WriteFile(path, text, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Open(ctx, path, Options{})
		if err == nil {
			t.Fatal("opened a text file")
		}
		if got := readFile(t, path); !bytes.Equal(got, text) {
			t.Errorf("the text file was changed")
		}
	})
	t.Run("Unreadable", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root can read any file")
		}
		path := filepath.Join(dir, "locked.db")
		db := openT(t, path, Options{})
		db.Close()
		if err := os.Chmod(path, 0); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(path, 0o644)
		_, err := Open(ctx, path, Options{})
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("err = %v", err)
		}
	})
}

// migration0002 is a test-only schema change.
const migration0002 = `ALTER TABLE contacts ADD COLUMN nickname TEXT NOT NULL DEFAULT '';
CREATE INDEX contacts_nickname ON contacts (nickname);`

func TestOpen_Migrates(t *testing.T) {
	ctx := context.Background()
	clk := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return clk }
	// The shipped schema and a test-only migration after it.
	shipped := SchemaVersion()
	next := fmt.Sprintf("%04d_nickname.sql", shipped+1)
	makeV1 := func(t *testing.T) string {
		path := filepath.Join(t.TempDir(), "rolo.db")
		db := openT(t, path, Options{Now: now})
		if _, err := db.CreateContact(ctx, ContactInput{Name: "Ada Lovelace", Emails: []Email{{Email: "ada@example.com"}}}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		return path
	}
	t.Run("WritesBackup", func(t *testing.T) {
		path := makeV1(t)
		withMigrations(t, map[string]string{next: migration0002})
		if SchemaVersion() != shipped+1 {
			t.Fatalf("SchemaVersion = %d", SchemaVersion())
		}
		db := openT(t, path, Options{Now: now})
		m := db.Migrated
		if m == nil || m.From != shipped || m.To != shipped+1 || m.Backup == "" {
			t.Fatalf("Migrated = %+v", m)
		}
		if filepath.Dir(m.Backup) != filepath.Dir(path) || !strings.HasPrefix(filepath.Base(m.Backup), fmt.Sprintf("rolo.db.v%d-", shipped)) {
			t.Errorf("backup %s is not beside %s", m.Backup, path)
		}
		if v := userVersion(t, path); v != shipped+1 {
			t.Errorf("user_version = %d", v)
		}
		// the data survived and the new column is there
		var n int
		if err := db.sql.QueryRow("SELECT count(*) FROM contacts WHERE nickname = '' AND name = 'Ada Lovelace'").Scan(&n); err != nil || n != 1 {
			t.Errorf("migrated contacts: %d, %v", n, err)
		}
		if probs, err := db.Check(ctx); err != nil || len(probs) > 0 {
			t.Errorf("check: %+v %v", probs, err)
		}
		// the backup is a valid database at the old version, with the data
		if v := userVersion(t, m.Backup); v != shipped {
			t.Errorf("backup user_version = %d", v)
		}
		bdb, err := sql.Open("sqlite", "file:"+m.Backup+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer bdb.Close()
		var ic string
		if err := bdb.QueryRow("PRAGMA integrity_check").Scan(&ic); err != nil || ic != "ok" {
			t.Errorf("backup integrity: %s %v", ic, err)
		}
		if err := bdb.QueryRow("SELECT count(*) FROM contacts").Scan(&n); err != nil || n != 1 {
			t.Errorf("backup contacts: %d, %v", n, err)
		}
		if err := bdb.QueryRow("SELECT count(*) FROM pragma_table_info('contacts') WHERE name = 'nickname'").Scan(&n); err != nil || n != 0 {
			t.Errorf("backup already has the new column")
		}
		// opening again migrates nothing
		db.Close()
		db2 := openT(t, path, Options{Now: now})
		if db2.Migrated != nil {
			t.Errorf("second open migrated again: %+v", db2.Migrated)
		}
	})
	t.Run("NoBackup", func(t *testing.T) {
		path := makeV1(t)
		withMigrations(t, map[string]string{next: migration0002})
		db := openT(t, path, Options{Now: now, NoBackup: true})
		if db.Migrated != nil && db.Migrated.Backup != "" {
			t.Errorf("Migrated = %+v", db.Migrated)
		}
		for _, n := range dirNames(t, filepath.Dir(path)) {
			if strings.Contains(n, ".bak") {
				t.Errorf("backup %s written despite NoBackup", n)
			}
		}
		if v := userVersion(t, path); v != shipped+1 {
			t.Errorf("user_version = %d", v)
		}
	})
}

// TestOpen_FailedMigration checks that a migration that fails halfway leaves the old schema.
func TestOpen_FailedMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rolo.db")
	db := openT(t, path, Options{})
	if _, err := db.CreateContact(ctx, ContactInput{Name: "Ada"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	shipped := SchemaVersion()
	broken := fmt.Sprintf("%04d_broken.sql", shipped+1)
	withMigrations(t, map[string]string{broken: "ALTER TABLE contacts ADD COLUMN ok TEXT; SELECT * FROM no_such_table;"})
	_, err := Open(ctx, path, Options{NoBackup: true})
	if err == nil || !strings.Contains(err.Error(), broken) {
		t.Fatalf("err = %v", err)
	}
	if v := userVersion(t, path); v != shipped {
		t.Errorf("user_version after a failed migration = %d", v)
	}
	sdb, _ := sql.Open("sqlite", "file:"+path+"?mode=ro")
	defer sdb.Close()
	var n int
	if err := sdb.QueryRow("SELECT count(*) FROM pragma_table_info('contacts') WHERE name = 'ok'").Scan(&n); err != nil || n != 0 {
		t.Errorf("half a migration was applied")
	}
}
