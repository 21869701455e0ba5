package triggers

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// The steps of the webhook setup.
const (
	setupLoading = iota // reading Iterable's system webhooks
	setupPick           // choosing one
	setupReview         // the exact change, before it is sent
	setupSending
)

// webhookSetup points one of Iterable's system webhooks at the listener.
type webhookSetup struct {
	step      int
	hooks     []client.Webhook
	cursor    int
	endpoint  string
	withToken bool
}

// startWebhookSetup lists Iterable's system webhooks to pick one.
func (c *core) startWebhookSetup() tea.Cmd {
	cl := c.client
	if cl == nil || c.setup == nil {
		return page.Notice("no connection to Iterable in this session: the webhook cannot be set up from here")
	}
	if c.trig.ends.Base == "" {
		return page.Notice("no listener URL: start the listener, or set your tunnel's URL with b")
	}
	c.trig.setup = &webhookSetup{step: setupLoading, endpoint: c.trig.ends.System()}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		hooks, err := cl.Webhooks(ctx)
		return webhooksLoadedMsg{hooks, err}
	}
}

// setupKey handles keys on the webhook setup screens.
func (c *core) setupKey(msg tea.KeyPressMsg) tea.Cmd {
	k, s := c.keys, c.trig.setup
	if page.Matches(msg, k.Back) {
		if s.step == setupReview {
			s.step = setupPick
		} else if s.step != setupSending {
			c.trig.setup = nil
		}
		return nil
	}
	switch s.step {
	case setupPick:
		switch {
		case page.Matches(msg, k.Up):
			s.cursor = max(s.cursor-1, 0)
		case page.Matches(msg, k.Down):
			s.cursor = min(s.cursor+1, len(s.hooks)-1)
		case msg.String() == "a":
			s.withToken = !s.withToken
		case page.Matches(msg, k.Open):
			s.step = setupReview
		}
	case setupReview:
		if page.Matches(msg, k.Open) {
			s.step = setupSending
			return c.sendWebhookSetup(s.hooks[s.cursor], s.endpoint, s.withToken)
		}
		if msg.String() == "a" {
			s.withToken = !s.withToken
		}
	}
	return nil
}

// sendWebhookSetup points the webhook at the listener and enables it, with
// a new token the listener then requires, or with none.
func (c *core) sendWebhookSetup(h client.Webhook, endpoint string, withToken bool) tea.Cmd {
	setup := c.setup
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		got, err := setup(ctx, h.ID, endpoint, withToken)
		return webhookSetMsg{hook: got, token: withToken, err: err}
	}
}

// setupView draws the webhook setup screens.
func (c *core) setupView() []string {
	th, b, s := c.th, c.area.Body, c.trig.setup
	w := b.W - 2
	var lines []string
	auth := "NoAuth"
	if s.withToken {
		auth = "a token iwb makes; Iterable sends it, the listener requires it"
	}
	switch s.step {
	case setupLoading:
		lines = []string{"", th.Muted.Render(" Reading Iterable's system webhooks (GET /api/webhooks)…")}
	case setupPick:
		lines = []string{"", " Pick the system webhook to point at this listener:", ""}
		for i, h := range s.hooks {
			state := "disabled"
			if h.Enabled {
				state = "enabled"
			}
			line := fmt.Sprintf(" #%-5d %-8s  %-8s  %s", h.ID, state, h.AuthType, termtext.Line(cmp.Or(h.Endpoint, "(no endpoint)")))
			if i == s.cursor {
				line = th.Selected.Render("▶" + style.Fit(line, w-1))
			} else {
				line = " " + line
			}
			lines = append(lines, line)
		}
		lines = append(lines, "", " Auth: "+auth, "",
			" "+th.Key.Render("enter")+" review   "+th.Key.Render("a")+" toggle token auth   "+th.Key.Render("esc")+" cancel")
	case setupReview, setupSending:
		h := s.hooks[s.cursor]
		authType := "NoAuth"
		if s.withToken {
			authType = "Basic"
		}
		lines = []string{"",
			" " + th.Title.Render("Review: POST /api/webhooks"),
			" {",
			fmt.Sprintf(`   "id": %d,`, h.ID),
			fmt.Sprintf(`   "endpoint": %q,`, s.endpoint),
			`   "enabled": true,`,
			fmt.Sprintf(`   "authType": %q%s`, authType, map[bool]string{true: ",", false: ""}[s.withToken]),
		}
		if s.withToken {
			lines = append(lines, `   "authToken": "(made when sent; kept by iwb, never shown)"`)
		}
		lines = append(lines, " }", "",
			" Now:  "+termtext.Line(cmp.Or(h.Endpoint, "(no endpoint)"))+"  "+map[bool]string{true: "enabled", false: "disabled"}[h.Enabled]+"  "+h.AuthType,
			" Auth: "+auth)
		if s.withToken && c.listener == nil {
			lines = append(lines, " "+th.Warn.Render("⚠ The listener runs elsewhere (iwb listen): restart it to require the token."))
		}
		if s.withToken && c.demo {
			lines = append(lines, " "+th.Muted.Render("The demo's simulated traffic sends the token too; a sender without it is refused (401)."))
		}
		if !strings.HasPrefix(s.endpoint, "https://") && !c.demo {
			lines = append(lines, " "+th.Warn.Render("⚠ Iterable refuses plain http: set your tunnel's URL with b first."))
		}
		lines = append(lines, "",
			" "+th.Warn.Render("Iterable sends only the event types ticked on this webhook in its web app")+" ",
			" "+th.Warn.Render("(Integrations → System Webhooks → edit): tick them there."), "")
		if s.step == setupSending {
			lines = append(lines, th.Muted.Render(" Sending…"))
		} else {
			lines = append(lines, " "+th.Key.Render("enter")+" send   "+th.Key.Render("a")+" toggle token auth   "+th.Key.Render("esc")+" back")
		}
	}
	for i := range lines {
		lines[i] = style.Fit(lines[i], w)
	}
	return style.Box(th, b.W, b.H, "Set up Iterable's system webhook", "", lines, true)
}
