package recipes

import (
	"testing"

	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/webhook"
)

// The editor's rows become the recipe's input: pills and text fields as
// written, other typed values by their JSON type, data fields by the
// project's types, empty rows left out.
func TestEditorRowsBecomeTheInput(t *testing.T) {
	e := newEditor([]webhook.Trigger{{Name: "clicks"}}, schema.ProjectFields{"plan": schema.DataString}, nil)
	e.name = " typed "
	e.conds = []condRow{{path: "dataFields.campaignId", op: "==", value: "7001"}, {}, {path: "email", op: "exists", value: "ignored"}}
	st := newStep("track-event")
	st.values["eventName"] = "42"
	st.values["email"] = "{{email}}"
	st.values["campaignId"] = "12"
	st.values["createNewFields"] = "true"
	st.data = []dataRow{{name: "plan", value: "7"}, {name: "count", value: "7"}, {name: "note", value: "clicked {{dataFields.url}}"}, {name: " ", value: "x"}}
	e.steps = []stepRow{st}
	r := e.recipe()
	if r.Name != "typed" || r.Trigger != "clicks" {
		t.Errorf("name %q trigger %q", r.Name, r.Trigger)
	}
	if len(r.When) != 2 || r.When[0].String() != "dataFields.campaignId == 7001" || r.When[1].String() != "email exists" {
		t.Errorf("conditions: %v", r.When)
	}
	want := `{"campaignId":12,"createNewFields":true,"dataFields":{"count":7,"note":"clicked {{dataFields.url}}","plan":"7"},"email":"{{email}}","eventName":"42"}`
	if got := string(r.Steps[0].Input); got != want {
		t.Errorf("input\n got %s\nwant %s", got, want)
	}
}

// ↑/↓ move by line, keeping the column on lines of several cells.
func TestEditorLinesAndCells(t *testing.T) {
	e := newEditor([]webhook.Trigger{{Name: "clicks"}}, nil, nil)
	e.conds = []condRow{{op: "=="}, {op: "=="}}
	cells, labels := e.cells()
	if labels[2] != "When 1" || labels[3] != "When 2" {
		t.Fatalf("labels: %q", labels)
	}
	value1 := 4 // Name, Trigger, then condition 1's path, op, value
	if c := cells[value1]; c.kind != cCondValue || c.row != 0 {
		t.Fatalf("cell %d is %+v", value1, c)
	}
	if got := lineStep(cells, value1, 1); cells[got].kind != cCondValue || cells[got].row != 1 {
		t.Errorf("down from condition 1's value: %+v", cells[got])
	}
	if got := lineStep(cells, value1, -1); cells[got].kind != cTrigger {
		t.Errorf("up from condition 1's value: %+v", cells[got])
	}
	e.remove(cells[value1])
	if len(e.conds) != 1 {
		t.Errorf("ctrl+x left %d conditions", len(e.conds))
	}
	// The one step cannot be removed: a recipe has at least one.
	for _, c := range cells {
		if c.kind == cAction {
			e.remove(c)
		}
	}
	if len(e.steps) != 1 {
		t.Errorf("the last step was removed")
	}
}
