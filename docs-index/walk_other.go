//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package docsindex

import "os"

// openNoBlock opens a file for reading.
func openNoBlock(p string) (*os.File, error) { return os.Open(p) }
