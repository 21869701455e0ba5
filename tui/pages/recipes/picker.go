package recipes

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// picker is a list to pick one value from, narrowed by typing: pills with
// their types, triggers, actions, operators.
type picker struct {
	title  string
	want   string // the type the pick lands as, "" when it does not matter
	items  []pickItem
	hidden int // items left out because their type does not fit
	filter string
	cur    int
	note   string
	apply  func(value string)
}

type pickItem struct{ value, label, note string }

func newPicker(title, want string, items []pickItem, hidden int, apply func(string)) *picker {
	return &picker{title: title, want: want, items: items, hidden: hidden, apply: apply}
}

// shown are the items the filter keeps.
func (pk *picker) shown() []pickItem {
	if pk.filter == "" {
		return pk.items
	}
	f := strings.ToLower(pk.filter)
	var out []pickItem
	for _, it := range pk.items {
		if strings.Contains(strings.ToLower(it.label+" "+it.note), f) {
			out = append(out, it)
		}
	}
	return out
}

// pickKey handles a key while the picker is open: arrows move, typing
// narrows, enter picks, esc closes.
func (e *editor) pickKey(k Keys, msg tea.KeyPressMsg) tea.Cmd {
	pk := e.pick
	shown := pk.shown()
	switch {
	case page.Matches(msg, k.Back):
		e.pick = nil
	case msg.String() == "up":
		pk.cur = max(pk.cur-1, 0)
	case msg.String() == "down":
		pk.cur = min(pk.cur+1, max(len(shown)-1, 0))
	case page.Matches(msg, key.NewBinding(key.WithKeys("pgup"))):
		pk.cur = max(pk.cur-10, 0)
	case page.Matches(msg, key.NewBinding(key.WithKeys("pgdown"))):
		pk.cur = min(pk.cur+10, max(len(shown)-1, 0))
	case page.Matches(msg, k.Open):
		if pk.cur < len(shown) && pk.apply != nil {
			e.pick = nil
			pk.apply(shown[pk.cur].value)
		}
	case msg.String() == "backspace":
		if r := []rune(pk.filter); len(r) > 0 {
			pk.filter, pk.cur = string(r[:len(r)-1]), 0
		}
	case msg.Text != "" && msg.Mod&^tea.ModShift == 0:
		pk.filter, pk.cur = pk.filter+msg.Text, 0
	}
	return nil
}

// lines draws the picker: its filter, then the items with their types, the
// cursor kept in view.
func (pk *picker) lines(th style.Theme, w, h int) []string {
	shown := pk.shown()
	lines := []string{th.Muted.Render("filter ") + termtext.Line(pk.filter) + "█"}
	if pk.want != "" {
		lines[0] = style.Spread(lines[0], th.Muted.Render("lands as "+pk.want), w)
	}
	foot := []string{}
	if pk.hidden > 0 {
		foot = append(foot, th.Muted.Render(fmt.Sprintf("%d more whose type does not fit are not offered", pk.hidden)))
	}
	if pk.note != "" {
		foot = append(foot, th.Warn.Render(termtext.Line(pk.note)))
	}
	rows := max(h-len(lines)-len(foot), 1)
	if len(shown) == 0 {
		lines = append(lines, th.Muted.Render("  nothing fits"))
	}
	top := max(0, pk.cur-rows+1)
	labelW := max(8, min(w*3/5, w-14))
	for i := top; i < len(shown) && i < top+rows; i++ {
		it := shown[i]
		line := " " + style.Fit(termtext.Line(it.label), labelW) + " " + th.Muted.Render(termtext.Line(it.note))
		if i == pk.cur {
			line = th.Selected.Render("▶" + style.Fit(line, w-1))
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	for len(lines) < h-len(foot) {
		lines = append(lines, "")
	}
	return append(lines, foot...)
}
