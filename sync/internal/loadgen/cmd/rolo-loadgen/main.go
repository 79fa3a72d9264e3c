// Command rolo-loadgen puts a running sync server (rolo serve) under the load of many
// devices and prints every request's latency (p50, p99, max) and the errors. See
// docs/benchmarks.md ("Sync") for its use.
//
//	rolo-loadgen -url http://127.0.0.1:7411 -invites invites.jsonl -duration 60s
//
// invites.jsonl holds one invite per device, as `rolo server invite --user NAME --json`
// prints them ({"user": ..., "code": ...}, one after the other).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rolo-crm/rolo/sync/internal/loadgen"
)

func main() {
	url := flag.String("url", "", "the server's base URL")
	invites := flag.String("invites", "", "file of invites, one JSON object a line (- for standard input)")
	duration := flag.Duration("duration", time.Minute, "how long the load runs")
	pause := flag.Duration("pause", 500*time.Millisecond, "mean pause between a device's syncs")
	seed := flag.Uint64("seed", 1, "seed of the devices' choices")
	asJSON := flag.Bool("json", false, "print the result as JSON")
	flag.Parse()
	if *url == "" || *invites == "" {
		fmt.Fprintln(os.Stderr, "usage: rolo-loadgen -url URL -invites FILE [-duration 60s] [-pause 500ms] [-json]")
		os.Exit(2)
	}
	invs, err := readInvites(*invites)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rolo-loadgen:", err)
		os.Exit(1)
	}
	res, err := loadgen.Run(context.Background(), loadgen.Config{URL: *url, Invites: invs, Duration: *duration, Pause: *pause, Seed: *seed})
	if err != nil {
		fmt.Fprintln(os.Stderr, "rolo-loadgen:", err)
		os.Exit(1)
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(res)
	} else {
		fmt.Println(res)
	}
	if res.Errors > 0 {
		os.Exit(3)
	}
}

func readInvites(path string) ([]loadgen.Invite, error) {
	f := os.Stdin
	if path != "-" {
		var err error
		if f, err = os.Open(path); err != nil {
			return nil, err
		}
		defer f.Close()
	}
	var out []loadgen.Invite
	dec := json.NewDecoder(f)
	for {
		var inv loadgen.Invite
		if err := dec.Decode(&inv); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, inv)
	}
}
