package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/kobanhq/koban"
)

// FlowDesk is the part of the desk behind suggestions, past answers and
// relabelling (*desk.Desk). A Desk without it shows none of them.
type FlowDesk interface {
	// SuggestionSolved: EInvalid for anyone but the asker.
	SuggestionSolved(ctx context.Context, id int64, user string) (*koban.Inquiry, error)
	// Relabel sets the human label (responders only: EInvalid otherwise).
	Relabel(ctx context.Context, id int64, user string, l koban.Label, dom koban.Domain) (*koban.Inquiry, error)
	// PastAnswers lists the kept answers, newest first, removed ones too.
	PastAnswers(ctx context.Context, limit int) ([]koban.PastAnswer, error)
	// RemovePastAnswer removes one for good; ENotFound when unknown.
	RemovePastAnswer(ctx context.Context, id int64, user string) (*koban.PastAnswer, error)
	// ShownPast leaves out the entries removed since a reply was recorded.
	ShownPast(ctx context.Context, past []koban.PastAnswer) ([]koban.PastAnswer, error)
}

// errNoFlow says a desk without past answers and relabelling cannot; its
// message is web.err.no_flow in the viewer's language.
var errNoFlow = koban.Errorf(koban.ENotFound, "Past answers and relabelling are not available in this koban.")

func (s *Server) flow() (FlowDesk, error) {
	if f, ok := s.deps.Desk.(FlowDesk); ok {
		return f, nil
	}
	return nil, errNoFlow
}

// pastView is the data of the past answers page.
type pastView struct {
	Entries []koban.PastAnswer
	Live    int
}

// pastPage lists the answers people gave when resolving, which koban shows
// to the next person asking something similar, with a Remove button each.
func (s *Server) pastPage(w http.ResponseWriter, r *http.Request) {
	f, err := s.flow()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := f.PastAnswers(r.Context(), 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := pastView{Entries: list}
	for _, p := range list {
		if !p.Removed() {
			v.Live++
		}
	}
	s.render(w, r, http.StatusOK, "past", view{Title: s.t(r, "web.nav.past"), Nav: "past", Data: v})
}

// removePast removes a past answer and goes back to the list.
func (s *Server) removePast(w http.ResponseWriter, r *http.Request) {
	f, err := s.flow()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, s.errorf(r, koban.ENotFound, "web.err.no_past", "ID", r.PathValue("id")))
		return
	}
	if _, err := f.RemovePastAnswer(r.Context(), id, s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(r.PostFormValue("back"), "/past"), http.StatusSeeOther)
}

// flowAction applies the actions of suggestions and relabelling to an
// inquiry; false when action is not one of them.
func (s *Server) flowAction(r *http.Request, id int64, action string) (bool, error) {
	switch action {
	case string(koban.FeedbackSuggestionSolved), "relabel":
	default:
		return false, nil
	}
	f, err := s.flow()
	if err != nil {
		return true, err
	}
	if action == string(koban.FeedbackSuggestionSolved) {
		_, err = f.SuggestionSolved(r.Context(), id, s.actor(r))
		return true, err
	}
	res, err := s.parseResolution(r)
	if err != nil {
		return true, err
	}
	_, err = f.Relabel(r.Context(), id, webUser, res.Label, res.Domain)
	return true, err
}

// shownPast leaves out of a recorded reply the past answers removed since.
func (s *Server) shownPast(ctx context.Context, rep *reply) error {
	if rep == nil || len(rep.Past) == 0 {
		return nil
	}
	f, err := s.flow()
	if err != nil {
		rep.Past = nil
		return nil
	}
	if rep.Past, err = f.ShownPast(ctx, rep.Past); err != nil {
		return fmt.Errorf("past answers: %w", err)
	}
	return nil
}

// pastAnswerText is a past answer for the page: one paragraph per line.
func pastAnswerText(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
