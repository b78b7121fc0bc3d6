package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestReportInTeamLanguage runs koban report with language set: the
// report is written in it, in Markdown and in the CSV header.
func TestReportInTeamLanguage(t *testing.T) {
	tests := []struct {
		lang, format string
		want         []string
	}{
		{"ja", "md", []string{"# koban 月次レポート: 2026-10", "## 主な数値", "## 応答時間", "| 問い合わせ数 | 0 |"}},
		{"ja", "csv", []string{"区分,名前,指標,値\n", "volume,2026-10,inquiries,0"}},
		{"en", "md", []string{"# koban monthly report: 2026-10", "## Headline", "## Reply times"}},
		{"en", "csv", []string{"section,name,metric,value\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.format, func(t *testing.T) {
			env := map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_LANGUAGE": tt.lang, "KOBAN_TIME_ZONE": "Asia/Tokyo"}
			var out, errb bytes.Buffer
			if err := run(context.Background(), []string{"report", "--month", "2026-10", "--format", tt.format}, func(k string) string { return env[k] }, &out, &errb); err != nil {
				t.Fatalf("koban report: %v\n%s", err, errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("koban report --format %s in %s lacks %q:\n%s", tt.format, tt.lang, w, out.String())
				}
			}
		})
	}
}
