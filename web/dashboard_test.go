package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/store"
)

// section returns the part of body from the element with marker to the
// next </section>.
func sectionOf(t *testing.T, body, marker string) string {
	t.Helper()
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatalf("page lacks %q", marker)
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func TestHomeDashboard(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.seed()
	ctx := context.Background()
	all, err := e.store.Inquiries(ctx, storeFilter())
	if err != nil {
		t.Fatal(err)
	}
	// An answered inquiry whose asker asks for a person is waiting; the
	// resolved ones are not.
	var waitingID, resolvedID int64
	for _, q := range all {
		switch {
		case q.State == koban.StateAnswered && waitingID == 0:
			if _, err := e.desk.NeedHuman(ctx, q.ID, q.AskedBy); err != nil {
				t.Fatal(err)
			}
			waitingID = q.ID
		case q.State == koban.StateResolved:
			resolvedID = q.ID
		}
	}
	if waitingID == 0 || resolvedID == 0 {
		t.Fatal("the seed has no answered or no resolved inquiry")
	}
	w := e.get("/")
	if w.Code != http.StatusOK {
		t.Fatalf("GET / = %d: %s", w.Code, w.Body)
	}
	body := w.Body.String()
	waiting := sectionOf(t, body, `class="card waiting"`)
	if !strings.Contains(waiting, fmt.Sprintf(`href="/inquiries/%d"`, waitingID)) {
		t.Errorf("the waiting list lacks inquiry %d:\n%s", waitingID, waiting)
	}
	if strings.Contains(waiting, fmt.Sprintf(`href="/inquiries/%d"`, resolvedID)) {
		t.Errorf("the waiting list shows resolved inquiry %d", resolvedID)
	}
	sch := oncall.NewSchedule(testRotations(t))
	onCall := sectionOf(t, body, `id="oncall-h"`)
	for _, rot := range []string{"platform", "data"} {
		now, err := sch.At(rot, today)
		if err != nil {
			t.Fatal(err)
		}
		next, err := sch.Next(rot, today)
		if err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{now.Person, next.Person} {
			if !strings.Contains(onCall, "@"+who) {
				t.Errorf("on call now and next lacks %s of %s:\n%s", who, rot, onCall)
			}
		}
	}
	for _, want := range []string{"This month so far (2026-11)", `<a class="button primary" href="/ask">`, `action="/inquiries"`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

// TestSearchAndExport searches the seeded inquiries and exports the same
// selection as CSV and JSON.
func TestSearchAndExport(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.seed()
	all, err := e.store.Inquiries(context.Background(), storeFilter())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		match func(koban.Inquiry) bool
	}{
		{"q=kafka", func(q koban.Inquiry) bool { return strings.Contains(strings.ToLower(q.Text), "kafka") }},
		{"q=GPU+quota", func(q koban.Inquiry) bool {
			return strings.Contains(q.Text, "GPU") && strings.Contains(q.Text, "quota")
		}},
		{"q=service&state=resolved", func(q koban.Inquiry) bool {
			return strings.Contains(q.Text, "service") && q.State == koban.StateResolved
		}},
		{"q=nothing-like-this", func(koban.Inquiry) bool { return false }},
	}
	for _, tt := range tests {
		var want []int64
		for _, q := range all {
			if tt.match(q) {
				want = append(want, q.ID)
			}
		}
		w := e.get("/inquiries?" + tt.query)
		if got := listedIDs(t, w.Body.String()); !slices.Equal(got, want) {
			t.Errorf("GET /inquiries?%s lists %v, want %v", tt.query, got, want)
		}
		if !strings.Contains(w.Body.String(), `href="/inquiries.csv?`) {
			t.Errorf("GET /inquiries?%s has no export link with the filters", tt.query)
		}
		if got := csvIDs(t, e, "/inquiries.csv?"+tt.query); !slices.Equal(got, want) {
			t.Errorf("CSV of %s = %v, want %v", tt.query, got, want)
		}
		if got := jsonIDs(t, e, "/inquiries.json?"+tt.query); !slices.Equal(got, want) {
			t.Errorf("JSON of %s = %v, want %v", tt.query, got, want)
		}
	}
	if w := e.get("/inquiries?q=" + strings.Repeat("x", maxSearch+1)); w.Code != http.StatusBadRequest {
		t.Errorf("an over-long search = %d, want 400", w.Code)
	}
	if w := e.get("/inquiries.csv?state=lost"); w.Code != http.StatusBadRequest {
		t.Errorf("export with an unknown state = %d, want 400", w.Code)
	}
}

func csvIDs(t *testing.T, e *env, path string) []int64 {
	t.Helper()
	w := e.get(path)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s = %d %s: %s", path, w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	recs, err := csv.NewReader(w.Body).ReadAll()
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if !slices.Equal(recs[0], exportColumns) {
		t.Fatalf("CSV header = %v", recs[0])
	}
	var ids []int64
	for _, r := range recs[1:] {
		id, err := strconv.ParseInt(r[0], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func jsonIDs(t *testing.T, e *env, path string) []int64 {
	t.Helper()
	w := e.get(path)
	var rows []exported
	if err := json.Unmarshal(w.Body.Bytes(), &rows); err != nil || w.Code != http.StatusOK {
		t.Fatalf("GET %s = %d: %v", path, w.Code, err)
	}
	var ids []int64
	for _, r := range rows {
		if r.Text == "" || r.State == "" || r.CreatedAt.IsZero() {
			t.Errorf("GET %s: row %d lacks text, state or time", path, r.ID)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

// A private inquiry stays out of the list, the search and the exports of
// someone who may not see it, and a question typed as a formula stays text.
func TestSearchAndExportHidePrivate(t *testing.T) {
	policy := authz.New(authz.Config{Admins: []string{"UADMIN"}}, nil, nil)
	for _, tt := range []struct {
		actor string
		sees  bool
	}{{"UVIEWER", false}, {"UADMIN", true}} {
		e := newEnv(t, envOpts{actor: tt.actor, viewers: policy})
		private := &koban.Inquiry{Source: koban.SourceDM, Channel: "D1", AskedBy: "UOTHER", Private: true,
			Text: "=HYPERLINK(\"x\") private billing token", State: koban.StateReceived}
		if _, err := e.store.CreateInquiry(context.Background(), private); err != nil {
			t.Fatal(err)
		}
		var want []int64
		if tt.sees {
			want = []int64{private.ID}
		}
		if got := listedIDs(t, e.get("/inquiries?q=billing").Body.String()); !slices.Equal(got, want) {
			t.Errorf("%s: search lists %v, want %v", tt.actor, got, want)
		}
		if got := csvIDs(t, e, "/inquiries.csv?q=billing"); !slices.Equal(got, want) {
			t.Errorf("%s: CSV has %v, want %v", tt.actor, got, want)
		}
		if got := jsonIDs(t, e, "/inquiries.json"); !slices.Equal(got, want) {
			t.Errorf("%s: JSON has %v, want %v", tt.actor, got, want)
		}
		body := e.get("/inquiries.csv").Body.String()
		if tt.sees && !strings.Contains(body, `"'=HYPERLINK(""x"") private billing token"`) {
			t.Errorf("the formula question is not exported as text:\n%s", body)
		}
		if !tt.sees && strings.Contains(body, "billing") {
			t.Errorf("%s: the CSV shows the private text", tt.actor)
		}
	}
}

func TestChartSVGOnItsOwn(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.seed()
	w := e.get("/report/2026-10/volume.svg")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `style="`) {
		t.Fatalf("GET volume.svg = %d; want an SVG with inline styles", w.Code)
	}
	csp := w.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src 'unsafe-inline'") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("chart CSP = %q, want inline styles and nothing else", csp)
	}
	if page := e.get("/report?month=2026-10").Header().Get("Content-Security-Policy"); strings.Contains(page, "unsafe-inline") {
		t.Errorf("the report page's CSP allows inline style: %q", page)
	}
}

func TestLanguages(t *testing.T) {
	e := newEnv(t, envOpts{})
	tests := []struct {
		name, path, accept, cookie string
		want                       string // the page's lang
		cookieSet                  string // the koban_lang cookie the response sets
	}{
		{"english by default", "/", "", "", "en", ""},
		{"japanese browser", "/", "ja-JP,ja;q=0.9,en;q=0.5", "", "ja", ""},
		{"the switch wins over the browser", "/inquiries?lang=en", "ja", "", "en", "en"},
		{"the switch to japanese", "/oncall?lang=ja", "en-US", "", "ja", "ja"},
		{"the cookie wins over the browser", "/", "en", "ja", "ja", ""},
		{"an unknown switch is ignored", "/?lang=fr", "ja", "", "ja", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := []string{"Accept-Language", tt.accept}
			if tt.cookie != "" {
				hdr = append(hdr, "Cookie", langCookie+"="+tt.cookie)
			}
			w := e.get(tt.path, hdr...)
			body := w.Body.String()
			if !strings.Contains(body, `<html lang="`+tt.want+`">`) {
				t.Errorf("page is not lang=%q: %.200s", tt.want, body)
			}
			nav, other := "Inquiries", "問い合わせ"
			if tt.want == "ja" {
				nav, other = other, "Inquiries"
			}
			// The report's figures are in the report's language; the page's
			// own strings follow the viewer.
			menu := body[strings.Index(body, "<nav"):strings.Index(body, "</nav>")]
			if !strings.Contains(menu, ">"+nav+"<") || strings.Contains(menu, ">"+other+"<") {
				t.Errorf("the navigation is not in %s", tt.want)
			}
			got := ""
			for _, c := range w.Result().Cookies() {
				if c.Name == langCookie {
					got = c.Value
				}
			}
			if got != tt.cookieSet {
				t.Errorf("language cookie set to %q, want %q", got, tt.cookieSet)
			}
		})
	}
}

// storeFilter selects every inquiry of a test, newest first.
func storeFilter() store.Filter { return store.Filter{Limit: 1000} }

// The report page reads in the team's language, as the report is written;
// the rest of the page follows the viewer.
func TestReportPageInTheTeamLanguage(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.seed()
	e.srv.opts.Language = "ja"
	body := e.get("/report?month=2026-10", "Accept-Language", "en").Body.String()
	menu := body[strings.Index(body, "<nav"):strings.Index(body, "</nav>")]
	if !strings.Contains(body, "<h1>月次レポート") || !strings.Contains(body, "<h2>返信時間</h2>") || strings.Contains(body, "Monthly report") {
		t.Errorf("the report page is not in the team's Japanese: %.600s", body[strings.Index(body, "<main"):])
	}
	if !strings.Contains(menu, ">Inquiries<") || !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("the page around the report does not follow the English viewer")
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d      time.Duration
		en, ja string
	}{
		{45 * time.Second, "45s", "45秒"},
		{12 * time.Minute, "12m", "12分"},
		{3*time.Hour + 5*time.Minute, "3h 5m", "3時間5分"},
		{3 * time.Hour, "3h", "3時間"},
		{50 * time.Hour, "2d 2h", "2日2時間"},
		{-48 * time.Hour, "2d", "2日"},
	}
	for _, tt := range tests {
		if got := humanDuration(tt.d, "en"); got != tt.en {
			t.Errorf("humanDuration(%v, en) = %q, want %q", tt.d, got, tt.en)
		}
		if got := humanDuration(tt.d, "ja"); got != tt.ja {
			t.Errorf("humanDuration(%v, ja) = %q, want %q", tt.d, got, tt.ja)
		}
	}
}
