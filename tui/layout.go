package tui

// Rect is a region of the screen in cells.
type Rect struct{ X, Y, W, H int }

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
	Header        Rect // the tab bar
	Body          Rect // the page
	Hints         Rect // the key hints of the view
	Status        Rect // connection, listener, counts, notice
	// Main and Side split the body into two panes (list and detail); Stacked
	// says Side is under Main rather than beside it.
	Main, Side Rect
	Stacked    bool
}

// Compute lays out a window of w×h cells. It is a pure function so every size
// can be tested without a terminal.
func Compute(w, h int) Layout {
	l := Layout{Width: w, Height: h}
	if w < MinWidth || h < MinHeight {
		l.TooSmall = true
		return l
	}
	l.Header = Rect{0, 0, w, 1}
	l.Status = Rect{0, h - 1, w, 1}
	l.Hints = Rect{0, h - 2, w, 1}
	l.Body = Rect{0, 1, w, h - 3}
	b := l.Body
	if w >= sideBySideWidth {
		mainW := w * 53 / 100
		l.Main = Rect{b.X, b.Y, mainW, b.H}
		l.Side = Rect{b.X + mainW, b.Y, w - mainW, b.H}
		return l
	}
	l.Stacked = true
	mainH := b.H / 2
	l.Main = Rect{b.X, b.Y, w, mainH}
	l.Side = Rect{b.X, b.Y + mainH, w, b.H - mainH}
	return l
}
