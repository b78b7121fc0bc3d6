package metrics

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// inquiryTable is an InquiryReader over a map, which process funcs change.
type inquiryTable map[int64]*koban.Inquiry

func (t inquiryTable) Inquiry(_ context.Context, id int64) (*koban.Inquiry, error) {
	q, ok := t[id]
	if !ok {
		return nil, koban.Errorf(koban.ENotFound, "inquiry %d not found", id)
	}
	c := *q
	return &c, nil
}

func TestObserveProcess(t *testing.T) {
	asked := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	boom := errors.New("slack down")
	tests := []struct {
		name        string
		replied     bool          // the inquiry had its first reply before the run
		replyAfter  time.Duration // the run replies after this long; 0: no reply
		err         error         // what the run returns
		wantAnswers uint64
		wantFailed  float64
	}{
		{"answers", false, 1500 * time.Millisecond, nil, 1, 0},
		{"replies then fails", false, 2 * time.Second, boom, 1, 1},
		{"fails before replying", false, 0, boom, 0, 1},
		{"retry of a replied inquiry", true, 0, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewPrometheus()
			tab := inquiryTable{7: {ID: 7, CreatedAt: asked}}
			if tt.replied {
				tab[7].FirstResponseAt = asked.Add(time.Second)
			}
			process := m.ObserveProcess(func(_ context.Context, id int64, _ int) error {
				if tt.replyAfter > 0 {
					tab[id].FirstResponseAt = asked.Add(tt.replyAfter)
				}
				return tt.err
			}, tab)
			if err := process(context.Background(), 7, 1); !errors.Is(err, tt.err) {
				t.Errorf("process() = %v, want %v", err, tt.err)
			}
			text := scrape(t, m)
			for _, want := range []string{
				"koban_job_failures_total " + map[float64]string{0: "0", 1: "1"}[tt.wantFailed] + "\n",
				"koban_answer_duration_seconds_count " + map[uint64]string{0: "0", 1: "1"}[tt.wantAnswers] + "\n",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("metrics lack %q:\n%s", want, text)
				}
			}
			if sum := "koban_answer_duration_seconds_sum " + strconvSeconds(tt.replyAfter) + "\n"; tt.wantAnswers == 1 && !strings.Contains(text, sum) {
				t.Errorf("metrics lack %q", sum)
			}
		})
	}
}

func strconvSeconds(d time.Duration) string { return strings.TrimSuffix(d.String(), "s") }

// scrape returns what m serves at /metrics.
func scrape(t *testing.T, m *Prometheus) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	return w.Body.String()
}

// counter is an InquiryCounter with fixed counts, or an error.
type counter struct {
	counts []koban.InquiryCount
	err    error
}

func (c counter) CountInquiries(context.Context) ([]koban.InquiryCount, error) {
	return c.counts, c.err
}

func TestWatchInquiries(t *testing.T) {
	m := NewPrometheus()
	c := counter{counts: []koban.InquiryCount{
		{State: koban.StateAnswered, Category: koban.SelfSolvable, Count: 3},
		{State: koban.StateReceived, Category: "", Count: 1},
	}}
	if err := m.WatchInquiries(c); err != nil {
		t.Fatal(err)
	}
	if err := m.WatchInquiries(c); err != nil {
		t.Errorf("a second WatchInquiries() = %v, want nil", err)
	}
	text := scrape(t, m)
	for _, want := range []string{
		`koban_inquiries{category="",state="received"} 1` + "\n",
		`koban_inquiries{category="self-solvable",state="answered"} 3` + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}

	broken := NewPrometheus()
	if err := broken.WatchInquiries(counter{err: errors.New("database down")}); err != nil {
		t.Fatal(err)
	}
	if _, err := broken.Registry().Gather(); err == nil || !strings.Contains(err.Error(), "database down") {
		t.Errorf("Gather() with the store down = %v, want its error", err)
	}
}

func TestWatchLLM(t *testing.T) {
	m := NewPrometheus()
	chat, embed := int64(120), int64(7)
	m.WatchLLM(func() (int64, int64) { return chat, embed })
	chat += 30
	text := scrape(t, m)
	for _, want := range []string{`koban_llm_tokens_total{kind="chat"} 150` + "\n", `koban_llm_tokens_total{kind="embeddings"} 7` + "\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
}
