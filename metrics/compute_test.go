package metrics

import (
	"context"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kobanhq/koban"
)

// reportNow is when the October report is made: 1 November 2026, 09:00 in Tokyo.
var reportNow = time.Date(2026, 11, 1, 9, 0, 0, 0, tokyo)

func octoberReport(t *testing.T) *Report { t.Helper(); return octoberReportIn(t, "") }

// octoberReportIn is octoberReport in language lang.
func octoberReportIn(t *testing.T, lang string) *Report {
	t.Helper()
	svc := NewService(october(), Options{Location: tokyo, Quadrant: quadrantOf, Language: lang}, slog.New(slog.NewTextHandler(io.Discard, nil)),
		func() time.Time { return reportNow })
	r, err := svc.Report(context.Background(), time.Date(2026, 10, 15, 0, 0, 0, 0, tokyo))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var approx = cmpopts.EquateApprox(0, 1e-9)

func TestComputeOctober(t *testing.T) {
	r := octoberReport(t)

	if r.Month != "2026-10" || r.TimeZone != "Asia/Tokyo" || !r.From.Equal(time.Date(2026, 9, 30, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("month = %s %s from %v, want 2026-10 Asia/Tokyo from 2026-09-30T15:00Z", r.Month, r.TimeZone, r.From)
	}
	if r.Volume.Inquiries != 100 {
		t.Errorf("inquiries = %d, want 100 (the inquiries at 30 Sep 23:30 and 1 Nov 00:30 in Tokyo belong to other months)", r.Volume.Inquiries)
	}

	wantFive := []LabelCount{
		{"self-solvable/answered", 16, 0.16, 10},
		{"self-solvable/docs-unfindable", 6, 0.06, 6},
		{"docs-missing", 3, 0.03, 3},
		{"platform-only/required", 43, 0.43, 20},
		{"platform-only/automation-candidate", 16, 0.16, 8},
		{Unclassified, 16, 0.16, 2},
	}
	if d := cmp.Diff(wantFive, r.Categories.Five, approx); d != "" {
		t.Errorf("five-way split (-want +got):\n%s", d)
	}
	wantThree := []LabelCount{
		{"self-solvable", 26, 0.26, 18},
		{"docs-missing", 3, 0.03, 3},
		{"platform-only", 59, 0.59, 28},
		{Unclassified, 12, 0.12, 0},
	}
	if d := cmp.Diff(wantThree, r.Categories.Three, approx); d != "" {
		t.Errorf("three-way split (-want +got):\n%s", d)
	}
	if r.Categories.HumanConfirmed != 49 {
		t.Errorf("human confirmed = %d, want 49", r.Categories.HumanConfirmed)
	}
	if d := cmp.Diff(Accuracy{Compared: 49, TopLevel: 43.0 / 49, FiveWay: 30.0 / 49}, r.Accuracy, approx); d != "" {
		t.Errorf("accuracy (-want +got):\n%s", d)
	}

	wantDomains := []Count{
		{"iam", 39, 0.39}, {"database", 20, 0.20}, {"ci-cd", 16, 0.16},
		{"other", 12, 0.12}, {"network", 9, 0.09}, {"computing", 4, 0.04},
	}
	if d := cmp.Diff(wantDomains, r.Domains, approx); d != "" {
		t.Errorf("domains (-want +got):\n%s", d)
	}

	rt := r.ReplyTimes
	for _, tt := range []struct {
		name string
		got  Durations
		want Durations
	}{
		// 1..10 s, ten each: ranks 49.5 and 89.1.
		{"first response", rt.FirstResponse, Durations{N: 100, Median: 5500 * time.Millisecond, P90: 9100 * time.Millisecond}},
		// 1..5 h ten each, then 30 h five times: ranks 27 and 48.6.
		{"first human response", rt.FirstHuman, Durations{N: 55, Median: 3 * time.Hour, P90: 5 * time.Hour}},
		// 30 min sixteen times, 2..6 h ten each, 31 h five times: ranks 35 and 63.
		{"resolution", rt.Resolution, Durations{N: 71, Median: 3 * time.Hour, P90: 6 * time.Hour}},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
	if rt.Escalations != 59 || rt.WithinTarget != 50 || rt.Pending != 1 || math.Abs(rt.WithinShare-50.0/58) > 1e-9 {
		t.Errorf("escalations = %d, within target %d, pending %d, share %v; want 59, 50, 1, 50/58",
			rt.Escalations, rt.WithinTarget, rt.Pending, rt.WithinShare)
	}
	bucketTotal := func(f func(Bucket) int) (n int) {
		for _, b := range rt.Buckets {
			n += f(b)
		}
		return n
	}
	if a, b, c := bucketTotal(func(b Bucket) int { return b.FirstResponse }), bucketTotal(func(b Bucket) int { return b.FirstHuman }),
		bucketTotal(func(b Bucket) int { return b.Resolution }); a != 100 || b != 55 || c != 71 || rt.Buckets[0].FirstResponse != 100 {
		t.Errorf("buckets hold %d, %d, %d times (first bucket %d), want 100, 55, 71 (all first responses under a minute)", a, b, c, rt.Buckets[0].FirstResponse)
	}

	if d := cmp.Diff(Deflection{Answered: 16, Solved: 12, Rate: 0.12, NeedHuman: 2, DocsWrong: 2}, r.Deflection, approx); d != "" {
		t.Errorf("deflection (-want +got):\n%s", d)
	}

	wantGaps := DocsGaps{
		Missing: 3, Unfindable: 6,
		ByQuadrant: []QuadrantCount{
			{koban.HowTo, 0, 4}, {koban.Reference, 0, 2}, {koban.Explanation, 1, 0}, {koban.Unknown, 2, 0},
		},
		Topics: []Cluster{
			{Topic: "how-to/open-a-firewall-port.md", Terms: []string{"firewall", "open", "payment"}, Domain: "network", Quadrant: koban.HowTo,
				Pages: []string{"how-to/open-a-firewall-port.md"}, Count: 4, Unfindable: 4, Inquiries: []int64{79, 80, 81, 82}},
			{Topic: "balancer, internal, ipv6", Terms: []string{"balancer", "internal", "ipv6"}, Domain: "network", Quadrant: koban.Unknown,
				Count: 2, Missing: 2, Inquiries: []int64{76, 77}},
			{Topic: "reference/network-limits.md", Terms: []string{"balancer", "connection", "load"}, Domain: "network", Quadrant: koban.Reference,
				Pages: []string{"reference/network-limits.md"}, Count: 2, Unfindable: 2, Inquiries: []int64{83, 84}},
			{Topic: "explanation/network-overview.md", Terms: []string{"ipv6", "ロードバランサー", "対応"}, Domain: "network", Quadrant: koban.Explanation,
				Pages: []string{"explanation/network-overview.md"}, Count: 1, Missing: 1, Inquiries: []int64{78}},
		},
	}
	if d := cmp.Diff(wantGaps, r.DocsGaps); d != "" {
		t.Errorf("docs gaps (-want +got):\n%s", d)
	}

	wantAuto := []Cluster{
		{Topic: "account, app, locked", Terms: []string{"account", "app", "locked"}, Domain: "iam", Count: 23, Inquiries: []int64{21, 22, 23, 24, 25}},
		{Topic: "grant, prod, read", Terms: []string{"grant", "prod", "read"}, Domain: "iam", Count: 16, Automation: 16, Inquiries: []int64{44, 45, 46, 47, 48}},
		{Topic: "cluster, database, failover", Terms: []string{"cluster", "database", "failover"}, Domain: "database", Count: 15, Inquiries: []int64{1, 2, 3, 4, 5}},
	}
	if d := cmp.Diff(wantAuto, r.Automation); d != "" {
		t.Errorf("automation candidates (-want +got):\n%s", d)
	}

	wantPages := []Page{
		{"reference/ci-variables.md", koban.Reference, 16},
		{"how-to/deploy-with-argo.md", koban.HowTo, 10},
		{"how-to/open-a-firewall-port.md", koban.HowTo, 4},
		{"reference/network-limits.md", koban.Reference, 2},
		{"explanation/network-overview.md", koban.Explanation, 1},
	}
	if d := cmp.Diff(wantPages, r.TopPages); d != "" {
		t.Errorf("top pages (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]Count{{"C_HELP", 70, 0.7}, {"C_INFRA", 30, 0.3}}, r.Channels, approx); d != "" {
		t.Errorf("channels (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]Load{{Person: "U_A", Assigned: 30, Escalated: 30, Resolved: 28}, {Person: "U_B", Assigned: 29, Escalated: 29, Resolved: 27}}, r.OnCall); d != "" {
		t.Errorf("on-call load (-want +got):\n%s", d)
	}
	if r.Tokens != 13900 {
		t.Errorf("tokens = %d, want 59×100 + 16×500 = 13900", r.Tokens)
	}

	rel := func(f float64) *float64 { return &f }
	wantChanges := map[string]Change{
		ChangeInquiries:    {Name: ChangeInquiries, Unit: UnitCount, Current: 100, Previous: 80, Delta: 20, Relative: rel(0.25)},
		ChangeDeflection:   {Name: ChangeDeflection, Unit: UnitShare, Current: 0.12, Previous: 0.5, Delta: -0.38, Relative: rel(-0.76)},
		ChangePlatformOnly: {Name: ChangePlatformOnly, Unit: UnitShare, Current: 0.59, Previous: 0.5, Delta: 0.09, Relative: rel(0.18)},
		ChangeDocsGaps:     {Name: ChangeDocsGaps, Unit: UnitCount, Current: 9, Previous: 0, Delta: 9},
		ChangeTokens:       {Name: ChangeTokens, Unit: UnitCount, Current: 13900, Previous: 4000, Delta: 9900, Relative: rel(2.475)},
		ChangeFirstHuman:   {Name: ChangeFirstHuman, Unit: UnitDuration, Current: 3 * 3600, NoPrevious: true},
	}
	for _, c := range r.Changes {
		want, ok := wantChanges[c.Name]
		if !ok {
			continue
		}
		delete(wantChanges, c.Name)
		if d := cmp.Diff(want, c, approx); d != "" {
			t.Errorf("change of %s (-want +got):\n%s", c.Name, d)
		}
	}
	for name := range wantChanges {
		t.Errorf("no change reported for %s", name)
	}

	wantHistory := make([]MonthCount, 12)
	for i := range wantHistory {
		wantHistory[i].Month = time.Date(2025, time.Month(11+i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	wantHistory[10].Count, wantHistory[11].Count = 80, 100
	if d := cmp.Diff(wantHistory, r.Volume.History); d != "" {
		t.Errorf("history (-want +got):\n%s", d)
	}
}

func TestComputeHistory(t *testing.T) {
	src, counts := history()
	svc := NewService(src, Options{Location: tokyo}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	r, err := svc.Report(context.Background(), time.Date(2026, 10, 1, 0, 0, 0, 0, tokyo))
	if err != nil {
		t.Fatal(err)
	}
	v := r.Volume
	if v.Average != 13 || v.Min != 4 || v.Max != 25 || v.Inquiries != 15 {
		t.Errorf("volume = %d, average %v, min %d, max %d; want 15, 13, 4, 25", v.Inquiries, v.Average, v.Min, v.Max)
	}
	if len(v.History) != 12 || v.History[0] != (MonthCount{"2025-11", 4}) || v.History[4] != (MonthCount{"2026-03", 25}) {
		t.Fatalf("history = %v, want 12 months from 2025-11 (4) with 2026-03 at 25", v.History)
	}
	for i, h := range v.History {
		if h.Count != counts[i] {
			t.Errorf("history[%d] = %v, want %d", i, h, counts[i])
		}
	}
	// September had 20, October 15: -5, -25 %.
	c := r.Changes[0]
	if c.Name != ChangeInquiries || c.Delta != -5 || c.Relative == nil || *c.Relative != -0.25 {
		t.Errorf("inquiries change = %+v, want delta -5, relative -0.25", c)
	}
}

func TestPercentile(t *testing.T) {
	s := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Second
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 50, 0},
		{s(7), 90, 7 * time.Second},
		{s(1, 2, 3), 50, 2 * time.Second},
		{s(1, 2, 3, 4), 50, 2500 * time.Millisecond},
		{s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9100 * time.Millisecond}, // rank 8.1
		{s(10, 20), 90, 19 * time.Second},
		{s(1, 2, 3), 0, time.Second},
		{s(1, 2, 3), 100, 3 * time.Second},
	}
	for _, tt := range tests {
		if got := Percentile(tt.in, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.in, tt.p, got, tt.want)
		}
	}
}

func TestNewChange(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	tests := []struct {
		unit      Unit
		cur, prev float64
		want      Change
		text      string
	}{
		{UnitCount, 120, 100, Change{Unit: UnitCount, Current: 120, Previous: 100, Delta: 20, Relative: f(0.2)}, "+20 (+20.0%)"},
		{UnitCount, 75, 100, Change{Unit: UnitCount, Current: 75, Previous: 100, Delta: -25, Relative: f(-0.25)}, "-25 (-25.0%)"},
		{UnitCount, 5, 0, Change{Unit: UnitCount, Current: 5, Previous: 0, Delta: 5}, "+5"},
		{UnitShare, 0.43, 0.40, Change{Unit: UnitShare, Current: 0.43, Previous: 0.40, Delta: 0.03, Relative: f(0.075)}, "+3.0 pt"},
		{UnitDuration, 90, 150, Change{Unit: UnitDuration, Current: 90, Previous: 150, Delta: -60, Relative: f(-0.4)}, "-1m"},
		{UnitDuration, 95, 150, Change{Unit: UnitDuration, Current: 95, Previous: 150, Delta: -55, Relative: f(-55.0 / 150)}, "-55s"},
	}
	for _, tt := range tests {
		got := NewChange("", tt.unit, tt.cur, tt.prev)
		if d := cmp.Diff(tt.want, got, approx); d != "" {
			t.Errorf("NewChange(%s, %v, %v) (-want +got):\n%s", tt.unit, tt.cur, tt.prev, d)
		}
		if s := formatChange(got); s != tt.text {
			t.Errorf("formatChange(%+v) = %q, want %q", got, s, tt.text)
		}
	}
}

func TestTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"How do I get access to the prod database?", []string{"access", "database", "prod"}},
		{"Buckets: 3 buckets, 42 objects", []string{"bucket", "object"}},
		{"本番データベースの権限がほしい", []string{"データベース", "本番", "権限"}},
		{"ok", nil},
	}
	for _, tt := range tests {
		if got := terms(tt.in); !cmp.Equal(tt.want, got, cmpopts.EquateEmpty()) {
			t.Errorf("terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseMonth(t *testing.T) {
	got, err := ParseMonth("2026-10", tokyo)
	if err != nil || !got.Equal(time.Date(2026, 9, 30, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseMonth(2026-10, Tokyo) = %v, %v; want 2026-09-30T15:00Z", got, err)
	}
	for _, bad := range []string{"2026-13", "October", ""} {
		if _, err := ParseMonth(bad, tokyo); koban.ErrorCode(err) != koban.EInvalid {
			t.Errorf("ParseMonth(%q) error = %v, want code %s", bad, err, koban.EInvalid)
		}
	}
}
