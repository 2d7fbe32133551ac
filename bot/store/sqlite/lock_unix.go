//go:build unix

package sqlite

import (
	"io"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on the file at path, creating it, and
// reports whether it got it; closing the returned file releases it. The
// lock is advisory: it tells a store whether another one (in this process
// or another) is open on the same database.
func lockFile(path string) (io.Closer, bool) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return f, true
}
