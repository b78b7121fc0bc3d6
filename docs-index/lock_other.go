//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package docsindex

import (
	"os"
	"time"
)

// lockDir does not lock on this system (koban's images and binaries are
// built for Linux): run one koban process per data folder here.
func lockDir(string, time.Duration) (*os.File, error) { return nil, nil }
