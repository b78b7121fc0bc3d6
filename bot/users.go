package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/oncall"
)

var _ oncall.NameLookup = (*Bot)(nil)

const (
	// usersTTL is how long the workspace's member list is trusted. A new
	// colleague shows up after at most this long, or at once on a miss once
	// the list is older than usersMissTTL.
	usersTTL     = 5 * time.Minute
	usersMissTTL = time.Minute
	// usersPage is users.list's page size; Slack recommends at most 200.
	// https://docs.slack.dev/reference/methods/users.list
	usersPage = 200
)

// directory caches the workspace's members for LookupName.
type directory struct {
	mu      sync.Mutex // held while the list is fetched: one fetch at a time
	fetched time.Time
	members []member
	// names are the display names and locales of users.info and
	// users.list, by user ID, for PersonName and langOf.
	names map[string]knownName
}

// member is the part of a Slack user a plain @name can match.
type member struct {
	id string
	// shown is the name people see: display name, else real name, else
	// username, in its own case.
	shown string
	// locale is their Slack locale ("ja-JP"), "" when unknown.
	locale string
	// Folded to lower case.
	name, display, displayNorm, real, realNorm string
}

// LookupName resolves a plain "@alice" (name without the @, or with it) to a
// Slack user ID, by the member's username, then display name, then real
// name, ignoring case. Deleted users and bots never match. The member list
// (users.list, paginated) is cached for a few minutes. The error is ENotFound
// when nobody matches, EInvalid when several people do, and EUnavailable
// when Slack cannot be reached. It implements oncall.NameLookup.
func (c *Client) LookupName(ctx context.Context, name string) (string, error) {
	want := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), "@")))
	if want == "" {
		return "", koban.Say(koban.ENotFound, "error.no_such_name", map[string]any{"Name": name})
	}
	c.users.mu.Lock()
	defer c.users.mu.Unlock()
	age := c.now().Sub(c.users.fetched)
	if c.users.fetched.IsZero() || age >= usersTTL {
		if err := c.fetchUsers(ctx); err != nil {
			return "", err
		}
		age = 0
	}
	ids := matchMembers(c.users.members, want)
	if len(ids) == 0 && age >= usersMissTTL {
		if err := c.fetchUsers(ctx); err != nil {
			return "", err
		}
		ids = matchMembers(c.users.members, want)
	}
	switch len(ids) {
	case 0:
		return "", koban.Say(koban.ENotFound, "error.no_such_name", map[string]any{"Name": want})
	case 1:
		return ids[0], nil
	}
	return "", koban.Say(koban.EInvalid, "error.several_names", map[string]any{"Count": len(ids), "Name": want})
}

// fetchUsers reloads the member list; the caller holds b.users.mu.
func (c *Client) fetchUsers(ctx context.Context) error {
	var members []member
	p := c.api.GetUsersPaginated(slack.GetUsersOptionLimit(usersPage), slack.GetUsersOptionIncludeLocale(true))
	for {
		var err error
		p, err = p.Next(ctx)
		if err != nil {
			if err = p.Failure(err); err != nil {
				return fmt.Errorf("list slack users: %w", classify(err))
			}
			break
		}
		for _, u := range p.Users {
			if u.Deleted || u.IsBot || u.ID == "USLACKBOT" {
				continue
			}
			members = append(members, member{
				id:          u.ID,
				shown:       shownName(u),
				locale:      u.Locale,
				name:        strings.ToLower(u.Name),
				display:     strings.ToLower(u.Profile.DisplayName),
				displayNorm: strings.ToLower(u.Profile.DisplayNameNormalized),
				real:        strings.ToLower(cmp.Or(u.RealName, u.Profile.RealName)),
				realNorm:    strings.ToLower(u.Profile.RealNameNormalized),
			})
		}
	}
	c.users.members, c.users.fetched = members, c.now()
	c.users.remember(members, c.now(), false)
	c.log.Debug("slack users listed", "members", len(members))
	return nil
}

// matchMembers returns the IDs of the members called want (lower case) in
// the first of these that matches anyone: username, display name, real name.
func matchMembers(ms []member, want string) []string {
	tiers := []func(m member) bool{
		func(m member) bool { return m.name == want },
		func(m member) bool { return m.display == want || m.displayNorm == want },
		func(m member) bool { return m.real == want || m.realNorm == want },
	}
	for _, match := range tiers {
		var ids []string
		for _, m := range ms {
			if match(m) && !slices.Contains(ids, m.id) {
				ids = append(ids, m.id)
			}
		}
		if len(ids) > 0 {
			return ids
		}
	}
	return nil
}
