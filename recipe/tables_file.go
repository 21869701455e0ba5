package recipe

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/iwb-dev/iwb/internal/filelock"
)

// fileTables are the recipe tables in the event log's SQLite file. Its
// runner lock is an OS lock on a file beside it, which the kernel drops
// when the process ends, however it ends.
type fileTables struct{ path string }

// LockPath is the runner lock of the event log at dbPath: a file beside it.
func LockPath(dbPath string) string { return dbPath + ".runner.lock" }

func (f fileTables) bind(q string) string { return q }

// lateAppends is zero: SQLite commits one writer at a time, ids in order.
func (f fileTables) lateAppends() time.Duration { return 0 }

func (f fileTables) where() string { return f.path }

func (f fileTables) close() error { return nil }

// lockRunner takes the lock file, writing this process's id in it; when
// another holds it, holder names that process for the message.
func (f fileTables) lockRunner(context.Context) (lease, string, error) {
	file, err := os.OpenFile(LockPath(f.path), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return lease{}, "", err
	}
	if err := filelock.TryLock(file); err != nil {
		b, _ := io.ReadAll(io.LimitReader(file, 32))
		file.Close()
		holder := ""
		if pid := strings.TrimSpace(string(b)); pid != "" {
			holder = " (pid " + pid + ")"
		}
		return lease{}, holder, err
	}
	if err := file.Truncate(0); err == nil {
		_, _ = file.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return lease{held: func(context.Context) error { return nil }, release: func() { file.Close() }}, "", nil
}
