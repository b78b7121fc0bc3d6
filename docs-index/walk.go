package docsindex

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// errSkip is a docs file that readDocsFile refused; its message says why and
// becomes the Warning's reason.
type errSkip struct{ reason string }

func (e *errSkip) Error() string { return e.reason }

func skip(format string, args ...any) error { return &errSkip{fmt.Sprintf(format, args...)} }

// readDocsFile reads the docs file at p, found by the walk of root (a path
// with no links in it). It keeps the loader inside the docs folder and off
// anything that is not a page:
//   - a symbolic link is followed only to a file under root: docs folders are
//     checked out from repositories that anyone with a pull request can
//     change, and users.md → /etc/passwd would otherwise be indexed and
//     quoted to anyone who asks;
//   - only regular files are read: a FIFO blocks a reader until someone
//     writes, a device such as /dev/zero never ends;
//   - the size checked is that of the file read, and at most MaxFileSize+1
//     bytes are read whatever the size said (a file may grow while read).
func readDocsFile(root, p string, d fs.DirEntry) ([]byte, error) {
	target := p
	if d.Type()&fs.ModeSymlink != 0 {
		t, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil, skip("broken link: %v", err)
		}
		if !within(root, t) {
			return nil, skip("link to %s leaves the docs folder", t)
		}
		target = t
	}
	fi, err := os.Stat(target)
	if err != nil {
		return nil, skip("unreadable: %v", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, skip("not a regular file (%s)", kindOf(fi.Mode()))
	}
	if fi.Size() > MaxFileSize {
		return nil, skip("too big (%d bytes, limit %d)", fi.Size(), MaxFileSize)
	}
	f, err := openNoBlock(target)
	if err != nil {
		return nil, skip("unreadable: %v", err)
	}
	defer f.Close()
	// The file may have been swapped between Stat and Open: check what was
	// opened.
	if fi, err = f.Stat(); err != nil {
		return nil, skip("unreadable: %v", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, skip("not a regular file (%s)", kindOf(fi.Mode()))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, skip("unreadable: %v", err)
	}
	if len(data) > MaxFileSize {
		return nil, skip("too big (more than %d bytes)", MaxFileSize)
	}
	return data, nil
}

// within reports whether path p is root or under it. Both have their links
// resolved.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	return rel == "." || rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// kindOf names a file type for a warning.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a folder"
	}
	return m.Type().String()
}

// isSkip reports whether err is a file readDocsFile refused, and why.
func isSkip(err error) (string, bool) {
	var s *errSkip
	if errors.As(err, &s) {
		return s.reason, true
	}
	return "", false
}
