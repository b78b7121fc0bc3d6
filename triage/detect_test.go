package triage

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// message is one line of testdata/messages.jsonl: a channel message written
// for these tests, with whether it asks for anything.
type message struct {
	Text    string `json:"text"`
	Inquiry bool   `json:"inquiry"`
	Kind    string `json:"kind"`
}

func loadMessages(t *testing.T) []message {
	t.Helper()
	f, err := os.Open("testdata/messages.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []message
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("testdata/messages.jsonl: %v", err)
		}
		out = append(out, m)
	}
	return out
}

// TestDetect checks each written message and the rates over them: of the
// messages that ask for nothing at most 10% taken as inquiries, of the
// inquiries at least 97% kept.
func TestDetect(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	var non, taken, inq, missed int
	for _, m := range loadMessages(t) {
		d := s.Detect(m.Text)
		if d.Confidence < 0 || d.Confidence > 1 || d.Reason == "" {
			t.Errorf("Detect(%q) = %+v, want a confidence in [0,1] and a reason", m.Text, d)
		}
		if d.Inquiry != (d.Confidence >= DetectInquiry) {
			t.Errorf("Detect(%q) = %+v: Inquiry disagrees with the confidence", m.Text, d)
		}
		if m.Inquiry {
			inq++
			if !d.Inquiry {
				missed++
				t.Logf("missed inquiry (%s): %q → %.2f %s", m.Kind, m.Text, d.Confidence, d.Reason)
			}
			continue
		}
		non++
		if d.Inquiry {
			taken++
			t.Logf("taken as an inquiry (%s): %q → %.2f %s", m.Kind, m.Text, d.Confidence, d.Reason)
		}
	}
	t.Logf("messages asking for nothing: %d of %d taken as inquiries; inquiries: %d of %d missed", taken, non, missed, inq)
	if 10*taken > non {
		t.Errorf("%d of %d messages that ask for nothing taken as inquiries, want at most 10%%", taken, non)
	}
	if 100*missed > 3*inq {
		t.Errorf("%d of %d inquiries missed, want at most 3%%", missed, inq)
	}
}

func TestDetectBadInput(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	for _, in := range []string{"", "   ", ":tada:", "🙏", "😭🙏🔥", ":fire: :sob: :pray:", "<https://example.com/x>", "<https://example.com/x|runbook>", strings.Repeat("a", 40000), "<@U123>"} {
		if d := s.Detect(in); d.Inquiry {
			t.Errorf("Detect(%.40q) = %+v, want no inquiry", in, d)
		}
	}
	long := strings.Repeat("the deploy fails with error 503 on the ingress ", 900)
	if d := s.Detect(long); !d.Inquiry {
		t.Errorf("Detect(40,000-character error report) = %+v, want an inquiry", d)
	}
}

// TestDetectEvalQuestions checks that the shared evaluation questions, all
// inquiries, are kept (at least 97%); skipped when the sets are absent.
func TestDetectEvalQuestions(t *testing.T) {
	dir := evalDir
	if d := os.Getenv("KOBAN_EVAL_DIR"); d != "" {
		dir = d
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) == 0 {
		t.Skip("no evaluation sets in " + dir)
	}
	s := mustNew(t, DefaultConfig(), nil)
	n, kept := 0, 0
	for _, f := range files {
		for _, c := range loadEvalCases(t, f) {
			if !c.Inquiry() {
				continue
			}
			n++
			if d := s.Detect(c.Question); d.Inquiry {
				kept++
			} else {
				t.Logf("missed %s: %.2f %s", c.ID, d.Confidence, d.Reason)
			}
		}
	}
	t.Logf("evaluation questions kept as inquiries: %d of %d", kept, n)
	if 100*kept < 97*n {
		t.Errorf("%d of %d evaluation questions kept as inquiries, want at least 97%%", kept, n)
	}
}
