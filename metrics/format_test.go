package metrics

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kobanhq/koban"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got); run go test -update if the change is intended:\n%s", name, d)
	}
}

func TestWriteGolden(t *testing.T) {
	r := octoberReport(t)
	for _, tt := range []struct{ format, file string }{
		{"md", "october.md"},
		{"csv", "october.csv"},
	} {
		var b bytes.Buffer
		if err := Write(&b, r, tt.format); err != nil {
			t.Fatalf("Write(%s): %v", tt.format, err)
		}
		golden(t, tt.file, b.Bytes())
	}
}

func TestWriteJSON(t *testing.T) {
	r := octoberReport(t)
	var b bytes.Buffer
	if err := Write(&b, r, "json"); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Month  string `json:"month"`
		Volume struct {
			Inquiries int `json:"inquiries"`
		} `json:"volume"`
		ReplyTimes struct {
			FirstResponse struct {
				N      int     `json:"n"`
				Median float64 `json:"median_seconds"`
				P90    float64 `json:"p90_seconds"`
			} `json:"first_response"`
			Target float64 `json:"target_seconds"`
		} `json:"reply_times"`
		Categories struct {
			Five []LabelCount `json:"five"`
		} `json:"categories"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("report JSON does not parse: %v\n%s", err, b.String())
	}
	fr := got.ReplyTimes.FirstResponse
	if got.Month != "2026-10" || got.Volume.Inquiries != 100 || fr.N != 100 || fr.Median != 5.5 || fr.P90 != 9.1 || got.ReplyTimes.Target != 86400 {
		t.Errorf("JSON = %+v, want month 2026-10, 100 inquiries, first response n=100 median 5.5 s p90 9.1 s, target 86400 s", got)
	}
	if len(got.Categories.Five) != 6 || got.Categories.Five[3].Count != 43 {
		t.Errorf("JSON five-way split = %+v, want 6 rows with platform-only/required at 43", got.Categories.Five)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, octoberReport(t), "xlsx")
	if koban.ErrorCode(err) != koban.EInvalid || !strings.Contains(err.Error(), "xlsx") {
		t.Errorf("Write(xlsx) error = %v, want an %s error naming the format", err, koban.EInvalid)
	}
}
