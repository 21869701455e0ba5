package style

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Fit cuts a styled string to exactly w cells: truncated with an ellipsis when
// longer, padded with spaces when shorter. Every line of the screen goes
// through it, so nothing ever wraps.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// Spread puts left at the start and right at the end of a w-cell line; the
// left part gives way first.
func Spread(left, right string, w int) string {
	rw := ansi.StringWidth(right)
	if rw >= w {
		return Fit(right, w)
	}
	return Fit(left, w-rw) + right
}

// Box draws a pane of exactly r.W×r.H cells: a border with the title on its
// top edge (and right on the top right), and the lines inside, cut to fit.
func Box(th Theme, w, h int, title, right string, lines []string, focused bool) []string {
	if w < 4 || h < 2 {
		return Blank(w, h)
	}
	bs := th.BorderBlurred
	if focused {
		bs = th.BorderFocused
	}
	// Without colour a pane out of focus is drawn dashed, so which pane
	// has the keys reads in text.
	hz, vt := "─", "│"
	if th.NoColor && !focused {
		hz, vt = "╌", "╎"
	}
	inner := w - 2
	top := "┌"
	if title != "" {
		top += " " + th.Title.Render(title) + " "
	}
	if right != "" {
		rightPart := " " + right + " "
		gap := inner + 1 - ansi.StringWidth(top) - ansi.StringWidth(rightPart)
		if gap >= 1 {
			top += bs.Render(strings.Repeat(hz, gap)) + rightPart
		}
	}
	tw := ansi.StringWidth(top)
	if tw > w-1 {
		top = ansi.Truncate(top, w-1, "…")
		tw = ansi.StringWidth(top)
	}
	top = bs.Render("┌") + ansi.Cut(top, 1, tw) + bs.Render(strings.Repeat(hz, w-1-tw)+"┐")
	out := make([]string, 0, h)
	out = append(out, top)
	side := bs.Render(vt)
	for i := 0; i < h-2; i++ {
		var l string
		if i < len(lines) {
			l = lines[i]
		}
		out = append(out, side+Fit(l, inner)+side)
	}
	out = append(out, bs.Render("└"+strings.Repeat(hz, inner)+"┘"))
	return out
}

// Blank is h lines of w spaces.
func Blank(w, h int) []string {
	out := make([]string, max(h, 0))
	for i := range out {
		out[i] = strings.Repeat(" ", max(w, 0))
	}
	return out
}

// Beside joins two columns of lines of the same height.
func Beside(a, b []string) []string {
	out := make([]string, max(len(a), len(b)))
	for i := range out {
		if i < len(a) {
			out[i] = a[i]
		}
		if i < len(b) {
			out[i] += b[i]
		}
	}
	return out
}

// DrawOver draws the lines of a dialog centred over a background of w-cell
// lines, keeping what is left and right of it.
func DrawOver(bg []string, dialog []string, w int) []string {
	if len(dialog) == 0 {
		return bg
	}
	dw := ansi.StringWidth(dialog[0])
	x := max((w-dw)/2, 0)
	y := max((len(bg)-len(dialog))/2, 0)
	out := append([]string(nil), bg...)
	for i, d := range dialog {
		if y+i >= len(out) {
			break
		}
		line := Fit(out[y+i], w)
		out[y+i] = ansi.Cut(line, 0, x) + d + ansi.Cut(line, x+dw, w)
	}
	return out
}

// Centered places a few lines in the middle of a w×h area.
func Centered(w, h int, s string) []string {
	return strings.Split(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, s), "\n")
}
