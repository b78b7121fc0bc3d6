package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/metrics"
)

const reportChannel = "CREPORTS"

// sampleSummary is a monthly report summary as metrics.NewSummary builds it.
func sampleSummary() metrics.Summary {
	return metrics.Summary{
		Month: "2026-10",
		Title: "koban monthly report: 2026-10",
		Text:  "koban monthly report for 2026-10: 100 inquiries, 42.0% deflected, 7 docs gaps.",
		Figures: []metrics.Figure{
			{Label: "Inquiries", Value: "100", Change: "+20 (+25.0%) vs 2026-09"},
			{Label: "Deflection rate", Value: "42.0%", Change: "+2.0 pt vs 2026-09"},
			{Label: "First reply p50", Value: "45s"},
			{Label: "Human reply p90", Value: "-"},
		},
		Sections: []metrics.Section{
			{Title: "Category split", Lines: []string{"self-solvable/answered 40.0% (40)", "platform-only/required 30.0% (30)"}},
			{Title: "Docs gaps: 5 missing, 2 unfindable", Lines: []string{"request a <bigger> database (how-to): 3 missing, 1 unfindable"}},
			{Title: "Automation candidates"},
		},
		Charts: []metrics.Chart{
			{Name: "volume", Title: "Inquiries per day", Format: "png", Data: []byte("\x89PNG volume")},
			{Name: "categories", Title: "Category split", Format: "png", Data: []byte("\x89PNG categories")},
			{Name: "empty", Title: "Nothing to draw", Format: "png"},
		},
		File:     []byte("# koban monthly report: 2026-10\n"),
		FileName: "koban-report-2026-10.md",
	}
}

// summaryIn is the summary metrics.NewSummary builds of a small report in
// lang, with two charts.
func summaryIn(t *testing.T, lang string) metrics.Summary {
	t.Helper()
	r := &metrics.Report{
		Month: "2026-10", Language: lang, TimeZone: "Asia/Tokyo",
		From: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		Volume: metrics.Volume{Inquiries: 100},
		Changes: []metrics.Change{
			metrics.NewChange(metrics.ChangeInquiries, metrics.UnitCount, 100, 80),
			metrics.NewChange(metrics.ChangeDeflection, metrics.UnitShare, 0.42, 0.40),
			metrics.NewChange(metrics.ChangeFirstHuman, metrics.UnitDuration, 3*3600, 4*3600),
		},
		Categories: metrics.Categories{Five: []metrics.LabelCount{{Label: "self-solvable/answered", Count: 40, Share: 0.4}}},
		Deflection: metrics.Deflection{Rate: 0.42},
		DocsGaps: metrics.DocsGaps{Missing: 5, Unfindable: 2, Topics: []metrics.Cluster{
			{Topic: "request a <bigger> database", Quadrant: koban.HowTo, Missing: 3, Unfindable: 1}}},
		Automation: []metrics.Cluster{{Topic: "grant prod read", Domain: "iam", Count: 16}},
	}
	charts := []metrics.Chart{{Name: "volume", Format: "png", Data: []byte("\x89PNG")}, {Name: "categories", Format: "png", Data: []byte("\x89PNG")}}
	s, err := metrics.NewSummary(r, charts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRenderReportLimits(t *testing.T) {
	s := sampleSummary()
	s.Figures = nil
	for i := range 23 {
		s.Figures = append(s.Figures, metrics.Figure{Label: "Figure " + strconv.Itoa(i), Value: strconv.Itoa(i)})
	}
	for range 60 {
		s.Sections = append(s.Sections, metrics.Section{Title: "More", Lines: []string{strings.Repeat("x", 4000)}})
	}
	s.Title = strings.Repeat("long title ", 30)
	msg := renderReport("en", s)
	if n := len(msg.Blocks); n > maxBlocks {
		t.Errorf("renderReport: %d blocks, want at most %d", n, maxBlocks)
	}
	b, err := json.Marshal(msg.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []struct {
		Type   string `json:"type"`
		Text   struct{ Text string }
		Fields []struct{ Text string }
	}
	if err := json.Unmarshal(b, &blocks); err != nil {
		t.Fatal(err)
	}
	var figures int
	for i, bl := range blocks {
		if len(bl.Fields) > maxSectionFields {
			t.Errorf("block %d has %d fields, want at most %d", i, len(bl.Fields), maxSectionFields)
		}
		figures += len(bl.Fields)
		if n := len([]rune(bl.Text.Text)); n > 3000 || (bl.Type == "header" && n > maxHeaderText) {
			t.Errorf("block %d (%s) has %d characters of text", i, bl.Type, n)
		}
	}
	if figures != 23 {
		t.Errorf("renderReport shows %d figures, want all 23", figures)
	}
	if last := blocks[len(blocks)-1]; last.Type != "context" {
		t.Errorf("last block is %s, want the context line about the attachments", last.Type)
	}
}

func TestPostReport(t *testing.T) {
	b, fs := newTestBotWith(t, func(o *ClientOptions, _ *ClientDeps) { o.ReportChannel = reportChannel })
	ctx := context.Background()
	s := sampleSummary()
	if err := b.PostReport(ctx, testTeam, s); err != nil {
		t.Fatalf("PostReport: %v", err)
	}

	posts := fs.posts(reportChannel, "")
	if len(posts) != 1 {
		t.Fatalf("messages in %s = %d, want 1", reportChannel, len(posts))
	}
	text := textOf(t, posts[0])
	for _, want := range []string{s.Title, "*Inquiries*\n100\n_+20 (+25.0%) vs 2026-09_", "request a &lt;bigger&gt; database", "2 charts and the full report"} {
		if !strings.Contains(text, want) {
			t.Errorf("report message lacks %q:\n%s", want, text)
		}
	}

	// Every non-empty file gets an upload URL, is uploaded there with its
	// content, and all are shared at once in the report's thread.
	want := map[string][]byte{
		"koban-volume-2026-10.png":     s.Charts[0].Data,
		"koban-categories-2026-10.png": s.Charts[1].Data,
		"koban-report-2026-10.md":      s.File,
	}
	urls := fs.called("files.getUploadURLExternal")
	if len(urls) != len(want) {
		t.Fatalf("files.getUploadURLExternal calls = %d, want %d", len(urls), len(want))
	}
	for _, c := range urls {
		name := c.Form.Get("filename")
		if data, ok := want[name]; !ok || c.Form.Get("length") != strconv.Itoa(len(data)) {
			t.Errorf("files.getUploadURLExternal(%s, length %s): want one of %v with its length", name, c.Form.Get("length"), want)
		}
	}
	uploads := fs.called("upload")
	var ids []string
	for _, u := range uploads {
		name := u.Form.Get("filename")
		if !bytes.Equal(u.Body, want[name]) {
			t.Errorf("uploaded %s = %q, want %q", name, u.Body, want[name])
		}
		ids = append(ids, u.Form.Get("file_id"))
	}
	if len(uploads) != len(want) {
		t.Errorf("uploads = %d, want %d", len(uploads), len(want))
	}
	done := fs.called("files.completeUploadExternal")
	if len(done) != 1 {
		t.Fatalf("files.completeUploadExternal calls = %d, want 1", len(done))
	}
	if got := done[0].Form.Get("channel_id"); got != reportChannel {
		t.Errorf("files shared in %q, want %s", got, reportChannel)
	}
	if got := done[0].Form.Get("thread_ts"); got != posts[0].TS {
		t.Errorf("files shared in thread %q, want the report's %s", got, posts[0].TS)
	}
	var shared []struct{ ID, Title string }
	if err := json.Unmarshal([]byte(done[0].Form.Get("files")), &shared); err != nil {
		t.Fatal(err)
	}
	var sharedIDs []string
	for _, f := range shared {
		sharedIDs = append(sharedIDs, f.ID)
		if f.Title == "" {
			t.Errorf("file %s shared without a title", f.ID)
		}
	}
	if !slices.Equal(sharedIDs, ids) {
		t.Errorf("shared files %v, want the uploaded %v", sharedIDs, ids)
	}
}

func TestPostReportErrors(t *testing.T) {
	if err := (&Client{}).PostReport(context.Background(), testTeam, sampleSummary()); koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("PostReport without a report channel: code %q (%v), want invalid", koban.ErrorCode(err), err)
	}
	tests := []struct {
		method        string
		fail          failure
		undeliverable bool
		retryAfter    time.Duration
		code          string
	}{
		{"chat.postMessage", failure{slackErr: "not_in_channel"}, true, 0, koban.EInternal},
		{"chat.postMessage", failure{status: http.StatusTooManyRequests, retryAfter: "12"}, false, 12 * time.Second, koban.EUnavailable},
		{"files.getUploadURLExternal", failure{status: http.StatusTooManyRequests, retryAfter: "3"}, false, 3 * time.Second, koban.EUnavailable},
		{"files.getUploadURLExternal", failure{slackErr: "missing_scope"}, true, 0, koban.EInternal},
		{"upload", failure{status: http.StatusServiceUnavailable}, false, 0, koban.EUnavailable},
		{"files.completeUploadExternal", failure{status: http.StatusBadGateway}, false, 0, koban.EUnavailable},
		{"files.completeUploadExternal", failure{slackErr: "channel_not_found"}, true, 0, koban.EInternal},
	}
	for _, tt := range tests {
		b, fs := newTestBotWith(t, func(o *ClientOptions, _ *ClientDeps) { o.ReportChannel = reportChannel })
		fs.failNext(tt.method, tt.fail)
		err := b.PostReport(context.Background(), testTeam, sampleSummary())
		if err == nil {
			t.Errorf("PostReport with %s failing %+v = nil, want an error", tt.method, tt.fail)
			continue
		}
		if got := errors.Is(err, desk.ErrUndeliverable); got != tt.undeliverable {
			t.Errorf("PostReport with %s failing %+v: permanent = %v, want %v (%v)", tt.method, tt.fail, got, tt.undeliverable, err)
		}
		var ra interface{ RetryAfter() time.Duration }
		if got := errors.As(err, &ra); got != (tt.retryAfter > 0) || (got && ra.RetryAfter() != tt.retryAfter) {
			t.Errorf("PostReport with %s failing %+v: RetryAfter found %v, want %v (%v)", tt.method, tt.fail, got, tt.retryAfter, err)
		}
		if got := koban.ErrorCode(err); got != tt.code {
			t.Errorf("PostReport with %s failing %+v: code %q, want %q (%v)", tt.method, tt.fail, got, tt.code, err)
		}
		if !strings.Contains(err.Error(), "2026-10") {
			t.Errorf("PostReport error %q does not name the month", err)
		}
	}
}
