package sandbox

import (
	"maps"
	"slices"
)

// Routes lists the endpoints a sandbox serves, for the tests that walk them.
func (s *Sandbox) Routes() []string { return slices.Sorted(maps.Keys(s.routes())) }

// ErrorStatus is the status the sandbox answers each error code with.
var ErrorStatus = errorStatus
