package metrics

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

func TestNoFormula(t *testing.T) {
	tests := []struct{ in, want string }{
		{`=HYPERLINK("https://evil.example","click")`, `'=HYPERLINK("https://evil.example","click")`},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"how-to/request-a-database.md", "how-to/request-a-database.md"},
		{"a=b", "a=b"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := noFormula(tt.in); got != tt.want {
			t.Errorf("noFormula(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"how-to/request-a-database.md", "how-to/request-a-database.md"},
		{"C_HELP", "C_HELP"},
		{"_secret_", `\_secret\_`},
		{"[Reset](https://evil.example)", `\[Reset\]\(https://evil.example\)`},
		{"![x](https://evil.example/p.png)", `\!\[x\]\(https://evil.example/p.png\)`},
		{"<script>alert(1)</script>", `&lt;script&gt;alert\(1\)&lt;/script&gt;`},
		{"a | b", `a \| b`},
		{"**bold** `code`", "\\*\\*bold\\*\\* \\`code\\`"},
		{"two\nlines\r\nhere", "two lines here"},
		{"AT&T", "AT&amp;T"},
		{"日本語_テキスト", "日本語_テキスト"},
	}
	for _, tt := range tests {
		if got := cell(tt.in); got != tt.want {
			t.Errorf("cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestExportsNeutraliseFreeText writes a report whose free-text fields (a
// page and a topic typed into the Resolve modal, a channel and a person)
// carry formulas, Markdown links and HTML: the CSV keeps them as text and the
// Markdown shows them without markup.
func TestExportsNeutraliseFreeText(t *testing.T) {
	evil := []string{`=HYPERLINK("https://evil.example","Reset")`, "@SUM(A1:A9)", "<img src=x onerror=alert(1)>", "[Reset your password](https://evil.example)"}
	r := &Report{Month: "2026-10", TimeZone: "UTC"}
	r.DocsGaps.Missing = 1
	r.DocsGaps.ByQuadrant = []QuadrantCount{{Quadrant: koban.Unknown, Missing: 1}}
	r.DocsGaps.Topics = []Cluster{{Topic: evil[0], Quadrant: koban.Unknown, Missing: 1, Pages: []string{evil[1]}, Inquiries: []int64{1}}}
	r.Automation = []Cluster{{Topic: evil[3], Domain: koban.Domain(evil[2]), Count: 2}}
	r.TopPages = []Page{{Path: evil[1], Quadrant: koban.Unknown, Count: 1}}
	r.Channels = []Count{{Name: evil[2], Count: 1, Share: 1}}
	r.OnCall = []Load{{Person: evil[0], Assigned: 1}}
	r.Changes = []Change{NewChange(ChangeInquiries, UnitCount, 1, 3)} // a negative delta stays a number

	var csvOut bytes.Buffer
	if err := WriteCSV(&csvOut, r); err != nil {
		t.Fatal(err)
	}
	text := csvOut.String()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	sawDelta := false
	for _, row := range rows {
		for _, c := range row {
			if c != "" && strings.ContainsRune("=+@\t\r", rune(c[0])) {
				t.Errorf("CSV cell %q in row %q starts a formula", c, row)
			}
		}
		if row[0] == "change" && row[2] == "delta" {
			sawDelta = row[3] == "-2"
		}
	}
	if !sawDelta {
		t.Errorf("CSV lacks the change's delta as the number -2:\n%s", text)
	}
	if !strings.Contains(text, `'=HYPERLINK(""https://evil.example"",""Reset"")`) {
		t.Errorf("CSV lost the topic's text:\n%s", text)
	}

	var md bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, bad := range []string{"<img", "](https://evil.example)", "[Reset your password]"} {
		if strings.Contains(out, bad) {
			t.Errorf("Markdown report contains %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, `\[Reset your password\]`) || !strings.Contains(out, "&lt;img") {
		t.Errorf("Markdown report lost the escaped text:\n%s", out)
	}
}
