package cursor

import "testing"

type row bool

func (r row) Selectable() bool { return bool(r) }

func TestSnapStepAt(t *testing.T) {
	// heading, row, note, row, note
	lines := []row{false, true, false, true, false}
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"snap down from a heading", Snap(lines, 0, 1), 1},
		{"snap up from the foot", Snap(lines, 4, -1), 3},
		{"snap up finds none, then looks down", Snap(lines, 0, -1), 1},
		{"snap keeps within the list", Snap(lines, 9, 1), 3},
		{"snap on an empty list", Snap([]row(nil), 3, 1), 0},
		{"snap with nothing selectable", Snap([]row{false, false}, 5, 1), 1},
		{"step down skips the note", Step(lines, 1, 1), 3},
		{"step past the last stays", Step(lines, 3, 1), 3},
		{"step up", Step(lines, 3, -1), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %d, want %d", tc.got, tc.want)
			}
		})
	}
	if _, ok := At(lines, 2); ok {
		t.Fatal("At took a note")
	}
	if r, ok := At(lines, 3); !ok || !bool(r) {
		t.Fatal("At missed a row")
	}
	if _, ok := At(lines, -1); ok {
		t.Fatal("At took a line before the list")
	}
}
