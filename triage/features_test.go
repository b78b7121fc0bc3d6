package triage

import (
	"testing"

	"github.com/kobanhq/koban"
)

// TestSelfServeClearsDemand checks that a request the docs describe doing
// loses its demand features and gains the self-serve one, and that any
// other request keeps them.
func TestSelfServeClearsDemand(t *testing.T) {
	const text = "Please create a message queue for the invoices team. Requested by: Ana; Team: invoices; Environment: production"
	a := koban.Answer{Known: true, Confidence: 0.7, Pages: []koban.Citation{{Title: "Create a message queue", Quadrant: koban.HowTo, Score: 10}}}
	for _, selfServe := range []bool{false, true} {
		var v vector
		textFeatures(&v, text, extractSignals(text))
		if v[fAct] != 1 || v[fRequest] != 1 {
			t.Fatalf("text features act=%v request=%v, want both 1", v[fAct], v[fRequest])
		}
		retrievalFeatures(&v, text, a, selfServe, nil)
		demand := v[fAct] + v[fRequest] + v[fDemandConf]
		switch {
		case selfServe && (v[fSelfServe] != 1 || demand != 0):
			t.Errorf("self-serve: self-serve=%v act=%v request=%v demand×confidence=%v, want 1, 0, 0, 0", v[fSelfServe], v[fAct], v[fRequest], v[fDemandConf])
		case !selfServe && (v[fSelfServe] != 0 || v[fAct] != 1 || v[fRequest] != 1 || v[fDemandConf] != 0.7):
			t.Errorf("not self-serve: self-serve=%v act=%v request=%v demand×confidence=%v, want 0, 1, 1, 0.7", v[fSelfServe], v[fAct], v[fRequest], v[fDemandConf])
		}
	}
}

// TestSubject checks which sentence of a message is taken as what it asks.
func TestSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Create a storage bucket for the maps team. Owner: Lee; Cost centre: 42", "Create a storage bucket for the maps team."},
		{"Hi team! Could you create a storage bucket for us? Thanks", "Could you create a storage bucket for us?"},
		{"Hello there.\nWe need a storage bucket created", "We need a storage bucket created"},
		{"Good morning all! Hello! Please create a storage bucket.", "Please create a storage bucket."},
		{"Hi team, could you create a storage bucket? Thanks", "Hi team, could you create a storage bucket?"},
		{"Hello, world peace is not what I am after: a bucket is.", "Hello, world peace is not what I am after:"},
		{"バケットを作成してください。\nチーム: 検索", "バケットを作成してください。"},
		{"作って！ お願いします", "作って！"},
		{"Hi!", "Hi!"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := subject(tt.in); got != tt.want {
			t.Errorf("subject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
