//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/internal/secret"
	"github.com/iwb-dev/iwb/tui/tuitest"
	"github.com/iwb-dev/iwb/webhook"
)

// process is the real binary running in the background; its output lines
// arrive on out and errs.
type process struct {
	out, errs chan string
}

// startIWB runs the binary until the test ends (then Ctrl-C, as a user would).
func startIWB(t *testing.T, bin string, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{out: make(chan string, 64), errs: make(chan string, 64)}
	scan := func(r io.Reader, lines chan<- string) {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}
	go scan(stdout, p.out)
	go scan(stderr, p.errs)
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	return p
}

// waitLine returns the first line on lines that contains want.
func waitLine(t *testing.T, lines <-chan string, want string) string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case line := <-lines:
			if strings.Contains(line, want) {
				return line
			}
		case <-deadline:
			t.Fatalf("no line with %q within 20s", want)
		}
	}
}

// TestWebhookSetupAndShowAgainstTheSandbox points the real `iwb sandbox`'s
// system webhook at `iwb listen` through the CLI (asked on a terminal, or
// --yes in a script), and sees an event the sandbox fires arrive with the
// token.
func TestWebhookSetupAndShowAgainstTheSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildIWB(t)
	home := t.TempDir()
	const key = "sandbox-key-0123456789abcdef"
	sb := startIWB(t, bin, baseEnv("IWB_HOME="+t.TempDir()), "sandbox", "--addr", "127.0.0.1:0", "--key", key)
	sandboxURL := strings.TrimPrefix(waitLine(t, sb.out, "sandbox listening on "), "sandbox listening on ")
	env := baseEnv("IWB_HOME="+home, "ITERABLE_API_KEY="+key, "ITERABLE_BASE_URL="+sandboxURL)
	c, err := client.New(client.Options{BaseURL: sandboxURL, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sandboxHook := func() client.Webhook {
		t.Helper()
		hooks, err := c.Webhooks(ctx)
		if err != nil || len(hooks) != 1 {
			t.Fatalf("the sandbox's webhooks: %+v, %v", hooks, err)
		}
		return hooks[0]
	}

	r := runIWB(t, bin, env, "", "webhook", "setup", "--auth", "basic", "--yes")
	if r.code != 2 || !strings.Contains(r.stderr, "want none or token") {
		t.Errorf("setup --auth basic: exit %d, %q; want 2", r.code, r.stderr)
	}
	r = runIWB(t, bin, env, "", "webhook", "setup", "--auth", "token", "--yes")
	if r.code != 2 || !strings.Contains(r.stderr, "iwb settings public-url") {
		t.Fatalf("setup without a public URL: exit %d, %q; want 2 and how to set one", r.code, r.stderr)
	}
	if r = runIWB(t, bin, env, "", "settings", "public-url", "abc.ngrok.app"); r.code != 2 || !strings.Contains(r.stderr, "tunnel") {
		t.Errorf("a public URL without a scheme: exit %d, %q; want 2", r.code, r.stderr)
	}
	addr := freePort(t)
	if r = runIWB(t, bin, env, "", "settings", "public-url", "http://"+addr+"/"); r.code != 0 || !strings.Contains(r.stdout, "http://"+addr) {
		t.Fatalf("settings public-url: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	r = runIWB(t, bin, env, "", "webhook", "setup", "--auth", "token")
	if r.code != 2 || !strings.Contains(r.stderr, "--yes") || !strings.Contains(r.stderr, "nothing was changed") {
		t.Fatalf("setup with no terminal and no --yes: exit %d, %q", r.code, r.stderr)
	}
	if h := sandboxHook(); h.Enabled || h.Endpoint != "" {
		t.Fatalf("the refused setup changed the webhook: %+v", h)
	}

	// On a terminal it shows the change and asks: "n" changes nothing, "y" does it.
	command := fmt.Sprintf(`for answer in 1 2; do env -i '%s' %s webhook setup; echo "EXIT$answer=$?"; done`,
		strings.Join(env, "' '"), bin)
	term := tuitest.Start(t, 200, 30, nil, "sh", "-c", command)
	term.WaitFor(20*time.Second, "system webhook 1: nowhere (disabled, no auth) → http://"+addr+"/ (enabled, no auth). Change it? [y/N]")
	term.SendKeys("n", "Enter")
	term.WaitFor(20*time.Second, "EXIT1=2")
	if h := sandboxHook(); h.Enabled {
		t.Fatalf("declined, yet the webhook changed: %+v", h)
	}
	term.SendKeys("y", "Enter")
	term.WaitFor(20*time.Second, "EXIT2=0", "webhook 1 sends to http://"+addr+"/ with no auth")
	if h := sandboxHook(); !h.Enabled || h.AuthType != "NoAuth" {
		t.Fatalf("confirmed, the webhook is %+v", h)
	}

	r = runIWB(t, bin, env, "", "webhook", "setup", "--auth", "token", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "webhook 1 sends to http://"+addr+"/ with a token") {
		t.Fatalf("setup: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if h := sandboxHook(); !h.Enabled || h.Endpoint != "http://"+addr+"/" || h.AuthType != "Basic" {
		t.Fatalf("after setup the sandbox's webhook is %+v", h)
	}
	st, err := webhook.Open(paths{Config: home, Data: home, State: home}.Database(), webhook.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	token, err := st.ListenerToken(ctx)
	st.Close()
	if err != nil || token == "" {
		t.Fatalf("no listener token saved (%v)", err)
	}

	r = runIWB(t, bin, env, "", "webhook", "show")
	if r.code != 0 || !strings.Contains(r.stdout, "http://"+addr+"/workflows/ID") ||
		!strings.Contains(r.stdout, secret.Mask(token)) || strings.Contains(r.stdout, token) {
		t.Errorf("webhook show: exit %d, %q; want the URLs and the token masked", r.code, r.stdout)
	}
	if r = runIWB(t, bin, env, "", "webhook", "show", "--reveal-token"); !strings.Contains(r.stdout, "Authorization: "+token) {
		t.Errorf("webhook show --reveal-token: %q", r.stdout)
	}

	// The listener requires the saved token, and the sandbox sends it.
	listen := startIWB(t, bin, env, "listen", "--addr", addr, "--json")
	waitLine(t, listen.errs, "listening on")
	resp, err := http.Post("http://"+addr+"/", "application/json", strings.NewReader(`{"eventName":"emailOpen"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a POST without the token: %d, want 401", resp.StatusCode)
	}
	if _, err := c.SendSMS(ctx, client.TargetSMSRequest{CampaignID: sandbox.SMSCampaignID, RecipientEmail: "ada@example.com"}); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		EventName string `json:"eventName"`
		Status    string `json:"status"`
	}
	if err := json.Unmarshal([]byte(waitLine(t, listen.out, "smsSend")), &ev); err != nil || ev.Status != "accepted" {
		t.Errorf("the sandbox's smsSend was stored as %+v (%v), want accepted", ev, err)
	}
}
