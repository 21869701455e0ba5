package tui

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/iwb-dev/iwb"

// TestImportRules keeps the arrows between rooms true, as `go list -deps`
// sees them: a page imports tui/page, tui/style and domain rooms, never the
// root, another page or package main; tui/page and tui/style import no iwb
// package; the domain rooms never import the TUI.
func TestImportRules(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-json", module+"/...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	var checked int
	for {
		var p struct {
			ImportPath string
			Deps       []string
			Module     *struct{ Path string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || p.Module.Path != module {
			continue
		}
		checked++
		for _, d := range p.Deps {
			if why := forbidden(p.ImportPath, d); why != "" {
				t.Errorf("%s imports %s: %s", p.ImportPath, d, why)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d packages of the module were listed", checked)
	}
}

// forbidden says why pkg may not depend on dep, or "" when it may.
func forbidden(pkg, dep string) string {
	rel := func(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, module), "/") }
	from, to := rel(pkg), rel(dep)
	if !strings.HasPrefix(dep, module) {
		return ""
	}
	switch {
	case from == "tui/page" || from == "tui/style":
		return "tui/page and tui/style import no iwb package"
	case strings.HasPrefix(from, "tui/pages/"):
		own := strings.Join(strings.SplitN(from, "/", 4)[:3], "/") // tui/pages/X
		switch {
		case to == "":
			return "a page never imports package main"
		case to == "tui":
			return "a page never imports the root model"
		case strings.HasPrefix(to, "tui/pages/") && to != own && !strings.HasPrefix(to, own+"/"):
			return "a page never imports another page"
		}
	case domain(from) && (to == "tui" || strings.HasPrefix(to, "tui/")):
		return "a domain room never imports the TUI"
	}
	return ""
}

// domain says p is in a domain room.
func domain(p string) bool {
	for _, room := range []string{"client", "webhook", "schema", "keystore", "recipe", "internal"} {
		if p == room || strings.HasPrefix(p, room+"/") {
			return true
		}
	}
	return false
}
