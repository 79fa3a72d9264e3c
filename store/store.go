// Package store is rolo's local database: the domain types, the SQLite store with its
// embedded migrations, the op log and hybrid logical clock, search, the agenda and the
// pipeline. It imports no other package of the project.
package store

import (
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationFS is where migrations are read from: the embedded files, or in tests a
// stand-in holding a later migration.
var migrationFS fs.FS = migrationFiles

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrNotFound means no record matched.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the change contradicts the current state (a constraint).
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the input is malformed; the wrapping message says which field.
	ErrInvalid = errors.New("invalid input")
	// ErrTooNew means the database was written by a newer rolo.
	ErrTooNew = errors.New("database is from a newer rolo")
	// ErrNothingToUndo means the op log holds no local change that is not undone yet.
	ErrNothingToUndo = errors.New("nothing to undo")
)

// TimeFormat is how instants are stored: UTC, fixed width, so text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// DateFormat is how calendar dates are stored.
const DateFormat = "2006-01-02"

// Options tune a database at open time. The zero value is usable.
type Options struct {
	// Stages seed the pipeline of a new database; nil means DefaultStages.
	Stages []StageSpec
	// Owner names the local user on a new database; empty means the OS user.
	Owner string
	// Visibility is the default for new records: "team" (default) or "private".
	Visibility string
	// Currency is the default ISO 4217 code for deals; empty means USD.
	Currency string
	// Now overrides the clock (tests); nil means time.Now.
	Now func() time.Time
	// NoBackup skips the backup written before migrating an older database.
	NoBackup bool
	// CacheKiB is the page cache of each connection; 0 means SQLite's default (2 MB). A
	// long-lived process (the TUI, a server) should set LongLivedCacheKiB: at 100k
	// contacts the agenda and search then find their index pages in memory on every call.
	// A one-shot command should not: a large cache costs a millisecond of page faults to
	// set up, more than it saves in one query.
	CacheKiB int
}

// LongLivedCacheKiB is the page cache a long-lived process gives each connection.
const LongLivedCacheKiB = 32000

// StageSpec describes a pipeline stage for a new database.
type StageSpec struct {
	Name        string `json:"name" mapstructure:"name"`
	Probability int    `json:"probability" mapstructure:"probability"`
	RottingDays int    `json:"rotting_days" mapstructure:"rotting_days"`
}

// DefaultStages is the pipeline a new database starts with.
func DefaultStages() []StageSpec {
	return []StageSpec{
		{"Lead", 10, 14},
		{"Qualified", 25, 14},
		{"Proposal", 50, 21},
		{"Negotiation", 75, 21},
	}
}

// DB is an open rolo database.
type DB struct {
	sql        *sql.DB
	path       string
	device     string
	owner      string
	visibility string
	currency   string
	now        func() time.Time

	// syncSchema says the schema has sync_state (tests run older schemas).
	syncSchema bool
	mu         sync.Mutex // guards lastHLC
	lastHLC    HLC
	Migrated   *MigrationInfo
}

// MigrationInfo reports an upgrade performed by Open.
type MigrationInfo struct {
	From, To int
	Backup   string
}

// SchemaVersion is the newest schema this build knows.
func SchemaVersion() int { return len(migrations()) }

type migration struct {
	version int
	name    string
}

// migrations lists the migration files in order. Their SQL is read when one runs, not
// on every open of an up-to-date database.
func migrations() []migration {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		panic(err)
	}
	var ms []migration
	for _, e := range entries {
		n, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			panic("migration without a number: " + e.Name())
		}
		ms = append(ms, migration{n, e.Name()})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			panic("migrations are not numbered 1, 2, 3…: " + m.name)
		}
	}
	return ms
}

// DSN returns the modernc connection string rolo uses for path. WAL lets the TUI read while
// the CLI writes; synchronous=FULL because with WAL the NORMAL setting can lose a committed
// edit on power loss; _txlock=immediate takes the write lock at BEGIN so two writers wait
// on busy_timeout instead of failing on lock upgrade.
func DSN(path string) string { return dsn(path, 0) }

// dsn is DSN with a page cache of cacheKiB per connection (0: SQLite's default, 2 MB).
func dsn(path string, cacheKiB int) string {
	q := url.Values{}
	// busy_timeout comes first: the pragmas run in order, and switching a new file to WAL
	// needs a lock that another process opening it at the same moment may hold.
	for _, p := range []string{"busy_timeout(5000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	if cacheKiB > 0 {
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -cacheKiB))
	}
	q.Set("_txlock", "immediate")
	return fileURI(path) + "?" + q.Encode()
}

// fileURI is the URI of the file at path, escaped, without parameters.
func fileURI(path string) string { return "file:" + (&url.URL{Path: path}).EscapedPath() }

// Open opens (creating if needed) the database at path and brings its schema up to date.
// An older database is backed up beside itself before it is migrated; a database from a
// newer rolo is refused with ErrTooNew and left untouched.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open database: %w: empty path", ErrInvalid)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("open database: %s is a directory", path)
	} else if err == nil {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		err = refuseTooNew(f, path)
		f.Close()
		if err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open database: %w", err)
	} else if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("open database: directory %s does not exist", filepath.Dir(path))
	} else if f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
		// A CRM is private: create the file readable by its owner only. SQLite gives the
		// -wal and -shm files the same mode, and treats an empty file as a new database.
		f.Close()
		if err := initFile(ctx, path); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sdb, err := sql.Open("sqlite", dsn(path, opts.CacheKiB))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := &DB{sql: sdb, path: path, now: opts.Now}
	if db.now == nil {
		db.now = time.Now
	}
	if err := retryBusy(ctx, func() error { return db.migrate(ctx, opts) }); err != nil {
		sdb.Close()
		return nil, err
	}
	if err := retryBusy(ctx, func() error { return db.loadMeta(ctx, opts) }); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// pageSize is the page size of a new database. SQLite's default, 4 KiB, makes a bulk
// load of 100,000 contacts (about 240 MB) write 60,000 pages to the WAL and copy them to
// the database at the checkpoint, several system calls each; 16 KiB pages cut those calls
// by three quarters and made such an import about 14 % faster (docs/benchmarks.md). A database keeps the page size it was created with.
const pageSize = 16384

// initFile gives the new, empty database file at path its page size and WAL mode, before
// the pool's connection string makes its first connection switch it to WAL: the driver
// runs those pragmas in name order, journal_mode before page_size, and the switch fixes
// the page size. If another process opened the file first, its page size stands.
func initFile(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", fileURI(path)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	for _, q := range []string{fmt.Sprintf("PRAGMA page_size = %d", pageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("open database: %w", err)
		}
	}
	return db.Close()
}

// refuseTooNew reads the schema version (user_version) straight from the file header of
// f, so that a database from a newer rolo is refused before the connection string's
// pragmas (the switch to WAL) write to it. Anything that is not a readable SQLite header
// is left for the normal open to report.
func refuseTooNew(f *os.File, path string) error {
	var hdr [100]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil || string(hdr[:16]) != "SQLite format 3\x00" {
		return nil
	}
	if version, n := int(binary.BigEndian.Uint32(hdr[60:64])), SchemaVersion(); version > n {
		return fmt.Errorf("open database: %w: %s has schema version %d, this rolo knows up to %d; upgrade rolo", ErrTooNew, path, version, n)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// Path is the file the database lives in.
func (db *DB) Path() string { return db.path }

// Device is this install's device id.
func (db *DB) Device() string { return db.device }

// Owner is the local user's name.
func (db *DB) Owner() string { return db.owner }

// SQL exposes the connection pool for benchmarks and tools that read the schema directly.
func (db *DB) SQL() *sql.DB { return db.sql }

// Now is the store's clock in UTC.
func (db *DB) Now() time.Time { return db.now().UTC() }

func (db *DB) migrate(ctx context.Context, opts Options) error {
	var version int
	if err := db.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("open database: %s is not a rolo database or cannot be read: %w", db.path, err)
	}
	ms := migrations()
	db.syncSchema = len(ms) >= syncSchemaVersion
	if version > len(ms) {
		return fmt.Errorf("open database: %w: %s has schema version %d, this rolo knows up to %d; upgrade rolo", ErrTooNew, db.path, version, len(ms))
	}
	if version == len(ms) {
		return nil
	}
	if version > 0 && !opts.NoBackup {
		// The process id keeps two rolos upgrading the same file at once from colliding.
		backup := fmt.Sprintf("%s.v%d-%s-%d.bak", db.path, version, db.now().UTC().Format("20060102T150405"), os.Getpid())
		f, err := os.OpenFile(backup, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("back up before migrating: %w", err)
		}
		f.Close()
		if _, err := db.sql.ExecContext(ctx, "VACUUM INTO ?", backup); err != nil {
			os.Remove(backup)
			return fmt.Errorf("back up before migrating: %w", err)
		}
		db.Migrated = &MigrationInfo{From: version, To: len(ms), Backup: backup}
	}
	return db.applyMigrations(ctx, ms, opts)
}

// applyMigrations brings the schema up to date in one immediate transaction: either the
// file moves to the newest version or it stays as it was, and a process that opened the
// file at the same time waits for the lock, sees the new version and skips the work.
func (db *DB) applyMigrations(ctx context.Context, ms []migration, opts Options) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("open database: %w: %s has schema version %d, this rolo knows up to %d; upgrade rolo", ErrTooNew, db.path, current, len(ms))
	}
	for _, m := range ms[current:] {
		body, err := fs.ReadFile(migrationFS, "migrations/"+m.name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if m.version == 1 {
			if err := seed(ctx, tx, db.now().UTC(), opts); err != nil {
				return fmt.Errorf("migrate %s: %w", m.name, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(ms))); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return tx.Commit()
}

// seed writes what a new database starts with: its device id, owner, clock and stages.
func seed(ctx context.Context, tx *sql.Tx, now time.Time, opts Options) error {
	device := uuid.Must(uuid.NewV7()).String()
	owner := opts.Owner
	if owner == "" {
		owner = osUser()
	}
	hlc := HLC(0).Next(now)
	for k, v := range map[string]string{"device_id": device, "owner": owner, "hlc": hlc.String()} {
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?)", k, v); err != nil {
			return err
		}
	}
	stages := opts.Stages
	if len(stages) == 0 {
		stages = DefaultStages()
	}
	seen := map[string]bool{}
	ts := now.Format(TimeFormat)
	for i, s := range stages {
		if err := validateStageSpec(s); err != nil {
			return err
		}
		if seen[strings.ToLower(s.Name)] {
			return fmt.Errorf("%w: stage %q is listed twice", ErrInvalid, s.Name)
		}
		seen[strings.ToLower(s.Name)] = true
		hlc = hlc.Next(now)
		_, err := tx.ExecContext(ctx, `INSERT INTO stages (id, name, position, probability, rotting_days,
			created_at, updated_at, hlc, device) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			newID(), s.Name, i, s.Probability, s.RottingDays, ts, ts, int64(hlc), device)
		if err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = 'hlc'", hlc.String())
	return err
}

func validateStageSpec(s StageSpec) error {
	switch {
	case strings.TrimSpace(s.Name) == "":
		return fmt.Errorf("%w: a stage needs a name", ErrInvalid)
	case s.Probability < 0 || s.Probability > 100:
		return fmt.Errorf("%w: stage %q probability %d is not between 0 and 100", ErrInvalid, s.Name, s.Probability)
	case s.RottingDays < 0:
		return fmt.Errorf("%w: stage %q rotting_days %d is negative", ErrInvalid, s.Name, s.RottingDays)
	}
	return nil
}

func osUser() string {
	for _, k := range []string{"USER", "LOGNAME", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "me"
}

func (db *DB) loadMeta(ctx context.Context, opts Options) error {
	rows, err := db.sql.QueryContext(ctx, "SELECT key, value FROM meta")
	if err != nil {
		return fmt.Errorf("read meta: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return fmt.Errorf("read meta: %w", err)
		}
		switch k {
		case "device_id":
			db.device = v
		case "owner":
			db.owner = v
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read meta: %w", err)
	}
	if db.device == "" {
		return fmt.Errorf("read meta: %s has no device id; run rolo check", db.path)
	}
	db.visibility = opts.Visibility
	if db.visibility == "" {
		db.visibility = "team"
	}
	if err := checkVisibility(db.visibility); err != nil {
		return err
	}
	db.currency = strings.ToUpper(opts.Currency)
	if db.currency == "" {
		db.currency = "USD"
	}
	if !ValidCurrency(db.currency) {
		return fmt.Errorf("%w: default currency %q is not an ISO 4217 code", ErrInvalid, opts.Currency)
	}
	return nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func fmtTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

func parseTime(s string) time.Time {
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

func timePtr(ns sql.NullString) *time.Time {
	if !ns.Valid || ns.String == "" {
		return nil
	}
	t := parseTime(ns.String)
	return &t
}

// retryBusy runs fn again while it fails with SQLITE_BUSY, for up to five seconds. While
// another process creates the file or switches it to WAL, SQLite reports busy at once
// without consulting busy_timeout, so a second rolo starting at that moment waits here.
func retryBusy(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(5 * time.Second)
	for wait := 5 * time.Millisecond; ; wait = min(wait*2, 200*time.Millisecond) {
		err := fn()
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || (se.Code()&0xff != sqlite3.SQLITE_BUSY && se.Code()&0xff != sqlite3.SQLITE_LOCKED) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}
