//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests of package main run the real binary, built once for the
// whole test process.
var (
	binDir    string
	iwbBinary = sync.OnceValues(func() (string, error) {
		dir, err := os.MkdirTemp("", "iwb-bin")
		if err != nil {
			return "", err
		}
		binDir = dir
		bin := filepath.Join(dir, "iwb")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			return "", errors.New(string(out))
		}
		return bin, nil
	})
)

func TestMain(m *testing.M) {
	// Folders the tests make (t.TempDir homes) are owner-only, as iwb makes
	// its own: iwb warns about a home that others can read.
	syscall.Umask(0o077)
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildIWB returns the path of the real binary.
func buildIWB(t testing.TB) string {
	t.Helper()
	bin, err := iwbBinary()
	if err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

type iwbResult struct {
	code           int
	stdout, stderr string
}

// runIWB runs the binary with exactly env, stdin as given, and no controlling
// terminal (its own session), as a script or CI would.
func runIWB(t testing.TB, bin string, env []string, stdin string, args ...string) iwbResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running iwb %v: %v", args, err)
	}
	return iwbResult{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// baseEnv is a clean environment: no key, no iwb settings from the machine.
func baseEnv(extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	return append(env, extra...)
}
