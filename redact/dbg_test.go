package redact

import (
	"sort"
	"strings"
	"testing"
	"time"
)

func TestDbg(t *testing.T) {
	r := mustNew(t)
	q := benchmarkQuestion(50000)
	segs := segments(q)
	type st struct {
		id string
		d  time.Duration
		n  int
	}
	var sts []st
	for _, ru := range r.rules {
		if ru.re == nil {
			continue
		}
		lower := asciiLower(q)
		n := 0
		var d time.Duration
		for _, s := range segs {
			line := lower[s.start:s.end]
			hit := false
			for _, kw := range ru.keywords {
				if contains(line, kw) {
					hit = true
				}
			}
			if hit {
				n++
				t0 := time.Now()
				ru.re.FindAllStringSubmatchIndex(q[s.start:s.end], -1)
				d += time.Since(t0)
			}
		}
		sts = append(sts, st{ru.id, d, n})
	}
	sort.Slice(sts, func(i, j int) bool { return sts[i].d > sts[j].d })
	for _, s := range sts[:15] {
		t.Logf("%-30s %v %d", s.id, s.d, s.n)
	}
}

func contains(a, b string) bool { return strings.Contains(a, b) }
