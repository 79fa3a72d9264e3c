package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/internal/tuitest"
	"github.com/rolo-crm/rolo/tui/styles"
)

// BenchmarkOpenBoard: the Pipeline screen on the standard data set, from New and Init
// through its load messages to the first complete View, at 80×24 and 200×60; budget:
// "opens at once" (50 ms).
//
//	go test -run '^$' -bench OpenBoard -benchtime 20x -count 5 ./tui/pipeline/
func BenchmarkOpenBoard(b *testing.B) {
	db := tuitest.StandardDB(b)
	c := common.Common{Ctx: context.Background(), Styles: styles.New(true, false), Now: db.Now, Loc: time.UTC, Currency: "USD"}
	for _, size := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"200x60", 200, 60}} {
		b.Run(size.name, func(b *testing.B) {
			for b.Loop() {
				m := New(c, db)
				m.SetSize(size.w, size.h)
				run(b, m, m.Init())
				if !m.board.ready || len(m.board.cols[0].cards) == 0 || m.View() == "" {
					b.Fatal("the board did not load")
				}
			}
		})
	}
}

// BenchmarkStartReview: r on the board, until the first deal of the review is shown
// with its contact, timeline and next step.
func BenchmarkStartReview(b *testing.B) {
	db := tuitest.StandardDB(b)
	c := common.Common{Ctx: context.Background(), Styles: styles.New(true, false), Now: db.Now, Loc: time.UTC, Currency: "USD"}
	m := New(c, db)
	m.SetSize(80, 24)
	run(b, m, m.Init())
	for b.Loop() {
		run(b, m, m.startReview())
		if m.review == nil || m.review.cur == nil || len(m.review.items) != ReviewSize {
			b.Fatal("the review did not load")
		}
		_ = m.View()
	}
}
