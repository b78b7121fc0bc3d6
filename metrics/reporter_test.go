package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kobanhq/koban"
)

// memLedger is an in-memory Ledger shared by the "processes" of a test.
type memLedger struct {
	mu      sync.Mutex
	held    map[string]bool
	done    map[string]bool
	reports map[string][]byte
}

func newMemLedger() *memLedger {
	return &memLedger{held: map[string]bool{}, done: map[string]bool{}, reports: map[string][]byte{}}
}

func (l *memLedger) Claim(_ context.Context, key string, _ time.Duration) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done[key] || l.held[key] {
		return false, nil
	}
	l.held[key] = true
	return true, nil
}

func (l *memLedger) Done(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.held, key)
	l.done[key] = true
	return nil
}

func (l *memLedger) Release(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.held, key)
	return nil
}

func (l *memLedger) SaveReport(_ context.Context, team, month string, body []byte) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := team + "/" + month
	if _, ok := l.reports[k]; ok {
		return false, nil
	}
	l.reports[k] = body
	return true, nil
}

// recordingPoster records what it is asked to post, failing the first
// failures calls.
type recordingPoster struct {
	mu       sync.Mutex
	failures int
	posted   []Summary
	teams    []string
}

func (p *recordingPoster) PostReport(_ context.Context, team string, s Summary) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failures > 0 {
		p.failures--
		return errors.New("slack: channel_not_found")
	}
	p.posted = append(p.posted, s)
	p.teams = append(p.teams, team)
	return nil
}

func newTestReporter(t *testing.T, schedule string, l Ledger, p Poster) *Reporter {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := NewService(october(), Options{Location: tokyo, Quadrant: quadrantOf}, log, func() time.Time { return reportNow })
	r, err := NewReporter(ReporterConfig{Team: "T1", Schedule: schedule, Service: svc, Ledger: l, Poster: p, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReporterDue(t *testing.T) {
	jst := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, tokyo) }
	tests := []struct {
		schedule string
		now      time.Time
		want     string // month due, "" for none
	}{
		{"", jst(11, 1, 0, 30), ""},
		{"", jst(11, 1, 8, 59), ""},
		{"", jst(11, 1, 9, 0), "2026-10"},
		{"", jst(11, 20, 15, 0), "2026-10"}, // down on the first: still reports
		{"", jst(12, 1, 9, 5), "2026-11"},
		{"0 9 1 * *", jst(1, 1, 9, 0), "2025-12"},
		// 09:00 UTC on the first is 18:00 in Tokyo; months are Tokyo's.
		{"CRON_TZ=UTC 0 9 1 * *", jst(11, 1, 17, 59), ""},
		{"CRON_TZ=UTC 0 9 1 * *", jst(11, 1, 18, 0), "2026-10"},
		{"0 9 2 * *", jst(11, 1, 23, 0), ""},
		{"0 9 2 * *", jst(11, 2, 9, 0), "2026-10"},
	}
	for _, tt := range tests {
		r := newTestReporter(t, tt.schedule, newMemLedger(), &recordingPoster{})
		m, due := r.Due(tt.now)
		got := ""
		if due {
			got = monthKey(m.In(tokyo))
		}
		if got != tt.want {
			t.Errorf("Due(%q, %v) = %q, want %q", tt.schedule, tt.now, got, tt.want)
		}
	}
}

func TestReporterExactlyOnce(t *testing.T) {
	ctx := context.Background()
	ledger := newMemLedger()
	poster := &recordingPoster{}

	// Before the schedule fires nothing happens.
	if err := newTestReporter(t, "", ledger, poster).RunOnce(ctx, reportNow.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if len(poster.posted) != 0 {
		t.Fatalf("posted %d reports before 09:00 on the first, want 0", len(poster.posted))
	}

	// Two processes, each running the job several times at once.
	a, b := newTestReporter(t, "", ledger, poster), newTestReporter(t, "", ledger, poster)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		r := a
		if i%2 == 1 {
			r = b
		}
		wg.Go(func() { errs <- r.RunOnce(ctx, reportNow.Add(time.Duration(i)*time.Minute)) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A restart later that day.
	if err := newTestReporter(t, "", ledger, poster).RunOnce(ctx, reportNow.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}

	if len(poster.posted) != 1 {
		t.Fatalf("posted %d reports, want exactly 1", len(poster.posted))
	}
	s := poster.posted[0]
	if poster.teams[0] != "T1" || s.Month != "2026-10" || len(s.Charts) != 4 || s.Charts[0].Format != "png" {
		t.Errorf("posted %s for team %s with %d charts, want 2026-10 for T1 with 4 PNG charts", s.Month, poster.teams[0], len(s.Charts))
	}
	if f := s.Figures[0]; f.Label != "Inquiries" || f.Value != "100" || f.Change != "+20 (+25.0%) vs 2026-09" {
		t.Errorf("first figure = %+v, want Inquiries 100, +20 (+25.0%%) vs 2026-09", f)
	}
	if !bytes.HasPrefix(s.File, []byte("# koban monthly report: 2026-10\n")) || s.FileName != "koban-report-2026-10.md" {
		t.Errorf("file %s starts %.40q, want the Markdown report", s.FileName, s.File)
	}
	var saved Report
	if err := json.Unmarshal(ledger.reports["T1/2026-10"], &saved); err != nil || saved.Volume.Inquiries != 100 {
		t.Errorf("saved report: %v, %d inquiries; want the October report (100)", err, saved.Volume.Inquiries)
	}
	if !ledger.done[ReportKey("T1", "2026-10")] {
		t.Errorf("key %s not done", ReportKey("T1", "2026-10"))
	}
}

func TestReporterRetriesAfterFailedPost(t *testing.T) {
	ctx := context.Background()
	ledger := newMemLedger()
	poster := &recordingPoster{failures: 1}
	r := newTestReporter(t, "", ledger, poster)
	err := r.RunOnce(ctx, reportNow)
	if err == nil {
		t.Fatal("RunOnce with a failing poster = nil error")
	}
	if ledger.held[ReportKey("T1", "2026-10")] || ledger.done[ReportKey("T1", "2026-10")] {
		t.Error("a failed post left the key claimed or done; want it released for a retry")
	}
	if err := r.RunOnce(ctx, reportNow.Add(time.Hour)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if err := r.RunOnce(ctx, reportNow.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(poster.posted) != 1 {
		t.Errorf("posted %d reports after one failure and two runs, want 1", len(poster.posted))
	}
}

// TestReporterTicks runs the Reporter as the job runner does, every 30
// minutes from 07:00 on 1 November in Tokyo: nothing before 09:00, then
// one report however many ticks follow.
func TestReporterTicks(t *testing.T) {
	poster := &recordingPoster{}
	r := newTestReporter(t, "", newMemLedger(), poster)
	start := reportNow.Add(-2 * time.Hour)
	early := 0
	for now := start; now.Before(start.Add(5 * time.Hour)); now = now.Add(30 * time.Minute) {
		if err := r.RunOnce(t.Context(), now); err != nil {
			t.Fatalf("RunOnce(%s) = %v", now, err)
		}
		if now.Before(reportNow) {
			early += len(poster.posted)
		}
	}
	if early != 0 || len(poster.posted) != 1 {
		t.Errorf("posted %d before 09:00 and %d in all, want 0 and 1", early, len(poster.posted))
	}
}

func TestNewReporterBadSchedule(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := NewService(october(), Options{Location: tokyo}, log, nil)
	_, err := NewReporter(ReporterConfig{Schedule: "every month", Service: svc, Ledger: newMemLedger(), Poster: &recordingPoster{}, Log: log})
	if koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("NewReporter(bad schedule) error = %v, want %s", err, koban.EInvalid)
	}
}

func TestNewSummary(t *testing.T) {
	r := octoberReport(t)
	s, err := NewSummary(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, sec := range s.Sections {
		titles = append(titles, sec.Title)
	}
	want := []string{"Category split", "Docs gaps: 3 missing, 6 unfindable", "Automation candidates"}
	if d := cmp.Diff(want, titles); d != "" {
		t.Errorf("sections (-want +got):\n%s", d)
	}
	if got := s.Sections[1].Lines[0]; got != "how-to/open-a-firewall-port.md (how-to): 0 missing, 4 unfindable" {
		t.Errorf("first docs gap line = %q", got)
	}
	if got := s.Sections[2].Lines[0]; got != "account, app, locked [iam]: 23 requests" {
		t.Errorf("first automation line = %q", got)
	}
	if s.Text != "koban monthly report for 2026-10: 100 inquiries, 12.0% deflected, 9 docs gaps." {
		t.Errorf("text = %q", s.Text)
	}
	for _, f := range s.Figures {
		if f.Label == "First human response (median)" && (f.Value != "3h" || f.Change != "") {
			t.Errorf("figure %+v: want 3h and no change (nothing to compare in September)", f)
		}
	}
}
