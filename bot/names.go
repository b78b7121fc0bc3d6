package bot

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// namesTTL is how long a person's display name is trusted before users.info
// is asked again: a renamed colleague shows under the new name within a day.
const namesTTL = 24 * time.Hour

// knownName is a display name and when Slack told it.
type knownName struct {
	name string
	at   time.Time
}

// shownName is the name Slack shows for u: display name, else real name,
// else username.
func shownName(u slack.User) string {
	return strings.TrimSpace(cmp.Or(u.Profile.DisplayName, u.Profile.DisplayNameNormalized,
		u.RealName, u.Profile.RealName, u.Name))
}

// remember records the names of members told at at; the caller holds d.mu.
// Empty names are kept only when keepEmpty (a miss not to repeat at once).
func (d *directory) remember(members []member, at time.Time, keepEmpty bool) {
	if d.names == nil {
		d.names = map[string]knownName{}
	}
	for _, m := range members {
		if m.shown != "" || keepEmpty {
			d.names[m.id] = knownName{name: m.shown, at: at}
		}
	}
}

// PersonName returns the display name of the Slack user id for the web,
// the calendar feed and reports, or "" when it is unknown (not a user ID,
// or Slack cannot be reached and has never told it). Names come from the
// member list LookupName caches, else from users.info, and are refreshed
// daily; a stale name is still returned while Slack is unreachable.
func (c *Client) PersonName(ctx context.Context, id string) string {
	if !strings.HasPrefix(id, "U") && !strings.HasPrefix(id, "W") {
		return ""
	}
	c.users.mu.Lock()
	defer c.users.mu.Unlock()
	known, ok := c.users.names[id]
	if ok && c.now().Sub(known.at) < namesTTL {
		return known.name
	}
	u, err := c.api.GetUserInfoContext(ctx, id)
	if err != nil {
		c.log.Debug("slack user name", "user", id, "err", err)
		// Ask again in a few minutes rather than on every page.
		c.users.remember([]member{{id: id, shown: known.name}}, c.now().Add(usersTTL-namesTTL), true)
		return known.name
	}
	name := cmp.Or(shownName(*u), known.name)
	c.users.remember([]member{{id: id, shown: name}}, c.now(), true)
	return name
}
