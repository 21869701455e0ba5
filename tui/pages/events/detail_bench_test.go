package events

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// benchArea is the Events tab of a 120×40 window.
var benchArea = page.Area{
	Body: page.Rect{X: 0, Y: 1, W: 120, H: 37},
	Main: page.Rect{X: 0, Y: 1, W: 63, H: 37},
	Side: page.Rect{X: 63, Y: 1, W: 57, H: 37},
}

// worstBodies are the bodies up to 1 MiB that cost the detail pane most:
// nesting 10,000 deep (stored before the listener's depth bound), wide
// arrays, one long string, many keys, many short lines, and text full of
// escape sequences.
func worstBodies() []struct {
	name    string
	body    []byte
	headers http.Header
} {
	const mib = 1 << 20
	deep := func(open, close string, n int, leaf string) []byte {
		return []byte(strings.Repeat(open, n) + leaf + strings.Repeat(close, n))
	}
	repeatTo := func(prefix, unit, suffix string) []byte {
		n := (mib - len(prefix) - len(suffix)) / len(unit)
		return []byte(prefix + strings.Repeat(unit, n) + suffix)
	}
	var keys bytes.Buffer
	keys.WriteByte('{')
	for i := range 50_000 {
		if i > 0 {
			keys.WriteByte(',')
		}
		fmt.Fprintf(&keys, `"key%05d":%d`, i, i)
	}
	keys.WriteByte('}')
	deep3 := `{"a":` + string(deep("[", "]", 9_999, "")) + `,"b":` + string(deep("[", "]", 9_999, "")) +
		`,"c":` + string(deep("[", "]", 9_999, "")) + `}`
	return []struct {
		name    string
		body    []byte
		headers http.Header
	}{
		{"deep-arrays-10000", deep("[", "]", 10_000, ""), nil},
		{"deep-objects-10000", deep(`{"a":`, "}", 9_999, "1"), nil},
		{"three-deep-arrays", []byte(deep3), nil},
		{"wide-array-1MiB", repeatTo("[", "0,", "0]"), nil},
		{"wide-nested-1MiB", repeatTo("[", "[],", "[]]"), nil},
		{"string-1MiB", repeatTo(`{"s":"`, "a", `"}`), nil},
		{"escaped-string-1MiB", repeatTo(`{"s":"`, `\u001b]52;c;`, `"}`), nil},
		{"keys-50000", keys.Bytes(), nil},
		{"short-lines-1MiB", repeatTo("", "a\n", ""), nil},
		{"crlf-lines-1MiB", repeatTo("", "a\r\n", ""), nil},
		{"control-text-1MiB", repeatTo("", "\x1b]0;title\x07\x1b]52;c;cm0gLXJmIH4K\x07\x1b[2J\u202e\u200b\x9b\n", ""), nil},
		{"control-line-1MiB", repeatTo("", "\x1b[2J\x07\u202e", ""), nil},
		{"headers-64KiB", []byte(`{}`), manyHeaders()},
	}
}

// manyHeaders are as many headers as the listener takes (64 KiB of them).
func manyHeaders() http.Header {
	h := http.Header{}
	for i := range 64 << 10 / len("X-H0000: v\r\n") {
		h.Set(fmt.Sprintf("X-H%04d", i), "v")
	}
	return h
}

// benchPage is the Events tab with ev as the selected event.
func benchPage(ev Event) *Page {
	p := New(nil, nil, nil, page.DefaultKeys(), style.NewTheme(true, false))
	p.Update(page.ResizeMsg{Area: benchArea})
	p.list.rows, p.list.total = []Event{ev}, 1
	return p
}

// BenchmarkOpenWorstBodies is selecting an event: the first frame of the
// tab with its detail drawn, nothing cached from an earlier frame.
func BenchmarkOpenWorstBodies(b *testing.B) {
	for _, c := range worstBodies() {
		b.Run(c.name, func(b *testing.B) {
			p := benchPage(Event{ID: 1, Body: c.body, Headers: c.headers})
			b.ReportAllocs()
			start := processCPU()
			for b.Loop() {
				p.list.rows[0].ID++ // another event: nothing of the last one may be reused
				_ = p.View(benchArea)
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkScrollWorstBodies is one line down in the detail, a frame each,
// from a page into the body (the bottom reached, the top again).
func BenchmarkScrollWorstBodies(b *testing.B) {
	for _, c := range worstBodies() {
		b.Run(c.name, func(b *testing.B) {
			p := benchPage(Event{ID: 1, Body: c.body, Headers: c.headers})
			p.View(benchArea)
			p.detailFocus = true
			b.ReportAllocs()
			for b.Loop() {
				top := p.detailTop
				p.scrollDetail(1)
				_ = p.View(benchArea)
				if p.detailTop == top {
					p.detailTop = 0
				}
			}
		})
	}
}

// BenchmarkCopyWorstBodies is the text y puts on the clipboard.
func BenchmarkCopyWorstBodies(b *testing.B) {
	for _, c := range worstBodies() {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = copyText(c.body)
			}
		})
	}
}
