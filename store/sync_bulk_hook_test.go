package store

// SetBulkRunMin sets the shortest run of pulled creates applied together, for tests;
// it returns a function that restores it.
func SetBulkRunMin(n int) (restore func()) {
	old := bulkRunMin
	bulkRunMin = n
	return func() { bulkRunMin = old }
}

// PlainKey exposes plainKey to tests.
var PlainKey = plainKey
