package common

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/rolo-crm/rolo/store"
)

// Cell truncates s (which may hold ANSI styling) to w cells and pads it with spaces to
// exactly w, so that every line of a view has the width the root gave it.
func Cell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	t := ansi.Truncate(s, w, "…")
	if pad := w - ansi.StringWidth(t); pad > 0 {
		t += strings.Repeat(" ", pad)
	}
	return t
}

// Spread puts left at the start and right at the end of a w-cell line; the left part is
// cut first when both do not fit.
func Spread(left, right string, w int) string {
	rw := ansi.StringWidth(right)
	if rw >= w {
		return Cell(right, w)
	}
	return Cell(left, w-rw-1) + " " + right
}

// Frame cuts or pads lines to exactly h lines of w cells.
func Frame(lines []string, w, h int) string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = Cell(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
	}
	return strings.Join(out, "\n")
}

// Compact renders an amount of minor units short, for cards and column totals:
// "950 USD", "12.5k USD", "3.2M USD".
func Compact(amount int64, currency string) string {
	units := float64(amount) / math.Pow10(store.MinorDigits(currency))
	var s string
	switch a := math.Abs(units); {
	case a >= 1e9:
		s = trimZero(fmt.Sprintf("%.1f", units/1e9)) + "B"
	case a >= 1e6:
		s = trimZero(fmt.Sprintf("%.1f", units/1e6)) + "M"
	case a >= 1e4:
		s = trimZero(fmt.Sprintf("%.1f", units/1e3)) + "k"
	default:
		s = store.FormatAmount(amount, currency)
		if d := store.MinorDigits(currency); d > 0 {
			s = strings.TrimSuffix(s, "."+strings.Repeat("0", d))
		}
	}
	return s + " " + currency
}

func trimZero(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// Thousands renders n with thousands separators.
func Thousands(n int) string {
	return store.FormatAmount(int64(n), "JPY") // JPY has no minor unit: a plain grouped integer
}

// Plural renders "1 deal" or "3 deals".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Thousands(n) + " " + many
}
