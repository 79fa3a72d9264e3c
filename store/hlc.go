package store

import (
	"fmt"
	"strconv"
	"time"
)

// HLC is a hybrid logical clock reading: 48 bits of Unix milliseconds and a 16-bit
// counter. It never goes backwards, even when the wall clock does, and it moves past
// every clock it has seen, so an edit made after seeing another edit orders after it
// whatever the two machines' wall clocks say. Ties between devices break on device id.
type HLC uint64

const hlcCounterBits = 16

// MakeHLC builds a reading from its parts.
func MakeHLC(ms int64, counter uint16) HLC { return HLC(uint64(ms)<<hlcCounterBits | uint64(counter)) }

// Millis is the wall-clock part in Unix milliseconds.
func (h HLC) Millis() int64 { return int64(h >> hlcCounterBits) }

// Counter is the logical part.
func (h HLC) Counter() uint16 { return uint16(h) }

// Time is the wall-clock part as a time.
func (h HLC) Time() time.Time { return time.UnixMilli(h.Millis()).UTC() }

// Next returns the clock for a local event at wall time now: now if it is ahead,
// otherwise one tick after h.
func (h HLC) Next(now time.Time) HLC {
	wall := MakeHLC(now.UnixMilli(), 0)
	if wall > h {
		return wall
	}
	return h + 1
}

// Observe returns the clock after receiving a remote reading: past both h and remote.
func (h HLC) Observe(remote HLC, now time.Time) HLC {
	if remote > h {
		h = remote
	}
	return h.Next(now)
}

// String renders the clock as a decimal number, the form stored in meta.
func (h HLC) String() string { return strconv.FormatUint(uint64(h), 10) }

// ParseHLC reads the form String writes.
func ParseHLC(s string) (HLC, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse clock %q: %w", s, err)
	}
	return HLC(n), nil
}
