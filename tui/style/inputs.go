package style

import (
	"math"
	"strconv"

	"charm.land/bubbles/v2/textinput"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
)

// Thousands writes n with thousands separators, as counts are shown.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + Thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// byteUnits are the binary units Bytes writes, largest first.
var byteUnits = []struct {
	name string
	n    int64
}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}}

// Bytes writes a size with one decimal at most, e.g. 2GB or 1.4MB.
func Bytes(n int64) string {
	for _, u := range byteUnits {
		if n >= u.n {
			return strconv.FormatFloat(math.Round(float64(n)*10/float64(u.n))/10, 'f', -1, 64) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// InputStyles are the text inputs' styles for a dark or light background,
// with a steady cursor: a blinking one redraws the screen twice a second.
func InputStyles(dark bool) textinput.Styles {
	st := textinput.DefaultStyles(dark)
	st.Cursor.Blink = false
	return st
}

// FormTheme follows the workbench's idea of the background, which it learnt
// from the terminal, rather than letting huh guess on its own. Without
// colour every choice reads in text.
func FormTheme(th Theme) huh.Theme {
	if th.NoColor {
		return huh.ThemeFunc(func(bool) *huh.Styles { return plainForm() })
	}
	return huh.ThemeFunc(func(bool) *huh.Styles { return huh.ThemeCharm(th.Dark) })
}

// plainForm is huh's base theme with text marks where it relies on colour:
// a yes/no shows "(•) yes  ( ) no" rather than two buttons told apart by
// their background, a multi-select ticks with [x], the focused field keeps
// its ┃ and a select its >.
func plainForm() *huh.Styles {
	t := huh.ThemeBase(true)
	s := lipgloss.NewStyle
	for _, f := range []*huh.FieldStyles{&t.Focused, &t.Blurred} {
		f.FocusedButton = s().Bold(true).MarginRight(2).SetString("(•)")
		f.BlurredButton = s().MarginRight(2).SetString("( )")
		f.Next = f.FocusedButton
		f.SelectedPrefix = s().SetString("[x] ")
		f.UnselectedPrefix = s().SetString("[ ] ")
		f.ErrorIndicator = s().SetString(" ✗")
		f.ErrorMessage = s().SetString("✗")
		f.TextInput.Placeholder = s()
		f.Title = s().Bold(true)
	}
	t.Group.Title = t.Focused.Title
	return t
}
