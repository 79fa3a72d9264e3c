package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order; their numbers must run 1, 2, 3….
func migrations() []migration {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	var out []migration
	for i, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v != i+1 {
			panic(fmt.Sprintf("pgstore: migration %s out of sequence (want %04d)", base, i+1))
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			panic(err)
		}
		out = append(out, migration{version: v, name: strings.TrimSuffix(base, ".sql"), sql: string(b)})
	}
	return out
}

// SchemaVersion is the schema version this build brings a database to.
func SchemaVersion() int { return len(migrations()) }

// migrate brings the schema up to date. Replicas that start together all call it: each
// takes a session advisory lock (keyed on the schema, so different schemas in one
// database do not wait for each other) before reading which migrations are applied, so
// exactly one applies each migration and the others find it done. Every migration runs
// in its own transaction with the row that records it.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	var schema *string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return err
	}
	if schema == nil {
		return errors.New("no schema to create tables in: the search_path names no existing schema")
	}
	const key = "SELECT hashtextextended('rolo sync server migrations ' || current_schema(), 0)"
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(("+key+"))"); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	defer func() {
		// A session lock outlives a failed transaction; release it even if ctx is done.
		// If the unlock itself fails, close the connection, which releases it too.
		if _, err := conn.Exec(context.Background(), "SELECT pg_advisory_unlock(("+key+"))"); err != nil {
			conn.Conn().Close(context.Background())
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS rolo_schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var have int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM rolo_schema_migrations").Scan(&have); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	ms := migrations()
	if have > len(ms) {
		return fmt.Errorf("the database's schema is version %d, newer than this rolo's %d: upgrade rolo", have, len(ms))
	}
	for _, m := range ms[have:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO rolo_schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}
