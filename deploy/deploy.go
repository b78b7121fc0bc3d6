// Package deploy holds koban's deployment files: the container image
// (Dockerfile), deploy/compose.yaml for one machine, the Kubernetes
// manifests, the Slack app manifests and an example koban.yaml. Its tests
// decode every manifest strictly into the Kubernetes API types and parse
// the compose file, so that a typo fails CI rather than a rollout; the
// Kubernetes modules they need stay out of the koban binary. Its one
// function gives koban doctor the Slack scopes the app manifest grants.
package deploy

import (
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"
)

//go:embed slack-app-manifest.yaml
var slackAppManifest []byte

// SlackBotScopes returns the bot token scopes of the Slack app manifest
// (slack-app-manifest.yaml): the scopes koban is installed with.
func SlackBotScopes() ([]string, error) {
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
	}
	if err := yaml.Unmarshal(slackAppManifest, &m); err != nil {
		return nil, fmt.Errorf("slack app manifest: %w", err)
	}
	return m.OAuth.Scopes.Bot, nil
}
