package synctest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
)

// Faulty is an http.RoundTripper that, with probability Rate per request, loses it before
// it reaches the server, loses the server's answer, sends it twice, or keeps a copy that
// it sends again later, behind newer requests.
type Faulty struct {
	Next http.RoundTripper
	mu   sync.Mutex
	rnd  *rand.Rand
	Rate float64
	held []*http.Request
	// Counts of each fault injected.
	Lost, LostAnswers, Duplicated, Reordered int
}

// NewFaulty returns a faulty transport seeded with seed.
func NewFaulty(seed uint64, rate float64) *Faulty {
	return &Faulty{Next: http.DefaultTransport, rnd: rand.New(rand.NewPCG(seed, 7)), Rate: rate}
}

// ErrInjected is the error of an injected fault.
var ErrInjected = errors.New("injected network fault")

// SetRate changes the fault rate (0 turns faults off and drops held requests).
func (f *Faulty) SetRate(r float64) {
	f.mu.Lock()
	f.Rate = r
	if r == 0 {
		f.held = nil
	}
	f.mu.Unlock()
}

func clone(req *http.Request, body []byte) *http.Request {
	c := req.Clone(req.Context())
	if body != nil {
		c.Body = io.NopCloser(bytes.NewReader(body))
		c.ContentLength = int64(len(body))
	}
	return c
}

// RoundTrip implements http.RoundTripper.
func (f *Faulty) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	f.mu.Lock()
	fault := -1
	if f.rnd.Float64() < f.Rate {
		fault = f.rnd.IntN(4)
	}
	var replay []*http.Request
	if len(f.held) > 0 && f.rnd.IntN(3) == 0 {
		replay, f.held = f.held, nil
	}
	switch fault {
	case 0:
		f.Lost++
	case 1:
		f.LostAnswers++
	case 2:
		f.Duplicated++
	case 3:
		f.Reordered++
		f.held = append(f.held, clone(req, body).WithContext(context0()))
	}
	f.mu.Unlock()
	// Older requests held back arrive now, after newer ones.
	for _, h := range replay {
		if resp, err := f.Next.RoundTrip(h); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	switch fault {
	case 0:
		return nil, ErrInjected
	case 1:
		resp, err := f.Next.RoundTrip(clone(req, body))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return nil, ErrInjected
	case 2:
		if resp, err := f.Next.RoundTrip(clone(req, body)); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	return f.Next.RoundTrip(clone(req, body))
}

// context0 is the context of held requests: they outlive the call that made them.
func context0() context.Context { return context.Background() }
