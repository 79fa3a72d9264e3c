package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SyncClockOffset is the sync_state key of the correction, in milliseconds, that this
// device adds to its wall clock when it stamps an edit: the server's time minus this
// device's, saved when they differ by more than MaxClockDrift.
const SyncClockOffset = "clock_offset"

// MaxClockDrift is how far a device's clock may be off the server's before sync corrects
// its stamps (and says so). Within it, the hybrid clock orders edits well enough.
const MaxClockDrift = 2 * time.Minute

// syncSchemaVersion is the schema that added sync_state (0007_sync.sql).
const syncSchemaVersion = 7

// readClock reads the stored clock and the wall-clock correction inside a write.
func (db *DB) readClock(ctx context.Context, tx *sql.Tx) (HLC, time.Duration, error) {
	var stored sql.NullString
	var offset int64
	var err error
	if db.syncSchema {
		err = tx.QueryRowContext(ctx, `SELECT (SELECT value FROM meta WHERE key = 'hlc'),
			coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = ?), 0)`, SyncClockOffset).Scan(&stored, &offset)
	} else {
		err = tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'hlc'").Scan(&stored)
	}
	if err == nil && !stored.Valid {
		err = sql.ErrNoRows
	}
	if err != nil {
		return 0, 0, fmt.Errorf("read clock: %w", err)
	}
	h, err := ParseHLC(stored.String)
	return h, time.Duration(offset) * time.Millisecond, err
}

// ClockOffset is the correction this device adds to its wall clock when it stamps edits
// (zero unless sync found the clock more than MaxClockDrift off the server's).
func (db *DB) ClockOffset(ctx context.Context) (time.Duration, error) {
	var ms int64
	err := db.sql.QueryRowContext(ctx, "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = ?), 0)",
		SyncClockOffset).Scan(&ms)
	if err != nil {
		return 0, fmt.Errorf("read clock offset: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// ClockOffsetState is the sync_state value that saves offset; an offset within
// MaxClockDrift saves as zero (no correction).
func ClockOffsetState(offset time.Duration) string {
	if offset.Abs() <= MaxClockDrift {
		offset = 0
	}
	return strconv.FormatInt(offset.Round(time.Second).Milliseconds(), 10)
}

// RestampAhead gives new clocks to this device's unsent ops stamped later than limit (a
// clock ahead of the server's by more than it accepts), and sets the correction the next
// edits are stamped with to offset. The new clocks follow server and every clock the
// device keeps (the ops answered for, everyone else's), in the ops' order, so a re-stamped
// edit still wins over what its author saw and loses to nothing it followed. The records'
// creation clocks, their field clocks and the base clocks later ops recorded move with
// them; all of it is one transaction. It returns how many ops it re-stamped.
func (db *DB) RestampAhead(ctx context.Context, server, limit HLC, offset time.Duration) (int, error) {
	n := 0
	err := db.syncWrite(ctx, func(t *Tx) error {
		n = 0
		if err := setSyncState(ctx, t.tx, map[string]string{SyncClockOffset: ClockOffsetState(offset)}); err != nil {
			return err
		}
		var pushed int64
		err := t.tx.QueryRowContext(ctx, "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = ?), 0)",
			SyncPushedSeq).Scan(&pushed)
		if err != nil {
			return fmt.Errorf("re-stamp: %w", err)
		}
		type pending struct {
			seq              int64
			hlc              HLC
			entity, id, kind string
			fields           string
			base             sql.NullString
		}
		// Parked ops are never sent, but they move too: the stored clock must stay past
		// every clock in the log.
		rows, err := t.tx.QueryContext(ctx, `SELECT seq, hlc, entity, entity_id, kind, fields, base FROM ops
			WHERE device = ? AND seq > ? ORDER BY seq`, db.device, pushed)
		if err != nil {
			return fmt.Errorf("re-stamp: %w", err)
		}
		var ops []pending
		for rows.Next() {
			var p pending
			var h int64
			if err := rows.Scan(&p.seq, &h, &p.entity, &p.id, &p.kind, &p.fields, &p.base); err != nil {
				rows.Close()
				return fmt.Errorf("re-stamp: %w", err)
			}
			p.hlc = HLC(h)
			ops = append(ops, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("re-stamp: %w", err)
		}
		// The clocks this device keeps: the ops the server answered for and everyone
		// else's (all of which the server accepted), and the unsent ops not ahead.
		var kept int64
		err = t.tx.QueryRowContext(ctx, `SELECT coalesce(max(hlc), 0) FROM ops WHERE device <> ? OR seq <= ? OR hlc <= ?`,
			db.device, pushed, int64(limit)).Scan(&kept)
		if err != nil {
			return fmt.Errorf("re-stamp: %w", err)
		}
		if HLC(kept) > limit {
			return fmt.Errorf("%w: changes this device sent before are stamped %s, ahead of the server's time; "+
				"they cannot be re-stamped", ErrConflict, HLC(kept).Time().Format(time.RFC3339))
		}
		next := max(server, HLC(kept))
		moved := map[HLC]HLC{}
		for _, p := range ops {
			if p.hlc <= limit {
				continue
			}
			if _, ok := moved[p.hlc]; !ok {
				next++
				moved[p.hlc] = next
			}
		}
		if len(moved) == 0 {
			return nil
		}
		for _, p := range ops {
			nh, ok := moved[p.hlc]
			base, rebased, err := rebase(p.base, moved, db.device)
			if err != nil {
				return fmt.Errorf("re-stamp op %d: %w", p.seq, err)
			}
			if !ok && !rebased {
				continue
			}
			if !ok {
				nh = p.hlc
			}
			if _, err := t.exec("UPDATE ops SET hlc = ?, base = ? WHERE seq = ?", int64(nh), base, p.seq); err != nil {
				return fmt.Errorf("re-stamp op %d: %w", p.seq, err)
			}
			if !ok {
				continue
			}
			n++
			s, known := specs[p.entity]
			if !known {
				continue
			}
			if p.kind == OpCreate || p.kind == OpAppend {
				_, err := t.exec("UPDATE "+s.table+" SET hlc = ? WHERE id = ? AND hlc = ? AND device = ?",
					int64(nh), p.id, int64(p.hlc), db.device)
				if err != nil {
					return fmt.Errorf("re-stamp %s %s: %w", p.entity, p.id, err)
				}
			}
			var fields map[string]json.RawMessage
			if err := json.Unmarshal([]byte(p.fields), &fields); err != nil {
				return fmt.Errorf("re-stamp op %d: %w", p.seq, err)
			}
			for f := range fields {
				_, err := t.exec("UPDATE field_clocks SET hlc = ? WHERE entity_id = ? AND field = ? AND hlc = ? AND device = ?",
					int64(nh), p.id, f, int64(p.hlc), db.device)
				if err != nil {
					return fmt.Errorf("re-stamp %s %s: %w", p.entity, p.id, err)
				}
			}
		}
		// The stored clock goes back to the last new stamp: the next edit follows it.
		t.clock = next
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("re-stamp unsent changes: %w", err)
	}
	return n, nil
}

// rebase rewrites the base clocks ("HLC@device") of this device that moved.
func rebase(base sql.NullString, moved map[HLC]HLC, device string) (any, bool, error) {
	if !base.Valid {
		return nil, false, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(base.String), &m); err != nil {
		return nil, false, fmt.Errorf("base: %w", err)
	}
	changed := false
	for f, c := range m {
		h, dev, ok := strings.Cut(c, "@")
		if !ok || dev != device {
			continue
		}
		old, err := strconv.ParseUint(h, 10, 64)
		if err != nil {
			continue
		}
		if nh, ok := moved[HLC(old)]; ok {
			m[f] = strconv.FormatUint(uint64(nh), 10) + "@" + dev
			changed = true
		}
	}
	if !changed {
		return base.String, false, nil
	}
	fs := make(Fields, len(m))
	for k, v := range m {
		fs[k] = v
	}
	b, err := encodeFields(fs)
	if err != nil {
		return nil, false, fmt.Errorf("base: %w", err)
	}
	return string(b), true, nil
}
