package webhook

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Settings kept in the event log's database, so that `iwb listen` and the
// workbench share them.
const (
	settingPublicURL     = "public_url"
	settingListenerToken = "listener_token"
)

// settingsKV is how a store keeps its named settings.
type settingsKV interface {
	setting(ctx context.Context, name string) (string, error)
	// setSetting stores a setting; an empty value removes it.
	setSetting(ctx context.Context, name, value string) error
}

// settingsOps are the settings' methods, the same for every store: each
// store embeds them over its own settingsKV.
type settingsOps struct{ kv settingsKV }

func (s *Store) setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the setting %s: %w", name, err)
	}
	return v, nil
}

func (s *Store) setSetting(ctx context.Context, name, value string) error {
	return s.exec(ctx, false, func(ctx context.Context, c *sql.Conn) error {
		var err error
		if value == "" {
			_, err = c.ExecContext(ctx, `DELETE FROM settings WHERE name = ?`, name)
		} else {
			_, err = c.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, ?)
				ON CONFLICT(name) DO UPDATE SET value = excluded.value`, name, value)
		}
		if err != nil {
			return fmt.Errorf("saving the setting %s: %w", name, err)
		}
		return nil
	})
}

// PublicURL is the listener's public base URL (the user's tunnel, e.g.
// https://abc.ngrok.app), or "" when none is set.
func (s settingsOps) PublicURL(ctx context.Context) (string, error) {
	return s.kv.setting(ctx, settingPublicURL)
}

// SetPublicURL saves the public base URL after checking it; "" clears it.
// It returns the URL as saved (without a trailing slash).
func (s settingsOps) SetPublicURL(ctx context.Context, raw string) (string, error) {
	u, err := CheckPublicURL(raw)
	if err != nil {
		return "", err
	}
	return u, s.kv.setSetting(ctx, settingPublicURL, u)
}

// CheckPublicURL checks a public base URL: http(s), a host, no query or
// fragment. It returns it without surrounding spaces or a trailing slash.
func CheckPublicURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%q is not a base URL: give your tunnel's address, e.g. https://abc.ngrok.app", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q: a base URL has no query or fragment", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// TriggerURL is the URL to give Iterable for t, on the listener's base URL:
// the base itself for a New Object trigger (the system webhook's endpoint),
// base/workflows/<id> for a New Workflow trigger (the journey's Call Webhook
// tile), so the workflow id arrives in the path whatever the body holds.
func TriggerURL(base string, t Trigger) string {
	base = strings.TrimRight(base, "/")
	if t.Kind == TriggerWorkflow {
		return base + "/workflows/" + url.PathEscape(t.WorkflowID)
	}
	return base + "/"
}

// Endpoints are what to give Iterable: where its webhooks go, and the token
// they must carry.
type Endpoints struct {
	Base   string // the public URL when set, else the listener's own; "" when neither
	Public bool   // Base is the public URL
	Token  string // what the listener requires in the Authorization header; "" for nothing
}

// Endpoints reads the public URL and the listener token. listenerURL is the
// listener's own address, the base when no public URL is set ("" for none).
func (s settingsOps) Endpoints(ctx context.Context, listenerURL string) (Endpoints, error) {
	pub, err := s.PublicURL(ctx)
	if err != nil {
		return Endpoints{}, err
	}
	token, err := s.ListenerToken(ctx)
	if err != nil {
		return Endpoints{}, err
	}
	if pub != "" {
		return Endpoints{Base: pub, Public: true, Token: token}, nil
	}
	return Endpoints{Base: listenerURL, Token: token}, nil
}

// For is the URL to give Iterable for t; "" without a base.
func (e Endpoints) For(t Trigger) string {
	if e.Base == "" {
		return ""
	}
	return TriggerURL(e.Base, t)
}

// System is the system webhook's endpoint; "" without a base.
func (e Endpoints) System() string {
	return e.For(Trigger{Kind: TriggerObject})
}

// ListenerToken is the token the listener requires in the Authorization
// header, or "" when none was set up.
func (s settingsOps) ListenerToken(ctx context.Context) (string, error) {
	return s.kv.setting(ctx, settingListenerToken)
}

// SetListenerToken saves the token the listener requires; "" stops
// requiring one. Running listeners take it with Server.SetAuth.
func (s settingsOps) SetListenerToken(ctx context.Context, token string) error {
	return s.kv.setSetting(ctx, settingListenerToken, token)
}

// ListenerAuth is the auth the saved token asks of a listener: what `iwb
// listen` and the workbench require unless told otherwise.
func (s settingsOps) ListenerAuth(ctx context.Context) (Auth, error) {
	token, err := s.ListenerToken(ctx)
	return TokenAuth(token), err
}

// NewListenerToken makes a random token for Iterable to send (32 hex
// characters); it is not saved until SetListenerToken.
func NewListenerToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// TokenAuth is the listener auth for a token Iterable sends as-is in the
// Authorization header (its "Basic" webhook auth type); the zero Auth when
// token is empty.
func TokenAuth(token string) Auth {
	if token == "" {
		return Auth{}
	}
	return Auth{Mode: "header", Header: "Authorization", Value: token}
}
