package schema

import (
	"reflect"
	"testing"
)

func TestFieldWarningAndTypeName(t *testing.T) {
	tests := []struct {
		f        Field
		typeName string
		warning  string
	}{
		{Field{Type: Integer}, "integer", ""},
		{Field{Type: Array, Of: String}, "array of string", ""},
		{Field{Type: Unknown}, "unknown", "unknown type, only nulls seen"},
		{Field{Type: Unknown, Seen: []Type{String, Object}}, "unknown", "conflict: seen as string and object; choose its type"},
		{Field{Type: Array, Of: Unknown}, "array of unknown", "unknown item type, only empty arrays seen"},
		{Field{Type: Array, Of: Unknown, Seen: []Type{Boolean, Integer, String}}, "array of unknown",
			"conflict: items seen as boolean, integer and string; choose their type"},
	}
	for _, tt := range tests {
		if got := tt.f.TypeName(); got != tt.typeName {
			t.Errorf("TypeName(%+v) = %q, want %q", tt.f, got, tt.typeName)
		}
		if got := tt.f.Warning(); got != tt.warning {
			t.Errorf("Warning(%+v) = %q, want %q", tt.f, got, tt.warning)
		}
	}
}

func TestPathsAndFind(t *testing.T) {
	s := designerSchema()
	if p := ParsePath("dataFields.campaignId"); !reflect.DeepEqual(p, Path{"dataFields", "campaignId"}) || p.String() != "dataFields.campaignId" {
		t.Errorf("ParsePath: %q", p)
	}
	if ParsePath("") != nil {
		t.Error(`ParsePath("") must be the top level`)
	}
	if f, ok := s.Find(Path{"items", "id"}); !ok || f.Type != Integer {
		t.Errorf("Find(items.id) = %+v, %v", f, ok)
	}
	for _, p := range []Path{nil, {"nope"}, {"email", "x"}} {
		if _, ok := s.Find(p); ok {
			t.Errorf("Find(%q) found something", p)
		}
	}
	c := s.Clone()
	c[1].Properties[0].Name = "changed"
	if s[1].Properties[0].Name != "campaignId" {
		t.Error("Clone shares properties with the original")
	}
}
