package sqlitestore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/sqlitestore"
	"github.com/rolo-crm/rolo/sync/server/storagetest"
	"github.com/rolo-crm/rolo/sync/wire"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) server.Storage {
		st, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "server.db"), sqlitestore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

// openInit opens a new storage at path with its workspace made.
func openInit(t *testing.T, path string) *sqlitestore.Store {
	t.Helper()
	st, err := sqlitestore.Open(context.Background(), path, sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Init(context.Background(), "acme", time.Now()); err != nil {
		t.Fatal(err)
	}
	return st
}

// A file from before formats were numbered (version 0) holds every create's fields as
// rows too: it opens, is stamped with the current version, and reads the same. A file of
// a later version is refused, untouched.
func TestFormatVersions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "server.db")
	st := openInit(t, path)
	create := &wire.Change{User: "ann", Op: wire.Op{OpID: "op-1", HLC: 7, Device: "dev-a", Entity: "contact", EntityID: "c1",
		Kind: wire.KindCreate, Fields: map[string]json.RawMessage{"name": json.RawMessage(`"Ann"`)}}}
	err := st.Write(ctx, func(tx server.WriteTx) error {
		_, err := tx.Append(create, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// What version 0 wrote for the same create: a row per field, and no version.
	for _, q := range []string{`INSERT INTO fields (record_id, field, value, hlc, device, user, op_id) VALUES ('c1', 'name', '"Ann"', 7, 'dev-a', 'ann', 'op-1')`,
		"PRAGMA user_version = 0"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	version := func() int {
		var v int
		if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if st, err = sqlitestore.Open(ctx, path, sqlitestore.Options{}); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != sqlitestore.Version {
		t.Fatalf("a version 0 file was stamped %d; want %d", v, sqlitestore.Version)
	}
	err = st.Write(ctx, func(tx server.WriteTx) error {
		fs, err := tx.Fields("c1")
		if err != nil {
			return err
		}
		if f := fs["name"]; len(fs) != 1 || string(f.Value) != `"Ann"` || f.HLC != 7 || f.Device != "dev-a" || f.User != "ann" || f.OpID != "op-1" {
			return fmt.Errorf("fields of a version 0 record = %+v", fs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", sqlitestore.Version+1)); err != nil {
		t.Fatal(err)
	}
	_, err = sqlitestore.Open(ctx, path, sqlitestore.Options{})
	if err == nil || !strings.Contains(err.Error(), "newer than this rolo's") {
		t.Fatalf("opening a newer file: %v; want it refused", err)
	}
	if v := version(); v != sqlitestore.Version+1 {
		t.Fatalf("the refused file's version became %d", v)
	}
	db.Close()
}

// Commits are copied into the database file in the background, long before the WAL
// reaches the writer's own checkpoint.
func TestBackgroundCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "server.db")
	st := openInit(t, path)
	defer st.Close()
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	value := json.RawMessage(`"` + strings.Repeat("x", 1000) + `"`)
	err = st.Write(ctx, func(tx server.WriteTx) error {
		for i := range 500 {
			c := &wire.Change{User: "ann", Op: wire.Op{OpID: fmt.Sprintf("op-%d", i), HLC: uint64(i + 1), Device: "dev-a",
				Entity: "contact", EntityID: fmt.Sprintf("c%d", i), Kind: wire.KindCreate, Fields: map[string]json.RawMessage{"notes": value}}}
			if _, err := tx.Append(c, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		after, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if after.Size() > before.Size()+400<<10 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes 10 s after a commit of about 600 KB (%d before): nothing was checkpointed", after.Size(), before.Size())
		}
	}
}
