package style

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func same(s string) string { return s }

// plainLines is what the body's lines say, without colours.
func plainLines(body []byte) []string { return JSONLines(NewTheme(true, true), body, same) }

// FuzzBodyLinesAreIndentedJSON: a JSON body reads as json.Indent lays it
// out, any other body as its lines.
func FuzzBodyLinesAreIndentedJSON(f *testing.F) {
	for _, s := range []string{
		`{"email":"ana@acme.io","dataFields":{"n":1.5e3,"ok":true,"x":null,"s":"a\"b\\","e":[],"o":{ },"l":[1,[2,{}],"x"]}}`,
		` [ 1 , 2 ] ` + "\r\n", `"just a string"`, `12`, `[[[[]]]]`, `{"a":{"b":{"c":[{"d":null}]}}}`,
		"not json\nsecond line\r\n", "a\n", "{\"a\":1} trailing", "\x1b]52;c;eA==\x07",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(bytes.TrimSpace(body)) == 0 {
			return
		}
		got := strings.Join(plainLines(body), "\n")
		want := string(body)
		var buf bytes.Buffer
		if json.Indent(&buf, bytes.TrimRight(body, " \t\r\n"), "", "  ") == nil {
			want = buf.String()
		}
		if got != want {
			t.Fatalf("body %q reads\n%s\nwant\n%s", body, got, want)
		}
	})
}

func TestBodyLineIsCheapAndShortInANarrowPane(t *testing.T) {
	th := NewTheme(true, true)
	long := `{"s":"` + strings.Repeat("é", 1<<19) + `"}`
	b := NewBody(th, []byte(long), same)
	l, ok := b.Line(1, 40)
	if !ok || !strings.HasPrefix(l, `  "s": "éé`) || !strings.HasSuffix(l, "…") || len(l) > 8*40+64 {
		t.Fatalf("the long string's line is %d bytes: %.60q…", len(l), l)
	}
	deep := strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000)
	b = NewBody(th, []byte(deep), same)
	if n := b.Len(); n != 19_999 {
		t.Fatalf("%d lines, want 19,999", n)
	}
	for _, c := range []struct {
		i    int
		want string
	}{{0, "["}, {5, "          ["}, {9_999, "             ‹9999› []"}, {10_000, "             ‹9998› ]"}, {19_998, "]"}} {
		if l, _ := b.Line(c.i, 40); l != c.want {
			t.Errorf("line %d is %q, want %q", c.i, l, c.want)
		}
	}
	if _, ok := b.Line(19_999, 40); ok {
		t.Error("a line past the end")
	}
}
