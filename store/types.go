package store

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Record holds what every record carries.
type Record struct {
	ID         string     `json:"id"`
	Owner      string     `json:"owner"`
	Visibility string     `json:"visibility"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	DeletedAt  *time.Time `json:"deleted_at,omitempty"`
	MergedInto string     `json:"merged_into,omitempty"`
}

// ShortID is the part of the id people type: the first eight characters of its random
// tail (UUIDv7 ids begin with a timestamp, so their prefixes collide).
func ShortID(id string) string {
	if len(id) >= 32 {
		return id[24:32]
	}
	return id
}

// Email is one of a contact's addresses; the first in the list is the primary.
type Email struct {
	Email string `json:"email"`
	Label string `json:"label,omitempty"`
}

// Phone is one of a contact's numbers; the first in the list is the primary.
type Phone struct {
	Phone string `json:"phone"`
	Label string `json:"label,omitempty"`
}

// Contact is a person.
type Contact struct {
	Record
	FirstName     string     `json:"first_name"`
	LastName      string     `json:"last_name"`
	Name          string     `json:"name"`
	Title         string     `json:"title"`
	CompanyID     string     `json:"company_id,omitempty"`
	Company       string     `json:"company,omitempty"`
	Emails        []Email    `json:"emails"`
	Phones        []Phone    `json:"phones"`
	Address       string     `json:"address"`
	Source        string     `json:"source"`
	Notes         string     `json:"notes"`
	Tags          []string   `json:"tags"`
	CadenceDays   int        `json:"cadence_days,omitempty"`
	LastTouchedAt *time.Time `json:"last_touched_at,omitempty"`
}

// PrimaryEmail is the first email address, or "".
func (c Contact) PrimaryEmail() string {
	if len(c.Emails) > 0 {
		return c.Emails[0].Email
	}
	return ""
}

// PrimaryPhone is the first phone number, or "".
func (c Contact) PrimaryPhone() string {
	if len(c.Phones) > 0 {
		return c.Phones[0].Phone
	}
	return ""
}

// Company is an organisation.
type Company struct {
	Record
	Name     string   `json:"name"`
	Domain   string   `json:"domain"`
	Phone    string   `json:"phone"`
	Address  string   `json:"address"`
	Notes    string   `json:"notes"`
	Tags     []string `json:"tags"`
	Contacts int      `json:"contacts"`
}

// Stage is a step of the pipeline.
type Stage struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Position    int    `json:"position"`
	Probability int    `json:"probability"`
	RottingDays int    `json:"rotting_days"`
}

// Deal statuses.
const (
	StatusOpen = "open"
	StatusWon  = "won"
	StatusLost = "lost"
)

// Deal is a sales opportunity.
type Deal struct {
	Record
	Title          string     `json:"title"`
	ContactID      string     `json:"contact_id,omitempty"`
	Contact        string     `json:"contact,omitempty"`
	CompanyID      string     `json:"company_id,omitempty"`
	Company        string     `json:"company,omitempty"`
	Value          Money      `json:"value"`
	StageID        string     `json:"stage_id"`
	Stage          string     `json:"stage"`
	Status         string     `json:"status"`
	LostReason     string     `json:"lost_reason,omitempty"`
	ExpectedClose  string     `json:"expected_close,omitempty"`
	StageEnteredAt time.Time  `json:"stage_entered_at"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
	Notes          string     `json:"notes"`
	Tags           []string   `json:"tags"`
}

// Interaction kinds a rep logs; the store also appends stage_change, status_change and
// redaction entries.
var InteractionKinds = []string{"call", "email", "meeting", "note", "message"}

// Interaction is one entry of a timeline.
type Interaction struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	OccurredAt time.Time `json:"occurred_at"`
	Text       string    `json:"text"`
	ContactID  string    `json:"contact_id,omitempty"`
	Contact    string    `json:"contact,omitempty"`
	CompanyID  string    `json:"company_id,omitempty"`
	Company    string    `json:"company,omitempty"`
	DealID     string    `json:"deal_id,omitempty"`
	Deal       string    `json:"deal,omitempty"`
	Supersedes string    `json:"supersedes,omitempty"`
	Owner      string    `json:"owner"`
	Visibility string    `json:"visibility"`
	CreatedAt  time.Time `json:"created_at"`
}

// FollowUp is a dated next step for a contact or a deal.
type FollowUp struct {
	Record
	Title     string     `json:"title"`
	DueAt     time.Time  `json:"due_at"`
	AllDay    bool       `json:"all_day"`
	ContactID string     `json:"contact_id,omitempty"`
	Contact   string     `json:"contact,omitempty"`
	DealID    string     `json:"deal_id,omitempty"`
	Deal      string     `json:"deal,omitempty"`
	DoneAt    *time.Time `json:"done_at,omitempty"`
}

func checkVisibility(v string) error {
	if v != "private" && v != "team" {
		return fmt.Errorf("%w: visibility %q must be private or team", ErrInvalid, v)
	}
	return nil
}

// ValidEmail reports whether s is one plain address (no display name), at most 254 bytes
// long (the SMTP limit).
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}

// PhoneDigits is a phone number reduced to its digits (a leading + kept), for matching.
func PhoneDigits(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		if r == '+' && i == 0 {
			b.WriteRune(r)
		} else if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidPhone reports whether s looks like a phone number: digits with the usual
// separators, 3 to 20 digits, at most 64 bytes in all.
func ValidPhone(s string) bool {
	if len(s) > 64 {
		return false
	}
	n := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9': // the digits PhoneDigits keeps, so every valid number can be matched
			n++
		case strings.ContainsRune(" +-().xX/ext.", r):
		default:
			return false
		}
	}
	return n >= 3 && n <= 20
}

func splitName(full string) (first, last string) {
	full = strings.Join(strings.Fields(full), " ")
	i := strings.LastIndexByte(full, ' ')
	if i < 0 {
		return full, ""
	}
	return full[:i], full[i+1:]
}

func joinName(first, last string) string {
	return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
}

func normTag(t string) (string, error) {
	t = strings.ToLower(strings.TrimSpace(t))
	if t == "" {
		return "", fmt.Errorf("%w: empty tag", ErrInvalid)
	}
	if strings.ContainsAny(t, " ,\t\n") {
		return "", fmt.Errorf("%w: tag %q may not contain spaces or commas", ErrInvalid, t)
	}
	if len(t) > 64 {
		return "", fmt.Errorf("%w: tag %q is longer than 64 characters", ErrInvalid, t)
	}
	return t, nil
}

// limits on free text, so one paste cannot bloat the database.
const (
	maxShort = 500
	maxLong  = 64 << 10
)

func checkLen(field, v string, max int) error {
	if len(v) > max {
		return fmt.Errorf("%w: %s is longer than %d characters", ErrInvalid, field, max)
	}
	return nil
}
