// Package wire holds the JSON types rolo's sync client and server exchange, the pull
// cursor, and the decoder that checks a push before anything acts on it. The protocol is
// described in docs/sync.md.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Proto is the protocol version this build speaks, sent in the HeaderProto header.
const Proto = "1"

// Headers every request carries.
const (
	HeaderProto  = "CRM-Proto"
	HeaderSchema = "CRM-Schema"
)

// Limits of the protocol (B4 of the design study).
const (
	// MaxOpsPerPush is the most ops one push may carry.
	MaxOpsPerPush = 1000
	// MaxFieldValue is the largest encoded value of one field.
	MaxFieldValue = 64 << 10
	// MaxPullPage is the most changes one pull page holds.
	MaxPullPage = 1000
	// MaxPullBytes bounds the encoded size of one pull page (roughly).
	MaxPullBytes = 2 << 20
	// MaxBody is the largest request body on the wire (compressed).
	MaxBody = 4 << 20
	// MaxBodyDecompressed is the largest request body after gzip.
	MaxBodyDecompressed = 16 << 20
)

// Op kinds a client pushes: the store's own kinds.
const (
	KindCreate  = "create"
	KindUpdate  = "update"
	KindDelete  = "delete"
	KindRestore = "restore"
	KindAppend  = "append"
)

// Change kinds only the server writes.
const (
	// KindShow carries a whole record (values and per-field clocks) to devices that can
	// now see it: after it turned from private to team, or changed owner.
	KindShow = "show"
	// KindHide tells devices that can no longer see a record to delete their copy.
	KindHide = "hide"
	// KindConflict carries a conflict record: a value that lost to a concurrent edit.
	KindConflict = "conflict"
)

// Op is one change a device made: new values for some fields of one record, with the
// field clocks its author saw (Base) so the server can tell a concurrent edit.
type Op struct {
	OpID     string                     `json:"op_id"`
	HLC      uint64                     `json:"hlc"`
	Device   string                     `json:"device"`
	Entity   string                     `json:"entity"`
	EntityID string                     `json:"entity_id"`
	Kind     string                     `json:"kind"`
	Fields   map[string]json.RawMessage `json:"fields"`
	// Base maps each field to the clock ("HLC@device") the author's copy had.
	Base map[string]string `json:"base,omitempty"`
	At   time.Time         `json:"at"`
}

// PushRequest is the body of POST /v1/sync/push.
type PushRequest struct {
	DeviceID string `json:"device_id"`
	Schema   int    `json:"schema"`
	Ops      []Op   `json:"ops"`
}

// Ack says an op is durable on the server, at seq in its log.
type Ack struct {
	OpID string `json:"op_id"`
	Seq  int64  `json:"seq"`
}

// Rejection says the server will never apply an op, and why; the client parks it.
type Rejection struct {
	OpID   string `json:"op_id"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// Rejection codes.
const (
	RejectForbidden     = "forbidden"      // the record is not yours to change
	RejectInvalid       = "invalid"        // malformed op
	RejectUnknownRecord = "unknown_record" // an edit of a record the server never saw
	RejectWrongDevice   = "wrong_device"   // an op signed by another device
)

// PushResponse answers a push: every op is either acked or rejected.
type PushResponse struct {
	Acked     []Ack       `json:"acked"`
	Rejected  []Rejection `json:"rejected"`
	ServerHLC uint64      `json:"server_hlc"`
	Epoch     string      `json:"epoch"`
}

// Side is one of the two values of a conflict.
type Side struct {
	Value  json.RawMessage `json:"value"`
	HLC    uint64          `json:"hlc"`
	Device string          `json:"device"`
	User   string          `json:"user"`
	OpID   string          `json:"op_id"`
}

// Conflict is a value that lost to a concurrent edit, kept so nobody loses a word.
type Conflict struct {
	ID       string    `json:"id"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Field    string    `json:"field"`
	Winner   Side      `json:"winner"`
	Loser    Side      `json:"loser"`
	At       time.Time `json:"at"`
}

// Change is one entry of the server's log as a device pulls it.
type Change struct {
	Seq  int64  `json:"seq"`
	User string `json:"user,omitempty"`
	Op
	// Clocks gives each field its own clock ("HLC@device"); set on show changes, whose
	// fields were written by many ops.
	Clocks map[string]string `json:"clocks,omitempty"`
	// Created is the record's creation clock ("HLC@device"), on show changes.
	Created string `json:"created,omitempty"`
	// Conflict is set on conflict changes.
	Conflict *Conflict `json:"conflict,omitempty"`
}

// PullResponse is the body of GET /v1/sync/pull.
type PullResponse struct {
	Changes    []Change `json:"changes"`
	NextCursor string   `json:"next_cursor"`
	HasMore    bool     `json:"has_more"`
	ServerHLC  uint64   `json:"server_hlc"`
}

// EnrollRequest is the body of POST /v1/enroll: a device redeems an invite code.
type EnrollRequest struct {
	Code       string `json:"code"`
	DeviceID   string `json:"device_id"`
	DeviceName string `json:"device_name"`
}

// EnrollResponse carries the device's token; it is shown once and never again.
type EnrollResponse struct {
	Token string `json:"token"`
	User  string `json:"user"`
	Admin bool   `json:"admin"`
	Team  string `json:"team"`
	Epoch string `json:"epoch"`
}

// Info is the body of GET /v1/sync/info: who the token belongs to and where the log is.
type Info struct {
	User      string `json:"user"`
	Admin     bool   `json:"admin"`
	Device    string `json:"device"`
	Team      string `json:"team"`
	Epoch     string `json:"epoch"`
	LastSeq   int64  `json:"last_seq"`
	ServerHLC uint64 `json:"server_hlc"`
}

// Error is the body of every error response.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// ServerHLC is the server's clock, on a clock_ahead refusal.
	ServerHLC uint64 `json:"server_hlc,omitempty"`
}

// ErrorBody wraps Error as it is sent: {"error": {...}}.
type ErrorBody struct {
	Error Error `json:"error"`
}

// Error codes of error responses.
const (
	CodeBadRequest      = "bad_request"
	CodeUnauthorized    = "unauthorized"
	CodeForbidden       = "forbidden"
	CodeNotFound        = "not_found"
	CodeEpochChanged    = "epoch_changed"
	CodeTooLarge        = "too_large"
	CodeRateLimited     = "rate_limited"
	CodeUpgradeRequired = "upgrade_required"
	CodeInternal        = "internal"
	CodeUnavailable     = "unavailable"
	// CodeClockAhead refuses a push stamped more than MaxClockAhead past the server's
	// clock; the body's server_hlc is the server's clock, for the device to re-stamp by.
	CodeClockAhead = "clock_ahead"
)

// MaxClockAhead is how far past the server's clock an op's stamp may be. A device whose
// clock runs faster would win every concurrent edit until the others caught up.
const MaxClockAhead = 5 * time.Minute

// Cursor is a position in the server's log: the epoch of the log and the last seq seen.
// A restored or re-initialised server has a new epoch, so a device never mistakes one
// log's positions for another's.
type Cursor struct {
	Epoch string
	Seq   int64
}

// String renders the cursor as v1.EPOCH.SEQ; the zero cursor is "".
func (c Cursor) String() string {
	if c.Epoch == "" && c.Seq == 0 {
		return ""
	}
	return "v1." + c.Epoch + "." + strconv.FormatInt(c.Seq, 10)
}

// ErrBadCursor is what ParseCursor returns for anything but a cursor String wrote.
var ErrBadCursor = errors.New("malformed cursor")

// ParseCursor reads a cursor. The empty string is the start of any log.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	rest, ok := strings.CutPrefix(s, "v1.")
	if !ok {
		return Cursor{}, fmt.Errorf("%w: %.40q does not start with \"v1.\"", ErrBadCursor, s)
	}
	epoch, seq, ok := strings.Cut(rest, ".")
	if !ok || !ValidEpoch(epoch) {
		return Cursor{}, fmt.Errorf("%w: %.40q has no valid epoch", ErrBadCursor, s)
	}
	if seq == "" || len(seq) > 19 || (len(seq) > 1 && seq[0] == '0') {
		return Cursor{}, fmt.Errorf("%w: %.40q has no valid position", ErrBadCursor, s)
	}
	for i := 0; i < len(seq); i++ {
		if seq[i] < '0' || seq[i] > '9' {
			return Cursor{}, fmt.Errorf("%w: %.40q has no valid position", ErrBadCursor, s)
		}
	}
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil {
		return Cursor{}, fmt.Errorf("%w: %.40q has no valid position", ErrBadCursor, s)
	}
	return Cursor{Epoch: epoch, Seq: n}, nil
}

// ValidEpoch reports whether s is an epoch: 1 to 32 lower-case hex digits.
func ValidEpoch(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// DecodePush reads and checks a push body: well-formed JSON of the expected shape, at
// most MaxOpsPerPush ops, every op whole (ids, entity, kind, fields, values within
// limits) and signed by the pushing device. A malformed push is refused as a whole.
func DecodePush(r io.Reader) (*PushRequest, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("decode push: %w", err)
	}
	req, fast := decodePushFast(body)
	if !fast {
		if req, err = decodePushJSON(body); err != nil {
			return nil, err
		}
	}
	return req, checkPush(req, fast)
}

// decodePushJSON decodes a push body with encoding/json: strict about unknown fields and
// anything after the request.
func decodePushJSON(body []byte) (*PushRequest, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req PushRequest
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("decode push: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decode push: trailing data after the request")
	}
	return &req, nil
}

// checkPush checks a decoded push: its device id, its size, every op whole, no op twice.
// valuesRead says the fast reader read it, which has checked every value is JSON.
func checkPush(req *PushRequest, valuesRead bool) error {
	if !ValidID(req.DeviceID) {
		return fmt.Errorf("decode push: device_id %.40q is not an id", req.DeviceID)
	}
	if len(req.Ops) > MaxOpsPerPush {
		return fmt.Errorf("decode push: %d ops; at most %d per push", len(req.Ops), MaxOpsPerPush)
	}
	seen := make(map[string]bool, len(req.Ops))
	for i := range req.Ops {
		op := &req.Ops[i]
		if err := checkOp(op, valuesRead); err != nil {
			return fmt.Errorf("decode push: op %d: %w", i, err)
		}
		if seen[op.OpID] {
			return fmt.Errorf("decode push: op %s is given twice", op.OpID)
		}
		seen[op.OpID] = true
	}
	return nil
}

// CheckOp checks one op's shape: ids, entity, kind, field names and value sizes.
func CheckOp(op *Op) error { return checkOp(op, false) }

// checkOp is CheckOp; valuesRead skips checking that each value is JSON, for values the
// fast reader has read.
func checkOp(op *Op, valuesRead bool) error {
	switch {
	case !ValidID(op.OpID):
		return fmt.Errorf("op_id %.40q is not an id", op.OpID)
	case !ValidID(op.Device):
		return fmt.Errorf("device %.40q is not an id", op.Device)
	case !ValidID(op.EntityID):
		return fmt.Errorf("entity_id %.40q is not an id", op.EntityID)
	case !validName(op.Entity, 32):
		return fmt.Errorf("entity %.40q is not a name", op.Entity)
	case op.HLC == 0:
		return errors.New("no clock")
	}
	switch op.Kind {
	case KindCreate, KindUpdate, KindDelete, KindRestore, KindAppend:
	default:
		return fmt.Errorf("kind %.40q is not one a device may push", op.Kind)
	}
	if len(op.Fields) == 0 {
		return errors.New("no fields")
	}
	for k, v := range op.Fields {
		if !ValidField(k) {
			return fmt.Errorf("field %.40q is not a field name", k)
		}
		if len(v) > MaxFieldValue {
			return fmt.Errorf("field %s: value of %d bytes; at most %d", k, len(v), MaxFieldValue)
		}
		if !valuesRead && !json.Valid(v) {
			return fmt.Errorf("field %s: value is not JSON", k)
		}
	}
	for k, c := range op.Base {
		if _, ok := op.Fields[k]; !ok {
			return fmt.Errorf("base names field %.40q the op does not set", k)
		}
		if _, _, err := ParseClock(c); err != nil {
			return fmt.Errorf("base of %s: %w", k, err)
		}
	}
	return nil
}

// ValidID reports whether s can be a record, op or device id: 1 to 64 characters of
// letters, digits and '-'.
func ValidID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}

func validName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ValidField reports whether s is a field name: a column name, or "tag:NAME" where NAME
// is printable UTF-8 without spaces or commas, at most 128 bytes in all.
func ValidField(s string) bool {
	if tag, ok := strings.CutPrefix(s, "tag:"); ok {
		if tag == "" || len(s) > 128 || !utf8.ValidString(tag) {
			return false
		}
		for _, r := range tag {
			if r < 0x21 || r == ',' || r == 0x7f || r == utf8.RuneError {
				return false
			}
		}
		return true
	}
	return validName(s, 64)
}

// Clock renders a field clock as "HLC@device".
func Clock(hlc uint64, device string) string {
	return strconv.FormatUint(hlc, 10) + "@" + device
}

// ParseClock reads "HLC@device".
func ParseClock(s string) (uint64, string, error) {
	h, d, ok := strings.Cut(s, "@")
	if !ok || !ValidID(d) {
		return 0, "", fmt.Errorf("clock %.60q is not HLC@device", s)
	}
	n, err := strconv.ParseUint(h, 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("clock %.60q is not HLC@device", s)
	}
	return n, d, nil
}

// Later reports whether clock (h1, d1) orders after (h2, d2): the higher HLC, and on a
// tie the higher device id.
func Later(h1 uint64, d1 string, h2 uint64, d2 string) bool {
	if h1 != h2 {
		return h1 > h2
	}
	return d1 > d2
}

// CanonicalJSON re-encodes a JSON value in one canonical form (keys sorted, numbers as
// written, Go's escaping), so two equal values compare equal as bytes.
func CanonicalJSON(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return v
	}
	b, err := json.Marshal(x)
	if err != nil {
		return v
	}
	return b
}
