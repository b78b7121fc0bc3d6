// Package i18n is koban's one message catalogue: every fixed string a person
// reads in Slack, on the web and in the monthly report, in English and
// Japanese.
//
// The messages live in embedded YAML files under messages/, one pair per
// surface (messages/web.en.yaml and messages/web.ja.yaml, …), read by
// go-i18n into one bundle. A message is looked up by its ID in a language;
// its text is a Go template over the data passed with it ({{.Name}}), with
// "one"/"other" plural forms where a count is involved. TestCatalogueComplete
// fails when a message exists in one language and not the other, or when a
// template does not parse.
//
// Languages are "en" and "ja". Team-wide output (the report, handoffs,
// reminders) uses the configured language; per-person output follows the
// person's Slack locale (FromLocale) or, on the web, Accept-Language
// (FromAcceptLanguage). A request's language travels to the services
// below it in its context (WithLanguage, FromContext).
//
// A message may be the value of another's data (Message): it is said in
// the language of the message it fills, so that an error (koban.Say)
// keeps its words by ID until a surface shows it to its reader. Reword
// shows English words koban stored (an escalation's reason) in another
// language.
package i18n

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"sort"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// The languages koban speaks. English is the fallback for everything else.
const (
	English  = "en"
	Japanese = "ja"
)

// Languages lists the supported languages, the fallback first.
var Languages = []string{English, Japanese}

//go:embed messages/*.yaml
var files embed.FS

// catalogue is the loaded bundle and, per language, the IDs of its
// messages and a localizer (made once: messages are looked up for every
// line koban writes).
type catalogue struct {
	bundle     *i18n.Bundle
	ids        map[string]map[string]bool
	localizers map[string]*i18n.Localizer
}

var cat = mustLoad()

func mustLoad() *catalogue {
	c, err := load(files)
	if err != nil {
		panic(err) // the catalogue is embedded; TestCatalogueComplete catches this first
	}
	return c
}

func load(fsys fs.FS) (*catalogue, error) {
	c := &catalogue{bundle: i18n.NewBundle(language.English), ids: map[string]map[string]bool{}}
	c.bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	names, err := fs.Glob(fsys, "messages/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		mf, err := c.bundle.ParseMessageFileBytes(data, path.Base(name))
		if err != nil {
			return nil, fmt.Errorf("message catalogue %s: %w", name, err)
		}
		base, _ := mf.Tag.Base()
		lang := Normalize(base.String())
		if c.ids[lang] == nil {
			c.ids[lang] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			if c.ids[lang][m.ID] {
				return nil, fmt.Errorf("message catalogue %s: message %q is defined twice", name, m.ID)
			}
			c.ids[lang][m.ID] = true
		}
	}
	c.localizers = map[string]*i18n.Localizer{}
	for _, lang := range Languages {
		c.localizers[lang] = i18n.NewLocalizer(c.bundle, lang)
	}
	return c, nil
}

// Normalize maps any language tag ("ja-JP", "JA", "en_US", "") to a
// supported language: Japanese for Japanese tags, English otherwise.
func Normalize(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if tag == Japanese || strings.HasPrefix(tag, "ja-") || strings.HasPrefix(tag, "ja_") {
		return Japanese
	}
	return English
}

// FromLocale turns a Slack user locale ("ja-JP", "en-US") into a language.
func FromLocale(locale string) string { return Normalize(locale) }

var matcher = language.NewMatcher([]language.Tag{language.English, language.Japanese})

// FromAcceptLanguage picks the language for an HTTP Accept-Language header.
func FromAcceptLanguage(header string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return English
	}
	tag, _, _ := matcher.Match(tags...)
	base, _ := tag.Base()
	return Normalize(base.String())
}

// Data is the template data of a message.
type Data = map[string]any

// T returns message id in lang, its template filled from data (nil when the
// message has no placeholders). An unknown id returns the id itself, so a
// missing message shows up in golden files and tests instead of vanishing.
func T(lang, id string, data Data) string {
	return render(lang, &i18n.LocalizeConfig{MessageID: id, TemplateData: inner(lang, data)})
}

// Message is a message of the catalogue used as a value in the data of
// another: it is said in the language of the message it fills (an error's
// example, said when the error is shown).
type Message struct {
	ID   string
	Data Data
}

// inner says the Messages among data's values in lang.
func inner(lang string, data Data) Data {
	var out Data
	for k, v := range data {
		if m, ok := v.(Message); ok {
			if out == nil {
				out = maps.Clone(data)
			}
			out[k] = T(lang, m.ID, m.Data)
		}
	}
	if out == nil {
		return data
	}
	return out
}

// N returns message id in lang in the plural form for count. The count is
// available to the template as {{.Count}}, beside data.
func N(lang, id string, count int, data Data) string {
	d := Data{"Count": count}
	for k, v := range data {
		d[k] = v
	}
	return render(lang, &i18n.LocalizeConfig{MessageID: id, TemplateData: inner(lang, d), PluralCount: count})
}

func render(lang string, cfg *i18n.LocalizeConfig) string {
	s, err := cat.localizers[Normalize(lang)].Localize(cfg)
	if err != nil {
		return cfg.MessageID
	}
	return s
}

// Say is T with the data as key/value pairs:
// Say(lang, "resolved.by", "Who", "<@U1>").
func Say(lang, id string, kv ...any) string { return T(lang, id, Pairs(kv...)) }

// SayN is N with the data as key/value pairs.
func SayN(lang, id string, count int, kv ...any) string { return N(lang, id, count, Pairs(kv...)) }

// Pairs makes template data of key/value pairs; nil for none.
func Pairs(kv ...any) Data {
	if len(kv) == 0 {
		return nil
	}
	d := Data{}
	for i := 0; i+1 < len(kv); i += 2 {
		d[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return d
}

type ctxKey struct{}

// WithLanguage returns ctx carrying lang, the language of the person a
// request is answered for: services deeper down (the on-call commands)
// reply in it.
func WithLanguage(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, ctxKey{}, Normalize(lang))
}

// FromContext is the language WithLanguage put in ctx; English when none.
func FromContext(ctx context.Context) string {
	if lang, ok := ctx.Value(ctxKey{}).(string); ok {
		return lang
	}
	return English
}

// Has reports whether message id exists in every language.
func Has(id string) bool {
	for _, lang := range Languages {
		if _, ok := messageIDs(lang)[id]; !ok {
			return false
		}
	}
	return true
}

// IDs lists every message ID of a language, sorted.
func IDs(lang string) []string {
	ids := make([]string, 0)
	for id := range messageIDs(lang) {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func messageIDs(lang string) map[string]bool { return cat.ids[lang] }

// Reword returns text, the English text of one of the messages whose ID
// starts with prefix, in lang: words koban stored in English (an
// escalation's reason on an event) are shown in the reader's language.
// Any other text is returned as it is.
func Reword(lang, prefix, text string) string {
	for _, id := range IDs(English) {
		if strings.HasPrefix(id, prefix) && T(English, id, nil) == text {
			return T(lang, id, nil)
		}
	}
	return text
}
