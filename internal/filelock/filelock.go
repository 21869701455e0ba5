// Package filelock takes an exclusive OS lock on a file without waiting:
// the event log's intake lock and the recipe runner's lock. The kernel
// drops the lock when the file is closed or the process dies, however it
// dies, so a lock is never left behind by a crash.
package filelock

import "errors"

// ErrLocked is the lock held by another process (or another open file of
// this one).
var ErrLocked = errors.New("held by another process")
