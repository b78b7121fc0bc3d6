package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	yamlFile := filepath.Join(dir, "koban.yaml")
	if err := os.WriteFile(yamlFile, []byte("data_dir: /srv/koban\nhttp_addr: 0.0.0.0:9000\nknowledge:\n  min_confidence: 0.5\nslack:\n  channels:\n    - {id: C1, mode: questions}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		env     map[string]string
		check   func(t *testing.T, c Config)
		wantErr string
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			if c.DataDir != "./koban-data" || c.HTTPAddr != "127.0.0.1:8080" || c.DatabaseURL != "" || len(c.Docs) != 0 {
				t.Errorf("defaults = %+v", c)
			}
			if c.Knowledge.MinConfidence != 0.35 || c.Report.Cron != "0 9 1 * *" || c.AutoCloseAfter != 7*24*time.Hour {
				t.Errorf("defaults = %+v", c)
			}
			if len(c.Triage.Domains) == 0 {
				t.Error("default triage taxonomy is empty")
			}
		}},
		{name: "yaml file", path: yamlFile, check: func(t *testing.T, c Config) {
			if c.DataDir != "/srv/koban" || c.HTTPAddr != "0.0.0.0:9000" || c.Knowledge.MinConfidence != 0.5 {
				t.Errorf("from yaml = %+v", c)
			}
			if len(c.Slack.Channels) != 1 || c.Slack.Channels[0].Mode != "questions" {
				t.Errorf("channels = %+v", c.Slack.Channels)
			}
		}},
		{name: "env wins over yaml", path: yamlFile, env: map[string]string{"KOBAN_DATA_DIR": "/env", "KOBAN_MIN_CONFIDENCE": "0.2", "SLACK_BOT_TOKEN": "xoxb-1"}, check: func(t *testing.T, c Config) {
			if c.DataDir != "/env" || c.Knowledge.MinConfidence != 0.2 || c.Slack.BotToken != "xoxb-1" {
				t.Errorf("env override = %+v", c)
			}
		}},
		{name: "KOBAN_CONFIG", env: map[string]string{"KOBAN_CONFIG": yamlFile}, check: func(t *testing.T, c Config) {
			if c.DataDir != "/srv/koban" {
				t.Errorf("KOBAN_CONFIG not read: %+v", c)
			}
		}},
		{name: "docs list", env: map[string]string{"KOBAN_DOCS": "/docs/en@en=https://docs.example.com/, /docs/ja@ja"}, check: func(t *testing.T, c Config) {
			if len(c.Docs) != 2 || c.Docs[0] != (DocSource{Path: "/docs/en", Lang: "en", BaseURL: "https://docs.example.com/"}) || c.Docs[1] != (DocSource{Path: "/docs/ja", Lang: "ja"}) {
				t.Errorf("docs = %+v", c.Docs)
			}
		}},
		{name: "missing explicit file", path: filepath.Join(dir, "nope.yaml"), wantErr: "nope.yaml"},
		{name: "bad database url", env: map[string]string{"KOBAN_DATABASE_URL": "mysql://u:hunter2@db/koban"}, wantErr: "must start with postgres://"},
		{name: "bad time zone", env: map[string]string{"KOBAN_TIME_ZONE": "Mars/Olympus"}, wantErr: "time_zone"},
		{name: "japanese", env: map[string]string{"KOBAN_LANGUAGE": "ja"}, check: func(t *testing.T, c Config) {
			if c.Language != "ja" {
				t.Errorf("language = %q, want ja", c.Language)
			}
		}},
		{name: "english by default", check: func(t *testing.T, c Config) {
			if c.Language != "en" {
				t.Errorf("language = %q, want en", c.Language)
			}
		}},
		{name: "unknown language", env: map[string]string{"KOBAN_LANGUAGE": "fr"}, wantErr: `language (KOBAN_LANGUAGE) must be one of en, ja, got "fr"`},
		{name: "locale is not a language", env: map[string]string{"KOBAN_LANGUAGE": "ja-JP"}, wantErr: `must be one of en, ja, got "ja-JP"`},
		{name: "negative memory limit", env: map[string]string{"KOBAN_MEMORY_LIMIT_MB": "-1"}, wantErr: "memory_limit_mb"},
		{name: "bad confidence", env: map[string]string{"KOBAN_MIN_CONFIDENCE": "3"}, wantErr: "min_confidence"},
		{name: "bad number", env: map[string]string{"KOBAN_MIN_CONFIDENCE": "high"}, wantErr: `"MinConfidence"`},
		{name: "wrong token kind", env: map[string]string{"SLACK_BOT_TOKEN": "xapp-1"}, wantErr: "SLACK_BOT_TOKEN must start with xoxb-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			t.Chdir(t.TempDir()) // no stray ./koban.yaml
			c, err := loadConfig(tt.path, os.Getenv)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("loadConfig() error = %v, want one mentioning %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error leaks the database password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("loadConfig() error = %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadGlossary(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.tsv")
	bad := filepath.Join(dir, "bad.tsv")
	if err := os.WriteFile(good, []byte("# our products\nほしDB\thoshi-db\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("ほしDB hoshi-db\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := loadGlossary("")
	if err != nil || g.Translate("データベース") != "database" {
		t.Errorf("loadGlossary(\"\") = %v; want koban's glossary", err)
	}
	g, err = loadGlossary(good)
	if err != nil || g.Translate("ほしDBのデータベース") != "hoshi-db database" {
		t.Errorf("loadGlossary(good) = %v; want koban's glossary with the team's term", err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing.tsv")} {
		if _, err := loadGlossary(path); koban.ErrorCode(err) != koban.EInvalid {
			t.Errorf("loadGlossary(%s) = %v, want an EInvalid error", path, err)
		}
	}
}
