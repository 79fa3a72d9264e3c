//go:build !race

package client_test

// Defaults of the convergence seeds (ROLO_SYNC_SEEDS) and kill -9 runs
// (ROLO_SYNC_CRASH_RUNS). A plain `go test ./...` runs 25 seeds, a few minutes even on a
// busy machine (well inside go test's 10-minute limit); CI runs 200 in a step of its own.
const (
	defaultSeeds     = 25
	defaultCrashRuns = 15
)
