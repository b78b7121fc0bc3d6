package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/kobanhq/koban"
)

// healthz says the process is up and serving: it checks nothing else, so
// that a database outage does not get the process restarted.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

// readyTimeout bounds each readiness check.
const readyTimeout = 3 * time.Second

// readyz runs the readiness checks (store reachable, docs index loaded) and
// answers 200 when all pass, 503 otherwise, with each check's outcome as
// JSON. Failures are logged with their full error; the body gives only the
// user-safe message.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	names := make([]string, 0, len(s.deps.Ready))
	for name := range s.deps.Ready {
		names = append(names, name)
	}
	slices.Sort(names)
	type result struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Error string `json:"error,omitempty"`
	}
	out := struct {
		Ready  bool     `json:"ready"`
		Checks []result `json:"checks"`
	}{Ready: true}
	for _, name := range names {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		err := s.deps.Ready[name](ctx)
		cancel()
		res := result{Name: name, OK: err == nil}
		if err != nil {
			out.Ready = false
			res.Error = koban.ErrorMessage(err)
			s.log.Warn("not ready", "check", name, "err", err)
		}
		out.Checks = append(out.Checks, res)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !out.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(out)
}
