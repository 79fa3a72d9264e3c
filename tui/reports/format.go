package reports

import (
	"fmt"
	"math"
	"strings"

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

// bar draws frac (0…1) of w cells as a horizontal bar, with eighth-cell precision.
func bar(frac float64, w int) string {
	if w <= 0 {
		return ""
	}
	frac = math.Max(0, math.Min(1, frac))
	eighths := int(math.Round(frac * float64(w*8)))
	full, part := eighths/8, eighths%8
	s := strings.Repeat("█", full)
	if part > 0 {
		s += string([]rune(" ▏▎▍▌▋▊▉")[part])
	}
	return s
}

// sparkline draws one cell per value, scaled to the largest.
func sparkline(vals []int) string {
	ticks := []rune("▁▂▃▄▅▆▇█")
	top := 0
	for _, v := range vals {
		top = max(top, v)
	}
	var b strings.Builder
	for _, v := range vals {
		i := 0
		if top > 0 {
			i = int(math.Round(float64(v) / float64(top) * float64(len(ticks)-1)))
		}
		b.WriteRune(ticks[i])
	}
	return b.String()
}

func pct(r *float64) string {
	if r == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", *r*100)
}

func days(d *float64) string {
	if d == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f d", *d)
}

// moneyIn is the amount in cur from a list of totals, and how many other currencies it has.
func moneyIn(list []store.CurrencyTotal, cur string) (int64, int) {
	var amt int64
	others := 0
	for _, t := range list {
		if t.Currency == cur {
			amt = t.Amount
		} else if t.Amount != 0 {
			others++
		}
	}
	return amt, others
}
