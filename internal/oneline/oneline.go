// Package oneline puts a message on one line of the terminal: the CLI's
// error line and the workbench's notes use the same function.
package oneline

import "strings"

// Of joins the words of s with single spaces, so line breaks and tabs in it
// (an API's answer, joined errors) cannot break the line. When max > 0 and
// the result is longer than max runes, it is cut to max runes and ends in "…".
func Of(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); max > 0 && len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
