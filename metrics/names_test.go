package metrics

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestOnCallLoadNames: the report's on-call load names people (Markdown and
// CSV), keeps the ID where no name is known, and says what "web" is.
func TestOnCallLoadNames(t *testing.T) {
	names := map[string]string{"U_A": "Alice"}
	svc := NewService(october(), Options{Location: tokyo, Quadrant: quadrantOf,
		PersonName: func(_ context.Context, id string) string { return names[id] }}, nil,
		func() time.Time { return reportNow })
	r, err := svc.Report(context.Background(), time.Date(2026, 10, 15, 0, 0, 0, 0, tokyo))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.OnCall) != 2 || r.OnCall[0].Name != "Alice" || r.OnCall[0].Person != "U_A" || r.OnCall[1].Name != "" {
		t.Fatalf("on-call load = %+v, want U_A named Alice and U_B unnamed", r.OnCall)
	}
	var md, csv bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&csv, r); err != nil {
		t.Fatal(err)
	}
	for format, want := range map[string][]string{
		"markdown": {"| Alice | 30 | 30 | 28 |", "| U_B | 29 | 29 | 27 |"},
		"csv":      {"on_call,Alice,assigned,30", "on_call,U_B,assigned,29"},
	} {
		text := map[string]string{"markdown": md.String(), "csv": csv.String()}[format]
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", format, w)
			}
		}
		if strings.Contains(text, "U_A") {
			t.Errorf("%s shows Alice by ID", format)
		}
	}

	tests := []struct {
		load Load
		want string
	}{
		{Load{Person: "U_A", Name: "Alice"}, "Alice"},
		{Load{Person: "U_B"}, "U_B"},
		{Load{Person: "web"}, "web UI (shared token)"},
	}
	for _, tt := range tests {
		if got := tt.load.Shown(); got != tt.want {
			t.Errorf("%+v.Shown() = %q, want %q", tt.load, got, tt.want)
		}
	}
}
