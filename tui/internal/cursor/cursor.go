// Package cursor moves a cursor over a list whose lines are not all rows (headings,
// notes, blank lines between sections), as the Today and Follow-ups screens show: the
// cursor rests only on the lines that can be selected.
package cursor

// Line is one line of such a list.
type Line interface {
	// Selectable reports whether the cursor can rest on the line.
	Selectable() bool
}

// Snap returns the selectable line nearest to i (first kept within the list), looking
// in direction dir (1 down, -1 up) first and then the other way; i kept within the list
// when no line is selectable.
func Snap[L Line](lines []L, i, dir int) int {
	i = max(0, min(i, len(lines)-1))
	for _, d := range []int{dir, -dir} {
		for j := i; j >= 0 && j < len(lines); j += d {
			if lines[j].Selectable() {
				return j
			}
		}
	}
	return i
}

// Step returns the next selectable line after i in direction d, or i when there is none.
func Step[L Line](lines []L, i, d int) int {
	for j := i + d; j >= 0 && j < len(lines); j += d {
		if lines[j].Selectable() {
			return j
		}
	}
	return i
}

// At returns line i when the cursor can rest on it.
func At[L Line](lines []L, i int) (L, bool) {
	if i < 0 || i >= len(lines) || !lines[i].Selectable() {
		var none L
		return none, false
	}
	return lines[i], true
}
