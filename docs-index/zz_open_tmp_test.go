package docsindex

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestTmpOpenTime(t *testing.T) {
	dir := os.Getenv("X_OPEN_DIR")
	if dir == "" {
		t.Skip()
	}
	for _, rebuild := range []bool{false} {
		if rebuild {
			os.Rename(filepath.Join(dir, postingsFile), filepath.Join(dir, postingsFile+".keep"))
		}
		start := time.Now()
		ix, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fi, _ := os.Stat(filepath.Join(dir, postingsFile))
		mf, _ := os.Stat(filepath.Join(dir, "manifest.gob"))
		t.Logf("rebuild=%v open %v, docs %d, heap %d MB, postings file %d MB, manifest %d MB", rebuild, took, len(ix.post.Docs), ms.HeapAlloc>>20, fi.Size()>>20, mf.Size()>>20)
		ix.Close()
	}
}

func TestTmpSaveTime(t *testing.T) {
	dir := os.Getenv("X_OPEN_DIR")
	if dir == "" {
		t.Skip()
	}
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for i := 0; i < 2; i++ {
		start := time.Now()
		if err := savePostings(t.TempDir(), 1, ix.post); err != nil {
			t.Fatal(err)
		}
		s1 := time.Since(start)
		start = time.Now()
		if err := writeManifestTo(t.TempDir(), &ix.manifest); err != nil {
			t.Fatal(err)
		}
		t.Logf("save postings %v manifest %v", s1, time.Since(start))
	}
}
