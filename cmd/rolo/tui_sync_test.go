package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/client"
	"github.com/rolo-crm/rolo/tui"
)

// TestTUISyncer_Offline: the adapter marks out-of-reach servers (a closed port, a
// gateway with nothing behind it) offline, and leaves a refused token a plain failure.
func TestTUISyncer_Offline(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rolo.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.CreateContact(ctx, store.ContactInput{Name: "Ada"}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	status := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			w.Write([]byte(`{"error":{"code":"x","message":"no"}}`))
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	for _, tc := range []struct {
		name, url string
		offline   bool
	}{
		{"ClosedPort", closed, true},
		{"BadGateway", status(http.StatusBadGateway), true},
		{"Unauthorized", status(http.StatusUnauthorized), false},
		{"BadRequest", status(http.StatusBadRequest), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tuiSyncer(&client.Client{BaseURL: tc.url, Token: "t", DB: db})
			_, err := s.SyncNow(ctx)
			if err == nil || errors.Is(err, tui.ErrOffline) != tc.offline {
				t.Fatalf("SyncNow: %v; want offline %v", err, tc.offline)
			}
			// No server here answers its health check.
			st, err := s.Status(ctx)
			if err != nil || st.Online || st.Server != tc.url {
				t.Fatalf("Status: %+v %v", st, err)
			}
		})
	}
}
