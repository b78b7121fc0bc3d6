package web

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kobanhq/koban"
)

// The web's own error codes for requests refused before any page runs.
const (
	codeBadHost  = "bad_host"  // 421: a Host the server does not answer to
	codeTooLarge = "too_large" // 413: a form or one of its fields over its bound
)

// allowedHosts returns the host names the dashboard answers to, lower case
// and without ports, and whether every name is accepted.
//
// A browser tricked by DNS rebinding (evil.example resolving to 127.0.0.1)
// sends Host: evil.example, so on the default loopback set-up, where no token
// is needed, only localhost, IP addresses, the listen address's host and the
// configured Hosts are served. A server listening on other interfaces must
// have a token, which the rebinding page cannot present (the session cookie
// belongs to the real host name): it accepts any name unless Hosts is set.
func (s *Server) allowedHosts() (hosts []string, any bool) {
	for _, h := range s.opts.Hosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			if host, _, err := net.SplitHostPort(h); err == nil {
				h = host
			}
			hosts = append(hosts, strings.Trim(h, "[]"))
		}
	}
	if len(hosts) == 0 && !IsLoopback(s.opts.Addr) {
		return nil, true
	}
	hosts = append(hosts, "localhost")
	if host, _, err := net.SplitHostPort(s.opts.Addr); err == nil && host != "" {
		hosts = append(hosts, strings.ToLower(host))
	}
	return hosts, false
}

// AllowHosts adds host names the dashboard answers to (Options.Hosts). Call
// it before serving.
func (s *Server) AllowHosts(hosts ...string) { s.opts.Hosts = append(s.opts.Hosts, hosts...) }

// checkHost refuses a request whose Host header is not one the dashboard
// answers to (see allowedHosts).
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts, any := s.allowedHosts()
		if any {
			next.ServeHTTP(w, r)
			return
		}
		host := strings.ToLower(r.Host)
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.Trim(host, "[]")
		// An IP address cannot be rebound; a name must be one of ours.
		if net.ParseIP(host) != nil || slices.Contains(hosts, host) || strings.HasSuffix(host, ".localhost") {
			next.ServeHTTP(w, r)
			return
		}
		s.log.Warn("web request refused: unknown host", "host", truncateRunes(r.Host, 100), "path", r.URL.Path)
		s.fail(w, r, s.errorf(r, codeBadHost, "web.err.host", "Host", truncateRunes(r.Host, 100)))
	})
}

// maxFormBytes bounds a form's body: the longest field is a question.
const maxFormBytes = 256 << 10

// maxQuestionChars is the longest question the ask playground takes.
const maxQuestionChars = 40000

// fieldLimits bounds each form field, in characters, with the message
// naming it in a refusal. A field not listed gets defaultFieldLimit.
var fieldLimits = map[string]struct {
	max  int
	name string
}{
	"text":   {maxQuestionChars, "web.field.text"},
	"note":   {4000, "web.field.note"},
	"page":   {2000, "web.field.page"},
	"label":  {100, "web.field.label"},
	"domain": {100, "web.field.domain"},
	"key":    {200, "web.field.key"},
	"back":   {2000, "web.field.back"},
	"token":  {1000, "web.field.token"},
}

const defaultFieldLimit = 1000

// boundForms reads the form of every request that has one, refusing a body
// over maxFormBytes and any field over its limit with a message that says
// which and by how much, before a handler sees it.
func (s *Server) boundForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				s.fail(w, r, s.errorf(r, codeTooLarge, "web.err.form_large", "KB", maxFormBytes>>10))
				return
			}
			s.fail(w, r, s.errorf(r, koban.EInvalid, "web.err.form_unread"))
			return
		}
		for field, values := range r.Form {
			lim, ok := fieldLimits[field]
			if !ok {
				lim.max, lim.name = defaultFieldLimit, "web.field.other"
			}
			for _, v := range values {
				if n := utf8.RuneCountInString(v); n > lim.max {
					s.fail(w, r, s.errorf(r, codeTooLarge, "web.err.field_long",
						"Field", s.t(r, lim.name, "Name", truncateRunes(field, 40)), "N", n, "Max", lim.max))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
