// Package paged is the list under the review panels (sync conflicts, duplicates): rows
// read a page at a time, where only the newest load's answer counts, and a cursor that
// asks for the next page when it reaches the last row loaded. Both panels draw the list
// the same way, above the selected row's detail.
package paged

import (
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/styles"
)

// List is the rows loaded so far, how many there are in all, and the cursor over them.
type List[T any] struct {
	Items  []T
	Total  int
	Cursor int
	Loaded bool  // a load has answered
	Err    error // the last load's error
	page   int
	limit  int
	seq    int
	offset int
}

// New returns an empty list that reads page rows at a time.
func New[T any](page int) List[T] {
	return List[T]{page: page, limit: page}
}

// Load starts a load: it returns the number the answer must carry (see Apply) and how
// many rows to read.
func (l *List[T]) Load() (seq, limit int) {
	l.seq++
	return l.seq, l.limit
}

// Apply takes a load's answer, unless a newer load has started since, and reports
// whether it did. On an error the rows already shown stay.
func (l *List[T]) Apply(seq int, items []T, total int, err error) bool {
	if seq != l.seq {
		return false
	}
	l.Loaded, l.Err = true, err
	if err == nil {
		l.Items, l.Total = items, total
	}
	l.Clamp()
	return true
}

// Clamp keeps the cursor on a row after the rows changed.
func (l *List[T]) Clamp() { l.Cursor = max(min(l.Cursor, len(l.Items)-1), 0) }

// Selected is the row under the cursor, or nil.
func (l *List[T]) Selected() *T {
	if l.Cursor < len(l.Items) {
		return &l.Items[l.Cursor]
	}
	return nil
}

// Move puts the cursor on row i. It reports whether the caller should load again: the
// cursor reached the last row loaded while more are left, so the next load reads one
// page more.
func (l *List[T]) Move(i int) bool {
	l.Cursor = i
	l.Clamp()
	if l.Cursor == len(l.Items)-1 && len(l.Items) < l.Total && len(l.Items) >= l.limit {
		l.limit += l.page
		return true
	}
	return false
}

// Rows draws the rows that fit in h lines, scrolled to keep the cursor in view: each
// row cut or padded to fill w cells, the selected one marked "›".
func (l *List[T]) Rows(st *styles.Styles, w, h int, row func(*T) string) []string {
	l.offset = common.Scroll(l.offset, l.Cursor, h, len(l.Items))
	var lines []string
	for i := l.offset; i < len(l.Items) && i < l.offset+h; i++ {
		r := common.PadRight(row(&l.Items[i]), w-3)
		if i == l.Cursor {
			lines = append(lines, " "+st.Selected.Render("› "+r))
		} else {
			lines = append(lines, "   "+r)
		}
	}
	return lines
}
