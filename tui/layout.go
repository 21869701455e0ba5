package tui

import "github.com/iwb-dev/iwb/tui/page"

// The smallest window the workbench draws itself in.
const (
	MinWidth  = 80
	MinHeight = 24
)

// sideBySideWidth is the width from which two panes sit side by side; below
// it the second pane goes under the first.
const sideBySideWidth = 110

// Layout is where everything goes for one window size.
type Layout struct {
	Width, Height int
	TooSmall      bool
	Header        page.Rect // the tab bar
	Hints         page.Rect // the key hints of the view
	Status        page.Rect // connection, listener, counts, notice
	page.Area               // the body, and its two panes
}

// Compute lays out a window of w×h cells. It is a pure function so every size
// can be tested without a terminal.
func Compute(w, h int) Layout {
	l := Layout{Width: w, Height: h}
	if w < MinWidth || h < MinHeight {
		l.TooSmall = true
		return l
	}
	l.Header = page.Rect{X: 0, Y: 0, W: w, H: 1}
	l.Status = page.Rect{X: 0, Y: h - 1, W: w, H: 1}
	l.Hints = page.Rect{X: 0, Y: h - 2, W: w, H: 1}
	l.Body = page.Rect{X: 0, Y: 1, W: w, H: h - 3}
	b := l.Body
	if w >= sideBySideWidth {
		mainW := w * 53 / 100
		l.Main = page.Rect{X: b.X, Y: b.Y, W: mainW, H: b.H}
		l.Side = page.Rect{X: b.X + mainW, Y: b.Y, W: w - mainW, H: b.H}
		return l
	}
	l.Stacked = true
	mainH := b.H / 2
	l.Main = page.Rect{X: b.X, Y: b.Y, W: w, H: mainH}
	l.Side = page.Rect{X: b.X, Y: b.Y + mainH, W: w, H: b.H - mainH}
	return l
}
