package desk

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/store"
)

// steeredTriage is triage with its decision and urgency set by the test:
// the desk's side of suggest and urgent does not depend on how triage
// comes to them.
type steeredTriage struct {
	koban.Triager
	decision koban.Decision
	urgent   bool
}

func (s steeredTriage) Triage(ctx context.Context, q koban.Question, a koban.Answer) (koban.Triage, error) {
	t, err := s.Triager.Triage(ctx, q, a)
	t.Decision, t.Urgent = s.decision, s.urgent
	return t, err
}

// storeLabels is the desk's LabelSource over the store (cmd/koban wires the same).
type storeLabels struct{ s *store.Store }

func (l storeLabels) LabelEvents(ctx context.Context, since time.Time) ([]LabelEvent, error) {
	list, err := l.s.LabelEvents(ctx, since, 0)
	out := make([]LabelEvent, len(list))
	for i, le := range list {
		out[i] = LabelEvent{EventID: le.EventID, At: le.At, Text: le.Text, Lang: le.Lang, Label: le.Label, Domain: le.Domain}
	}
	return out, err
}

// countingLearner records what it was taught.
type countingLearner struct {
	mu     sync.Mutex
	learnt []koban.Label
	texts  []string
}

func (c *countingLearner) Learn(_ context.Context, q koban.Question, l koban.Label, _ koban.Domain) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.learnt = append(c.learnt, l)
	c.texts = append(c.texts, q.Text)
	return nil
}

func (c *countingLearner) labels() []koban.Label {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]koban.Label(nil), c.learnt...)
}

// fakeThreads is the conversation in Slack: the last reply of the responder.
type fakeThreads struct {
	text, author string
}

func (f fakeThreads) LastReply(_ context.Context, inq *koban.Inquiry, responder string) (string, string, error) {
	if f.text == "" {
		return "", "", koban.Errorf(koban.ENotFound, "no reply")
	}
	return f.text, f.author, nil
}

func (f fakeThreads) Link(_ context.Context, inq *koban.Inquiry) (string, error) {
	return "https://example.slack.com/archives/" + inq.Channel + "/p" + strings.ReplaceAll(inq.ThreadTS, ".", ""), nil
}

// retracting is the Replier of a transport that can edit what it posted.
type retracting struct {
	*recorder
	mu        sync.Mutex
	retracted map[int64][]int64 // past answer → inquiries whose replies it was taken off
}

func (r *retracting) RetractPast(_ context.Context, inq *koban.Inquiry, id int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.retracted == nil {
		r.retracted = map[int64][]int64{}
	}
	r.retracted[id] = append(r.retracted[id], inq.ID)
	return nil
}

func TestSuggestWhileEscalating(t *testing.T) {
	e := newEnv(t, envOpts{router: &fixedRouter{esc: koban.Escalation{Rotation: "platform", OnCall: "UONCALL"}}})
	e.desk.Triage = steeredTriage{Triager: e.tri, decision: koban.DecideSuggest}
	inq := e.process(e.ask(dbQuestion).ID)
	if inq.State != koban.StateEscalated || inq.Assignee != "UONCALL" {
		t.Fatalf("after a suggest decision: state %s, assignee %q; want escalated to UONCALL", inq.State, inq.Assignee)
	}
	reps := e.rep.delivered(inq.ID)
	if len(reps) != 1 || reps[0].Kind != koban.EventEscalated {
		t.Fatalf("deliveries = %+v, want one escalation", reps)
	}
	sug := reps[0].Suggest
	if len(sug) == 0 || len(sug) > koban.MaxSuggested {
		t.Fatalf("suggested pages = %d, want 1 to %d", len(sug), koban.MaxSuggested)
	}
	if sug[0].Path != "how-to/request-a-database.md" {
		t.Errorf("first suggested page = %s, want how-to/request-a-database.md", sug[0].Path)
	}
	predicted := inq.Predicted

	// Only the asker can say the pages solved it.
	if _, err := e.desk.SuggestionSolved(e.ctx, inq.ID, "UOTHER"); koban.ErrorCode(err) != koban.EForbidden {
		t.Errorf("SuggestionSolved by someone else = %v, want EForbidden", err)
	}
	if got := e.inquiry(inq.ID); got.State != koban.StateEscalated || !got.Final.IsZero() {
		t.Errorf("after a refused click: state %s, label %s; want escalated and unlabelled", got.State, got.Final)
	}
	got, err := e.desk.SuggestionSolved(e.ctx, inq.ID, asker)
	if err != nil {
		t.Fatal(err)
	}
	want := koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}
	if got.State != koban.StateResolved || got.Final != want || got.Predicted != predicted {
		t.Errorf("after This solved it: state %s, Final %s, Predicted %s; want resolved, %s, %s", got.State, got.Final, got.Predicted, want, predicted)
	}
	if n := e.rep.resolvedCount(inq.ID); n != 1 {
		t.Errorf("Replier told of the resolution %d times, want 1", n)
	}
	last := e.events(inq.ID)
	if ev := last[len(last)-1]; ev.Kind != koban.EventResolved || ev.Data["feedback"] != string(koban.FeedbackSuggestionSolved) || ev.Actor != asker {
		t.Errorf("last event = %+v, want resolved by the asker with feedback %s", ev, string(koban.FeedbackSuggestionSolved))
	}
	// Reminders go to open inquiries only: this one is no longer among them.
	open, err := e.store.OpenInquiries(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range open {
		if o.ID == inq.ID {
			t.Errorf("inquiry %d still open after This solved it", inq.ID)
		}
	}
	// A second click finds it resolved.
	if _, err := e.desk.SuggestionSolved(e.ctx, inq.ID, asker); koban.ErrorCode(err) != koban.EConflict {
		t.Errorf("second SuggestionSolved = %v, want EConflict", err)
	}
}

func TestEscalateWithoutSuggestions(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.desk.Triage = steeredTriage{Triager: e.tri, decision: koban.DecideEscalate}
	inq := e.process(e.ask(dbQuestion).ID)
	reps := e.rep.delivered(inq.ID)
	if len(reps) != 1 || len(reps[0].Suggest) != 0 || reps[0].Urgent {
		t.Errorf("plain escalation delivered %+v, want no suggestions and not urgent", reps)
	}
}

func TestUrgentEscalatesAtOnce(t *testing.T) {
	e := newEnv(t, envOpts{router: &fixedRouter{esc: koban.Escalation{Rotation: "platform", OnCall: "UONCALL"}}})
	// Triage would answer from the docs, but it is urgent: a human is brought in now.
	e.desk.Triage = steeredTriage{Triager: e.tri, decision: koban.DecideAnswer, urgent: true}
	inq := e.process(e.ask(dbQuestion).ID)
	if inq.State != koban.StateEscalated || !inq.Urgent {
		t.Fatalf("urgent inquiry: state %s, Urgent %v; want escalated and urgent", inq.State, inq.Urgent)
	}
	reps := e.rep.delivered(inq.ID)
	if len(reps) != 1 || !reps[0].Urgent || !strings.HasPrefix(reps[0].Escalation.Reason, "urgent") {
		t.Fatalf("deliveries = %+v, want one urgent escalation whose reason says so", reps)
	}
	if len(reps[0].Suggest) == 0 {
		t.Errorf("urgent escalation with a docs answer suggests no pages, want the pages it found")
	}
	// The mark stays through later changes of the inquiry.
	got, err := e.desk.Acknowledge(e.ctx, inq.ID, "UONCALL")
	if err != nil || !got.Urgent {
		t.Errorf("after Acknowledge: Urgent %v, %v; want still urgent", got.Urgent, err)
	}
}

func TestPastAnswers(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.desk.Past = e.store
	e.desk.Triage = steeredTriage{Triager: e.tri, decision: koban.DecideEscalate}
	ret := &retracting{recorder: e.rep}
	e.desk.Repliers[koban.SourceChannel] = ret
	e.desk.Threads = fakeThreads{text: "I gave you access <!here>: use `hoshi access grant` next time", author: "UREPLIER"}
	const question = "how do I get read access to the billing bucket in staging?"
	first := e.process(e.ask(question).ID)
	if first.State != koban.StateEscalated {
		t.Fatalf("%q was %s, want escalated", question, first.State)
	}
	// The Resolve note holds a secret and a broadcast.
	const secret = "AKIAIOSFODNN7EXAMPLF"
	note := "<!channel> ask in #access with the form; the key " + secret + " is mine, do not use it. Thanks <@U123|bob>"
	label := koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}
	if _, err := e.desk.Resolve(e.ctx, first.ID, "UONCALL", Resolution{Label: label, Domain: "iam", Note: note}); err != nil {
		t.Fatal(err)
	}
	kept, err := e.store.PastAnswers(e.ctx, 0, false)
	if err != nil || len(kept) != 1 {
		t.Fatalf("past answers after Resolve = %+v, %v; want one", kept, err)
	}
	p := kept[0]
	for _, bad := range []string{secret, "<!channel>", "<@U123"} {
		if strings.Contains(p.Answer, bad) {
			t.Errorf("kept answer %q holds %q", p.Answer, bad)
		}
	}
	if !strings.Contains(p.Answer, "ask in #access with the form") || p.AnsweredBy != "UONCALL" || p.Label != label || !strings.HasPrefix(p.Link, "https://") {
		t.Errorf("kept answer = %+v, want the note by UONCALL, labelled %s, with a link", p, label)
	}

	// The same question asked again escalates and shows the on-call the past answer.
	again := e.process(e.ask("How can I get read access to the billing bucket on staging").ID)
	reps := e.rep.delivered(again.ID)
	if len(reps) != 1 || len(reps[0].Past) != 1 || reps[0].Past[0].ID != p.ID || reps[0].Past[0].Score < pastCardScore {
		t.Fatalf("reply to the same question = %+v, want past answer %d", reps, p.ID)
	}
	// Beside a docs answer, it shows only when close.
	e.desk.Triage = steeredTriage{Triager: e.tri, decision: koban.DecideAnswer}
	answered := e.process(e.ask(dbQuestion).ID)
	if reps := e.rep.delivered(answered.ID); answered.State != koban.StateAnswered || len(reps) != 1 || len(reps[0].Past) != 0 {
		t.Errorf("docs answer to %q: state %s, %+v; want answered without past answers", dbQuestion, answered.State, reps)
	}
	e.desk.Triage = steeredTriage{Triager: e.tri, decision: koban.DecideEscalate}
	// Something else entirely shows none.
	other := e.process(e.ask("the payments-api pods crash with OOMKilled since this morning").ID)
	if reps := e.rep.delivered(other.ID); len(reps) != 1 || len(reps[0].Past) != 0 {
		t.Errorf("reply to an unrelated question = %+v, want no past answers", reps)
	}

	// Resolved without a note: the responder's last reply in the thread is kept.
	if _, err := e.desk.Resolve(e.ctx, again.ID, "UONCALL", Resolution{Label: label, Domain: "iam"}); err != nil {
		t.Fatal(err)
	}
	all, err := e.store.PastAnswers(e.ctx, 0, false)
	if err != nil || len(all) != 2 || all[0].InquiryID != again.ID || all[0].AnsweredBy != "UREPLIER" ||
		strings.Contains(all[0].Answer, "<!here>") || !strings.Contains(all[0].Answer, "hoshi access grant") {
		t.Fatalf("past answers after a Resolve without note = %+v, %v; want the thread reply by UREPLIER, made inert", all, err)
	}

	// A reply decided before the removal and delivered after does not show it.
	e.rep.failNext(errTransient)
	third := e.ask("read access to the billing bucket in staging, how?")
	if err := e.desk.Process(e.ctx, third.ID, 1); err == nil {
		t.Fatal("Process with a failing delivery succeeded")
	}
	// Only a responder may remove it: not the asker of its inquiry.
	if _, err := e.desk.RemovePastAnswer(e.ctx, p.ID, asker); koban.ErrorCode(err) != koban.EForbidden {
		t.Errorf("RemovePastAnswer by the asker = %v, want EForbidden", err)
	}
	if _, err := e.desk.RemovePastAnswer(e.ctx, p.ID, "UONCALL"); err != nil {
		t.Fatal(err)
	}
	// Taken off the replies decided with it, newest first: the third
	// question's (recorded, not delivered yet) and the second's.
	if got := ret.retracted[p.ID]; len(got) != 2 || got[0] != third.ID || got[1] != again.ID {
		t.Errorf("removed past answer taken off the replies of inquiries %v, want [%d %d]", got, third.ID, again.ID)
	}
	if _, err := e.desk.RemovePastAnswer(e.ctx, 999, "UONCALL"); koban.ErrorCode(err) != koban.ENotFound {
		t.Errorf("RemovePastAnswer(unknown) = %v, want ENotFound", err)
	}
	e.process(third.ID)
	for _, r := range e.rep.delivered(third.ID) {
		for _, pa := range r.Past {
			if pa.ID == p.ID {
				t.Errorf("removed past answer %d delivered after its removal", p.ID)
			}
		}
	}
	if len(e.rep.delivered(third.ID)) != 1 {
		t.Errorf("third question delivered %d times, want once", len(e.rep.delivered(third.ID)))
	}
	fourth := e.process(e.ask(question).ID)
	for _, r := range e.rep.delivered(fourth.ID) {
		for _, pa := range r.Past {
			if pa.ID == p.ID {
				t.Errorf("removed past answer %d shown again", p.ID)
			}
		}
	}
}

// TestPastScoresTie checks that two past questions of the same words, in
// any order, score exactly alike on every run: the scores do not depend on
// the order Go walks a map in.
func TestPastScoresTie(t *testing.T) {
	a := terms("the staging ingress returns 502 for the checkout service since the node pool upgrade, which certificate or annotation is wrong")
	b := slices.Clone(a)
	slices.Reverse(b)
	docs := [][]string{a, terms("how do I rotate the database password"), b,
		terms("the checkout service returns 502"), terms("which annotation sets the ingress certificate"),
		terms("node pool upgrade in staging"), terms("the staging certificate expired"), terms("ingress for staging")}
	q := terms("checkout ingress 502 after the node pool upgrade: certificate or annotation?")
	for run := 0; run < 20; run++ {
		s := pastScores(q, docs)
		if s[0] <= 0 || s[0] != s[2] {
			t.Fatalf("run %d: pastScores = %v, want the first and third equal and above 0", run, s)
		}
	}
}

func TestPastScores(t *testing.T) {
	docs := [][]string{
		terms("how do I rotate the database password for payments"),
		terms("where are the logs of my service"),
		terms("ステージングのデータベースのパスワードを変更したい"),
	}
	tests := []struct {
		q    string
		best int // index of the best document, -1 for none above the card threshold
	}{
		{"rotate database password payments", 0},
		{"Where can I see my service's logs?", 1},
		{"データベースのパスワードを変更する方法", 2},
		{"lunch anyone?", -1},
		{"", -1},
	}
	for _, tt := range tests {
		scores := pastScores(terms(tt.q), docs)
		best, bestScore := -1, pastCardScore
		for i, s := range scores {
			if s < 0 || s > 1.0000001 {
				t.Errorf("pastScores(%q)[%d] = %v, outside [0,1]", tt.q, i, s)
			}
			if s >= bestScore {
				best, bestScore = i, s
			}
		}
		if best != tt.best {
			t.Errorf("best match of %q = %d (scores %v), want %d", tt.q, best, scores, tt.best)
		}
	}
}

func TestInertMarkup(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<!channel> done", "channel done"},
		{"ping <!here|here> and <!everyone>", "ping here and everyone"},
		{"<!subteam^S123|@platform> knows", "platform knows"},
		{"thanks <@U123>", "thanks user U123"},
		{"thanks <@U123|alice>", "thanks alice"},
		{"see <#C1|help>", "see #help"},
		{"<https://docs.example.com/x|the page>", "the page (https://docs.example.com/x)"},
		{"<https://docs.example.com/x>", "https://docs.example.com/x"},
		{"a < b > c", "a < b > c"},
	}
	for _, tt := range tests {
		if got := inertMarkup(tt.in); got != tt.want {
			t.Errorf("inertMarkup(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLabelsShared(t *testing.T) {
	// Two replicas over one database, each with its own triage memory.
	e := newEnv(t, envOpts{})
	one, two := &countingLearner{}, &countingLearner{}
	replica := func(l *countingLearner) *Desk {
		deps := e.desk.Deps
		deps.Learner, deps.Labels = l, storeLabels{e.store}
		return New(Config{FallbackGroup: fallbackGroup}, deps)
	}
	d1, d2 := replica(one), replica(two)

	inq := e.process(e.ask(adminRequest).ID)
	predicted := inq.Predicted
	human := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
	if _, err := d1.Resolve(e.ctx, inq.ID, "UONCALL", Resolution{Label: human, Domain: "iam"}); err != nil {
		t.Fatal(err)
	}
	if got := one.labels(); len(got) != 1 || got[0] != human {
		t.Errorf("replica that resolved learned %v, want [%s] once", got, human)
	}
	if n, err := d2.SyncLabels(e.ctx); err != nil || n != 1 {
		t.Fatalf("other replica's SyncLabels = %d, %v; want 1 label", n, err)
	}
	if got := two.labels(); len(got) != 1 || got[0] != human || two.texts[0] != inq.Text {
		t.Errorf("other replica learned %v, want [%s] with the question", got, human)
	}
	// A replica started after the label loads it at start (triage's own
	// load of labelled inquiries), not again from the sync.
	three := &countingLearner{}
	if n, err := replica(three).SyncLabels(e.ctx); err != nil || n != 0 || len(three.labels()) != 0 {
		t.Errorf("SyncLabels of a replica started after the label = %d, %v; want 0", n, err)
	}
	// Syncing again learns nothing twice.
	if n, err := d1.SyncLabels(e.ctx); err != nil || n != 0 {
		t.Errorf("SyncLabels again = %d, %v; want 0", n, err)
	}

	// Relabelling after resolution: responders only, and every replica learns it.
	relabel := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}
	if _, err := d2.Relabel(e.ctx, inq.ID, asker, relabel, ""); koban.ErrorCode(err) != koban.EForbidden {
		t.Errorf("Relabel by the asker = %v, want EForbidden", err)
	}
	got, err := d2.Relabel(e.ctx, inq.ID, "UONCALL", relabel, "network")
	if err != nil {
		t.Fatal(err)
	}
	if got.Final != relabel || got.Domain != "network" || got.Predicted != predicted || got.State != koban.StateResolved {
		t.Errorf("after Relabel: Final %s, Domain %s, Predicted %s, State %s; want %s, network, %s (koban's, unchanged), resolved",
			got.Final, got.Domain, got.Predicted, got.State, relabel, predicted)
	}
	e.clock.Advance(time.Minute)
	if n, err := d1.SyncLabels(e.ctx); err != nil || n != 1 {
		t.Errorf("replica one's SyncLabels after the relabel = %d, %v; want 1", n, err)
	}
	if got := one.labels(); len(got) != 2 || got[1] != relabel {
		t.Errorf("replica one learned %v, want the relabel last", got)
	}
	if got := two.labels(); len(got) != 2 || got[1] != relabel {
		t.Errorf("replica two learned %v, want the relabel last", got)
	}

	// With configured responders, only they may relabel.
	deps := d1.Deps
	deps.Responders = []string{"UONCALL"}
	strict := New(Config{}, deps)
	if _, err := strict.Relabel(e.ctx, inq.ID, "URANDOM", human, ""); koban.ErrorCode(err) != koban.EForbidden {
		t.Errorf("Relabel by someone outside the responders = %v, want EForbidden", err)
	}
	if _, err := strict.Relabel(e.ctx, inq.ID, WebActor, human, ""); err != nil {
		t.Errorf("Relabel from the web UI = %v, want allowed", err)
	}
}

// A label given on another replica counts for the next question triaged
// here, without waiting for the periodic sync.
func TestLabelsReadBeforeTriage(t *testing.T) {
	e := newEnv(t, envOpts{})
	mine := &countingLearner{}
	deps := e.desk.Deps
	deps.Learner, deps.Labels = mine, storeLabels{e.store}
	here := New(Config{FallbackGroup: fallbackGroup}, deps)
	other := New(Config{FallbackGroup: fallbackGroup}, e.desk.Deps) // learns into its own triage
	other.Labels = storeLabels{e.store}

	inq := e.process(e.ask(adminRequest).ID)
	human := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
	if _, err := other.Resolve(e.ctx, inq.ID, "UONCALL", Resolution{Label: human, Domain: "iam"}); err != nil {
		t.Fatal(err)
	}
	if n := len(mine.labels()); n != 0 {
		t.Fatalf("this replica learned %d labels before triaging anything", n)
	}
	next := e.ask(namespaceRequest)
	if err := here.Process(e.ctx, next.ID, 1); err != nil {
		t.Fatal(err)
	}
	if got := mine.labels(); len(got) != 1 || got[0] != human {
		t.Errorf("labels learned by the time the next question was triaged = %v, want [%s]", got, human)
	}
}

// What was answered in a DM stays there: it is not kept to show others.
func TestPastAnswerNotKeptFromDMs(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.desk.Past = e.store
	e.desk.Repliers[koban.SourceDM] = e.rep
	e.desk.Triage = steeredTriage{Triager: e.tri, decision: koban.DecideEscalate}
	inq, _, err := e.desk.Ask(e.ctx, Incoming{Source: koban.SourceDM, EventID: "EvDM", Team: "T1", Channel: "D123",
		MessageTS: "1700000999.000100", User: asker, Text: "how do I rotate my personal token?"})
	if err != nil {
		t.Fatal(err)
	}
	e.process(inq.ID)
	if _, err := e.desk.Resolve(e.ctx, inq.ID, "UONCALL", Resolution{Label: koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}, Note: "done for you"}); err != nil {
		t.Fatal(err)
	}
	if list, err := e.store.PastAnswers(e.ctx, 0, true); err != nil || len(list) != 0 {
		t.Errorf("past answers after a DM resolution = %+v, %v; want none", list, err)
	}
}

// echoTriage labels every question with label, as triage does for a
// question it has learned a human label for.
type echoTriage struct {
	koban.Triager
	label koban.Label
}

func (e *echoTriage) Triage(ctx context.Context, q koban.Question, a koban.Answer) (koban.Triage, error) {
	t, err := e.Triager.Triage(ctx, q, a)
	t.Label, t.Decision = e.label, koban.DecideEscalate
	return t, err
}

// A reopened inquiry keeps the prediction koban made before the human
// labelled it: triage has learned the label since, and would echo it.
func TestReopeningKeepsThePrediction(t *testing.T) {
	e := newEnv(t, envOpts{})
	before := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
	human := koban.Label{Category: koban.DocsMissing}
	echo := &echoTriage{Triager: e.tri, label: before}
	e.desk.Triage = echo
	inq := e.process(e.ask(adminRequest).ID)
	if inq.Predicted != before {
		t.Fatalf("Predicted = %s, want %s", inq.Predicted, before)
	}
	if _, err := e.desk.Resolve(e.ctx, inq.ID, "UONCALL", Resolution{Label: human, Domain: "iam"}); err != nil {
		t.Fatal(err)
	}
	echo.label = human // triage now knows this question's human label
	if _, err := e.followUp(inq, asker, "EvReopen", "it did not work, still no admin"); err != nil {
		t.Fatal(err)
	}
	got := e.process(inq.ID)
	if got.State != koban.StateEscalated {
		t.Fatalf("reopened inquiry not decided again: state %s", got.State)
	}
	if got.Predicted != before || got.Final != human {
		t.Errorf("after reopening: Predicted %s, Final %s; want %s (koban's first) and %s", got.Predicted, got.Final, before, human)
	}
}

// memLabels is a LabelSource in memory, for the sync loop's timing.
type memLabels struct {
	mu     sync.Mutex
	events []LabelEvent
}

func (m *memLabels) LabelEvents(_ context.Context, since time.Time) ([]LabelEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []LabelEvent
	for _, e := range m.events {
		if !e.At.Before(since) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memLabels) add(e LabelEvent) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, e)
}

// A label given on another replica is learned here within LabelSyncEvery,
// with no question asked in between.
func TestRunLabelSync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, l := &memLabels{}, &countingLearner{}
		d := New(Config{}, Deps{Learner: l, Labels: src})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- d.RunLabelSync(ctx) }()

		time.Sleep(time.Second)
		src.add(LabelEvent{EventID: 1, At: time.Now(), Text: "grant me admin on prod", Label: koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}})
		time.Sleep(LabelSyncEvery - 2*time.Second)
		synctest.Wait()
		if n := len(l.labels()); n != 0 {
			t.Errorf("learned %d labels before the sync was due", n)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if n := len(l.labels()); n != 1 {
			t.Errorf("learned %d labels %s after one was given, want 1", n, LabelSyncEvery)
		}
		time.Sleep(3 * LabelSyncEvery)
		synctest.Wait()
		if n := len(l.labels()); n != 1 {
			t.Errorf("learned %d labels after more syncs, want 1: each once", n)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunLabelSync = %v", err)
		}
	})
}

// procedureTriage is triage that answers and names a procedure page, as
// triage does for a request a docs page describes doing.
type procedureTriage struct {
	koban.Triager
	page string
}

func (p procedureTriage) Triage(ctx context.Context, q koban.Question, a koban.Answer) (koban.Triage, error) {
	t, err := p.Triager.Triage(ctx, q, a)
	t.Decision, t.Urgent, t.Procedure = koban.DecideAnswer, false, p.page
	return t, err
}

// answerOnly is knowledge that cannot compose from a given page.
type answerOnly struct{ koban.Answerer }

// TestAnswerLedByProcedure checks that a request answered from the docs
// leads with the page triage found describing it, not the page ranked
// first, and that whatever goes wrong recomposing, the asker is answered.
func TestAnswerLedByProcedure(t *testing.T) {
	const request = "Please route the alerts of the billing service to our #billing-alerts channel."
	tests := []struct {
		name     string
		page     func(ranked []koban.Citation) string // the procedure page triage names
		plain    bool                                 // knowledge cannot compose from a page
		wantLead func(ranked []koban.Citation, first string) string
	}{
		{"procedure ranked second", func(r []koban.Citation) string { return r[1].Path }, false,
			func(r []koban.Citation, _ string) string { return r[1].Path }},
		{"procedure ranked third", func(r []koban.Citation) string { return r[2].Path }, false,
			func(r []koban.Citation, _ string) string { return r[2].Path }},
		{"procedure not among the pages", func([]koban.Citation) string { return "how-to/not-in-the-docs.md" }, false,
			func(_ []koban.Citation, first string) string { return first }},
		{"knowledge cannot compose from a page", func(r []koban.Citation) string { return r[1].Path }, true,
			func(_ []koban.Citation, first string) string { return first }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{})
			base, err := e.desk.Knowledge.Answer(e.ctx, koban.Question{Text: request})
			if err != nil || !base.Known || len(base.Pages) < 3 || len(base.Citations) == 0 {
				t.Fatalf("knowledge: known %v, %d pages, %v; want a known answer over 3 pages or more", base.Known, len(base.Pages), err)
			}
			first := base.Citations[0].Path
			page, want := tt.page(base.Pages), tt.wantLead(base.Pages, first)
			if page == first {
				t.Fatalf("procedure %s is the page the answer leads with already", page)
			}
			e.desk.Triage = procedureTriage{Triager: e.tri, page: page}
			if tt.plain {
				e.desk.Knowledge = answerOnly{e.desk.Knowledge}
			}
			inq := e.process(e.ask(request).ID)
			if inq.State != koban.StateAnswered {
				t.Fatalf("state %s, want answered", inq.State)
			}
			reps := e.rep.delivered(inq.ID)
			if len(reps) != 1 || reps[0].Kind != koban.EventAnswered {
				t.Fatalf("deliveries = %+v, want one answer", reps)
			}
			ans := reps[0].Answer
			if len(ans.Citations) == 0 || ans.Citations[0].Path != want {
				t.Fatalf("reply cites %+v, want %s first", ans.Citations, want)
			}
			if want != first {
				for _, c := range ans.Citations {
					if c.Path != want {
						t.Errorf("reply also cites %s, want the procedure page only", c.Path)
					}
				}
				if !strings.Contains(ans.Text, koban.RelatedHead("en")) || !strings.Contains(ans.Text, base.Citations[0].Section) {
					t.Errorf("reply %q does not list the page ranked first (%s) after the procedure", ans.Text, base.Citations[0].Section)
				}
			} else if ans.Text != base.Text {
				t.Errorf("reply %q, want the answer as composed", ans.Text)
			}
			if len(inq.Citations) == 0 || inq.Citations[0] != want {
				t.Errorf("inquiry citations %v, want %s first", inq.Citations, want)
			}
			if reps[0].Triage.Procedure != page {
				t.Errorf("recorded triage names %q, want %q", reps[0].Triage.Procedure, page)
			}
		})
	}
}
