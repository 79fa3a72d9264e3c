package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/rolo-crm/rolo/sync/client"
	"github.com/rolo-crm/rolo/tui"
)

// tuiSyncer adapts the sync client to the TUI's Syncer, so the TUI does not import the
// client. Errors that mean the server could not be reached (no network, a refused
// connection, a timeout, a gateway with no server behind it) are marked tui.ErrOffline:
// the TUI then says "offline" and retries later instead of reporting a failure.
func tuiSyncer(c *client.Client) tui.Syncer { return clientSyncer{c} }

type clientSyncer struct{ c *client.Client }

// SyncNow implements tui.Syncer.
func (s clientSyncer) SyncNow(ctx context.Context) (tui.SyncReport, error) {
	r, err := s.c.SyncNow(ctx)
	return tui.SyncReport{Pushed: r.Pushed, Parked: r.Parked, Pulled: r.Pulled, Applied: r.Applied, Hidden: r.Hidden,
		Shown: r.Shown, Conflicts: r.Conflicts, Resynced: r.Resynced}, markOffline(err)
}

// Status implements tui.Syncer.
func (s clientSyncer) Status(ctx context.Context) (tui.SyncStatus, error) {
	st, err := s.c.Status(ctx)
	return tui.SyncStatus{Server: st.Server, Online: st.Online, LastSync: st.LastSync, LastError: st.LastError}, err
}

// markOffline wraps err with tui.ErrOffline when it says the server was out of reach.
func markOffline(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	var ne net.Error
	var ae *client.APIError
	switch {
	case errors.As(err, &ae):
		if ae.Status != http.StatusBadGateway && ae.Status != http.StatusServiceUnavailable && ae.Status != http.StatusGatewayTimeout {
			return err
		}
	case errors.As(err, &ue), errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded):
	default:
		return err
	}
	return fmt.Errorf("%w: %w", tui.ErrOffline, err)
}
