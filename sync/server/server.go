// Package server is rolo's team sync server: an http.Handler over a Storage. See
// docs/sync.md for the protocol.
package server

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/wire"
	"golang.org/x/time/rate"
)

// Config configures a Server. Zero values take the defaults named.
type Config struct {
	Storage Storage
	// Logger receives one line per request (never tokens or record values); nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rate and Burst limit requests per token (default 10 per second, burst 40).
	Rate  rate.Limit
	Burst int
	// AuthFailures is how many failed authentications an address may make per minute
	// (default 10) before it gets 429.
	AuthFailures int
	// TrustProxy takes the client address from X-Forwarded-For (set by a proxy in front).
	TrustProxy bool
	// RequestTimeout bounds each request (default 30 s).
	RequestTimeout time.Duration
	// TokenIdle is how long a device may stay away before its token expires (default 180 days).
	TokenIdle time.Duration
}

// Server serves the sync protocol.
type Server struct {
	store  Storage
	log    *slog.Logger
	now    func() time.Time
	cfg    Config
	mu     sync.Mutex
	tokens map[string]*rate.Limiter // per token id
	fails  map[string]*rate.Limiter // per client address
	seen   map[string]time.Time     // device → last recorded sighting

	pushMu  sync.Mutex
	queue   []*pushJob // pushes waiting for the next transaction
	writing bool       // a push is writing the queue
}

// New returns a server over cfg.Storage.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rate == 0 {
		cfg.Rate, cfg.Burst = 10, 40
	}
	if cfg.Burst == 0 {
		cfg.Burst = 40
	}
	if cfg.AuthFailures == 0 {
		cfg.AuthFailures = 10
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.TokenIdle == 0 {
		cfg.TokenIdle = 180 * 24 * time.Hour
	}
	return &Server{store: cfg.Storage, log: cfg.Logger, now: cfg.Now, cfg: cfg,
		tokens: map[string]*rate.Limiter{}, fails: map[string]*rate.Limiter{}, seen: map[string]time.Time{}}
}

// Handler returns the HTTP handler: /v1/health, /v1/enroll, /v1/sync/info,
// /v1/sync/push and /v1/sync/pull.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/health", s.health)
	mux.HandleFunc("POST /v1/enroll", s.enroll)
	mux.HandleFunc("GET /v1/sync/info", s.authed(s.info))
	mux.HandleFunc("POST /v1/sync/push", s.authed(s.push))
	mux.HandleFunc("GET /v1/sync/pull", s.authed(s.pull))
	mux.HandleFunc("GET /v1/sync/record", s.authed(s.record))
	return s.logged(mux)
}

// statusWriter remembers the status for the log line.
type statusWriter struct {
	http.ResponseWriter
	status int
	user   string
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

type ctxKey struct{}

func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		ctx = context.WithValue(ctx, ctxKey{}, sw)
		if p := r.Header.Get(wire.HeaderProto); p != "" && p != wire.Proto {
			writeError(sw, http.StatusUpgradeRequired, wire.CodeUpgradeRequired, "this server speaks sync protocol "+wire.Proto+"; upgrade rolo")
		} else {
			next.ServeHTTP(sw, r.WithContext(ctx))
		}
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		} else if sw.status == http.StatusTooManyRequests || sw.status == http.StatusRequestEntityTooLarge {
			level = slog.LevelWarn
		}
		// The path only: never the query (cursors are harmless, but the rule is simple),
		// never headers (tokens), never bodies (record values).
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"user", sw.user, "ms", time.Since(start).Milliseconds(), "addr", s.clientAddr(r))
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, wire.ErrorBody{Error: wire.Error{Code: code, Message: msg}})
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if _, err := s.store.Workspace(r.Context()); err != nil {
		writeError(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "storage not ready")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// failLimiter is the per-address budget of failed authentications.
func (s *Server) failLimiter(addr string) *rate.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.fails[addr]
	if !ok {
		if len(s.fails) > 100000 {
			clear(s.fails) // bounded memory under a spray of addresses
		}
		l = rate.NewLimiter(rate.Every(time.Minute/time.Duration(s.cfg.AuthFailures)), s.cfg.AuthFailures)
		s.fails[addr] = l
	}
	return l
}

// authFailed answers 401, or 429 once the address has used its failures.
func (s *Server) authFailed(w http.ResponseWriter, r *http.Request, msg string) {
	if !s.failLimiter(s.clientAddr(r)).Allow() {
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusTooManyRequests, wire.CodeRateLimited, "too many failed attempts; wait a minute")
		return
	}
	writeError(w, http.StatusUnauthorized, wire.CodeUnauthorized, msg)
}

// HashSecret is the SHA-256 that storage keeps of a token or invite code.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// parseToken splits "rolo_<id>_<secret>".
func parseToken(tok string) (id string, ok bool) {
	rest, ok := strings.CutPrefix(tok, "rolo_")
	if !ok {
		return "", false
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 16 || secret == "" || len(tok) > 200 {
		return "", false
	}
	return id, true
}

func (s *Server) authed(h func(w http.ResponseWriter, r *http.Request, dev Device)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.failLimiter(s.clientAddr(r)).Tokens() < 1 {
			w.Header().Set("Retry-After", "60")
			writeError(w, http.StatusTooManyRequests, wire.CodeRateLimited, "too many failed attempts; wait a minute")
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		id, ok2 := parseToken(tok)
		if !ok || !ok2 {
			s.authFailed(w, r, "missing or malformed token")
			return
		}
		t, dev, err := s.store.Token(r.Context(), id)
		if errors.Is(err, ErrNotFound) {
			// Compare anyway, so an unknown id takes as long as a wrong secret.
			subtle.ConstantTimeCompare(HashSecret(tok), make([]byte, sha256.Size))
			s.authFailed(w, r, "unknown token")
			return
		}
		if err != nil {
			s.internal(w, r, "read token", err)
			return
		}
		if subtle.ConstantTimeCompare(HashSecret(tok), t.Hash) != 1 {
			s.authFailed(w, r, "unknown token")
			return
		}
		now := s.now()
		if dev.RevokedAt != nil {
			s.authFailed(w, r, "this device was revoked; ask an admin for a new invite")
			return
		}
		if now.Sub(dev.LastSeen) > s.cfg.TokenIdle {
			s.authFailed(w, r, "this device's token expired after a long absence; ask an admin for a new invite")
			return
		}
		if sw, ok := r.Context().Value(ctxKey{}).(*statusWriter); ok {
			sw.user = dev.User
		}
		if !s.tokenLimiter(id).Allow() {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, wire.CodeRateLimited, "too many requests; slow down")
			return
		}
		s.touch(r.Context(), dev.ID, now)
		h(w, r, dev)
	}
}

func (s *Server) tokenLimiter(id string) *rate.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.tokens[id]
	if !ok {
		l = rate.NewLimiter(s.cfg.Rate, s.cfg.Burst)
		s.tokens[id] = l
	}
	return l
}

// touch records a device's sighting at most every ten minutes (it decides token expiry).
func (s *Server) touch(ctx context.Context, dev string, now time.Time) {
	s.mu.Lock()
	last, ok := s.seen[dev]
	if ok && now.Sub(last) < 10*time.Minute {
		s.mu.Unlock()
		return
	}
	s.seen[dev] = now
	s.mu.Unlock()
	if err := s.store.TouchDevice(ctx, dev, now); err != nil {
		s.log.Warn("record device sighting", "err", err)
	}
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	if r.Context().Err() != nil {
		writeError(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "request timed out; retry")
		return
	}
	s.log.Error(what, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, wire.CodeInternal, "internal error; retry later")
}

// body returns the request body, decompressed if gzip, within the limits: 413 past them.
func body(w http.ResponseWriter, r *http.Request) io.Reader {
	rd := io.Reader(http.MaxBytesReader(w, r.Body, wire.MaxBody))
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return errReader{err}
		}
		rd = &limited{r: zr, n: wire.MaxBodyDecompressed}
	}
	return rd
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// errTooBig is what a decompressed body past its limit reads as.
var errTooBig = errors.New("body too large")

type limited struct {
	r io.Reader
	n int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// decodeError answers a body that could not be read: 413 past a limit, else 400.
func decodeError(w http.ResponseWriter, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, errTooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, wire.CodeTooLarge,
			fmt.Sprintf("request body over %d bytes (%d decompressed)", wire.MaxBody, wire.MaxBodyDecompressed))
		return
	}
	writeError(w, http.StatusBadRequest, wire.CodeBadRequest, err.Error())
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) {
	var req wire.EnrollRequest
	dec := json.NewDecoder(body(w, r))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		decodeError(w, err)
		return
	}
	if !wire.ValidID(req.DeviceID) || len(req.DeviceName) > 200 {
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, "device_id must be an id and device_name at most 200 bytes")
		return
	}
	if s.failLimiter(s.clientAddr(r)).Tokens() < 1 {
		writeError(w, http.StatusTooManyRequests, wire.CodeRateLimited, "too many failed attempts; wait a minute")
		return
	}
	codeID, _, _ := strings.Cut(req.Code, "-")
	want := HashSecret(req.Code)
	check := func(h []byte) bool { return subtle.ConstantTimeCompare(want, h) == 1 }
	token, tok := newToken()
	now := s.now()
	u, err := s.store.Enroll(r.Context(), codeID, check, now, Device{ID: req.DeviceID, Name: req.DeviceName}, tok)
	switch {
	case errors.Is(err, ErrInviteInvalid):
		s.authFailed(w, r, err.Error())
		return
	case errors.Is(err, ErrExists):
		writeError(w, http.StatusConflict, wire.CodeBadRequest, "this device is already enrolled")
		return
	case err != nil:
		s.internal(w, r, "enroll", err)
		return
	}
	ws, err := s.store.Workspace(r.Context())
	if err != nil {
		s.internal(w, r, "enroll", err)
		return
	}
	s.log.Info("device enrolled", "user", u.Name, "device", req.DeviceID)
	writeJSON(w, http.StatusOK, wire.EnrollResponse{Token: token, User: u.Name, Admin: u.Admin, Team: ws.Team, Epoch: ws.Epoch})
}

// newToken makes a device token "rolo_<id>_<secret>" and what storage keeps of it.
func newToken() (string, Token) {
	var id [8]byte
	var secret [32]byte
	rand.Read(id[:])
	rand.Read(secret[:])
	t := "rolo_" + hex.EncodeToString(id[:]) + "_" + base64.RawURLEncoding.EncodeToString(secret[:])
	return t, Token{ID: hex.EncodeToString(id[:]), Hash: HashSecret(t)}
}

// CreateInvite stores a single-use invite for user, valid for 24 hours, and returns its
// code (shown once; only its hash is kept).
func (s *Server) CreateInvite(ctx context.Context, user string, admin bool) (string, time.Time, error) {
	return CreateInvite(ctx, s.store, user, admin, s.now())
}

// CreateInvite stores a single-use invite for user in st, valid for 24 hours from now,
// and returns its code.
func CreateInvite(ctx context.Context, st Storage, user string, admin bool, now time.Time) (string, time.Time, error) {
	user = strings.TrimSpace(user)
	if user == "" || len(user) > 64 || strings.ContainsAny(user, "\"\\\n\t") {
		return "", time.Time{}, fmt.Errorf("user name %q: give 1 to 64 characters, no quotes or control characters", user)
	}
	if _, err := st.Workspace(ctx); err != nil {
		return "", time.Time{}, err
	}
	var id [4]byte
	var secret [20]byte
	rand.Read(id[:])
	rand.Read(secret[:])
	code := hex.EncodeToString(id[:]) + "-" + hex.EncodeToString(secret[:])
	exp := now.Add(24 * time.Hour).UTC().Truncate(time.Millisecond)
	err := st.CreateInvite(ctx, Invite{ID: hex.EncodeToString(id[:]), Hash: HashSecret(code), User: user, Admin: admin,
		CreatedAt: now, ExpiresAt: exp})
	return code, exp, err
}

func (s *Server) info(w http.ResponseWriter, r *http.Request, dev Device) {
	ws, err := s.store.Workspace(r.Context())
	if err != nil {
		s.internal(w, r, "info", err)
		return
	}
	writeJSON(w, http.StatusOK, wire.Info{User: dev.User, Admin: dev.Admin, Device: dev.ID, Team: ws.Team, Epoch: ws.Epoch,
		LastSeq: ws.LastSeq, ServerHLC: uint64(store.MakeHLC(s.now().UnixMilli(), 0))})
}

func (s *Server) push(w http.ResponseWriter, r *http.Request, dev Device) {
	req, err := wire.DecodePush(body(w, r))
	if err != nil {
		decodeError(w, err)
		return
	}
	if req.DeviceID != dev.ID {
		writeError(w, http.StatusForbidden, wire.CodeForbidden, "device_id is not the token's device")
		return
	}
	// The skew guard: a device whose clock runs fast would win every concurrent edit
	// until the others caught up. Nothing is written; the device re-stamps and retries.
	now := s.now()
	for i := range req.Ops {
		if ahead := store.HLC(req.Ops[i].HLC).Time().Sub(now); ahead > wire.MaxClockAhead {
			writeJSON(w, http.StatusConflict, wire.ErrorBody{Error: wire.Error{Code: wire.CodeClockAhead,
				Message: fmt.Sprintf("changes are stamped %s ahead of the server's clock (at most %s); check this device's clock",
					ahead.Round(time.Second), wire.MaxClockAhead),
				ServerHLC: uint64(store.MakeHLC(now.UnixMilli(), 0))}})
			return
		}
	}
	resp, err := s.Push(r.Context(), dev, req)
	if err != nil {
		s.internal(w, r, "push", err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) pull(w http.ResponseWriter, r *http.Request, dev Device) {
	cur, err := wire.ParseCursor(r.URL.Query().Get("cursor"))
	if err != nil {
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, err.Error())
		return
	}
	limit := wire.MaxPullPage
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, wire.CodeBadRequest, "limit must be a positive number")
			return
		}
		limit = min(n, wire.MaxPullPage)
	}
	ws, err := s.store.Workspace(r.Context())
	if err != nil {
		s.internal(w, r, "pull", err)
		return
	}
	if (cur.Epoch != "" && cur.Epoch != ws.Epoch) || cur.Seq > ws.LastSeq {
		writeError(w, http.StatusConflict, wire.CodeEpochChanged, "the server's log is not the one this device synced with (restored or re-created); resync")
		return
	}
	changes, through, err := s.store.Pull(r.Context(), PullQuery{After: cur.Seq, Limit: limit, Viewer: dev.User, Device: dev.ID})
	if err != nil {
		s.internal(w, r, "pull", err)
		return
	}
	end, err := s.store.Workspace(r.Context())
	if err != nil {
		s.internal(w, r, "pull", err)
		return
	}
	writePull(w, changes, wire.Cursor{Epoch: ws.Epoch, Seq: through}.String(), through < end.LastSeq, uint64(store.MakeHLC(s.now().UnixMilli(), 0)))
}

// writePull answers a pull with a wire.PullResponse whose changes are the stored bodies,
// copied as they are.
func writePull(w http.ResponseWriter, changes []RawChange, next string, more bool, hlc uint64) {
	n := 128 + len(next)
	for _, c := range changes {
		n += len(c.Body) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"changes":[`...)
	for i, c := range changes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c.Body...)
	}
	b = append(b, `],"next_cursor":`...)
	b = strconv.AppendQuote(b, next)
	b = append(b, `,"has_more":`...)
	b = strconv.AppendBool(b, more)
	b = append(b, `,"server_hlc":`...)
	b = strconv.AppendUint(b, hlc, 10)
	b = append(b, "}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// record answers GET /v1/sync/record?id=ID with the record as this user may have it: a
// show change when the user may see it, a hide change when not (or when the server
// lacks it). A device asks after the server refused one of its ops, to replace what it
// took back with the team's copy.
func (s *Server) record(w http.ResponseWriter, r *http.Request, dev Device) {
	id := r.URL.Query().Get("id")
	if !wire.ValidID(id) {
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, "id must be a record id")
		return
	}
	rec, scope, fields, ok, err := s.store.Snapshot(r.Context(), id)
	if err != nil {
		s.internal(w, r, "record", err)
		return
	}
	now := s.now()
	var c *wire.Change
	if ok && Visible(scope, dev.User) {
		c = showChange(rec, fields, now)
	} else {
		c = &wire.Change{Op: wire.Op{OpID: newID(), EntityID: id, Entity: rec.Entity, Kind: wire.KindHide, At: now.UTC()}}
	}
	writeJSON(w, http.StatusOK, wire.PullResponse{Changes: []wire.Change{*c}, ServerHLC: uint64(store.MakeHLC(now.UnixMilli(), 0))})
}
