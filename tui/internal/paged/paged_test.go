package paged

import (
	"errors"
	"testing"
)

func TestList_Apply(t *testing.T) {
	l := New[int](2)
	old, _ := l.Load()
	seq, limit := l.Load()
	if limit != 2 {
		t.Fatalf("limit %d, want 2", limit)
	}
	if l.Apply(old, []int{9}, 1, nil) || l.Loaded {
		t.Fatal("an older load's answer was taken")
	}
	if !l.Apply(seq, []int{1, 2}, 5, nil) || !l.Loaded || l.Total != 5 || len(l.Items) != 2 {
		t.Fatalf("answer not taken: %+v", l)
	}
	seq, _ = l.Load()
	l.Apply(seq, nil, 0, errors.New("boom"))
	if l.Err == nil || len(l.Items) != 2 || l.Total != 5 {
		t.Fatalf("an error dropped the rows shown: %+v", l)
	}
}

func TestList_Move(t *testing.T) {
	l := New[int](2)
	seq, _ := l.Load()
	l.Apply(seq, []int{1, 2}, 3, nil)
	if l.Move(-4) || l.Cursor != 0 {
		t.Fatalf("cursor %d, want 0", l.Cursor)
	}
	if !l.Move(1) || l.Cursor != 1 {
		t.Fatalf("moving onto the last row loaded of more did not ask for more (cursor %d)", l.Cursor)
	}
	if _, limit := l.Load(); limit != 4 {
		t.Fatalf("next load reads %d, want 4", limit)
	}
	if l.Move(9) || l.Cursor != 1 {
		t.Fatalf("asked again before the page came (cursor %d)", l.Cursor)
	}
}
