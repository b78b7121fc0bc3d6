package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
)

//go:embed templates static
var assets embed.FS

// statusOf maps error codes to HTTP statuses; anything else is a 500.
var statusOf = map[string]int{
	koban.ENotFound:    http.StatusNotFound,
	koban.EInvalid:     http.StatusBadRequest,
	koban.EConflict:    http.StatusConflict,
	koban.EForbidden:   http.StatusForbidden,
	koban.EUnavailable: http.StatusServiceUnavailable,
	codeUnauthorized:   http.StatusUnauthorized,
	codeBadHost:        http.StatusMisdirectedRequest,
	codeTooLarge:       http.StatusRequestEntityTooLarge,
}

// Status returns the HTTP status for err: the table above by error code,
// 500 for anything else.
func Status(err error) int {
	if st, ok := statusOf[koban.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// pages holds one template set per page, each with the layout.
type pages struct {
	byName map[string]*template.Template
}

// pageNames are the templates in templates/, without ".html".
var pageNames = []string{"home", "ask", "thread", "inquiries", "inquiry", "oncall", "report", "gaps", "error", "past"}

func parsePages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).Funcs(translate(i18n.English, i18n.English)).ParseFS(assets, "templates/layout.html", "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what every page template gets.
type view struct {
	Title string
	Nav   string // the active navigation entry
	Now   time.Time
	Loc   *time.Location
	// Refresh reloads the page after this many seconds (0: never), for an
	// answer still being worked on.
	Refresh int
	Data    any

	// Lang is the page's language; Other the one the switch offers, at
	// Switch.
	Lang, Other, Switch string
}

// render writes page name with status. The page is rendered into a buffer
// first, so a template error becomes an error page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	v.Now, v.Loc = s.now().In(s.loc), s.loc
	v.Lang = s.lang(w, r)
	v.Other = i18n.Japanese
	if v.Lang == i18n.Japanese {
		v.Other = i18n.English
	}
	v.Switch = switchURL(r, v.Other)
	var b bytes.Buffer
	t, err := s.localize(s.pages.byName[name], r, v.Lang)
	if err == nil {
		err = t.ExecuteTemplate(&b, "layout", v)
	}
	if err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "koban could not render this page; the details are in its log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// errorView is the data of the error page.
type errorView struct {
	Status  int
	Heading string
	Message string
	Token   bool // the request lacked the token
}

// sentinelMessages are the catalogue messages of the web's own errors made
// before a request is known.
var sentinelMessages = map[error]string{
	errNoFlow:    "web.err.no_flow",
	errNoReports: "web.err.no_reports",
}

// fail renders the friendly error page for err. Errors without a code are
// logged in full; the page shows koban.ErrorText only, in the reader's
// language.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	st := Status(err)
	for sentinel, id := range sentinelMessages {
		if errors.Is(err, sentinel) {
			err = s.errorf(r, koban.ErrorCode(err), id)
		}
	}
	if st >= 500 {
		s.log.Error("web request", "method", r.Method, "path", r.URL.Path, "status", st, "err", err)
	}
	if strings.HasPrefix(r.Header.Get("Accept"), "text/plain") || r.URL.Path == "/metrics" {
		http.Error(w, plainMentions(koban.ErrorText(s.lang(nil, r), err)), st)
		return
	}
	heading := s.t(r, fmt.Sprintf("web.status.%d", st))
	if !i18n.Has(fmt.Sprintf("web.status.%d", st)) {
		heading = http.StatusText(st)
	}
	s.render(w, r, st, "error", view{Title: heading, Data: errorView{
		Status: st, Heading: heading, Message: plainMentions(koban.ErrorText(s.lang(nil, r), err)), Token: st == http.StatusUnauthorized,
	}})
}

// staticHandler serves the embedded stylesheet.
func staticHandler() http.Handler {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err) // the embedded folder exists at compile time
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// markdown renders answers. Raw HTML and dangerous links are left out by
// default; relative links (a docs page linking "../tutorials/x.md") would
// resolve against the dashboard, so they become plain text. Tables quoted
// from the docs become tables (GFM).
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.Table),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(relativeLinks{}, 100))),
)

// relativeLinks replaces links without a scheme or host by their text.
type relativeLinks struct{}

func (relativeLinks) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var links []*ast.Link
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering {
			if u, err := url.Parse(string(l.Destination)); err != nil || (u.Scheme == "" && u.Host == "") {
				links = append(links, l)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, l := range links {
		parent := l.Parent()
		for c := l.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, l, c)
			c = next
		}
		parent.RemoveChild(parent, l)
	}
}

// renderMarkdown renders an answer's Markdown as HTML.
func renderMarkdown(s string) template.HTML {
	var b bytes.Buffer
	if err := markdown.Convert([]byte(s), &b); err != nil {
		return template.HTML(template.HTMLEscapeString(s))
	}
	return template.HTML(b.String())
}

var funcs = template.FuncMap{
	"markdown": renderMarkdown,
	"when": func(t time.Time, loc *time.Location) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(loc).Format("2006-01-02 15:04 MST")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"pct": func(f float64) string {
		if math.IsNaN(f) {
			return "—"
		}
		return fmt.Sprintf("%.0f%%", f*100)
	},
	"conf":      func(f float64) string { return fmt.Sprintf("%.2f", f) },
	"pastLines": pastAnswerText,
	"excerpt":   excerpt,
	"label": func(l koban.Label) string {
		if l.IsZero() {
			return "—"
		}
		return l.String()
	},
	"mention": mention,
	"section": section,
}

// humanDuration gives d in lang in the largest sensible unit and the next:
// "45s", "12m", "3h 5m", "2d 4h" ("2日4時間").
func humanDuration(d time.Duration, lang string) string {
	if d < 0 {
		d = -d
	}
	unit := func(id string, n int) string { return i18n.T(lang, "web.dur."+id, i18n.Data{"N": n}) }
	two := func(a, b string) string { return i18n.T(lang, "web.dur.join", i18n.Data{"A": a, "B": b}) }
	switch {
	case d < time.Minute:
		return unit("s", int(d.Seconds()))
	case d < time.Hour:
		return unit("m", int(d.Minutes()))
	case d < 24*time.Hour:
		h := int(d.Hours())
		if m := int(d.Minutes()) % 60; m != 0 {
			return two(unit("h", h), unit("m", m))
		}
		return unit("h", h)
	}
	days := int(d.Hours()) / 24
	if h := int(d.Hours()) % 24; h != 0 {
		return two(unit("d", days), unit("h", h))
	}
	return unit("d", days)
}

// durations returns the template functions that show durations in lang:
// since (between two times) and dur.
func durations(lang string) (since func(from, to time.Time) string, dur func(time.Duration) string) {
	since = func(from, to time.Time) string {
		if from.IsZero() || to.IsZero() {
			return "—"
		}
		return humanDuration(to.Sub(from), lang)
	}
	dur = func(d time.Duration) string {
		if d <= 0 {
			return "—"
		}
		return humanDuration(d, lang)
	}
	return since, dur
}

// excerpt shortens s to about n runes on a word boundary.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

// section gives a citation's breadcrumb without the page title it starts
// with ("Request a database > Sizes" under "Request a database": "Sizes").
func section(c koban.Citation) string {
	if rest, ok := strings.CutPrefix(c.Section, c.Title+" > "); ok {
		return rest
	}
	if c.Section == c.Title {
		return ""
	}
	return c.Section
}

// mention shows a Slack user or group ID as Slack would mention it.
func mention(id string) string {
	switch {
	case id == "":
		return ""
	case id == koban.ActorKoban:
		return "koban"
	case strings.HasPrefix(id, "S"):
		return "@group " + id
	}
	return "@" + id
}
