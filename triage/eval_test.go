package triage

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/eval"
)

// evalDir holds the shared evaluation sets; KOBAN_EVAL_DIR overrides it.
const evalDir = "../../shared/eval"

// evalCase is one line of an evaluation set (see its README).
type evalCase = eval.Case

func loadEvalCases(t *testing.T, path string) []evalCase {
	t.Helper()
	cases, err := eval.LoadCases(path)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// scores are the triage metrics of one run over an evaluation set.
type scores struct {
	n, correct, domainCorrect int
	confusion                 eval.Confusion // want → got
	answered, answeredRight   int
	// For the threshold sweep: predictions that could be answered.
	candidates []candidate
}

// candidate is a self-solvable prediction with a known answer: whether it
// is answered depends on the threshold only.
type candidate struct {
	conf  float64
	right bool
}

// sweep gives answered count and precision at each answer threshold.
func (s *scores) sweep() string {
	var b strings.Builder
	for _, th := range []float64{0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9} {
		n, right := 0, 0
		for _, c := range s.candidates {
			if c.conf >= th {
				n++
				if c.right {
					right++
				}
			}
		}
		fmt.Fprintf(&b, "  threshold %.2f: answered %d, precision %s\n", th, n, ratio(right, n))
	}
	return b.String()
}

func newScores() *scores { return &scores{confusion: eval.Confusion{}} }

func (s *scores) add(want koban.Category, wantDomain koban.Domain, got koban.Triage, a koban.Answer) {
	s.n++
	if a.Known && got.Label.Category == koban.SelfSolvable && !strings.HasPrefix(firstReason(got), "cannot read") {
		s.candidates = append(s.candidates, candidate{got.Confidence, want == koban.SelfSolvable})
	}
	s.confusion.Add(want, got.Label.Category)
	if want == got.Label.Category {
		s.correct++
	}
	if wantDomain == got.Domain {
		s.domainCorrect++
	}
	if got.Decision == koban.DecideAnswer {
		s.answered++
		if want == koban.SelfSolvable {
			s.answeredRight++
		}
	}
}

func (s *scores) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "n=%d accuracy=%.3f macro-F1=%.3f domain-accuracy=%.3f answered=%d answered-precision=%s\n",
		s.n, float64(s.correct)/float64(s.n), s.confusion.MacroF1(), float64(s.domainCorrect)/float64(s.n), s.answered, ratio(s.answeredRight, s.answered))
	for _, c := range koban.Categories {
		cl := s.confusion.Class(c)
		fmt.Fprintf(&b, "  %-14s P=%.3f R=%.3f F1=%.3f support=%d\n", c, cl.Precision, cl.Recall, cl.F1, cl.Support)
	}
	b.WriteString("  confusion (rows want, columns got: self-solvable docs-missing platform-only)\n")
	for _, w := range koban.Categories {
		fmt.Fprintf(&b, "  %-14s", w)
		for _, g := range koban.Categories {
			fmt.Fprintf(&b, " %3d", s.confusion[w][g])
		}
		b.WriteString("\n")
	}
	return b.String()
}

func firstReason(t koban.Triage) string {
	if len(t.Reasons) == 0 {
		return ""
	}
	return t.Reasons[0].Text
}

func ratio(a, b int) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", float64(a)/float64(b))
}

// answerFunc gives the retrieval answer for a case; nil means none.
type answerFunc func(t *testing.T, c evalCase) koban.Answer

// runEval triages every case; online, it learns each case's label after
// triaging it (as the on-call's resolution would teach it).
func runEval(t *testing.T, cases []evalCase, answer answerFunc, online bool, verbose bool) *scores {
	t.Helper()
	ctx := context.Background()
	s, err := New(DefaultConfig(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := newScores()
	for _, c := range cases {
		q := koban.Question{Text: c.Question, Lang: c.Lang}
		var a koban.Answer
		if answer != nil {
			a = answer(t, c)
		}
		got, err := s.Triage(ctx, q, a)
		if err != nil {
			t.Fatalf("Triage(%s): %v", c.ID, err)
		}
		want := c.Category
		sc.add(want, c.Domain, got, a)
		if verbose && (want != got.Label.Category || c.Domain != got.Domain) {
			t.Logf("%-28s want %-13s got %-13s %.2f | domain want %-10s got %-10s | %s", c.ID, want, got.Label.Category, got.Confidence, c.Domain, got.Domain, strings.Join(koban.ReasonTexts(got.Reasons), "; "))
		}
		if online {
			// The detail is not in the sets; learn the category alone.
			if err := s.Learn(ctx, q, koban.Label{Category: want}, c.Domain); err != nil {
				t.Fatal(err)
			}
		}
	}
	return sc
}

var evalSets = []string{"dev.jsonl", "moj-cloud-platform-dev.jsonl", "bcgov-private-cloud-dev.jsonl"}

// TestEvalTextOnly reports triage figures on the evaluation sets from the
// question text alone (no retrieval), offline and online. Run with
// KOBAN_EVAL=1 go test ./triage/ -run TestEval -v.
func TestEvalTextOnly(t *testing.T) {
	if os.Getenv("KOBAN_EVAL") == "" {
		t.Skip("set KOBAN_EVAL=1 to run the triage evaluation against the shared evaluation sets")
	}
	dir := evalDir
	if d := os.Getenv("KOBAN_EVAL_DIR"); d != "" {
		dir = d
	}
	verbose := os.Getenv("KOBAN_EVAL_VERBOSE") != ""
	var all []evalCase
	for _, name := range evalSets {
		cases := loadEvalCases(t, filepath.Join(dir, name))
		all = append(all, cases...)
		off := runEval(t, cases, nil, false, verbose)
		on := runEval(t, cases, nil, true, false)
		t.Logf("%s text-only offline:\n%s", name, off)
		t.Logf("%s text-only online (learn each label after triage):\n%s", name, on)
	}
	t.Logf("all sets text-only offline:\n%s", runEval(t, all, nil, false, false))
	t.Logf("all sets text-only, leave-one-out (each case triaged after learning all the others):\n%s", leaveOneOut(t, all))
}

// leaveOneOut triages each case with every other case learned: how much the
// labels of past inquiries help once there are some.
func leaveOneOut(t *testing.T, cases []evalCase) *scores {
	t.Helper()
	ctx := context.Background()
	sc := newScores()
	for i, c := range cases {
		s, err := New(DefaultConfig(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for j, o := range cases {
			if j == i {
				continue
			}
			if err := s.Learn(ctx, koban.Question{Text: o.Question, Lang: o.Lang}, koban.Label{Category: o.Category}, o.Domain); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Triage(ctx, koban.Question{Text: c.Question, Lang: c.Lang}, koban.Answer{})
		if err != nil {
			t.Fatal(err)
		}
		sc.add(c.Category, c.Domain, got, koban.Answer{})
	}
	return sc
}

// reportWithAnswers logs the figures of one set triaged with the answers
// retrieval gave, offline and online, and the answer-threshold sweep.
func reportWithAnswers(t *testing.T, name string, cases []evalCase, answer answerFunc, verbose bool) (off, on *scores) {
	t.Helper()
	off = runEval(t, cases, answer, false, verbose)
	on = runEval(t, cases, answer, true, false)
	t.Logf("%s with retrieval, offline:\n%s", name, off)
	t.Logf("%s with retrieval, online (learn each label after triage):\n%s", name, on)
	t.Logf("%s answer-threshold sweep, offline:\n%s", name, off.sweep())
	if verbose {
		for _, c := range cases {
			a := answer(t, c)
			top, quadrant := "", koban.Quadrant("")
			if len(a.Pages) > 0 {
				top, quadrant = a.Pages[0].Path, a.Pages[0].Quadrant
			}
			t.Logf("%-28s %-13s known=%-5v conf=%.2f top=%s (%s)", c.ID, c.Category, a.Known, a.Confidence, top, quadrant)
		}
	}
	return off, on
}

// saveAnswers writes the answers of cases to the file name, one JSON object
// per line, for TestEvalCachedAnswers.
func saveAnswers(t *testing.T, name string, cases []evalCase, answers map[string]koban.Answer) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, c := range cases {
		if err := enc.Encode(cachedAnswer{ID: c.ID, Answer: answers[c.ID]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// cachedAnswer is one line of a saved answers file.
type cachedAnswer struct {
	ID     string       `json:"id"`
	Answer koban.Answer `json:"answer"`
}

func loadAnswers(t *testing.T, name string) map[string]koban.Answer {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatalf("open saved answers: %v", err)
	}
	defer f.Close()
	out := make(map[string]koban.Answer)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<22), 1<<22)
	for sc.Scan() {
		var c cachedAnswer
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[c.ID] = c.Answer
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return out
}

// savedAnswers gives the folder of the evaluation sets and the one
// TestEvalWithRetrieval saved their answers in, or skips the test when
// KOBAN_EVAL or KOBAN_EVAL_ANSWERS is not set.
func savedAnswers(t *testing.T) (dir, saved string) {
	t.Helper()
	saved = os.Getenv("KOBAN_EVAL_ANSWERS")
	if os.Getenv("KOBAN_EVAL") == "" || saved == "" {
		t.Skip("set KOBAN_EVAL=1 and KOBAN_EVAL_ANSWERS to a folder TestEvalWithRetrieval saved answers in")
	}
	dir = evalDir
	if d := os.Getenv("KOBAN_EVAL_DIR"); d != "" {
		dir = d
	}
	return dir, saved
}

// TestEvalCachedAnswers replays the answers TestEvalWithRetrieval saved in
// KOBAN_EVAL_ANSWERS: triage figures with retrieval, without indexing, so
// that triage can be tuned against fixed retrieval results:
//
//	KOBAN_EVAL=1 KOBAN_EVAL_ANSWERS=/tmp/answers go test ./triage/ -run TestEvalCachedAnswers -v
//
// Besides each set, it reports every set with the cases of the other sets
// learned first (the labels of another organisation's platform team), and
// the time a Triage call takes.
func TestEvalCachedAnswers(t *testing.T) {
	dir, saved := savedAnswers(t)
	verbose := os.Getenv("KOBAN_EVAL_VERBOSE") != ""
	pooled := newScores()
	for _, name := range evalSets {
		cases := loadEvalCases(t, filepath.Join(dir, name))
		answers := loadAnswers(t, filepath.Join(saved, name))
		answer := func(t *testing.T, c evalCase) koban.Answer { return answers[c.ID] }
		off, _ := reportWithAnswers(t, name, cases, answer, verbose)
		pooled.merge(off)
	}
	t.Logf("all sets with retrieval, offline:\n%s", pooled)
}

// merge adds the counts of o to s.
func (s *scores) merge(o *scores) {
	s.n += o.n
	s.correct += o.correct
	s.domainCorrect += o.domainCorrect
	s.answered += o.answered
	s.answeredRight += o.answeredRight
	s.confusion.Merge(o.confusion)
	s.candidates = append(s.candidates, o.candidates...)
}
