package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const customConfig = `# a rep in Europe
currency: EUR
cadence_days: 14
owner: alice
visibility: private
stages:
  - name: Discovery
    probability: 20
    rotting_days: 7
  - name: Closing
    probability: 80
    rotting_days: 30
`

func stageNames(t *testing.T, p obj) []string {
	t.Helper()
	var out []string
	for _, s := range objs(t, arr(t, p, "stages")) {
		out = append(out, str(t, s, "stage.name"))
	}
	return out
}

func TestConfigFile(t *testing.T) {
	e := newEnv(t)
	cfg := writeFile(t, filepath.Join(e.dir, "custom.yaml"), customConfig)
	c := func(args ...string) []string { return append([]string{"--config", cfg}, args...) }

	t.Run("new database", func(t *testing.T) {
		e := e.at(t)
		d := e.object(c("deal", "add", "Pilot", "--value", "100")...)
		equal(t, "currency", str(t, d, "value.currency"), "EUR")
		equal(t, "first stage", str(t, d, "stage"), "Discovery")
		equal(t, "owner", str(t, d, "owner"), "alice")
		equal(t, "visibility", str(t, d, "visibility"), "private")
		equal(t, "--currency beats the file", str(t, e.object(c("deal", "add", "Other", "--value", "1", "--currency", "GBP")...), "value.currency"), "GBP")
		ct := e.object(c("contact", "add", "Ada Lovelace")...)
		equal(t, "cadence from config", num(t, ct, "cadence_days"), 14)
		equal(t, "--cadence beats the file", num(t, e.object(c("contact", "add", "Grace Hopper", "--cadence", "5")...), "cadence_days"), 5)
		equal(t, "--visibility beats the file", str(t, e.object(c("contact", "add", "Alan Turing", "--visibility", "team")...), "visibility"), "team")

		p := e.object(c("pipeline")...)
		equalStrings(t, "stages", stageNames(t, p), []string{"Discovery", "Closing"})
		st := objs(t, arr(t, p, "stages"))
		equal(t, "Discovery probability", num(t, st[0], "stage.probability"), 20)
		equal(t, "Discovery rotting_days", num(t, st[0], "stage.rotting_days"), 7)
		equal(t, "Closing probability", num(t, st[1], "stage.probability"), 80)
		equal(t, "Closing rotting_days", num(t, st[1], "stage.rotting_days"), 30)
		equal(t, "weighted", num(t, objs(t, arr(t, st[0], "weighted"))[0], "amount"), 2000)
		equal(t, "deal move to a custom stage", str(t, e.object(c("deal", "move", "pilot", "clos")...), "stage"), "Closing")
		// Stages live in the database: without the config file they stay.
		equalStrings(t, "stages without the file", stageNames(t, e.object("pipeline")), []string{"Discovery", "Closing"})
		equal(t, "currency without the file", str(t, e.object("deal", "add", "Third", "--value", "1"), "value.currency"), "USD")
	})

	t.Run("existing database keeps its stages", func(t *testing.T) {
		e := e.at(t)
		e.db = filepath.Join(e.dir, "old.db")
		e.ok("today")
		equalStrings(t, "stages", stageNames(t, e.object(c("pipeline")...)), []string{"Lead", "Qualified", "Proposal", "Negotiation"})
		equal(t, "currency still from the file", str(t, e.object(c("deal", "add", "X", "--value", "1")...), "value.currency"), "EUR")
	})

	t.Run("ROLO_CONFIG", func(t *testing.T) {
		e := e.at(t)
		t.Setenv("ROLO_CONFIG", cfg)
		e.db = filepath.Join(e.dir, "rolo-config-env.db")
		equalStrings(t, "stages", stageNames(t, e.object("pipeline")), []string{"Discovery", "Closing"})
	})

	t.Run("XDG_CONFIG_HOME", func(t *testing.T) {
		e := e.at(t)
		t.Setenv("ROLO_CONFIG", "")
		dir := filepath.Join(e.dir, "xdg-config")
		if err := os.MkdirAll(filepath.Join(dir, "rolo"), 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "rolo", "config.yaml"), customConfig)
		t.Setenv("XDG_CONFIG_HOME", dir)
		e.db = filepath.Join(e.dir, "xdg.db")
		equalStrings(t, "stages", stageNames(t, e.object("pipeline")), []string{"Discovery", "Closing"})
	})

	t.Run("no config file at all", func(t *testing.T) {
		e := e.at(t)
		t.Setenv("ROLO_CONFIG", "")
		t.Setenv("XDG_CONFIG_HOME", filepath.Join(e.dir, "nowhere"))
		e.db = filepath.Join(e.dir, "plain.db")
		equal(t, "defaults", str(t, e.object("deal", "add", "X", "--value", "1"), "value.currency"), "USD")
	})

	t.Run("week_start", func(t *testing.T) {
		e := e.at(t)
		e.db = filepath.Join(e.dir, "week.db")
		e.ok("contact", "add", "Ada")
		e.ok("followup", "add", "ada", "--due", "2026-03-15", "--text", "Sunday")
		equal(t, "monday weeks include Sunday 15", len(e.list("followup", "list", "--week")), 1)
		sunday := writeFile(t, filepath.Join(e.dir, "sunday.yaml"), "week_start: sunday\n")
		equal(t, "sunday weeks end before it", len(e.list("--config", sunday, "followup", "list", "--week")), 0)
		t.Setenv("ROLO_WEEK_START", "sunday")
		equal(t, "ROLO_WEEK_START", len(e.list("followup", "list", "--week")), 0)
	})
}

func TestConfigEnvironment(t *testing.T) {
	t.Run("ROLO_DB selects the database", func(t *testing.T) {
		e := newEnv(t)
		envDB := filepath.Join(e.dir, "from-env.db")
		t.Setenv("ROLO_DB", envDB)
		r := e.raw("contact", "add", "Ada Lovelace")
		if r.code != 0 {
			t.Fatal(r)
		}
		if _, err := os.Stat(envDB); err != nil {
			t.Fatalf("ROLO_DB was not used: %v", err)
		}
		e.db = envDB
		equalStrings(t, "contacts", names(e.list("contact", "list"), "name"), []string{"Ada Lovelace"})
	})
	t.Run("--db beats ROLO_DB", func(t *testing.T) {
		e := newEnv(t)
		envDB := filepath.Join(e.dir, "from-env.db")
		t.Setenv("ROLO_DB", envDB)
		e.ok("contact", "add", "Ada Lovelace")
		if _, err := os.Stat(e.db); err != nil {
			t.Fatalf("--db was not used: %v", err)
		}
		if _, err := os.Stat(envDB); err == nil {
			t.Errorf("ROLO_DB was created although --db was given")
		}
	})
	t.Run("db key in the config file", func(t *testing.T) {
		e := newEnv(t)
		t.Setenv("ROLO_DB", "")
		fileDB := filepath.Join(e.dir, "from-file.db")
		cfg := writeFile(t, filepath.Join(e.dir, "db.yaml"), "db: "+fileDB+"\n")
		if r := e.raw("--config", cfg, "contact", "add", "Ada"); r.code != 0 {
			t.Fatal(r)
		}
		if _, err := os.Stat(fileDB); err != nil {
			t.Fatalf("the config's db was not used: %v", err)
		}
		t.Setenv("ROLO_DB", filepath.Join(e.dir, "env-wins.db"))
		if r := e.raw("--config", cfg, "today"); r.code != 0 {
			t.Fatal(r)
		}
		if _, err := os.Stat(filepath.Join(e.dir, "env-wins.db")); err != nil {
			t.Errorf("ROLO_DB did not beat the file: %v", err)
		}
	})
	t.Run("ROLO_CURRENCY beats the file", func(t *testing.T) {
		e := newEnv(t)
		cfg := writeFile(t, filepath.Join(e.dir, "custom.yaml"), customConfig)
		t.Setenv("ROLO_CURRENCY", "GBP")
		d := e.object("--config", cfg, "deal", "add", "Pilot", "--value", "100.50")
		equal(t, "currency", str(t, d, "value.currency"), "GBP")
		equal(t, "amount", num(t, d, "value.amount"), 10050)
		equal(t, "--currency beats the environment", str(t, e.object("--config", cfg, "deal", "add", "X", "--currency", "JPY", "--value", "100"), "value.currency"), "JPY")
		t.Setenv("ROLO_CADENCE_DAYS", "3")
		equal(t, "ROLO_CADENCE_DAYS", num(t, e.object("--config", cfg, "contact", "add", "Ada"), "cadence_days"), 3)
	})
	t.Run("default database path", func(t *testing.T) {
		e := newEnv(t)
		t.Setenv("ROLO_DB", "")
		data := filepath.Join(e.dir, "xdg-data")
		t.Setenv("XDG_DATA_HOME", data)
		r := e.raw("contact", "add", "Ada Lovelace")
		if r.code != 0 {
			t.Fatal(r)
		}
		want := filepath.Join(data, "rolo", "rolo.db")
		if _, err := os.Stat(want); err != nil {
			t.Fatalf("the default database %s was not created: %v", want, err)
		}
		r = e.raw("check")
		if r.code != 0 || !strings.HasPrefix(r.out, want+" is healthy: 1 contacts") {
			t.Errorf("check on the default database: %s", r)
		}
	})
}
