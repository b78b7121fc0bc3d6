package metrics

import "context"

// webActor is the identity of the web UI's shared token (web.actor's
// default): an inquiry acknowledged there is assigned to it.
const webActor = "web"

// Shown is how the on-call load names its person: the display name, else
// the shared web identity in words, else the Slack user ID.
func (l Load) Shown() string {
	switch {
	case l.Name != "":
		return l.Name
	case l.Person == webActor:
		return "web UI (shared token)"
	}
	return l.Person
}

// nameLoads fills in the display names of the on-call load.
func (s *Service) nameLoads(ctx context.Context, r *Report) {
	if s.opt.PersonName == nil {
		return
	}
	for i := range r.OnCall {
		r.OnCall[i].Name = s.opt.PersonName(ctx, r.OnCall[i].Person)
	}
}
