package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban/deploy"
	"github.com/kobanhq/koban/llm"
	"github.com/kobanhq/koban/llm/openai"
)

// neededSlackScopes are the scopes this configuration uses: those the
// Slack app manifest grants but those docs/slack.md says may be dropped,
// usergroups:write without rotation user groups and users:read(.email)
// without members given as emails.
func neededSlackScopes(cfg Config) []string {
	all, err := deploy.SlackBotScopes()
	if err != nil {
		panic(err) // the manifest is embedded: its test keeps it readable
	}
	groups, emails := false, false
	for _, r := range cfg.OnCall.Rotations {
		groups = groups || r.UserGroup != ""
		for _, m := range r.Members {
			emails = emails || strings.Contains(m, "@")
		}
	}
	var out []string
	for _, s := range all {
		switch {
		case s == "usergroups:write" && !groups:
		case (s == "users:read" || s == "users:read.email") && !emails:
		default:
			out = append(out, s)
		}
	}
	return out
}

// slackAPIBase is the Slack Web API base URL, with a trailing slash.
func slackAPIBase(cfg Config) string {
	if cfg.Slack.APIURL != "" {
		return strings.TrimSuffix(cfg.Slack.APIURL, "/") + "/"
	}
	return slack.APIURL
}

// slackAuth is what auth.test says about a token.
type slackAuth struct {
	OK     bool   `json:"ok"`
	Error  string `json:"error"`
	User   string `json:"user"`
	UserID string `json:"user_id"`
	Team   string `json:"team"`
	BotID  string `json:"bot_id"`
	// Scopes come from the X-OAuth-Scopes response header; nil when the
	// header is missing.
	Scopes []string `json:"-"`
}

// slackPost calls a Web API method with token and decodes its JSON answer
// into out; it returns the response headers. slack-go hides the headers,
// and the token's scopes are only there.
func slackPost(ctx context.Context, base, method, token string, out any) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+method, strings.NewReader(url.Values{}.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %s", method, resp.Status)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	return resp.Header, nil
}

// checkSlack checks the bot token, its scopes, the app token, the channels
// koban posts to and the user groups it uses.
func (d *doctor) checkSlack(ctx context.Context) {
	cfg := d.a.cfg
	if cfg.Slack.BotToken == "" {
		d.report(checkSkipped, "slack", "not configured (SLACK_BOT_TOKEN is empty)", "")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	base := slackAPIBase(cfg)
	var auth slackAuth
	h, err := slackPost(ctx, base, "auth.test", cfg.Slack.BotToken, &auth)
	switch {
	case err != nil:
		d.report(checkFailed, "slack token", "auth.test: "+err.Error(), "check that Slack ("+base+") is reachable from here")
		return
	case !auth.OK:
		d.report(checkFailed, "slack token", "Slack refused SLACK_BOT_TOKEN: "+auth.Error, "copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions; reinstall the app if it was revoked")
		return
	}
	d.report(checkOK, "slack token", fmt.Sprintf("valid: @%s (%s) in team %s", auth.User, auth.UserID, auth.Team), "")

	granted := map[string]bool{}
	hdr := h.Get("X-OAuth-Scopes")
	for _, s := range strings.Split(hdr, ",") {
		if s = strings.TrimSpace(s); s != "" {
			granted[s] = true
		}
	}
	var missing []string
	needed := neededSlackScopes(cfg)
	for _, s := range needed {
		if !granted[s] {
			missing = append(missing, s)
		}
	}
	switch {
	case hdr == "":
		d.report(checkNote, "slack scopes", "Slack did not say which scopes the token has (no X-OAuth-Scopes header)", "")
	case len(missing) > 0:
		d.report(checkFailed, "slack scopes", "the token lacks "+strings.Join(missing, ", "),
			"add them under OAuth & Permissions → Bot Token Scopes (or recreate the app from deploy/slack-app-manifest.yaml) and reinstall the app")
	default:
		d.report(checkOK, "slack scopes", fmt.Sprintf("all %d this configuration needs", len(needed)), "")
	}
	d.checkAppToken(ctx, base)

	api := slack.New(cfg.Slack.BotToken, slack.OptionAPIURL(base))
	ids, purpose := channelsToCheck(cfg)
	for _, id := range ids {
		what := "slack channel " + id + " (" + purpose[id] + ")"
		_, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: id, Limit: 1})
		switch {
		case err == nil:
			d.report(checkOK, what, "koban is a member", "")
		case strings.Contains(err.Error(), "not_in_channel"):
			d.report(checkFailed, what, "koban is not a member of it", "invite it: /invite @"+auth.User+" in the channel")
		case strings.Contains(err.Error(), "channel_not_found"):
			d.report(checkFailed, what, "no such channel, or a private one koban was not invited to", "check the channel ID (channel details → About, C…)")
		default:
			d.report(checkFailed, what, err.Error(), "")
		}
	}
	d.checkUserGroups(ctx, api, granted)
}

// checkAppToken opens a Socket Mode connection URL with the app token,
// which says whether Slack takes it (nothing connects to the URL).
func (d *doctor) checkAppToken(ctx context.Context, base string) {
	tok := d.a.cfg.Slack.AppToken
	if tok == "" {
		if d.a.cfg.Slack.SigningSecret == "" {
			d.report(checkFailed, "slack app token", "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (Events API) is set: koban cannot receive events", "set one of them (docs/slack.md)")
		} else {
			d.report(checkSkipped, "slack app token", "Events API (SLACK_SIGNING_SECRET) instead of Socket Mode", "")
		}
		return
	}
	var resp struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if _, err := slackPost(ctx, base, "apps.connections.open", tok, &resp); err != nil {
		d.report(checkFailed, "slack app token", err.Error(), "")
		return
	}
	if !resp.OK {
		d.report(checkFailed, "slack app token", "Slack refused SLACK_APP_TOKEN: "+resp.Error, "generate an app-level token with connections:write (Basic Information → App-Level Tokens) and enable Socket Mode")
		return
	}
	d.report(checkOK, "slack app token", "Socket Mode connections open", "")
}

// checkUserGroups checks that the rotations' user groups and the fallback
// group exist and are enabled. Listing user groups needs usergroups:read,
// which koban itself does not: without it the check is skipped.
func (d *doctor) checkUserGroups(ctx context.Context, api *slack.Client, granted map[string]bool) {
	ids, purpose := userGroupsToCheck(d.a.cfg)
	if len(ids) == 0 {
		return
	}
	if !granted["usergroups:read"] {
		d.report(checkSkipped, "slack user groups", "listing them needs the usergroups:read scope, which koban does not otherwise use", "add usergroups:read to let koban doctor check "+strings.Join(ids, ", "))
		return
	}
	groups, err := api.GetUserGroupsContext(ctx, slack.GetUserGroupsOptionIncludeDisabled(true))
	if err != nil {
		d.report(checkFailed, "slack user groups", "usergroups.list: "+err.Error(), "")
		return
	}
	byID := map[string]slack.UserGroup{}
	for _, g := range groups {
		byID[g.ID] = g
	}
	for _, id := range ids {
		what := "slack user group " + id + " (" + purpose[id] + ")"
		g, ok := byID[id]
		switch {
		case !ok:
			d.report(checkFailed, what, "no such user group", "check the ID (S…) in the user group's page, or create the group")
		case g.DateDelete != 0:
			d.report(checkFailed, what, "@"+g.Handle+" is disabled", "enable it again in Slack")
		default:
			d.report(checkOK, what, "@"+g.Handle+" exists", "")
		}
	}
}

// checkLLM asks the configured chat and embedding models for the smallest
// answer each can give.
func (d *doctor) checkLLM(ctx context.Context) {
	c := d.a.cfg.LLM
	if c.Model == "" && c.EmbeddingModel == "" {
		d.report(checkSkipped, "llm", "not configured: answers are extractive", "")
		return
	}
	// One try each, within the doctor's timeout: a failure is reported, not
	// retried.
	client, err := openai.New(openai.Config{BaseURL: c.BaseURL, APIKey: c.APIKey, Model: c.Model, EmbeddingModel: c.EmbeddingModel,
		Timeout: d.timeout, Azure: c.Azure, APIVersion: c.APIVersion, MaxTries: 1}, nil, d.a.log)
	if err != nil {
		d.report(checkFailed, "llm", err.Error(), "check the llm settings")
		return
	}
	where := c.BaseURL
	if where == "" {
		where = "OpenAI"
	}
	fix := func(err error) string {
		switch llm.HTTPStatus(err) {
		case http.StatusUnauthorized, http.StatusForbidden:
			return "the endpoint refused the key: check llm.api_key (KOBAN_LLM_API_KEY)"
		case http.StatusNotFound:
			return "the endpoint does not serve this model: check the model name (for Azure, the deployment name)"
		}
		return "check llm.base_url (KOBAN_LLM_BASE_URL) and that the endpoint is reachable from here"
	}
	status := func(err error) string {
		if n := llm.HTTPStatus(err); n != 0 {
			return fmt.Sprintf("%s: %s (HTTP %d)", where, err, n)
		}
		return where + ": " + err.Error()
	}
	if c.Model != "" {
		_, err := client.Chat(ctx, llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: "Reply with OK."}}})
		if err != nil {
			d.report(checkFailed, "llm model "+c.Model, status(err), fix(err))
		} else {
			d.report(checkOK, "llm model "+c.Model, where+" answers", "")
		}
	}
	if c.EmbeddingModel != "" {
		_, _, err := client.Embed(ctx, []string{"ok"})
		if err != nil {
			d.report(checkFailed, "llm embedding model "+c.EmbeddingModel, status(err), fix(err))
		} else {
			d.report(checkOK, "llm embedding model "+c.EmbeddingModel, where+" answers", "")
		}
	}
}
