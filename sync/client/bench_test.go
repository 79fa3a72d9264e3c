package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/internal/loadgen"
	"github.com/rolo-crm/rolo/sync/internal/synctest"
	"github.com/rolo-crm/rolo/sync/server"
)

// standardDB is the standard data set (rolo demo --contacts 100000 --seed 1): the file
// $ROLO_BENCH_DB names, else .bench/standard.db at the repository root (see
// docs/benchmarks.md). Benchmarks copy it; the original is never written.
func standardDB(b *testing.B) string {
	p := os.Getenv("ROLO_BENCH_DB")
	if p == "" {
		p = filepath.Join("..", "..", ".bench", "standard.db")
	}
	if _, err := os.Stat(p); err != nil {
		b.Skip("no standard data set: set ROLO_BENCH_DB or see docs/benchmarks.md")
	}
	return p
}

func copyFile(b *testing.B, from, to string) {
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFirstSync: a database holding the standard data set joins a team and syncs for
// the first time over loopback: its whole op log goes up (push), then a second, empty
// device pulls the whole team (pull). Both on disk, synchronous=FULL on all sides.
func BenchmarkFirstSync(b *testing.B) { firstSync(b, true) }

// BenchmarkFirstPush is BenchmarkFirstSync's push alone: the standard data set's whole op
// log pushed to a server on loopback.
func BenchmarkFirstPush(b *testing.B) { firstSync(b, false) }

func firstSync(b *testing.B, pull bool) {
	src := standardDB(b)
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		path := filepath.Join(dir, "rep.db")
		copyFile(b, src, path)
		tm := synctest.NewTeamIn(b, dir, server.Config{Rate: 1e6, Burst: 1e6})
		db, err := store.Open(ctx, path, store.Options{NoBackup: true}) // migrates the copy to this schema
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		dev := tm.Enrol(db, path, "ann", false, nil)
		join := time.Since(start)
		b.StartTimer()
		start = time.Now()
		rep, err := dev.Client.SyncNow(ctx)
		if err != nil {
			b.Fatal(err)
		}
		push := time.Since(start)
		b.StopTimer()
		b.ReportMetric(join.Seconds(), "join_s")
		b.ReportMetric(push.Seconds(), "push_s")
		b.ReportMetric(float64(rep.Pushed), "ops")
		if !pull {
			b.Logf("join %v; push of %d ops %v", join.Round(time.Millisecond), rep.Pushed, push.Round(time.Millisecond))
			db.Close()
			b.StartTimer()
			continue
		}
		empty := tm.JoinIn(dir, "bob", store.Options{Owner: "bob"})
		start = time.Now()
		rep2, err := empty.Client.SyncNow(ctx)
		if err != nil {
			b.Fatal(err)
		}
		pull := time.Since(start)
		b.ReportMetric(pull.Seconds(), "pull_s")
		b.Logf("join %v; push of %d ops %v; a new device pulled %d changes in %v", join.Round(time.Millisecond), rep.Pushed,
			push.Round(time.Millisecond), rep2.Pulled, pull.Round(time.Millisecond))
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkEditRoundTrip: one edit on one device, pushed, and pulled by another device.
func BenchmarkEditRoundTrip(b *testing.B) {
	ctx := context.Background()
	tm := synctest.NewTeamIn(b, b.TempDir(), server.Config{Rate: 1e6, Burst: 1e6})
	ann := tm.Join("ann", false, store.Options{Owner: "ann"}, nil)
	bob := tm.Join("bob", false, store.Options{Owner: "bob"}, nil)
	c, err := ann.DB.CreateContact(ctx, store.ContactInput{Name: "Round Trip"})
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range []*synctest.Device{ann, bob, ann} {
		if _, err := d.Client.SyncNow(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		title := fmt.Sprintf("title %d", i)
		if _, err := ann.DB.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: &title}); err != nil {
			b.Fatal(err)
		}
		if _, err := ann.Client.SyncNow(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := bob.Client.SyncNow(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	got, _ := bob.DB.FindContactByID(ctx, c.ID)
	if got.Title != fmt.Sprintf("title %d", b.N-1) {
		b.Fatalf("bob has %q", got.Title)
	}
}

// timing records each request's latency.
type timing struct {
	next http.RoundTripper
	mu   *sync.Mutex
	lat  *[]time.Duration
	errs *int
}

func (t timing) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(r)
	d := time.Since(start)
	t.mu.Lock()
	*t.lat = append(*t.lat, d)
	if err != nil || resp.StatusCode != 200 {
		*t.errs++
	}
	t.mu.Unlock()
	return resp, err
}

// BenchmarkConcurrentClients: 50 devices sync against one server for
// ROLO_SYNC_BENCH_SECONDS (default 60): each makes an edit and syncs about twice a second.
// Reports the latency of every request (p50, p99) and the errors.
func BenchmarkConcurrentClients(b *testing.B) {
	benchClients(b, synctest.NewTeamIn(b, b.TempDir(), server.Config{}))
}

// benchClients runs the 50-client load against tm (bench_pg_test.go: PostgreSQL replicas).
func benchClients(b *testing.B, tm *synctest.Team) {
	ctx := context.Background()
	secs := envInt("ROLO_SYNC_BENCH_SECONDS", 60)
	const clients = 50
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	tr := timing{next: http.DefaultTransport, mu: &mu, lat: &lat, errs: &errs}
	devs := make([]*synctest.Device, clients)
	for i := range devs {
		devs[i] = tm.Join(fmt.Sprintf("user%02d", i%10), false, store.Options{Owner: fmt.Sprintf("user%02d", i%10)}, tr)
		if _, err := devs[i].DB.CreateContact(ctx, store.ContactInput{Name: fmt.Sprintf("Contact %d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	mu.Lock()
	lat, errs = nil, 0
	mu.Unlock()
	b.ResetTimer()
	for range b.N {
		deadline := time.Now().Add(time.Duration(secs) * time.Second)
		var wg sync.WaitGroup
		var syncErrs []error
		for i, d := range devs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(i), 9))
				for n := 0; time.Now().Before(deadline); n++ {
					id := ""
					d.DB.SQL().QueryRow("SELECT id FROM contacts ORDER BY random() LIMIT 1").Scan(&id)
					title := fmt.Sprintf("t%d", n)
					d.DB.UpdateContact(ctx, id, store.ContactUpdate{Title: &title})
					if _, err := d.Client.SyncNow(ctx); err != nil {
						mu.Lock()
						syncErrs = append(syncErrs, err)
						mu.Unlock()
					}
					time.Sleep(time.Duration(300+r.IntN(400)) * time.Millisecond)
				}
			}()
		}
		wg.Wait()
		if len(syncErrs) > 0 {
			b.Errorf("%d syncs failed, first: %v", len(syncErrs), syncErrs[0])
		}
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		b.Fatal("no requests")
	}
	p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	b.ReportMetric(float64(p(0.5).Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99_ms")
	b.ReportMetric(float64(errs), "errors")
	b.ReportMetric(float64(len(lat))/float64(secs*b.N), "req/s")
	b.Logf("%d clients, %d requests in %ds: p50 %v, p99 %v, max %v, errors %d", clients, len(lat), secs*b.N, p(0.5), p(0.99), lat[len(lat)-1], errs)
}

// BenchmarkServerLoad: 50 lean devices (sync/internal/loadgen, in a process of its own:
// this test binary re-executed) each edit a contact, push it and pull to the log's end
// about twice a second for ROLO_SYNC_BENCH_SECONDS (default 60), against a SQLite server
// in this process on disk with synchronous=FULL. Reports every request's latency (p50,
// p99, max) and the errors: the server's share of the 50-client budget, without 50
// client databases competing for the CPU. Profile the server with -cpuprofile.
func BenchmarkServerLoad(b *testing.B) {
	serverLoad(b, func(b *testing.B) *synctest.Team { return synctest.NewTeamIn(b, b.TempDir(), server.Config{}) })
}

// serverLoad runs the load generator against a fresh team per iteration.
func serverLoad(b *testing.B, team func(b *testing.B) *synctest.Team) {
	secs := envInt("ROLO_SYNC_BENCH_SECONDS", 60)
	devices := envInt("ROLO_SYNC_BENCH_DEVICES", 50)
	var p50, p99, max, push99, pull99, rps, errs []float64
	for range b.N {
		b.StopTimer()
		tm := team(b)
		cfg := loadgen.Config{URL: tm.URL, URLs: tm.Replicas, Duration: time.Duration(secs) * time.Second, Seed: 1}
		for i := range devices {
			user := fmt.Sprintf("user%02d", i%10)
			cfg.Invites = append(cfg.Invites, loadgen.Invite{User: user, Code: tm.Invite(user, false)})
		}
		js, err := json.Marshal(cfg)
		if err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestLoadgenProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ROLO_LOADGEN_CONFIG="+string(js))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		b.StartTimer()
		if err := cmd.Run(); err != nil {
			b.Fatalf("load generator: %v\n%s", err, out.String())
		}
		b.StopTimer()
		var res loadgen.Result
		_, line, ok := strings.Cut(out.String(), "LOADGEN_RESULT ")
		line, _, _ = strings.Cut(line, "\n")
		if !ok || json.Unmarshal([]byte(line), &res) != nil {
			b.Fatalf("load generator said:\n%s", out.String())
		}
		b.Log(res)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		p50, p99, max = append(p50, ms(res.P50)), append(p99, ms(res.P99)), append(max, ms(res.Max))
		push99, pull99 = append(push99, ms(res.PushP99)), append(pull99, ms(res.PullP99))
		rps, errs = append(rps, float64(res.Requests)/res.Seconds), append(errs, float64(res.Errors))
		b.StartTimer()
	}
	med := func(xs []float64) float64 { sort.Float64s(xs); return xs[len(xs)/2] }
	b.ReportMetric(med(p50), "p50_ms")
	b.ReportMetric(med(p99), "p99_ms")
	b.ReportMetric(med(max), "max_ms")
	b.ReportMetric(med(push99), "push_p99_ms")
	b.ReportMetric(med(pull99), "pull_p99_ms")
	b.ReportMetric(med(rps), "req/s")
	b.ReportMetric(med(errs), "errors")
}

// TestLoadgenProcess is the load generator's process for serverLoad (it re-executes this
// test binary); run alone it has nothing to do.
func TestLoadgenProcess(t *testing.T) {
	js := os.Getenv("ROLO_LOADGEN_CONFIG")
	if js == "" {
		t.Skip("the load generator process of BenchmarkServerLoad")
	}
	var cfg loadgen.Config
	if err := json.Unmarshal([]byte(js), &cfg); err != nil {
		t.Fatal(err)
	}
	res, err := loadgen.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("LOADGEN_RESULT %s\n", out)
}
