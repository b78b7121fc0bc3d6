package knowledge

import (
	"strings"
	"testing"
)

// TestMarkOutput wants the code that shows what a command prints told
// apart from what to type, and a transcript's prompted lines kept as its
// commands.
func TestMarkOutput(t *testing.T) {
	tests := []struct {
		name, text string
		output     []bool   // per code block
		commands   []string // of the last code block
	}{
		{
			name:     "introduced as output",
			text:     "Check the queue:\n\n```shell\nqueuectl status\n```\n\nThe output is similar to this:\n\n```\nQUEUE  DEPTH\njobs   12\n```",
			output:   []bool{false, true},
			commands: nil,
		},
		{
			name:     "plain text language",
			text:     "```shell\nqueuectl drain jobs\n```\n\n```none\ndrained 12 jobs\n```",
			output:   []bool{false, true},
			commands: nil,
		},
		{
			name:     "transcript with prompts",
			text:     "```console\n$ queuectl status\nQUEUE  DEPTH\njobs   12\n(prod)$ queuectl drain jobs\ndrained\n```",
			output:   []bool{false},
			commands: []string{"$ queuectl status", "(prod)$ queuectl drain jobs"},
		},
		{
			name:     "client transcript",
			text:     "```console\nredis:6379> rpush jobs \"a\"\n(integer) 1\n```",
			output:   []bool{false},
			commands: []string{`redis:6379> rpush jobs "a"`},
		},
		{
			name:     "the verb introduces a command",
			text:     "To output the queue as JSON, run:\n\n```shell\nqueuectl status -o json\n```",
			output:   []bool{false},
			commands: []string{"queuectl status -o json"},
		},
		{
			name:     "asked to run something to see output",
			text:     "To see the output of the job, run:\n\n```\nqueuectl logs jobs\n```",
			output:   []bool{false},
			commands: []string{"queuectl logs jobs"},
		},
		{
			name:     "yaml after a colon",
			text:     "Add this to the manifest:\n\n```yaml\nqueue: jobs\n```",
			output:   []bool{false},
			commands: []string{"queue: jobs"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []bool
			var last block
			for _, b := range splitBlocks(tt.text) {
				if b.kind == code {
					got = append(got, b.output)
					last = b
				}
			}
			if len(got) != len(tt.output) {
				t.Fatalf("%d code blocks, want %d", len(got), len(tt.output))
			}
			for i := range got {
				if got[i] != tt.output[i] {
					t.Errorf("code block %d output = %v, want %v", i, got[i], tt.output[i])
				}
			}
			if cl := last.commandLines(); strings.Join(cl, "|") != strings.Join(tt.commands, "|") {
				t.Errorf("commandLines = %q, want %q", cl, tt.commands)
			}
		})
	}
}

// TestGlimpseShowsTheCommandNotItsOutput wants a glimpse's code to be the
// line to type, even when the sample output holds more of the question's
// words.
func TestGlimpseShowsTheCommandNotItsOutput(t *testing.T) {
	text := "You can list the expiring leases with the `leases` subcommand:\n\n```shell\nleasectl leases --expiring\n```\n\nThe output is similar to this:\n\n```console\nLEASE   EXPIRING   TEAM\nweb     2d         team-a\n```"
	q := "which leases of my team are expiring soon?"
	g := glimpse(text, askOf(q, CleanQuery(q), nil))
	if !strings.Contains(g, "leasectl leases --expiring") || strings.Contains(g, "TEAM") {
		t.Errorf("glimpse = %q, want the command and not its output", g)
	}
}
