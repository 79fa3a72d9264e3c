package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/wire"
)

// entities the server accepts ops for.
var entities = map[string]bool{
	store.EntityContact: true, store.EntityCompany: true, store.EntityDeal: true, store.EntityStage: true,
	store.EntityInteraction: true, store.EntityFollowUp: true,
}

// topLevel entities carry their own owner and visibility; the others follow their scope.
func topLevel(entity string) bool {
	return entity == store.EntityContact || entity == store.EntityCompany || entity == store.EntityDeal
}

// quietFields are never conflict records: creation times of two devices' copies of a
// stage differ without anyone having written anything.
var quietFields = map[string]bool{"created_at": true}

// Push applies a device's ops in one transaction, in order: an op already in the log is
// acknowledged with its seq (pushes are idempotent), an op the device may not make is
// rejected with a reason, and every other op is merged field by field (the later clock
// wins; a value lost to a concurrent edit becomes a conflict record) and appended to the
// log. Everything is committed before Push returns.
//
// Pushes that arrive while another is being written are written together, in arrival
// order, in the next transaction (group commit): one fsync for all of them instead of
// one each, which is what bounds a busy server's latency.
func (s *Server) Push(ctx context.Context, dev Device, req *wire.PushRequest) (*wire.PushResponse, error) {
	j := &pushJob{dev: dev, req: req, done: make(chan struct{})}
	s.pushMu.Lock()
	s.queue = append(s.queue, j)
	lead := !s.writing
	s.writing = true
	s.pushMu.Unlock()
	if lead {
		for {
			s.pushMu.Lock()
			batch := s.queue
			s.queue = nil
			if len(batch) == 0 {
				s.writing = false
				s.pushMu.Unlock()
				break
			}
			s.pushMu.Unlock()
			s.writeBatch(batch)
		}
	}
	select {
	case <-j.done:
		return j.resp, j.err
	case <-ctx.Done():
		// It may still be written; the device retries with the same op ids.
		return nil, ctx.Err()
	}
}

// pushJob is one push waiting for the next transaction.
type pushJob struct {
	dev  Device
	req  *wire.PushRequest
	resp *wire.PushResponse
	err  error
	done chan struct{}
}

// writeBatch writes pushes in one transaction and answers each.
func (s *Server) writeBatch(batch []*pushJob) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	err := s.store.Write(ctx, func(tx WriteTx) error {
		now := s.now()
		bt := newBulkTx(tx)
		for _, j := range batch {
			if err := bt.prefetch(j.req.Ops); err != nil {
				return err
			}
			resp, err := s.pushOne(bt, j.dev, j.req, now)
			if err != nil {
				return err
			}
			j.resp = resp
		}
		return bt.flush()
	})
	hlc := uint64(store.MakeHLC(s.now().UnixMilli(), 0))
	for _, j := range batch {
		if err != nil {
			j.resp, j.err = nil, err
		} else {
			j.resp.ServerHLC = hlc
		}
		close(j.done)
	}
}

func (s *Server) pushOne(tx WriteTx, dev Device, req *wire.PushRequest, now time.Time) (*wire.PushResponse, error) {
	resp := &wire.PushResponse{Acked: []wire.Ack{}, Rejected: []wire.Rejection{}}
	for i := range req.Ops {
		op := &req.Ops[i]
		seq, ok, err := tx.OpSeq(op.OpID)
		if err != nil {
			return nil, err
		}
		if ok {
			resp.Acked = append(resp.Acked, wire.Ack{OpID: op.OpID, Seq: seq})
			continue
		}
		if op.Device != dev.ID {
			resp.Rejected = append(resp.Rejected, wire.Rejection{OpID: op.OpID, Code: wire.RejectWrongDevice,
				Reason: "a device may push only its own ops"})
			continue
		}
		// A refused op stays refused: a late duplicate of its push must not apply it
		// after the device parked it.
		if r, ok, err := tx.Rejection(op.OpID); err != nil {
			return nil, err
		} else if ok {
			resp.Rejected = append(resp.Rejected, r)
			continue
		}
		seq, code, reason, err := s.apply(tx, dev, op, now)
		if err != nil {
			return nil, err
		}
		if code != "" {
			r := wire.Rejection{OpID: op.OpID, Code: code, Reason: reason}
			if err := tx.Reject(r, dev.ID, now); err != nil {
				return nil, err
			}
			resp.Rejected = append(resp.Rejected, r)
			continue
		}
		resp.Acked = append(resp.Acked, wire.Ack{OpID: op.OpID, Seq: seq})
	}
	resp.Epoch = tx.Workspace().Epoch
	return resp, nil
}

// str returns the string a field's JSON value holds ("" for any other value).
func str(raw json.RawMessage) string {
	// The usual value, a quoted string without escapes, needs no decoder.
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' {
		in := raw[1 : n-1]
		plain := utf8.Valid(in)
		for _, c := range in {
			if c < 0x20 || c == '"' || c == '\\' {
				plain = false
				break
			}
		}
		if plain {
			return string(in)
		}
	}
	var s string
	json.Unmarshal(raw, &s)
	return s
}

func empty(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null" || string(raw) == `""`
}

func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 {
		a = json.RawMessage("null")
	}
	if len(b) == 0 {
		b = json.RawMessage("null")
	}
	return bytes.Equal(wire.CanonicalJSON(a), wire.CanonicalJSON(b))
}

// scopeOf returns the record whose visibility governs r (r itself when it has no scope
// or its scope is unknown here).
func scopeOf(tx WriteTx, r Record) (Record, error) {
	if r.Scope == "" {
		return r, nil
	}
	sr, ok, err := tx.Record(r.Scope)
	if err != nil || !ok {
		return r, err
	}
	return sr, nil
}

// Visible reports whether user may see a record whose scope record is scope.
func Visible(scope Record, user string) bool {
	return scope.Visibility == "team" || scope.Owner == user
}

// apply merges one new op; it returns the op's seq, or a rejection code and reason.
func (s *Server) apply(tx WriteTx, dev Device, op *wire.Op, now time.Time) (int64, string, string, error) {
	if !entities[op.Entity] {
		return 0, wire.RejectInvalid, fmt.Sprintf("unknown entity %q", op.Entity), nil
	}
	if v, ok := op.Fields["visibility"]; ok && str(v) != "private" && str(v) != "team" {
		return 0, wire.RejectInvalid, "visibility must be private or team", nil
	}
	if v, ok := op.Fields["owner"]; ok && str(v) == "" {
		return 0, wire.RejectInvalid, "owner must be a user name", nil
	}
	rec, exists, err := tx.Record(op.EntityID)
	if err != nil {
		return 0, "", "", err
	}
	field := func(f string) string { return str(op.Fields[f]) }
	if !exists {
		if op.Kind != wire.KindCreate {
			return 0, wire.RejectUnknownRecord, "an edit of a record the server does not have (its create was refused or never sent)", nil
		}
		rec = Record{ID: op.EntityID, Entity: op.Entity, Owner: field("owner"), Visibility: field("visibility"),
			Scope: store.ScopeOf(op.Entity, field), CreatedHLC: op.HLC, CreatedDevice: op.Device}
		if op.Entity == store.EntityStage {
			rec.Visibility = "team"
		} else if rec.Owner != dev.User {
			return 0, wire.RejectForbidden, "a record is created as its author's", nil
		}
		if rec.Visibility == "" {
			rec.Visibility = "team"
		}
		if rec.Scope != "" {
			sr, ok, err := tx.Record(rec.Scope)
			if err != nil {
				return 0, "", "", err
			}
			if ok && !Visible(sr, dev.User) {
				return 0, wire.RejectForbidden, "the record it belongs to is another user's private record", nil
			}
		}
		if err := tx.PutRecord(rec); err != nil {
			return 0, "", "", err
		}
		// The change is the record's fields: Fields reads a create's from the log.
		seq, err := tx.Append(opChange(op, dev.User), now)
		return seq, "", "", err
	}
	if rec.Entity != op.Entity {
		return 0, wire.RejectInvalid, fmt.Sprintf("record %s is a %s, not a %s", op.EntityID, rec.Entity, op.Entity), nil
	}
	scope, err := scopeOf(tx, rec)
	if err != nil {
		return 0, "", "", err
	}
	if !Visible(scope, dev.User) {
		return 0, wire.RejectForbidden, "another user's private record", nil
	}
	cur, err := tx.Fields(rec.ID)
	if err != nil {
		return 0, "", "", err
	}
	if topLevel(rec.Entity) && rec.Owner != dev.User && !dev.Admin {
		for _, f := range []string{"owner", "visibility"} {
			if v, ok := op.Fields[f]; ok && !sameJSON(v, cur[f].Value) {
				return 0, wire.RejectForbidden, "only the owner or an admin may change a record's owner or visibility", nil
			}
		}
	}
	seq, err := tx.Append(opChange(op, dev.User), now)
	if err != nil {
		return 0, "", "", err
	}
	var conflicts []*wire.Conflict
	for _, f := range sortedKeys(op.Fields) {
		v := op.Fields[f]
		c, has := cur[f]
		if !has {
			c = Field{Value: json.RawMessage("null"), HLC: rec.CreatedHLC, Device: rec.CreatedDevice}
		}
		wins := wire.Later(op.HLC, op.Device, c.HLC, c.Device)
		seen := op.Base[f] == wire.Clock(c.HLC, c.Device)
		mine := Field{Value: v, HLC: op.HLC, Device: op.Device, User: dev.User, OpID: op.OpID}
		if !seen && !quietFields[f] && !sameJSON(c.Value, v) {
			winner, loser := c, mine
			if wins {
				winner, loser = mine, c
			}
			if !empty(loser.Value) && loser.OpID != "" {
				conflicts = append(conflicts, &wire.Conflict{ID: conflictID(loser.OpID, f), Entity: rec.Entity, EntityID: rec.ID,
					Field: f, Winner: side(winner), Loser: side(loser), At: now.UTC().Truncate(time.Millisecond)})
			}
		}
		if wins {
			if err := tx.PutField(rec.ID, f, mine); err != nil {
				return 0, "", "", err
			}
			cur[f] = mine
		}
	}
	for _, k := range conflicts {
		if _, dup, err := tx.OpSeq(k.ID); err != nil || dup {
			if err != nil {
				return 0, "", "", err
			}
			continue
		}
		c := &wire.Change{Op: wire.Op{OpID: k.ID, HLC: k.Winner.HLC, Entity: rec.Entity, EntityID: rec.ID, Kind: wire.KindConflict, At: k.At},
			Conflict: k}
		if _, err := tx.Append(c, now); err != nil {
			return 0, "", "", err
		}
	}
	// Owner, visibility and links come from the merged fields, not from the op.
	next := rec
	get := func(f string) string { return str(cur[f].Value) }
	if topLevel(rec.Entity) {
		next.Owner, next.Visibility = get("owner"), get("visibility")
	} else {
		next.Scope = store.ScopeOf(rec.Entity, get)
	}
	if next == rec {
		return seq, "", "", nil
	}
	if err := tx.PutRecord(next); err != nil {
		return 0, "", "", err
	}
	return seq, "", "", s.reveal(tx, next, now)
}

// reveal tells devices about a record whose audience changed (and, for a record others
// follow, about its dependents): a hide for those who can no longer see it, then the
// whole record and its conflicts for those who now can. Who gets which is decided at
// pull time by the record's visibility then.
func (s *Server) reveal(tx WriteTx, r Record, now time.Time) error {
	recs := []Record{r}
	if topLevel(r.Entity) {
		deps, err := tx.Dependents(r.ID)
		if err != nil {
			return err
		}
		recs = append(recs, deps...)
	}
	for _, d := range recs {
		if _, err := tx.Append(&wire.Change{Op: wire.Op{OpID: newID(), HLC: uint64(store.MakeHLC(now.UnixMilli(), 0)), Entity: d.Entity,
			EntityID: d.ID, Kind: wire.KindHide, At: now.UTC()}}, now); err != nil {
			return err
		}
	}
	for _, d := range recs {
		fields, err := tx.Fields(d.ID)
		if err != nil {
			return err
		}
		c := showChange(d, fields, now)
		if _, err := tx.Append(c, now); err != nil {
			return err
		}
		ks, err := tx.ConflictsOf(d.ID)
		if err != nil {
			return err
		}
		for _, k := range ks {
			k.OpID = newID() // a change of its own; the conflict keeps its id
			if _, err := tx.Append(&k, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// showChange carries a whole record: its fields with their own clocks.
func showChange(d Record, fields map[string]Field, now time.Time) *wire.Change {
	c := &wire.Change{Op: wire.Op{OpID: newID(), Entity: d.Entity, EntityID: d.ID, Kind: wire.KindShow, At: now.UTC(),
		Fields: map[string]json.RawMessage{}}, Clocks: map[string]string{}, Created: wire.Clock(d.CreatedHLC, d.CreatedDevice)}
	c.HLC = d.CreatedHLC
	for f, v := range fields {
		c.Fields[f] = v.Value
		c.Clocks[f] = wire.Clock(v.HLC, v.Device)
		c.HLC = max(c.HLC, v.HLC)
	}
	return c
}

func opChange(op *wire.Op, user string) *wire.Change {
	return &wire.Change{User: user, Op: *op}
}

func side(f Field) wire.Side {
	return wire.Side{Value: f.Value, HLC: f.HLC, Device: f.Device, User: f.User, OpID: f.OpID}
}

// conflictID derives a conflict record's id from the losing op and field, so the same
// loss always makes the same record.
func conflictID(opID, field string) string {
	h := sha256.Sum256([]byte(opID + "\x00" + field))
	h[6] = h[6]&0x0f | 0x80 // version 8: custom
	h[8] = h[8]&0x3f | 0x80
	u, _ := uuid.FromBytes(h[:16])
	return u.String()
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
