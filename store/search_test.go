package store

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

func TestSearchTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []SearchTerm
	}{
		{"Billing  token", []SearchTerm{{Text: "billing"}, {Text: "token"}}},
		{`"Stale  numbers" -deploy`, []SearchTerm{{Text: "stale numbers"}, {Text: "deploy", Exclude: true}}},
		{`"unclosed phrase`, []SearchTerm{{Text: "unclosed phrase"}}},
		{`- "" -`, nil},
		{"接続 できません", []SearchTerm{{Text: "接続"}, {Text: "できません"}}},
	}
	for _, tt := range tests {
		if got := SearchTerms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SearchTerms(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestSearchText checks that both databases find the same inquiries for
// the same words, with the other filters.
func TestSearchText(t *testing.T) {
	texts := []struct {
		text   string
		domain koban.Domain
	}{
		{"Rotate the Vault token for the billing service", "security"},
		{"Billing dashboard shows stale numbers after deploy", "observability"},
		{"ステージング環境のデータベースに接続できません", "database"},
		{"How to rotate TLS certificates on the ingress", "networking"},
	}
	tests := []struct {
		q      string
		domain koban.Domain
		want   []int // indexes into texts, newest first
	}{
		{"billing", "", []int{1, 0}},
		{"billing rotate", "", []int{0}},
		{"ROTATE", "", []int{3, 0}},
		{"billing -dashboard", "", []int{0}},
		{`"stale numbers"`, "", []int{1}},
		{`"numbers stale"`, "", nil},
		{"データベース", "", []int{2}},
		{"接続 ステージング", "", []int{2}},
		{"rotate", "networking", []int{3}},
		{"kubernetes", "", nil},
		{`""`, "", nil},
	}
	forEachDB(t, func(t *testing.T, opts Options) {
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		var ids []int64
		for i, tx := range texts {
			clk.Set(time.Date(2026, 5, 1+i, 9, 0, 0, 0, time.UTC))
			in := sampleInquiry(fmt.Sprintf("Search%d", i))
			in.Text, in.Domain, in.CreatedAt = tx.text, tx.domain, clk.Now()
			ids = append(ids, mustCreate(t, s, in).ID)
		}
		for _, tt := range tests {
			got, err := s.Inquiries(t.Context(), Filter{Text: tt.q, Domain: tt.domain})
			if err != nil {
				t.Fatalf("Inquiries(%q): %v", tt.q, err)
			}
			var gotIDs, wantIDs []int64
			for _, q := range got {
				gotIDs = append(gotIDs, q.ID)
			}
			for _, i := range tt.want {
				wantIDs = append(wantIDs, ids[i])
			}
			if !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("search %q in %q = %v, want %v", tt.q, tt.domain, gotIDs, wantIDs)
			}
		}
	})
}

func TestFeedTokens(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		_, err := s.FeedToken(ctx, "all")
		wantCode(t, "FeedToken before any", err, koban.ENotFound)
		tok, err := s.EnsureFeedToken(ctx, "all", "first")
		if err != nil || tok != "first" {
			t.Fatalf("EnsureFeedToken = %q, %v; want first", tok, err)
		}
		// A second replica's candidate loses to the stored token.
		if tok, err = s.EnsureFeedToken(ctx, "all", "second"); err != nil || tok != "first" {
			t.Fatalf("EnsureFeedToken again = %q, %v; want first", tok, err)
		}
		if err := s.ReplaceFeedToken(ctx, "all", "third"); err != nil {
			t.Fatal(err)
		}
		if tok, err = s.FeedToken(ctx, "all"); err != nil || tok != "third" {
			t.Fatalf("FeedToken after replace = %q, %v; want third", tok, err)
		}
		// Feeds are separate.
		if tok, err = s.EnsureFeedToken(ctx, "rotation:platform", "other"); err != nil || tok != "other" {
			t.Fatalf("EnsureFeedToken(rotation) = %q, %v; want other", tok, err)
		}
		if tok, _ = s.FeedToken(ctx, "all"); tok != "third" {
			t.Errorf("the rotation's feed changed the other's token to %q", tok)
		}
	})
}
