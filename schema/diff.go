package schema

import (
	"fmt"
	"slices"
	"strings"
)

// ChangeKind is what happened to a field between two schemas.
type ChangeKind string

const (
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	Changed ChangeKind = "changed"
)

// Change is one field that differs between two schemas. For an added or
// removed object the change covers its properties too.
type Change struct {
	Path    Path
	Kind    ChangeKind
	Old     Field    // zero for Added
	New     Field    // zero for Removed
	Details []string // for Changed: "type integer → number", "now optional", ...
}

// String is the change on one line: "+ dataFields.locale string optional",
// "- emailId", "~ dataFields.campaignId: type integer → number".
func (c Change) String() string {
	switch c.Kind {
	case Added:
		return "+ " + c.Path.String() + " " + summary(c.New)
	case Removed:
		return "- " + c.Path.String() + " " + summary(c.Old)
	}
	return "~ " + c.Path.String() + ": " + strings.Join(c.Details, ", ")
}

func summary(f Field) string {
	s := describeType(f.Type, f.Of)
	if f.Optional {
		s += " optional"
	}
	return s
}

// Diff lists the fields added, removed and changed from old to new, matched
// by name at each level: removed and changed ones in old's order, then the
// added ones in new's order. The TUI's wizard shows an inferred schema as
// this diff against the current one before applying it.
func Diff(old, new Schema) []Change {
	var out []Change
	diffLevel(old, new, nil, &out)
	return out
}

func diffLevel(old, new Schema, path Path, out *[]Change) {
	for _, o := range old {
		p := append(path[:len(path):len(path)], o.Name)
		j := index(new, o.Name)
		if j < 0 {
			*out = append(*out, Change{Path: p, Kind: Removed, Old: o})
			continue
		}
		n := new[j]
		if details := fieldDetails(o, n); len(details) > 0 {
			*out = append(*out, Change{Path: p, Kind: Changed, Old: o, New: n, Details: details})
		}
		diffLevel(o.Properties, n.Properties, p, out)
	}
	for _, n := range new {
		if index(old, n.Name) < 0 {
			*out = append(*out, Change{Path: append(path[:len(path):len(path)], n.Name), Kind: Added, New: n})
		}
	}
}

func fieldDetails(o, n Field) []string {
	var d []string
	if ot, nt := describeType(o.Type, o.Of), describeType(n.Type, n.Of); ot != nt {
		d = append(d, fmt.Sprintf("type %s → %s", ot, nt))
	} else if !slices.Equal(o.Seen, n.Seen) {
		d = append(d, fmt.Sprintf("seen %s → %s", seenText(o.Seen), seenText(n.Seen)))
	}
	if o.Optional != n.Optional {
		if n.Optional {
			d = append(d, "now optional")
		} else {
			d = append(d, "now required")
		}
	}
	if o.Label != n.Label {
		d = append(d, fmt.Sprintf("label %q → %q", o.Label, n.Label))
	}
	if o.Hint != n.Hint {
		d = append(d, fmt.Sprintf("hint %q → %q", o.Hint, n.Hint))
	}
	if o.Manual != n.Manual {
		if n.Manual {
			d = append(d, "type now set by hand")
		} else {
			d = append(d, "type no longer set by hand")
		}
	}
	return d
}

func seenText(ts []Type) string {
	if len(ts) == 0 {
		return "nothing"
	}
	return joinTypes(ts)
}
