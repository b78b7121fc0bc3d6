package docsindex

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kobanhq/koban"
)

func TestQuadrant(t *testing.T) {
	dir := t.TempDir()
	pages := map[string]string{
		// Front matter wins over the folder.
		"how-to/why-we-shard.md": "---\ntitle: Why we shard\ndiataxis: explanation\n---\n\n# Why we shard\n\nSharding spreads the load of the database over several machines.\n",
		"tasks/rotate-keys.md":   "# Rotate keys\n\nRun the rotation job once a quarter.\n",
		"notes/install-cli.md":   "# Install the CLI\n\n## Prerequisites\n\nA terminal.\n",
	}
	for p, md := range pages {
		out := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := OpenMem(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, _, err := ix.Update(context.Background(), []Source{{Path: dir, Lang: "en"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path        string
		want, path0 koban.Quadrant // the index's answer, the path's alone
	}{
		{"how-to/why-we-shard.md", koban.Explanation, koban.HowTo},
		{"tasks/rotate-keys.md", koban.HowTo, koban.HowTo},
		{"notes/install-cli.md", koban.HowTo, koban.Unknown},
		{"concepts/removed-page.md", koban.Explanation, koban.Explanation}, // not in the index
		{"README.md", koban.Unknown, koban.Unknown},
	}
	for _, tt := range tests {
		if got := ix.Quadrant(tt.path); got != tt.want {
			t.Errorf("Quadrant(%q) = %q, want %q", tt.path, got, tt.want)
		}
		if got := QuadrantOfPath(tt.path); got != tt.path0 {
			t.Errorf("QuadrantOfPath(%q) = %q, want %q", tt.path, got, tt.path0)
		}
	}
}

// TestHowToTitle checks which titles name a task: verbs of doing in their
// imperative and -ing forms, and verbs that are also nouns only before
// what they act on.
func TestHowToTitle(t *testing.T) {
	tests := []struct {
		title string
		want  bool
	}{
		{"How to rotate keys", true},
		{"Add a custom domain", true},
		{"Adding secrets to a namespace", true},
		{"Provision a new project", true},
		{"Rotating credentials", true},
		{"Setting up alerts", true},
		{"Using the CLI", true},
		{"Use a private registry", true},
		{"Register a service", true},
		{"Registering an application", true},
		{"US regions", false},
		{"Managing quotas", true},
		{"Specifying resource limits", true},
		{"Access the cluster", true},
		{"Run a one-off job", true},
		{"Sharing a volume between containers", true},
		{"Access control", false},
		{"Request lifecycle", false},
		{"Testing strategy", false},
		{"Getting started", false},
		{"Installation", false},
		{"User guide", false},
		{"Usage", false},
		{"Managed services", false},
		{"Shared responsibility", false},
		{"Deployment strategies", false},
		{"Architecture", false},
	}
	for _, tt := range tests {
		if got := howToTitle.MatchString(tt.title); got != tt.want {
			t.Errorf("howToTitle(%q) = %v, want %v", tt.title, got, tt.want)
		}
	}
}
