package schema

import (
	"errors"
	"fmt"
)

// The editing functions below are pure: each returns a new schema (the one
// it was called on is left as it was) or an error naming the path.

// ErrAtEdge is moving the first field up or the last one down.
var ErrAtEdge = errors.New("the field cannot move further that way")

// Add appends a field at the end of the level under parent (nil for the top
// level; else an object or an array of objects). A field added by hand has a
// hand-set type, which samples never change.
func (s Schema) Add(parent Path, f Field) (Schema, error) {
	f.Manual = true
	if f.Name == "" {
		return nil, ErrEmptyName
	}
	if err := checkField(f); err != nil {
		return nil, fmt.Errorf("%s: %w", append(parent[:len(parent):len(parent)], f.Name), err)
	}
	if err := f.Properties.Check(); err != nil {
		return nil, err
	}
	return s.atLevel(parent, func(level Schema) (Schema, error) {
		if index(level, f.Name) >= 0 {
			return nil, fmt.Errorf("%s: %w", append(parent[:len(parent):len(parent)], f.Name), ErrDuplicateName)
		}
		return append(level, f), nil
	})
}

// Rename gives the field at p a new name, unique at its level.
func (s Schema) Rename(p Path, name string) (Schema, error) {
	return s.atField(p, func(level Schema, i int) (Schema, error) {
		switch j := index(level, name); {
		case name == "":
			return nil, ErrEmptyName
		case j >= 0 && j != i:
			return nil, fmt.Errorf("%q: %w", name, ErrDuplicateName)
		}
		level[i].Name = name
		return level, nil
	})
}

// Delete removes the field at p, with its properties.
func (s Schema) Delete(p Path) (Schema, error) {
	return s.atField(p, func(level Schema, i int) (Schema, error) {
		return append(level[:i], level[i+1:]...), nil
	})
}

// MoveUp swaps the field at p with the one before it.
func (s Schema) MoveUp(p Path) (Schema, error) { return s.move(p, -1) }

// MoveDown swaps the field at p with the one after it.
func (s Schema) MoveDown(p Path) (Schema, error) { return s.move(p, +1) }

func (s Schema) move(p Path, by int) (Schema, error) {
	return s.atField(p, func(level Schema, i int) (Schema, error) {
		j := i + by
		if j < 0 || j >= len(level) {
			return nil, ErrAtEdge
		}
		level[i], level[j] = level[j], level[i]
		return level, nil
	})
}

// SetType changes the type of the field at p; of is the item type of an
// array and must be empty otherwise. Properties stay when the new type can
// hold them (object, array of objects) and go otherwise. The type becomes
// hand-set.
func (s Schema) SetType(p Path, t, of Type) (Schema, error) {
	return s.atField(p, func(level Schema, i int) (Schema, error) {
		f := level[i]
		f.Type, f.Of, f.Seen, f.Manual = t, of, nil, true
		if !canHoldProperties(f) {
			f.Properties = nil
		}
		if err := checkField(f); err != nil {
			return nil, err
		}
		level[i] = f
		return level, nil
	})
}

// ToggleOptional flips whether the field at p may be missing or null.
func (s Schema) ToggleOptional(p Path) (Schema, error) {
	return s.atField(p, func(level Schema, i int) (Schema, error) {
		level[i].Optional = !level[i].Optional
		return level, nil
	})
}

// SetLabel sets the label of the field at p ("" removes it).
func (s Schema) SetLabel(p Path, label string) (Schema, error) {
	return s.atField(p, func(level Schema, i int) (Schema, error) {
		level[i].Label = label
		return level, nil
	})
}

// SetHint sets the hint of the field at p ("" removes it).
func (s Schema) SetHint(p Path, hint string) (Schema, error) {
	return s.atField(p, func(level Schema, i int) (Schema, error) {
		level[i].Hint = hint
		return level, nil
	})
}

// atLevel runs fn on a copy of the level under parent and returns the copy
// of the whole schema with fn's result in place.
func (s Schema) atLevel(parent Path, fn func(Schema) (Schema, error)) (Schema, error) {
	out := s.Clone()
	level := &out
	for i, name := range parent {
		j := index(*level, name)
		if j < 0 {
			return nil, fmt.Errorf("%s: %w", parent[:i+1], ErrNoField)
		}
		if !canHoldProperties((*level)[j]) {
			f := (*level)[j]
			return nil, fmt.Errorf("%s: a field of type %s holds no fields", parent[:i+1], describeType(f.Type, f.Of))
		}
		level = &(*level)[j].Properties
	}
	changed, err := fn(*level)
	if err != nil {
		return nil, err
	}
	*level = changed
	return out, nil
}

// atField runs fn on the level holding the field at p, with its index.
func (s Schema) atField(p Path, fn func(level Schema, i int) (Schema, error)) (Schema, error) {
	if len(p) == 0 {
		return nil, ErrNoField
	}
	parent, name := p[:len(p)-1], p[len(p)-1]
	return s.atLevel(parent, func(level Schema) (Schema, error) {
		i := index(level, name)
		if i < 0 {
			return nil, fmt.Errorf("%s: %w", p, ErrNoField)
		}
		changed, err := fn(level, i)
		if err != nil && !errors.Is(err, ErrNoField) {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return changed, err
	})
}
