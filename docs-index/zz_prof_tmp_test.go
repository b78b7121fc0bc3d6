package docsindex

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestTmpProfBuild(t *testing.T) {
	src := os.Getenv("X_PROF_SRC")
	if src == "" {
		t.Skip()
	}
	ix, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	st, _, err := ix.Update(context.Background(), []Source{{Path: src, Lang: os.Getenv("X_PROF_LANG")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("update %v: %+v", time.Since(start), st)
}
