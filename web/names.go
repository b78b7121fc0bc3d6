package web

import (
	"context"
	"html/template"
	"net/http"
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

// withNames returns t with its mention function showing display names for
// the request r; t itself when there is no Names.
func (s *Server) withNames(t *template.Template, r *http.Request) (*template.Template, error) {
	if s.deps.Names == nil {
		return t, nil
	}
	c, err := t.Clone()
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	return c.Funcs(template.FuncMap{"mention": func(id string) string { return personMention(ctx, s.deps.Names, id) }}), nil
}
