//go:build unix

package main

import (
	"errors"
	"os"
	"syscall"
)

// lockDir takes the lock of a sync's directory, held by the lock file,
// until unlock is called or the process ends (however it ends: the kernel
// drops the lock of a killed process). Another process holding it is an
// error at once.
func lockDir(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.New("another salesmania sync is running in this directory")
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}

// syncDir flushes a directory's entries (the renames in it) to the disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
