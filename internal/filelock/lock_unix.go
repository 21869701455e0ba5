//go:build unix

package filelock

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// TryLock takes an exclusive lock on the file without waiting. The kernel
// drops it when the file is closed or the process dies, however it dies.
func TryLock(f *os.File) error { return flock(f, unix.LOCK_EX) }

// TryLockShared takes a shared lock on the file without waiting; on a
// file this process holds exclusively, it turns that lock into a shared
// one (not atomically: another process may take it in between).
func TryLockShared(f *os.File) error { return flock(f, unix.LOCK_SH) }

// Unlock lets the file's lock go.
func Unlock(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_UN) }

func flock(f *os.File, how int) error {
	err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}
