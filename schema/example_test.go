package schema_test

import (
	"encoding/json"
	"fmt"

	"github.com/iwb-dev/iwb/schema"
)

// The wizard's flow: infer from an event, show the diff against the current
// schema, then keep the widened schema.
func ExampleWiden() {
	current := schema.Schema{
		{Name: "email", Type: schema.String},
		{Name: "dataFields", Type: schema.Object, Properties: schema.Schema{
			{Name: "campaignId", Type: schema.Integer},
			{Name: "workflowId", Type: schema.Unknown, Optional: true},
		}},
	}
	event := []byte(`{"email":"ana@acme.io","dataFields":{"campaignId":51234,"workflowId":60102,"locale":"nb-NO"}}`)
	widened, err := schema.Widen(current, event)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range schema.Diff(current, widened.Schema) {
		fmt.Println(c)
	}
	// Output:
	// ~ dataFields.workflowId: type unknown → integer
	// + dataFields.locale string optional
}

func ExampleBuildDataFields() {
	project := schema.ProjectFields{"age": schema.DataLong, "email": schema.DataString}
	rows := []schema.DataField{
		{Name: "age", Text: "42"},
		{Name: "vip", Type: schema.DataBoolean, Text: "yes"},
		{Name: "address.city", Type: schema.DataString, Text: "Oslo"},
	}
	for _, r := range rows {
		if st := project.Check(r); st.New {
			fmt.Println("⚠", st.Warning)
		}
	}
	fields, err := schema.BuildDataFields(rows, project)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(fields)
	fmt.Println(string(out))
	// Output:
	// ⚠ vip is new: its first value fixes its type for the whole project
	// ⚠ address.city is new: its first value fixes its type for the whole project
	// {"address":{"city":"Oslo"},"age":42,"vip":true}
}
