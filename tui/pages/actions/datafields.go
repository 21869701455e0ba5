package actions

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/internal/oneline"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// fieldEditor is the data-fields builder: rows of name, type and value,
// checked against the project's fields as they are typed, with the
// dataFields object they make shown beside them. huh has no field for a
// growing list of typed rows, so it is a small component of its own.
type fieldEditor struct {
	rows    []schema.DataField
	project schema.ProjectFields
	// typed says the project's types apply (user fields); event and SMS
	// data fields are not the profile's.
	typed  bool
	cursor int // a row, or len(rows) for "+ add field", len(rows)+1 for "review"
	// serverErrs are Iterable's messages about fields, by dotted name.
	serverErrs map[string]string
	// fieldsErr says why the project's fields are unknown: nothing is
	// locked, and a clash shows only in Iterable's answer.
	fieldsErr error

	editing bool
	editRow int // the row being edited; len(rows) for a new one
	focus   int // 0 name, 1 type, 2 value
	name    textinput.Model
	value   textinput.Model
	typ     schema.DataType
	array   bool
}

// Outcomes of a key in the editor.
type editorResult int

const (
	editorStay   editorResult = iota
	editorReview              // the user asked for the review
	editorBack                // the user went back to the form
)

func newFieldEditor(rows []schema.DataField, project schema.ProjectFields, typed bool, dark bool) *fieldEditor {
	e := &fieldEditor{rows: slices.Clone(rows), typed: typed, serverErrs: map[string]string{}}
	e.name = textinput.New()
	e.name.Prompt = ""
	e.name.Placeholder = "name, e.g. address.city"
	e.name.ShowSuggestions = true
	e.setProject(project, nil)
	e.value = textinput.New()
	e.value.Prompt = ""
	e.value.Placeholder = "value"
	e.name.SetStyles(style.InputStyles(dark))
	e.value.SetStyles(style.InputStyles(dark))
	e.cursor = len(e.rows)
	return e
}

// setProject checks the rows against the project's fields as read now
// (err: they could not be read); event and SMS data fields take none.
func (e *fieldEditor) setProject(project schema.ProjectFields, err error) {
	if !e.typed {
		project = nil
	}
	e.project, e.fieldsErr = project, err
	names := make([]string, 0, len(project))
	for n := range project {
		names = append(names, n)
	}
	sort.Strings(names)
	e.name.SetSuggestions(names)
}

// state is how one row stands against the project.
func (e *fieldEditor) state(f schema.DataField) schema.FieldState {
	st := e.project.Check(f)
	if !e.typed || e.fieldsErr != nil {
		st.New, st.Warning = false, "" // unknown, not new
	}
	return st
}

// build is the dataFields object, or the rows' errors.
func (e *fieldEditor) build() (map[string]any, error) {
	data, err := schema.BuildDataFields(e.rows, e.project)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, nil
	}
	return data, nil
}

// rowTypes are the types a new row may take.
var rowTypes = append(slices.Clone(schema.DataTypes), schema.DataGeoLocation)

func (e *fieldEditor) startEdit(i int) tea.Cmd {
	e.editing, e.editRow, e.focus = true, i, 0
	e.typ, e.array = schema.DataString, false
	e.name.SetValue("")
	e.value.SetValue("")
	if i < len(e.rows) {
		r := e.rows[i]
		e.name.SetValue(r.Name)
		e.value.SetValue(r.Text)
		e.typ, e.array = cmpOrType(r.Type), r.Array
		e.focus = 2
		e.value.CursorEnd()
		e.name.Blur()
		return e.value.Focus()
	}
	e.value.Blur()
	return e.name.Focus()
}

func cmpOrType(t schema.DataType) schema.DataType {
	if t == "" {
		return schema.DataString
	}
	return t
}

// locked says the project has the name being typed: its type is fixed.
func (e *fieldEditor) locked() (schema.DataType, bool) {
	t, ok := e.project[strings.TrimSpace(e.name.Value())]
	return t, ok
}

func (e *fieldEditor) commit() {
	row := schema.DataField{Name: strings.TrimSpace(e.name.Value()), Type: e.typ, Array: e.array, Text: e.value.Value()}
	if t, ok := e.locked(); ok {
		row.Type = t
	}
	delete(e.serverErrs, row.Name)
	if e.editRow < len(e.rows) {
		delete(e.serverErrs, e.rows[e.editRow].Name)
		e.rows[e.editRow] = row
		e.cursor = e.editRow
	} else {
		e.rows = append(e.rows, row)
		e.cursor = len(e.rows) // straight on to the next field
	}
	e.editing = false
	e.name.Blur()
	e.value.Blur()
}

func (e *fieldEditor) setFocus(f int) tea.Cmd {
	e.focus = (f + 3) % 3
	e.name.Blur()
	e.value.Blur()
	switch e.focus {
	case 0:
		return e.name.Focus()
	case 2:
		return e.value.Focus()
	}
	return nil
}

// key takes one key press; k is the workbench's KeyMap.
func (e *fieldEditor) key(k Keys, msg tea.KeyPressMsg) (tea.Cmd, editorResult) {
	if e.editing {
		return e.editKey(msg), editorStay
	}
	switch {
	case page.Matches(msg, k.Up):
		e.cursor = max(e.cursor-1, 0)
	case page.Matches(msg, k.Down):
		e.cursor = min(e.cursor+1, len(e.rows)+1)
	case page.Matches(msg, k.Open):
		if e.cursor == len(e.rows)+1 {
			return nil, editorReview
		}
		return e.startEdit(e.cursor), editorStay
	case page.Matches(msg, k.AddDataField):
		return e.startEdit(len(e.rows)), editorStay
	case page.Matches(msg, k.RemoveDataField):
		if e.cursor < len(e.rows) {
			delete(e.serverErrs, e.rows[e.cursor].Name)
			e.rows = slices.Delete(e.rows, e.cursor, e.cursor+1)
		}
	case page.Matches(msg, k.NextPane):
		e.cursor = len(e.rows) + 1
	case page.Matches(msg, k.PrevPane):
		return nil, editorBack
	}
	return nil, editorStay
}

func (e *fieldEditor) editKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		e.editing = false
		e.name.Blur()
		e.value.Blur()
		return nil
	case "enter":
		if e.focus == 0 && strings.TrimSpace(e.name.Value()) == "" {
			return nil
		}
		if e.focus < 2 {
			return e.setFocus(2)
		}
		e.commit()
		return nil
	case "tab":
		// On the name, tab first takes the completion offered.
		if e.focus == 0 {
			if s := e.name.CurrentSuggestion(); s != "" && s != e.name.Value() {
				var cmd tea.Cmd
				e.name, cmd = e.name.Update(msg)
				return cmd
			}
		}
		return e.setFocus(e.focus + 1)
	case "shift+tab":
		return e.setFocus(e.focus - 1)
	}
	if e.focus == 1 {
		if _, ok := e.locked(); ok {
			return nil
		}
		i := slices.Index(rowTypes, e.typ)
		switch msg.String() {
		case "left", "h":
			e.typ = rowTypes[(i-1+len(rowTypes))%len(rowTypes)]
		case "right", "l", "space":
			e.typ = rowTypes[(i+1)%len(rowTypes)]
		case "[":
			e.array = !e.array
		}
		return nil
	}
	var cmd tea.Cmd
	if e.focus == 0 {
		e.name, cmd = e.name.Update(msg)
	} else {
		e.value, cmd = e.value.Update(msg)
	}
	return cmd
}

// update passes other messages (cursor blinks, pastes) to the input in focus.
func (e *fieldEditor) update(msg tea.Msg) tea.Cmd {
	if !e.editing {
		return nil
	}
	var cmd tea.Cmd
	switch e.focus {
	case 0:
		e.name, cmd = e.name.Update(msg)
	case 2:
		e.value, cmd = e.value.Update(msg)
	}
	return cmd
}

func typeLabel(t schema.DataType, array bool) string {
	if array {
		return "[" + string(t) + "]"
	}
	return string(t)
}

// view draws the builder in w×h cells: the rows on the left, the preview
// on the right when there is room, below otherwise.
func (e *fieldEditor) view(th style.Theme, w, h int) []string {
	nameW := 12
	for _, r := range e.rows {
		nameW = max(nameW, ansi.StringWidth(r.Name)+1)
	}
	nameW = min(nameW, 22)
	previewW := 0
	if w >= 70 {
		previewW = w / 3
	}
	leftW := w - previewW
	var left []string
	left = append(left, " "+th.Title.Render("Data fields"))
	var notes []string
	// Each row's problem, a clash with another row among them, goes right
	// under the row; it goes when the row is fixed.
	data, rowErrs := schema.CheckDataFields(e.rows, e.project)
	for i, r := range e.rows {
		st := e.state(r)
		mark := ""
		switch {
		case st.Locked:
			mark = th.Muted.Render("(project)") + " "
		case st.New:
			mark = th.Warn.Render("new field ⚠") + " "
		}
		problem := rowErrs[i]
		if msg := e.serverErrs[r.Name]; msg != "" {
			problem = fmt.Errorf("%s: %s", r.Name, msg)
		}
		if problem != nil {
			mark += th.Error.Render("✗")
		}
		line := style.Fit(termtext.Line(r.Name), nameW) + " " + style.Fit(typeLabel(st.Type, r.Array), 9) + " " + style.Fit(termtext.Line(r.Text), max(leftW-nameW-28, 6)) + " " + mark
		left = append(left, e.cursorLine(th, i, line, leftW))
		if problem != nil {
			// Wrapped, not cut: the reason is the point.
			for j, l := range strings.Split(ansi.Wrap(termtext.Line(problem.Error()), max(leftW-8, 20), " "), "\n") {
				mark := "✗ "
				if j > 0 {
					mark = "  "
				}
				left = append(left, "    "+th.Error.Render(mark+l))
			}
		} else if st.Warning != "" {
			notes = append(notes, " "+th.Warn.Render("⚠ "+termtext.Line(st.Warning)))
		}
	}
	if e.editing {
		left = append(left, e.editLines(th, leftW)...)
	}
	left = append(left, e.cursorLine(th, len(e.rows), th.Accent.Render("+ add field"), leftW))
	left = append(left, e.cursorLine(th, len(e.rows)+1, th.Accent.Render("▸ review the request"), leftW))
	var preview []string
	switch {
	case slices.ContainsFunc(rowErrs, func(err error) bool { return err != nil }):
		preview = []string{th.Muted.Render("preview (fix the ✗ rows)")}
	default:
		b, _ := json.Marshal(data)
		preview = append([]string{th.Muted.Render("preview")}, style.JSONLines(th, b, termtext.Line)...)
	}
	var lines []string
	if previewW > 0 {
		for i := range max(len(left), len(preview)) {
			var l, p string
			if i < len(left) {
				l = left[i]
			}
			if i < len(preview) {
				p = preview[i]
			}
			lines = append(lines, style.Fit(l, leftW)+style.Fit(" "+p, previewW))
		}
	} else {
		lines = append(left, "")
		lines = append(lines, preview...)
	}
	// The notes stay in view at the bottom: one line per row that needs one.
	if e.typed && e.fieldsErr != nil {
		notes = append(notes, " "+th.Warn.Render("⚠ types are not checked before sending: the project's fields could not be read ("+oneline.Of(e.fieldsErr.Error(), 80)+")"))
	}
	room := h - len(notes) - 1
	if len(lines) > room {
		lines = lines[:max(room, 0)]
	}
	for len(lines) < room {
		lines = append(lines, "")
	}
	lines = append(lines, "")
	lines = append(lines, notes...)
	if len(lines) > h {
		lines = lines[:h]
	}
	return lines
}

func (e *fieldEditor) cursorLine(th style.Theme, i int, line string, w int) string {
	if !e.editing && e.cursor == i {
		return th.Selected.Render("▶ " + ansi.Strip(style.Fit(line, w-2)))
	}
	return "  " + line
}

// editLines are the inputs of the row being edited.
func (e *fieldEditor) editLines(th style.Theme, w int) []string {
	// The input in focus is marked with > as well as by colour.
	label := func(i int, s string) string {
		if e.focus == i {
			return "  > " + th.Accent.Render(s)
		}
		return "    " + th.Muted.Render(s)
	}
	typeText := "‹ " + typeLabel(e.typ, e.array) + " ›"
	if t, ok := e.locked(); ok {
		typeText = typeLabel(t, e.array) + " (the project's, locked)"
	}
	e.name.SetWidth(max(w-12, 10))
	e.value.SetWidth(max(w-12, 10))
	what := "new field"
	if e.editRow < len(e.rows) {
		what = "editing " + e.rows[e.editRow].Name
	}
	return []string{
		"  " + th.Title.Render(what) + th.Muted.Render("  tab next · enter save · esc cancel"),
		label(0, style.Fit("name", 6)) + e.name.View(),
		label(1, style.Fit("type", 6)) + typeText + th.Muted.Render("  ←/→ change · [ list"),
		label(2, style.Fit("value", 6)) + e.value.View(),
	}
}
