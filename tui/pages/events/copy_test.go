package events

import (
	"encoding/json"
	"testing"
)

func TestCopyTextEscapesWhatATerminalWouldActOn(t *testing.T) {
	for _, c := range []struct {
		body, want string
		escaped    bool
	}{
		{`{"eventName":"emailOpen"}`, `{"eventName":"emailOpen"}`, false},
		{"{\"e\":\"x\u009b31m\u202e\"}", `{"e":"x\u009b31m\u202e"}`, true},
		{"plain \x1b]52;c;cm0gLXJmIH4K\x07 text\nline 2", "plain \\x1b]52;c;cm0gLXJmIH4K\\x07 text\nline 2", true},
	} {
		got, escaped := copyText([]byte(c.body))
		if got != c.want || escaped != c.escaped {
			t.Errorf("copyText(%q) = %q, %v; want %q, %v", c.body, got, escaped, c.want, c.escaped)
		}
		if json.Valid([]byte(c.body)) && !json.Valid([]byte(got)) {
			t.Errorf("copyText(%q) is no longer JSON", c.body)
		}
	}
}
