package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
	"github.com/kobanhq/koban/oncall"
)

// slackPeople is the on-call service's Slack as the calendar sees it: it
// knows display names and notifies nobody.
type slackPeople map[string]string

func (p slackPeople) PersonName(_ context.Context, id string) string  { return p[id] }
func (slackPeople) PostHandoff(context.Context, oncall.Handoff) error { return nil }
func (slackPeople) Remind(context.Context, oncall.Reminder) error     { return nil }
func (slackPeople) SyncUserGroup(context.Context, string, []string) error {
	return nil
}
func (slackPeople) LookupEmail(context.Context, string) (string, error) {
	return "", koban.Errorf(koban.ENotFound, "no such user")
}

// calendarEnv serves the dashboard with a token and the real on-call
// calendar of a New York rotation across the 2026-11-01 change back to
// standard time, over HTTP.
func calendarEnv(t *testing.T, o envOpts) (*env, *httptest.Server, time.Time) {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	rots, err := oncall.Config{Rotations: []oncall.RotationConfig{{Name: "platform", Members: []string{"UALICE", "UBOB", "UCAROL"},
		Shift: "1w", Handoff: "monday 09:00", TimeZone: ny.String(), Start: "2026-10-19"}}}.Parse(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	o.token = "dashboard-token"
	e := newEnv(t, o)
	svc := oncall.NewService(rots, oncall.Deps{Store: e.store, Notifier: slackPeople{"UALICE": "Alice", "UBOB": "Bob Smith", "UCAROL": "Carol"}})
	svc.Horizon = 3 * 7 * 24 * time.Hour
	now := time.Date(2026, 10, 27, 12, 0, 0, 0, ny)
	e.srv.deps.Calendar = svc.CalendarHandler(func() time.Time { return now })
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)
	return e, srv, now
}

var linkRE = regexp.MustCompile(`<input class="link" readonly value="([^"]+)"`)

// subscriptionLinks reads the links off the on-call page, fetched with the
// dashboard token.
func subscriptionLinks(t *testing.T, srv *httptest.Server) []string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/oncall", nil)
	req.Header.Set("Authorization", "Bearer dashboard-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var links []string
	for _, m := range linkRE.FindAllStringSubmatch(string(body), -1) {
		links = append(links, m[1])
	}
	if len(links) != 3 { // every rotation's, then platform's and data's
		t.Fatalf("on-call page has %d subscription links, want 3:\n%s", len(links), body)
	}
	return links
}

// fetch gets u as a calendar app does: no cookie jar, no header.
func fetch(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestCalendarSubscription fetches a subscription link as a calendar client
// would, with nothing but the link, and parses it: people by name, and
// 09:00 New York time on both sides of the clock change.
func TestCalendarSubscription(t *testing.T) {
	_, srv, _ := calendarEnv(t, envOpts{})
	links := subscriptionLinks(t, srv)
	platform := links[1]
	if !strings.HasPrefix(platform, srv.URL+"/calendar/rotation/platform/") {
		t.Fatalf("platform's link = %q", platform)
	}
	code, body := fetch(t, platform)
	if code != http.StatusOK {
		t.Fatalf("GET subscription link = %d: %s", code, body)
	}
	cal, err := ical.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse the feed: %v", err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	// 09:00 New York time on both sides of the change: Bob's week is 169
	// hours long.
	want := []string{
		"platform on call: Alice 2026-10-19 09:00 EDT – 2026-10-26 09:00 EDT",
		"platform on call: Bob Smith 2026-10-26 09:00 EDT – 2026-11-02 09:00 EST",
		"platform on call: Carol 2026-11-02 09:00 EST – 2026-11-09 09:00 EST",
	}
	var got []string
	for _, ev := range cal.Events() {
		start, err1 := ev.GetStartAt()
		end, err2 := ev.GetEndAt()
		if err1 != nil || err2 != nil {
			t.Fatalf("event times: %v, %v", err1, err2)
		}
		const layout = "2006-01-02 15:04 MST"
		got = append(got, fmt.Sprintf("%s %s – %s", ev.GetProperty(ical.ComponentPropertySummary).Value, start.In(ny).Format(layout), end.In(ny).Format(layout)))
	}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("feed events:\n%s\nwant first:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, id := range []string{"UALICE", "UBOB", "UCAROL"} {
		if strings.Contains(body, "SUMMARY:platform on call: "+id) {
			t.Errorf("the feed shows %s by ID", id)
		}
	}
	if code, _ := fetch(t, links[0]); code != http.StatusOK {
		t.Errorf("every rotation's link = %d, want 200", code)
	}
}

// The link accepts its token in the path and nothing else: no query, no
// dashboard token or session in its place, no other feed's token.
func TestCalendarSubscriptionAcceptsNothingElse(t *testing.T) {
	_, srv, _ := calendarEnv(t, envOpts{})
	links := subscriptionLinks(t, srv)
	all, platform := links[0], links[1]
	token := strings.TrimSuffix(platform[strings.LastIndex(platform, "/")+1:], ".ics")
	tests := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"a query parameter", func() *http.Request { return get(platform + "?rotation=data") }, http.StatusBadRequest},
		{"the token as a parameter", func() *http.Request { return get(srv.URL + "/oncall.ics?token=" + token) }, http.StatusUnauthorized},
		{"a wrong token", func() *http.Request {
			return get(srv.URL + "/calendar/rotation/platform/" + strings.Repeat("A", len(token)) + ".ics")
		}, http.StatusNotFound},
		{"another feed's token", func() *http.Request { return get(srv.URL + "/calendar/rotation/data/" + token + ".ics") }, http.StatusNotFound},
		{"no token", func() *http.Request { return get(srv.URL + "/calendar/all/.ics") }, http.StatusNotFound},
		{"the dashboard token instead", func() *http.Request {
			r := get(srv.URL + "/calendar/all/dashboard-token.ics")
			r.Header.Set("Authorization", "Bearer dashboard-token")
			return r
		}, http.StatusNotFound},
		{"a session cookie instead", func() *http.Request {
			r := get(srv.URL + "/calendar/all/x.ics")
			r.AddCookie(&http.Cookie{Name: sessionCookie, Value: sessionValue("dashboard-token")})
			return r
		}, http.StatusNotFound},
		{"the link itself", func() *http.Request { return get(all) }, http.StatusOK},
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range tests {
		resp, err := client.Do(tt.req())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
}

func get(u string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, u, nil)
	return r
}

// Replacing a link revokes the old one; only an admin may.
func TestCalendarLinkReplaced(t *testing.T) {
	policy := authz.New(authz.Config{Admins: []string{"UADMIN"}, Rotations: map[string][]string{"platform": {"UALICE"}}}, nil, nil)
	for _, tt := range []struct {
		actor string
		may   bool
	}{{"UALICE", false}, {"UADMIN", true}} {
		e, srv, _ := calendarEnv(t, envOpts{actor: tt.actor, webAccess: policy})
		old := subscriptionLinks(t, srv)[1]
		req := httptestRequest(http.MethodPost, "/oncall/links", url.Values{"feed": {"rotation:platform"}})
		req.Header.Set("Authorization", "Bearer dashboard-token")
		w := serve(e.h, req)
		now := subscriptionLinks(t, srv)[1]
		oldCode, _ := fetch(t, old)
		newCode, _ := fetch(t, now)
		if tt.may {
			if w.Code != http.StatusSeeOther || now == old || oldCode != http.StatusNotFound || newCode != http.StatusOK {
				t.Errorf("%s replaced: POST = %d, changed %v, old link %d, new link %d; want 303, true, 404, 200", tt.actor, w.Code, now != old, oldCode, newCode)
			}
		} else if w.Code != http.StatusForbidden || now != old || oldCode != http.StatusOK {
			t.Errorf("%s replaced: POST = %d, changed %v, old link %d; want 403, false, 200", tt.actor, w.Code, now != old, oldCode)
		}
	}
	e, _, _ := calendarEnv(t, envOpts{})
	req := httptestRequest(http.MethodPost, "/oncall/links", url.Values{"feed": {"rotation:nosuch"}})
	req.Header.Set("Authorization", "Bearer dashboard-token")
	if w := serve(e.h, req); w.Code != http.StatusBadRequest {
		t.Errorf("replacing an unknown feed = %d, want 400", w.Code)
	}
}
