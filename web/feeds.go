package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
)

// Feeds keeps the secret token of each calendar subscription link (the
// store). A feed is "all" (every rotation) or "rotation:NAME".
type Feeds interface {
	// FeedToken returns a feed's token; ENotFound when it has none.
	FeedToken(ctx context.Context, feed string) (string, error)
	// EnsureFeedToken stores candidate unless the feed has a token, and
	// returns the feed's token.
	EnsureFeedToken(ctx context.Context, feed, candidate string) (string, error)
	// ReplaceFeedToken sets a feed's token, revoking the old link.
	ReplaceFeedToken(ctx context.Context, feed, token string) error
}

// Access checks what a person may do (*authz.Policy).
type Access interface {
	Check(ctx context.Context, user string, act authz.Action, inq *koban.Inquiry) error
}

// ReplaceCalendarLink is the action of replacing a calendar subscription
// link. The policy knows no such inquiry action, so only admins may.
const ReplaceCalendarLink authz.Action = "replace-calendar-link"

// allFeed is the feed of every rotation's shifts.
const allFeed = "all"

// rotationFeed is the feed of one rotation's shifts.
func rotationFeed(name string) string { return "rotation:" + name }

// feedPath is the subscription link's path for a feed and its token.
func feedPath(feed, token string) string {
	if name, ok := strings.CutPrefix(feed, "rotation:"); ok {
		return "/calendar/rotation/" + url.PathEscape(name) + "/" + token + ".ics"
	}
	return "/calendar/all/" + token + ".ics"
}

// newFeedToken returns 32 random bytes, URL-safe.
func newFeedToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// feedRoutes mounts the subscription links outside the dashboard's token
// and session: a calendar app fetches them with nothing but the address.
func (s *Server) feedRoutes() {
	if s.deps.Calendar == nil || s.deps.Feeds == nil {
		return
	}
	s.outer.Handle("GET /calendar/all/{file}", s.checkHost(http.HandlerFunc(s.calendarFeed)))
	s.outer.Handle("GET /calendar/rotation/{rotation}/{file}", s.checkHost(http.HandlerFunc(s.calendarFeed)))
	s.inner.HandleFunc("POST /oncall/links", s.replaceFeed)
}

// calendarFeed serves a subscription link. The token in the path is all it
// accepts: no query parameters, and cookies and Authorization headers are
// neither needed nor looked at.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		http.Error(w, "This calendar link takes no parameters: subscribe to it exactly as the on-call page shows it.", http.StatusBadRequest)
		return
	}
	feed, rotation := allFeed, r.PathValue("rotation")
	if rotation != "" {
		feed = rotationFeed(rotation)
	}
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	want, err := s.deps.Feeds.FeedToken(r.Context(), feed)
	switch {
	case err != nil && koban.ErrorCode(err) != koban.ENotFound:
		s.log.Error("calendar link", "feed", feed, "err", err)
		http.Error(w, "The calendar is unavailable; try again later.", http.StatusServiceUnavailable)
		return
	case err != nil || !ok || subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1:
		http.Error(w, "There is no calendar at this address: the link may have been replaced. Copy the current one from koban's on-call page.", http.StatusNotFound)
		return
	}
	in := r.Clone(r.Context())
	in.Header.Del("Cookie")
	in.Header.Del("Authorization")
	in.URL = &url.URL{Path: "/oncall.ics"}
	if rotation != "" {
		in.URL.RawQuery = url.Values{"rotation": {rotation}}.Encode()
	}
	in.RequestURI = in.URL.RequestURI()
	s.deps.Calendar.ServeHTTP(w, in)
}

// feedLink is a subscription link as the on-call page shows it.
type feedLink struct {
	Feed string
	Name string // the rotation's; "" for every rotation's
	URL  string
}

// feedLink returns the subscription link of feed, creating its token the
// first time.
func (s *Server) feedLink(r *http.Request, feed string) (feedLink, error) {
	token, err := s.deps.Feeds.EnsureFeedToken(r.Context(), feed, newFeedToken())
	if err != nil {
		return feedLink{}, fmt.Errorf("calendar link %s: %w", feed, err)
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	name, _ := strings.CutPrefix(feed, "rotation:")
	if feed == allFeed {
		name = ""
	}
	return feedLink{Feed: feed, Name: name, URL: scheme + "://" + r.Host + feedPath(feed, token)}, nil
}

// replaceFeed gives a feed a new token: its old link stops working.
func (s *Server) replaceFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	feed := r.PostFormValue("feed")
	if err := s.knownFeed(r, feed); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.deps.Access != nil {
		if err := s.deps.Access.Check(ctx, s.actor(r), ReplaceCalendarLink, nil); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.deps.Feeds.ReplaceFeedToken(ctx, feed, newFeedToken()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("calendar link replaced", "feed", feed, "by", s.actor(r))
	http.Redirect(w, r, "/oncall#links", http.StatusSeeOther)
}

// knownFeed refuses a feed that is not "all" or a configured rotation's.
func (s *Server) knownFeed(r *http.Request, feed string) error {
	ctx := r.Context()
	if feed == allFeed {
		return nil
	}
	name, ok := strings.CutPrefix(feed, "rotation:")
	if ok && s.deps.OnCall != nil {
		sch, err := s.deps.OnCall.Schedule(ctx, s.now(), s.now())
		if err != nil {
			return fmt.Errorf("on-call schedule: %w", err)
		}
		for _, rot := range sch.Rotations() {
			if rot.Name == name {
				return nil
			}
		}
	}
	return s.errorf(r, koban.EInvalid, "web.err.no_calendar", "Feed", truncateRunes(feed, 100))
}
