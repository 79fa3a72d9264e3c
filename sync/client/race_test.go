//go:build race

package client_test

// Under the race detector every seed costs about ten times as much; the default run
// takes a sample, and CI runs the full 200 seeds in a separate step without -race
// (.ci/run). ROLO_SYNC_SEEDS and ROLO_SYNC_CRASH_RUNS override these.
const (
	defaultSeeds     = 4
	defaultCrashRuns = 5
)
