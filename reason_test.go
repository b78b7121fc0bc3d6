package koban

import (
	"encoding/json"
	"reflect"
	"testing"
)

// A reason is said in the reader's language, keeps its English text, and
// reads back from what koban records, including the plain strings it
// recorded before it kept reasons by ID.
func TestReason(t *testing.T) {
	r := Why("why.match_strong", "Confidence", "0.82", "Quadrant", "how-to")
	tests := []struct {
		name   string
		reason Reason
		en, ja string
	}{
		{"by ID", r, "top doc match strong (0.82, how-to)", "ドキュメントとよく一致(0.82、how-to)"},
		{"without data", Why("why.no_match"), "no doc matches", "一致するドキュメントがない"},
		{"text only", Reason{Text: "recorded in English"}, "recorded in English", "recorded in English"},
		{"unknown ID", Reason{ID: "why.gone", Text: "an old reason"}, "an old reason", "an old reason"},
	}
	for _, tt := range tests {
		if got := tt.reason.In("en"); got != tt.en {
			t.Errorf("%s: In(en) = %q, want %q", tt.name, got, tt.en)
		}
		if got := tt.reason.In("ja"); got != tt.ja {
			t.Errorf("%s: In(ja) = %q, want %q", tt.name, got, tt.ja)
		}
		if tt.reason.ID != "" && tt.reason.Text != tt.en && tt.name != "unknown ID" {
			t.Errorf("%s: Text = %q, want the English %q", tt.name, tt.reason.Text, tt.en)
		}
		b, err := json.Marshal(tt.reason)
		if err != nil {
			t.Fatal(err)
		}
		var back Reason
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: unmarshal %s: %v", tt.name, b, err)
		}
		if !reflect.DeepEqual(back, tt.reason) {
			t.Errorf("%s: round trip = %+v, want %+v", tt.name, back, tt.reason)
		}
	}
	var old []Reason
	if err := json.Unmarshal([]byte(`["top doc match weak (0.40, how-to)", {"id":"why.no_match","text":"no doc matches"}]`), &old); err != nil {
		t.Fatal(err)
	}
	if len(old) != 2 || old[0].Text != "top doc match weak (0.40, how-to)" || old[0].ID != "" || old[1].In("ja") != "一致するドキュメントがない" {
		t.Errorf("recorded reasons read back as %+v", old)
	}
}
