package par

import (
	"sync/atomic"
	"testing"
)

func TestRanges(t *testing.T) {
	for _, n := range []int{0, 1, Least - 1, Least, 3*Least + 7, 100000} {
		seen := make([]int32, n)
		var calls atomic.Int32
		Ranges(n, func(lo, hi int) {
			calls.Add(1)
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&seen[i], 1)
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: index %d covered %d times", n, i, c)
			}
		}
		if n < 2*Least && calls.Load() != 1 {
			t.Errorf("n=%d: %d calls, want 1 (too small to split)", n, calls.Load())
		}
	}
}
