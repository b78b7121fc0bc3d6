package metrics

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// An inquiry the suggested pages solved before a human replied is deflected;
// one a human replied to first is not.
func TestSuggestionSolvedCountsAsDeflection(t *testing.T) {
	at := time.Date(2026, 10, 10, 10, 0, 0, 0, tokyo)
	src := &memSource{}
	for i, human := range []bool{false, false, true} {
		q := koban.Inquiry{ID: int64(i + 1), State: koban.StateResolved, CreatedAt: at, FirstResponseAt: at.Add(time.Second),
			ResolvedAt: at.Add(time.Hour), Predicted: required, Final: unfindable, Domain: "iam", Assignee: "UONCALL"}
		if human {
			q.FirstHumanResponseAt = at.Add(time.Minute)
		}
		src.inqs = append(src.inqs, q)
		src.events = append(src.events,
			koban.Event{ID: int64(10*i + 1), InquiryID: q.ID, Kind: koban.EventEscalated, Actor: koban.ActorKoban, At: at.Add(time.Second), Data: map[string]string{"suggest": "true"}},
			koban.Event{ID: int64(10*i + 2), InquiryID: q.ID, Kind: koban.EventResolved, Actor: "UASKER", At: at.Add(time.Hour),
				Data: map[string]string{"feedback": string(koban.FeedbackSuggestionSolved), "category": unfindable.String()}})
	}
	svc := NewService(src, Options{Location: tokyo, Quadrant: quadrantOf}, slog.New(slog.NewTextHandler(io.Discard, nil)),
		func() time.Time { return reportNow })
	r, err := svc.Report(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	if r.Deflection.Solved != 2 || r.Deflection.Answered != 0 {
		t.Errorf("deflection = %+v, want 2 solved by suggestions and none answered", r.Deflection)
	}
}
