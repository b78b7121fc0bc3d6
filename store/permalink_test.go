package store

import (
	"testing"

	"github.com/kobanhq/koban"
)

// TestPermalink checks that an inquiry's thread permalink starts empty
// (NULL), is kept by an update, survives later updates that do not touch it,
// and is listed with the inquiry, in both databases.
func TestPermalink(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		inq := mustCreate(t, s, sampleInquiry("P"))
		if got, _ := s.Inquiry(ctx, inq.ID); got.Permalink != "" {
			t.Fatalf("a new inquiry has permalink %q", got.Permalink)
		}
		var null int
		if err := s.write().queryRow(ctx, `SELECT COUNT(*) FROM inquiries WHERE id = $1 AND permalink IS NULL`, inq.ID).Scan(&null); err != nil {
			t.Fatal(err)
		}
		if null != 1 {
			t.Errorf("a new inquiry's permalink column is not NULL")
		}
		const link = "https://example.slack.com/archives/C1/p1715330000000100"
		if _, err := s.Update(ctx, inq.ID, koban.Event{Kind: koban.EventDelivered}, func(i *koban.Inquiry) { i.Permalink = link }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(ctx, inq.ID, koban.StateResolved, koban.Event{Kind: koban.EventResolved, Actor: "U1"}, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.Inquiry(ctx, inq.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Permalink != link {
			t.Errorf("permalink after resolving = %q, want %q", got.Permalink, link)
		}
		byThread, err := s.InquiryByThread(ctx, inq.Channel, inq.ThreadTS)
		if err != nil || byThread.Permalink != link {
			t.Errorf("InquiryByThread permalink = %q, %v", byThread.Permalink, err)
		}
		withLink := sampleInquiry("P2")
		withLink.MessageTS, withLink.ThreadTS = "1715330001.000100", "1715330001.000100"
		withLink.Permalink = link + "2"
		mustCreate(t, s, withLink)
		all, err := s.Inquiries(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		found := map[int64]string{}
		for _, i := range all {
			found[i.ID] = i.Permalink
		}
		if found[inq.ID] != link || found[withLink.ID] != link+"2" {
			t.Errorf("listed permalinks %v", found)
		}
	})
}
