package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/kobanhq/koban"
)

// OIDC configures "Sign in with Slack" (OpenID Connect): each person uses
// the dashboard as themselves, with their role, instead of as the shared
// token's admin identity.
// https://docs.slack.dev/authentication/sign-in-with-slack/
type OIDC struct {
	// Issuer is the provider; default https://slack.com.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is this dashboard's /auth/callback as Slack calls it,
	// such as https://koban.example.com/auth/callback.
	RedirectURL string
	// Team, when set, admits only members of this Slack workspace (T…).
	Team string
}

// Viewers says what a signed-in person may see (*authz.Policy).
type Viewers interface {
	// Visible returns the inquiries user may see, and how many private
	// ones were left out.
	Visible(ctx context.Context, user string, inqs []koban.Inquiry) ([]koban.Inquiry, int)
	// CanSee reports whether user may see inq's text.
	CanSee(ctx context.Context, user string, inq *koban.Inquiry) bool
}

const (
	userCookie  = "koban_user"  // user|team|expiry, signed
	loginCookie = "koban_login" // state|nonce|back of a sign-in under way
	sessionFor  = 12 * time.Hour
	slackIssuer = "https://slack.com"
)

// signIn holds what Sign in with Slack needs once set up.
type signIn struct {
	cfg      OIDC
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	key      []byte // signs the user cookie
}

// newSignIn discovers the provider's endpoints and keys.
func newSignIn(ctx context.Context, cfg OIDC) (*signIn, error) {
	if cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.RedirectURL == "" {
		return nil, koban.Errorf(koban.EInvalid, "Sign in with Slack needs a client id, a client secret and a redirect URL")
	}
	if cfg.Issuer == "" {
		cfg.Issuer = slackIssuer
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", cfg.Issuer, err)
	}
	key := sha256.Sum256([]byte("koban web user\x00" + cfg.ClientSecret))
	return &signIn{
		cfg: cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"}},
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		key:      key[:],
	}, nil
}

type actorKey struct{}

// actor returns who a request acts as: the signed-in person, else the
// shared token's identity.
func (s *Server) actor(r *http.Request) string {
	if u, ok := r.Context().Value(actorKey{}).(string); ok && u != "" {
		return u
	}
	return s.opts.Actor
}

// identify lets a signed-in person through as themselves; anyone else goes
// through the token check (the shared token's admin identity) or, when
// there is no token, to sign in.
func (s *Server) identify(signedIn, token http.Handler) http.Handler {
	if s.signIn == nil {
		return token
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, ok := s.signIn.user(r); ok {
			signedIn.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, u)))
			return
		}
		if s.opts.Token != "" && (r.Header.Get("Authorization") != "" || hasCookie(r, sessionCookie) || r.URL.Query().Has("token")) {
			token.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			http.Redirect(w, r, "/auth/login?back="+urlEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		s.fail(w, r, s.errorf(r, codeUnauthorized, "web.err.token"))
	})
}

func urlEscape(s string) string { return url.QueryEscape(s) }

func hasCookie(r *http.Request, name string) bool {
	_, err := r.Cookie(name)
	return err == nil
}

// login starts Sign in with Slack.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	state, nonce := randomToken(), randomToken()
	back := localPath(r.URL.Query().Get("back"), "/")
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: state + "|" + nonce + "|" + back, Path: "/auth/",
		MaxAge: 600, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, s.signIn.oauth.AuthCodeURL(state, oidc.Nonce(nonce)), http.StatusSeeOther)
}

// callback finishes Sign in with Slack: the code is exchanged, the ID token
// verified (signature, issuer, audience, expiry, nonce) and the person
// remembered in a signed cookie.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	parts := []string{}
	if err == nil {
		parts = strings.SplitN(c.Value, "|", 3)
	}
	q := r.URL.Query()
	if len(parts) != 3 || q.Get("state") == "" || !hmac.Equal([]byte(parts[0]), []byte(q.Get("state"))) {
		s.fail(w, r, s.errorf(r, codeUnauthorized, "web.err.signin_expired"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/auth/", MaxAge: -1})
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	user, team, err := s.signIn.exchange(ctx, q.Get("code"), parts[1])
	if err != nil {
		s.log.Warn("sign in with slack refused", "err", err)
		s.fail(w, r, s.errorf(r, codeUnauthorized, "web.err.signin_unconfirmed"))
		return
	}
	if s.signIn.cfg.Team != "" && team != s.signIn.cfg.Team {
		s.log.Warn("sign in from another workspace", "user", user, "team", team)
		s.fail(w, r, s.errorf(r, codeUnauthorized, "web.err.signin_workspace"))
		return
	}
	exp := time.Now().Add(sessionFor)
	http.SetCookie(w, &http.Cookie{Name: userCookie, Value: s.signIn.sign(user, team, exp), Path: "/", Expires: exp,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	s.log.Info("signed in", "user", user)
	http.Redirect(w, r, localPath(parts[2], "/"), http.StatusSeeOther)
}

// exchange trades the code for an ID token and returns its Slack user and team.
func (si *signIn) exchange(ctx context.Context, code, nonce string) (user, team string, err error) {
	tok, err := si.oauth.Exchange(ctx, code)
	if err != nil {
		return "", "", fmt.Errorf("exchange code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", "", errors.New("no id_token in the token response")
	}
	id, err := si.verifier.Verify(ctx, raw)
	if err != nil {
		return "", "", fmt.Errorf("verify id token: %w", err)
	}
	if !hmac.Equal([]byte(id.Nonce), []byte(nonce)) {
		return "", "", errors.New("id token nonce does not match")
	}
	var claims struct {
		User string `json:"https://slack.com/user_id"`
		Team string `json:"https://slack.com/team_id"`
	}
	if err := id.Claims(&claims); err != nil {
		return "", "", fmt.Errorf("id token claims: %w", err)
	}
	if claims.User == "" {
		claims.User = id.Subject
	}
	if claims.User == "" || strings.ContainsAny(claims.User, "|") || strings.ContainsAny(claims.Team, "|") {
		return "", "", errors.New("id token names no usable Slack user")
	}
	return claims.User, claims.Team, nil
}

// sign returns the user cookie's value.
func (si *signIn) sign(user, team string, exp time.Time) string {
	body := user + "|" + team + "|" + strconv.FormatInt(exp.Unix(), 10)
	m := hmac.New(sha256.New, si.key)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString([]byte(body)) + "." + hex.EncodeToString(m.Sum(nil))
}

// user returns the signed-in Slack user of a request with a valid cookie.
func (si *signIn) user(r *http.Request) (string, bool) {
	c, err := r.Cookie(userCookie)
	if err != nil {
		return "", false
	}
	enc, sig, ok := strings.Cut(c.Value, ".")
	body, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil {
		return "", false
	}
	m := hmac.New(sha256.New, si.key)
	m.Write(body)
	want := hex.EncodeToString(m.Sum(nil))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return "", false
	}
	parts := strings.Split(string(body), "|")
	if len(parts) != 3 {
		return "", false
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || time.Now().Unix() > exp {
		return "", false
	}
	return parts[0], true
}

// logout forgets the signed-in person.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: userCookie, Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func randomToken() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// visible filters inqs to what the request's person may see.
func (s *Server) visible(r *http.Request, inqs []koban.Inquiry) []koban.Inquiry {
	if s.deps.Viewers == nil {
		return inqs
	}
	shown, _ := s.deps.Viewers.Visible(r.Context(), s.actor(r), inqs)
	return shown
}

// canSee reports whether the request's person may see inq; others are told
// it does not exist.
func (s *Server) canSee(r *http.Request, inq *koban.Inquiry) bool {
	return s.deps.Viewers == nil || s.deps.Viewers.CanSee(r.Context(), s.actor(r), inq)
}
