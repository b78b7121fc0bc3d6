package web

import (
	"context"
	"html/template"
	"net/http"

	"github.com/kobanhq/koban/internal/i18n"
)

// Names gives the display names of Slack users (package bot implements it
// with users.info). Without it, or when it returns "", people show as IDs.
type Names interface {
	// PersonName returns the display name of a Slack user ID, or "".
	PersonName(ctx context.Context, id string) string
}

// personMention is mention with the person's display name when Names knows
// it: "@Alice" rather than "@U0ALICE".
func personMention(ctx context.Context, names Names, id string) string {
	if names != nil {
		if name := names.PersonName(ctx, id); name != "" {
			return "@" + name
		}
	}
	return mention(id)
}

// localize returns a copy of t speaking lang, with its mention function
// showing display names for the request r when there are Names.
func (s *Server) localize(t *template.Template, r *http.Request, lang string) (*template.Template, error) {
	c, err := t.Clone()
	if err != nil {
		return nil, err
	}
	c.Funcs(translate(lang, s.opts.Language))
	if s.deps.Names != nil {
		ctx := r.Context()
		c.Funcs(template.FuncMap{"mention": func(id string) string { return personMention(ctx, s.deps.Names, id) }})
	}
	return c, nil
}

// t returns message id in the request's language.
func (s *Server) t(r *http.Request, id string, kv ...any) string {
	return i18n.T(s.lang(nil, r), id, pairs(kv))
}
