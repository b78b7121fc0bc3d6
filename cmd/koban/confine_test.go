//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestIndexStaysInDocsFolder: a docs folder with a link to a file outside it,
// a link to /dev/zero and a FIFO. koban index finishes, skips each with a
// warning, and koban ask cannot quote the outside file.
func TestIndexStaysInDocsFolder(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(outside, []byte("# Users\n\nroot:x:0:0:root:/root:/bin/bash\nzorblax:x:1000:1000::/home/zorblax:/bin/bash\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	docs := t.TempDir()
	if err := os.WriteFile(filepath.Join(docs, "runbook.md"), []byte("# Runbook\n\nRestart the quuxinator with the bash script in the ops repo.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"users.md": outside, "zero.md": "/dev/zero"} {
		if err := os.Symlink(target, filepath.Join(docs, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(docs, "pipe.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_LOG_LEVEL": "error", "KOBAN_DOCS": docs + "@en"}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var out, errb bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"index"}, getenv, &out, &errb) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("koban index: %v\n%s", err, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("koban index did not finish in 30 s")
	}
	printed := out.String() + errb.String()
	if !strings.Contains(printed, "indexed 1 pages") {
		t.Errorf("koban index printed %q, want only runbook.md indexed", printed)
	}
	for _, want := range []string{
		"users.md: link to " + outside + " leaves the docs folder",
		"zero.md: link to /dev/zero leaves the docs folder",
		"pipe.md: not a regular file (a named pipe)",
	} {
		if !strings.Contains(printed, want) {
			t.Errorf("koban index printed %q, want %q", printed, want)
		}
	}

	out.Reset()
	if err := run(ctx, []string{"ask", "zorblax root bin bash"}, getenv, &out, &errb); err != nil {
		t.Fatalf("koban ask: %v", err)
	}
	if got := out.String(); strings.Contains(got, "zorblax") || strings.Contains(got, "users.md") || strings.Contains(got, "/root") {
		t.Errorf("koban ask quoted the file outside the docs folder:\n%s", got)
	}
}
