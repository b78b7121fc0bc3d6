package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/kobanhq/koban"
)

// oncallView is the data of the on-call page.
type oncallView struct {
	Configured bool
	Calendar   bool
	Weeks      int
	Rotations  []rotationView
}

// rotationView is one rotation: who is on call now, next, and the
// upcoming shifts, in the rotation's time zone.
type rotationView struct {
	Name     string
	Zone     *time.Location
	Members  []string
	Domains  []koban.Domain
	Channel  string
	Now      *koban.Shift // nil before the rotation starts
	Next     *koban.Shift
	Upcoming []koban.Shift
}

func (s *Server) oncall(w http.ResponseWriter, r *http.Request) {
	v := oncallView{Configured: s.deps.OnCall != nil, Calendar: s.deps.Calendar != nil, Weeks: s.opts.Weeks}
	if s.deps.OnCall == nil {
		s.render(w, r, http.StatusOK, "oncall", view{Title: "On-call", Nav: "oncall", Data: v})
		return
	}
	now := s.now()
	to := now.Add(time.Duration(s.opts.Weeks) * 7 * 24 * time.Hour)
	// Look a little back and ahead so the current and the next shift are
	// covered by the overrides loaded.
	sch, err := s.deps.OnCall.Schedule(r.Context(), now.Add(-31*24*time.Hour), to.Add(31*24*time.Hour))
	if err != nil {
		s.fail(w, r, fmt.Errorf("on-call schedule: %w", err))
		return
	}
	for _, rot := range sch.Rotations() {
		rv := rotationView{Name: rot.Name, Zone: rot.Location, Members: rot.Members, Domains: rot.Domains, Channel: rot.Channel}
		if rv.Zone == nil {
			rv.Zone = time.UTC
		}
		switch sh, err := sch.At(rot.Name, now); {
		case err == nil:
			rv.Now = &sh
		case koban.ErrorCode(err) != koban.ENotFound:
			s.fail(w, r, fmt.Errorf("on-call now in %s: %w", rot.Name, err))
			return
		}
		if sh, err := sch.Next(rot.Name, now); err == nil {
			rv.Next = &sh
		}
		shifts, err := sch.Shifts(rot.Name, now, to)
		if err != nil {
			s.fail(w, r, fmt.Errorf("on-call shifts of %s: %w", rot.Name, err))
			return
		}
		rv.Upcoming = shifts
		v.Rotations = append(v.Rotations, rv)
	}
	s.render(w, r, http.StatusOK, "oncall", view{Title: "On-call", Nav: "oncall", Data: v})
}
