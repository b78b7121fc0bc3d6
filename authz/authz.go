// Package authz decides who may do what in koban. Everyone has one of three
// roles, resolved from the configuration and Slack:
//
//   - an asker may act on their own inquiry (Solved, I need a human, Docs
//     are wrong, add detail) and see it;
//   - responders (members of any on-call rotation, plus the members of an
//     optional responders user group) acknowledge, resolve and relabel any
//     inquiry, see private ones, and change the schedule of their own
//     rotations (cover, swap, remove, note);
//   - admins (user IDs or user groups) may do everything, including
//     overrides for other rotations.
//
// Anyone else is an outsider: they see public inquiries and can ask.
// Refusals are koban.EForbidden errors whose message says who may do it.
//
// It leaves reading Slack user groups to the caller (through Groups) and the
// rotations to oncall (their members are handed in).
package authz

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kobanhq/koban"
)

// Role is what a user may do, beyond acting on their own inquiries.
type Role int

// The roles, from least to most trusted.
const (
	Outsider Role = iota
	Responder
	Admin
)

func (r Role) String() string {
	switch r {
	case Responder:
		return "responder"
	case Admin:
		return "admin"
	}
	return "outsider"
}

// Action is something a user does to an inquiry.
type Action string

// The actions on inquiries. Asker actions are also open to responders and
// admins; responder actions to admins.
const (
	// The asker's buttons.
	Solved           = Action(koban.FeedbackSolved)
	NeedHuman        = Action(koban.FeedbackNeedHuman)
	DocsWrong        = Action(koban.FeedbackDocsWrong)
	AddDetail Action = "add-detail"
	// SuggestionSolved: the pages suggested while escalating solved it.
	SuggestionSolved = Action(koban.FeedbackSuggestionSolved)
	// The on-call's.
	Acknowledge Action = "acknowledge"
	Resolve     Action = "resolve"
	Relabel     Action = "relabel"
	// RemovePastAnswer takes a past human answer out of koban's knowledge.
	RemovePastAnswer Action = "remove-past-answer"
)

// actions are the actions on inquiries; each has a refusal in the message
// catalogue ("refusal.ACTION") that says who may take it.
var actions = []Action{Solved, NeedHuman, DocsWrong, AddDetail, SuggestionSolved, Acknowledge, Resolve, Relabel, RemovePastAnswer}

// askerActions are the actions an asker may take on their own inquiry.
var askerActions = []Action{Solved, NeedHuman, DocsWrong, AddDetail, SuggestionSolved}

// Groups reads the members of a Slack user group (usergroups.users.list).
type Groups interface {
	GroupMembers(ctx context.Context, group string) ([]string, error)
}

// Config says who the responders and admins are.
type Config struct {
	// Admins are Slack user IDs (U…, W…) or user groups (S…), or the web
	// UI's shared-token identity.
	Admins []string
	// RespondersGroup is an optional Slack user group (S…) whose members
	// are responders besides the rotation members.
	RespondersGroup string
	// Rotations maps each on-call rotation to its members (Slack user IDs).
	Rotations map[string][]string
	// CacheFor is how long user group members are cached; default 5 minutes.
	CacheFor time.Duration
}

// Policy resolves roles and checks actions. It is safe for concurrent use.
type Policy struct {
	cfg    Config
	groups Groups
	log    *slog.Logger
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]cached // group → members
}

type cached struct {
	members []string
	at      time.Time
}

// New returns a policy. groups may be nil when no user group is configured
// (Slack is off); then configured groups have no members.
func New(cfg Config, groups Groups, log *slog.Logger) *Policy {
	if cfg.CacheFor <= 0 {
		cfg.CacheFor = 5 * time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Policy{cfg: cfg, groups: groups, log: log, now: time.Now, cache: map[string]cached{}}
}

// Role returns user's role. A user group that cannot be read counts as
// empty (the refusal is logged), so that Slack being down never grants.
func (p *Policy) Role(ctx context.Context, user string) Role {
	if user == "" {
		return Outsider
	}
	for _, a := range p.cfg.Admins {
		if a == user || (isGroup(a) && p.inGroup(ctx, a, user)) {
			return Admin
		}
	}
	for _, members := range p.cfg.Rotations {
		if slices.Contains(members, user) {
			return Responder
		}
	}
	if g := p.cfg.RespondersGroup; g != "" && p.inGroup(ctx, g, user) {
		return Responder
	}
	return Outsider
}

// Member reports whether user is a member of rotation.
func (p *Policy) Member(rotation, user string) bool {
	return user != "" && slices.Contains(p.cfg.Rotations[rotation], user)
}

// Check returns nil when user may take act on inq, else an EForbidden error
// that says who may.
func (p *Policy) Check(ctx context.Context, user string, act Action, inq *koban.Inquiry) error {
	if p.allowed(ctx, user, act, inq) {
		return nil
	}
	// The refusal says who may.
	id := "refusal.other"
	if slices.Contains(actions, act) {
		id = "refusal." + string(act)
	}
	return koban.Say(koban.EForbidden, id, nil)
}

func (p *Policy) allowed(ctx context.Context, user string, act Action, inq *koban.Inquiry) bool {
	if user == "" {
		return false
	}
	if slices.Contains(askerActions, act) && inq != nil && inq.AskedBy != "" && inq.AskedBy == user {
		return true
	}
	if !slices.Contains(actions, act) {
		return p.Role(ctx, user) == Admin // unknown actions: admins only
	}
	switch act {
	case Acknowledge, Resolve, Relabel, RemovePastAnswer:
		return p.Role(ctx, user) >= Responder
	}
	// The asker's other buttons are the asker's (and admins', who may do
	// everything).
	return p.Role(ctx, user) == Admin
}

// CanSee reports whether user may see inq's text: public inquiries are
// seen by everyone, private ones by their asker and by responders.
func (p *Policy) CanSee(ctx context.Context, user string, inq *koban.Inquiry) bool {
	if !inq.Private || (user != "" && user == inq.AskedBy) {
		return true
	}
	return p.Role(ctx, user) >= Responder
}

// Visible splits inqs into those user may see (in order) and the number of
// private ones hidden from them.
func (p *Policy) Visible(ctx context.Context, user string, inqs []koban.Inquiry) (shown []koban.Inquiry, hidden int) {
	role := Role(-1)
	for _, inq := range inqs {
		if !inq.Private || (user != "" && inq.AskedBy == user) {
			shown = append(shown, inq)
			continue
		}
		if role < 0 {
			role = p.Role(ctx, user)
		}
		if role >= Responder {
			shown = append(shown, inq)
		} else {
			hidden++
		}
	}
	return shown, hidden
}

// Refused logs a refusal: who tried what on which inquiry.
func (p *Policy) Refused(user string, act Action, inq *koban.Inquiry) {
	var id int64
	if inq != nil {
		id = inq.ID
	}
	p.log.Warn("action refused", "user", user, "action", string(act), "inquiry_id", id)
}

func (p *Policy) inGroup(ctx context.Context, group, user string) bool {
	members, err := p.members(ctx, group)
	if err != nil {
		p.log.Warn("read user group; its members count as none", "group", group, "err", err)
		return false
	}
	return slices.Contains(members, user)
}

// members returns the cached members of group, read again once stale.
func (p *Policy) members(ctx context.Context, group string) ([]string, error) {
	p.mu.Lock()
	c, ok := p.cache[group]
	p.mu.Unlock()
	if ok && p.now().Sub(c.at) < p.cfg.CacheFor {
		return c.members, nil
	}
	if p.groups == nil {
		return nil, fmt.Errorf("user group %s: Slack is not connected", group)
	}
	m, err := p.groups.GroupMembers(ctx, group)
	if err != nil {
		if ok {
			// Slack is down: the members read a little earlier still stand.
			return c.members, nil
		}
		return nil, err
	}
	p.mu.Lock()
	p.cache[group] = cached{members: m, at: p.now()}
	p.mu.Unlock()
	return m, nil
}

// isGroup reports whether id names a Slack user group.
func isGroup(id string) bool { return strings.HasPrefix(id, "S") }

// IsAdmin reports whether user is an admin (oncall.Access).
func (p *Policy) IsAdmin(ctx context.Context, user string) bool { return p.Role(ctx, user) == Admin }

// IsResponder reports whether user is a responder or an admin (oncall.Access).
func (p *Policy) IsResponder(ctx context.Context, user string) bool {
	return p.Role(ctx, user) >= Responder
}
