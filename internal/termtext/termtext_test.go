package termtext

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLineShowsWhatATerminalWouldActOn(t *testing.T) {
	tests := map[string]string{
		"plain text":                        "plain text",
		"café ✓ 日本":                         "café ✓ 日本",
		"x\x1b]52;c;cm0gLXJmIH4K\x07":       `x\x1b]52;c;cm0gLXJmIH4K\x07`,
		"\x1b]0;pwned\x07\x1b[2J":           `\x1b]0;pwned\x07\x1b[2J`,
		"a\nb\r\tc":                         `a\nb\r\tc`,
		"del\x7f":                           `del\x7f`,
		"c1 \u009b31m":                      `c1 \u009b31m`,
		"bad \xff\x9b byte":                 `bad \xff\x9b byte`,
		"evil\u202eexe.txt":                 `evil\u202eexe.txt`,
		"iso\u2066late\u2069 \u200fmark":    `iso\u2066late\u2069 \u200fmark`,
		"zero\u200bwidth\u200d\u2060\ufeff": `zero\u200bwidth\u200d\u2060\ufeff`,
		"soft\u00adhyphen":                  `soft\u00adhyphen`,
		"line\u2028para\u2029":              `line\u2028para\u2029`,
		"tag\U000E0041":                     `tag\U000e0041`,
	}
	for in, want := range tests {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBlockKeepsNewlinesOnly(t *testing.T) {
	got := Block("one\ntwo\r\n\x1b[2Jthree\t")
	want := "one\ntwo\\r\n\\x1b[2Jthree\\t"
	if got != want {
		t.Errorf("Block = %q, want %q", got, want)
	}
}

// terminalSafe reports the first byte or character of s a terminal would act
// on, allowing newlines when keepNewlines.
func terminalSafe(s string, keepNewlines bool) (string, bool) {
	if !utf8.ValidString(s) {
		return "invalid UTF-8", false
	}
	for _, r := range s {
		if r == '\n' && keepNewlines {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return string(r), false
		}
	}
	return "", true
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "plain", "x\x1b]52;c;cm0gLXJmIH4K\x07", "\u202e\u200b", "\xff\xc2\x9b", "a\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := Line(s)
		if bad, ok := terminalSafe(line, false); !ok {
			t.Fatalf("Line(%q) = %q still holds %q", s, line, bad)
		}
		block := Block(s)
		if bad, ok := terminalSafe(block, true); !ok {
			t.Fatalf("Block(%q) = %q still holds %q", s, block, bad)
		}
		if strings.Count(block, "\n") != strings.Count(s, "\n") {
			t.Fatalf("Block(%q) = %q changed the number of lines", s, block)
		}
	})
}

func BenchmarkLinePlain(b *testing.B) {
	s := strings.Repeat("emailOpen user@example.com ", 4)
	for b.Loop() {
		_ = Line(s)
	}
}

func TestJSONEscapesWhatTheEncoderLeavesRaw(t *testing.T) {
	in := []byte("{\n  \"a\": \"x\u009b31m\u202e\u200b\U000E0041\x7f\xff\"\n}")
	got := string(JSON(in))
	want := "{\n  \"a\": \"x\\u009b31m\\u202e\\u200b\\udb40\\udc41\\u007f\\ufffd\"\n}"
	if got != want {
		t.Errorf("JSON = %q, want %q", got, want)
	}
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"a":"\u001b"}`, "[\"\u009b\u202e\"]", "\"\xff\"", `{"a":[1,2,{"b":null}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		out := JSON(b)
		if bad, ok := terminalSafe(strings.NewReplacer("\n", "", "\t", "", "\r", "").Replace(string(out)), false); !ok {
			t.Fatalf("JSON(%q) = %q still holds %q", b, out, bad)
		}
		decode := func(b []byte) (any, error) {
			d := json.NewDecoder(bytes.NewReader(b))
			d.UseNumber()
			var v any
			return v, d.Decode(&v)
		}
		before, err := decode(b)
		if err != nil {
			t.Fatal(err)
		}
		after, err := decode(out)
		if err != nil {
			t.Fatalf("JSON(%q) = %q is no longer JSON: %v", b, out, err)
		}
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("JSON(%q) = %q changed the value", b, out)
		}
	})
}
