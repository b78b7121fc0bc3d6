package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
)

// langCookie keeps the language a person picked with the switch.
const langCookie = "koban_lang"

// lang picks the page's language: ?lang= (the switch, which also sets the
// cookie), else the cookie, else Accept-Language.
func (s *Server) lang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(i18n.Languages, l) {
		if w != nil {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
		}
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && slices.Contains(i18n.Languages, c.Value) {
		return c.Value
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// translate returns the template functions of language lang: t looks a
// message up by ID with name/value pairs as its data, tn in the plural
// form for a count.
//
// rt, rtn and rdur do the same in the team's language, reportLang: the
// monthly report page reads as the report is written, whoever views it.
// since and dur show durations in lang; why and escalation say the
// reasons of a triage and of an escalation in it.
func translate(lang, reportLang string) template.FuncMap {
	since, dur := durations(lang)
	_, rdur := durations(reportLang)
	return template.FuncMap{
		"since": since, "dur": dur, "rdur": rdur,
		"t":   func(id string, kv ...any) string { return i18n.T(lang, id, pairs(kv)) },
		"tn":  func(id string, count int, kv ...any) string { return i18n.N(lang, id, count, pairs(kv)) },
		"rt":  func(id string, kv ...any) string { return i18n.T(reportLang, id, pairs(kv)) },
		"rtn": func(id string, count int, kv ...any) string { return i18n.N(reportLang, id, count, pairs(kv)) },
		// why says a triage reason, escalation an escalation's recorded reason.
		"why":        func(r koban.Reason) string { return r.In(lang) },
		"escalation": func(reason string) string { return i18n.Reword(lang, "reason.", reason) },
	}
}

// pairs turns "Name", value, … into message data.
func pairs(kv []any) i18n.Data {
	if len(kv) == 0 {
		return nil
	}
	d := i18n.Data{}
	for i := 0; i+1 < len(kv); i += 2 {
		d[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return d
}

// errorf returns an error with code whose message is catalogue message id
// in the request's language.
func (s *Server) errorf(r *http.Request, code, id string, kv ...any) error {
	return &koban.Error{Code: code, Message: s.t(r, id, kv...)}
}

// switchURL is the current address with ?lang=to: the language switch.
func switchURL(r *http.Request, to string) string {
	q := r.URL.Query()
	q.Del("token")
	q.Set("lang", to)
	return r.URL.Path + "?" + q.Encode()
}
