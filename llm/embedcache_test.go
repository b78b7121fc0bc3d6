package llm

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func mustOpenCache(t *testing.T, dir, model string) *EmbedCache {
	t.Helper()
	c, err := OpenEmbedCache(dir, model, nil)
	if err != nil {
		t.Fatalf("OpenEmbedCache(%s) error: %v", dir, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestEmbedCacheReopen(t *testing.T) {
	dir := t.TempDir()
	c := mustOpenCache(t, dir, "text-embedding-3-small")
	keys := []EmbedKey{KeyOf("a"), KeyOf("b"), KeyOf("c")}
	vecs := [][]float32{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	if err := c.Put(keys, vecs); err != nil {
		t.Fatalf("Put() error: %v", err)
	}
	if err := c.Put([]EmbedKey{KeyOf("d")}, [][]float32{{1, 2}}); err == nil {
		t.Errorf("Put() of another dimension succeeded, want an error")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	c2 := mustOpenCache(t, dir, "text-embedding-3-small")
	for i, k := range keys {
		if v, ok := c2.Get(k); !ok || fmt.Sprint(v) != fmt.Sprint(vecs[i]) {
			t.Errorf("Get(%d) after reopen = %v, %v; want %v", i, v, ok, vecs[i])
		}
	}
	// Another model has its own file.
	if n := mustOpenCache(t, dir, "nomic-embed-text:latest").Len(); n != 0 {
		t.Errorf("cache of another model has %d entries, want 0", n)
	}
}

func TestEmbedCacheTornWrite(t *testing.T) {
	dir := t.TempDir()
	c := mustOpenCache(t, dir, "m")
	if err := c.Put([]EmbedKey{KeyOf("a"), KeyOf("b")}, [][]float32{{1, 2, 3, 4}, {5, 6, 7, 8}}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	path := filepath.Join(dir, embedFileName("m"))
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// A crash cut the second record short.
	if err := os.Truncate(path, st.Size()-5); err != nil {
		t.Fatal(err)
	}
	c2 := mustOpenCache(t, dir, "m")
	if _, ok := c2.Get(KeyOf("a")); !ok || c2.Len() != 1 {
		t.Fatalf("after a torn write: %d entries, a cached %v; want only a", c2.Len(), ok)
	}
	// Appending goes on after the last whole record.
	if err := c2.Put([]EmbedKey{KeyOf("c")}, [][]float32{{9, 9, 9, 9}}); err != nil {
		t.Fatal(err)
	}
	c2.Close()
	c3 := mustOpenCache(t, dir, "m")
	if _, ok := c3.Get(KeyOf("c")); !ok || c3.Len() != 2 {
		t.Errorf("after reopening: %d entries, c cached %v; want a and c", c3.Len(), ok)
	}

	// A file that is not a cache is started over.
	if err := os.WriteFile(path, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	c3.Close()
	if n := mustOpenCache(t, dir, "m").Len(); n != 0 {
		t.Errorf("cache over garbage has %d entries, want 0", n)
	}
}

func TestEmbedCacheCompact(t *testing.T) {
	dir := t.TempDir()
	c := mustOpenCache(t, dir, "m")
	var keys []EmbedKey
	var vecs [][]float32
	for i := range 200 {
		keys = append(keys, KeyOf(fmt.Sprint(i)))
		vecs = append(vecs, []float32{float32(i), 1})
	}
	if err := c.Put(keys, vecs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, embedFileName("m"))
	big, _ := os.Stat(path)
	live := map[EmbedKey]bool{keys[7]: true, keys[8]: true}
	if err := c.Compact(live); err != nil {
		t.Fatalf("Compact() error: %v", err)
	}
	small, _ := os.Stat(path)
	if small.Size() >= big.Size()/10 {
		t.Errorf("Compact() left %d bytes of %d, want the file rewritten", small.Size(), big.Size())
	}
	if err := c.Put([]EmbedKey{KeyOf("new")}, [][]float32{{3, 3}}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	c2 := mustOpenCache(t, dir, "m")
	if _, ok := c2.Get(keys[7]); !ok || c2.Len() != 3 {
		t.Errorf("after compact and reopen: %d entries, want 3 (2 live + 1 new)", c2.Len())
	}
}

func TestEmbedFileName(t *testing.T) {
	a, b := embedFileName("org/model:v1"), embedFileName("org_model_v1")
	if a == b {
		t.Errorf("embedFileName gives %q for two models", a)
	}
	if filepath.Base(a) != a {
		t.Errorf("embedFileName(org/model:v1) = %q, want a plain file name", a)
	}
}
