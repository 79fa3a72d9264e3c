package reports

import (
	"context"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/internal/tuitest"
	"github.com/rolo-crm/rolo/tui/styles"
)

// BenchmarkOpenReports: the Reports screen on the standard data set, from New and Init
// through every panel's load to the first View (the panels load one after the other
// here; the app runs their commands concurrently). Each report's budget is 100 ms.
//
//	go test -run '^$' -bench OpenReports -benchtime 10x -count 5 ./tui/reports/
func BenchmarkOpenReports(b *testing.B) {
	db := tuitest.StandardDB(b)
	c := common.Common{Ctx: context.Background(), Styles: styles.New(true, false), Now: db.Now, Loc: time.UTC, Currency: "USD"}
	for b.Loop() {
		m := New(c, db)
		m.SetSize(120, 40)
		run(b, m, m.Init())
		for i, p := range m.panels {
			if p.data == nil || p.err != nil {
				b.Fatalf("panel %d: %v", i, p.err)
			}
		}
		_ = m.View()
	}
}
