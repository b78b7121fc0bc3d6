package knowledge

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
)

func TestZZProf(t *testing.T) {
	dir := os.Getenv("ZZ_INDEX")
	if dir == "" {
		t.Skip()
	}
	ix, err := docsindex.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	cases := readCases(t, "../../shared/eval/dev.jsonl")
	ctx := context.Background()
	for _, f := range append([]string{"all"}, docsindex.AllFields...) {
		w := map[string]float64{f: 1}
		if f == "all" {
			w = docsindex.DefaultWeights
		}
		var lat []time.Duration
		for _, c := range cases {
			q := CleanQuery(c.Question)
			s := time.Now()
			if _, err := ix.Search(ctx, docsindex.Query{Text: q, Lang: c.Lang, Size: 100, Weights: w}); err != nil {
				t.Fatal(err)
			}
			lat = append(lat, time.Since(s))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		var sum time.Duration
		for _, l := range lat {
			sum += l
		}
		t.Logf("%-16s sum %v p50 %v p99 %v", f, sum.Round(time.Millisecond), lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond))
	}
	svc := New(ix, Config{}, nil)
	var lat []time.Duration
	for _, c := range cases {
		s := time.Now()
		svc.Answer(ctx, koban.Question{Text: c.Question, Lang: c.Lang})
		lat = append(lat, time.Since(s))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("answer p50 %v p99 %v n=%d", lat[len(lat)/2], lat[len(lat)*99/100], len(lat))
}
