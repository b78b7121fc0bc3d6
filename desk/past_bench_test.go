package desk

import (
	"fmt"
	"testing"

	"github.com/kobanhq/koban"
)

// BenchmarkSimilarPast measures finding the past answers similar to a
// question among 1,000 kept ones (the most a question scores), read from
// SQLite each time: go test -run '^$' -bench SimilarPast ./desk/
func BenchmarkSimilarPast(b *testing.B) {
	e := newEnv(b, envOpts{})
	e.desk.Past = e.store
	topics := []string{"database", "bucket", "namespace", "certificate", "quota", "dns record", "kafka topic", "vault secret"}
	verbs := []string{"create", "delete", "resize", "rotate", "restore", "grant access to", "rename", "monitor"}
	for i := range 1000 {
		q := fmt.Sprintf("how do I %s the %s of service-%d in staging %d?", verbs[i%len(verbs)], topics[(i/len(verbs))%len(topics)], i%37, i)
		inq := &koban.Inquiry{Source: koban.SourceChannel, Channel: helpChannel, ThreadTS: fmt.Sprint(i), AskedBy: asker, Text: q, State: koban.StateReceived}
		if _, err := e.store.CreateInquiry(e.ctx, inq); err != nil {
			b.Fatal(err)
		}
		if err := e.store.SavePastAnswer(e.ctx, &koban.PastAnswer{InquiryID: inq.ID, Question: q, Answer: "use the self-service form, then ask in the thread"}); err != nil {
			b.Fatal(err)
		}
	}
	q := koban.Question{Text: "how can I rotate the vault secret of service-3 in staging?"}
	b.ResetTimer()
	for b.Loop() {
		past, err := e.desk.similarPast(e.ctx, q, 0, pastCardScore)
		if err != nil || len(past) == 0 {
			b.Fatalf("similarPast = %d, %v", len(past), err)
		}
	}
}
