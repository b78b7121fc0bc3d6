package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestAskJSON asks through koban ask --json and reads back the object a
// koban eval --out line holds: the decision, the ranked pages and
// sections, and the text the asker would see.
func TestAskJSON(t *testing.T) {
	env := map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_LOG_LEVEL": "error"}
	getenv := func(k string) string { return env[k] }
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"ask", "--json", "how can I go back to the previous release of my service?"}, getenv, &out, &errb); err != nil {
		t.Fatalf("koban ask --json: %v\n%s", err, errb.String())
	}
	var got struct {
		ID       string   `json:"id"`
		Decision string   `json:"decision"`
		Pages    []string `json:"pages"`
		Sections []string `json:"sections"`
		Answer   string   `json:"answer"`
		Known    bool     `json:"known"`
	}
	dec := json.NewDecoder(&out)
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("koban ask --json printed %q: %v", out.String(), err)
	}
	if dec.More() {
		t.Errorf("koban ask --json printed more than one object")
	}
	if got.Decision != "answer" && got.Decision != "suggest" && got.Decision != "escalate" {
		t.Errorf("decision = %q, want answer, suggest or escalate", got.Decision)
	}
	if len(got.Pages) == 0 || got.Pages[0] != "how-to/roll-back-a-deployment.md" {
		t.Errorf("pages = %v, want the roll-back how-to first", got.Pages)
	}
	if len(got.Sections) == 0 || !strings.HasPrefix(got.Sections[0], "how-to/roll-back-a-deployment.md#") {
		t.Errorf("sections = %v, want a section of the roll-back how-to first", got.Sections)
	}
	if got.Decision == "answer" && !strings.Contains(got.Answer, "hoshi rollback") {
		t.Errorf("answer = %q, want the rollback command", got.Answer)
	}
	if got.Decision == "escalate" && got.Answer != "" {
		t.Errorf("escalated with answer %q, want nothing shown", got.Answer)
	}
}
