// Package par runs independent work on every core.
package par

import (
	"runtime"
	"sync"
)

// Least is the number of items worth a goroutine of their own.
const Least = 4096

// Ranges calls fn on consecutive ranges that cover [0, n): on up to GOMAXPROCS goroutines
// when n is large enough to pay for them (Least items each), else once on the caller's.
// It returns when every call has.
func Ranges(n int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+Least-1)/Least)
	if workers <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { fn(n*w/workers, n*(w+1)/workers) })
	}
	wg.Wait()
}
