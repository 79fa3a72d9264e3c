package store

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Keys of sync_state.
const (
	SyncServer    = "server"     // the server's base URL
	SyncUser      = "user"       // the user this device is enrolled as
	SyncTeam      = "team"       // the team's name
	SyncCursor    = "cursor"     // the pull cursor, with its epoch
	SyncPushedSeq = "pushed_seq" // the seq of the last local op the server has answered for
	SyncLastSync  = "last_sync"  // when the last complete sync ended
	SyncLastError = "last_error" // why the last sync failed, or ""
)

// syncEntities are the entities whose ops travel; anything else in the op log (the
// marker an undo of nothing leaves) is local.
var syncEntities = []string{EntityCompany, EntityContact, EntityStage, EntityDeal, EntityInteraction, EntityFollowUp}

// SyncState is where this device stands with its team server.
type SyncState struct {
	Server    string    `json:"server"`
	User      string    `json:"user"`
	Team      string    `json:"team"`
	Cursor    string    `json:"cursor"`
	PushedSeq int64     `json:"pushed_seq"`
	LastSync  time.Time `json:"last_sync"`
	LastError string    `json:"last_error,omitempty"`
}

// SyncState reads the sync state; a database that never joined a team has the zero state.
func (db *DB) SyncState(ctx context.Context) (SyncState, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT key, value FROM sync_state")
	if err != nil {
		return SyncState{}, fmt.Errorf("read sync state: %w", err)
	}
	defer rows.Close()
	var s SyncState
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return s, fmt.Errorf("read sync state: %w", err)
		}
		switch k {
		case SyncServer:
			s.Server = v
		case SyncUser:
			s.User = v
		case SyncTeam:
			s.Team = v
		case SyncCursor:
			s.Cursor = v
		case SyncPushedSeq:
			s.PushedSeq, _ = strconv.ParseInt(v, 10, 64)
		case SyncLastSync:
			s.LastSync = parseTime(v)
		case SyncLastError:
			s.LastError = v
		}
	}
	return s, rows.Err()
}

// SetSyncState saves sync_state values (keys Sync*) in one transaction.
func (db *DB) SetSyncState(ctx context.Context, kv map[string]string) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	if err := setSyncState(ctx, tx, kv); err != nil {
		return err
	}
	return mapErr(tx.Commit())
}

func setSyncState(ctx context.Context, tx *sql.Tx, kv map[string]string) error {
	for k, v := range kv {
		_, err := tx.ExecContext(ctx, `INSERT INTO sync_state (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v)
		if err != nil {
			return fmt.Errorf("save sync state: %w", err)
		}
	}
	return nil
}

// PendingOp is a local op the server has not answered for yet.
type PendingOp struct {
	Seq      int64
	OpID     string
	HLC      HLC
	Device   string
	Entity   string
	EntityID string
	Kind     string
	// Fields is the op's JSON object of new values, as the op log holds it.
	Fields json.RawMessage
	// Base maps fields to the clocks ("HLC@device") the author saw.
	Base map[string]string
	At   time.Time
}

// PendingOps returns up to limit of this device's ops that the server has not answered
// for, oldest first, and the seq up to which the op log was read (local-only entries are
// skipped but still passed). Parked ops are never offered again, not even after a resync.
func (db *DB) PendingOps(ctx context.Context, limit int) ([]PendingOp, int64, error) {
	var pushed int64
	err := db.sql.QueryRowContext(ctx, "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = ?), 0)", SyncPushedSeq).Scan(&pushed)
	if err != nil {
		return nil, 0, fmt.Errorf("pending ops: %w", err)
	}
	return db.PendingOpsAfter(ctx, pushed, limit)
}

// PendingOpsAfter is PendingOps reading the op log after seq pushed instead of after the
// saved push position: a push loop reads its next batch while the server answers the
// current one (whose ops end at pushed), before that answer is saved.
func (db *DB) PendingOpsAfter(ctx context.Context, pushed int64, limit int) ([]PendingOp, int64, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT seq, op_id, hlc, device, entity, entity_id, kind, fields, base, at
		FROM ops WHERE device = ? AND seq > ? AND op_id NOT IN (SELECT op_id FROM sync_parked) ORDER BY seq LIMIT ?`, db.device, pushed, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("pending ops: %w", err)
	}
	defer rows.Close()
	through := pushed
	var out []PendingOp
	for rows.Next() {
		var p PendingOp
		var h int64
		var fields, at string
		var base sql.NullString
		if err := rows.Scan(&p.Seq, &p.OpID, &h, &p.Device, &p.Entity, &p.EntityID, &p.Kind, &fields, &base, &at); err != nil {
			return nil, 0, fmt.Errorf("pending ops: %w", err)
		}
		through = p.Seq
		if !isSyncEntity(p.Entity) {
			continue
		}
		p.HLC, p.Fields, p.At = HLC(h), json.RawMessage(fields), parseTime(at)
		if base.Valid {
			if err := json.Unmarshal([]byte(base.String), &p.Base); err != nil {
				return nil, 0, fmt.Errorf("pending op %s: base: %w", p.OpID, err)
			}
		}
		out = append(out, p)
	}
	return out, through, rows.Err()
}

func isSyncEntity(e string) bool {
	for _, s := range syncEntities {
		if s == e {
			return true
		}
	}
	return false
}

// PendingCount is the number of local ops not yet answered for by the server.
func (db *DB) PendingCount(ctx context.Context) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM ops WHERE device = ?1 AND entity <> 'group'
		AND seq > coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = ?2), 0)
		AND op_id NOT IN (SELECT op_id FROM sync_parked)`, db.device, SyncPushedSeq).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pending ops: %w", err)
	}
	return n, nil
}

// Parked is an op the server refused, or a pulled change this database could not apply.
type Parked struct {
	OpID      string    `json:"op_id"`
	Direction string    `json:"direction"`
	Entity    string    `json:"entity"`
	EntityID  string    `json:"entity_id"`
	Code      string    `json:"code"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// MarkPushed records the server's answer for the local ops up to seq through: they are
// acked, except those in parked, which are kept with the server's reason and not sent
// again. What a parked op did to this database is taken back (a refused create is removed,
// a refused edit's fields get their previous values and clocks unless a later edit
// changed them again), so this copy does not drift from the team's; the op itself stays in
// the op log and in sync_parked, with every word of it.
func (db *DB) MarkPushed(ctx context.Context, through int64, parked []Parked) error {
	err := db.syncWrite(ctx, func(t *Tx) error {
		now := t.nowText()
		for _, p := range parked {
			_, err := t.tx.ExecContext(ctx, `INSERT INTO sync_parked (op_id, direction, entity, entity_id, code, reason, at)
				VALUES (?, 'push', ?, ?, ?, ?, ?) ON CONFLICT (op_id) DO UPDATE SET code = excluded.code, reason = excluded.reason, at = excluded.at`,
				p.OpID, p.Entity, p.EntityID, p.Code, p.Reason, now)
			if err != nil {
				return fmt.Errorf("park op: %w", err)
			}
		}
		for i := len(parked) - 1; i >= 0; i-- {
			if err := t.takeBack(parked[i].OpID); err != nil {
				return fmt.Errorf("take back parked op: %w", err)
			}
			if _, err := t.exec("INSERT INTO sync_refetch (entity_id, entity) VALUES (?, ?) ON CONFLICT DO NOTHING",
				parked[i].EntityID, parked[i].Entity); err != nil {
				return err
			}
		}
		var cur int64
		err := t.tx.QueryRowContext(ctx, "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = ?), 0)", SyncPushedSeq).Scan(&cur)
		if err != nil {
			return fmt.Errorf("mark pushed: %w", err)
		}
		if through > cur {
			return setSyncState(ctx, t.tx, map[string]string{SyncPushedSeq: strconv.FormatInt(through, 10)})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark pushed: %w", err)
	}
	return nil
}

// takeBack undoes the local effect of a local op the server refused.
func (t *Tx) takeBack(opID string) error {
	var entity, id, kind, fields string
	var old, base sql.NullString
	var h int64
	err := t.tx.QueryRowContext(t.ctx, "SELECT entity, entity_id, kind, fields, old, base, hlc FROM ops WHERE op_id = ? AND device = ?",
		opID, t.db.device).Scan(&entity, &id, &kind, &fields, &old, &base, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	s, err := spec(entity)
	if err != nil {
		return nil // a local-only entry
	}
	var supersedes sql.NullString
	if entity == EntityInteraction {
		t.tx.QueryRowContext(t.ctx, "SELECT supersedes FROM interactions WHERE id = ?", id).Scan(&supersedes)
	}
	if kind == OpCreate {
		if err := t.purge(entity, id); err != nil {
			return err
		}
		if supersedes.Valid {
			return t.settleOne(supersedes.String)
		}
		return nil
	}
	var rh int64
	var rdev string
	err = t.tx.QueryRowContext(t.ctx, "SELECT hlc, device FROM "+s.table+" WHERE id = ?", id).Scan(&rh, &rdev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // gone already (hidden)
	}
	if err != nil {
		return err
	}
	created := clock{HLC(rh), rdev}
	cur, err := t.fieldClocks(id, created)
	if err != nil {
		return err
	}
	prev, err := decodeFields(old)
	if err != nil {
		return err
	}
	bases, err := decodeFields(base)
	if err != nil {
		return err
	}
	mine := clock{HLC(h), t.db.device}
	back := Fields{}
	for k, v := range prev {
		if cur(k) != mine {
			continue // edited again since: the later edit stands
		}
		if n, ok := v.(json.Number); ok {
			v, _ = n.Int64()
		}
		back[k] = v
	}
	if len(back) == 0 {
		return nil
	}
	if err := t.applyFields(s, entity, id, back); err != nil {
		return err
	}
	for _, k := range back.sortedKeys() {
		b, _ := bases[k].(string)
		c, err := parseClock(b)
		if err != nil || c == created {
			if _, err := t.tx.ExecContext(t.ctx, "DELETE FROM field_clocks WHERE entity_id = ? AND field = ?", id, k); err != nil {
				return err
			}
			continue
		}
		if err := t.setFieldClock(id, k, c); err != nil {
			return err
		}
	}
	t.markIndex(entity, id)
	return nil
}

// Refetches lists the records to read again from the server (entity id → entity), after
// the local effect of a refused op on them was taken back.
func (db *DB) Refetches(ctx context.Context) (map[string]string, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT entity_id, entity FROM sync_refetch")
	if err != nil {
		return nil, fmt.Errorf("records to refetch: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, e string
		if err := rows.Scan(&id, &e); err != nil {
			return nil, err
		}
		out[id] = e
	}
	return out, rows.Err()
}

// ApplyRefetched applies the server's copy of a record listed by Refetches (a show, or a
// hide) and takes it off the list, in one transaction.
func (db *DB) ApplyRefetched(ctx context.Context, id string, changes []RemoteChange) error {
	var res ApplyResult
	return db.syncWrite(ctx, func(t *Tx) error {
		if err := t.touchWaiting(); err != nil {
			return err
		}
		for i := range changes {
			if err := t.applyChange(&changes[i], &res); err != nil {
				return err
			}
		}
		_, err := t.exec("DELETE FROM sync_refetch WHERE entity_id = ?", id)
		return err
	})
}

// ParkedOps lists what sync parked, newest first.
func (db *DB) ParkedOps(ctx context.Context) ([]Parked, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT op_id, direction, entity, entity_id, code, reason, at FROM sync_parked ORDER BY at DESC, op_id")
	if err != nil {
		return nil, fmt.Errorf("parked ops: %w", err)
	}
	defer rows.Close()
	var out []Parked
	for rows.Next() {
		var p Parked
		var at string
		if err := rows.Scan(&p.OpID, &p.Direction, &p.Entity, &p.EntityID, &p.Code, &p.Reason, &at); err != nil {
			return nil, err
		}
		p.At = parseTime(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ResetSync forgets the pull cursor and marks every local op unsent, so the next sync
// pulls the whole log and offers every local op again (the server acknowledges those it
// has by op id). Used when the server's log changed epoch: a restored server may have
// lost ops it had acknowledged.
func (db *DB) ResetSync(ctx context.Context) error {
	return db.SetSyncState(ctx, map[string]string{SyncCursor: "", SyncPushedSeq: "0"})
}

// StageID is the id every team database gives the stage named name, so that the same
// pipeline created on several devices is one set of records once they sync.
func StageID(name string) string {
	return uuid.NewHash(sha1.New(), stageNS, []byte(strings.ToLower(strings.TrimSpace(name))), 5).String()
}

var stageNS = uuid.MustParse("6f1d1c9e-3a4b-4c1e-9a43-0d6c2f6c5b10")

// PrepareJoin readies a database for its first sync with a team as user: the records
// owned by the local owner become user's (in their rows and in the op log, as if always
// so), stages get the team-wide ids StageID gives their names and a create op each if
// they have none, and the sync state starts from nothing. Nothing has been sent before,
// so rewriting the unsent log changes no one else's copy.
func (db *DB) PrepareJoin(ctx context.Context, user string) error {
	return db.PrepareJoinAs(ctx, user, "")
}

// PrepareJoinAs is PrepareJoin that also shares the local owner's records as visibility
// says: "private" or "team" gives every one of them (timelines and follow-ups included)
// that visibility, in their rows and in the op log, as if always so; "" keeps each
// record's own.
func (db *DB) PrepareJoinAs(ctx context.Context, user, visibility string) error {
	user = strings.TrimSpace(user)
	if user == "" {
		return fmt.Errorf("%w: empty user name", ErrInvalid)
	}
	if visibility != "" && visibility != "private" && visibility != "team" {
		return fmt.Errorf("%w: visibility must be private or team, not %q", ErrInvalid, visibility)
	}
	old := db.owner
	err := db.write(ctx, "join team as "+user, func(t *Tx) error {
		// Joining is not an edit to undo: mark the group as already handled by undo.
		t.undoes = t.group
		if _, err := t.tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
			return err
		}
		// The op log is rewritten once, at the end, with every replacement: it is the
		// largest table, and each pass over it costs seconds on a large database.
		rewrites, err := t.teamStages()
		if err != nil {
			return err
		}
		if user != old {
			for _, table := range []string{"companies", "contacts", "deals", "interactions", "follow_ups"} {
				if _, err := t.tx.ExecContext(ctx, "UPDATE "+table+" SET owner = ? WHERE owner = ?", user, old); err != nil {
					return fmt.Errorf("join: %w", err)
				}
			}
			rewrites = append(rewrites, ownFieldRewrite("owner", old, user))
			if _, err := t.tx.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = 'owner'", user); err != nil {
				return fmt.Errorf("join: %w", err)
			}
		}
		if visibility != "" {
			rw, err := t.shareAs(user, visibility)
			if err != nil {
				return fmt.Errorf("join: %w", err)
			}
			rewrites = append(rewrites, rw)
		}
		if err := t.rewriteOps(rewrites); err != nil {
			return fmt.Errorf("join: %w", err)
		}
		if _, err := t.tx.ExecContext(ctx, "DELETE FROM sync_state"); err != nil {
			return err
		}
		return setSyncState(ctx, t.tx, map[string]string{SyncUser: user, SyncPushedSeq: "0", SyncCursor: ""})
	})
	if err != nil {
		return fmt.Errorf("join: %w", err)
	}
	db.owner = user
	return nil
}

// shareAs gives user's records visibility in their rows, and returns the rewrite that
// does the same in this device's op log.
func (t *Tx) shareAs(user, visibility string) (opRewrite, error) {
	for _, table := range []string{"companies", "contacts", "deals", "interactions", "follow_ups"} {
		if _, err := t.tx.ExecContext(t.ctx, "UPDATE "+table+" SET visibility = ? WHERE owner = ? AND visibility <> ?",
			visibility, user, visibility); err != nil {
			return opRewrite{}, err
		}
	}
	other := map[string]string{"private": "team", "team": "private"}[visibility]
	return ownFieldRewrite("visibility", other, visibility), nil
}

// opRewrite replaces the text from by to in the op log's values (new and old): in every
// op, or with own only in this device's. Only for a log nothing of which was sent.
type opRewrite struct {
	from, to string
	own      bool
}

// ownFieldRewrite replaces the value from of field by to in this device's ops, as if it
// had always been to.
func ownFieldRewrite(field, from, to string) opRewrite {
	fj, _ := json.Marshal(map[string]string{field: from})
	tj, _ := json.Marshal(map[string]string{field: to})
	return opRewrite{from: strings.Trim(string(fj), "{}"), to: strings.Trim(string(tj), "{}"), own: true}
}

// rewriteOps makes every rewrite in one pass over the op log, in order: those of every op
// first, then this device's.
func (t *Tx) rewriteOps(rws []opRewrite) error {
	if len(rws) == 0 {
		return nil
	}
	args := []any{t.db.device}
	arg := func(v string) string {
		args = append(args, v)
		return fmt.Sprintf("?%d", len(args))
	}
	var all, own []string // "replace(%s, from, to)", innermost first
	var allFrom, ownFrom []string
	for _, rw := range rws {
		from, to := arg(rw.from), arg(rw.to)
		w := "replace(%s, " + from + ", " + to + ")"
		if rw.own {
			own, ownFrom = append(own, w), append(ownFrom, from)
		} else {
			all, allFrom = append(all, w), append(allFrom, from)
		}
	}
	value := func(col string) string {
		e := col
		for _, w := range all {
			e = fmt.Sprintf(w, e)
		}
		if len(own) == 0 {
			return e
		}
		o := e
		for _, w := range own {
			o = fmt.Sprintf(w, o)
		}
		return "CASE WHEN device = ?1 THEN " + o + " ELSE " + e + " END"
	}
	has := func(col string, froms []string) string {
		c := make([]string, len(froms))
		for i, f := range froms {
			c[i] = "instr(" + col + ", " + f + ") > 0"
		}
		return strings.Join(c, " OR ")
	}
	// This device's rewrites (its owner) match nearly every row: tested first, they
	// spare the others' tests (OR stops at the first that holds).
	var where []string
	for _, col := range []string{"fields", "old"} {
		if len(ownFrom) > 0 {
			where = append(where, "(device = ?1 AND ("+has(col, ownFrom)+"))")
		}
		if len(allFrom) > 0 {
			where = append(where, has(col, allFrom))
		}
	}
	q := "UPDATE ops SET fields = " + value("fields") + ", old = " + value("old") + " WHERE " + strings.Join(where, " OR ")
	_, err := t.tx.ExecContext(t.ctx, q, args...)
	return err
}

// teamStages renames stages to their team-wide ids and logs a create for any stage the op
// log has none for (the stages a new database is seeded with). It returns the rewrites
// that rename the stages in the op log's values, for rewriteOps.
func (t *Tx) teamStages() ([]opRewrite, error) {
	rows, err := t.tx.QueryContext(t.ctx, "SELECT id, name, position, probability, rotting_days, created_at, deleted_at FROM stages")
	if err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	type stage struct {
		id, name, created string
		pos, prob, rot    int64
		deleted           sql.NullString
	}
	var stages []stage
	for rows.Next() {
		var s stage
		if err := rows.Scan(&s.id, &s.name, &s.pos, &s.prob, &s.rot, &s.created, &s.deleted); err != nil {
			rows.Close()
			return nil, err
		}
		stages = append(stages, s)
	}
	rows.Close()
	var renames []opRewrite
	for _, s := range stages {
		if id := StageID(s.name); id != s.id {
			renames = append(renames, opRewrite{from: s.id, to: id})
		}
	}
	if err := t.renameStageRefs(renames); err != nil {
		return nil, err
	}
	for _, s := range stages {
		id := StageID(s.name)
		if id != s.id {
			for _, q := range []string{
				"UPDATE stages SET id = ?1 WHERE id = ?2",
				"UPDATE deals SET stage_id = ?1 WHERE stage_id = ?2",
				"UPDATE field_clocks SET entity_id = ?1 WHERE entity_id = ?2",
				"UPDATE ops SET entity_id = ?1 WHERE entity_id = ?2",
			} {
				if _, err := t.tx.ExecContext(t.ctx, q, id, s.id); err != nil {
					return nil, fmt.Errorf("join: stage %s: %w", s.name, mapErr(err))
				}
			}
		}
		var n int
		if err := t.tx.QueryRowContext(t.ctx, "SELECT count(*) FROM ops WHERE entity_id = ? AND kind = ?", id, OpCreate).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			continue
		}
		f := Fields{"name": s.name, "position": s.pos, "probability": s.prob, "rotting_days": s.rot, "created_at": s.created}
		if s.deleted.Valid {
			f["deleted_at"] = s.deleted.String
		}
		h, err := t.logOp(EntityStage, id, OpCreate, f, nil, nil)
		if err != nil {
			return nil, err
		}
		if _, err := t.tx.ExecContext(t.ctx, "UPDATE stages SET hlc = ?, device = ? WHERE id = ?", int64(h), t.db.device, id); err != nil {
			return nil, err
		}
		if _, err := t.tx.ExecContext(t.ctx, "DELETE FROM field_clocks WHERE entity_id = ?", id); err != nil {
			return nil, err
		}
	}
	return renames, nil
}

// renameStageRefs points the timeline's stage changes at the stages' new ids, in one pass
// over the timeline.
func (t *Tx) renameStageRefs(renames []opRewrite) error {
	if len(renames) == 0 {
		return nil
	}
	var args []any
	var cases, in []string
	for _, r := range renames {
		args = append(args, r.from, r.to)
		cases = append(cases, fmt.Sprintf("WHEN ?%d THEN ?%d", len(args)-1, len(args)))
		in = append(in, fmt.Sprintf("?%d", len(args)-1))
	}
	set := func(col string) string {
		return col + " = CASE " + col + " " + strings.Join(cases, " ") + " ELSE " + col + " END"
	}
	list := "(" + strings.Join(in, ", ") + ")"
	_, err := t.tx.ExecContext(t.ctx, "UPDATE interactions SET "+set("from_stage")+", "+set("to_stage")+
		" WHERE from_stage IN "+list+" OR to_stage IN "+list, args...)
	if err != nil {
		return fmt.Errorf("join: stages: %w", mapErr(err))
	}
	return nil
}

// UpdateFields changes fields of any record through the op log, as one change group named
// summary; fields keep their op-log names ("tag:NAME", "merged_into", "deleted_at"…).
// Values are not validated beyond what the schema enforces: it serves sync (restoring a
// conflict's losing value) and tools that write fields the commands already checked.
func (db *DB) UpdateFields(ctx context.Context, summary, entity, id string, fields Fields) (bool, error) {
	var changed bool
	err := db.write(ctx, summary, func(t *Tx) error {
		var err error
		changed, err = t.update(entity, id, fields)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("%s: %w", summary, err)
	}
	return changed, nil
}

// ErrNotJoined means the database has not joined a team (rolo sync join).
var ErrNotJoined = errors.New("this database has not joined a team; run rolo sync join URL CODE")
