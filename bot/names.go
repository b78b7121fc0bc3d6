package bot

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban/internal/i18n"
)

// namesTTL is how long a person's display name is trusted before users.info
// is asked again: a renamed colleague shows under the new name within a day.
const namesTTL = 24 * time.Hour

// knownName is a display name and Slack locale ("ja-JP", "" when
// unknown), and when Slack told them.
type knownName struct {
	name, locale string
	at           time.Time
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
			d.names[m.id] = knownName{name: m.shown, locale: m.locale, at: at}
		}
	}
}

// PersonName returns the display name of the Slack user id for the web,
// the calendar feed and reports, or "" when it is unknown (not a user ID,
// or Slack cannot be reached and has never told it). Names come from the
// member list LookupName caches, else from users.info, and are refreshed
// daily; a stale name is still returned while Slack is unreachable.
func (c *Client) PersonName(ctx context.Context, id string) string {
	return c.person(ctx, id).name
}

// langOf is the language of what koban tells user alone (App Home, /koban
// replies, ephemeral errors, modals): their Slack locale, else the team's
// language.
func (c *Client) langOf(ctx context.Context, user string) string {
	if p := c.person(ctx, user); p.locale != "" {
		return i18n.FromLocale(p.locale)
	}
	return c.teamLang()
}

// teamLang is the language of what the whole team reads: handoffs,
// reminders, the report and notices to the on-call.
func (c *Client) teamLang() string { return i18n.Normalize(c.cfg.Language) }

// person returns what Slack told of user id: from the member list
// LookupName caches, else from users.info (with the locale), refreshed
// daily. The zero knownName when id is not a user ID or Slack has never
// told it.
func (c *Client) person(ctx context.Context, id string) knownName {
	if !strings.HasPrefix(id, "U") && !strings.HasPrefix(id, "W") {
		return knownName{}
	}
	c.users.mu.Lock()
	known, ok := c.users.names[id]
	c.users.mu.Unlock()
	if ok && c.now().Sub(known.at) < namesTTL {
		return known
	}
	// Slack is asked without the lock held: one slow users.info must not
	// hold up every other name and language lookup.
	u, err := c.api.GetUserInfoContext(ctx, id)
	c.users.mu.Lock()
	defer c.users.mu.Unlock()
	if err != nil {
		c.log.Debug("slack user name", "user", id, "err", err)
		// Ask again in a few minutes rather than on every page.
		c.users.remember([]member{{id: id, shown: known.name, locale: known.locale}}, c.now().Add(usersTTL-namesTTL), true)
		return known
	}
	p := member{id: id, shown: cmp.Or(shownName(*u), known.name), locale: cmp.Or(u.Locale, known.locale)}
	c.users.remember([]member{p}, c.now(), true)
	return c.users.names[id]
}
