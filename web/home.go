package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/metrics"
)

// homeView is the data of the dashboard, the home page.
type homeView struct {
	Key string // the ask form's idempotency key
	// Waiting are the inquiries that need a human, oldest first; More says
	// there are more than shown.
	Waiting []koban.Inquiry
	More    bool
	// OnCall is who is on call now and next per rotation; Configured is
	// false without rotations.
	OnCall     []rotationView
	Configured bool
	// Month and Figures are this month's headline figures so far; Report
	// is false when reports are not configured.
	Month   string
	Figures []metrics.Figure
	Report  bool
}

// waitingStates are the states of an inquiry waiting for a human.
var waitingStates = []koban.State{koban.StateEscalated, koban.StateAcknowledged, koban.StateReopened}

// homeWaiting is how many waiting inquiries the dashboard lists.
const homeWaiting = 15

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := homeView{Key: newKey(), Configured: s.deps.OnCall != nil, Report: s.deps.Reports != nil}
	// Ask for the waiting ones beyond what is shown: some may be private.
	list, err := s.deps.Inquiries.Inquiries(ctx, Filter{States: waitingStates, Limit: 200})
	if err != nil {
		s.fail(w, r, fmt.Errorf("inquiries waiting for a human: %w", err))
		return
	}
	list = s.visible(r, list)
	slices.Reverse(list)
	if len(list) > homeWaiting {
		list, v.More = list[:homeWaiting], true
	}
	v.Waiting = list
	if s.deps.OnCall != nil {
		rots, err := s.rotations(r, 0)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.OnCall = rots
	}
	if v.Report {
		rep, err := s.reports.get(ctx, metrics.MonthStart(s.now(), s.loc))
		if err == nil {
			v.Month = rep.Month
			v.Figures, err = figures(rep)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "home", view{Title: s.t(r, "web.nav.home"), Nav: "home", Data: v})
}
