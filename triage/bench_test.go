package triage

import (
	"context"
	"fmt"
	"testing"

	"github.com/kobanhq/koban"
)

// BenchmarkRefit measures refitting the model after a new label, with n
// labels learned: go test -run '^$' -bench Refit ./triage/
func BenchmarkRefit(b *testing.B) {
	topics := []string{"database", "namespace", "bucket", "ingress", "pipeline", "alert", "queue", "certificate", "logs", "quota"}
	verbs := []string{"How do I get a", "Please create a", "The docs on the", "Our", "Why does the", "Can you raise the"}
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("labels=%d", n), func(b *testing.B) {
			s, err := New(Config{}, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			for i := range n {
				text := fmt.Sprintf("%s %s for team %d %s", verbs[i%len(verbs)], topics[i%len(topics)], i, topics[(i/7)%len(topics)])
				s.LearnAnswer(ctx, koban.Question{Text: text}, koban.Answer{Confidence: float64(i%10) / 10}, koban.Label{Category: koban.Categories[i%3]}, "")
			}
			b.ResetTimer()
			for range b.N {
				s.mu.Lock()
				s.stale = true
				s.refit(true)
				s.mu.Unlock()
			}
		})
	}
}
