//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package docsindex

import (
	"os"
	"syscall"
)

// openNoBlock opens a file for reading without blocking on a FIFO that was
// put in place after it was checked.
func openNoBlock(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
