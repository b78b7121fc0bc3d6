package triage

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// TestModelFile checks that a saved model starts a new service where the
// old one left off, and that a missing or corrupt file falls back to the
// built-in priors with a warning.
func TestModelFile(t *testing.T) {
	ctx := context.Background()
	s := mustNew(t, DefaultConfig(), nil)
	const text = "The nightly export of our reports is slow again"
	for i := range 30 {
		q := koban.Question{Text: strings.Repeat("x", i%3) + " " + text}
		if err := s.Learn(ctx, q, koban.Label{Category: koban.DocsMissing}, ""); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "model.json")
	var b bytes.Buffer
	if err := s.SaveModel(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	probe := "Our weekly export of the billing reports is slow"
	priors := mustNew(t, DefaultConfig(), nil)
	fresh := mustTriage(t, priors, probe, koban.Answer{})
	cfg := DefaultConfig()
	cfg.ModelFile = name
	loaded := mustNew(t, cfg, nil)
	v := priors.vectorOf(probe, koban.Answer{})
	before, after := priors.prior.probs(&v), loaded.prior.probs(&v)
	if after[1] <= before[1] {
		t.Errorf("P(docs-missing | %q) = %.3f on the priors, %.3f from the saved model; want the saved model to lean to docs-missing", probe, before[1], after[1])
	}

	corrupt := filepath.Join(dir, "corrupt.json")
	os.WriteFile(corrupt, []byte("{not json"), 0o644)
	for _, bad := range []string{filepath.Join(dir, "missing.json"), corrupt} {
		var logs bytes.Buffer
		cfg.ModelFile = bad
		s, err := New(cfg, nil, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatalf("New with model file %s: %v, want the priors", bad, err)
		}
		if got := mustTriage(t, s, probe, koban.Answer{}); got.Label != fresh.Label || got.Confidence != fresh.Confidence {
			t.Errorf("model file %s: Triage = %s %.3f, want the priors' %s %.3f", bad, got.Label, got.Confidence, fresh.Label, fresh.Confidence)
		}
		if !strings.Contains(logs.String(), "using the built-in priors") {
			t.Errorf("model file %s: no warning logged: %q", bad, logs.String())
		}
	}
}
