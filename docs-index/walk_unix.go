//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package docsindex

import (
	"os"
	"syscall"
)

// openNoBlock opens a file for reading without blocking on a FIFO, and
// without following a link, that were put in place after it was checked (p
// has its links resolved already).
func openNoBlock(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
}
