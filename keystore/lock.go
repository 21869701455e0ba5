package keystore

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockConfig takes the config file's lock, an OS lock on its folder, so that
// read-change-write of the config by any number of processes loses nothing.
func lockConfig(path string) (unlock func(), err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	return lockDir(dir)
}
