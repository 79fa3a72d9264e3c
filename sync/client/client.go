// Package client is the device side of team sync: it pushes this database's unsent ops to
// the server, parks what the server refuses, and pulls and applies everyone else's
// changes, resyncing safely when the server's log changed epoch.
package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/wire"
)

// Client syncs one database with one server.
type Client struct {
	// BaseURL is the server, e.g. https://crm.example.com.
	BaseURL string
	// Token is this device's token.
	Token string
	// DB is the local database.
	DB *store.DB
	// HTTP does the requests; nil means a client with a 60 s timeout.
	HTTP *http.Client
	// PushBatch is the most ops per push (default and at most wire.MaxOpsPerPush).
	PushBatch int
	// PullLimit is the most changes per pull page (default wire.MaxPullPage).
	PullLimit int
}

// Report says what one sync moved.
type Report struct {
	Pushed    int  `json:"pushed"`    // ops the server acknowledged
	Parked    int  `json:"parked"`    // ops the server refused (kept locally with its reason)
	Pulled    int  `json:"pulled"`    // changes received
	Applied   int  `json:"applied"`   // of those, ops applied
	Hidden    int  `json:"hidden"`    // records removed because they turned private
	Shown     int  `json:"shown"`     // records received whole (newly visible)
	Conflicts int  `json:"conflicts"` // conflict records received
	Resynced  bool `json:"resynced"`  // the server's log changed epoch; everything was exchanged again
	// Restamped counts unsent ops given new clocks because this device's clock ran more
	// than wire.MaxClockAhead ahead of the server's.
	Restamped int `json:"restamped,omitempty"`
	// ClockOffset is how far the server's clock is from this device's (server minus
	// device), when more than store.MaxClockDrift: edits are stamped by the server's time
	// until the device's clock is set right.
	ClockOffset time.Duration `json:"-"`
	// ClockOffsetSeconds is ClockOffset in seconds, for --json.
	ClockOffsetSeconds int64 `json:"clock_offset_seconds,omitempty"`
	restamps           int
}

func (r *Report) add(a store.ApplyResult) {
	r.Applied += a.Applied
	r.Hidden += a.Hidden
	r.Shown += a.Shown
	r.Conflicts += a.Conflicts
	r.Parked += a.Parked
}

// Status is what a status bar or `rolo sync --status` shows.
type Status struct {
	Server    string    `json:"server"`
	User      string    `json:"user"`
	Team      string    `json:"team"`
	Online    bool      `json:"online"`
	LastSync  time.Time `json:"last_sync"`
	LastError string    `json:"last_error,omitempty"`
	Pending   int       `json:"pending"`
	Parked    int       `json:"parked"`
	Conflicts int       `json:"conflicts"`
	// ClockOffsetSeconds is the correction (the server's time minus this device's) edits
	// are stamped with; zero when the clocks agree within store.MaxClockDrift.
	ClockOffsetSeconds int64 `json:"clock_offset_seconds,omitempty"`
}

// Errors a sync may end with.
var (
	// ErrUnauthorized means the token was refused (revoked, expired or wrong).
	ErrUnauthorized = errors.New("the server refused this device's token (revoked or expired?); rejoin with a new invite")
	// ErrEpochChanged means the server's log is not the one this device synced with.
	ErrEpochChanged = errors.New("the server's log changed (restored or re-created)")
)

// APIError is an error response from the server.
type APIError struct {
	Status int
	Body   wire.Error
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("server answered %d %s: %s", e.Status, e.Body.Code, e.Body.Message)
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 60 * time.Second}
}

// do sends a request and decodes a 200 answer into out.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	if in == nil {
		return c.doBody(ctx, method, path, nil, out)
	}
	b, err := encodeBody(in)
	if err != nil {
		return err
	}
	return c.doBody(ctx, method, path, b, out)
}

// reqBody is an encoded request body.
type reqBody struct {
	data []byte
	gz   bool // gzip-compressed
}

// encodeBody encodes in as JSON, gzip-compressed past 64 KiB at the fastest level: a
// push of 1000 ops of the standard data set (570 KiB) shrinks to 140 KiB instead of
// 122 KiB at the default level, for half the CPU, which a first sync spends on each of
// its 1,166 pushes.
func encodeBody(in any) (*reqBody, error) {
	var b []byte
	var err error
	if req, ok := in.(*wire.PushRequest); ok {
		b, err = wire.MarshalPush(req) // json.Marshal's bytes, sooner
	} else {
		b, err = json.Marshal(in)
	}
	if err != nil {
		return nil, err
	}
	if len(b) <= 64<<10 {
		return &reqBody{data: b}, nil
	}
	var zb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zb, gzip.BestSpeed)
	zw.Write(b)
	zw.Close()
	return &reqBody{data: zb.Bytes(), gz: true}, nil
}

// doBody sends a request with an encoded body (nil: none) and decodes a 200 answer into
// out.
func (c *Client) doBody(ctx context.Context, method, path string, in *reqBody, out any) error {
	var body io.Reader
	if in != nil {
		body = bytes.NewReader(in.data)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, body)
	if err != nil {
		return err
	}
	req.Header.Set(wire.HeaderProto, wire.Proto)
	req.Header.Set(wire.HeaderSchema, strconv.Itoa(store.SchemaVersion()))
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
		if in.gz {
			req.Header.Set("Content-Encoding", "gzip")
		}
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var eb wire.ErrorBody
		json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&eb)
		ae := &APIError{Status: resp.StatusCode, Body: eb.Error}
		switch {
		case resp.StatusCode == http.StatusUnauthorized:
			return fmt.Errorf("%w (%s)", ErrUnauthorized, eb.Error.Message)
		case eb.Error.Code == wire.CodeEpochChanged:
			return fmt.Errorf("%w: %w", ErrEpochChanged, ae)
		}
		return ae
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("read server answer: %w", err)
	}
	return nil
}

// Enroll redeems an invite code at baseURL for this device and returns the token.
func Enroll(ctx context.Context, hc *http.Client, baseURL, code, deviceID, deviceName string) (*wire.EnrollResponse, error) {
	c := &Client{BaseURL: baseURL, HTTP: hc}
	var out wire.EnrollResponse
	if err := c.do(ctx, http.MethodPost, "/v1/enroll", wire.EnrollRequest{Code: code, DeviceID: deviceID, DeviceName: deviceName}, &out); err != nil {
		if errors.Is(err, ErrUnauthorized) {
			return nil, fmt.Errorf("join %s: the invite code is unknown, used or expired; ask an admin for a new one", baseURL)
		}
		return nil, fmt.Errorf("join %s: %w", baseURL, err)
	}
	return &out, nil
}

// Info asks the server who this token is and where its log stands.
func (c *Client) Info(ctx context.Context) (*wire.Info, error) {
	var out wire.Info
	if err := c.do(ctx, http.MethodGet, "/v1/sync/info", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SyncNow pushes every unsent op, then pulls until the server has nothing more, and
// repeats (up to three rounds) while local edits arrived meanwhile. When the server's
// log changed epoch it starts over from nothing: every local op is offered again (the
// server acknowledges those it has) and the whole log is pulled, so nothing is lost.
func (c *Client) SyncNow(ctx context.Context) (Report, error) {
	var rep Report
	err := c.sync(ctx, &rep)
	if errors.Is(err, ErrEpochChanged) {
		rep.Resynced = true
		if err = c.DB.ResetSync(ctx); err == nil {
			err = c.sync(ctx, &rep)
		}
	}
	state := map[string]string{store.SyncLastError: ""}
	if err != nil {
		state[store.SyncLastError] = err.Error()
	} else {
		state[store.SyncLastSync] = c.DB.Now().Format(store.TimeFormat)
	}
	if serr := c.DB.SetSyncState(context.WithoutCancel(ctx), state); err == nil && serr != nil {
		err = serr
	}
	return rep, err
}

func (c *Client) sync(ctx context.Context, rep *Report) error {
	for round := 0; round < 3; round++ {
		if err := c.pushAll(ctx, rep); err != nil {
			return err
		}
		if err := c.pullAll(ctx, rep); err != nil {
			return err
		}
		n, err := c.DB.PendingCount(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
	return nil
}

// pushAll pushes until every unsent op is answered for. While the server merges one
// batch, the next is read from the op log and encoded by a second goroutine; it is sent
// only once the answer to the one before is saved, and only if that answer covered the
// whole batch (else it is read again), so what the server receives, in which order, and
// what this database records are as if the batches were prepared one after the other.
func (c *Client) pushAll(ctx context.Context, rep *Report) error {
	st, err := c.DB.SyncState(ctx)
	if err != nil {
		return err
	}
	b := c.preparePush(ctx, st.PushedSeq)
	for {
		if b.err != nil {
			return b.err
		}
		if b.through <= st.PushedSeq {
			return c.refetch(ctx) // what an interrupted sync left
		}
		next := make(chan *pushBatch, 1)
		go func(after int64) { next <- c.preparePush(ctx, after) }(b.through)
		more, err := c.sendPush(ctx, rep, st, b)
		nb := <-next
		if err != nil {
			return err
		}
		if !more {
			return c.refetch(ctx)
		}
		sent := b.through
		if st, err = c.DB.SyncState(ctx); err != nil {
			return err
		}
		if st.PushedSeq == sent {
			b = nb
		} else { // part of the batch is still unanswered, or its ops were re-stamped
			b = c.preparePush(ctx, st.PushedSeq)
		}
	}
}

// pullBatch is how many pulled changes (whole pages) pullAll applies per transaction, at
// most: one commit, one fsync, one cursor saved per batch.
const pullBatch = 50000

// pullAll pulls until the server has nothing more. Pages are fetched ahead by a second
// goroutine while the last ones are applied, and applied several to a transaction (with
// the cursor of the last), so a crash keeps whole pages or none of them. A first pull
// into an empty database leaves search to one rebuild at the end (store.FinishPull).
func (c *Client) pullAll(ctx context.Context, rep *Report) error {
	st, err := c.DB.SyncState(ctx)
	if err != nil {
		return err
	}
	deferSearch, err := c.DB.DeferSearchForPull(ctx)
	if err != nil {
		return err
	}
	type page struct {
		resp *wire.PullResponse
		err  error
	}
	fctx, cancel := context.WithCancel(ctx)
	// The fetcher keeps a whole transaction's pages ahead (of full pages), so fetching
	// and decoding the next batch overlaps applying this one: with four pages ahead it
	// fetched most of each batch while nothing was applied.
	pages := make(chan page, min(pullBatch/c.pageLimit()+1, 64))
	go func() {
		defer close(pages)
		cursor := st.Cursor
		for {
			resp, err := c.fetchPage(fctx, cursor)
			select {
			case pages <- page{resp, err}:
			case <-fctx.Done():
				return
			}
			if err != nil || !resp.HasMore {
				return
			}
			cursor = resp.NextCursor
		}
	}()
	defer func() {
		cancel()
		for range pages { // wait for the fetcher to end
		}
	}()
	for {
		var batch []*wire.PullResponse
		var fetchErr error
		n := 0
		for n < pullBatch {
			p, ok := <-pages
			if !ok {
				break
			}
			if p.err != nil {
				fetchErr = p.err
				break
			}
			batch = append(batch, p.resp)
			n += len(p.resp.Changes)
			if !p.resp.HasMore {
				break
			}
		}
		if len(batch) > 0 {
			if err := c.applyPages(ctx, rep, batch, deferSearch); err != nil {
				return err
			}
		}
		if fetchErr != nil {
			return fetchErr
		}
		if len(batch) == 0 || !batch[len(batch)-1].HasMore {
			break
		}
	}
	if deferSearch {
		return c.DB.FinishPull(ctx)
	}
	return nil
}

// pageLimit is the most changes a pull page asks for.
func (c *Client) pageLimit() int {
	if c.PullLimit <= 0 {
		return wire.MaxPullPage
	}
	return c.PullLimit
}

// fetchPage asks for the page after cursor.
func (c *Client) fetchPage(ctx context.Context, cursor string) (*wire.PullResponse, error) {
	var resp wire.PullResponse
	q := url.Values{"cursor": {cursor}, "limit": {strconv.Itoa(c.pageLimit())}}
	if err := c.do(ctx, http.MethodGet, "/v1/sync/pull?"+q.Encode(), nil, &resp); err != nil {
		return nil, err
	}
	if _, err := wire.ParseCursor(resp.NextCursor); err != nil {
		return nil, fmt.Errorf("server sent a bad cursor: %w", err)
	}
	return &resp, nil
}

// applyPages applies consecutive pages in one transaction, saving the last one's cursor.
func (c *Client) applyPages(ctx context.Context, rep *Report, pages []*wire.PullResponse, deferSearch bool) error {
	var changes []store.RemoteChange
	for _, p := range pages {
		for _, ch := range p.Changes {
			changes = append(changes, toStore(ch))
		}
	}
	last := pages[len(pages)-1]
	state := map[string]string{store.SyncCursor: last.NextCursor}
	if err := c.noteClock(ctx, rep, last.ServerHLC, state); err != nil {
		return err
	}
	res, err := c.DB.ApplyPulled(ctx, changes, state, store.PullOptions{DeferSearch: deferSearch})
	if err != nil {
		return err
	}
	rep.Pulled += len(changes)
	rep.add(res)
	return nil
}

// pushBatch is one push made ready: the unsent ops read after a position in the op log,
// up to through, and the request that carries them.
type pushBatch struct {
	pending []store.PendingOp
	through int64
	// parked are ops never sent: the server would refuse the whole push for them.
	parked []store.Parked
	seqOf  map[string]int64
	req    wire.PushRequest
	body   *reqBody // req encoded; nil when it has no ops
	err    error
}

// pushBodyBudget bounds a push's uncompressed body, well inside the server's
// wire.MaxBodyDecompressed: a batch of ops with large values is cut short.
const pushBodyBudget = wire.MaxBodyDecompressed / 2

// preparePush reads up to a batch of unsent ops after seq after and encodes their push.
func (c *Client) preparePush(ctx context.Context, after int64) *pushBatch {
	limit := c.PushBatch
	if limit <= 0 {
		limit = wire.MaxOpsPerPush
	}
	limit = min(limit, wire.MaxOpsPerPush)
	pending, through, err := c.DB.PendingOpsAfter(ctx, after, limit)
	if err != nil {
		return &pushBatch{err: err}
	}
	b := &pushBatch{through: through, seqOf: map[string]int64{},
		req: wire.PushRequest{DeviceID: c.DB.Device(), Schema: store.SchemaVersion(), Ops: make([]wire.Op, 0, len(pending))}}
	size := 0
	for i, p := range pending {
		// Roughly what the op takes in the body: its values and about 400 bytes of
		// ids, clocks and names.
		if size += len(p.Fields) + 400; size > pushBodyBudget && i > 0 {
			pending, b.through = pending[:i], p.Seq-1
			break
		}
		op := wire.Op{OpID: p.OpID, HLC: uint64(p.HLC), Device: p.Device, Entity: p.Entity, EntityID: p.EntityID, Kind: p.Kind,
			Base: p.Base, At: p.At}
		err := json.Unmarshal(p.Fields, &op.Fields)
		if err == nil {
			err = wire.CheckOp(&op)
		}
		if err != nil {
			// Never sent: the server would refuse the whole push for it.
			b.parked = append(b.parked, store.Parked{OpID: p.OpID, Entity: p.Entity, EntityID: p.EntityID, Code: wire.RejectInvalid, Reason: err.Error()})
			continue
		}
		b.seqOf[p.OpID] = p.Seq
		b.req.Ops = append(b.req.Ops, op)
	}
	b.pending = pending
	if len(b.req.Ops) > 0 {
		if b.body, err = encodeBody(&b.req); err != nil {
			return &pushBatch{err: err}
		}
	}
	return b
}

// PushOnce sends one batch of unsent ops and records the server's answer; it reports
// whether more remain.
func (c *Client) PushOnce(ctx context.Context, rep *Report) (bool, error) {
	st, err := c.DB.SyncState(ctx)
	if err != nil {
		return false, err
	}
	b := c.preparePush(ctx, st.PushedSeq)
	if b.err != nil {
		return false, b.err
	}
	return c.sendPush(ctx, rep, st, b)
}

// sendPush sends the batch b, read after st.PushedSeq, and records the server's answer;
// it reports whether more remain.
func (c *Client) sendPush(ctx context.Context, rep *Report, st store.SyncState, b *pushBatch) (bool, error) {
	through, parked, pending := b.through, b.parked, b.pending
	if through <= st.PushedSeq {
		return false, nil
	}
	if len(b.req.Ops) > 0 {
		var resp wire.PushResponse
		if err := c.doBody(ctx, http.MethodPost, "/v1/sync/push", b.body, &resp); err != nil {
			var ae *APIError
			if !errors.As(err, &ae) || ae.Body.Code != wire.CodeClockAhead || ae.Body.ServerHLC == 0 || rep.restamps >= 3 {
				return false, err
			}
			return c.restamp(ctx, rep, store.HLC(ae.Body.ServerHLC), err)
		}
		if cur, _ := wire.ParseCursor(st.Cursor); cur.Epoch != "" && resp.Epoch != cur.Epoch {
			return false, ErrEpochChanged
		}
		answered := make(map[string]bool, len(resp.Acked)+len(resp.Rejected))
		for _, a := range resp.Acked {
			answered[a.OpID] = true
		}
		for _, r := range resp.Rejected {
			answered[r.OpID] = true
			for _, p := range pending {
				if p.OpID == r.OpID {
					parked = append(parked, store.Parked{OpID: p.OpID, Entity: p.Entity, EntityID: p.EntityID, Code: r.Code, Reason: r.Reason})
				}
			}
		}
		// Only a prefix the server answered for in full counts as sent.
		for _, op := range b.req.Ops {
			if !answered[op.OpID] {
				through = b.seqOf[op.OpID] - 1
				break
			}
		}
		rep.Pushed += len(resp.Acked)
		rep.Parked += len(resp.Rejected)
	}
	if err := c.DB.MarkPushed(ctx, through, parked); err != nil {
		return false, err
	}
	if err := c.refetch(ctx); err != nil {
		return false, err
	}
	return through > st.PushedSeq, nil
}

func (r *Report) noteOffset(offset time.Duration) {
	if offset.Abs() > store.MaxClockDrift {
		r.ClockOffset = offset.Round(time.Second)
		r.ClockOffsetSeconds = int64(r.ClockOffset / time.Second)
	}
}

// restamp answers a clock_ahead refusal: the unsent ops stamped too far ahead get new
// clocks from the server's, the next edits are stamped by the server's time, and the push
// is retried.
func (c *Client) restamp(ctx context.Context, rep *Report, server store.HLC, refusal error) (bool, error) {
	rep.restamps++
	offset := server.Time().Sub(c.DB.Now())
	limit := store.MakeHLC(server.Millis()+wire.MaxClockAhead.Milliseconds(), 0)
	n, err := c.DB.RestampAhead(ctx, server, limit, offset)
	if err != nil {
		return false, fmt.Errorf("%w; %w", refusal, err)
	}
	if n == 0 {
		return false, refusal
	}
	rep.Restamped += n
	rep.noteOffset(offset)
	return true, nil
}

// noteClock compares the server's clock with this device's and saves the correction the
// device stamps its edits with (none within store.MaxClockDrift) into state.
func (c *Client) noteClock(ctx context.Context, rep *Report, server uint64, state map[string]string) error {
	if server == 0 {
		return nil
	}
	offset := store.HLC(server).Time().Sub(c.DB.Now())
	saved, err := c.DB.ClockOffset(ctx)
	if err != nil {
		return err
	}
	rep.noteOffset(offset)
	// Saved to the second: a few milliseconds of network delay are not a change.
	offset = offset.Round(time.Second)
	if v := store.ClockOffsetState(offset); v != store.ClockOffsetState(saved) {
		state[store.SyncClockOffset] = v
	}
	return nil
}

// refetch replaces the records whose ops were parked (their local effect taken back)
// with the server's copy, or removes them when the user may not see them: what the
// refused op had hidden locally (a teammate's newer value that lost to it here) comes
// back. The list is kept in the database, so an interrupted refetch resumes next time.
func (c *Client) refetch(ctx context.Context) error {
	ids, err := c.DB.Refetches(ctx)
	if err != nil {
		return err
	}
	for id, entity := range ids {
		var resp wire.PullResponse
		if err := c.do(ctx, http.MethodGet, "/v1/sync/record?"+url.Values{"id": {id}}.Encode(), nil, &resp); err != nil {
			return err
		}
		changes := make([]store.RemoteChange, 0, len(resp.Changes))
		for _, ch := range resp.Changes {
			if ch.Entity == "" {
				ch.Entity = entity
			}
			changes = append(changes, toStore(ch))
		}
		if err := c.DB.ApplyRefetched(ctx, id, changes); err != nil {
			return err
		}
	}
	return nil
}

// PullOnce fetches and applies one page of changes; it reports whether more remain.
func (c *Client) PullOnce(ctx context.Context, rep *Report) (bool, error) {
	st, err := c.DB.SyncState(ctx)
	if err != nil {
		return false, err
	}
	deferSearch, err := c.DB.DeferSearchForPull(ctx)
	if err != nil {
		return false, err
	}
	resp, err := c.fetchPage(ctx, st.Cursor)
	if err != nil {
		return false, err
	}
	if err := c.applyPages(ctx, rep, []*wire.PullResponse{resp}, deferSearch); err != nil {
		return false, err
	}
	if deferSearch && !resp.HasMore {
		return false, c.DB.FinishPull(ctx)
	}
	return resp.HasMore, nil
}

func toStore(ch wire.Change) store.RemoteChange {
	rc := store.RemoteChange{Seq: ch.Seq, OpID: ch.OpID, HLC: store.HLC(ch.HLC), Device: ch.Device, User: ch.User,
		Entity: ch.Entity, EntityID: ch.EntityID, Kind: ch.Kind, Fields: ch.Fields, Clocks: ch.Clocks, Created: ch.Created,
		Base: ch.Base, At: ch.At}
	if k := ch.Conflict; k != nil {
		rc.Conflict = &store.Conflict{ID: k.ID, Entity: k.Entity, EntityID: k.EntityID, Field: k.Field,
			WinnerValue: k.Winner.Value, WinnerHLC: store.HLC(k.Winner.HLC), WinnerDevice: k.Winner.Device, WinnerUser: k.Winner.User,
			LoserValue: k.Loser.Value, LoserHLC: store.HLC(k.Loser.HLC), LoserDevice: k.Loser.Device, LoserUser: k.Loser.User, At: k.At}
	}
	return rc
}

// Status reports the sync state; Online says whether the server answered its health
// check within two seconds.
func (c *Client) Status(ctx context.Context) (Status, error) {
	st, err := c.DB.SyncState(ctx)
	if err != nil {
		return Status{}, err
	}
	s := Status{Server: c.BaseURL, User: st.User, Team: st.Team, LastSync: st.LastSync, LastError: st.LastError}
	if s.Pending, err = c.DB.PendingCount(ctx); err != nil {
		return s, err
	}
	parked, err := c.DB.ParkedOps(ctx)
	if err != nil {
		return s, err
	}
	s.Parked = len(parked)
	off, err := c.DB.ClockOffset(ctx)
	if err != nil {
		return s, err
	}
	s.ClockOffsetSeconds = int64(off / time.Second)
	if s.Conflicts, err = c.DB.OpenConflictCount(ctx); err != nil {
		return s, err
	}
	if c.BaseURL != "" {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		var ok map[string]string
		s.Online = c.do(pctx, http.MethodGet, "/v1/health", nil, &ok) == nil
	}
	return s, nil
}
