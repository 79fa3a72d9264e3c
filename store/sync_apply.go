package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// RemoteChange is one change pulled from the team server: another device's op, a whole
// record that became visible (kind "show"), a record that stopped being visible ("hide"),
// or a conflict record ("conflict").
type RemoteChange struct {
	Seq      int64
	OpID     string
	HLC      HLC
	Device   string
	User     string
	Entity   string
	EntityID string
	Kind     string
	Fields   map[string]json.RawMessage
	// Clocks gives fields their own clocks ("HLC@device") on a show.
	Clocks map[string]string
	// Created is the record's creation clock on a show.
	Created  string
	Base     map[string]string
	At       time.Time
	Conflict *Conflict
}

// Remote change kinds the server adds to the op kinds.
const (
	ChangeShow     = "show"
	ChangeHide     = "hide"
	ChangeConflict = "conflict"
)

// Conflict is a value that lost to a concurrent edit of the same field.
type Conflict struct {
	ID           string          `json:"id"`
	Entity       string          `json:"entity"`
	EntityID     string          `json:"entity_id"`
	Field        string          `json:"field"`
	WinnerValue  json.RawMessage `json:"winner_value"`
	WinnerHLC    HLC             `json:"winner_hlc"`
	WinnerDevice string          `json:"winner_device"`
	WinnerUser   string          `json:"winner_user"`
	LoserValue   json.RawMessage `json:"loser_value"`
	LoserHLC     HLC             `json:"loser_hlc"`
	LoserDevice  string          `json:"loser_device"`
	LoserUser    string          `json:"loser_user"`
	At           time.Time       `json:"at"`
	ResolvedAt   *time.Time      `json:"resolved_at,omitempty"`
	// Label names the record (its name or title) when it is on this device.
	Label string `json:"label,omitempty"`
}

// ApplyResult counts what ApplyRemote did.
type ApplyResult struct {
	Applied   int `json:"applied"`   // ops applied (some fields may have lost to newer local values)
	Skipped   int `json:"skipped"`   // already applied, or about a record this device does not have
	Hidden    int `json:"hidden"`    // records removed because this user can no longer see them
	Shown     int `json:"shown"`     // records received whole
	Conflicts int `json:"conflicts"` // conflict records received
	Parked    int `json:"parked"`    // changes that could not be applied here, kept in sync_parked
}

// ApplyRemote applies one page of pulled changes and saves state (the new cursor) in the
// same transaction, so a crash either keeps the page and its cursor or neither. Each field
// takes the value with the later clock (HLC, then device id), so every device ends with the
// same values whatever order it sees the changes in; applying a change twice changes
// nothing. The local clock moves past every clock pulled, so an edit made after seeing a
// change orders after it. A change that cannot be applied is parked, never blocking the rest.
func (db *DB) ApplyRemote(ctx context.Context, changes []RemoteChange, state map[string]string) (ApplyResult, error) {
	return db.ApplyPulled(ctx, changes, state, PullOptions{})
}

// PullOptions tunes ApplyPulled.
type PullOptions struct {
	// DeferSearch leaves the search index alone: the changes' records are indexed by
	// FinishPull's one rebuild of every search table, which is many times faster than
	// indexing a large first pull record by record. It is remembered in the database (in
	// the same transaction as the changes), so a pull interrupted by a crash still ends
	// with the rebuild. Search shows the records pulled so far only after it.
	//
	// The first such pull into nearly empty tables also drops their secondary indexes
	// (but those the pull itself reads), and FinishPull builds them again: one sort
	// each instead of a million keys inserted in random order.
	DeferSearch bool
}

// ApplyPulled is ApplyRemote with options. The changes may span several pull pages:
// they are applied in order, as one transaction with state.
func (db *DB) ApplyPulled(ctx context.Context, changes []RemoteChange, state map[string]string, opts PullOptions) (ApplyResult, error) {
	res, err := db.applyPulled(ctx, changes, state, opts, true)
	if errors.Is(err, errBulkFailed) {
		// A run failed: everything again, each run in a savepoint that a failure takes
		// back (to apply the run change by change, parking what fails).
		res, err = db.applyPulled(ctx, changes, state, opts, false)
	}
	if err != nil {
		return ApplyResult{}, fmt.Errorf("apply pulled changes: %w", err)
	}
	return res, nil
}

// applyPulled is ApplyPulled, with runs applied optimistically (see Tx.optimistic) or
// each in a savepoint.
func (db *DB) applyPulled(ctx context.Context, changes []RemoteChange, state map[string]string, opts PullOptions, optimistic bool) (ApplyResult, error) {
	var res ApplyResult
	err := db.syncWriteOn(ctx, optimistic, func(t *Tx) error {
		res = ApplyResult{}
		t.optimistic = optimistic
		if opts.DeferSearch {
			restore, err := t.prepareFirstPull()
			if err != nil {
				return err
			}
			defer restore()
			if err := t.loadTouchLater(); err != nil {
				return err
			}
		} else if err := t.touchWaiting(); err != nil {
			return err
		}
		if err := t.applyChanges(changes, &res); err != nil {
			return err
		}
		if opts.DeferSearch {
			clear(t.reindex)
			if err := t.saveTouchLater(); err != nil {
				return err
			}
			if err := setSyncState(ctx, t.tx, map[string]string{syncSearchStale: "1"}); err != nil {
				return err
			}
		}
		return setSyncState(ctx, t.tx, state)
	})
	return res, err
}

// applyOne applies one change in a savepoint of its own, parking it when it cannot be
// applied.
func (t *Tx) applyOne(c *RemoteChange, res *ApplyResult) error {
	if err := t.flushTouches(); err != nil {
		return err
	}
	if _, err := t.exec("SAVEPOINT change"); err != nil {
		return err
	}
	marked := len(t.reindex)
	before := make(map[ref]bool, marked)
	for r := range t.reindex {
		before[r] = true
	}
	err := t.applyChange(c, res)
	if err != nil {
		if t.ctx.Err() != nil {
			return err
		}
		if _, rerr := t.exec("ROLLBACK TO change"); rerr != nil {
			return rerr
		}
		if len(t.reindex) != marked {
			t.reindex = before
		}
		if err := t.parkChange(c, err); err != nil {
			return err
		}
		res.Parked++
	}
	_, err = t.exec("RELEASE change")
	return err
}

// syncWrite runs fn in one immediate transaction on a connection whose foreign keys are
// off: a team record may name a record this user may not see (a team deal of a private
// contact), and a record that turned private is removed while others still name it. Reads
// already treat a missing link as none. The clock is saved as write saves it.
func (db *DB) syncWrite(ctx context.Context, fn func(t *Tx) error) (err error) {
	return db.syncWriteOn(ctx, false, fn)
}

// syncWriteOn is syncWrite; memJournal keeps the transaction's statement journals in
// memory (temp_store = MEMORY while it runs). A multi-row INSERT of a bulk load copies
// each page it changes to its statement journal first (in case it fails half-way), and a
// statement journal over 64 KiB goes to a temporary file: nearly every one of a large
// pull's. Only for transactions without long savepoints, whose journal would grow with
// all the pages they change.
func (db *DB) syncWriteOn(ctx context.Context, memJournal bool, fn func(t *Tx) error) (err error) {
	defer func() {
		if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w: %v", ctx.Err(), err)
		}
	}()
	settings := []connSetting{{"foreign_keys", "OFF", "ON"}}
	if memJournal {
		settings = append(settings, memJournalSetting)
	}
	conn, done, err := db.setUpConn(ctx, settings...)
	if err != nil {
		return err
	}
	defer done()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer sqlTx.Rollback()
	t := &Tx{tx: sqlTx, db: db, ctx: withTx(ctx, sqlTx), now: db.Now(), group: newID(), summary: "sync", reindex: map[ref]bool{}, conn: conn}
	if t.clock, t.offset, err = db.readClock(ctx, sqlTx); err != nil {
		return err
	}
	start := t.clock
	defer func() {
		for _, st := range t.stmts {
			st.Close()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flushIndex(); err != nil {
		return err
	}
	if t.clock != start {
		if _, err := sqlTx.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = 'hlc'", t.clock.String()); err != nil {
			return fmt.Errorf("save clock: %w", err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return mapErr(err)
	}
	db.mu.Lock()
	if t.clock > db.lastHLC {
		db.lastHLC = t.clock
	}
	db.mu.Unlock()
	return nil
}

// queryRow runs a query for one row through the transaction's statement cache.
func (t *Tx) queryRow(q string, args ...any) *sql.Row {
	st, err := t.prepared(q)
	if err != nil {
		return t.tx.QueryRowContext(t.ctx, q, args...)
	}
	return st.QueryRowContext(t.ctx, args...)
}

// observe moves the transaction's clock past a pulled clock.
func (t *Tx) observe(h HLC) {
	if h > t.clock {
		t.clock = h
	}
}

func (t *Tx) parkChange(c *RemoteChange, cause error) error {
	b, _ := json.Marshal(c)
	id := c.OpID
	if id == "" {
		id = fmt.Sprintf("seq-%d", c.Seq)
	}
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO sync_parked (op_id, direction, entity, entity_id, code, reason, change, at)
		VALUES (?, 'pull', ?, ?, 'unappliable', ?, ?, ?) ON CONFLICT (op_id) DO UPDATE SET reason = excluded.reason, change = excluded.change, at = excluded.at`,
		id, c.Entity, c.EntityID, cause.Error(), string(b), t.nowText())
	if err != nil {
		return fmt.Errorf("park pulled change: %w", err)
	}
	return nil
}

func (t *Tx) applyChange(c *RemoteChange, res *ApplyResult) error {
	switch c.Kind {
	case ChangeConflict:
		if c.Conflict == nil {
			return fmt.Errorf("%w: conflict change without a conflict", ErrInvalid)
		}
		res.Conflicts++
		return t.saveConflict(c.Conflict)
	case ChangeHide:
		res.Hidden++
		return t.purge(c.Entity, c.EntityID)
	}
	s, err := spec(c.Entity)
	if err != nil {
		return err
	}
	t.observe(c.HLC)
	clocks := make(map[string]clock, len(c.Fields))
	for k := range c.Fields {
		if !s.has(k) {
			return fmt.Errorf("%w: %s has no field %q", ErrInvalid, c.Entity, k)
		}
		ck := clock{c.HLC, c.Device}
		if cs, ok := c.Clocks[k]; ok {
			if ck, err = parseClock(cs); err != nil {
				return err
			}
		}
		t.observe(ck.hlc)
		clocks[k] = ck
	}
	if c.Kind != ChangeShow {
		var n int
		if err := t.queryRow("SELECT count(*) FROM ops WHERE op_id = ?", c.OpID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			res.Skipped++
			return nil
		}
	}
	fields := make(Fields, len(c.Fields))
	for k, raw := range c.Fields {
		v, err := decodeValue(raw)
		if err != nil {
			return fmt.Errorf("field %s: %w", k, err)
		}
		fields[k] = v
	}
	var rh int64
	var rdev string
	err = t.queryRow("SELECT hlc, device FROM "+s.table+" WHERE id = ?", c.EntityID).Scan(&rh, &rdev)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	switch {
	case !exists && (c.Kind == OpCreate || c.Kind == ChangeShow):
		created := clock{c.HLC, c.Device}
		if c.Created != "" {
			if created, err = parseClock(c.Created); err != nil {
				return err
			}
		}
		if err := t.insertRow(s, c.Entity, c.EntityID, fields, created.hlc, created.device); err != nil {
			return err
		}
		for _, k := range fields.sortedKeys() {
			if ck := clocks[k]; ck != created {
				if err := t.setFieldClock(c.EntityID, k, ck); err != nil {
					return err
				}
			}
		}
		t.markIndex(c.Entity, c.EntityID)
		if c.Kind == ChangeShow {
			// The record as received stands in the op log for its create.
			err := t.logRemote(&RemoteChange{OpID: c.OpID, HLC: created.hlc, Device: created.device, User: c.User,
				Entity: c.Entity, EntityID: c.EntityID, Kind: OpCreate, Fields: c.Fields, At: c.At})
			if err != nil {
				return err
			}
		}
	case !exists:
		// An edit of a record this device does not have (one it may not see): nothing to do.
		res.Skipped++
		return t.logRemote(c)
	default:
		cur, err := t.fieldClocks(c.EntityID, clock{HLC(rh), rdev})
		if err != nil {
			return err
		}
		win := Fields{}
		for k, v := range fields {
			if clocks[k].after(cur(k)) {
				win[k] = v
			}
		}
		if len(win) > 0 {
			if err := t.applyFields(s, c.Entity, c.EntityID, win); err != nil {
				return err
			}
			for _, k := range win.sortedKeys() {
				if err := t.setFieldClock(c.EntityID, k, clocks[k]); err != nil {
					return err
				}
			}
			t.markIndex(c.Entity, c.EntityID)
		}
	}
	if c.Kind == ChangeShow {
		// The copy may predate ops of this device that reached the server after it was
		// taken (the server never sends a device its own ops): apply them again.
		if err := t.replayOwn(s, c.Entity, c.EntityID); err != nil {
			return err
		}
	}
	if c.Entity == EntityInteraction {
		if err := t.settleEntry(c.EntityID); err != nil {
			return err
		}
	}
	if c.Kind == ChangeShow {
		res.Shown++
		return nil
	}
	res.Applied++
	return t.logRemote(c)
}

// replayOwn applies this device's own ops on a record by last-writer-wins, leaving out
// those the server refused.
func (t *Tx) replayOwn(s entitySpec, entity, id string) error {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT hlc, fields FROM ops WHERE entity_id = ? AND device = ?
		AND op_id NOT IN (SELECT op_id FROM sync_parked) ORDER BY seq`, id, t.db.device)
	if err != nil {
		return err
	}
	type own struct {
		h      HLC
		fields string
	}
	var ops []own
	for rows.Next() {
		var o own
		var h int64
		if err := rows.Scan(&h, &o.fields); err != nil {
			rows.Close()
			return err
		}
		o.h = HLC(h)
		ops = append(ops, o)
	}
	rows.Close()
	if len(ops) == 0 {
		return nil
	}
	var rh int64
	var rdev string
	if err := t.queryRow("SELECT hlc, device FROM "+s.table+" WHERE id = ?", id).Scan(&rh, &rdev); err != nil {
		return err
	}
	for _, o := range ops {
		cur, err := t.fieldClocks(id, clock{HLC(rh), rdev})
		if err != nil {
			return err
		}
		f, err := decodeFields(sql.NullString{String: o.fields, Valid: true})
		if err != nil {
			return err
		}
		mine := clock{o.h, t.db.device}
		win := Fields{}
		for k, v := range f {
			if !s.has(k) || !mine.after(cur(k)) {
				continue
			}
			if n, ok := v.(json.Number); ok {
				v, _ = n.Int64()
			}
			win[k] = v
		}
		if len(win) == 0 {
			continue
		}
		if err := t.applyFields(s, entity, id, win); err != nil {
			return err
		}
		for _, k := range win.sortedKeys() {
			if err := t.setFieldClock(id, k, mine); err != nil {
				return err
			}
		}
		t.markIndex(entity, id)
	}
	return nil
}

// logRemote appends a pulled op to the local op log, so history shows it and a replay of
// it is recognised.
func (t *Tx) logRemote(c *RemoteChange) error {
	fields, base, at := t.remoteLogValues(c)
	res, err := t.exec(`INSERT INTO ops (op_id, group_id, hlc, device, entity, entity_id, kind, fields, old, base, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (op_id) DO NOTHING`,
		c.OpID, c.OpID, int64(c.HLC), c.Device, c.Entity, c.EntityID, c.Kind, fields, base, fmtTime(at))
	if err != nil {
		return fmt.Errorf("log pulled op: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return err
	}
	// Each pulled op is a change group of its own, named for history; undo only ever
	// picks this device's groups.
	_, err = t.exec(`INSERT INTO op_groups (id, seq, at, device, summary) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		c.OpID, seq, fmtTime(at), c.Device, remoteSummary(c))
	if err != nil {
		return fmt.Errorf("log pulled op: %w", err)
	}
	return nil
}

// remoteLogValues returns what the op log keeps of a pulled op: its fields as one JSON
// object (keys sorted, values as received), its base (or nil) and its time.
func (t *Tx) remoteLogValues(c *RemoteChange) (fields string, base any, at time.Time) {
	var fb bytes.Buffer
	keys := make([]string, 0, len(c.Fields))
	n := 2
	for k, v := range c.Fields {
		keys = append(keys, k)
		n += len(k) + len(v) + 4
	}
	sort.Strings(keys)
	fb.Grow(n)
	fb.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			fb.WriteByte(',')
		}
		if plainKey(k) {
			fb.WriteByte('"')
			fb.WriteString(k)
			fb.WriteByte('"')
		} else {
			kb, _ := json.Marshal(k)
			fb.Write(kb)
		}
		fb.WriteByte(':')
		fb.Write(c.Fields[k])
	}
	fb.WriteByte('}')
	if len(c.Base) > 0 {
		b, _ := json.Marshal(c.Base)
		base = string(b)
	}
	at = c.At
	if at.IsZero() {
		at = t.now
	}
	return fb.String(), base, at
}

// plainKey says whether json.Marshal writes k as it is between quotes: letters, digits
// and underscores (every field name).
func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// remoteSummary names a pulled op's change group, for history.
func remoteSummary(c *RemoteChange) string {
	who := c.User
	if who == "" {
		who = "the team"
	}
	return fmt.Sprintf("%s %s (synced from %s)", c.Kind, strings.ReplaceAll(c.Entity, "_", "-"), who)
}

// clock is a field clock: an HLC and the device that wrote it.
type clock struct {
	hlc    HLC
	device string
}

func (c clock) after(o clock) bool {
	if c.hlc != o.hlc {
		return c.hlc > o.hlc
	}
	return c.device > o.device
}

func (c clock) String() string { return strconv.FormatUint(uint64(c.hlc), 10) + "@" + c.device }

func parseClock(s string) (clock, error) {
	h, d, ok := strings.Cut(s, "@")
	n, err := strconv.ParseUint(h, 10, 64)
	if !ok || err != nil || d == "" {
		return clock{}, fmt.Errorf("%w: clock %q is not HLC@device", ErrInvalid, s)
	}
	return clock{HLC(n), d}, nil
}

// fieldClocks returns a record's clock per field: its row in field_clocks, or the
// record's creation clock.
func (t *Tx) fieldClocks(id string, created clock) (func(string) clock, error) {
	rows, err := t.query("SELECT field, hlc, device FROM field_clocks WHERE entity_id = ?", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]clock{}
	for rows.Next() {
		var f, d string
		var h int64
		if err := rows.Scan(&f, &h, &d); err != nil {
			return nil, err
		}
		m[f] = clock{HLC(h), d}
	}
	return func(f string) clock {
		if c, ok := m[f]; ok {
			return c
		}
		return created
	}, rows.Err()
}

func (t *Tx) setFieldClock(id, field string, c clock) error {
	_, err := t.exec(`INSERT INTO field_clocks (entity_id, field, hlc, device) VALUES (?, ?, ?, ?)
		ON CONFLICT (entity_id, field) DO UPDATE SET hlc = excluded.hlc, device = excluded.device`, id, field, int64(c.hlc), c.device)
	return err
}

// decodeValue turns a JSON field value into what the store writes: nil, string, int64,
// bool, or a list (emails, phones) left for writeSpecial to convert.
func decodeValue(raw json.RawMessage) (any, error) {
	if v, ok := decodeSimple(raw); ok {
		return v, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if n, ok := v.(json.Number); ok {
		i, err := n.Int64()
		if err != nil {
			return nil, fmt.Errorf("%w: number %s is not an integer", ErrInvalid, n)
		}
		return i, nil
	}
	return v, nil
}

// decodeSimple decodes, without a JSON decoder, the values most fields hold: null, true,
// false, a string without escapes, an integer. It reports false for anything else (which
// decodeValue then decodes, or refuses, as before).
func decodeSimple(raw json.RawMessage) (any, bool) {
	switch string(raw) {
	case "null":
		return nil, true
	case "true":
		return true, true
	case "false":
		return false, true
	}
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		body := raw[1 : len(raw)-1]
		for _, b := range body {
			if b < 0x20 || b == '"' || b == '\\' {
				return nil, false
			}
		}
		if !utf8.Valid(body) {
			return nil, false // the decoder replaces what is not UTF-8
		}
		return string(body), true
	}
	if len(raw) > 0 && len(raw) < 19 {
		for i, b := range raw {
			if (b < '0' || b > '9') && !(i == 0 && b == '-' && len(raw) > 1) {
				return nil, false
			}
		}
		if (raw[0] == '0' && len(raw) > 1) || (len(raw) > 2 && raw[0] == '-' && raw[1] == '0') {
			return nil, false // not JSON; the decoder says so
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		return n, err == nil
	}
	return nil, false
}

// settleEntry derives a timeline entry's state from the entries that name it, the same on
// every device whatever order they arrive in: an entry is redacted when a redaction
// supersedes it, and replaced by its newest (by clock) amendment. (Removing an amendment
// removes the entry; undoing one appends a copy of the original as a newer amendment.)
// It settles the entry it supersedes too, and the contact's last-touched time.
func (t *Tx) settleEntry(id string) error {
	var supersedes, contact sql.NullString
	err := t.queryRow("SELECT supersedes, contact_id FROM interactions WHERE id = ?", id).Scan(&supersedes, &contact)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	ids := []string{id}
	if supersedes.Valid {
		ids = append(ids, supersedes.String)
	}
	for _, e := range ids {
		if err := t.settleOne(e); err != nil {
			return fmt.Errorf("settle timeline entry: %w", err)
		}
	}
	if contact.Valid {
		return t.touch(contact.String)
	}
	return nil
}

// settleOne settles a single entry without following its links.
func (t *Tx) settleOne(id string) error {
	_, err := t.exec(`UPDATE interactions SET
		redacted = EXISTS (SELECT 1 FROM interactions r WHERE r.supersedes = ?1 AND r.kind = 'redaction'),
		superseded_by = (SELECT a.id FROM interactions a WHERE a.supersedes = ?1 AND a.kind <> 'redaction'
			ORDER BY a.hlc DESC, a.device DESC LIMIT 1)
		WHERE id = ?1`, id)
	t.markIndex(EntityInteraction, id)
	return err
}

func (t *Tx) saveConflict(c *Conflict) error {
	_, err := t.exec(`INSERT INTO sync_conflicts (id, entity, entity_id, field, winner_value, winner_hlc, winner_device, winner_user,
		loser_value, loser_hlc, loser_device, loser_user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		c.ID, c.Entity, c.EntityID, c.Field, string(c.WinnerValue), int64(c.WinnerHLC), c.WinnerDevice, c.WinnerUser,
		string(c.LoserValue), int64(c.LoserHLC), c.LoserDevice, c.LoserUser, fmtTime(c.At))
	if err != nil {
		return fmt.Errorf("save conflict: %w", err)
	}
	return nil
}

// purge removes a record this user can no longer see: its row, child rows, search row,
// field clocks, conflicts, and the ops other devices wrote about it. This device's own ops
// stay: they are its owner's words (an unsent one will be refused and parked).
func (t *Tx) purge(entity, id string) error {
	s, err := spec(entity)
	if err != nil {
		return err
	}
	var rowid int64
	var contact sql.NullString
	q := "SELECT rowid, NULL FROM " + s.table + " WHERE id = ?"
	if entity == EntityInteraction {
		q = "SELECT rowid, contact_id FROM interactions WHERE id = ?"
	}
	err = t.tx.QueryRowContext(t.ctx, q, id).Scan(&rowid, &contact)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if src, ok := indexSources[entity]; ok {
		if _, err := t.tx.ExecContext(t.ctx, "DELETE FROM "+src.fts+" WHERE rowid = ?", rowid); err != nil {
			return fmt.Errorf("purge %s: %w", entity, err)
		}
	}
	delete(t.reindex, ref{entity, id})
	for _, q := range []string{
		"DELETE FROM " + s.table + " WHERE id = ?1",
		"DELETE FROM tags WHERE entity_id = ?1",
		"DELETE FROM contact_emails WHERE contact_id = ?1",
		"DELETE FROM contact_phones WHERE contact_id = ?1",
		"DELETE FROM field_clocks WHERE entity_id = ?1",
		"DELETE FROM sync_conflicts WHERE entity_id = ?1",
		"DELETE FROM ops WHERE entity_id = ?1 AND device <> ?2",
	} {
		if _, err := t.tx.ExecContext(t.ctx, q, id, t.db.device); err != nil {
			return fmt.Errorf("purge %s: %w", entity, err)
		}
	}
	if contact.Valid {
		return t.touch(contact.String)
	}
	return nil
}
