package web

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
	"github.com/kobanhq/koban/desk"
)

// fakeSlackOIDC is Slack's OpenID Connect provider: discovery and keys from
// oidctest, and a token endpoint that issues an ID token for whoever the
// test says is signing in.
type fakeSlackOIDC struct {
	srv  *httptest.Server
	key  *rsa.PrivateKey
	mu   sync.Mutex
	user string // who signs in next
	team string
	aud  string // the audience of the next token
}

func newFakeSlackOIDC(t *testing.T) *fakeSlackOIDC {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSlackOIDC{key: key, team: "T0KOBAN", aud: "client-1"}
	disc := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: "RS256"}}}
	mux := http.NewServeMux()
	mux.Handle("/", disc)
	nonces := map[string]string{} // code → nonce, as the provider remembers it
	mux.HandleFunc("/auth", func(w http.ResponseWriter, r *http.Request) {
		code := "code-" + randomToken()
		f.mu.Lock()
		nonces[code] = r.URL.Query().Get("nonce")
		f.mu.Unlock()
		back := r.URL.Query().Get("redirect_uri") + "?code=" + code + "&state=" + url.QueryEscape(r.URL.Query().Get("state"))
		http.Redirect(w, r, back, http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		nonce, user, team, aud := nonces[r.PostForm.Get("code")], f.user, f.team, f.aud
		f.mu.Unlock()
		if nonce == "" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		now := time.Now().Unix()
		claims := fmt.Sprintf(`{"iss":%q,"aud":%q,"sub":%q,"iat":%d,"exp":%d,"nonce":%q,"https://slack.com/user_id":%q,"https://slack.com/team_id":%q}`,
			f.srv.URL, aud, user, now, now+300, nonce, user, team)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"xoxp-x","token_type":"Bearer","id_token":%q}`, oidctest.SignIDToken(key, "k1", "RS256", claims))
	})
	f.srv = httptest.NewServer(mux)
	disc.SetIssuer(f.srv.URL)
	t.Cleanup(f.srv.Close)
	return f
}

// signInAs runs the whole sign-in dance for user and returns the cookie.
func (f *fakeSlackOIDC) signInAs(t *testing.T, h http.Handler, user string) *http.Cookie {
	t.Helper()
	f.mu.Lock()
	f.user = user
	f.mu.Unlock()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/auth/login?back=/inquiries", nil))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("/auth/login = %d", w.Code)
	}
	login := w.Result().Cookies()[0]
	// The browser goes to Slack, which sends it back with a code.
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(w.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cb, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/auth/callback?"+cb.RawQuery, nil)
	req.AddCookie(login)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/inquiries" {
		t.Fatalf("/auth/callback = %d to %q: %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == userCookie && c.Value != "" {
			return c
		}
	}
	t.Fatal("no user cookie after signing in")
	return nil
}

func do(h http.Handler, method, path string, form url.Values, c *http.Cookie) *httptest.ResponseRecorder {
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if c != nil {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// With Sign in with Slack, each person acts as themselves with their role,
// and private inquiries are hidden from those who may not see them.
func TestSignInWithSlack(t *testing.T) {
	f := newFakeSlackOIDC(t)
	policy := authz.New(authz.Config{Rotations: map[string][]string{"platform": {"UONCALL"}}}, nil, nil)
	e := newEnv(t, envOpts{access: policy})
	srv, err := New(Options{Addr: "0.0.0.0:0", Inline: true, OIDC: &OIDC{Issuer: f.srv.URL, ClientID: "client-1", ClientSecret: "s3cret",
		RedirectURL: "https://koban.example.com/auth/callback", Team: "T0KOBAN"}}, Deps{Desk: e.desk, Inquiries: inquirySource{e.store}, Viewers: policy})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()

	// Nobody signed in: sent to sign in, and no action goes through.
	if w := do(h, http.MethodGet, "/inquiries", nil, nil); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/auth/login") {
		t.Errorf("GET /inquiries without signing in = %d to %q, want the sign-in", w.Code, w.Header().Get("Location"))
	}
	ctx := context.Background()
	pub, _, err := e.desk.Ask(ctx, desk.Incoming{Source: koban.SourceChannel, Channel: "CHELP", MessageTS: "1.1", User: "UASKER", Text: "How do I roll back a deployment?"})
	if err != nil {
		t.Fatal(err)
	}
	priv, _, err := e.desk.Ask(ctx, desk.Incoming{Source: koban.SourceDM, Channel: "DASKER", MessageTS: "1.2", User: "UASKER", Text: "why is the kestrel payroll job slow", Private: true})
	if err != nil {
		t.Fatal(err)
	}
	if w := do(h, http.MethodPost, fmt.Sprintf("/inquiries/%d/ack", pub.ID), url.Values{}, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("ack without signing in = %d, want 401", w.Code)
	}

	outsider := f.signInAs(t, h, "UOUTSIDER")
	if w := do(h, http.MethodGet, "/inquiries", nil, outsider); w.Code != http.StatusOK || strings.Contains(w.Body.String(), "kestrel") || !strings.Contains(w.Body.String(), "roll back") {
		t.Errorf("an outsider's inquiries page = %d, shows the DM question or hides the public one", w.Code)
	}
	if w := do(h, http.MethodGet, fmt.Sprintf("/inquiries/%d", priv.ID), nil, outsider); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "kestrel") {
		t.Errorf("an outsider's view of the DM inquiry = %d, want 404 without its text", w.Code)
	}
	if w := do(h, http.MethodPost, fmt.Sprintf("/inquiries/%d/ack", pub.ID), url.Values{}, outsider); w.Code != http.StatusForbidden {
		t.Errorf("an outsider's ack = %d, want 403", w.Code)
	}

	oncall := f.signInAs(t, h, "UONCALL")
	if w := do(h, http.MethodGet, fmt.Sprintf("/inquiries/%d", priv.ID), nil, oncall); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "kestrel") {
		t.Errorf("the on-call's view of the DM inquiry = %d, want it with its text", w.Code)
	}
	if err := e.desk.Process(ctx, pub.ID, 1); err != nil {
		t.Fatal(err)
	}
	e.desk.NeedHuman(ctx, pub.ID, "UASKER")
	if w := do(h, http.MethodPost, fmt.Sprintf("/inquiries/%d/ack", pub.ID), url.Values{}, oncall); w.Code != http.StatusSeeOther {
		t.Fatalf("the on-call's ack = %d: %s", w.Code, w.Body)
	}
	evs, err := e.store.Events(ctx, pub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Kind != koban.EventAcknowledged || last.Actor != "UONCALL" {
		t.Errorf("last event %s by %q, want acknowledged by UONCALL", last.Kind, last.Actor)
	}

	// A forged or tampered cookie is nobody; so is another workspace.
	forged := *oncall
	forged.Value = strings.Replace(forged.Value, ".", ".0", 1)
	if w := do(h, http.MethodGet, "/inquiries", nil, &forged); w.Code != http.StatusSeeOther {
		t.Errorf("tampered cookie = %d, want the sign-in", w.Code)
	}
	f.mu.Lock()
	f.team = "TOTHER"
	f.mu.Unlock()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/auth/login", nil))
	login := w.Result().Cookies()[0]
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(w.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cb, _ := url.Parse(res.Header.Get("Location"))
	req := httptest.NewRequest(http.MethodGet, "/auth/callback?"+cb.RawQuery, nil)
	req.AddCookie(login)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("sign-in from another workspace = %d, want 401", w.Code)
	}
	// A callback that did not start here is refused.
	if w := do(h, http.MethodGet, "/auth/callback?code=x&state=y", nil, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("callback without a sign-in = %d, want 401", w.Code)
	}
}
