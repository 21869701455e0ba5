package schema

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func designerSchema() Schema {
	return Schema{
		{Name: "email", Type: String},
		{Name: "dataFields", Type: Object, Properties: Schema{
			{Name: "campaignId", Type: Integer},
			{Name: "createdAt", Type: DateTime},
			{Name: "workflowId", Type: Unknown, Optional: true},
		}},
		{Name: "items", Type: Array, Of: Object, Properties: Schema{{Name: "id", Type: Integer}}},
	}
}

func TestEdits(t *testing.T) {
	tests := []struct {
		name string
		edit func(Schema) (Schema, error)
		want []string
	}{
		{"add at top", func(s Schema) (Schema, error) { return s.Add(nil, Field{Name: "userId", Type: String, Optional: true}) },
			[]string{"email string", "dataFields object", "dataFields.campaignId integer", "dataFields.createdAt date_time",
				"dataFields.workflowId unknown optional", "items array of object", "items.id integer", "userId string optional manual"}},
		{"add into an array of objects", func(s Schema) (Schema, error) { return s.Add(Path{"items"}, Field{Name: "qty", Type: Integer}) },
			[]string{"email string", "dataFields object", "dataFields.campaignId integer", "dataFields.createdAt date_time",
				"dataFields.workflowId unknown optional", "items array of object", "items.id integer", "items.qty integer manual"}},
		{"rename", func(s Schema) (Schema, error) { return s.Rename(Path{"dataFields", "createdAt"}, "created at") },
			[]string{"email string", "dataFields object", "dataFields.campaignId integer", "dataFields.created at date_time",
				"dataFields.workflowId unknown optional", "items array of object", "items.id integer"}},
		{"delete an object with its fields", func(s Schema) (Schema, error) { return s.Delete(Path{"dataFields"}) },
			[]string{"email string", "items array of object", "items.id integer"}},
		{"move up", func(s Schema) (Schema, error) { return s.MoveUp(Path{"dataFields", "workflowId"}) },
			[]string{"email string", "dataFields object", "dataFields.campaignId integer", "dataFields.workflowId unknown optional",
				"dataFields.createdAt date_time", "items array of object", "items.id integer"}},
		{"move down", func(s Schema) (Schema, error) { return s.MoveDown(Path{"email"}) },
			[]string{"dataFields object", "dataFields.campaignId integer", "dataFields.createdAt date_time",
				"dataFields.workflowId unknown optional", "email string", "items array of object", "items.id integer"}},
		{"settle an unknown type", func(s Schema) (Schema, error) { return s.SetType(Path{"dataFields", "workflowId"}, Integer, "") },
			[]string{"email string", "dataFields object", "dataFields.campaignId integer", "dataFields.createdAt date_time",
				"dataFields.workflowId integer optional manual", "items array of object", "items.id integer"}},
		{"object to array of objects keeps fields", func(s Schema) (Schema, error) { return s.SetType(Path{"dataFields"}, Array, Object) },
			[]string{"email string", "dataFields array of object manual", "dataFields.campaignId integer", "dataFields.createdAt date_time",
				"dataFields.workflowId unknown optional", "items array of object", "items.id integer"}},
		{"array of objects to array of strings drops fields", func(s Schema) (Schema, error) { return s.SetType(Path{"items"}, Array, String) },
			[]string{"email string", "dataFields object", "dataFields.campaignId integer", "dataFields.createdAt date_time",
				"dataFields.workflowId unknown optional", "items array of string manual"}},
		{"toggle optional", func(s Schema) (Schema, error) { return s.ToggleOptional(Path{"email"}) },
			[]string{"email string optional", "dataFields object", "dataFields.campaignId integer", "dataFields.createdAt date_time",
				"dataFields.workflowId unknown optional", "items array of object", "items.id integer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := designerSchema()
			got, err := tt.edit(before)
			if err != nil {
				t.Fatal(err)
			}
			if g := flatten(got); !slices.Equal(g, tt.want) {
				t.Errorf("got  %q\nwant %q", g, tt.want)
			}
			if !reflect.DeepEqual(before, designerSchema()) {
				t.Error("the edit changed the schema it was called on")
			}
		})
	}
}

func TestSetLabelAndHint(t *testing.T) {
	s, err := designerSchema().SetLabel(Path{"dataFields", "campaignId"}, "Campaign")
	if err != nil {
		t.Fatal(err)
	}
	if s, err = s.SetHint(Path{"dataFields", "campaignId"}, "the id in Iterable"); err != nil {
		t.Fatal(err)
	}
	f, ok := s.Find(Path{"dataFields", "campaignId"})
	if !ok || f.Label != "Campaign" || f.Hint != "the id in Iterable" {
		t.Errorf("got %+v", f)
	}
}

func TestEditErrors(t *testing.T) {
	s := designerSchema()
	tests := []struct {
		name string
		edit func() (Schema, error)
		is   error
		msg  string
	}{
		{"duplicate on add", func() (Schema, error) { return s.Add(Path{"dataFields"}, Field{Name: "campaignId", Type: String}) },
			ErrDuplicateName, "dataFields.campaignId: another field at this level has that name"},
		{"duplicate on rename", func() (Schema, error) { return s.Rename(Path{"dataFields", "createdAt"}, "campaignId") },
			ErrDuplicateName, `dataFields.createdAt: "campaignId": another field at this level has that name`},
		{"empty name on add", func() (Schema, error) { return s.Add(nil, Field{Type: String}) }, ErrEmptyName, "a field needs a name"},
		{"empty name on rename", func() (Schema, error) { return s.Rename(Path{"email"}, "") }, ErrEmptyName, "email: a field needs a name"},
		{"array without of", func() (Schema, error) { return s.SetType(Path{"email"}, Array, "") }, ErrArrayWithout, "email: an array needs"},
		{"array without of on add", func() (Schema, error) { return s.Add(nil, Field{Name: "l", Type: Array}) }, ErrArrayWithout, "l: an array needs"},
		{"unknown type", func() (Schema, error) { return s.SetType(Path{"email"}, "text", "") }, nil, `email: unknown type "text"`},
		{"no such field", func() (Schema, error) { return s.Delete(Path{"dataFields", "nope"}) }, ErrNoField, "dataFields.nope: no such field"},
		{"no such parent", func() (Schema, error) { return s.Add(Path{"nope"}, Field{Name: "x", Type: String}) }, ErrNoField, "nope: no such field"},
		{"parent holds no fields", func() (Schema, error) { return s.Add(Path{"email"}, Field{Name: "x", Type: String}) }, nil,
			"email: a field of type string holds no fields"},
		{"first cannot move up", func() (Schema, error) { return s.MoveUp(Path{"email"}) }, ErrAtEdge, "email: the field cannot move"},
		{"last cannot move down", func() (Schema, error) { return s.MoveDown(Path{"items"}) }, ErrAtEdge, "items: the field cannot move"},
		{"empty path", func() (Schema, error) { return s.Delete(nil) }, ErrNoField, "no such field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.edit()
			if err == nil {
				t.Fatalf("no error; got %q", flatten(got))
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if !strings.HasPrefix(err.Error(), tt.msg) {
				t.Errorf("error %q, want it to contain %q", err, tt.msg)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	current := designerSchema()
	inferred := mustInfer(t,
		`{"email":"a@acme.io","dataFields":{"campaignId":1.5,"createdAt":"2026-11-27 10:42:07 +00:00","workflowId":60102,"locale":"en"}}`,
		`{"email":"b@acme.io","dataFields":{"campaignId":2,"createdAt":"2026-11-27 10:42:08 +00:00","workflowId":60102}}`,
	).Schema
	var got []string
	for _, c := range Diff(current, inferred) {
		got = append(got, c.String())
	}
	want := []string{
		"~ dataFields.campaignId: type integer → number",
		"~ dataFields.workflowId: type unknown → integer, now required",
		"+ dataFields.locale string optional",
		"- items array of object",
	}
	if !slices.Equal(got, want) {
		t.Errorf("diff\n got %q\nwant %q", got, want)
	}
	if d := Diff(current, current.Clone()); len(d) != 0 {
		t.Errorf("a schema differs from its copy: %v", d)
	}
	relabelled, _ := current.SetLabel(Path{"email"}, "Email")
	relabelled, _ = relabelled.SetType(Path{"dataFields", "workflowId"}, Unknown, "")
	got = nil
	for _, c := range Diff(current, relabelled) {
		got = append(got, c.String())
	}
	want = []string{`~ email: label "" → "Email"`, "~ dataFields.workflowId: type now set by hand"}
	if !slices.Equal(got, want) {
		t.Errorf("diff\n got %q\nwant %q", got, want)
	}
}
