package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixedNow is the clock the tests run at: Wednesday 11 March 2026, 10:00 local time.
var fixedNow = time.Date(2026, 3, 11, 10, 0, 0, 0, time.Local)

// result is what one in-process run of rolo produced.
type result struct {
	code     int
	out, err string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.out, r.err)
}

// tenv is one test's sandbox: a temporary home for config and data, and a database file.
type tenv struct {
	t   *testing.T
	dir string
	db  string
}

// newEnv points every path rolo may read or write at a temporary directory and fixes the
// clock at fixedNow.
func newEnv(t *testing.T) *tenv {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"config", "data"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	empty := filepath.Join(dir, "empty-config.yaml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv("ROLO_CONFIG", empty)
	t.Setenv("ROLO_DB", filepath.Join(dir, "env.db"))
	// Empty values are ignored by viper, as if unset.
	for _, k := range []string{"ROLO_CURRENCY", "ROLO_WEEK_START", "ROLO_VISIBILITY", "ROLO_CADENCE_DAYS", "ROLO_OWNER", "ROLO_STAGES", "NO_COLOR"} {
		t.Setenv(k, "")
	}
	t.Setenv("USER", "tester")
	e := &tenv{t: t, dir: dir, db: filepath.Join(dir, "rolo.db")}
	e.setNow(fixedNow)
	return e
}

// setNow sets the clock later runs see.
func (e *tenv) setNow(now time.Time) {
	old := nowFunc
	nowFunc = func() time.Time { return now }
	e.t.Cleanup(func() { nowFunc = old })
}

// raw runs rolo with exactly args.
func (e *tenv) raw(args ...string) result {
	e.t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	return result{code: code, out: out.String(), err: errb.String()}
}

// rolo runs rolo on the test's database.
func (e *tenv) rolo(args ...string) result {
	e.t.Helper()
	return e.raw(append([]string{"--db", e.db}, args...)...)
}

// ok runs rolo on the test's database, requires success and returns stdout.
func (e *tenv) ok(args ...string) string {
	e.t.Helper()
	r := e.rolo(args...)
	if r.code != 0 {
		e.t.Fatalf("rolo %q: want exit 0, got %s", args, r)
	}
	return r.out
}

// device runs rolo on the database of another device in the test's directory,
// NAME.db: a second user's laptop, say, syncing with the same server.
func (e *tenv) device(name string) func(args ...string) result {
	path := filepath.Join(e.dir, name+".db")
	return func(args ...string) result {
		e.t.Helper()
		return e.raw(append([]string{"--db", path}, args...)...)
	}
}

// must requires r to have exited 0 and returns its stdout.
func (e *tenv) must(r result) string {
	e.t.Helper()
	if r.code != 0 {
		e.t.Fatalf("want exit 0: %s", r)
	}
	return r.out
}

// okJSON runs rolo with --json, requires success, checks the output is valid JSON that
// follows the conventions (no null lists) and decodes it into v.
func (e *tenv) okJSON(v any, args ...string) string {
	e.t.Helper()
	out := e.ok(append(args, "--json")...)
	decode(e.t, out, v)
	return out
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("output is not the JSON expected (%v):\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("output holds more than one JSON value:\n%s", s)
	}
}

type obj = map[string]any

// list decodes a JSON array of objects; it fails on null.
func (e *tenv) list(args ...string) []obj {
	e.t.Helper()
	var l []obj
	out := e.okJSON(&l, args...)
	if !strings.HasPrefix(strings.TrimSpace(out), "[") {
		e.t.Fatalf("rolo %q --json: want a JSON array, got:\n%s", args, out)
	}
	checkNoNull(e.t, out)
	return l
}

// object decodes a JSON object; it fails on null values (where nothing may be null).
func (e *tenv) object(args ...string) obj {
	e.t.Helper()
	var m obj
	out := e.okJSON(&m, args...)
	checkNoNull(e.t, out)
	return m
}

// checkNoNull fails when any value in the JSON document is null: lists must be [] and
// absent optional fields omitted.
func checkNoNull(t *testing.T, s string) {
	t.Helper()
	var v any
	decode(t, s, &v)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case nil:
			t.Errorf("JSON value at %s is null, want [] or an omitted field:\n%s", path, s)
		case []any:
			for i, y := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), y)
			}
		case map[string]any:
			for k, y := range x {
				if !snake.MatchString(k) {
					t.Errorf("JSON field %s.%s is not snake_case", path, k)
				}
				walk(path+"."+k, y)
			}
		}
	}
	walk("$", v)
}

var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// str reads a string field along a dotted path, e.g. "value.currency".
func str(t *testing.T, m obj, path string) string {
	t.Helper()
	v := field(t, m, path)
	s, ok := v.(string)
	if !ok {
		t.Fatalf("field %s is %T (%v), want a string", path, v, v)
	}
	return s
}

// num reads an integer field along a dotted path.
func num(t *testing.T, m obj, path string) int64 {
	t.Helper()
	v := field(t, m, path)
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("field %s is %T (%v), want a number", path, v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("field %s: %v", path, err)
	}
	return i
}

// arr reads an array field.
func arr(t *testing.T, m obj, path string) []any {
	t.Helper()
	v := field(t, m, path)
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("field %s is %T (%v), want an array", path, v, v)
	}
	return a
}

func field(t *testing.T, m obj, path string) any {
	t.Helper()
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("field %s: %q is inside a %T", path, k, cur)
		}
		if cur, ok = mm[k]; !ok {
			t.Fatalf("field %s: no %q in %v", path, k, mm)
		}
	}
	return cur
}

// has reports whether the dotted path exists (and is not empty or zero).
func has(m obj, path string) bool {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = mm[k]; !ok {
			return false
		}
	}
	switch x := cur.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case json.Number:
		return x.String() != "0"
	}
	return true
}

func strs(t *testing.T, m obj, path string) []string {
	t.Helper()
	var out []string
	for _, v := range arr(t, m, path) {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("%s holds %T, want strings", path, v)
		}
		out = append(out, s)
	}
	return out
}

// names lists the given field of every object of a list.
func names(l []obj, key string) []string {
	out := []string{}
	for _, o := range l {
		s, _ := o[key].(string)
		out = append(out, s)
	}
	return out
}

func find(t *testing.T, l []obj, key, val string) obj {
	t.Helper()
	for _, o := range l {
		if o[key] == val {
			return o
		}
	}
	t.Fatalf("no element with %s = %q in %v", key, val, names(l, key))
	return nil
}

func contains(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("output lacks %q:\n%s", w, s)
		}
	}
}

func lacks(t *testing.T, s string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(s, b) {
			t.Errorf("output holds %q:\n%s", b, s)
		}
	}
}

func equal[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func equalStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

var shortIDRe = regexp.MustCompile(`\(([0-9a-f]{8})\)`)

// shortID is the short id a command printed in parentheses, e.g. "Added contact X (d8b31c83)".
func shortID(t *testing.T, out string) string {
	t.Helper()
	m := shortIDRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no short id in %q", out)
	}
	return m[1]
}

// dumpDB returns every row of every real table (including FTS5 shadow tables and
// sqlite_sequence), read through a separate read-only connection.
func dumpDB(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`)
	if err != nil {
		t.Fatalf("dump %s: %v", path, err)
	}
	type table struct{ name, sql string }
	var tables []table
	for rows.Next() {
		var tb table
		var s sql.NullString
		if err := rows.Scan(&tb.name, &s); err != nil {
			t.Fatal(err)
		}
		tb.sql = s.String
		tables = append(tables, tb)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("dump %s: only %d tables", path, len(tables))
	}
	var b strings.Builder
	for _, tb := range tables {
		// WITHOUT ROWID tables have no rowid: order them by every column instead.
		order := "rowid"
		if strings.Contains(strings.ToUpper(tb.sql), "WITHOUT ROWID") {
			order = ""
		}
		q := fmt.Sprintf(`SELECT * FROM "%s"`, tb.name)
		if order != "" {
			q += " ORDER BY " + order
		}
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("dump %s: %v", tb.name, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var cells []string
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					cells = append(cells, fmt.Sprintf("x'%x'", bs))
				} else {
					cells = append(cells, fmt.Sprintf("%#v", v))
				}
			}
			lines = append(lines, strings.Join(cells, "|"))
		}
		rows.Close()
		if order == "" {
			slices.Sort(lines)
		}
		fmt.Fprintf(&b, "== %s (%s)\n%s\n", tb.name, strings.Join(cols, ","), strings.Join(lines, "\n"))
	}
	return b.String()
}

// listDir names everything under dir, for "nothing was created" checks.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// at is e reporting to t (a subtest's T), so a failed step stops only that subtest.
func (e *tenv) at(t *testing.T) *tenv {
	c := *e
	c.t = t
	return &c
}
