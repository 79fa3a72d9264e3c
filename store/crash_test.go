package store_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// The crash test runs this test binary again as a child that writes through the store as
// fast as it can and reports each write that returned nil; the parent kills it with
// SIGKILL at a random moment and then checks that the database is whole and holds every
// reported write.
const crashEnv = "ROLO_CRASH_CHILD"

// TestCrashChild is the child's body; it only runs when the parent starts it.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("the child of TestCrash")
	}
	seed, _ := strconv.ParseUint(os.Getenv("ROLO_CRASH_CHILD_SEED"), 10, 64)
	crashChild(path, seed)
}

func crashChild(path string, seed uint64) {
	ctx := context.Background()
	say := func(format string, args ...any) {
		// one write per line: the parent reads whole lines even when the kill comes mid-loop
		os.Stdout.WriteString(fmt.Sprintf(format, args...) + "\n")
	}
	fail := func(what string, err error) {
		say("err %s: %v", what, err)
		os.Exit(2)
	}
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		fail("open", err)
	}
	stages, err := db.Stages(ctx)
	if err != nil {
		fail("stages", err)
	}
	say("ready")
	r := rand.New(rand.NewPCG(seed, 1))
	for n := 0; ; n++ {
		name := fmt.Sprintf("Crash Person %d-%d", seed%1000, n)
		c, err := db.CreateContact(ctx, store.ContactInput{Name: name, Company: fmt.Sprintf("Crash Co %d", r.IntN(5)),
			Emails: []store.Email{{Email: fmt.Sprintf("p%d.%d@crash.example", seed%1000, n)}}, Tags: []string{"crash"}, CadenceDays: 7})
		if err != nil {
			fail("create contact", err)
		}
		say("ok contact %s", c.ID)
		for k := 1; k <= 3; k++ {
			title := fmt.Sprintf("t%d", k)
			if _, err := db.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: &title, AddTags: []string{title}}); err != nil {
				fail("edit contact", err)
			}
			say("ok edit %s %s", c.ID, title)
		}
		e, err := db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "crash call " + name, ContactID: c.ID})
		if err != nil {
			fail("log", err)
		}
		say("ok log %s %s", e.ID, c.ID)
		fu, err := db.AddFollowUp(ctx, store.FollowUpInput{Title: "follow up " + name, DueAt: time.Now().Add(time.Hour), ContactID: c.ID})
		if err != nil {
			fail("add follow-up", err)
		}
		say("ok followup %s", fu.ID)
		if _, err := db.CompleteFollowUp(ctx, fu.ID); err != nil {
			fail("complete follow-up", err)
		}
		say("ok done %s", fu.ID)
		d, err := db.CreateDeal(ctx, store.DealInput{Title: "deal " + name, ContactID: c.ID, Value: int64(r.IntN(100000))})
		if err != nil {
			fail("create deal", err)
		}
		say("ok deal %s", d.ID)
		for _, s := range stages[1:] {
			if _, err := db.MoveDeal(ctx, d.ID, s.Name); err != nil {
				fail("move deal", err)
			}
			say("ok move %s %d", d.ID, s.Position)
		}
		if n%4 == 3 {
			if err := db.DeleteContact(ctx, c.ID); err != nil {
				fail("delete contact", err)
			}
			say("ok delete %s", c.ID)
		}
	}
}

// crashState is everything the children reported, over all runs.
type crashState struct {
	contacts  map[string]bool
	titles    map[string]int // contact id -> highest reported edit number
	entries   map[string]string
	followUps map[string]bool // id -> reported done
	deals     map[string]int  // deal id -> highest reported stage position
	deleted   map[string]bool
	lines     int
	// fresh holds the ids reported by the latest run; older ones were checked already.
	fresh map[string]bool
}

func (s *crashState) add(t *testing.T, line string) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return
	}
	if f[0] != "ok" || len(f) < 3 {
		if f[0] != "ready" {
			t.Errorf("child said %q", line)
		}
		return
	}
	s.lines++
	s.fresh[f[2]] = true
	switch f[1] {
	case "contact":
		s.contacts[f[2]] = true
	case "edit":
		n, _ := strconv.Atoi(strings.TrimPrefix(f[3], "t"))
		s.titles[f[2]] = max(s.titles[f[2]], n)
	case "log":
		s.entries[f[2]] = f[3]
	case "followup":
		s.followUps[f[2]] = s.followUps[f[2]] || false
	case "done":
		s.followUps[f[2]] = true
	case "deal":
		s.deals[f[2]] = max(s.deals[f[2]], 0)
	case "move":
		n, _ := strconv.Atoi(f[3])
		s.deals[f[2]] = max(s.deals[f[2]], n)
	case "delete":
		s.deleted[f[2]] = true
	default:
		t.Errorf("unknown report %q", line)
	}
}

func TestCrash(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("in the child")
	}
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ROLO_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("crash test seed %d; rerun with ROLO_CRASH_SEED=%d", seed, seed)
		}
	})
	runs := 50
	if testing.Short() {
		runs = 10
	}
	r := rand.New(rand.NewPCG(seed, 2))
	path := filepath.Join(t.TempDir(), "rolo.db")
	st := &crashState{contacts: map[string]bool{}, titles: map[string]int{}, entries: map[string]string{},
		followUps: map[string]bool{}, deals: map[string]int{}, deleted: map[string]bool{}}
	everything := func(string) bool { return true }
	for run := range runs {
		// Most runs are killed 20-300 ms after the child has opened the database; every tenth
		// within 20 ms of its start, while it may still be creating or opening the file.
		early := run%10 == 0
		delay := time.Duration(20+r.IntN(281)) * time.Millisecond
		if early {
			delay = time.Duration(r.IntN(20)) * time.Millisecond
		}
		st.fresh = map[string]bool{}
		lines := crashRun(t, path, r.Uint64(), delay, early)
		for _, l := range lines {
			st.add(t, l)
		}
		check := func(id string) bool { return st.fresh[id] }
		if run == runs-1 {
			check = everything
		}
		verifyCrash(t, path, st, check)
		if t.Failed() {
			t.Fatalf("run %d (killed after %v) left a bad database", run, delay)
		}
	}
	if st.lines == 0 {
		t.Errorf("the children reported no writes at all")
	}
	t.Logf("%d runs, %d reported writes, %d contacts", runs, st.lines, len(st.contacts))
}

// crashRun starts one child, kills it after delay (counted from its "ready" line unless
// early) and returns the lines it wrote.
func crashRun(t *testing.T, path string, seed uint64, delay time.Duration, early bool) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), crashEnv+"="+path, fmt.Sprintf("ROLO_CRASH_CHILD_SEED=%d", seed))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	noErr(t, err)
	noErr(t, cmd.Start())
	started := time.Now()
	ch := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			ch <- sc.Text()
		}
		close(ch)
	}()
	var lines []string
	kill := time.NewTimer(delay)
	if !early {
		kill.Stop()
	}
	deadline := time.After(30 * time.Second)
	killed := false
	for {
		select {
		case l, ok := <-ch:
			if !ok {
				err := cmd.Wait()
				if !killed {
					t.Fatalf("child exited by itself (%v): %s\n%s", err, strings.Join(lines, "\n"), stderr.String())
				}
				return lines
			}
			lines = append(lines, l)
			if l == "ready" && !early {
				kill.Reset(delay)
			}
		case <-kill.C:
			if !killed {
				noErr(t, cmd.Process.Kill()) // SIGKILL: no deferred code, no clean close
				killed = true
			}
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("child did not get going within 30s (started %v ago): %s", time.Since(started), stderr.String())
		}
	}
}

// verifyCrash opens the database a killed child left and checks it.
func verifyCrash(t *testing.T, path string, st *crashState, check func(id string) bool) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	defer db.Close()
	if ic := scalar[string](t, db, "PRAGMA integrity_check"); ic != "ok" {
		t.Errorf("integrity_check: %s", ic)
	}
	if probs := must[[]store.Problem](t)(db.Check(ctx)); len(probs) > 0 {
		t.Errorf("check: %+v", probs)
	}
	for id := range st.contacts {
		if !check(id) {
			continue
		}
		c, err := db.FindContactByID(ctx, id)
		if err != nil {
			t.Errorf("reported contact %s: %v", id, err)
			continue
		}
		// a later edit may have committed without being reported
		if want := st.titles[id]; want > 0 {
			n, _ := strconv.Atoi(strings.TrimPrefix(c.Title, "t"))
			if n < want {
				t.Errorf("contact %s has title %q, but edit t%d was reported", id, c.Title, want)
			}
		}
		if st.deleted[id] && c.DeletedAt == nil {
			t.Errorf("contact %s was reported deleted but is live", id)
		}
	}
	for id, cid := range st.entries {
		if !check(id) {
			continue
		}
		e, err := db.FindInteractionByID(ctx, id)
		if err != nil {
			t.Errorf("reported entry %s: %v", id, err)
			continue
		}
		c := must[*store.Contact](t)(db.FindContactByID(ctx, cid))
		if c.LastTouchedAt == nil || c.LastTouchedAt.Before(e.OccurredAt) {
			t.Errorf("contact %s last touched %v, before its entry at %v", cid, c.LastTouchedAt, e.OccurredAt)
		}
	}
	for id, done := range st.followUps {
		if !check(id) {
			continue
		}
		fu, err := db.FindFollowUpByID(ctx, id)
		if err != nil {
			t.Errorf("reported follow-up %s: %v", id, err)
			continue
		}
		if done && fu.DoneAt == nil {
			t.Errorf("follow-up %s reported done is open", id)
		}
	}
	stages := must[[]store.Stage](t)(db.Stages(ctx))
	for id, pos := range st.deals {
		if !check(id) {
			continue
		}
		d, err := db.FindDealByID(ctx, id)
		if err != nil {
			t.Errorf("reported deal %s: %v", id, err)
			continue
		}
		for _, s := range stages {
			if s.ID == d.StageID && s.Position < pos {
				t.Errorf("deal %s is in stage %d, but a move to %d was reported", id, s.Position, pos)
			}
		}
	}
	verifyOpLog(t, db)
}

// verifyOpLog checks that the op log and the records agree: every group has ops, the clock
// order is the log order, every record has its create op and every create op its record,
// and replaying each record's ops gives the record's stored fields.
func verifyOpLog(t *testing.T, db *store.DB) {
	t.Helper()
	if n := scalar[int](t, db, "SELECT count(*) FROM op_groups g WHERE NOT EXISTS (SELECT 1 FROM ops WHERE group_id = g.id)"); n > 0 {
		t.Errorf("%d change groups without ops", n)
	}
	if n := scalar[int](t, db, "SELECT count(*) FROM op_groups g WHERE seq <> (SELECT max(seq) FROM ops WHERE group_id = g.id)"); n > 0 {
		t.Errorf("%d change groups whose seq is not their last op's", n)
	}
	assertIncreasing(t, opClocks(t, db))
	for entity, table := range map[string]string{store.EntityContact: "contacts", store.EntityCompany: "companies", store.EntityDeal: "deals",
		store.EntityFollowUp: "follow_ups", store.EntityInteraction: "interactions"} {
		if n := scalar[int](t, db, "SELECT count(*) FROM "+table+" r WHERE NOT EXISTS (SELECT 1 FROM ops WHERE entity_id = r.id AND kind = 'create')"); n > 0 {
			t.Errorf("%d %s without a create op", n, table)
		}
		if n := scalar[int](t, db, "SELECT count(*) FROM ops o WHERE entity = ? AND kind = 'create' AND NOT EXISTS (SELECT 1 FROM "+table+" WHERE id = o.entity_id)", entity); n > 0 {
			t.Errorf("%d create ops of %s without a record", n, table)
		}
		replay(t, db, entity, table)
	}
}

// replay folds every op of each record of table and compares the result with the rows.
func replay(t *testing.T, db *store.DB, entity, table string) {
	t.Helper()
	state := map[string]map[string]any{}
	rows, err := db.SQL().Query("SELECT entity_id, fields FROM ops WHERE entity = ? ORDER BY seq", entity)
	noErr(t, err)
	for rows.Next() {
		var id, fields string
		noErr(t, rows.Scan(&id, &fields))
		var f map[string]any
		noErr(t, json.Unmarshal([]byte(fields), &f))
		if state[id] == nil {
			state[id] = map[string]any{}
		}
		for k, v := range f {
			state[id][k] = v
		}
	}
	rows.Close()

	stored := map[string]map[string]string{}
	rows, err = db.SQL().Query("SELECT * FROM " + table)
	noErr(t, err)
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		noErr(t, rows.Scan(ptrs...))
		row := map[string]string{}
		for i, c := range cols {
			row[c] = norm(vals[i])
		}
		stored[row["id"]] = row
	}
	rows.Close()
	// lists and tags, keyed "id field"
	children := map[string][]string{}
	for _, q := range []string{
		"SELECT entity_id, 'tag:' || tag FROM tags WHERE entity = ? ORDER BY 1, 2",
		"SELECT contact_id, email FROM contact_emails WHERE ? = 'contact' ORDER BY contact_id, position",
		"SELECT contact_id, phone FROM contact_phones WHERE ? = 'contact' ORDER BY contact_id, position",
	} {
		rows, err := db.SQL().Query(q, entity)
		noErr(t, err)
		for rows.Next() {
			var id, v string
			noErr(t, rows.Scan(&id, &v))
			k := id + " " + v
			if !strings.HasPrefix(v, "tag:") {
				k = id + " " + map[bool]string{true: "emails", false: "phones"}[strings.Contains(v, "@")]
			}
			children[k] = append(children[k], v)
		}
		rows.Close()
	}
	for id, fields := range state {
		row := stored[id]
		if row == nil {
			continue // reported by the create-op check
		}
		for k, v := range fields {
			switch {
			case strings.HasPrefix(k, "tag:"):
				if on, _ := v.(bool); on != (len(children[id+" "+k]) > 0) {
					t.Errorf("%s %s: op log says %s=%v, tags table disagrees", entity, id, k, v)
				}
			case k == "emails" || k == "phones":
				col := map[string]string{"emails": "email", "phones": "phone"}[k]
				var want []string
				list, _ := v.([]any)
				for _, e := range list {
					want = append(want, fmt.Sprint(e.(map[string]any)[col]))
				}
				if got := children[id+" "+k]; strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%s %s: op log says %s=%v, stored %v", entity, id, k, want, got)
				}
			default:
				if norm(v) != row[k] {
					t.Errorf("%s %s: op log says %s=%v, stored %v", entity, id, k, norm(v), row[k])
				}
			}
		}
	}
}

func norm(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case float64:
		return strconv.FormatInt(int64(x), 10)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}
