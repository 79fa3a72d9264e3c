package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyRun is a program running under a pseudo-terminal, with its output collected.
type ptyRun struct {
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func startPTY(b *testing.B, env []string, bin string, args ...string) *ptyRun {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 120, Rows: 40})
	if err != nil {
		b.Fatal(err)
	}
	r := &ptyRun{cmd: cmd, tty: tty, done: make(chan struct{})}
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := tty.Read(buf)
			r.mu.Lock()
			r.out.Write(buf[:n])
			r.mu.Unlock()
			if err != nil {
				close(r.done)
				return
			}
		}
	}()
	return r
}

// waitFor waits until every marker has been drawn and returns the time it took.
func (r *ptyRun) waitFor(b *testing.B, start time.Time, markers ...string) time.Duration {
	b.Helper()
	return r.waitFrom(b, 0, start, markers...)
}

// mark is the amount of output so far: waitFrom(mark…) looks only at what follows.
func (r *ptyRun) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.Len()
}

func (r *ptyRun) waitFrom(b *testing.B, from int, start time.Time, markers ...string) time.Duration {
	b.Helper()
	deadline := start.Add(20 * time.Second)
	for {
		r.mu.Lock()
		ok := true
		for _, m := range markers {
			ok = ok && bytes.Contains(r.out.Bytes()[from:], []byte(m))
		}
		r.mu.Unlock()
		if ok {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			r.mu.Lock()
			tail := r.out.String()
			r.mu.Unlock()
			b.Fatalf("no %q after 20 s; output:\n%q", markers, tail[max(0, len(tail)-2000):])
		}
		time.Sleep(200 * time.Microsecond)
	}
}

func (r *ptyRun) send(keys string) { io.WriteString(r.tty, keys) }

func (r *ptyRun) stop(b *testing.B) {
	r.send("q")
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		r.cmd.Process.Kill()
	}
	r.cmd.Wait()
	r.tty.Close()
}

// benchCopy copies the standard data set once per run, so the TUI (which opens and
// may migrate the file) never touches the shared copy.
func benchCopy(b *testing.B) string {
	b.Helper()
	src := standardDB(b)
	dst := filepath.Join(b.TempDir(), "standard.db")
	cp := exec.Command("cp", src, dst)
	if out, err := cp.CombinedOutput(); err != nil {
		b.Fatalf("copy the standard data set: %v %s", err, out)
	}
	return dst
}

func tuiEnv(b *testing.B, db string) []string {
	dir := b.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, nil, 0o600)
	return []string{"ROLO_DB=" + db, "ROLO_CONFIG=" + cfg, "TERM=xterm-256color", "NO_COLOR=", "EDITOR=true"}
}

// BenchmarkTUIFirstFrame times, under a pseudo-terminal, `rolo` on the standard data
// set until its first complete Today view (the agenda heading with its count and the status
// bar's counts drawn), against a minimal Bubble Tea v2 program until its one line.
// Budget (DESIGN.md): within 4× of the minimal program.
func BenchmarkTUIFirstFrame(b *testing.B) {
	dir := b.TempDir()
	rolo := buildBinary(b, dir, "rolo", ".")
	floor := buildBinary(b, dir, "teafloor", "./testdata/teafloor")
	env := tuiEnv(b, benchCopy(b))
	// One untimed run each warms the page cache (and runs any migration on the copy).
	for _, bin := range []string{rolo, floor} {
		r := startPTY(b, env, bin)
		if bin == rolo {
			r.waitFor(b, time.Now(), "Overdue (", "open deals")
		} else {
			r.waitFor(b, time.Now(), "Hello from the floor")
		}
		r.stop(b)
	}
	var tuiT, floorT []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		r := startPTY(b, env, rolo)
		tuiT = append(tuiT, r.waitFor(b, start, "Overdue (", "open deals"))
		r.stop(b)
		start = time.Now()
		r = startPTY(b, env, floor)
		floorT = append(floorT, r.waitFor(b, start, "Hello from the floor"))
		r.stop(b)
	}
	t, f := median(tuiT), median(floorT)
	b.ReportMetric(float64(t.Microseconds())/1000, "ms/rolo-frame")
	b.ReportMetric(float64(f.Microseconds())/1000, "ms/floor-frame")
	b.ReportMetric(float64(t)/float64(f), "ratio")
}

// BenchmarkTUIMemory browses every view of `rolo` on the standard data set under a
// pseudo-terminal (Today, Contacts scrolled and searched, a contact's detail,
// companies, Follow-ups, Pipeline, Reports, help, the palette) and reports the
// process's peak resident memory (VmHWM). Budget: ≤ 80 MB.
func BenchmarkTUIMemory(b *testing.B) {
	dir := b.TempDir()
	rolo := buildBinary(b, dir, "rolo", ".")
	env := tuiEnv(b, benchCopy(b))
	var peak float64
	for b.Loop() {
		r := startPTY(b, env, rolo)
		r.waitFor(b, time.Now(), "Overdue (", "open deals")
		steps := []struct{ keys, marker string }{
			{"2", "Touched"},
			{strings.Repeat("j", 300) + "G", "to the end"},
			{"g/mar", "match"},
			{"\r", "Timeline"},
			{"\x1b", ""},
			{"c", "Domain"},
			{"\r", "Contacts ("},
			{"\x1b", ""},
			{"4", "reopen if done"},
			{"3", "not available"},
			{"5", "win-rate"},
			{"1?", "Everywhere"},
			{"\x1b", ""},
			{"\x0b", "Command palette"},
			{"\x1b", ""},
		}
		for _, s := range steps {
			from := r.mark()
			r.send(s.keys)
			if os.Getenv("ROLO_BENCH_TRACE") != "" {
				b.Logf("before %q: VmHWM %.1f MB", s.keys[:min(len(s.keys), 5)], vmHWM(b, r.cmd.Process.Pid))
			}
			if s.marker != "" {
				r.waitFrom(b, from, time.Now(), s.marker)
			} else {
				time.Sleep(100 * time.Millisecond) // a lone esc, not the start of alt+key
			}
		}
		time.Sleep(200 * time.Millisecond)
		hwm := vmHWM(b, r.cmd.Process.Pid)
		peak = max(peak, hwm)
		r.stop(b)
	}
	b.ReportMetric(peak, "MB-peak-rss")
}

// vmHWM reads a process's peak resident set size, in MB.
func vmHWM(b *testing.B, pid int) float64 {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				b.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmHWM in /proc status")
	return 0
}
