package pipeline

import (
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
)

// The shared cell and number formatting of the screens (tui/common).
var (
	fit       = common.Cell
	spread    = common.Spread
	frame     = common.Frame
	compact   = common.Compact
	thousands = common.Thousands
	plural    = common.Plural
)

// daysIn is the whole days a deal has spent in its stage.
func daysIn(d store.Deal, now time.Time) int {
	return int(now.Sub(d.StageEnteredAt).Hours() / 24)
}

// isRotting reports whether a deal has been in its stage longer than the stage allows,
// as the store counts it.
func isRotting(d store.Deal, s store.Stage, now time.Time) bool {
	return d.Status == store.StatusOpen && s.RottingDays > 0 && d.StageEnteredAt.Before(now.AddDate(0, 0, -s.RottingDays))
}

// totalIn picks the total in one currency from a list, and counts the others.
func totalIn(list []store.CurrencyTotal, cur string) (amount int64, found bool, others int) {
	for _, t := range list {
		if t.Currency == cur {
			amount, found = t.Amount, true
		} else if t.Amount != 0 {
			others++
		}
	}
	return amount, found, others
}

// dueLabel renders a follow-up's due time in loc: "Fri 27 Nov 15:00", or the day alone for an
// all-day one.
func dueLabel(f store.FollowUp, loc *time.Location) string {
	t := f.DueAt.In(loc)
	if f.AllDay {
		return t.Format("Mon 2 Jan")
	}
	return t.Format("Mon 2 Jan 15:04")
}

// overdue reports whether a follow-up is past due: a timed one past its time, an all-day
// one from an earlier day.
func overdue(f store.FollowUp, now time.Time, loc *time.Location) bool {
	if f.AllDay {
		start, _ := store.DayBounds(now, loc)
		return f.DueAt.Before(start)
	}
	return f.DueAt.Before(now)
}
