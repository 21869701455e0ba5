// Package tuitest is what the workbench's tests share: a Harness that drives
// a root model synchronously, one polling helper, and a real terminal for
// end-to-end tests: tmux on a private server, a fixed window size, keys sent with
// send-keys and the screen read with capture-pane. Tests wait for what the
// screen shows (never for raw output, which the renderer writes in pieces)
// and every wait has a bound.
package tuitest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Session is one program running in its own tmux server.
type Session struct {
	tb       testing.TB
	socket   string
	exitFile string
}

// Start runs argv in a new tmux window of w×h cells with the extra
// environment env ("KEY=value"). The test is skipped, with the reason, when
// tmux is not installed. The server is killed when the test ends.
func Start(tb testing.TB, w, h int, env []string, argv ...string) *Session {
	tb.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		tb.Skip("tmux is not installed: the end-to-end test needs a real terminal")
	}
	dir := tb.TempDir()
	s := &Session{
		tb:       tb,
		socket:   filepath.Join(dir, "tmux.sock"),
		exitFile: filepath.Join(dir, "exit"),
	}
	// With set-clipboard on, tmux keeps what a program writes to the
	// clipboard (OSC 52) as a paste buffer, which Buffers reads.
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g status off\nset -s set-clipboard on\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	// The shell records the exit code, then idles without touching the
	// terminal, so the test can check the state the program left it in. The
	// program sees a plain 256-colour terminal whatever the test's own
	// environment is.
	script := `"$@"; echo $? > ` + shellQuote(s.exitFile) + `; exec sleep 86400`
	cmd := []string{"-S", s.socket, "-f", conf, "new-session", "-d", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h),
		"env", "TERM=xterm-256color"}
	cmd = append(cmd, env...)
	cmd = append(cmd, "sh", "-c", script, "sh")
	cmd = append(cmd, argv...)
	if out, err := exec.Command("tmux", cmd...).CombinedOutput(); err != nil {
		tb.Fatalf("starting tmux: %v\n%s", err, out)
	}
	tb.Cleanup(func() { _ = exec.Command("tmux", "-S", s.socket, "kill-server").Run() })
	return s
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (s *Session) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).Output()
	return string(out), err
}

// SendKeys types keys as tmux names them: "q", "Enter", "Escape", "C-k",
// "Tab", "BTab". Text is sent literally with SendText.
func (s *Session) SendKeys(keys ...string) {
	s.tb.Helper()
	if _, err := s.tmux(append([]string{"send-keys", "-t", "0"}, keys...)...); err != nil {
		s.tb.Fatalf("send-keys %v: %v", keys, err)
	}
}

// SendText types text as it is, character by character.
func (s *Session) SendText(text string) {
	s.tb.Helper()
	if _, err := s.tmux("send-keys", "-t", "0", "-l", text); err != nil {
		s.tb.Fatalf("send-keys %q: %v", text, err)
	}
}

// Resize makes the window w×h cells, as a user dragging its corner would.
func (s *Session) Resize(w, h int) {
	s.tb.Helper()
	if _, err := s.tmux("resize-window", "-t", "0", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h)); err != nil {
		s.tb.Fatalf("resize-window %dx%d: %v", w, h, err)
	}
}

// Screen is what the terminal shows now, as text.
func (s *Session) Screen() string {
	s.tb.Helper()
	out, err := s.tmux("capture-pane", "-p", "-t", "0")
	if err != nil {
		s.tb.Fatalf("capture-pane: %v", err)
	}
	return out
}

// Title is the pane's title, which a program sets with OSC 0 or OSC 2.
func (s *Session) Title() string {
	s.tb.Helper()
	out, err := s.tmux("display-message", "-p", "-t", "0", "#{pane_title}")
	if err != nil {
		s.tb.Fatalf("display-message: %v", err)
	}
	return strings.TrimSuffix(out, "\n")
}

// Buffers are tmux's paste buffers, one line each (name, size, start):
// what programs in the session wrote to the clipboard.
func (s *Session) Buffers() []string {
	s.tb.Helper()
	out, err := s.tmux("list-buffers")
	if err != nil {
		s.tb.Fatalf("list-buffers: %v", err)
	}
	return strings.FieldsFunc(out, func(r rune) bool { return r == '\n' })
}

// WaitFor polls the screen until it holds every text, and returns it; the
// test fails with the last screen when within does not suffice.
func (s *Session) WaitFor(within time.Duration, texts ...string) string {
	s.tb.Helper()
	var screen string
	ok := Poll(within, func() bool {
		screen = s.Screen()
		for _, t := range texts {
			if !strings.Contains(screen, t) {
				return false
			}
		}
		return true
	})
	if !ok {
		s.tb.Fatalf("after %v the screen lacks one of %q:\n%s", within, texts, screen)
	}
	return screen
}

// WaitUntil polls the screen until cond holds for it, and returns it; the
// test fails, saying what it waited for, when within does not suffice. It
// is for values that move, such as a count that must reach at least n: a
// wait for one exact value could poll past it.
func (s *Session) WaitUntil(within time.Duration, what string, cond func(screen string) bool) string {
	s.tb.Helper()
	var screen string
	if !Poll(within, func() bool { screen = s.Screen(); return cond(screen) }) {
		s.tb.Fatalf("after %v the screen does not show %s:\n%s", within, what, screen)
	}
	return screen
}

// WaitGone polls the screen until it holds none of the texts.
func (s *Session) WaitGone(within time.Duration, texts ...string) string {
	s.tb.Helper()
	var screen string
	ok := Poll(within, func() bool {
		screen = s.Screen()
		for _, t := range texts {
			if strings.Contains(screen, t) {
				return false
			}
		}
		return true
	})
	if !ok {
		s.tb.Fatalf("after %v the screen still shows one of %q:\n%s", within, texts, screen)
	}
	return screen
}

// WaitExit waits for the program to end and returns its exit code.
func (s *Session) WaitExit(within time.Duration) int {
	s.tb.Helper()
	var code []byte
	ok := Poll(within, func() bool {
		b, err := os.ReadFile(s.exitFile)
		code = bytes.TrimSpace(b)
		return err == nil && len(code) > 0
	})
	if !ok {
		s.tb.Fatalf("the program did not end within %v; screen:\n%s", within, s.Screen())
	}
	n, err := strconv.Atoi(string(code))
	if err != nil {
		s.tb.Fatalf("reading the exit code %q: %v", code, err)
	}
	return n
}

// Clean fails unless the program, once ended, left the terminal as it found
// Quit types keys (e.g. "q"), then requires the program to end with exit code
// 0 within 10 s and to leave the terminal clean.
func (s *Session) Quit(keys ...string) {
	s.tb.Helper()
	s.SendKeys(keys...)
	if code := s.WaitExit(10 * time.Second); code != 0 {
		s.tb.Fatalf("the program ended with %d, want 0; screen:\n%s", code, s.Screen())
	}
	s.Clean()
}

// it: the alternate screen left, the cursor shown, mouse reporting off.
func (s *Session) Clean() {
	s.tb.Helper()
	out, err := s.tmux("display-message", "-p", "-t", "0", "#{alternate_on} #{cursor_flag} #{mouse_any_flag}")
	if err != nil {
		s.tb.Fatalf("display-message: %v", err)
	}
	if got := strings.TrimSpace(out); got != "0 1 0" {
		s.tb.Fatalf("the terminal was left dirty (alternate screen, cursor shown, mouse = %q, want \"0 1 0\"):\n%s", got, s.Screen())
	}
}
