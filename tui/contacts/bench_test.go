package contacts

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/internal/tuitest"
)

// BenchmarkKeystroke is one keystroke in the Contacts filter on the standard data set
// (100k contacts): Update with the key press, the search query it triggers (run
// synchronously here), Update with the result, and View. The keystrokes type "martin"
// and erase it again, so every prefix from one letter up is measured. Budget: 16 ms.
func BenchmarkKeystroke(b *testing.B) {
	src := filepath.Join("..", "..", ".bench", "standard.db")
	if _, err := os.Stat(src); err != nil {
		b.Skip("no .bench/standard.db (copy the standard data set there)")
	}
	// Work on a copy: opening may migrate the file.
	path := filepath.Join(b.TempDir(), "standard.db")
	if out, err := exec.Command("cp", src, path).CombinedOutput(); err != nil {
		b.Fatalf("copy: %v %s", err, out)
	}
	db, err := store.Open(context.Background(), path, store.Options{Now: func() time.Time { return tuitest.Now }})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SQL().SetMaxOpenConns(1)
	if _, err := db.SQL().Exec("PRAGMA cache_size = -12000"); err != nil { // as cmd/rolo sets it for the TUI
		b.Fatal(err)
	}
	m := New(tuitest.Common(), db)
	m.SetSize(120, 37)
	tuitest.Run(b, m, m.Init())
	tuitest.Drive(b, m, tuitest.Key("/"))
	var seq []string
	for _, r := range "martin" {
		seq = append(seq, string(r))
	}
	for range "martin" {
		seq = append(seq, "backspace")
	}
	i := 0
	b.ResetTimer()
	for b.Loop() {
		tuitest.Drive(b, m, tuitest.Keys(seq[i%len(seq)])...)
		_ = m.View()
		i++
	}
}
