package actions

import (
	"fmt"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// benchRows are n data fields of every type, some nested.
func benchRows(n int) ([]schema.DataField, schema.ProjectFields) {
	project := schema.ProjectFields{}
	var rows []schema.DataField
	for i := range n {
		switch i % 4 {
		case 0:
			rows = append(rows, schema.DataField{Name: fmt.Sprintf("f%d", i), Type: schema.DataString, Text: "some text"})
		case 1:
			name := fmt.Sprintf("n%d", i)
			project[name] = schema.DataLong
			rows = append(rows, schema.DataField{Name: name, Text: "42"})
		case 2:
			rows = append(rows, schema.DataField{Name: fmt.Sprintf("address%d.city", i), Type: schema.DataString, Text: "Oslo"})
		case 3:
			rows = append(rows, schema.DataField{Name: fmt.Sprintf("d%d", i), Type: schema.DataDate, Text: "2026-11-27 10:00"})
		}
	}
	return rows, project
}

// BenchmarkFieldEditorView is one frame of the builder with 200 fields: the
// rows checked against the project and the live preview, at 120 columns.
func BenchmarkFieldEditorView(b *testing.B) {
	rows, project := benchRows(200)
	e := newFieldEditor(rows, project, true, true)
	th := style.NewTheme(true, true)
	b.ReportAllocs()
	for b.Loop() {
		e.view(th, 85, 35)
	}
}

// BenchmarkActionsTabRender is one full frame of the Actions tab with the
// Upsert user builder open on 50 fields, at 120×40.
func BenchmarkActionsTabRender(b *testing.B) {
	rows, project := benchRows(50)
	th := style.NewTheme(true, true)
	p := New(nil, nil, "", page.DefaultKeys(), th, time.Now)
	area := page.Area{Body: page.Rect{Y: 1, W: 120, H: 37}}
	p.Update(page.ResizeMsg{Area: area})
	upsert, _ := client.LookupAction("upsert-user")
	p.stage = stageFields
	p.run = &run{action: upsert, values: newFormValues(), editor: newFieldEditor(rows, project, true, true)}
	b.ReportAllocs()
	for b.Loop() {
		p.View(area)
	}
}
