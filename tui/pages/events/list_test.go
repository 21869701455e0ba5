package events

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/tui/style"
)

// settle runs the list's reads synchronously until it asks for no more.
func settle(tb testing.TB, l *eventList, cmd tea.Cmd) {
	tb.Helper()
	for i := 0; cmd != nil; i++ {
		if i > 10 {
			tb.Fatal("the list keeps asking for reads")
		}
		cmd = l.loaded(cmd().(listLoadedMsg))
	}
}

func newLoadedList(tb testing.TB, n int64, height int) *eventList {
	l := newEventList(seqSource{n})
	l.setHeight(height)
	settle(tb, &l, l.load(loadTail))
	return &l
}

func TestEventListScrollsAcrossPagesWithoutGapsOrGrowth(t *testing.T) {
	l := newLoadedList(t, 1_000_000, 35)
	if ev, _ := l.selected(); ev.ID != 1_000_000 {
		t.Fatalf("starts on #%d, want the newest", ev.ID)
	}
	for k := 1; k <= 2000; k++ {
		settle(t, l, l.move(-1))
		ev, ok := l.selected()
		if !ok || ev.ID != int64(1_000_000-k) {
			t.Fatalf("after %d steps up: #%d (loaded %v)", k, ev.ID, ok)
		}
		if len(l.rows) > listWindow {
			t.Fatalf("the window grew to %d rows", len(l.rows))
		}
		if l.cursor < l.top || l.cursor >= l.top+l.height {
			t.Fatalf("the cursor %d left the view %d..%d", l.cursor, l.top, l.top+l.height)
		}
	}
	for k := 1; k <= 60; k++ { // pages down, back towards the end
		settle(t, l, l.move(34))
	}
	if ev, _ := l.selected(); ev.ID != 1_000_000 {
		t.Fatalf("paging down came to #%d, want the newest", ev.ID)
	}
	settle(t, l, l.home())
	if ev, _ := l.selected(); ev.ID != 1 || l.top != 0 {
		t.Fatalf("home selected #%d top %d", ev.ID, l.top)
	}
	for range 500 {
		settle(t, l, l.move(1))
	}
	if ev, _ := l.selected(); ev.ID != 501 {
		t.Fatalf("500 down from the oldest: #%d", ev.ID)
	}
	settle(t, l, l.setFollow(true))
	if ev, _ := l.selected(); ev.ID != 1_000_000 || !l.follow {
		t.Fatalf("follow selected #%d", ev.ID)
	}
}

func TestEventListKeepsAMoveAskedForDuringARead(t *testing.T) {
	l := newLoadedList(t, 100_000, 30)
	settle(t, l, l.move(-1)) // paused: a refresh reads only the count
	inFlight := l.refresh()
	if l.home() != nil || l.refresh() != nil {
		t.Fatal("a second read started while one was in flight")
	}
	settle(t, l, inFlight)
	if ev, _ := l.selected(); ev.ID != 1 {
		t.Fatalf("home asked for during a read selected #%d, want #1", ev.ID)
	}
}

func TestEventListDropsReadsOfAnOldFilter(t *testing.T) {
	l := newLoadedList(t, 100, 10)
	stale := l.load(loadTail)
	settle(t, l, l.setFilter(Filter{EventName: "emailClick"}))
	before := l.total
	if cmd := l.loaded(stale().(listLoadedMsg)); cmd != nil || l.total != before {
		t.Fatalf("a read of the old filter changed the list: total %d, want %d", l.total, before)
	}
}

func TestEventListRendersOnlyVisibleRowsAtWidth(t *testing.T) {
	l := newLoadedList(t, 1_000_000, 20)
	th := style.NewTheme(true, false)
	for _, w := range []int{40, 61, 78, 118} {
		rows := l.view(th, w, true)
		if len(rows) != 20 {
			t.Fatalf("width %d: %d rows drawn, want the 20 visible", w, len(rows))
		}
		for _, r := range rows {
			if ansi.StringWidth(r) != w {
				t.Fatalf("width %d: a row is %d wide: %q", w, ansi.StringWidth(r), ansi.Strip(r))
			}
		}
	}
}

func TestParseFilter(t *testing.T) {
	cases := map[string]Filter{
		"":                             {},
		"ana@acme.io":                  {Text: "ana@acme.io"},
		"event:emailOpen":              {EventName: "emailOpen"},
		"wf:60102 trigger:opens  bo":   {WorkflowID: "60102", Trigger: "opens", Text: "bo"},
		"e:smsSend t:sms workflow:1 x": {EventName: "smsSend", Trigger: "sms", WorkflowID: "1", Text: "x"},
		"event: campaign:42":           {Text: "event: campaign:42"},
	}
	for in, want := range cases {
		if got := parseFilter(in); got != want {
			t.Errorf("parseFilter(%q) = %+v, want %+v", in, got, want)
		}
	}
}

// FuzzDetailLines feeds outside bodies to the detail pane: whatever arrives,
// no line may hold a control character (nothing can drive the terminal) or
// be wider than the pane.
func FuzzDetailLines(f *testing.F) {
	f.Add([]byte(`{"email":"ana@acme.io","dataFields":{"n":1.5e3,"ok":true,"x":null,"s":"a\"b"}}`))
	f.Add([]byte("email=a%40b&\x1b[2J\x9b31m"))
	f.Add([]byte(`["\u001b[31m", "` + "\u0085" + `"]`))
	f.Add([]byte{0xff, 0xfe, '{', '"'})
	f.Add([]byte("{\"email\":\"evil\u202egnp.exe\u200b@x.io\"}"))
	f.Add([]byte("text \u2066hidden\u2069\ufeff"))
	th := style.NewTheme(true, false)
	f.Fuzz(func(t *testing.T, body []byte) {
		ev := Event{ID: 1, Body: body, EventName: string(body), Headers: map[string][]string{string(body): {string(body)}}}
		for _, w := range []int{20, 57} {
			d := newDetailDoc(th, ev, w)
			for i := 0; ; i++ {
				l, ok := d.line(th, ev, i)
				if !ok {
					break
				}
				if ansi.StringWidth(l) != w {
					t.Fatalf("a line is %d wide, want %d", ansi.StringWidth(l), w)
				}
				for _, r := range ansi.Strip(l) {
					if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
						t.Fatalf("control or format character %U reached the screen in %q", r, l)
					}
				}
			}
		}
		row := renderRow(th, &ev, rowColumns(60), false, true)
		if strings.ContainsAny(ansi.Strip(row), "\x1b\u009b\r\n\u202e\u200b\u2066\ufeff") {
			t.Fatalf("a control character reached a row: %q", row)
		}
	})
}

func BenchmarkEventListRender(b *testing.B) {
	l := newLoadedList(b, 1_000_000, 35)
	th := style.NewTheme(true, false)
	b.ReportAllocs()
	for b.Loop() {
		_ = l.view(th, 61, true)
	}
}

// BenchmarkEventListScroll is one step up through a million events, reads
// of new pages included.
func BenchmarkEventListScroll(b *testing.B) {
	l := newLoadedList(b, 1_000_000, 35)
	b.ReportAllocs()
	for b.Loop() {
		if l.cursor == 0 {
			settle(b, l, l.setFollow(true))
		}
		settle(b, l, l.move(-1))
	}
}

// seqSource holds events 1..n made from their id; only the event name
// filters.
type seqSource struct{ n int64 }

var seqNames = []string{"emailSend", "emailOpen", "emailClick"}

func seqEvent(id int64) Event {
	return Event{ID: id, Kind: "system", EventName: seqNames[id%3], ReceivedAt: time.Unix(id, 0).UTC(),
		Body: []byte(`{"n":` + strconv.FormatInt(id, 10) + `}`)}
}

// ids are the ids from (excluded) in steps of dir that pass f, up to limit.
func (s seqSource) ids(f Filter, from int64, dir int64, limit int) []Event {
	var out []Event
	for id := from + dir; id >= 1 && id <= s.n && len(out) < limit; id += dir {
		if f.EventName == "" || seqNames[id%3] == f.EventName {
			out = append(out, seqEvent(id))
		}
	}
	return out
}

func (s seqSource) Get(_ context.Context, id int64) (Event, error) { return seqEvent(id), nil }

func (s seqSource) After(_ context.Context, f Filter, afterID int64, limit int) ([]Event, error) {
	return s.ids(f, afterID, 1, limit), nil
}

func (s seqSource) Before(_ context.Context, f Filter, beforeID int64, limit int) ([]Event, error) {
	if beforeID == 0 {
		beforeID = s.n + 1
	}
	out := s.ids(f, beforeID, -1, limit)
	slices.Reverse(out)
	return out, nil
}

func (s seqSource) Count(_ context.Context, f Filter) (int, error) {
	if f.EventName == "" {
		return int(s.n), nil
	}
	return len(s.ids(f, 0, 1, int(s.n))), nil
}

func (s seqSource) Stats(context.Context) (Stats, error) { return Stats{Total: int(s.n)}, nil }

func (s seqSource) Pin(context.Context, int64, bool) error { return nil }

func (s seqSource) Subscribe(context.Context) (<-chan Event, func() uint64) {
	return nil, func() uint64 { return 0 }
}

// TestRowGivesTheEmailItsWidth: in the Events list of a 120-column
// workbench (61 cells inside its box) an address of 20 characters shows
// whole, beside the HH:MM:SS time and a one-letter kind.
func TestRowGivesTheEmailItsWidth(t *testing.T) {
	th := style.NewTheme(true, true)
	ev := Event{ID: 1, Kind: "system", EventName: "emailOpen", Email: "margaret@example.com", ReceivedAt: time.Date(2026, 11, 27, 10, 42, 7, 0, time.Local)}
	row := ansi.Strip(renderRow(th, &ev, rowColumns(61), false, true))
	if !strings.HasPrefix(row, " 10:42:07 S emailOpen") || !strings.Contains(row, "margaret@example.com") || ansi.StringWidth(row) != 61 {
		t.Errorf("row %q", row)
	}
	for kind, want := range map[string]string{"workflow": " W ", "other": " ? "} {
		ev.Kind = kind
		if row := ansi.Strip(renderRow(th, &ev, rowColumns(61), false, true)); !strings.Contains(row[:12], want) {
			t.Errorf("%s: row %q", kind, row)
		}
	}
	ev.Rejected = true
	if row := ansi.Strip(renderRow(th, &ev, rowColumns(61), false, true)); !strings.Contains(row, " ✗ ") {
		t.Errorf("rejected: row %q", row)
	}
}
