package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// steered is triage with the decision set by the test.
type steered struct {
	koban.Triager
	decision koban.Decision
}

func (s steered) Triage(ctx context.Context, q koban.Question, a koban.Answer) (koban.Triage, error) {
	t, err := s.Triager.Triage(ctx, q, a)
	t.Decision = s.decision
	return t, err
}

func TestPastAnswersPage(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.desk.Past = e.store
	e.desk.Triage = steered{Triager: e.desk.Triage, decision: koban.DecideEscalate}
	first := e.askVia("how do I get read access to the billing bucket in staging?")
	w := e.post(fmt.Sprintf("/inquiries/%d/resolve", first.ID), url.Values{
		"label": {"self-solvable/docs-unfindable"}, "domain": {"iam"}, "note": {"<!here> use the access form <script>alert(1)</script>"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("POST resolve = %d: %s", w.Code, w.Body)
	}
	page := e.get("/past").Body.String()
	if !strings.Contains(page, "use the access form") || !strings.Contains(page, fmt.Sprintf(`href="/inquiries/%d"`, first.ID)) {
		t.Fatalf("past answers page lacks the entry:\n%s", page)
	}
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<!here>") {
		t.Errorf("past answers page renders markup from the answer")
	}

	// The next similar question shows it, marked as a past answer.
	second := e.askVia("How can I get read access to the billing bucket on staging")
	thread := e.get(fmt.Sprintf("/ask/%d", second.ID)).Body.String()
	if !strings.Contains(thread, "Answered before") || !strings.Contains(thread, "not from the docs") || !strings.Contains(thread, "use the access form") {
		t.Errorf("thread of a similar question lacks the past answer")
	}

	list, err := e.store.PastAnswers(context.Background(), 0, false)
	if err != nil || len(list) != 1 {
		t.Fatalf("past answers = %v, %v; want one", list, err)
	}
	if w := e.post(fmt.Sprintf("/past/%d/remove", list[0].ID), url.Values{"back": {"/past"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("POST remove = %d: %s", w.Code, w.Body)
	}
	if w := e.post("/past/999/remove", nil); w.Code != http.StatusNotFound {
		t.Errorf("POST remove of an unknown entry = %d, want 404", w.Code)
	}
	// Removed: not in the recorded reply of the thread either.
	thread = e.get(fmt.Sprintf("/ask/%d", second.ID)).Body.String()
	if strings.Contains(thread, "use the access form") {
		t.Errorf("thread still shows the removed past answer")
	}
	if page := e.get("/past").Body.String(); !strings.Contains(page, "Removed") || strings.Contains(page, fmt.Sprintf(`action="/past/%d/remove"`, list[0].ID)) {
		t.Errorf("past answers page does not show the entry as removed")
	}
}

func TestSuggestionSolvedAndRelabelInTheWeb(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.desk.Triage = steered{Triager: e.desk.Triage, decision: koban.DecideSuggest}
	inq := e.askVia("How do I request a database for my service?")
	if inq.State != koban.StateEscalated {
		t.Fatalf("state = %s, want escalated", inq.State)
	}
	thread := fmt.Sprintf("/ask/%d", inq.ID)
	page := e.get(thread).Body.String()
	if !strings.Contains(page, "this from the docs may help") || !strings.Contains(page, fmt.Sprintf(`action="/inquiries/%d/suggestion-solved"`, inq.ID)) {
		t.Fatalf("escalated thread lacks the suggestions and This solved it")
	}
	// The passage koban would have answered with is shown, its code as code.
	if !strings.Contains(page, `<div class="answer">`) || !strings.Contains(page, "<pre") {
		t.Errorf("escalated thread lacks the suggested passage and its code:\n%s", page)
	}
	if w := e.post(fmt.Sprintf("/inquiries/%d/suggestion-solved", inq.ID), url.Values{"back": {thread}}); w.Code != http.StatusSeeOther {
		t.Fatalf("POST suggestion-solved = %d: %s", w.Code, w.Body)
	}
	got := e.inquiry(inq.ID)
	if got.State != koban.StateResolved || got.Final != (koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}) {
		t.Fatalf("after This solved it: %s %s", got.State, got.Final)
	}
	predicted := got.Predicted

	// Relabelling after resolution keeps koban's prediction apart.
	if w := e.post(fmt.Sprintf("/inquiries/%d/relabel", inq.ID), url.Values{"label": {"docs-missing"}, "domain": {"database"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("POST relabel = %d: %s", w.Code, w.Body)
	}
	got = e.inquiry(inq.ID)
	if got.Final != (koban.Label{Category: koban.DocsMissing}) || got.Predicted != predicted || got.State != koban.StateResolved {
		t.Errorf("after relabel: Final %s, Predicted %s, State %s; want docs-missing, %s, resolved", got.Final, got.Predicted, got.State, predicted)
	}
	if w := e.post(fmt.Sprintf("/inquiries/%d/relabel", inq.ID), url.Values{"label": {"nonsense"}}); w.Code != http.StatusBadRequest {
		t.Errorf("POST relabel with a bad label = %d, want 400", w.Code)
	}
}
