package client_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/client"
	"github.com/rolo-crm/rolo/sync/internal/synctest"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/sqlitestore"
)

// The kill -9 tests run this test binary again as a child: a device syncing (killed by
// the parent mid-sync), or the server (killed mid-push and started again on its file).
// Afterwards no acknowledged op is lost, none is in the log twice, the log has no gap,
// and a device that pulls everything matches the server.

const crashRole = "ROLO_SYNC_CRASH_ROLE"

func TestSyncCrashChild(t *testing.T) {
	switch os.Getenv(crashRole) {
	case "device":
		db, err := store.Open(context.Background(), os.Getenv("ROLO_SYNC_CRASH_DB"), store.Options{})
		if err != nil {
			fmt.Println("err", err)
			os.Exit(2)
		}
		c := &client.Client{BaseURL: os.Getenv("ROLO_SYNC_CRASH_URL"), Token: os.Getenv("ROLO_SYNC_CRASH_TOKEN"), DB: db, PushBatch: 7, PullLimit: 9}
		fmt.Println("ready")
		for i := 0; ; i++ {
			if _, err := db.CreateCompany(context.Background(), store.CompanyInput{Name: fmt.Sprintf("Crash Co %d", i)}); err != nil {
				fmt.Println("err", err)
				os.Exit(2)
			}
			c.SyncNow(context.Background())
		}
	case "server":
		st, err := sqlitestore.Open(context.Background(), os.Getenv("ROLO_SYNC_CRASH_DATA"), sqlitestore.Options{})
		if err != nil {
			fmt.Println("err", err)
			os.Exit(2)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			os.Exit(2)
		}
		fmt.Println("url http://" + ln.Addr().String())
		http.Serve(ln, server.New(server.Config{Storage: st, Rate: 1e6, Burst: 1e6}).Handler())
	default:
		t.Skip("the child of the kill -9 tests")
	}
}

// child starts the test binary in role with env and waits for its first line.
func child(t *testing.T, role string, env ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSyncCrashChild$")
	cmd.Env = append(os.Environ(), append(env, crashRole+"="+role)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.HasPrefix(line, "err") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child %s: %q %v", role, line, err)
	}
	go func() {
		r := bufio.NewScanner(out)
		for r.Scan() {
		}
	}()
	return cmd, strings.TrimSpace(line)
}

func kill(cmd *exec.Cmd) {
	cmd.Process.Kill() // SIGKILL
	cmd.Wait()
}

func crashRuns(t *testing.T) int {
	if testing.Short() {
		return 3
	}
	return envInt("ROLO_SYNC_CRASH_RUNS", defaultCrashRuns)
}

// checkLog: no op twice (op_id is unique in the log by construction, so: seqs 1..n with
// no gap), and every op the device counts as answered is in the log or parked.
func checkLog(t *testing.T, serverFile string, dev *store.DB) {
	t.Helper()
	sdb, err := sql.Open("sqlite", "file:"+serverFile+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var n, maxSeq, distinct int64
	if err := sdb.QueryRow("SELECT count(*), coalesce(max(seq), 0), count(DISTINCT op_id) FROM changes").Scan(&n, &maxSeq, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != maxSeq || distinct != n {
		t.Fatalf("log of %d changes, last seq %d, %d distinct op ids: a gap or a duplicate", n, maxSeq, distinct)
	}
	st, err := dev.SyncState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := dev.SQL().Query("SELECT op_id FROM ops WHERE device = ? AND entity <> 'group' AND seq <= ? AND op_id NOT IN (SELECT op_id FROM sync_parked)",
		dev.Device(), st.PushedSeq)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		rows.Scan(&id)
		var k int
		sdb.QueryRow("SELECT count(*) FROM changes WHERE op_id = ?", id).Scan(&k)
		if k != 1 {
			t.Fatalf("op %s was acknowledged but is in the log %d times", id, k)
		}
	}
}

func TestKillDeviceMidSync(t *testing.T) {
	ctx := context.Background()
	tm := synctest.NewTeam(t, server.Config{Rate: 1e6, Burst: 1e6})
	other := tm.Join("bob", false, store.Options{Owner: "bob"}, nil)
	for i := range 60 {
		if _, err := other.DB.CreateContact(ctx, store.ContactInput{Name: fmt.Sprintf("Bob Contact %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := other.Client.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	dev := tm.Join("ann", false, store.Options{Owner: "ann"}, nil)
	dev.DB.Close()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	for run := range crashRuns(t) {
		cmd, _ := child(t, "device", "ROLO_SYNC_CRASH_DB="+dev.Path, "ROLO_SYNC_CRASH_URL="+tm.URL, "ROLO_SYNC_CRASH_TOKEN="+dev.Client.Token)
		time.Sleep(time.Duration(r.IntN(300)) * time.Millisecond)
		kill(cmd)
		db, err := store.Open(ctx, dev.Path, store.Options{})
		if err != nil {
			t.Fatalf("run %d: reopen after kill: %v", run, err)
		}
		if problems, err := db.Check(ctx); err != nil || len(problems) > 0 {
			t.Fatalf("run %d: check after kill: %v %v", run, problems, err)
		}
		checkLog(t, filepath.Join(tm.Dir, "server.db"), db)
		db.Close()
	}
	db, err := store.Open(ctx, dev.Path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := &client.Client{BaseURL: tm.URL, Token: dev.Client.Token, DB: db}
	if _, err := c.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	checkLog(t, filepath.Join(tm.Dir, "server.db"), db)
	if _, err := other.Client.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if a, b := exportOf(t, db), teamExport(t, other); a != b {
		t.Fatalf("after the kills the devices differ (a change was skipped):\n%s", diff(a, b))
	}
	if srv := tm.Export(t); srv != plainExport(t, db) {
		t.Fatalf("device and server differ:\n%s", diff(srv, plainExport(t, db)))
	}
}

func TestKillServerMidPush(t *testing.T) {
	ctx := context.Background()
	dir := synctest.Dir(t)
	data := filepath.Join(dir, "server.db")
	st, err := sqlitestore.Open(ctx, data, sqlitestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Init(ctx, "acme", time.Now()); err != nil {
		t.Fatal(err)
	}
	codeA, _, _ := server.CreateInvite(ctx, st, "ann", false, time.Now())
	codeB, _, _ := server.CreateInvite(ctx, st, "bob", false, time.Now())
	st.Close()
	srv, url := child(t, "server", "ROLO_SYNC_CRASH_DATA="+data)
	url = strings.TrimPrefix(url, "url ")
	defer func() { kill(srv) }()
	join := func(name, code string) *client.Client {
		db, err := store.Open(ctx, filepath.Join(dir, name+".db"), store.Options{Owner: name})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		res, err := client.Enroll(ctx, nil, url, code, db.Device(), name)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PrepareJoin(ctx, name); err != nil {
			t.Fatal(err)
		}
		return &client.Client{BaseURL: url, Token: res.Token, DB: db, PushBatch: 5, PullLimit: 7, HTTP: &http.Client{Timeout: 5 * time.Second}}
	}
	ann, bob := join("ann", codeA), join("bob", codeB)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	for run := range crashRuns(t) {
		for i := range 40 {
			if _, err := ann.DB.CreateContact(ctx, store.ContactInput{Name: fmt.Sprintf("Run %d Person %d", run, i), Tags: []string{"crash"}}); err != nil {
				t.Fatal(err)
			}
		}
		done := make(chan error, 1)
		go func() {
			_, err := ann.SyncNow(ctx)
			done <- err
		}()
		time.Sleep(time.Duration(r.IntN(60)) * time.Millisecond)
		kill(srv)
		<-done // fails or finishes; either way nothing acked may be lost
		checkLog(t, data, ann.DB)
		srv, url = child(t, "server", "ROLO_SYNC_CRASH_DATA="+data)
		url = strings.TrimPrefix(url, "url ")
		ann.BaseURL, bob.BaseURL = url, url
	}
	if _, err := ann.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	checkLog(t, data, ann.DB)
	if _, err := bob.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ann.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if a, b := exportOf(t, ann.DB), exportOf(t, bob.DB); a != b {
		t.Fatalf("after the server kills the devices differ:\n%s", diff(a, b))
	}
	list, _, err := bob.DB.FindContacts(ctx, store.ContactFilter{Tag: "crash", Limit: 100000})
	if err != nil || len(list) != 40*crashRuns(t) {
		t.Fatalf("bob has %d of %d contacts: %v", len(list), 40*crashRuns(t), err)
	}
}

func exportOf(t *testing.T, db *store.DB) string {
	t.Helper()
	return teamExport(t, &synctest.Device{DB: db})
}

func plainExport(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	if err := db.SyncExport(context.Background(), &b, store.ExportOptions{TeamOnly: true}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
