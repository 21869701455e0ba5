// Package schema holds trigger payload schemas (infer, edit, validate, export)
// and the typed values of the data-fields builder.
package schema

// Type is a field's type in a payload schema.
type Type string

const (
	String   Type = "string"
	Integer  Type = "integer"
	Number   Type = "number"
	Boolean  Type = "boolean"
	Date     Type = "date"
	DateTime Type = "date_time"
	Object   Type = "object"
	Array    Type = "array"
)

// Field is one key of a payload. Its JSON form is Workato's schema format, so
// schemas move between iwb and the tools its users know.
type Field struct {
	Name       string  `json:"name"`
	Label      string  `json:"label,omitempty"`
	Type       Type    `json:"type"`
	Of         Type    `json:"of,omitempty"`         // element type of an array
	Properties []Field `json:"properties,omitempty"` // fields of an object, or of an array of objects
	Optional   bool    `json:"optional,omitempty"`
	Hint       string  `json:"hint,omitempty"`
}

// Schema is an ordered list of fields.
type Schema []Field

// Problem is one way a payload does not fit a schema.
type Problem struct {
	Path     string `json:"path"`               // dotted path, e.g. dataFields.campaignId
	Expected string `json:"expected,omitempty"` // the schema's type
	Found    string `json:"found,omitempty"`    // the payload's kind
	Message  string `json:"message"`
	Warning  bool   `json:"warning,omitempty"` // a field the schema does not know
}

// Validate checks a decoded JSON payload against the schema.
// Placeholder until the schema engine lands: it reports nothing.
func Validate(s Schema, payload any) []Problem { return nil }
