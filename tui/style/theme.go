// Package style is how the workbench draws: the theme, and the helpers that cut,
// pad, frame and place styled lines so that every line of the screen is exactly
// its width.
package style

import (
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"
)

// Theme holds every style the workbench draws with: one accent, muted greys,
// and colour only where it carries meaning (kind, status, errors).
type Theme struct {
	Dark    bool
	NoColor bool

	Accent, Muted, Bold            lipgloss.Style
	TabActive, TabInactive         lipgloss.Style
	BorderFocused, BorderBlurred   lipgloss.Style
	Title                          lipgloss.Style
	Selected                       lipgloss.Style
	System, Workflow, Unknown      lipgloss.Style
	OK, Warn, Error                lipgloss.Style
	JSONKey, JSONString, JSONOther lipgloss.Style
	JSONNull                       lipgloss.Style
	Key                            lipgloss.Style // a key in hints and help
}

// NewTheme builds the styles for a dark or light background; noColor keeps
// only attributes (bold, reverse) so everything reads without colour.
func NewTheme(dark, noColor bool) Theme {
	t := Theme{Dark: dark, NoColor: noColor}
	s := lipgloss.NewStyle
	if noColor {
		t.Accent, t.Muted, t.Bold = s().Bold(true), s(), s().Bold(true)
		t.TabActive, t.TabInactive = s().Reverse(true), s()
		t.BorderFocused, t.BorderBlurred = s(), s()
		t.Title = s().Bold(true)
		t.Selected = s().Reverse(true)
		t.System, t.Workflow, t.Unknown = s(), s(), s()
		t.OK, t.Warn, t.Error = s(), s(), s().Bold(true)
		t.JSONKey, t.JSONString, t.JSONOther, t.JSONNull = s(), s(), s(), s()
		t.Key = s().Bold(true)
		return t
	}
	ld := lipgloss.LightDark(dark)
	c := func(light, darkHex string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(darkHex)) }
	accent := c("#5A3FD9", "#9D8CFF")
	muted := c("#77767B", "#8A8A93")
	faint := c("#C9C8CE", "#45454D")
	text := c("#1F1F24", "#E6E6EA")
	t.Accent = s().Foreground(accent).Bold(true)
	t.Muted = s().Foreground(muted)
	t.Bold = s().Foreground(text).Bold(true)
	t.TabActive = s().Foreground(c("#FFFFFF", "#15151A")).Background(accent).Bold(true)
	t.TabInactive = s().Foreground(muted)
	t.BorderFocused = s().Foreground(accent)
	t.BorderBlurred = s().Foreground(faint)
	t.Title = s().Foreground(text).Bold(true)
	t.Selected = s().Background(c("#E7E3FF", "#2E2A4A")).Foreground(text)
	t.System = s().Foreground(c("#1F6FB2", "#6CB6FF"))
	t.Workflow = s().Foreground(c("#8A4FBF", "#D2A8FF"))
	t.Unknown = s().Foreground(muted)
	t.OK = s().Foreground(c("#1A7F37", "#56D364"))
	t.Warn = s().Foreground(c("#9A6700", "#E3B341"))
	t.Error = s().Foreground(c("#CF222E", "#FF7B72")).Bold(true)
	t.JSONKey = s().Foreground(c("#1F6FB2", "#79C0FF"))
	t.JSONString = s().Foreground(c("#0A6B3D", "#A5D6A7"))
	t.JSONOther = s().Foreground(c("#9A4A00", "#FFA657"))
	t.JSONNull = s().Foreground(muted)
	t.Key = s().Foreground(accent).Bold(true)
	return t
}

// KindStyle is the colour of an event kind.
func (t Theme) KindStyle(kind string) lipgloss.Style {
	switch kind {
	case "system":
		return t.System
	case "workflow":
		return t.Workflow
	default:
		return t.Unknown
	}
}

// Tab draws a tab's label (" 2 Actions ") in the tab bar. Without colour
// the tab in view is bracketed, "[2 Actions]", as well as reversed, so that
// it reads in text.
func (t Theme) Tab(label string, active bool) string {
	if !active {
		return t.TabInactive.Render(label)
	}
	if t.NoColor {
		label = "[" + strings.TrimSpace(label) + "]"
	}
	return t.TabActive.Render(label)
}
