package deploy

import (
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestSlackBotScopes: both app manifests (Socket Mode and Events API)
// grant the same bot scopes, the ones SlackBotScopes reads.
func TestSlackBotScopes(t *testing.T) {
	got, err := SlackBotScopes()
	if err != nil || len(got) == 0 {
		t.Fatalf("SlackBotScopes() = %v, %v", got, err)
	}
	b, err := os.ReadFile("slack-app-manifest-events-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
	}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if a, b := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(m.OAuth.Scopes.Bot)); !slices.Equal(a, b) {
		t.Errorf("Socket Mode manifest grants %v, Events API manifest %v", a, b)
	}
}
