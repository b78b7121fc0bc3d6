package bot

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// manifest is the part of a Slack app manifest koban depends on.
type manifest struct {
	Features struct {
		AppHome struct {
			HomeTabEnabled bool `yaml:"home_tab_enabled"`
		} `yaml:"app_home"`
		SlashCommands []struct {
			Command      string `yaml:"command"`
			URL          string `yaml:"url"`
			ShouldEscape bool   `yaml:"should_escape"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuthConfig struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			IsEnabled  bool   `yaml:"is_enabled"`
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
		SocketModeEnabled bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

// TestManifests checks that both shipped Slack app manifests subscribe to
// what the bot handles, ask for the scopes it uses, and (Events API) point
// at the paths its Handler serves.
func TestManifests(t *testing.T) {
	scopes := []string{"app_mentions:read", "channels:history", "groups:history", "im:history", "chat:write", "files:write",
		"reactions:write", "commands", "users:read", "users:read.email", "usergroups:write",
		"usergroups:read", "channels:read", "groups:read"}
	events := []string{"app_home_opened", "app_mention", "message.channels", "message.groups", "message.im"}
	h := (&Bot{Client: &Client{log: slog.New(slog.DiscardHandler)}, opts: Options{SigningSecret: testSecret}}).Handler()
	for _, tt := range []struct {
		file   string
		socket bool
	}{
		{"../deploy/slack-app-manifest.yaml", true},
		{"../deploy/slack-app-manifest-events-api.yaml", false},
	} {
		b, err := os.ReadFile(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		var m manifest
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		got := slices.Sorted(slices.Values(m.OAuthConfig.Scopes.Bot))
		if want := slices.Sorted(slices.Values(scopes)); !slices.Equal(got, want) {
			t.Errorf("%s: bot scopes %v, want %v", tt.file, got, want)
		}
		if got := slices.Sorted(slices.Values(m.Settings.EventSubscriptions.BotEvents)); !slices.Equal(got, events) {
			t.Errorf("%s: bot events %v, want %v", tt.file, got, events)
		}
		if m.Settings.SocketModeEnabled != tt.socket || !m.Settings.Interactivity.IsEnabled || !m.Features.AppHome.HomeTabEnabled {
			t.Errorf("%s: socket mode %v, interactivity %v, home tab %v", tt.file, m.Settings.SocketModeEnabled, m.Settings.Interactivity.IsEnabled, m.Features.AppHome.HomeTabEnabled)
		}
		if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/koban" {
			t.Fatalf("%s: slash commands %+v, want /koban", tt.file, m.Features.SlashCommands)
		}
		if !m.Features.SlashCommands[0].ShouldEscape {
			t.Errorf("%s: /koban has should_escape false: a person picked from the @-menu would arrive as text", tt.file)
		}
		if tt.socket {
			continue
		}
		for _, u := range []string{m.Settings.EventSubscriptions.RequestURL, m.Settings.Interactivity.RequestURL, m.Features.SlashCommands[0].URL} {
			pu, err := url.Parse(u)
			if err != nil || pu.Scheme != "https" {
				t.Errorf("%s: request URL %q is not https", tt.file, u)
				continue
			}
			// An unsigned request to a served path is refused with 401, not 404.
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, pu.Path, nil))
			if w.Code != http.StatusUnauthorized {
				t.Errorf("%s: %s is not served by the bot (status %d)", tt.file, pu.Path, w.Code)
			}
		}
	}
}
