package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/spf13/viper"
)

// Config is rolo's configuration after defaults, the config file, the environment and
// flags have been merged (in that order of increasing precedence).
type Config struct {
	DB          string            `mapstructure:"db"`
	Owner       string            `mapstructure:"owner"`
	Currency    string            `mapstructure:"currency"`
	WeekStart   string            `mapstructure:"week_start"`
	Visibility  string            `mapstructure:"visibility"`
	CadenceDays int               `mapstructure:"cadence_days"`
	Stages      []store.StageSpec `mapstructure:"stages"`
	// WinRateDenominator is what `rolo report win-rate` divides by: closed or
	// closed_and_stale.
	WinRateDenominator string `mapstructure:"win_rate_denominator"`
	// Editor edits long notes in the TUI; empty means $VISUAL, then $EDITOR, then vi.
	Editor string `mapstructure:"editor"`
	// Sync configures team sync (see rolo sync).
	Sync SyncConfig `mapstructure:"sync"`

	// File is the config file that was read, if any.
	File string `mapstructure:"-"`
}

// defaults are every key's default value; config.example.yaml documents the same.
func defaults() map[string]any {
	stages := []map[string]any{}
	for _, s := range store.DefaultStages() {
		stages = append(stages, map[string]any{"name": s.Name, "probability": s.Probability, "rotting_days": s.RottingDays})
	}
	return map[string]any{
		"db":           "", // empty: $XDG_DATA_HOME/rolo/rolo.db
		"owner":        "", // empty: the login name
		"currency":     "USD",
		"week_start":   "monday",
		"visibility":   "team",
		"cadence_days": 0,
		"stages":       stages,

		"win_rate_denominator": store.WinRateClosed,
		"editor":               "", // empty: $VISUAL, then $EDITOR, then vi

		"sync.server":          "",
		"sync.auto":            true,
		"sync.interval":        "60s",
		"sync.join_visibility": "keep",
	}
}

// loadConfig reads configuration. file is the --config flag (or $ROLO_CONFIG); dbFlag is
// --db when given.
func loadConfig(file, dbFlag string) (*Config, error) {
	v := viper.New()
	for k, d := range defaults() {
		v.SetDefault(k, d)
	}
	v.SetEnvPrefix("ROLO")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	explicit := file != ""
	if !explicit {
		file = os.Getenv("ROLO_CONFIG")
		explicit = file != ""
	}
	if !explicit {
		file = filepath.Join(xdgDir("XDG_CONFIG_HOME", ".config"), "rolo", "config.yaml")
	}
	v.SetConfigFile(file)
	cfg := &Config{}
	if err := v.ReadInConfig(); err != nil {
		var pe *fs.PathError
		if explicit || !errors.As(err, &pe) {
			return nil, fmt.Errorf("read config %s: %w", file, err)
		}
	} else {
		cfg.File = file
	}
	if err := v.Unmarshal(cfg); err != nil {
		return nil, fmt.Errorf("read config %s: %w", file, err)
	}
	if dbFlag != "" {
		cfg.DB = dbFlag
	}
	if _, err := cfg.weekStart(); err != nil {
		return nil, err
	}
	if d := cfg.WinRateDenominator; d != store.WinRateClosed && d != store.WinRateClosedAndStale {
		return nil, fmt.Errorf("config: win_rate_denominator %q must be %s or %s", d, store.WinRateClosed, store.WinRateClosedAndStale)
	}
	return cfg, nil
}

// dbPath is the database file, defaulting to $XDG_DATA_HOME/rolo/rolo.db (whose directory
// is created when missing).
func (c *Config) dbPath() (string, error) {
	if c.DB != "" {
		return expandHome(c.DB), nil
	}
	dir := filepath.Join(xdgDir("XDG_DATA_HOME", filepath.Join(".local", "share")), "rolo")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create data directory: %w", err)
	}
	return filepath.Join(dir, "rolo.db"), nil
}

func (c *Config) weekStart() (time.Weekday, error) {
	switch strings.ToLower(c.WeekStart) {
	case "", "monday", "mon":
		return time.Monday, nil
	case "sunday", "sun":
		return time.Sunday, nil
	case "saturday", "sat":
		return time.Saturday, nil
	}
	return 0, fmt.Errorf("config: week_start %q must be monday, sunday or saturday", c.WeekStart)
}

func xdgDir(env, fallback string) string {
	if d := os.Getenv(env); d != "" && filepath.IsAbs(d) {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, fallback)
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}

// editor is the command that edits long notes: the editor key, $VISUAL, $EDITOR, vi.
func (c *Config) editor() string {
	for _, e := range []string{c.Editor, os.Getenv("VISUAL"), os.Getenv("EDITOR")} {
		if e != "" {
			return e
		}
	}
	return "vi"
}
