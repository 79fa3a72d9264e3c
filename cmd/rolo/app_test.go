package main

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
)

func testApp() *App {
	return &App{ctx: context.Background(), io: Stdio{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, now: nowFunc}
}

// TestTopCommands checks that the names rootCmd looks commands up by are each command's
// name and aliases.
func TestTopCommands(t *testing.T) {
	a := testApp()
	for _, tc := range a.commands() {
		c := tc.build()
		if want := append([]string{c.Name()}, c.Aliases...); !slices.Equal(tc.names, want) {
			t.Errorf("commands() names %q, the command answers to %q", tc.names, want)
		}
	}
}

// TestRootCmdBuildsWhatRuns checks that the tree rootCmd builds for some arguments
// (often only the command they name) runs the same command with the same arguments as
// the whole tree.
func TestRootCmdBuildsWhatRuns(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"search", "ada"},
		{"--db", "x.db", "search", "ada", "--json"},
		{"--db=x.db", "--json", "search", "ada"},
		{"--no-color", "contacts", "ls"},
		{"c", "show", "ada"},
		{"--db", "search", "today"},
		{"--bogus", "search", "ada"},
		{"-h", "search"},
		{"--", "search"},
		{"serch", "ada"},
		{"help", "search"},
		{"completion", "bash"},
		{"__complete", "search", ""},
		{"report", "win-rate", "--from", "2026-01-01"},
		{"import", "csv", "x.csv", "--map", "A=name"},
	} {
		a := testApp()
		all := a.newRoot(a.commands())
		want, wantArgs, _ := all.Find(args)
		got, gotArgs, _ := testApp().rootCmd(args).Find(args)
		if got.CommandPath() != want.CommandPath() || !slices.Equal(gotArgs, wantArgs) {
			t.Errorf("%q: runs %q %q, the whole tree %q %q", args, got.CommandPath(), gotArgs, want.CommandPath(), wantArgs)
		}
	}
	if n := len(testApp().rootCmd([]string{"search", "ada"}).Commands()); n > 3 {
		t.Errorf("rolo search builds %d commands; want search, help and completion", n)
	}
}

// TestQuickCommandsTakeNoSignalHandler checks that a quick command runs without a Ctrl-C
// handler (so its statements get no watching goroutines) and that others get one.
func TestQuickCommandsTakeNoSignalHandler(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		args    []string
		handler bool
	}{
		{[]string{"contact", "add", "Ada Lovelace"}, true},
		{[]string{"search", "ada", "--json"}, false},
		{[]string{"contact", "list"}, false},
		{[]string{"report", "funnel"}, false},
		{[]string{"export", "json", "--output", e.dir + "/out.json"}, true},
	} {
		a := testApp()
		a.signals = true
		if code := a.run(append([]string{"--db", e.db}, tc.args...)); code != exitOK {
			t.Fatalf("rolo %q: exit %d", tc.args, code)
		}
		if got := a.stopSignals != nil; got != tc.handler {
			t.Errorf("rolo %q: signal handler %v, want %v", tc.args, got, tc.handler)
		}
	}
}
