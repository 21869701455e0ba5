package tuitest

import (
	"testing"
	"time"
)

// Poll checks cond every 10 ms until it holds (true) or within has passed
// (false).
func Poll(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitFor polls cond until it holds; the test fails, saying what it waited
// for, when within does not suffice.
func WaitFor(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	if !Poll(within, cond) {
		tb.Fatalf("%s: not within %v", what, within)
	}
}
