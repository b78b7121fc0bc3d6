package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// TestHostHeader: DNS rebinding points a name the attacker owns at the
// dashboard's address; the dashboard serves only the names it answers to.
func TestHostHeader(t *testing.T) {
	e := newEnv(t, envOpts{addr: "127.0.0.1:8080"})
	tests := []struct {
		host string
		want int
	}{
		{"127.0.0.1:8080", http.StatusOK},
		{"localhost:8080", http.StatusOK},
		{"LOCALHOST", http.StatusOK},
		{"[::1]:8080", http.StatusOK},
		{"koban.localhost:8080", http.StatusOK},
		{"example.com", http.StatusOK}, // the harness's Hosts
		{"rebind.evil.example:8080", http.StatusMisdirectedRequest},
		{"127.0.0.1.evil.example", http.StatusMisdirectedRequest},
		{"localhost.evil.example", http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "/inquiries", nil)
		req.Host = tt.host
		w := serve(e.h, req)
		if w.Code != tt.want {
			t.Errorf("GET /inquiries with Host %q = %d, want %d", tt.host, w.Code, tt.want)
		}
		if tt.want == http.StatusMisdirectedRequest && !strings.Contains(w.Body.String(), "web.hosts") {
			t.Errorf("refusal for Host %q does not say how to allow it: %s", tt.host, w.Body)
		}
	}

	// A name added before serving is answered to.
	e.srv.AllowHosts("koban.acme.io")
	req0 := httptest.NewRequest(http.MethodGet, "/inquiries", nil)
	req0.Host = "koban.acme.io"
	if w := serve(e.h, req0); w.Code != http.StatusOK {
		t.Errorf("GET /inquiries with an allowed Host = %d, want 200", w.Code)
	}

	// A rebound page cannot act either.
	e.seed()
	req := httptestRequest(http.MethodPost, "/ask", url.Values{"text": {"how do I get a database?"}, "key": {newKey()}})
	req.Host = "rebind.evil.example:8080"
	if w := serve(e.h, req); w.Code != http.StatusMisdirectedRequest {
		t.Errorf("POST /ask with a foreign Host = %d, want %d", w.Code, http.StatusMisdirectedRequest)
	}

	// Health checks answer whatever the Host (probes use the pod IP or a
	// service name).
	req = httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Host = "koban.payments.svc.cluster.local:8080"
	if w := serve(e.h, req); w.Code != http.StatusOK {
		t.Errorf("GET /healthz with a service name = %d, want 200", w.Code)
	}
}

func TestAllowedHosts(t *testing.T) {
	tests := []struct {
		addr  string
		hosts []string
		host  string
		want  int
	}{
		// Listening everywhere needs a token, which a rebound page lacks.
		{":8080", nil, "koban.acme.io", http.StatusOK},
		{"0.0.0.0:8080", nil, "anything.example", http.StatusOK},
		// With hosts set, only they (and IP addresses) are served.
		{":8080", []string{"koban.acme.io"}, "koban.acme.io", http.StatusOK},
		{":8080", []string{"Koban.Acme.io:443"}, "koban.acme.io", http.StatusOK},
		{":8080", []string{"koban.acme.io"}, "10.0.0.7:8080", http.StatusOK},
		{":8080", []string{"koban.acme.io"}, "evil.example", http.StatusMisdirectedRequest},
		// A named listen address answers to its name.
		{"koban.internal:8080", []string{"koban.acme.io"}, "koban.internal:8080", http.StatusOK},
	}
	for _, tt := range tests {
		e := newEnv(t, envOpts{addr: tt.addr, token: "s3cret-t0ken-for-tests"})
		e.srv.opts.Hosts = tt.hosts
		h := e.srv.checkHost(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = tt.host
		if w := serve(h, req); w.Code != tt.want {
			t.Errorf("addr %q, hosts %q: Host %q = %d, want %d", tt.addr, tt.hosts, tt.host, w.Code, tt.want)
		}
	}
}

// TestFormBounds: every form field has a bound, and a request over it is
// refused with a message that says what was too long, before anything
// changes.
func TestFormBounds(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.seed()
	inq := e.askVia("How do I request a database for my service?")
	before := len(e.events(inq.ID))

	tests := []struct {
		name, path string
		form       url.Values
		want       string
	}{
		{"5 MB note", "/inquiries/{id}/docs-wrong", url.Values{"note": {strings.Repeat("a", 5<<20)}}, "The form is too large"},
		{"long note", "/inquiries/{id}/docs-wrong", url.Values{"note": {strings.Repeat("ノ", 4001)}}, "The note is too long: 4001 characters, at most 4000"},
		{"long page", "/inquiries/{id}/resolve", url.Values{"label": {"self-solvable/answered"}, "page": {strings.Repeat("p", 2001)}}, "The page is too long"},
		{"long question", "/ask", url.Values{"text": {strings.Repeat("q", maxQuestionChars+1)}, "key": {newKey()}}, "The question is too long"},
		{"unknown field", "/ask", url.Values{"text": {"hi"}, "extra": {strings.Repeat("x", 5000)}}, "The field extra is too long"},
	}
	for _, tt := range tests {
		path := strings.ReplaceAll(tt.path, "{id}", itoa(inq.ID))
		w := e.post(path, tt.form)
		if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), tt.want) {
			t.Errorf("%s: POST %s = %d, want 413 saying %q; body: %.300s", tt.name, path, w.Code, tt.want, w.Body)
		}
	}
	if got := e.inquiry(inq.ID); got.State == koban.StateResolved || len(e.events(inq.ID)) != before {
		t.Errorf("refused forms changed inquiry %d: state %s, %d events (was %d)", inq.ID, got.State, len(e.events(inq.ID)), before)
	}

	// Within the bounds, the same forms work.
	if w := e.post("/inquiries/"+itoa(inq.ID)+"/docs-wrong", url.Values{"note": {strings.Repeat("ノ", 4000)}}); w.Code != http.StatusSeeOther {
		t.Errorf("POST docs-wrong with a 4000-character note = %d, want 303: %.300s", w.Code, w.Body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (e *env) events(id int64) []koban.Event {
	e.t.Helper()
	evs, err := e.store.Events(context.Background(), id)
	if err != nil {
		e.t.Fatalf("events of %d: %v", id, err)
	}
	return evs
}
