package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/store"
)

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8080", true},
		{"127.1.2.3:80", true},
		{"[::1]:8080", true},
		{"localhost:8080", true},
		{":8080", false},
		{"0.0.0.0:8080", false},
		{"[::]:8080", false},
		{"10.0.0.5:8080", false},
		{"koban.internal:8080", false},
	}
	for _, tt := range tests {
		if got := IsLoopback(tt.addr); got != tt.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestNewRequiresTokenOffLoopback(t *testing.T) {
	tests := []struct {
		addr, token string
		wantErr     bool
	}{
		{"127.0.0.1:8080", "", false},
		{"localhost:8080", "", false},
		{"127.0.0.1:8080", "s3cret", false},
		{":8080", "", true},
		{"0.0.0.0:8080", "", true},
		{"0.0.0.0:8080", "s3cret", false},
	}
	e := newEnv(t, envOpts{})
	for _, tt := range tests {
		_, err := New(Options{Addr: tt.addr, Token: tt.token}, Deps{Desk: e.desk, Inquiries: inquirySource{e.store}, Metrics: e.reg})
		switch {
		case tt.wantErr && koban.ErrorCode(err) != koban.EInvalid:
			t.Errorf("New(addr %q, token %q) = %v, want an EInvalid error", tt.addr, tt.token, err)
		case tt.wantErr && !strings.Contains(koban.ErrorMessage(err), "token"):
			t.Errorf("New(addr %q) error %q does not say a token is needed", tt.addr, koban.ErrorMessage(err))
		case !tt.wantErr && err != nil:
			t.Errorf("New(addr %q, token %q) = %v, want no error", tt.addr, tt.token, err)
		}
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{koban.Errorf(koban.ENotFound, "no"), http.StatusNotFound},
		{koban.Errorf(koban.EInvalid, "no"), http.StatusBadRequest},
		{koban.Errorf(koban.EConflict, "no"), http.StatusConflict},
		{koban.Errorf(koban.EUnavailable, "no"), http.StatusServiceUnavailable},
		{fmt.Errorf("load: %w", koban.Errorf(koban.ENotFound, "no")), http.StatusNotFound},
		{errors.New("disk on fire"), http.StatusInternalServerError},
		{koban.Errorf(koban.EInternal, "bug"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		if got := Status(tt.err); got != tt.want {
			t.Errorf("Status(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/ask/3", "/ask/3"},
		{"/inquiries/3?x=1", "/inquiries/3?x=1"},
		{"", "/def"},
		{"https://evil.example/", "/def"},
		{"//evil.example/", "/def"},
		{"/\\evil.example", "/def"},
		{"javascript:alert(1)", "/def"},
	}
	for _, tt := range tests {
		if got := localPath(tt.in, "/def"); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRouting(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.seed()
	inq := e.askVia("How do I request a database for my service?")
	tests := []struct {
		path     string
		status   int
		ctype    string
		contains string
	}{
		{"/", 200, "text/html", "Waiting for a person"},
		{"/ask", 200, "text/html", "Ask the platform team"},
		{fmt.Sprintf("/ask/%d", inq.ID), 200, "text/html", "request a database"},
		{"/ask/0", 404, "text/html", "no inquiry"},
		{"/inquiries/99999?lang=ja", 404, "text/html", "問い合わせ 99999 はありません"},
		{"/inquiries", 200, "text/html", "How do I roll back a deployment?"},
		{fmt.Sprintf("/inquiries/%d", inq.ID), 200, "text/html", "Timeline"},
		{"/inquiries/99999", 404, "text/html", "99999"},
		{"/inquiries/abc", 404, "text/html", "abc"},
		{"/inquiries?state=lost", 400, "text/html", "Unknown state"},
		{"/inquiries?category=maybe", 400, "text/html", "Unknown category"},
		{"/inquiries?month=October", 400, "text/html", "October"},
		{"/oncall", 200, "text/html", "platform"},
		{"/oncall.ics", 200, "text/calendar", "BEGIN:VCALENDAR"},
		{"/report?month=2026-10", 200, "text/html", "Monthly report"},
		{"/report", 200, "text/html", "2026-10"},
		{"/report?month=10/2026", 400, "text/html", "10/2026"},
		{"/report/2026-10/volume.svg", 200, "image/svg+xml", "<svg"},
		{"/report/2026-10/reply-times.svg", 200, "image/svg+xml", "<svg"},
		{"/report/2026-10/pie.svg", 404, "text/html", "pie.svg"},
		{"/report/2026-10/report.md", 200, "text/markdown", "2026-10"},
		{"/report/2026-10/report.json", 200, "application/json", `"month": "2026-10"`},
		{"/report/bad/volume.svg", 400, "text/html", "bad"},
		{"/gaps?month=2026-10", 200, "text/html", "Docs gaps"},
		{"/static/style.css", 200, "text/css", "--accent"},
		{"/healthz", 200, "text/plain", "ok"},
		{"/readyz", 200, "application/json", `"ready":true`},
		{"/metrics", 200, "text/plain", "koban_inquiries"},
		{"/no/such/page", 404, "text/html", "/no/such/page"},
	}
	for _, tt := range tests {
		w := e.get(tt.path)
		if w.Code != tt.status {
			t.Errorf("GET %s = %d, want %d: %.300s", tt.path, w.Code, tt.status, w.Body)
			continue
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
			t.Errorf("GET %s: Content-Type %q, want %s", tt.path, ct, tt.ctype)
		}
		if !strings.Contains(w.Body.String(), tt.contains) {
			t.Errorf("GET %s: body lacks %q: %.500s", tt.path, tt.contains, w.Body)
		}
	}
}

func TestPagesWithoutReportsOrOnCall(t *testing.T) {
	e := newEnv(t, envOpts{noReports: true, noOnCall: true})
	tests := []struct {
		path     string
		status   int
		contains string
	}{
		{"/report", 404, "not configured"},
		{"/gaps", 404, "not configured"},
		{"/report/2026-10/volume.svg", 404, "not configured"},
		{"/oncall", 200, "No rotations are configured"},
		{"/", 200, "No rotations are configured"},
	}
	for _, tt := range tests {
		w := e.get(tt.path)
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.contains) {
			t.Errorf("GET %s = %d %.300q, want %d with %q", tt.path, w.Code, w.Body, tt.status, tt.contains)
		}
	}
	if ja := e.get("/report", "Accept-Language", "ja").Body.String(); !strings.Contains(ja, "レポートが設定されていません") {
		t.Errorf("the Japanese report page does not say reports are not configured: %.300q", ja)
	}
}

func TestTokenRules(t *testing.T) {
	const token = "tok-123"
	e := newEnv(t, envOpts{addr: "0.0.0.0:8080", token: token})
	cookie := sessionCookie + "=" + sessionValue(token)
	tests := []struct {
		name     string
		path     string
		hdr      []string
		status   int
		location string
	}{
		{"no token", "/inquiries", nil, 401, ""},
		{"bearer", "/inquiries", []string{"Authorization", "Bearer " + token}, 200, ""},
		{"bearer lower case", "/inquiries", []string{"Authorization", "bearer " + token}, 200, ""},
		{"wrong bearer", "/inquiries", []string{"Authorization", "Bearer nope"}, 401, ""},
		{"basic auth", "/inquiries", []string{"Authorization", "Basic " + token}, 401, ""},
		{"query token", "/inquiries?state=answered&token=" + token, nil, 303, "/inquiries?state=answered"},
		{"wrong query token", "/inquiries?token=nope", nil, 401, ""},
		{"cookie", "/inquiries", []string{"Cookie", cookie}, 200, ""},
		{"cookie holding the token itself", "/inquiries", []string{"Cookie", sessionCookie + "=" + token}, 401, ""},
		{"metrics need it", "/metrics", nil, 401, ""},
		{"metrics with bearer", "/metrics", []string{"Authorization", "Bearer " + token}, 200, ""},
		{"healthz is open", "/healthz", nil, 200, ""},
		{"readyz is open", "/readyz", nil, 200, ""},
	}
	for _, tt := range tests {
		w := e.get(tt.path, tt.hdr...)
		if w.Code != tt.status {
			t.Errorf("%s: GET %s = %d, want %d", tt.name, tt.path, w.Code, tt.status)
			continue
		}
		if tt.location != "" && w.Header().Get("Location") != tt.location {
			t.Errorf("%s: redirected to %q, want %q", tt.name, w.Header().Get("Location"), tt.location)
		}
		if tt.status == 303 {
			c := w.Result().Cookies()
			if len(c) != 1 || c[0].Name != sessionCookie || c[0].Value != sessionValue(token) || !c[0].HttpOnly {
				t.Errorf("%s: cookies = %v, want an HttpOnly %s with the token's digest", tt.name, c, sessionCookie)
			}
		}
		if tt.status == 401 && !strings.Contains(w.Body.String(), "?token=") {
			t.Errorf("%s: the 401 page does not say how to get in: %.300s", tt.name, w.Body)
		}
		if strings.Contains(w.Body.String(), token) {
			t.Errorf("%s: the response shows the token", tt.name)
		}
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	e := newEnv(t, envOpts{})
	tests := []struct {
		site   string
		status int
	}{
		{"cross-site", http.StatusForbidden},
		{"same-origin", http.StatusSeeOther},
	}
	for _, tt := range tests {
		req := httptestRequest(http.MethodPost, "/ask", url.Values{"text": {"How do I roll back a deployment?"}, "key": {newKey()}})
		req.Header.Set("Sec-Fetch-Site", tt.site)
		w := serve(e.h, req)
		if w.Code != tt.status {
			t.Errorf("POST /ask with Sec-Fetch-Site %s = %d, want %d", tt.site, w.Code, tt.status)
		}
	}
	list, err := e.store.Inquiries(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Errorf("inquiries after one refused and one accepted POST = %d, want 1", len(list))
	}
}

func TestAskAnswersWithCitationsThenSolved(t *testing.T) {
	e := newEnv(t, envOpts{})
	inq := e.askVia("How do I request a database for my service?")
	if inq.State != koban.StateAnswered || inq.Source != koban.SourceWeb {
		t.Fatalf("inquiry after asking = %s from %s, want answered from web", inq.State, inq.Source)
	}
	page := e.get(fmt.Sprintf("/ask/%d", inq.ID)).Body.String()
	for _, want := range []string{
		`href="https://docs.example.com/how-to/request-a-database`,
		`class="quad q-how-to"`,
		fmt.Sprintf(`action="/inquiries/%d/solved"`, inq.ID),
		fmt.Sprintf(`action="/inquiries/%d/need-human"`, inq.ID),
		fmt.Sprintf(`action="/inquiries/%d/docs-wrong"`, inq.ID),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("thread page lacks %s", want)
		}
	}
	if strings.Contains(page, "/ack\"") {
		t.Errorf("an answered thread offers Acknowledge")
	}
	w := e.post(fmt.Sprintf("/inquiries/%d/solved", inq.ID), url.Values{"back": {fmt.Sprintf("/ask/%d", inq.ID)}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != fmt.Sprintf("/ask/%d", inq.ID) {
		t.Fatalf("POST solved = %d to %q, want 303 back to the thread", w.Code, w.Header().Get("Location"))
	}
	got := e.inquiry(inq.ID)
	want := koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}
	if got.State != koban.StateResolved || got.Final != want {
		t.Errorf("after Solved: state %s, label %s; want resolved, %s", got.State, got.Final, want)
	}
	if page := e.get(fmt.Sprintf("/ask/%d", inq.ID)).Body.String(); !strings.Contains(page, "Resolved by @web as self-solvable/answered.") {
		t.Errorf("resolved thread does not say who resolved it as what")
	}
	// Solving twice is a conflict, shown as such.
	if w := e.post(fmt.Sprintf("/inquiries/%d/solved", inq.ID), nil); w.Code != http.StatusConflict {
		t.Errorf("POST solved again = %d, want 409", w.Code)
	}
}

func TestAskTwiceWithOneKeyAsksOnce(t *testing.T) {
	e := newEnv(t, envOpts{})
	form := url.Values{"text": {"How do I roll back a deployment?"}, "key": {newKey()}}
	a, b := e.post("/ask", form), e.post("/ask", form)
	if a.Header().Get("Location") == "" || a.Header().Get("Location") != b.Header().Get("Location") {
		t.Errorf("resubmitted form went to %q then %q, want the same inquiry", a.Header().Get("Location"), b.Header().Get("Location"))
	}
	for _, tt := range []struct {
		text string
		want string
	}{{"   ", "Type a question"}, {strings.Repeat("x", maxQuestion+1), "keep it under"}} {
		w := e.post("/ask", url.Values{"text": {tt.text}})
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), tt.want) {
			t.Errorf("POST /ask %.20q = %d, want 400 saying %q", tt.text, w.Code, tt.want)
		}
	}
}

func TestEscalationAcknowledgeResolve(t *testing.T) {
	e := newEnv(t, envOpts{})
	inq := e.askVia("Our production database is down since 10 minutes, please help!")
	if inq.State != koban.StateEscalated {
		t.Fatalf("state after an outage question = %s, want escalated", inq.State)
	}
	if inq.Assignee == "" {
		t.Fatalf("escalation routed to nobody: %+v", inq)
	}
	thread := fmt.Sprintf("/ask/%d", inq.ID)
	page := e.get(thread).Body.String()
	for _, want := range []string{
		"@" + inq.Assignee, "on call for " + inq.Rotation, "Category", string(inq.Predicted.Category),
		fmt.Sprintf(`action="/inquiries/%d/ack"`, inq.ID), fmt.Sprintf(`action="/inquiries/%d/resolve"`, inq.ID),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("escalated thread lacks %q", want)
		}
	}
	if w := e.post(fmt.Sprintf("/inquiries/%d/ack", inq.ID), url.Values{"back": {thread}}); w.Code != http.StatusSeeOther {
		t.Fatalf("POST ack = %d: %s", w.Code, w.Body)
	}
	if got := e.inquiry(inq.ID); got.State != koban.StateAcknowledged || got.FirstHumanResponseAt.IsZero() {
		t.Fatalf("after ack: %s, first human %v; want acknowledged with a first human response", got.State, got.FirstHumanResponseAt)
	}
	bad := []struct {
		form   url.Values
		status int
	}{
		{url.Values{"label": {"self-solvable/maybe"}, "domain": {"database"}}, 400},
		{url.Values{"label": {"docs-missing"}, "domain": {"space"}}, 400},
	}
	for _, tt := range bad {
		if w := e.post(fmt.Sprintf("/inquiries/%d/resolve", inq.ID), tt.form); w.Code != tt.status {
			t.Errorf("POST resolve %v = %d, want %d", tt.form, w.Code, tt.status)
		}
	}
	w := e.post(fmt.Sprintf("/inquiries/%d/resolve", inq.ID), url.Values{
		"label": {"platform-only/required"}, "domain": {"database"}, "page": {"how-to/request-a-database.md"}, "note": {"failed over"}, "back": {"//evil.example"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != fmt.Sprintf("/inquiries/%d", inq.ID) {
		t.Fatalf("POST resolve = %d to %q, want 303 to the inquiry page", w.Code, w.Header().Get("Location"))
	}
	got := e.inquiry(inq.ID)
	want := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
	if got.State != koban.StateResolved || got.Final != want || got.Domain != "database" {
		t.Errorf("after resolve: %s %s %s, want resolved %s database", got.State, got.Final, got.Domain, want)
	}
	// The timeline shows every step with its actor.
	page = e.get(fmt.Sprintf("/inquiries/%d", inq.ID)).Body.String()
	for _, want := range []string{"asked", "escalated", "acknowledged", "resolved", "note: failed over", "category: platform-only/required"} {
		if !strings.Contains(page, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
	if w := e.post(fmt.Sprintf("/inquiries/%d/ack", inq.ID), nil); w.Code != http.StatusConflict {
		t.Errorf("POST ack on a resolved inquiry = %d, want 409", w.Code)
	}
	if w := e.post(fmt.Sprintf("/inquiries/%d/explode", inq.ID), nil); w.Code != http.StatusNotFound {
		t.Errorf("POST unknown action = %d, want 404", w.Code)
	}
}

var idRE = regexp.MustCompile(`<td data-label="#"><a href="/inquiries/(\d+)">\d+</a></td>`)

// listedIDs returns the inquiry ids of a list page, in order.
func listedIDs(t *testing.T, body string) []int64 {
	t.Helper()
	var ids []int64
	for _, m := range idRE.FindAllStringSubmatch(body, -1) {
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestInquiryFilters(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.seed()
	e.askVia("How do I roll back a deployment?") // November, from the web
	all, err := e.store.Inquiries(context.Background(), store.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		query string
		keep  func(q koban.Inquiry) bool
	}{
		{"", func(koban.Inquiry) bool { return true }},
		{"state=resolved", func(q koban.Inquiry) bool { return q.State == koban.StateResolved }},
		{"state=answered", func(q koban.Inquiry) bool { return q.State == koban.StateAnswered }},
		{"category=docs-missing", func(q koban.Inquiry) bool { return q.Label().Category == koban.DocsMissing }},
		{"category=platform-only", func(q koban.Inquiry) bool { return q.Label().Category == koban.PlatformOnly }},
		{"domain=database", func(q koban.Inquiry) bool { return q.Domain == "database" }},
		{"month=2026-10", func(q koban.Inquiry) bool {
			return !q.CreatedAt.Before(oct) && q.CreatedAt.Before(oct.AddDate(0, 1, 0))
		}},
		{"month=2026-11", func(q koban.Inquiry) bool { return !q.CreatedAt.Before(oct.AddDate(0, 1, 0)) }},
		{"month=2026-10&category=self-solvable&state=resolved", func(q koban.Inquiry) bool {
			return q.CreatedAt.Before(oct.AddDate(0, 1, 0)) && q.Label().Category == koban.SelfSolvable && q.State == koban.StateResolved
		}},
	}
	nonEmpty := 0
	for _, tt := range tests {
		var want []int64
		for _, q := range all { // newest first, as listed
			if tt.keep(q) {
				want = append(want, q.ID)
			}
		}
		if len(want) > 0 && len(want) < len(all) {
			nonEmpty++
		}
		w := e.get("/inquiries?" + tt.query)
		if w.Code != http.StatusOK {
			t.Errorf("GET /inquiries?%s = %d", tt.query, w.Code)
			continue
		}
		if got := listedIDs(t, w.Body.String()); !slices.Equal(got, want) {
			t.Errorf("GET /inquiries?%s lists %v, want %v", tt.query, got, want)
		}
	}
	if nonEmpty < 5 {
		t.Errorf("only %d filters selected a proper subset: the seed does not exercise the filters", nonEmpty)
	}
}

func TestInquiryPaging(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	for i := range pageSize + 3 {
		inq := &koban.Inquiry{Source: koban.SourceChannel, Channel: "C1", ThreadTS: fmt.Sprint(i), Text: fmt.Sprintf("question %d", i),
			CreatedAt: today.Add(-time.Duration(i) * time.Minute)}
		if _, err := e.store.CreateInquiry(ctx, inq); err != nil {
			t.Fatal(err)
		}
	}
	first := e.get("/inquiries?state=received").Body.String()
	if n := len(listedIDs(t, first)); n != pageSize {
		t.Errorf("first page lists %d, want %d", n, pageSize)
	}
	if !strings.Contains(first, `href="/inquiries?page=2&amp;state=received"`) {
		t.Errorf("first page has no link to the second keeping the filter")
	}
	second := e.get("/inquiries?state=received&page=2").Body.String()
	if n := len(listedIDs(t, second)); n != 3 {
		t.Errorf("second page lists %d, want 3", n)
	}
	if strings.Contains(second, "Older →") {
		t.Errorf("last page links to an older one")
	}
}

func TestReportAndGapsPages(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.seed()
	rep, err := e.srv.deps.Reports.Report(context.Background(), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Volume.Inquiries != len(seedQuestions) {
		t.Fatalf("seeded report counts %d inquiries, want %d", rep.Volume.Inquiries, len(seedQuestions))
	}
	page := e.get("/report?month=2026-10").Body.String()
	for _, name := range chartNames {
		if !strings.Contains(page, `src="/report/2026-10/`+name+`.svg"`) {
			t.Errorf("report page lacks the %s chart", name)
		}
	}
	fig := regexp.MustCompile(`<div class="fig-label">Inquiries</div><div class="fig-value">(\d+)</div>`).FindStringSubmatch(page)
	if fig == nil || fig[1] != strconv.Itoa(len(seedQuestions)) {
		t.Errorf("report page's Inquiries figure = %v, want %d", fig, len(seedQuestions))
	}
	for _, c := range rep.Categories.Five {
		row := fmt.Sprintf("<tr><td>%s</td><td>%d</td>", c.Label, c.Count)
		if !strings.Contains(page, row) {
			t.Errorf("report page lacks the category row %s", row)
		}
	}
	gaps := e.get("/gaps?month=2026-10").Body.String()
	if rep.DocsGaps.Missing == 0 {
		t.Fatalf("the seed produced no docs-missing inquiry: %+v", rep.DocsGaps)
	}
	if want := fmt.Sprintf("(docs-missing: %d)", rep.DocsGaps.Missing); !strings.Contains(gaps, want) {
		t.Errorf("gaps page lacks %q", want)
	}
	for _, qc := range rep.DocsGaps.ByQuadrant {
		if qc.Missing+qc.Unfindable == 0 {
			continue
		}
		want := fmt.Sprintf(`q-%s">%s</span> <span class="muted small">%d missing · %d unfindable`, qc.Quadrant, qc.Quadrant, qc.Missing, qc.Unfindable)
		if !strings.Contains(gaps, want) {
			t.Errorf("gaps page lacks the %s group: %q", qc.Quadrant, want)
		}
	}
	for _, topic := range rep.DocsGaps.Topics {
		if len(topic.Inquiries) > 0 && !strings.Contains(gaps, fmt.Sprintf(`href="/inquiries/%d"`, topic.Inquiries[0])) {
			t.Errorf("gaps page does not link topic %q's example %d", topic.Topic, topic.Inquiries[0])
		}
	}
}

func TestOnCallPage(t *testing.T) {
	e := newEnv(t, envOpts{})
	sch := e.srv.deps.OnCall.(schedule).sch
	page := e.get("/oncall").Body.String()
	for _, rot := range sch.Rotations() {
		now, err := sch.At(rot.Name, today)
		if err != nil {
			t.Fatal(err)
		}
		next, err := sch.Next(rot.Name, today)
		if err != nil {
			t.Fatal(err)
		}
		wantNow := fmt.Sprintf(`<div class="now">
      <h3 class="sub">Now</h3><p class="person">@%s</p>`, now.Person)
		if !strings.Contains(page, wantNow) {
			t.Errorf("on-call page does not show %s on call now in %s", now.Person, rot.Name)
		}
		if !strings.Contains(page, fmt.Sprintf(`<p class="person">@%s</p><p class="muted small">from %s`, next.Person, next.Start.In(rot.Location).Format("2006-01-02 15:04 MST"))) {
			t.Errorf("on-call page does not show %s next in %s from %s", next.Person, rot.Name, next.Start.In(rot.Location))
		}
		shifts, err := sch.Shifts(rot.Name, today, today.Add(4*7*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range shifts {
			if !strings.Contains(page, sh.Start.In(rot.Location).Format("2006-01-02 15:04 MST")) {
				t.Errorf("on-call page lacks the %s shift starting %v", rot.Name, sh.Start)
			}
		}
	}
	if !strings.Contains(page, `href="http://example.com/calendar/all/`) {
		t.Errorf("on-call page does not offer the calendar subscription link")
	}
}

func TestReadyz(t *testing.T) {
	down := errors.New("dial tcp 10.0.0.1:5432: connection refused (password=hunter2)")
	tests := []struct {
		name   string
		ready  map[string]func(context.Context) error
		status int
		want   []string
		not    string
	}{
		{"no checks", nil, 200, []string{`"ready":true`}, ""},
		{"all pass", map[string]func(context.Context) error{
			"store": func(context.Context) error { return nil },
			"index": func(context.Context) error { return nil },
		}, 200, []string{`"ready":true`, `{"name":"index","ok":true}`, `{"name":"store","ok":true}`}, ""},
		{"store down", map[string]func(context.Context) error{
			"store": func(context.Context) error { return down },
			"index": func(context.Context) error { return nil },
		}, 503, []string{`"ready":false`, `"name":"store","ok":false`, `Something went wrong`}, "hunter2"},
		{"index not loaded", map[string]func(context.Context) error{
			"index": func(context.Context) error {
				return koban.Errorf(koban.EUnavailable, "the docs index is still loading")
			},
		}, 503, []string{`"error":"the docs index is still loading"`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{ready: tt.ready})
			w := e.get("/readyz")
			if w.Code != tt.status {
				t.Errorf("GET /readyz = %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			for _, s := range tt.want {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("GET /readyz body lacks %s: %s", s, w.Body)
				}
			}
			if tt.not != "" && strings.Contains(w.Body.String(), tt.not) {
				t.Errorf("GET /readyz shows %q", tt.not)
			}
			if w := e.get("/healthz"); w.Code != http.StatusOK {
				t.Errorf("GET /healthz = %d, want 200 whatever readiness says", w.Code)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.seed()
	e.askVia("How do I roll back a deployment?")
	e.reg.SlackError()
	e.reg.SlackError()
	e.reg.JobFailed()
	body := e.get("/metrics").Body.String()

	all, err := e.store.Inquiries(context.Background(), store.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, q := range all {
		counts[fmt.Sprintf(`koban_inquiries{category="%s",state="%s"}`, q.Label().Category, q.State)]++
	}
	for series, n := range counts {
		if want := fmt.Sprintf("%s %d\n", series, n); !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, want := range []string{
		"koban_slack_api_errors_total 2\n",
		"koban_job_failures_total 1\n",
		"koban_answer_duration_seconds_count 1\n", // the playground question, processed inline
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestErrorPagesAreFriendly(t *testing.T) {
	e := newEnv(t, envOpts{})
	w := e.get("/inquiries/424242")
	if w.Code != http.StatusNotFound {
		t.Fatalf("GET unknown inquiry = %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{"<h1>Not found</h1>", "424242", `href="/inquiries"`} {
		if !strings.Contains(body, want) {
			t.Errorf("404 page lacks %q: %.400s", want, body)
		}
	}
	if ja := e.get("/inquiries/abc", "Accept-Language", "ja").Body.String(); !strings.Contains(ja, "<h1>見つかりません</h1>") || !strings.Contains(ja, "問い合わせ「abc」はありません。") {
		t.Errorf("the Japanese 404 page lacks its heading: %.400s", ja)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"} {
		if w.Header().Get(h) == "" {
			t.Errorf("response lacks %s", h)
		}
	}
}

func TestRenderMarkdown(t *testing.T) {
	tests := []struct {
		in       string
		want     []string
		unwanted []string
	}{
		{"see [Deploy](../tutorials/deploy.md).", []string{"see Deploy."}, []string{"<a", "tutorials"}},
		{"see [the page](https://docs.example.com/x/#y)", []string{`<a href="https://docs.example.com/x/#y">the page</a>`}, nil},
		{"[**bold** link](other.md) and `code`", []string{"<strong>bold</strong> link and <code>code</code>"}, []string{"<a"}},
		{"hi <script>alert(1)</script>", []string{"hi"}, []string{"<script"}},
		{"[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"> quoted\n\n- one\n- two", []string{"<blockquote>", "<li>one</li>"}, nil},
		{"| size | vCPU |\n| --- | --- |\n| small | 1 |", []string{"<table>", "<th>size</th>", "<td>small</td>"}, []string{"| size"}},
		{"| a <script>x</script> | b |\n| --- | --- |\n| 1 | 2 |", []string{"<table>"}, []string{"<script"}},
	}
	for _, tt := range tests {
		got := string(renderMarkdown(tt.in))
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("renderMarkdown(%q) = %q, want it to contain %q", tt.in, got, w)
			}
		}
		for _, u := range tt.unwanted {
			if strings.Contains(got, u) {
				t.Errorf("renderMarkdown(%q) = %q, want no %q", tt.in, got, u)
			}
		}
	}
}

func TestSection(t *testing.T) {
	tests := []struct {
		c    koban.Citation
		want string
	}{
		{koban.Citation{Title: "Request a database", Section: "Request a database > Sizes"}, "Sizes"},
		{koban.Citation{Title: "Request a database", Section: "Request a database > Sizes > Large"}, "Sizes > Large"},
		{koban.Citation{Title: "Request a database", Section: "Request a database"}, ""},
		{koban.Citation{Title: "Access roles", Section: "Roles"}, "Roles"},
	}
	for _, tt := range tests {
		if got := section(tt.c); got != tt.want {
			t.Errorf("section(%q, %q) = %q, want %q", tt.c.Title, tt.c.Section, got, tt.want)
		}
	}
}

func TestAskWaitsForTheJobRunner(t *testing.T) {
	e := newEnv(t, envOpts{jobs: true})
	w := e.post("/ask", url.Values{"text": {"How do I roll back a deployment?"}, "key": {newKey()}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("POST /ask = %d: %s", w.Code, w.Body)
	}
	thread := w.Header().Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(thread, "/ask/"), 10, 64)
	if err != nil {
		t.Fatalf("POST /ask redirected to %q", thread)
	}
	if got := e.inquiry(id).State; got == koban.StateReceived {
		t.Errorf("the job runner had not processed inquiry %d when the ask returned", id)
	}
	page := e.get(thread).Body.String()
	if !strings.Contains(page, `id="reply"`) || strings.Contains(page, `http-equiv="refresh"`) {
		t.Errorf("thread of a processed inquiry shows no reply, or still refreshes")
	}
}

func TestThreadRefreshesWhileWorking(t *testing.T) {
	e := newEnv(t, envOpts{})
	inq, _, err := e.desk.Ask(context.Background(), deskIncoming("How do I roll back a deployment?"))
	if err != nil {
		t.Fatal(err)
	}
	page := e.get(fmt.Sprintf("/ask/%d", inq.ID)).Body.String()
	if !strings.Contains(page, `<meta http-equiv="refresh" content="2">`) || !strings.Contains(page, "Looking through the docs") {
		t.Errorf("thread of an unprocessed inquiry does not say koban is working and refresh")
	}
}
