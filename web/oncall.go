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
	// Links are the calendar subscription links: every rotation's, then
	// each rotation's.
	Links []feedLink
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
	title := s.t(r, "web.nav.oncall")
	if s.deps.OnCall == nil {
		s.render(w, r, http.StatusOK, "oncall", view{Title: title, Nav: "oncall", Data: v})
		return
	}
	rots, err := s.rotations(r, s.opts.Weeks)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Rotations = rots
	if s.deps.Feeds != nil && s.deps.Calendar != nil {
		feeds := []string{allFeed}
		for _, rv := range rots {
			feeds = append(feeds, rotationFeed(rv.Name))
		}
		for _, f := range feeds {
			l, err := s.feedLink(r, f)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			v.Links = append(v.Links, l)
		}
	}
	s.render(w, r, http.StatusOK, "oncall", view{Title: title, Nav: "oncall", Data: v})
}

// rotations returns each rotation with who is on call now and next, and
// the shifts of the coming weeks.
func (s *Server) rotations(r *http.Request, weeks int) ([]rotationView, error) {
	now := s.now()
	to := now.Add(time.Duration(weeks) * 7 * 24 * time.Hour)
	// Look a little back and ahead so the current and the next shift are
	// covered by the overrides loaded.
	sch, err := s.deps.OnCall.Schedule(r.Context(), now.Add(-31*24*time.Hour), to.Add(31*24*time.Hour))
	if err != nil {
		return nil, fmt.Errorf("on-call schedule: %w", err)
	}
	var out []rotationView
	for _, rot := range sch.Rotations() {
		rv := rotationView{Name: rot.Name, Zone: rot.Location, Members: rot.Members, Domains: rot.Domains, Channel: rot.Channel}
		if rv.Zone == nil {
			rv.Zone = time.UTC
		}
		switch sh, err := sch.At(rot.Name, now); {
		case err == nil:
			rv.Now = &sh
		case koban.ErrorCode(err) != koban.ENotFound:
			return nil, fmt.Errorf("on-call now in %s: %w", rot.Name, err)
		}
		if sh, err := sch.Next(rot.Name, now); err == nil {
			rv.Next = &sh
		}
		if weeks > 0 {
			if rv.Upcoming, err = sch.Shifts(rot.Name, now, to); err != nil {
				return nil, fmt.Errorf("on-call shifts of %s: %w", rot.Name, err)
			}
		}
		out = append(out, rv)
	}
	return out, nil
}
