package style

import (
	"strconv"

	"charm.land/bubbles/v2/textinput"
	"charm.land/huh/v2"
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

// InputStyles are the text inputs' styles for a dark or light background,
// with a steady cursor: a blinking one redraws the screen twice a second.
func InputStyles(dark bool) textinput.Styles {
	st := textinput.DefaultStyles(dark)
	st.Cursor.Blink = false
	return st
}

// FormTheme follows the workbench's idea of the background, which it learnt
// from the terminal, rather than letting huh guess on its own.
func FormTheme(th Theme) huh.Theme {
	if th.NoColor {
		return huh.ThemeFunc(huh.ThemeBase)
	}
	return huh.ThemeFunc(func(bool) *huh.Styles { return huh.ThemeCharm(th.Dark) })
}
