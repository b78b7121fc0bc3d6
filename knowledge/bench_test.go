package knowledge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
)

// TestBenchK8sDocs measures the targets on the Kubernetes docs corpus
// (../../shared/corpora/k8s-docs, en + ja, ~2,100 pages): full index time and
// peak RSS (targets: < 60 s, < 600 MB), incremental re-index after changing
// one page (< 3 s), and Answer latency p50/p99 (p99 < 50 ms). It copies the
// corpus to a temporary folder so that it can change a page. KOBAN_BENCH=1
// runs it; run it alone so that the RSS is this test's.
func TestBenchK8sDocs(t *testing.T) {
	if os.Getenv("KOBAN_BENCH") == "" {
		t.Skip("set KOBAN_BENCH=1 to measure indexing and answer latency on ../../shared/corpora/k8s-docs")
	}
	// Collect garbage as the koban binary does by default (memory_limit_mb
	// 400, GOGC 400; see tuneGC in cmd/koban), so that the figures are the
	// binary's.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(400 << 20))
	corpus := filepath.Join("..", "..", "shared", "corpora", "k8s-docs")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("corpus not found at %s: %v", corpus, err)
	}
	docs := t.TempDir()
	if err := os.CopyFS(docs, os.DirFS(corpus)); err != nil {
		t.Fatal(err)
	}
	srcs := []docsindex.Source{{Path: filepath.Join(docs, "en"), Lang: "en"}, {Path: filepath.Join(docs, "ja"), Lang: "ja"}}
	ctx := context.Background()
	ix, err := docsindex.Open(filepath.Join(t.TempDir(), "index"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()

	start := time.Now()
	st, warns, err := ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	full := time.Since(start)
	t.Logf("full index: %.1f s, %d pages, %d sections, %d skipped, peak RSS %d MB", full.Seconds(), st.Documents, st.Sections, len(warns), peakRSSMB())

	page := filepath.Join(docs, "en", "concepts", "workloads", "pods", "_index.md")
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, append(b, []byte("\n## Benchmark note\n\nOne more paragraph.\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	st, _, err = ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("incremental re-index after one change: %.2f s (%d changed)", time.Since(start).Seconds(), st.Changed)

	cases := readCases(t, filepath.Join("..", "..", "shared", "eval", "dev.jsonl"))
	svc := New(ix, Config{}, nil)
	var lat []time.Duration
	for round := 0; round < 3; round++ {
		for _, c := range cases {
			s := time.Now()
			if _, err := svc.Answer(ctx, koban.Question{Text: c.Question, Lang: c.Lang}); err != nil {
				t.Fatal(err)
			}
			lat = append(lat, time.Since(s))
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("Answer latency over %d questions: p50 %v, p99 %v, max %v; peak RSS %d MB", len(lat),
		lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond), peakRSSMB())
}

// peakRSSMB reads the process's peak resident set size (Linux only; 0 elsewhere).
func peakRSSMB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
			return kb / 1024
		}
	}
	return 0
}
