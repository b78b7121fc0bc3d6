package docsindex

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"
	"bufio"
)

func TestTmpLatency(t *testing.T) {
	dir := os.Getenv("X_OPEN_DIR")
	if dir == "" {
		t.Skip()
	}
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	f, _ := os.Open("/work/wt/shared/eval/dev.jsonl")
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var qs []struct{ Question, Lang string }
	for sc.Scan() {
		var q struct{ Question, Lang string }
		json.Unmarshal(sc.Bytes(), &q)
		qs = append(qs, q)
	}
	var lat []time.Duration
	for r := 0; r < 3; r++ {
		for _, q := range qs {
			s := time.Now()
			if _, err := ix.Search(context.Background(), Query{Text: q.Question, Lang: q.Lang, Size: 300}); err != nil {
				t.Fatal(err)
			}
			lat = append(lat, time.Since(s))
		}
	}
	slices.Sort(lat)
	t.Logf("search p50 %v p99 %v max %v dead %d", lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1], ix.post.dead)
}
