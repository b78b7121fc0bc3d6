package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConfigStrict loads one koban.yaml per configuration mistake and
// checks the error names what is wrong, where, and what to write instead.
func TestConfigStrict(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    []string // substrings of the error, in order
		notWant string
		check   func(t *testing.T, c Config)
	}{
		{name: "misspelt top-level key", yaml: "data_dir: /srv\ndatabse_url: postgres://x\n",
			want: []string{"line 2: unknown key databse_url (did you mean database_url?)"}},
		{name: "misspelt language key", yaml: "langauge: ja\n",
			want: []string{"line 1: unknown key langauge (did you mean language?)"}},
		{name: "language in the file", yaml: "language: ja\n",
			check: func(t *testing.T, c Config) {
				if c.Language != "ja" {
					t.Errorf("language = %q, want ja", c.Language)
				}
			}},
		{name: "unknown language in the file", yaml: "language: japanese\n",
			want: []string{`language (KOBAN_LANGUAGE) must be one of en, ja, got "japanese"`}},
		{name: "misspelt nested key", yaml: "knowledge:\n  min_confidance: 0.3\n",
			want: []string{"line 2: unknown key knowledge.min_confidance (did you mean knowledge.min_confidence?)"}},
		{name: "several unknown keys", yaml: "slack:\n  chanels:\n    - {id: C1}\ndocs_refesh: 1m\nfrobnicate: yes\n",
			want:    []string{"line 2: unknown key slack.chanels (did you mean slack.channels?)", "line 4: unknown key docs_refesh (did you mean docs_refresh?)", "line 5: unknown key frobnicate"},
			notWant: "frobnicate (did you mean"},
		{name: "unknown key in a list item", yaml: "slack:\n  channels:\n    - {id: C1, mdoe: all}\n",
			want: []string{"line 3: unknown key slack.channels.mdoe (did you mean slack.channels.mode?)"}},
		{name: "unknown key in a rotation", yaml: "oncall:\n  rotations:\n    - name: platform\n      memberz: [U1]\n",
			want: []string{"line 4: unknown key oncall.rotations.memberz (did you mean oncall.rotations.members?)"}},
		{name: "zero durations as documented", yaml: "docs_refresh: 0\nauto_close_after: 0\nretention: 0\nllm:\n  timeout: 0\n",
			check: func(t *testing.T, c Config) {
				if c.DocsRefresh != 0 || c.AutoCloseAfter != 0 || c.Retention != 0 || c.LLM.Timeout != 0 {
					t.Errorf("zeros not taken: refresh %v, auto close %v, retention %v, timeout %v", c.DocsRefresh, c.AutoCloseAfter, c.Retention, c.LLM.Timeout)
				}
			}},
		{name: "durations with units still parse", yaml: "docs_refresh: 10m\nauto_close_after: 72h\nretention: 400d\n",
			check: func(t *testing.T, c Config) {
				if c.DocsRefresh != 10*time.Minute || c.AutoCloseAfter != 72*time.Hour || time.Duration(c.Retention) != 400*24*time.Hour {
					t.Errorf("got refresh %v, auto close %v, retention %v", c.DocsRefresh, c.AutoCloseAfter, time.Duration(c.Retention))
				}
			}},
		{name: "a bare number of seconds", yaml: "data_dir: /srv\ndocs_refresh: 300\n",
			want: []string{"line 2: docs_refresh: 300 has no unit", "5m"}},
		{name: "mis-indented list item", yaml: "slack:\n  channels:\n    - id: C1\n    mode: all\n",
			want: []string{"line 4: ", `(at "mode: all")`}},
		{name: "key indented too little", yaml: "data_dir: /srv\nknowledge:\n  min_confidence: 0.4\n glossary: g.tsv\n",
			want: []string{"line 4: ", `(at "glossary: g.tsv")`}},
		{name: "unclosed quote", yaml: "data_dir: /srv\nhttp_addr: \"127.0.0.1:8080\nlog_level: info\n",
			want: []string{"line 2: ", `(at "http_addr: \"127.0.0.1:8080")`}},
		{name: "tab indentation", yaml: "slack:\n  channels:\n  - id: C1\n\tmode: all\n",
			want: []string{"line 4: ", "tab"}},
		{name: "channel given by name", yaml: "slack:\n  channels:\n    - {id: \"#platform-help\", mode: all}\n",
			want: []string{`slack.channels: "#platform-help" is a channel name, not its ID: give the channel ID (C…)`}},
		{name: "channel name without hash", yaml: "slack:\n  channels:\n    - {id: platform-help}\n",
			want: []string{`"platform-help" is a channel name`}},
		{name: "report channel by name", yaml: "report:\n  channel: \"#platform-reports\"\n",
			want: []string{`report.channel (KOBAN_REPORT_CHANNEL): "#platform-reports" is a channel name`}},
		{name: "channel IDs accepted", yaml: "slack:\n  channels:\n    - {id: C0GEN, mode: all}\n    - {id: G0PRIV}\nreport:\n  channel: C0REP\n",
			check: func(t *testing.T, c Config) {
				if len(c.Slack.Channels) != 2 || c.Report.Channel != "C0REP" {
					t.Errorf("channels = %+v, report %q", c.Slack.Channels, c.Report.Channel)
				}
			}},
		{name: "empty file", yaml: "", check: func(t *testing.T, c Config) {
			if c.DataDir != "./koban-data" {
				t.Errorf("empty file: %+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "koban.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := loadConfig(path, func(string) string { return "" })
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("loadConfig: %v", err)
				}
				tt.check(t, c)
				return
			}
			if err == nil {
				t.Fatalf("loadConfig accepted %q", tt.yaml)
			}
			msg := err.Error()
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error %q lacks %q (in order)", msg, w)
				}
				rest = rest[i+len(w):]
			}
			if tt.notWant != "" && strings.Contains(msg, tt.notWant) {
				t.Errorf("error %q has %q", msg, tt.notWant)
			}
		})
	}
}

// TestIndexFolderArgument: koban index FOLDER indexes that folder, and
// refuses what it cannot take.
func TestIndexFolderArgument(t *testing.T) {
	docs := t.TempDir()
	if err := os.WriteFile(filepath.Join(docs, "vpn.md"), []byte("# Connect to the office network\n\nUse the client profile from the portal and sign in with your badge.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(docs, "vpn.md")
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "a folder", args: []string{docs}},
		{name: "two folders", args: []string{docs, docs}, wantErr: "at most one folder"},
		{name: "a file", args: []string{file}, wantErr: "is not a folder"},
		{name: "missing", args: []string{filepath.Join(docs, "nope")}, wantErr: "nope"},
		{name: "list and a folder", args: []string{"--list", docs}, wantErr: "--list takes no folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			var stdout, stderr bytes.Buffer
			env := map[string]string{"KOBAN_DATA_DIR": data, "KOBAN_LOG_LEVEL": "error"}
			err := run(context.Background(), append([]string{"index"}, tt.args...), func(k string) string { return env[k] }, &stdout, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("index: %v\n%s", err, stderr.String())
			}
			// The folder alone is indexed, not the configured (sample) docs.
			if !strings.HasPrefix(stdout.String(), "indexed 1 pages") {
				t.Errorf("index %s printed %q, want its one page indexed", docs, stdout.String())
			}
		})
	}
}
