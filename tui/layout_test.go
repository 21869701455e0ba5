package tui

import "testing"

func TestComputeCoversTheWindowWithoutOverlap(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {120, 40}, {109, 30}, {110, 30}, {250, 80}} {
		w, h := size[0], size[1]
		l := Compute(w, h)
		if l.TooSmall {
			t.Fatalf("%dx%d: too small", w, h)
		}
		rows := l.Header.H + l.Body.H + l.Hints.H + l.Status.H
		if rows != h {
			t.Errorf("%dx%d: rows add up to %d", w, h, rows)
		}
		if l.Status.Y != h-1 || l.Hints.Y != h-2 || l.Body.Y != 1 {
			t.Errorf("%dx%d: bands misplaced: %+v", w, h, l)
		}
		if l.Stacked {
			if l.Main.H+l.Side.H != l.Body.H || l.Side.Y != l.Main.Y+l.Main.H || l.Main.W != w || l.Side.W != w {
				t.Errorf("%dx%d stacked panes do not tile the body: %+v %+v", w, h, l.Main, l.Side)
			}
		} else {
			if l.Main.W+l.Side.W != w || l.Side.X != l.Main.X+l.Main.W || l.Main.H != l.Body.H {
				t.Errorf("%dx%d side panes do not tile the body: %+v %+v", w, h, l.Main, l.Side)
			}
		}
	}
}

func TestComputeStacksBelowSideBySideWidth(t *testing.T) {
	t.Parallel()
	if !Compute(80, 24).Stacked {
		t.Error("80x24 should put the detail under the list")
	}
	if Compute(120, 40).Stacked {
		t.Error("120x40 should put the detail beside the list")
	}
}

func TestComputeTooSmall(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{79, 24}, {80, 23}, {0, 0}, {40, 10}} {
		if !Compute(size[0], size[1]).TooSmall {
			t.Errorf("%v should be too small", size)
		}
	}
}
