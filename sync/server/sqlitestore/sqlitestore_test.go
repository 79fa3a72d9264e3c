package sqlitestore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/sqlitestore"
	"github.com/rolo-crm/rolo/sync/server/storagetest"
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
