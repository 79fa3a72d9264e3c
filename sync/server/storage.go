package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rolo-crm/rolo/sync/wire"
)

// Storage is what the server keeps: its workspace, users, devices, tokens and invites,
// the append-only log of changes, and the current state of every record (the latest value
// and clock of each field) that the merge rules read. Backends: sqlitestore (embedded);
// a PostgreSQL backend fits the same shape (Write holds a row lock on the workspace for
// the whole transaction, so seq order is commit order). storagetest checks any backend.
type Storage interface {
	// Init creates the workspace for team with a fresh epoch; ErrExists if there is one.
	Init(ctx context.Context, team string, now time.Time) (Workspace, error)
	// Workspace returns the workspace; ErrNotInitialized before Init.
	Workspace(ctx context.Context) (Workspace, error)

	// CreateInvite stores an invite (only its code's hash).
	CreateInvite(ctx context.Context, inv Invite) error
	// Enroll redeems the invite codeID whose hash check accepts, once, before it expires:
	// it creates the user if new, the device and its token, in one transaction. It returns
	// ErrInviteInvalid for an unknown, used or expired invite, and ErrExists when the
	// device is already enrolled.
	Enroll(ctx context.Context, codeID string, check func(hash []byte) bool, now time.Time, dev Device, tok Token) (User, error)
	// Token returns the token with id and its device; ErrNotFound if none.
	Token(ctx context.Context, id string) (Token, Device, error)
	// TouchDevice records that the device was seen at now.
	TouchDevice(ctx context.Context, id string, now time.Time) error
	// Users lists users and their devices.
	Users(ctx context.Context) ([]User, []Device, error)
	// RevokeDevice revokes a device and its tokens; ErrNotFound for an unknown device.
	RevokeDevice(ctx context.Context, id string, now time.Time) error

	// Write runs fn in one transaction that no other Write runs alongside (pushes are
	// serialized per workspace), committed before Write returns nil.
	Write(ctx context.Context, fn func(tx WriteTx) error) error
	// Pull returns up to q.Limit changes after q.After that q.Viewer may see, in seq
	// order, and the seq the read reached: the last change returned when the page is
	// full, else the log's end as of the same snapshot. Each change comes as stored: its
	// body is sent to the device as is, never decoded.
	Pull(ctx context.Context, q PullQuery) ([]RawChange, int64, error)

	// Snapshot reads a record, the record its visibility follows (itself when it has no
	// scope) and its fields, outside any write; ok is false when the server lacks it.
	Snapshot(ctx context.Context, id string) (rec, scope Record, fields map[string]Field, ok bool, err error)

	// Close releases the storage.
	Close() error
}

// WriteTx is the view of the storage inside Write.
type WriteTx interface {
	// Workspace as of the start of the transaction (LastSeq grows as Append is called).
	Workspace() Workspace
	// OpSeq returns the seq of the change with op id, if the log has it.
	OpSeq(opID string) (int64, bool, error)
	// Record returns the record with id, if the server has it.
	Record(id string) (Record, bool, error)
	// Fields returns every field of a record with its current value and clock: the
	// fields its create change carried (CreateFields of the record's first create in the
	// log), overlaid by those PutField and PutFieldRows wrote since. A create's fields are
	// not written twice: the log has them.
	Fields(id string) (map[string]Field, error)
	// PutRecord inserts or replaces a record's row.
	PutRecord(r Record) error
	// PutField inserts or replaces a field's value and clock.
	PutField(id, field string, f Field) error
	// Rejection returns the answer given to an op the server refused, if it refused it.
	Rejection(opID string) (wire.Rejection, bool, error)
	// Reject records that the server refused an op, so that a replay of it (a duplicate
	// request the network delivers late) gets the same answer and is never applied.
	Reject(r wire.Rejection, device string, now time.Time) error
	// Append adds a change to the log with the next seq, which it returns (and sets).
	Append(c *wire.Change, now time.Time) (int64, error)
	// Dependents lists the records whose visibility follows scope's.
	Dependents(scope string) ([]Record, error)
	// ConflictsOf returns the conflict changes about record id, in log order.
	ConflictsOf(id string) ([]wire.Change, error)

	// The bulk forms, so a push of many ops costs a few statements, not a few per op.

	// OpSeqs returns the seqs of those of ids the log has.
	OpSeqs(ids []string) (map[string]int64, error)
	// Rejections returns the answers given to those of ids the server refused.
	Rejections(ids []string) (map[string]wire.Rejection, error)
	// Records returns those of ids the server has.
	Records(ids []string) (map[string]Record, error)
	// PutRecords inserts or replaces records (at most one per id).
	PutRecords(rs []Record) error
	// PutFieldRows inserts or replaces fields (at most one per record and field).
	PutFieldRows(rows []FieldRow) error
	// AppendAll adds changes to the log in order, each with the next seq (which it sets).
	AppendAll(cs []*wire.Change, now time.Time) error
}

// FieldRow is one field of one record, for PutFieldRows.
type FieldRow struct {
	Record string
	Name   string
	Field  Field
}

// Workspace is the team's log: its epoch (new on every Init, so positions in another
// log are never mistaken for this one's) and the seq of its last change.
type Workspace struct {
	Team      string    `json:"team"`
	Epoch     string    `json:"epoch"`
	LastSeq   int64     `json:"last_seq"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a member of the team.
type User struct {
	Name      string    `json:"name"`
	Admin     bool      `json:"admin"`
	CreatedAt time.Time `json:"created_at"`
}

// Device is one enrolled install of rolo.
type Device struct {
	ID        string     `json:"id"`
	User      string     `json:"user"`
	Admin     bool       `json:"admin"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	LastSeen  time.Time  `json:"last_seen"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Token is a device's credential; only the SHA-256 of its secret is stored.
type Token struct {
	ID        string
	Hash      []byte
	Device    string
	CreatedAt time.Time
}

// Invite lets one device enrol as User; only the SHA-256 of its code is stored.
type Invite struct {
	ID        string
	Hash      []byte
	User      string
	Admin     bool
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Record is the server's row for a record: who owns it and who may see it.
type Record struct {
	ID         string
	Entity     string
	Owner      string
	Visibility string
	// Scope is the record whose visibility governs this one's ("" for itself).
	Scope string
	// CreatedHLC and CreatedDevice are the clock of the create that made it.
	CreatedHLC    uint64
	CreatedDevice string
}

// Field is a field's current value and the op that wrote it.
type Field struct {
	Value  json.RawMessage
	HLC    uint64
	Device string
	User   string
	OpID   string
}

// CreateFields returns the fields a create change carried, each with the create's clock,
// device, user and op id: a record's fields until edits overwrite them (WriteTx.Fields).
func CreateFields(body []byte) (map[string]Field, error) {
	var c wire.Change
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("the create change of a record: %w", err)
	}
	out := make(map[string]Field, len(c.Fields))
	for f, v := range c.Fields {
		out[f] = Field{Value: v, HLC: c.HLC, Device: c.Device, User: c.User, OpID: c.OpID}
	}
	return out, nil
}

// RawChange is a change of the log as stored: its seq, its op id and its body, the JSON of
// a wire.Change (seq included) as Append encoded it.
type RawChange struct {
	Seq  int64
	OpID string
	Body json.RawMessage
}

// Decode returns the change the body holds.
func (c RawChange) Decode() (wire.Change, error) {
	var w wire.Change
	err := json.Unmarshal(c.Body, &w)
	return w, err
}

// PullQuery asks for a page of the log.
type PullQuery struct {
	After  int64
	Limit  int
	Viewer string // the user pulling: decides visibility
	Device string // the device pulling: its own ops are not sent back
}

// Storage errors.
var (
	ErrExists         = errors.New("already exists")
	ErrNotFound       = errors.New("not found")
	ErrNotInitialized = errors.New("the server has no workspace; run rolo server init")
	ErrInviteInvalid  = errors.New("the invite code is unknown, used or expired")
)
