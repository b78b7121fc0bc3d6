package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// sessionCookie holds a digest of the token once a browser presented it with
// ?token=, so that the token need not stay in the address bar.
const sessionCookie = "koban_session"

// sessionValue is the cookie value for token: a digest, so the cookie jar
// never holds the token itself.
func sessionValue(token string) string {
	sum := sha256.Sum256([]byte("koban web session\x00" + token))
	return hex.EncodeToString(sum[:])
}

// auth lets a request through when no token is configured, or when it
// carries the token as "Authorization: Bearer <token>", as the session
// cookie, or once as ?token=<token> (which sets the cookie and redirects to
// the same address without it).
func (s *Server) auth(next http.Handler) http.Handler {
	token := s.opts.Token
	if token == "" {
		return next
	}
	want := sessionValue(token)
	equal := func(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, cred, _ := strings.Cut(h, " ")
			if strings.EqualFold(scheme, "Bearer") && equal(strings.TrimSpace(cred), token) {
				next.ServeHTTP(w, r)
				return
			}
		}
		if c, err := r.Cookie(sessionCookie); err == nil && equal(c.Value, want) {
			next.ServeHTTP(w, r)
			return
		}
		if t := r.URL.Query().Get("token"); t != "" && equal(t, token) {
			http.SetCookie(w, &http.Cookie{
				Name: sessionCookie, Value: want, Path: "/",
				HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
			})
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				u := *r.URL
				q := u.Query()
				q.Del("token")
				u.RawQuery = q.Encode()
				http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="koban"`)
		s.fail(w, r, s.errorf(r, codeUnauthorized, "web.err.token"))
	})
}

// codeUnauthorized is the web's own code for a missing or wrong token.
const codeUnauthorized = "unauthorized"

// securityHeaders keeps the pages from being framed, sniffed or running
// scripts: the dashboard needs none.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
