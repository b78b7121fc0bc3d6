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
	for _, tt := range []struct{ lang, format, file string }{
		{"", "md", "october.md"},
		{"", "csv", "october.csv"},
		{"ja", "md", "october_ja.md"},
		{"ja", "csv", "october_ja.csv"},
	} {
		r := octoberReportIn(t, tt.lang)
		var b bytes.Buffer
		if err := Write(&b, r, tt.format); err != nil {
			t.Fatalf("Write(%s): %v", tt.format, err)
		}
		golden(t, tt.file, b.Bytes())
	}
}

// TestJapaneseReport checks that a report in Japanese is Japanese where
// people read it, and has the same figures as the English one.
func TestJapaneseReport(t *testing.T) {
	en, ja := octoberReportIn(t, ""), octoberReportIn(t, "ja")
	var mdEN, mdJA, csvEN, csvJA bytes.Buffer
	for _, w := range []struct {
		r   *Report
		fmt string
		b   *bytes.Buffer
	}{{en, "md", &mdEN}, {ja, "md", &mdJA}, {en, "csv", &csvEN}, {ja, "csv", &csvJA}} {
		if err := Write(w.b, w.r, w.fmt); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"# koban 月次レポート: 2026-10", "## 応答時間", "| koban の最初の応答 |", "## 自己解決", "| 問い合わせ数 |"} {
		if !strings.Contains(mdJA.String(), want) {
			t.Errorf("Japanese Markdown lacks %q", want)
		}
	}
	for _, english := range []string{"## Reply times", "inquiries.", "No page was cited"} {
		if strings.Contains(mdJA.String(), english) {
			t.Errorf("Japanese Markdown still says %q", english)
		}
	}
	headEN, restEN, _ := strings.Cut(csvEN.String(), "\n")
	headJA, restJA, _ := strings.Cut(csvJA.String(), "\n")
	if headEN != "section,name,metric,value" || headJA != "区分,名前,指標,値" {
		t.Errorf("CSV headers %q and %q", headEN, headJA)
	}
	if restEN != restJA {
		t.Error("the CSV rows differ between languages: their keys must not")
	}
	s, err := NewSummary(ja, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != "koban 月次レポート: 2026-10" || s.Figures[0].Label != "問い合わせ数" || !strings.HasPrefix(s.Figures[0].Change, "2026-09 比 ") {
		t.Errorf("Japanese summary: title %q, first figure %+v", s.Title, s.Figures[0])
	}
	if !strings.HasPrefix(s.Text, "koban 月次レポート 2026-10: 問い合わせ 100 件") {
		t.Errorf("Japanese summary text %q", s.Text)
	}
	if en.Volume.Inquiries != ja.Volume.Inquiries || en.Deflection != ja.Deflection || len(en.Changes) != len(ja.Changes) {
		t.Error("the figures differ between languages")
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
