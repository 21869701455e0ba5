package style

import (
	"math"
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
// from the terminal, rather than letting huh guess on its own.
func FormTheme(th Theme) huh.Theme {
	if th.NoColor {
		return huh.ThemeFunc(huh.ThemeBase)
	}
	return huh.ThemeFunc(func(bool) *huh.Styles { return huh.ThemeCharm(th.Dark) })
}
