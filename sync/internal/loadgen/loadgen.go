// Package loadgen puts a sync server under the load of many devices without running
// their databases: each simulated device speaks the wire protocol directly (enrol, push,
// pull over HTTP with its real token), keeps only what it needs to write its next op (the
// contacts it has seen and their title clocks), and times every request. Run it in a
// process of its own (cmd/rolo-loadgen, or a test binary re-executed, as the sync
// benchmarks do) so that what it measures is the server.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/rolo-crm/rolo/sync/wire"
)

// Invite is an invite code and the user it enrols as.
type Invite struct {
	User string `json:"user"`
	Code string `json:"code"`
}

// Config describes a load.
type Config struct {
	// URL is the server's base URL (e.g. http://127.0.0.1:7411).
	URL string
	// URLs, when set, are several replicas of one server: device i talks to URLs[i %
	// len(URLs)] (URL is then ignored).
	URLs []string
	// Invites enrol the devices, one each: as many devices as invites.
	Invites []Invite
	// Duration is how long the load runs once every device has enrolled and created its
	// first contact.
	Duration time.Duration
	// Pause is the mean pause between a device's syncs (each an edit pushed, then a pull
	// until the log's end); the pause is uniform in [Pause*0.6, Pause*1.4]. Default 500 ms,
	// i.e. about two syncs a second per device.
	Pause time.Duration
	// Seed makes the devices' choices reproducible.
	Seed uint64
}

// Result is what a load measured: every request's latency, from sending it to reading
// its whole answer.
type Result struct {
	Devices  int           `json:"devices"`
	Seconds  float64       `json:"seconds"`
	Requests int           `json:"requests"`
	Pushes   int           `json:"pushes"`
	Pulls    int           `json:"pulls"`
	Errors   int           `json:"errors"`
	FirstErr string        `json:"first_error,omitempty"`
	P50      time.Duration `json:"p50_ns"`
	P90      time.Duration `json:"p90_ns"`
	P99      time.Duration `json:"p99_ns"`
	Max      time.Duration `json:"max_ns"`
	// PushP99 and PullP99 split the p99 by kind of request.
	PushP99 time.Duration `json:"push_p99_ns"`
	PullP99 time.Duration `json:"pull_p99_ns"`
	// Pulled counts the changes the devices pulled.
	Pulled int `json:"pulled"`
}

func (r Result) String() string {
	ms := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
	}
	s := fmt.Sprintf("%d devices, %d requests (%d pushes, %d pulls, %d changes pulled) in %.0f s: p50 %s, p90 %s, p99 %s (push %s, pull %s), max %s, errors %d",
		r.Devices, r.Requests, r.Pushes, r.Pulls, r.Pulled, r.Seconds, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.PushP99), ms(r.PullP99), ms(r.Max), r.Errors)
	if r.FirstErr != "" {
		s += "; first error: " + r.FirstErr
	}
	return s
}

// device is one simulated device.
type device struct {
	id     string
	user   string
	token  string
	hc     *http.Client
	base   string
	hlc    uint64
	cursor string
	// contacts it knows, with the clock of their title as it last saw it ("" if unset).
	ids    []string
	clocks map[string]string
	rnd    *rand.Rand
}

// sample is one timed request.
type sample struct {
	d    time.Duration
	push bool
	err  error
}

// Run enrols the devices, has each create a contact and sync once (untimed), then runs
// the load for cfg.Duration and returns what it measured. Errors in setup end the run;
// errors under load are counted.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Pause == 0 {
		cfg.Pause = 500 * time.Millisecond
	}
	tr := &http.Transport{MaxIdleConns: 2 * len(cfg.Invites), MaxIdleConnsPerHost: 2 * len(cfg.Invites), IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	devs := make([]*device, len(cfg.Invites))
	for i, inv := range cfg.Invites {
		base := cfg.URL
		if len(cfg.URLs) > 0 {
			base = cfg.URLs[i%len(cfg.URLs)]
		}
		d := &device{id: uuid.Must(uuid.NewV7()).String(), user: inv.User, hc: hc, base: base,
			clocks: map[string]string{}, rnd: rand.New(rand.NewPCG(cfg.Seed, uint64(i)))}
		var res wire.EnrollResponse
		if _, err := d.do(ctx, "POST", "/v1/enroll", wire.EnrollRequest{Code: inv.Code, DeviceID: d.id, DeviceName: fmt.Sprintf("loadgen %d", i)}, &res); err != nil {
			return Result{}, fmt.Errorf("enrol device %d: %w", i, err)
		}
		d.token = res.Token
		devs[i] = d
	}
	// Each device's first contact, then one sync each so every device knows the others'.
	for i, d := range devs {
		if _, err := d.create(ctx, fmt.Sprintf("Contact %d", i)); err != nil {
			return Result{}, fmt.Errorf("device %d: create: %w", i, err)
		}
	}
	for i, d := range devs {
		if _, _, err := d.pullAll(ctx); err != nil {
			return Result{}, fmt.Errorf("device %d: pull: %w", i, err)
		}
	}

	var mu sync.Mutex
	var samples []sample
	pulled := 0
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for _, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []sample
			n := 0
			// Start spread over one pause, as devices that were not started together.
			time.Sleep(time.Duration(d.rnd.Int64N(int64(cfg.Pause))))
			for time.Now().Before(deadline) && ctx.Err() == nil {
				d0, err := d.edit(ctx)
				mine = append(mine, sample{d: d0, push: true, err: err})
				k, ss, err := d.pullAll(ctx)
				n += k
				mine = append(mine, ss...)
				if err != nil && len(ss) == 0 {
					mine = append(mine, sample{err: err})
				}
				lo := int64(cfg.Pause) * 6 / 10
				time.Sleep(time.Duration(lo + d.rnd.Int64N(int64(cfg.Pause)*8/10)))
			}
			mu.Lock()
			samples = append(samples, mine...)
			pulled += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	return summarize(samples, len(devs), time.Since(start), pulled), nil
}

func summarize(samples []sample, devices int, took time.Duration, pulled int) Result {
	r := Result{Devices: devices, Seconds: took.Seconds(), Pulled: pulled}
	var all, push, pull []time.Duration
	for _, s := range samples {
		if s.err != nil {
			r.Errors++
			if r.FirstErr == "" {
				r.FirstErr = s.err.Error()
			}
		}
		if s.d == 0 {
			continue
		}
		all = append(all, s.d)
		if s.push {
			push = append(push, s.d)
		} else {
			pull = append(pull, s.d)
		}
	}
	r.Requests, r.Pushes, r.Pulls = len(all), len(push), len(pull)
	q := func(ds []time.Duration, p float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		return ds[int(p*float64(len(ds)-1))]
	}
	for _, ds := range [][]time.Duration{all, push, pull} {
		slices.Sort(ds)
	}
	r.P50, r.P90, r.P99, r.PushP99, r.PullP99 = q(all, 0.5), q(all, 0.9), q(all, 0.99), q(push, 0.99), q(pull, 0.99)
	if len(all) > 0 {
		r.Max = all[len(all)-1]
	}
	return r
}

// Percentile is the p-quantile of ds (sorted in place).
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[int(p*float64(len(ds)-1))]
}

// tick returns the device's next clock (hybrid logical clock: Unix ms << 16 | counter).
func (d *device) tick() uint64 {
	wall := uint64(time.Now().UnixMilli()) << 16
	if wall > d.hlc {
		d.hlc = wall
	} else {
		d.hlc++
	}
	return d.hlc
}

func (d *device) op(kind, id string, fields map[string]json.RawMessage, base map[string]string) wire.Op {
	return wire.Op{OpID: uuid.Must(uuid.NewV7()).String(), HLC: d.tick(), Device: d.id, Entity: "contact", EntityID: id,
		Kind: kind, Fields: fields, Base: base, At: time.Now().UTC().Truncate(time.Millisecond)}
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// create pushes a new team-visible contact of the device's user.
func (d *device) create(ctx context.Context, name string) (time.Duration, error) {
	id := uuid.Must(uuid.NewV7()).String()
	now := jsonString(time.Now().UTC().Format(time.RFC3339Nano))
	op := d.op("create", id, map[string]json.RawMessage{"name": jsonString(name), "owner": jsonString(d.user),
		"visibility": jsonString("team"), "title": jsonString(""), "email": jsonString(""), "created_at": now, "updated_at": now}, nil)
	took, err := d.push(ctx, op)
	if err == nil {
		d.ids = append(d.ids, id)
		d.clocks[id] = wire.Clock(op.HLC, d.id)
	}
	return took, err
}

// edit changes the title of a contact the device knows, as a user would.
func (d *device) edit(ctx context.Context) (time.Duration, error) {
	id := d.ids[d.rnd.IntN(len(d.ids))]
	var base map[string]string
	if c := d.clocks[id]; c != "" {
		base = map[string]string{"title": c}
	}
	op := d.op("update", id, map[string]json.RawMessage{"title": jsonString(fmt.Sprintf("title %d", d.rnd.IntN(1e6)))}, base)
	took, err := d.push(ctx, op)
	if err == nil {
		d.clocks[id] = wire.Clock(op.HLC, d.id)
	}
	return took, err
}

func (d *device) push(ctx context.Context, op wire.Op) (time.Duration, error) {
	var resp wire.PushResponse
	took, err := d.do(ctx, "POST", "/v1/sync/push", wire.PushRequest{DeviceID: d.id, Schema: 1, Ops: []wire.Op{op}}, &resp)
	if err != nil {
		return took, err
	}
	if len(resp.Acked) != 1 {
		return took, fmt.Errorf("push: op not acked: %+v", resp.Rejected)
	}
	if resp.ServerHLC > d.hlc {
		d.hlc = resp.ServerHLC
	}
	return took, nil
}

// pullAll pulls from the device's cursor until the log's end, timing each page.
func (d *device) pullAll(ctx context.Context) (int, []sample, error) {
	n := 0
	var out []sample
	for page := 0; page < 100; page++ {
		var resp wire.PullResponse
		took, err := d.do(ctx, "GET", "/v1/sync/pull?cursor="+d.cursor, nil, &resp)
		out = append(out, sample{d: took, err: err})
		if err != nil {
			return n, out, err
		}
		n += len(resp.Changes)
		for _, c := range resp.Changes {
			if c.Entity != "contact" {
				continue
			}
			if _, ok := d.clocks[c.EntityID]; !ok && (c.Kind == "create" || c.Kind == "show") {
				d.ids = append(d.ids, c.EntityID)
				d.clocks[c.EntityID] = ""
			}
			if _, ok := c.Fields["title"]; ok {
				if cl := c.Clocks["title"]; cl != "" {
					d.clocks[c.EntityID] = cl
				} else if c.Kind != "conflict" {
					d.clocks[c.EntityID] = wire.Clock(c.HLC, c.Device)
				}
			}
		}
		if resp.ServerHLC > d.hlc {
			d.hlc = resp.ServerHLC
		}
		d.cursor = resp.NextCursor
		if !resp.HasMore {
			return n, out, nil
		}
	}
	return n, out, errors.New("pull: more than 100 pages")
}

// do sends one request and decodes its answer into out; it returns the time from
// sending the request to having read the whole answer.
func (d *device) do(ctx context.Context, method, path string, in, out any) (time.Duration, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set(wire.HeaderProto, wire.Proto)
	req.Header.Set(wire.HeaderSchema, "1")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if d.token != "" {
		req.Header.Set("Authorization", "Bearer "+d.token)
	}
	start := time.Now()
	resp, err := d.hc.Do(req)
	if err != nil {
		return time.Since(start), err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return took, err
	}
	if resp.StatusCode != http.StatusOK {
		return took, fmt.Errorf("%s %s: %s: %.200s", method, path, resp.Status, b)
	}
	return took, json.Unmarshal(b, out)
}
